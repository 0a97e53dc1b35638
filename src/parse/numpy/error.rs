//! [`NpyError`]: why an NPY file or column set was refused, naming the file (and the row
//! and field for value errors), what was expected and what was found.

use crate::location::RowLocation;
use crate::schema::DataType;
use crate::validate::RowError;

/// An NPY file, a column set or one of its values was refused.
///
/// Every variant names the file (`file`, or `loc.file` for row-level variants); row-level
/// variants also carry the 0-based row index and the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NpyError {
    /// The file does not start with the NPY magic `\x93NUMPY`.
    #[error("{file}: not a NumPy file: expected magic \\x93NUMPY, found \"{found}\"")]
    NotNpy {
        /// File path.
        file: String,
        /// The first bytes of the file, escaped.
        found: String,
    },
    /// An NPY format version other than 1.0, 2.0 or 3.0.
    #[error(
        "{file}: NPY format version {major}.{minor} is not supported (expected 1.0, 2.0 or 3.0)"
    )]
    UnsupportedVersion {
        /// File path.
        file: String,
        /// Major version byte.
        major: u8,
        /// Minor version byte.
        minor: u8,
    },
    /// The header length field exceeds [`super::HEADER_LEN_MAX`].
    #[error("{file}: NPY header length is {len} bytes, more than the limit of {max}")]
    HeaderTooLong {
        /// File path.
        file: String,
        /// Header length the file declares.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// The header dictionary is malformed or its values have the wrong types.
    #[error("{file}: invalid NPY header: {what}")]
    BadHeader {
        /// File path.
        file: String,
        /// What is wrong, quoting the offending text.
        what: String,
    },
    /// The header's `descr` names a dtype NumPy import does not take.
    #[error("{file}: dtype '{descr}' is not supported: {reason}")]
    UnsupportedDtype {
        /// File path.
        file: String,
        /// The `descr` as written in the header.
        descr: String,
        /// Why, and what is accepted.
        reason: &'static str,
    },
    /// The file ends before the header or data it declares.
    #[error("{file}: truncated {what}: expected {expected} bytes, found {found}")]
    Truncated {
        /// File path.
        file: String,
        /// `"header"` or `"data"`.
        what: &'static str,
        /// Bytes the file needs (from its start).
        expected: u64,
        /// Bytes it has.
        found: u64,
    },
    /// Bytes follow the data section the header declares.
    #[error("{file}: {} trailing bytes: the data ends at byte {data_end} but the file is {file_len} bytes", file_len - data_end)]
    TrailingData {
        /// File path.
        file: String,
        /// End of the data section the header declares.
        data_end: u64,
        /// Actual file length.
        file_len: u64,
    },
    /// The file's dtype does not fit the field's type.
    #[error("{file}: field \"{field}\": expected {expected}, found {found}")]
    DtypeMismatch {
        /// File path.
        file: String,
        /// Field name.
        field: String,
        /// The field's type.
        data_type: DataType,
        /// Shape and dtype the field needs, e.g. `shape (rows,) of int64`.
        expected: String,
        /// Shape and descr of the file, e.g. `(5,) <i4`.
        found: String,
    },
    /// The file's shape does not fit the field (ndim, or the vector width).
    #[error("{file}: field \"{field}\": expected {expected}, found {found}")]
    ShapeMismatch {
        /// File path.
        file: String,
        /// Field name.
        field: String,
        /// The field's type.
        data_type: DataType,
        /// Shape and dtype the field needs, e.g. `shape (rows, 2) of float32/float64`.
        expected: String,
        /// Shape and descr of the file, e.g. `(5, 3) <f4`.
        found: String,
    },
    /// The field cannot be imported from NPY files at all.
    #[error(
        "{file}: field \"{field}\": {data_type} fields cannot be imported from NumPy files: {reason}"
    )]
    UnsupportedField {
        /// File path.
        file: String,
        /// Field name.
        field: String,
        /// The field's type.
        data_type: DataType,
        /// Why.
        reason: &'static str,
    },
    /// A value breaks a rule of the rule book (`crate::validate`): not finite, too long,
    /// not JSON... (boxed to keep the error small).
    #[error(transparent)]
    Rule(Box<RowError>),
    /// A value's bytes are not a valid value of its type.
    #[error("{loc}, field \"{field}\": expected {expected}, found {found}")]
    BadValue {
        /// File and row (boxed to keep the error small).
        loc: Box<RowLocation>,
        /// Field name.
        field: String,
        /// What a valid value is.
        expected: &'static str,
        /// What the row holds.
        found: String,
    },
    /// A file name that does not end in `.npy`.
    #[error("{file}: expected a file named <field>.npy")]
    BadFileName {
        /// File path.
        file: String,
    },
    /// A file whose stem names no field of the collection.
    #[error("{file}: no field named \"{stem}\" in the collection")]
    UnknownFile {
        /// File path.
        file: String,
        /// The file's stem.
        stem: String,
    },
    /// A file for the auto-id primary key, whose values are generated.
    #[error(
        "{file}: field \"{field}\" is an auto-id primary key: its values are generated, so no file may be given for it"
    )]
    AutoIdFile {
        /// File path.
        file: String,
        /// Primary-key field name.
        field: String,
    },
    /// A file for a function's output field, which files never hold.
    #[error(
        "{file}: field \"{field}\" is the output of function \"{function}\": no file may be given for it"
    )]
    FunctionOutputFile {
        /// File path.
        file: String,
        /// The field's name.
        field: String,
        /// The function's name.
        function: String,
    },
    /// `$meta.npy` for a collection without dynamic fields.
    #[error("{file}: the collection has no dynamic field (enableDynamicField is false)")]
    MetaNotAllowed {
        /// File path.
        file: String,
    },
    /// Two files for the same field.
    #[error("{file}: a second file for field \"{field}\" (the first is {other})")]
    DuplicateFile {
        /// File path (the later one).
        file: String,
        /// Field name.
        field: String,
        /// The earlier file.
        other: String,
    },
    /// A required field has no file.
    #[error("{file}: missing: field \"{field}\" needs this file (files given: {})", given.join(", "))]
    MissingFile {
        /// The file name the field needs (`<field>.npy`).
        file: String,
        /// Field name.
        field: String,
        /// The files that were given.
        given: Vec<String>,
    },
    /// Two files of one set hold different numbers of rows.
    #[error("{file}: {rows} rows, but {other_file} has {other_rows} rows")]
    RowCountMismatch {
        /// File path.
        file: String,
        /// Its row count.
        rows: u64,
        /// The file it was compared with.
        other_file: String,
        /// That file's row count.
        other_rows: u64,
    },
    /// Rows asked of a column that lie outside it.
    #[error("{file}: rows {start}..{end} asked, but the file has {rows} rows")]
    RowRange {
        /// File path.
        file: String,
        /// First row asked.
        start: u64,
        /// End of the rows asked.
        end: u64,
        /// Rows in the file.
        rows: u64,
    },
    /// The bytes given for a row range are not those `ColumnPlan::byte_range` names.
    #[error("{file}: expected {expected} bytes for the rows asked, got {found}")]
    SliceLength {
        /// File path.
        file: String,
        /// Length of `byte_range(rows)`.
        expected: u64,
        /// Bytes given.
        found: u64,
    },
    /// The output column does not hold the field's type (or vector dim).
    #[error("{file}: field \"{field}\": output column must be {expected}, found {found}")]
    OutputMismatch {
        /// File path.
        file: String,
        /// Field name.
        field: String,
        /// What the plan decodes into.
        expected: String,
        /// What the column holds.
        found: String,
    },
}

