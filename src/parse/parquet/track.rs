//! Where the decoder reads in a unit's column chunks: the bytes it has read past are told to
//! a release hook (a mapped file lets their pages go), every [`RELEASE_STEP`] bytes.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use parquet::errors::ParquetError as DecodeError;
use parquet::file::reader::{ChunkReader, Length};

use super::FileBytes;

/// Told of byte ranges of the file the decoder has read past (see [`ParquetFile::cursor`](super::ParquetFile::cursor)).
pub type Release = Arc<dyn Fn(Range<u64>) + Send + Sync>;

/// Bytes the decoder reads past before they are released (a madvise call each time).
const RELEASE_STEP: u64 = 1 << 20;

/// The column chunks a unit reads, and how far the decoder has read into each.
pub(super) struct Marks {
    /// Sorted by start.
    chunks: Vec<Mark>,
    release: Option<Release>,
}

struct Mark {
    start: u64,
    end: u64,
    /// The file offset up to which the chunk's bytes were released.
    released: AtomicU64,
}

impl std::fmt::Debug for Marks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Marks")
            .field("chunks", &self.chunks.len())
            .finish()
    }
}

impl Marks {
    pub(super) fn new(ranges: &[Range<u64>], release: Option<Release>) -> Self {
        let mut chunks: Vec<Mark> = ranges
            .iter()
            .map(|r| Mark {
                start: r.start,
                end: r.end,
                released: AtomicU64::new(r.start),
            })
            .collect();
        chunks.sort_by_key(|m| m.start);
        Marks { chunks, release }
    }

    /// The decoder reads at `offset` (a page header, or a page's data): what lies before it
    /// in its column chunk is read.
    fn note(&self, offset: u64) {
        let Some(release) = &self.release else {
            return;
        };
        let at = self.chunks.partition_point(|m| m.start <= offset);
        if let Some(m) = at.checked_sub(1).map(|i| &self.chunks[i])
            && offset < m.end
            && offset >= m.released.load(Ordering::Relaxed) + RELEASE_STEP
        {
            let from = m.released.fetch_max(offset, Ordering::Relaxed);
            if from < offset {
                release(from..offset);
            }
        }
    }

    /// Every chunk read to its end.
    pub(super) fn release_all(&self) {
        let Some(release) = &self.release else {
            return;
        };
        for m in &self.chunks {
            let from = m.released.fetch_max(m.end, Ordering::Relaxed);
            if from < m.end {
                release(from..m.end);
            }
        }
    }
}

/// [`FileBytes`] that note where the decoder reads.
#[derive(Debug, Clone)]
pub(super) struct Tracked {
    pub bytes: FileBytes,
    pub marks: Arc<Marks>,
}

impl Length for Tracked {
    fn len(&self) -> u64 {
        self.bytes.len()
    }
}

impl ChunkReader for Tracked {
    type T = <FileBytes as ChunkReader>::T;

    fn get_read(&self, start: u64) -> Result<Self::T, DecodeError> {
        self.marks.note(start);
        self.bytes.get_read(start)
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes, DecodeError> {
        self.marks.note(start);
        self.bytes.get_bytes(start, length)
    }
}
