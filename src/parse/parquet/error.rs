//! Why a Parquet file was refused: a damaged file, a column that does not fit its field,
//! or a row that breaks a rule of the schema. Every variant names the file.

use crate::schema::DataType;
use crate::validate::{RowError, Violation};

/// A Parquet file or one of its rows refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParquetError {
    /// The file is not a readable Parquet file: bad magic, a footer or metadata that does
    /// not decode, a column chunk cut short, a page that does not decompress or decode.
    #[error("{file}: damaged Parquet file: {what}{}", at_unit(*.row_group, .column.as_deref()))]
    Damaged {
        /// The file.
        file: String,
        /// Row group being read, when the damage is inside one.
        row_group: Option<u64>,
        /// Column being read, when known.
        column: Option<String>,
        /// What is damaged, as the Parquet decoder says it.
        what: String,
    },
    /// A column's Arrow type cannot hold its field's values.
    #[error(
        "{file}: field \"{field}\": expected a column of {expected} (for {data_type}), found Arrow type {found}"
    )]
    ColumnType {
        /// The file.
        file: String,
        /// The field (and column) name.
        field: String,
        /// The field's type.
        data_type: DataType,
        /// The Arrow types accepted.
        expected: String,
        /// The column's Arrow type.
        found: String,
    },
    /// The file's columns do not fit the collection (a required field without a column,
    /// an unknown column, a column given twice, a column for the auto-id primary key).
    #[error("{file}: {violation}")]
    Columns {
        /// The file.
        file: String,
        /// The rule broken.
        violation: Violation,
    },
    /// A row group fetched by ranged reads (object storage) whose column chunks, held whole
    /// in memory while its rows are read, would take more than its share of the budget.
    #[error(
        "{file}: row group {row_group}: its column chunks take {bytes} bytes, over the {limit} \
         bytes a row group read from object storage may take (a quarter of \
         import.memory_budget, {budget} bytes); raise import.memory_budget or write the file \
         with smaller row groups"
    )]
    RowGroupTooLarge {
        /// The file.
        file: String,
        /// The row group (0-based).
        row_group: u64,
        /// Bytes of its column chunks (of the columns read).
        bytes: u64,
        /// The most a row group may take.
        limit: u64,
        /// `import.memory_budget`.
        budget: u64,
    },
    /// A row broke a rule of the schema.
    #[error(transparent)]
    Row(Box<RowError>),
    /// The Parquet decoder panicked on this file; the task fails, the process goes on.
    #[error("{file}: the Parquet decoder failed{}: {message}", at_unit(*.row_group, None))]
    Panic {
        /// The file.
        file: String,
        /// Row group being read.
        row_group: Option<u64>,
        /// The panic's message.
        message: String,
    },
}

/// ` (row group 2, column "vec")` for messages.
fn at_unit(row_group: Option<u64>, column: Option<&str>) -> String {
    match (row_group, column) {
        (Some(g), Some(c)) => format!(" (row group {g}, column \"{c}\")"),
        (Some(g), None) => format!(" (row group {g})"),
        (None, Some(c)) => format!(" (column \"{c}\")"),
        (None, None) => String::new(),
    }
}

impl ParquetError {
    /// A damaged file, from the decoder's error.
    pub(super) fn damaged(
        file: &str,
        row_group: Option<u64>,
        column: Option<&str>,
        e: impl std::fmt::Display,
    ) -> Self {
        ParquetError::Damaged {
            file: file.to_string(),
            row_group,
            column: column.map(str::to_string),
            what: e.to_string(),
        }
    }

    /// The row the error is about, when it is about one.
    pub fn row(&self) -> Option<u64> {
        match self {
            ParquetError::Row(e) => Some(e.location.row),
            _ => None,
        }
    }
}

impl From<RowError> for ParquetError {
    fn from(e: RowError) -> Self {
        ParquetError::Row(Box::new(e))
    }
}