impl NpyError {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            Self::Rule(e) => &e.location.file,
            Self::BadValue { loc, .. } => &loc.file,
            Self::NotNpy { file, .. }
            | Self::UnsupportedVersion { file, .. }
            | Self::HeaderTooLong { file, .. }
            | Self::BadHeader { file, .. }
            | Self::UnsupportedDtype { file, .. }
            | Self::Truncated { file, .. }
            | Self::TrailingData { file, .. }
            | Self::DtypeMismatch { file, .. }
            | Self::ShapeMismatch { file, .. }
            | Self::UnsupportedField { file, .. }
            | Self::BadFileName { file }
            | Self::UnknownFile { file, .. }
            | Self::AutoIdFile { file, .. }
            | Self::FunctionOutputFile { file, .. }
            | Self::MetaNotAllowed { file }
            | Self::DuplicateFile { file, .. }
            | Self::MissingFile { file, .. }
            | Self::RowCountMismatch { file, .. }
            | Self::RowRange { file, .. }
            | Self::SliceLength { file, .. }
            | Self::OutputMismatch { file, .. } => file,
        }
    }

    /// The 0-based row index, for row-level errors.
    pub fn row(&self) -> Option<u64> {
        match self {
            Self::Rule(e) => Some(e.location.row),
            Self::BadValue { loc, .. } => Some(loc.row),
            _ => None,
        }
    }

    /// The same error naming `file` (for errors from [`super::header_len`], which has no
    /// file name to give).
    pub fn with_file(mut self, file: &str) -> Self {
        match &mut self {
            Self::NotNpy { file: f, .. }
            | Self::UnsupportedVersion { file: f, .. }
            | Self::HeaderTooLong { file: f, .. } => *f = file.to_string(),
            _ => {}
        }
        self
    }
}

/// Shortens `text` to at most `max` bytes (on a char boundary) for an error message.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_errors_name_file_row_field() {
        let e = NpyError::BadValue {
            loc: Box::new(RowLocation::row("book_intro.npy", 3)),
            field: "book_intro".into(),
            expected: "UTF-8 text",
            found: "byte 0xff".into(),
        };
        assert_eq!(
            e.to_string(),
            "book_intro.npy: row 3, field \"book_intro\": expected UTF-8 text, found byte 0xff"
        );
        assert_eq!(e.file(), "book_intro.npy");
        assert_eq!(e.row(), Some(3));
    }

    #[test]
    fn header_errors_take_a_file_name() {
        let e = NpyError::NotNpy {
            file: String::new(),
            found: "abc".into(),
        }
        .with_file("x.npy");
        assert_eq!(e.file(), "x.npy");
        assert!(e.to_string().starts_with("x.npy: not a NumPy file"));
    }

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        assert_eq!(excerpt("abc", 5), "abc");
        assert_eq!(excerpt("aéb", 2), "a...");
    }
}
