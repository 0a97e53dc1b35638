//! Where a piece of data came from: the leaf type every data error carries.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The position of one row in an input file.
///
/// `row` is the 0-based row index within the file (as Milvus reports it); `byte` is the
/// offset of the row's first byte when the format has one (JSON), and `line` is the 1-based
/// line for JSON Lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowLocation {
    /// File path as the user gave it (relative to the storage root).
    pub file: String,
    /// 0-based row index within the file.
    pub row: u64,
    /// Byte offset of the row's first byte, when known.
    pub byte: Option<u64>,
    /// 1-based line number (JSON Lines), when known.
    pub line: Option<u64>,
}

impl RowLocation {
    /// A location with only a file and a row index (column formats such as NPY).
    pub fn row(file: impl Into<String>, row: u64) -> Self {
        Self {
            file: file.into(),
            row,
            byte: None,
            line: None,
        }
    }
}

impl fmt::Display for RowLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: row {}", self.file, self.row)?;
        match (self.line, self.byte) {
            (Some(line), Some(byte)) => write!(f, " (line {line}, byte {byte})"),
            (Some(line), None) => write!(f, " (line {line})"),
            (None, Some(byte)) => write!(f, " (byte {byte})"),
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_row_and_byte() {
        let loc = RowLocation {
            file: "book.json".into(),
            row: 3,
            byte: Some(412),
            line: None,
        };
        assert_eq!(loc.to_string(), "book.json: row 3 (byte 412)");
        let jl = RowLocation {
            line: Some(4),
            ..loc.clone()
        };
        assert_eq!(jl.to_string(), "book.json: row 3 (line 4, byte 412)");
        assert_eq!(RowLocation::row("a.npy", 7).to_string(), "a.npy: row 7");
    }
}
