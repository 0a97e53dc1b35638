//! Memory maps of local files: the only `unsafe` in vecload.
#![allow(unsafe_code)]

use std::fs::File;
use std::io;
use std::ops::Range;

use memmap2::{Mmap, UncheckedAdvice};

/// A read-only view of a whole local file.
pub struct MappedFile {
    map: Option<Mmap>,
}

impl MappedFile {
    /// Maps `file` read-only. An empty file gets an empty view (mapping zero bytes fails).
    pub fn map(file: &File) -> io::Result<Self> {
        if file.metadata()?.len() == 0 {
            return Ok(MappedFile { map: None });
        }
        // SAFETY: the map is read-only and private to this process. vecload never writes
        // import files; if another process truncates the file while it is mapped, reads of
        // the lost pages raise SIGBUS, which is the documented hazard of mapping a file the
        // user asked us to import (the same trade-off ripgrep makes). The length is taken
        // from the file at map time.
        let map = unsafe { Mmap::map(file)? };
        let _ = map.advise(memmap2::Advice::Sequential);
        Ok(MappedFile { map: Some(map) })
    }

    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.map.as_deref().unwrap_or(&[])
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
            // access, so no slice handed out by `bytes` observes different data.
            let _ = unsafe {
                map.unchecked_advise_range(UncheckedAdvice::DontNeed, start, end - start)
            };
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

fn page_size() -> usize {
    4096
}
