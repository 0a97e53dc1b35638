//! What can be wrong with a CSV file as a whole (its options, its framing, its header);
//! a bad row is a [`RowError`](crate::validate::RowError) from the rule book.

use crate::validate::Violation;

/// A CSV file, or its options, refused before any row is read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    /// The `sep` option is not one ASCII byte other than NUL, CR, LF and `"`.
    #[error(
        "unsupported CSV separator {0:?}: expected one ASCII character other than NUL, CR, LF and '\"'"
    )]
    BadSep(String),
    /// A quoted field is never closed.
    #[error(
        "{file}: unterminated quoted field: the quote opened at line {line} (byte {byte}) is never closed"
    )]
    UnterminatedQuote {
        /// The file.
        file: String,
        /// 1-based line of the opening quote.
        line: u64,
        /// Offset of the opening quote.
        byte: u64,
    },
    /// The file holds no record, so no header.
    #[error("{file}: no header row (the file has no record)")]
    NoHeader {
        /// The file.
        file: String,
    },
    /// The header does not match the schema.
    #[error("{file}: header (line {line}): {rule}")]
    Header {
        /// The file.
        file: String,
        /// 1-based line of the header.
        line: u64,
        /// The rule the header breaks.
        rule: Violation,
    },
    /// A record of a streamed file is longer than the window records are carried in.
    #[error("{file}: the record at byte {byte} is longer than {max} bytes")]
    RecordTooLong {
        /// The file.
        file: String,
        /// Offset of the record's first byte.
        byte: u64,
        /// The limit.
        max: usize,
    },
}
