//! Fuzz target `segment_reader`: the properties are in `vecload_fuzz::checks::segment_reader`,
//! plus a memory bound this target alone can check: reading a file of `n` bytes may hold at
//! most `READ_BYTES_PER_INPUT_BYTE * n + READ_BYTES_SLACK` bytes more than before, so a
//! corrupt length is refused rather than allocated.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Live heap bytes may grow by this many per input byte while reading...
const READ_BYTES_PER_INPUT_BYTE: usize = 16;
/// ...plus this much (serde pre-allocates up to 1 MiB per sequence, a few nested at once).
const READ_BYTES_SLACK: usize = 8 << 20;

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; the counters are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    vecload_fuzz::checks::segment_reader::check(data);
    let grown = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    let limit = READ_BYTES_PER_INPUT_BYTE * data.len() + READ_BYTES_SLACK;
    assert!(
        grown <= limit,
        "reading {} input bytes took {grown} bytes of heap (limit {limit})",
        data.len()
    );
});
