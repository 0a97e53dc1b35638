//! Memory maps of local files, and the guard that keeps a truncated map from killing the
//! process: the only `unsafe` in vecload's library.
//!
//! Reading a page of a map past the end of its file (the file was truncated after it was
//! mapped) raises SIGBUS, whose default kills the process. [`guard_truncated_maps`]
//! (opt-in: the binary calls it through `EngineOptions::guard_maps`) installs a SIGBUS
//! handler that, for a fault inside a live map, maps zero pages over the rest of that map,
//! marks the map damaged and returns: the read sees zeros, and [`MappedFile::unchanged`]
//! fails the task with "FILE changed during import (size A -> B bytes)". A fault anywhere
//! else goes to the handler installed before (Rust's own, or the default: the process dies
//! as it would have). The live maps are a fixed table of atomics: the handler takes no
//! lock and allocates nothing.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::ops::Range;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::SystemTime;

use memmap2::{Mmap, UncheckedAdvice};

use super::SourceError;

/// Live maps the guard can watch at once; a map beyond them is not made (the file is read
/// by ranges instead).
const SLOTS: usize = 1024;
/// A slot being filled in.
const CLAIMED: usize = usize::MAX;

/// One live map: `[start, end)` (`start` 0: free), and whether a fault hit it.
struct Slot {
    start: AtomicUsize,
    end: AtomicUsize,
    damaged: AtomicBool,
}

static TABLE: [Slot; SLOTS] = [const {
    Slot {
        start: AtomicUsize::new(0),
        end: AtomicUsize::new(0),
        damaged: AtomicBool::new(false),
    }
}; SLOTS];

/// The SIGBUS action in place before the guard (set once, when it is installed).
static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();

/// Installs the SIGBUS guard for the rest of the process (idempotent). Opt-in: a library
/// user who handles SIGBUS otherwise leaves it alone.
pub fn guard_truncated_maps() -> io::Result<()> {
    static INSTALLED: OnceLock<Result<(), i32>> = OnceLock::new();
    let r = INSTALLED.get_or_init(|| {
        // SAFETY: both structs are plain C data, zeroed is a valid "no action" value; the
        // handler only touches atomics and calls mmap/sigaction (async-signal-safe
        // syscalls), and PREVIOUS is set before the handler can run.
        unsafe {
            if let Ok(page) = usize::try_from(libc::sysconf(libc::_SC_PAGESIZE))
                && page > 0
            {
                PAGE.store(page, Ordering::Relaxed);
            }
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut old) != 0 {
                return Err(io::Error::last_os_error().raw_os_error().unwrap_or(0));
            }
            let _ = PREVIOUS.set(old);
            let mut new: libc::sigaction = std::mem::zeroed();
            new.sa_sigaction = on_sigbus as *const () as usize;
            new.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut new.sa_mask);
            if libc::sigaction(libc::SIGBUS, &new, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error().raw_os_error().unwrap_or(0));
            }
        }
        Ok(())
    });
    r.map_err(io::Error::from_raw_os_error)
}

fn guarded() -> bool {
    PREVIOUS.get().is_some()
}

