//! [`SegmentError`]: every way a segment can fail to be written or trusted, naming the file.

use std::fmt;
use std::io;
use std::path::PathBuf;

use crate::schema::DataType;

/// The part of a segment file an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The leading magic and format version.
    Header,
    /// Data block `n` (0-based, in file order).
    Block(usize),
    /// The bincode footer (metadata and block index).
    Footer,
    /// The fixed-size trailer (footer length, footer CRC, trailing magic).
    Trailer,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Header => f.write_str("header"),
            Part::Block(n) => write!(f, "block {n}"),
            Part::Footer => f.write_str("footer"),
            Part::Trailer => f.write_str("trailer"),
        }
    }
}

/// A structural inconsistency: lengths, offsets, row counts or column shapes that do not agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inconsistency {
    /// The trailer's footer length does not fit in the file (or exceeds the footer limit).
    FooterLength {
        /// Footer length the trailer claims.
        len: u64,
        /// Bytes available for the footer.
        available: u64,
    },
    /// Blocks must tile the data section: block `n` starts where block `n - 1` ends.
    BlockOffset {
        /// Offset where the block was expected.
        expected: u64,
        /// Offset the footer gives.
        found: u64,
    },
    /// The blocks do not end where the footer starts.
    DataEnd {
        /// Where the footer starts.
        expected: u64,
        /// Where the last block ends.
        found: u64,
    },
    /// A block's length header disagrees with the footer's block index.
    BlockLength {
        /// Payload length in the footer.
        expected: u64,
        /// Payload length in the block header.
        found: u64,
    },
    /// A block payload exceeds the decoder's limit.
    BlockTooLarge {
        /// Payload length.
        len: u64,
        /// Largest payload accepted.
        max: u64,
    },
    /// A row count disagrees (block vs index, or blocks vs footer total).
    RowCount {
        /// Rows expected.
        expected: u64,
        /// Rows found.
        found: u64,
    },
    /// The number of columns differs from the segment's fields.
    ColumnCount {
        /// Columns expected.
        expected: usize,
        /// Columns found.
        found: usize,
    },
    /// A column holds a different type than its field.
    ColumnType {
        /// Column index.
        column: usize,
        /// The field's type.
        expected: DataType,
        /// The column's type.
        found: DataType,
    },
    /// A vector column's dimension differs from the first batch's (or is unusable).
    VectorDim {
        /// Column index.
        column: usize,
        /// Dimension expected (0: any valid dimension).
        expected: usize,
        /// Dimension found.
        found: usize,
    },
    /// An array column has an element that is itself an array (schemas never nest arrays).
    NestedArray {
        /// Column index.
        column: usize,
        /// Row of the first nested array.
        row: usize,
    },
    /// A column has a validity mask where the segment has none, or the reverse.
    Validity {
        /// Column index.
        column: usize,
        /// Whether a mask was expected.
        expected: bool,
    },
    /// The `$meta` column is present where the segment has none, or the reverse.
    MetaColumn {
        /// Whether `$meta` was expected.
        expected: bool,
    },
    /// A column (or its mask, or `$meta`) holds a different number of values than the batch's
    /// rows call for (rows × values per row, for dense vectors).
    ColumnLength {
        /// Column index (`None`: `$meta`).
        column: Option<usize>,
        /// Values expected.
        expected: u64,
        /// Values found.
        found: u64,
    },
}

impl fmt::Display for Inconsistency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Inconsistency::*;
        match self {
            FooterLength { len, available } => write!(
                f,
                "footer length {len} does not fit ({available} bytes available)"
            ),
            BlockOffset { expected, found } => {
                write!(f, "block at offset {found}, expected {expected}")
            }
            DataEnd { expected, found } => {
                write!(f, "blocks end at {found}, footer starts at {expected}")
            }
            BlockLength { expected, found } => {
                write!(f, "block length {found}, index says {expected}")
            }
            BlockTooLarge { len, max } => write!(f, "block of {len} bytes exceeds {max}"),
            RowCount { expected, found } => write!(f, "{found} rows, expected {expected}"),
            ColumnCount { expected, found } => {
                write!(f, "{found} columns, expected {expected}")
            }
            ColumnType {
                column,
                expected,
                found,
            } => write!(f, "column {column} is {found}, expected {expected}"),
            VectorDim {
                column,
                expected,
                found,
            } => write!(f, "column {column} has dim {found}, expected {expected}"),
            NestedArray { column, row } => {
                write!(f, "column {column} row {row} nests an array in an array")
            }
            Validity { column, expected } => {
                let (want, got) = if *expected {
                    ("a", "none")
                } else {
                    ("no", "one")
                };
                write!(
                    f,
                    "column {column} has {got} validity mask, expected {want}"
                )
            }
            MetaColumn { expected } => {
                let got = if *expected { "missing" } else { "unexpected" };
                write!(f, "$meta column {got}")
            }
            ColumnLength {
                column,
                expected,
                found,
            } => match column {
                Some(c) => write!(f, "column {c} holds {found} values, expected {expected}"),
                None => write!(f, "$meta holds {found} values, expected {expected}"),
            },
        }
    }
}

