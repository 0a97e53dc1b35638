//! What a unit carries to a worker, and how the worker gets the unit's bytes from it: the
//! same parser code runs on a mapped slice and on bytes read by ranges.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;

use crate::parse::csv::CsvUnit;
use crate::parse::json::framing::Unit;
use crate::parse::parquet::ParquetUnit;
use crate::source::Opened;
use crate::validate::RowError;

/// Bytes of a unit: a range of a mapped file, or bytes read for the unit.
#[derive(Clone)]
pub(in crate::pipeline) enum Piece {
    /// This range of the mapped file.
    Mapped(Range<usize>),
    /// Read by the feeder and carried with the unit.
    Owned(Bytes),
}

impl Piece {
    /// The bytes, given the file the piece belongs to.
    pub fn bytes<'a>(&'a self, body: &'a Opened) -> &'a [u8] {
        match (self, body) {
            (Piece::Owned(b), _) => b,
            (Piece::Mapped(r), Opened::Mapped(map)) => map.bytes().get(r.clone()).unwrap_or(&[]),
            (Piece::Mapped(_), Opened::Ranged(_)) => &[],
        }
    }

    /// Drops the mapped pages of the piece from memory once they are parsed (not when the
    /// piece is the whole file, which every unit of a column-major file reads).
    pub fn release(&self, body: &Opened) {
        if let (Piece::Mapped(r), Opened::Mapped(map)) = (self, body)
            && r.len() < map.bytes().len()
        {
            map.release(r.clone());
        }
    }
}

impl fmt::Debug for Piece {
    /// Leaves out the bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Piece::Mapped(r) => write!(f, "Mapped({r:?})"),
            Piece::Owned(b) => write!(f, "Owned({} bytes)", b.len()),
        }
    }
}

/// Whole rows of a JSON file.
#[derive(Debug, Clone)]
pub(in crate::pipeline) struct JsonWork {
    /// The rows; `start`/`end` are offsets into the piece's bytes.
    pub unit: Unit,
    /// The whole mapped file, or the unit's own bytes.
    pub piece: Piece,
    /// File offset of the piece's first byte.
    pub base: usize,
}

impl JsonWork {
    /// The bytes the unit's offsets point into.
    pub fn bytes<'a>(&'a self, body: &'a Opened) -> &'a [u8] {
        self.piece.bytes(body)
    }

    /// Bytes of input the unit covers (progress).
    pub fn len(&self) -> u64 {
        (self.unit.end - self.unit.start) as u64
    }

    /// Once parsed: drops a mapped unit's pages from memory.
    pub fn release(&self, body: &Opened) {
        if let (Piece::Mapped(_), Opened::Mapped(map)) = (&self.piece, body) {
            map.release(self.unit.start..self.unit.end);
        }
    }

    /// A row error with its byte offset moved from the unit's bytes to the file.
    pub fn locate(&self, mut e: RowError) -> RowError {
        if let Some(b) = &mut e.location.byte {
            *b += self.base as u64;
        }
        e
    }
}

/// Whole records of a CSV file.
#[derive(Debug, Clone)]
pub(in crate::pipeline) struct CsvWork {
    /// The records; `start`/`end` are file offsets.
    pub unit: CsvUnit,
    /// The unit's range of the mapped file, or its own bytes.
    pub piece: Piece,
}

impl CsvWork {
    /// Bytes of input the unit covers (progress).
    pub fn len(&self) -> u64 {
        self.unit.end - self.unit.start
    }
}

/// A row range of an NPY column set, with each column's bytes for those rows.
#[derive(Debug, Clone)]
pub(in crate::pipeline) struct NpyWork {
    /// The rows.
    pub rows: Range<u64>,
    /// `file[plan.byte_range(rows)]` of each column, in the plan's order.
    pub cols: Vec<Piece>,
    /// The same for `$meta`, when the set has it.
    pub meta: Option<Piece>,
}

/// Rows of one row group of a Parquet file.
#[derive(Debug, Clone)]
pub(in crate::pipeline) struct ParquetWork {
    /// The rows.
    pub unit: ParquetUnit,
    /// For a file read by ranges: the column chunks of the unit's row group, each with its
    /// file offset (`None` for a mapped file), shared by the units of the row group.
    pub chunks: Option<Arc<GroupChunks>>,
}

/// The column chunks of one row group, each with its file offset.
pub(in crate::pipeline) type GroupChunks = Vec<(u64, Bytes)>;