extern "C" fn on_sigbus(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for an SA_SIGINFO handler.
    let addr = unsafe { (*info).si_addr() } as usize;
    let page = page_size();
    for slot in &TABLE {
        let start = slot.start.load(Ordering::Acquire);
        if start == 0 || start == CLAIMED || addr < start {
            continue;
        }
        let end = slot.end.load(Ordering::Acquire);
        // A slot freed and taken again between the two loads holds another map: skip it.
        if addr >= end || slot.start.load(Ordering::Acquire) != start {
            continue;
        }
        let from = addr / page * page;
        let len = end.div_ceil(page) * page - from;
        // SAFETY: [from, from + len) lies inside a live read-only map of this process (the
        // slot is freed before the map is unmapped, and the faulting thread holds the map);
        // replacing its pages past the file's end with zero pages changes no other memory.
        let r = unsafe {
            libc::mmap(
                from as *mut libc::c_void,
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if r != libc::MAP_FAILED {
            slot.damaged.store(true, Ordering::Release);
            return;
        }
        break;
    }
    chain(sig, info, ctx);
}

/// Hands a fault that is not ours to the action installed before the guard.
fn chain(sig: libc::c_int, info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    let prev = PREVIOUS.get().map_or(libc::SIG_DFL, |p| p.sa_sigaction);
    let siginfo = PREVIOUS
        .get()
        .is_some_and(|p| p.sa_flags & libc::SA_SIGINFO != 0);
    if prev == libc::SIG_DFL || prev == libc::SIG_IGN {
        // SAFETY: restores the default action; returning re-runs the faulting access, which
        // then ends the process with SIGBUS as without the guard.
        unsafe {
            let mut dfl: libc::sigaction = std::mem::zeroed();
            dfl.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(sig, &dfl, std::ptr::null_mut());
        }
        return;
    }
    // SAFETY: `prev` is the handler the process had installed, called as its flags say.
    unsafe {
        if siginfo {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(prev);
            f(sig, info, ctx);
        } else {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(prev);
            f(sig);
        }
    }
}

/// A read-only view of a whole local file.
pub struct MappedFile {
    map: Option<Mmap>,
    /// The file, kept open to see whether it changed.
    file: File,
    /// Its size and modification time when it was mapped.
    opened: (u64, Option<SystemTime>),
    /// The guard's slot of this map, when guarded.
    slot: Option<usize>,
}

impl MappedFile {
    /// Maps `file` read-only. An empty file gets an empty view (mapping zero bytes fails).
    /// With the guard installed and its table full, fails (the caller reads by ranges).
    pub fn map(file: &File) -> io::Result<Self> {
        let meta = file.metadata()?;
        let opened = (meta.len(), meta.modified().ok());
        let file = file.try_clone()?;
        if meta.len() == 0 {
            return Ok(MappedFile {
                map: None,
                file,
                opened,
                slot: None,
            });
        }
        let slot = if guarded() {
            let free = TABLE.iter().position(|s| {
                (s.start
                    .compare_exchange(0, CLAIMED, Ordering::AcqRel, Ordering::Relaxed))
                .is_ok()
            });
            Some(free.ok_or_else(|| io::Error::other("too many files mapped at once"))?)
        } else {
            None
        };
        // SAFETY: the map is read-only and private to this process; vecload never writes
        // import files. If another process truncates the file while it is mapped, reads of
        // the lost pages raise SIGBUS: with the guard installed they read zeros and the map
        // is marked damaged (see the module's doc), without it the process dies (the
        // documented hazard of mapping, as in ripgrep). The length is the file's at map time.
        let map = match unsafe { Mmap::map(&file) } {
            Ok(map) => map,
            Err(e) => {
                if let Some(i) = slot {
                    TABLE[i].start.store(0, Ordering::Release);
                }
                return Err(e);
            }
        };
        if let Some(i) = slot {
            let s = &TABLE[i];
            s.damaged.store(false, Ordering::Relaxed);
            s.end
                .store(map.as_ptr() as usize + map.len(), Ordering::Release);
            s.start.store(map.as_ptr() as usize, Ordering::Release);
        }
        let _ = map.advise(memmap2::Advice::Sequential);
        Ok(MappedFile {
            map: Some(map),
            file,
            opened,
            slot,
        })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
    }

    /// Whether a read of this map hit a page its file no longer has (the guard read zeros).
    pub fn is_damaged(&self) -> bool {
        self.slot
            .is_some_and(|i| TABLE[i].damaged.load(Ordering::Acquire))
    }

    /// Fails when the file changed since it was mapped (its size or modification time, or a
    /// read past its new end), naming `path`: what was read of it cannot be trusted.
    pub fn unchanged(&self, path: &str) -> Result<(), SourceError> {
        let now = self.file.metadata().map_err(|e| SourceError::Io {
            path: path.to_string(),
            source: e,
        })?;
        if self.is_damaged() || (now.len(), now.modified().ok()) != self.opened {
            return Err(SourceError::Changed {
                path: path.to_string(),
                from: self.opened.0,
                to: now.len(),
            });
        }
        Ok(())
    }

    /// Tells the kernel the pages of `range` will not be read again, so they leave this
    /// process's resident set (the file is unchanged; a later read faults them back in).
    pub fn release(&self, range: Range<usize>) {
        let Some(map) = &self.map else { return };
        let page = page_size();
        let start = range.start.div_ceil(page) * page;
        let end = range.end.min(map.len()) / page * page;
        if end > start {
            // SAFETY: MADV_DONTNEED on a read-only shared file mapping only drops cached
            // pages from this process; their content is re-read from the file on the next
            // access, so no slice handed out by `bytes` observes different data. (Over the
            // guard's zero pages it drops zeros, which read back as zeros.)
            let _ = unsafe {
                map.unchecked_advise_range(UncheckedAdvice::DontNeed, start, end - start)
            };
        }
    }
}

impl Drop for MappedFile {
    /// Frees the guard's slot before the map is unmapped.
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            TABLE[i].start.store(0, Ordering::Release);
        }
    }
}

impl std::fmt::Debug for MappedFile {
    /// Leaves out the bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MappedFile")
            .field("len", &self.bytes().len())
            .finish()
    }
}

/// The page size, read when the guard is installed (4096 until then).
static PAGE: AtomicUsize = AtomicUsize::new(4096);

fn page_size() -> usize {
    PAGE.load(Ordering::Relaxed)
}