/// Why a segment could not be written, or why a file was refused as a segment.
#[derive(Debug, thiserror::Error)]
pub enum SegmentError {
    /// Reading, writing or syncing the file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file (or directory).
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The leading or trailing magic is not a segment's.
    #[error("{}: not a segment file: bad magic in {part}: {found:02x?}", path.display())]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// [`Part::Header`] or [`Part::Trailer`].
        part: Part,
        /// The bytes found.
        found: [u8; 8],
    },
    /// The file is a segment of a format version this build cannot read.
    #[error(
        "{}: segment format version {found}, this build reads versions {} to {supported}",
        path.display(),
        super::format::FORMAT_VERSION_MIN
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Newest version this build reads (and the one it writes).
        supported: u32,
    },
    /// The file is shorter than its header and trailer, or than a length it states.
    #[error("{}: truncated: {part} needs {needed} bytes, file has {size}", path.display())]
    Truncated {
        /// The file.
        path: PathBuf,
        /// The part that does not fit.
        part: Part,
        /// Bytes the file would need.
        needed: u64,
        /// Bytes the file has.
        size: u64,
    },
    /// The file does not end with a trailer: its writer crashed, or the file was cut short.
    #[error(
        "{}: no segment trailer (incomplete write or truncated file); last bytes {found:02x?}",
        path.display()
    )]
    MissingTrailer {
        /// The file.
        path: PathBuf,
        /// The last 8 bytes found where the trailing magic belongs.
        found: [u8; 8],
    },
    /// A block's or the footer's bytes do not match their CRC32.
    #[error(
        "{}: CRC mismatch in {part}: stored {expected:#010x}, computed {found:#010x}",
        path.display()
    )]
    CrcMismatch {
        /// The file.
        path: PathBuf,
        /// [`Part::Block`] or [`Part::Footer`].
        part: Part,
        /// CRC stored in the file.
        expected: u32,
        /// CRC of the bytes read.
        found: u32,
    },
    /// Bytes that passed their CRC did not decode (a writer bug or a crafted file).
    #[error("{}: cannot decode {part}: {source}", path.display())]
    Decode {
        /// The file.
        path: PathBuf,
        /// The part.
        part: Part,
        /// The bincode error.
        source: bincode::Error,
    },
    /// Lengths, offsets, row counts or column shapes disagree.
    #[error("{}: inconsistent {part}: {problem}", path.display())]
    Inconsistent {
        /// The file.
        path: PathBuf,
        /// The part.
        part: Part,
        /// What disagrees.
        problem: Inconsistency,
    },
    /// A batch given to the writer does not match the segment's fields or earlier batches.
    #[error("{}: batch refused: {problem}", path.display())]
    BatchShape {
        /// The segment file the batch was headed for.
        path: PathBuf,
        /// What disagrees.
        problem: Inconsistency,
    },
    /// Encoding a block or the footer failed.
    #[error("{}: cannot encode {part}: {source}", path.display())]
    Encode {
        /// The file.
        path: PathBuf,
        /// The part.
        part: Part,
        /// The bincode error.
        source: bincode::Error,
    },
}

impl SegmentError {
    /// The file the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            SegmentError::Io { path, .. }
            | SegmentError::BadMagic { path, .. }
            | SegmentError::UnsupportedVersion { path, .. }
            | SegmentError::Truncated { path, .. }
            | SegmentError::MissingTrailer { path, .. }
            | SegmentError::CrcMismatch { path, .. }
            | SegmentError::Decode { path, .. }
            | SegmentError::Inconsistent { path, .. }
            | SegmentError::BatchShape { path, .. }
            | SegmentError::Encode { path, .. } => path,
        }
    }
}
