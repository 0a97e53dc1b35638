//! The bytes of a Parquet file the decoder may read: the whole file (a map), or the pieces
//! `source/` fetched by ranged reads (the footer, the column chunks of one work unit).
//! Serves the decoder's reads from memory; the reader itself does no I/O.

use std::ops::Range;

use bytes::{Buf, Bytes};
use parquet::errors::ParquetError as DecodeError;
use parquet::file::reader::{ChunkReader, Length};

/// Pieces of one file, by file offset.
#[derive(Debug, Clone)]
pub struct FileBytes {
    /// The file's length.
    len: u64,
    /// `(offset, bytes)`, sorted by offset.
    pieces: Vec<(u64, Bytes)>,
}

impl FileBytes {
    /// The whole file.
    pub fn whole(bytes: Bytes) -> Self {
        FileBytes {
            len: bytes.len() as u64,
            pieces: vec![(0, bytes)],
        }
    }

    /// Some pieces of a file of `len` bytes, each with its offset.
    pub fn pieces(len: u64, mut pieces: Vec<(u64, Bytes)>) -> Self {
        pieces.sort_by_key(|p| p.0);
        FileBytes { len, pieces }
    }

    /// Adds a piece.
    pub fn push(&mut self, offset: u64, bytes: Bytes) {
        let at = self.pieces.partition_point(|p| p.0 <= offset);
        self.pieces.insert(at, (offset, bytes));
    }

    /// The bytes of `range`, from the one piece that holds all of it.
    fn slice(&self, range: Range<u64>) -> Result<Bytes, DecodeError> {
        let at = self.pieces.partition_point(|p| p.0 <= range.start);
        let found = at
            .checked_sub(1)
            .map(|i| &self.pieces[i])
            .filter(|(off, b)| range.end <= off + b.len() as u64);
        match found {
            Some((off, b)) => Ok(b.slice((range.start - off) as usize..(range.end - off) as usize)),
            None if range.end > self.len => Err(DecodeError::EOF(format!(
                "bytes {}..{} are past the end of the file ({} bytes): the file is truncated \
                 or its metadata is damaged",
                range.start, range.end, self.len
            ))),
            None => Err(DecodeError::General(format!(
                "bytes {}..{} lie outside the column chunks the metadata names",
                range.start, range.end
            ))),
        }
    }

    /// The end of the piece holding `offset` (the decoder reads page headers from a
    /// stream).
    fn piece_end(&self, offset: u64) -> u64 {
        let at = self.pieces.partition_point(|p| p.0 <= offset);
        at.checked_sub(1)
            .map(|i| &self.pieces[i])
            .map_or(offset, |(off, b)| (off + b.len() as u64).max(offset))
    }
}

impl Length for FileBytes {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for FileBytes {
    type T = bytes::buf::Reader<Bytes>;

    fn get_read(&self, start: u64) -> Result<Self::T, DecodeError> {
        let end = self.piece_end(start);
        if start >= end {
            return Err(self
                .slice(start..start + 1)
                .err()
                .unwrap_or_else(|| DecodeError::EOF(format!("no bytes at offset {start}"))));
        }
        Ok(self.slice(start..end)?.reader())
    }

    fn get_bytes(&self, start: u64, length: usize) -> Result<Bytes, DecodeError> {
        let end = start.checked_add(length as u64).ok_or_else(|| {
            DecodeError::EOF(format!("a read of {length} bytes at {start} overflows"))
        })?;
        self.slice(start..end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_come_from_the_piece_that_holds_them() {
        let mut f = FileBytes::pieces(100, vec![(90, Bytes::from_static(b"0123456789"))]);
        f.push(10, Bytes::from_static(b"abcdef"));
        assert_eq!(f.get_bytes(12, 3).unwrap(), Bytes::from_static(b"cde"));
        assert_eq!(f.get_bytes(95, 5).unwrap(), Bytes::from_static(b"56789"));
        let e = f.get_bytes(95, 6).unwrap_err().to_string();
        assert!(e.contains("past the end of the file (100 bytes)"), "{e}");
        let e = f.get_bytes(14, 4).unwrap_err().to_string();
        assert!(e.contains("outside the column chunks"), "{e}");
        let mut r = f.get_read(13).unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut r, &mut s).unwrap();
        assert_eq!(s, "def");
        assert!(f.get_read(50).is_err());
    }
}
