//! Where a piece of data came from: the leaf type every data error carries.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The position of one row in an input file.
///
/// `row` is the 0-based row index within the file (as Milvus reports it); `byte` is the
/// offset of the row's first byte when the format has one (JSON), and `line` is the 1-based
/// line for JSON Lines; `row_group` is the 0-based Parquet row group holding the row.
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
    /// 0-based row group (Parquet), when the format has them. Absent in ledgers written
    /// before Parquet import existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row_group: Option<u64>,
}

impl RowLocation {
    /// A location with only a file and a row index (column formats such as NPY).
    pub fn row(file: impl Into<String>, row: u64) -> Self {
        Self {
            file: file.into(),
            row,
            byte: None,
            line: None,
            row_group: None,
        }
    }

    /// A location in a file with row groups (Parquet): the row (0-based in the file) and
    /// its row group.
    pub fn in_row_group(file: impl Into<String>, row: u64, row_group: u64) -> Self {
        Self {
            row_group: Some(row_group),
            ..Self::row(file, row)
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
        }?;
        match self.row_group {
            Some(g) => write!(f, " (row group {g})"),
            None => Ok(()),
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
            row_group: None,
        };
        assert_eq!(loc.to_string(), "book.json: row 3 (byte 412)");
        let jl = RowLocation {
            line: Some(4),
            ..loc.clone()
        };
        assert_eq!(jl.to_string(), "book.json: row 3 (line 4, byte 412)");
        assert_eq!(RowLocation::row("a.npy", 7).to_string(), "a.npy: row 7");
        let pq = RowLocation::in_row_group("1.parquet", 2051, 2);
        assert_eq!(pq.to_string(), "1.parquet: row 2051 (row group 2)");
    }

    #[test]
    fn ledgers_without_row_groups_still_read() {
        let old = r#"{"file":"a.json","row":3,"byte":null,"line":null}"#;
        let loc: RowLocation = serde_json::from_str(old).unwrap();
        assert_eq!(loc, RowLocation::row("a.json", 3));
        assert_eq!(serde_json::to_string(&loc).unwrap(), old);
        let pq = RowLocation::in_row_group("b.parquet", 9, 1);
        let text = serde_json::to_string(&pq).unwrap();
        assert_eq!(serde_json::from_str::<RowLocation>(&text).unwrap(), pq);
    }
}
