//! [`Draw`]: structured values taken from the front of the fuzzer's bytes.
//!
//! The same idea as `arbitrary::Unstructured` (an exhausted input yields zeros, so every
//! input builds something), kept here so that `tests/corpus.rs`, which cannot depend on
//! `arbitrary`, rebuilds exactly the values a fuzz target built from a corpus file.

/// A cursor over the fuzzer's bytes.
#[derive(Debug, Clone)]
pub struct Draw<'a> {
    data: &'a [u8],
}

impl<'a> Draw<'a> {
    /// A cursor at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Draw { data }
    }

    /// The bytes not taken yet.
    pub fn rest(&self) -> &'a [u8] {
        self.data
    }

    /// Takes up to `n` bytes (fewer at the end of the input).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (head, tail) = self.data.split_at(n.min(self.data.len()));
        self.data = tail;
        head
    }

    /// `N` bytes, zero-filled past the end of the input.
    pub fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let head = self.bytes(N);
        out[..head.len()].copy_from_slice(head);
        out
    }

    /// One byte.
    pub fn u8(&mut self) -> u8 {
        self.array::<1>()[0]
    }

    /// A little-endian `u16`.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.array())
    }

    /// A little-endian `u32`.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.array())
    }

    /// A little-endian `u64`.
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.array())
    }

    /// A bool from the low bit of a byte.
    pub fn bool(&mut self) -> bool {
        self.u8() & 1 == 1
    }

    /// A number in `0..n` from one byte (`n` must be in `1..=256`).
    pub fn below(&mut self, n: usize) -> usize {
        usize::from(self.u8()) % n
    }

    /// One of `items` (which must not be empty).
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[usize::from(self.u8()) % items.len()]
    }

    /// A string of at most `max` bytes of input, invalid UTF-8 replaced.
    pub fn string(&mut self, max: usize) -> String {
        let n = self.below(max + 1);
        String::from_utf8_lossy(self.bytes(n)).into_owned()
    }
}
