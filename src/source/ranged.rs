//! Files read by byte range instead of mapped: object storage and the buffered local mode.
//!
//! [`ReadAt`] is the small trait each store implements; [`RangedFile`] adds the name and
//! length, and [`ReadAhead`] keeps a bounded number of ranged reads in flight, in order, so
//! the next chunk arrives while the workers parse the last one.

use std::collections::VecDeque;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;

use super::SourceError;

/// Default bytes per ranged read of a streamed file (a JSON chunk).
pub const CHUNK_BYTES: usize = 8 << 20;

/// Default ranged reads in flight per streamed file.
pub const READ_AHEAD_CHUNKS: usize = 2;

/// Default attempts of one ranged read before the task fails.
pub const READ_ATTEMPTS: u32 = 3;

/// How streamed files are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadTuning {
    /// Bytes per ranged read of a JSON file (default [`CHUNK_BYTES`]). NPY units read the
    /// byte range of their rows per column instead.
    pub chunk_bytes: usize,
    /// Reads in flight per file, beyond the one being waited for (default
    /// [`READ_AHEAD_CHUNKS`]); memory held is about `(read_ahead + 1) * chunk_bytes`.
    pub read_ahead: usize,
    /// Attempts of one read before giving up (default [`READ_ATTEMPTS`]; at least 1).
    pub attempts: u32,
}

impl Default for ReadTuning {
    fn default() -> Self {
        ReadTuning {
            chunk_bytes: CHUNK_BYTES,
            read_ahead: READ_AHEAD_CHUNKS,
            attempts: READ_ATTEMPTS,
        }
    }
}

/// A read started by [`ReadAt::start`]; [`wait`](Fetch::wait) gives its bytes.
pub trait Fetch: Send {
    /// Blocks until the read is done.
    fn wait(self: Box<Self>) -> Result<Bytes, SourceError>;
}

/// A read that was done when it was started.
struct Ready(Result<Bytes, SourceError>);

impl Fetch for Ready {
    fn wait(self: Box<Self>) -> Result<Bytes, SourceError> {
        self.0
    }
}

/// Random-access reads of one file or object.
pub trait ReadAt: Send + Sync {
    /// The bytes of `range` (within the file), retried as the store sees fit; an error
    /// names the file and the range.
    fn read_at(&self, range: Range<u64>) -> Result<Bytes, SourceError>;

    /// Starts reading `range`, possibly in the background. The default reads at once.
    fn start(&self, range: Range<u64>) -> Box<dyn Fetch> {
        Box::new(Ready(self.read_at(range)))
    }
}

/// An opened file read by ranges: its name for messages, its length and its reader.
#[derive(Clone)]
pub struct RangedFile {
    name: String,
    len: u64,
    reader: Arc<dyn ReadAt>,
    tuning: ReadTuning,
}

impl RangedFile {
    /// A file named `name` (a path or a URL, for messages) of `len` bytes.
    pub fn new(name: String, len: u64, reader: Arc<dyn ReadAt>, tuning: ReadTuning) -> Self {
        RangedFile {
            name,
            len,
            reader,
            tuning,
        }
    }

    /// The file's name as messages give it (`s3://bucket/key` for objects).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How the file is read.
    pub fn tuning(&self) -> ReadTuning {
        self.tuning
    }

    /// The bytes of `range`, clamped to the file.
    pub fn read(&self, range: Range<u64>) -> Result<Bytes, SourceError> {
        let range = range.start.min(self.len)..range.end.min(self.len);
        if range.is_empty() {
            return Ok(Bytes::new());
        }
        self.reader.read_at(range)
    }

    /// The bytes of each of `ranges` in order, with up to `read_ahead` more reads in
    /// flight than the one being waited for.
    pub fn read_ahead<I>(&self, ranges: I) -> ReadAhead<I::IntoIter>
    where
        I: IntoIterator<Item = Range<u64>>,
    {
        ReadAhead {
            file: self.clone(),
            ranges: ranges.into_iter(),
            in_flight: VecDeque::new(),
            depth: self.tuning.read_ahead + 1,
        }
    }

    /// The whole file in chunks of `tuning.chunk_bytes`, read ahead.
    pub fn chunks(&self) -> ReadAhead<impl Iterator<Item = Range<u64>> + use<>> {
        let (len, step) = (self.len, self.tuning.chunk_bytes.max(1) as u64);
        self.read_ahead((0..len.div_ceil(step)).map(move |i| i * step..((i + 1) * step).min(len)))
    }
}

impl fmt::Debug for RangedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RangedFile")
            .field("name", &self.name)
            .field("len", &self.len)
            .field("tuning", &self.tuning)
            .finish_non_exhaustive()
    }
}

/// Reads of a sequence of ranges, in order, a bounded number in flight: see
/// [`RangedFile::read_ahead`]. Dropping it abandons the reads in flight.
pub struct ReadAhead<I> {
    file: RangedFile,
    ranges: I,
    in_flight: VecDeque<Box<dyn Fetch>>,
    depth: usize,
}

impl<I: Iterator<Item = Range<u64>>> Iterator for ReadAhead<I> {
    type Item = Result<Bytes, SourceError>;

    fn next(&mut self) -> Option<Self::Item> {
        while self.in_flight.len() < self.depth {
            let Some(r) = self.ranges.next() else { break };
            let r = r.start.min(self.file.len)..r.end.min(self.file.len);
            self.in_flight.push_back(if r.is_empty() {
                Box::new(Ready(Ok(Bytes::new())))
            } else {
                self.file.reader.start(r)
            });
        }
        Some(self.in_flight.pop_front()?.wait())
    }
}

impl<I> fmt::Debug for ReadAhead<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadAhead")
            .field("file", &self.file.name)
            .field("in_flight", &self.in_flight.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Bytes in memory that record the ranges read.
    struct Log(Vec<u8>, Mutex<Vec<Range<u64>>>);

    impl ReadAt for Log {
        fn read_at(&self, r: Range<u64>) -> Result<Bytes, SourceError> {
            self.1.lock().unwrap().push(r.clone());
            Ok(Bytes::copy_from_slice(
                &self.0[r.start as usize..r.end as usize],
            ))
        }
    }

    #[test]
    fn chunks_cover_the_file_in_order_and_read_ahead_is_bounded() {
        let data: Vec<u8> = (0..100u8).collect();
        let log = Arc::new(Log(data.clone(), Mutex::new(Vec::new())));
        let tuning = ReadTuning {
            chunk_bytes: 30,
            read_ahead: 1,
            attempts: 1,
        };
        let file = RangedFile::new("mem".into(), 100, log.clone(), tuning);
        let mut chunks = file.chunks();
        let first = chunks.next().unwrap().unwrap();
        assert_eq!(&first[..], &data[..30]);
        assert_eq!(log.1.lock().unwrap().len(), 2, "one read ahead");
        let rest: Vec<u8> = chunks.flat_map(|c| c.unwrap().to_vec()).collect();
        assert_eq!(rest, data[30..]);
        assert_eq!(*log.1.lock().unwrap(), vec![0..30, 30..60, 60..90, 90..100]);
        assert_eq!(&file.read(95..200).unwrap()[..], &data[95..]);
        assert!(file.read(200..300).unwrap().is_empty());
    }
}
