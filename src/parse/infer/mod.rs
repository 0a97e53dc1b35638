//! Schema inference (`vecload collection infer`, `docs/cli.md`): reads the first rows of
//! data files of any format vecload imports with the same readers as import, untyped,
//! records what each column holds ([`seen`]), and makes the schema file that imports them
//! ([`rules`]). Like every parser here it does no I/O: it is handed each file's bytes.
//!
//! ```
//! use vecload::parse::infer::{InferOptions, Inference};
//! use vecload::parse::json::framing::JsonFormat;
//!
//! let mut inf = Inference::new(InferOptions::default());
//! inf.json("a.jsonl", br#"{"id": 1, "v": [0.5, 1], "t": "x"}"#, JsonFormat::Lines)?;
//! let schema = inf.finish("a")?.schema;
//! assert_eq!(schema.fields[1].dim, Some(2));
//! # Ok::<(), vecload::parse::infer::InferError>(())
//! ```

mod numpy;
mod rows;
pub mod rules;
pub mod seen;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use crate::location::RowLocation;
use crate::parse::csv::{CsvError, CsvOptions};
use crate::parse::json::framing::FramingError;
use crate::parse::numpy::NpyError;
use crate::parse::parquet::{FileBytes, ParquetError};
use crate::schema::{CollectionSchema, DataType, FieldSchema, META_FIELD, SchemaError};
use crate::validate::RowError;
use seen::Seen;

pub use crate::parse::json::framing::JsonFormat;

/// Rows read of each file by default.
pub const SAMPLE_ROWS_DEFAULT: u64 = 100_000;

/// The name of the primary key: the column taken when there is one, the auto-id field
/// added when there is none.
pub const ID: &str = "id";

/// How to infer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferOptions {
    /// Rows read of each file (the first ones); default [`SAMPLE_ROWS_DEFAULT`].
    pub sample_rows: u64,
    /// How CSV files are read (separator, null key), as by import.
    pub csv: CsvOptions,
}

impl Default for InferOptions {
    fn default() -> Self {
        InferOptions {
            sample_rows: SAMPLE_ROWS_DEFAULT,
            csv: CsvOptions::default(),
        }
    }
}

/// Why no schema could be inferred: a file import would refuse (with import's own error),
/// or a column no rule types.
#[derive(Debug, thiserror::Error)]
pub enum InferError {
    /// A JSON file's structure is broken.
    #[error("{file}: {error}")]
    Framing {
        /// The file.
        file: String,
        /// What is wrong, with the byte offset.
        error: FramingError,
    },
    /// A row is not a JSON object (or not JSON).
    #[error(transparent)]
    Row(#[from] RowError),
    /// A CSV file refused.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A NumPy file or set refused.
    #[error(transparent)]
    Npy(#[from] NpyError),
    /// A Parquet file refused.
    #[error(transparent)]
    Parquet(#[from] ParquetError),
    /// A column holds values of two kinds no one type takes.
    #[error(
        "field \"{field}\": its values are of two kinds no one type holds: {} ({}) and {} ({})",
        first.0, first.1, second.0, second.1
    )]
    Mixed {
        /// The column.
        field: String,
        /// One kind and where it was first seen.
        first: (&'static str, RowLocation),
        /// Another kind and where it was first seen.
        second: (&'static str, RowLocation),
    },
    /// A column no rule types.
    #[error("field \"{field}\" cannot be typed: {why}")]
    Cannot {
        /// The column.
        field: String,
        /// Why.
        why: String,
    },
    /// The files hold no column.
    #[error("no column found in the files (no rows, or rows with no keys)")]
    Empty,
    /// The schema made is refused (a column name Milvus does not take, too many fields...).
    /// (Not a `#[source]`: the message holds it, and a chain would say it twice.)
    #[error("the inferred schema is refused: {0}")]
    Schema(SchemaError),
}

impl From<SchemaError> for InferError {
    fn from(e: SchemaError) -> Self {
        InferError::Schema(e)
    }
}

impl InferError {
    /// The file the error is about, when it names one.
    pub fn file(&self) -> Option<&str> {
        match self {
            InferError::Framing { file, .. } => Some(file),
            InferError::Row(e) => Some(&e.location.file),
            InferError::Npy(e) => Some(e.file()),
            InferError::Mixed { first, .. } => Some(&first.1.file),
            _ => None,
        }
    }
}

/// A schema inferred, and what it had to guess.
#[derive(Debug, Clone)]
pub struct Inferred {
    /// The schema (its file is [`CollectionSchema::to_file_json`]).
    pub schema: CollectionSchema,
    /// One sentence per guess (a column holding only nulls, an auto-id key added).
    pub notes: Vec<String>,
}

/// Inference over several files: hand it each file's bytes, then [`finish`](Self::finish).
#[derive(Debug)]
pub struct Inference {
    opts: InferOptions,
    /// Columns in the order first seen.
    columns: Vec<(String, Seen)>,
    by_name: HashMap<String, usize>,
    /// Rows read, over every file.
    rows: u64,
    /// A `$meta` column, key or file was seen.
    dynamic: bool,
}

impl Inference {
    /// An inference with nothing seen yet.
    pub fn new(opts: InferOptions) -> Self {
        Inference {
            opts,
            columns: Vec::new(),
            by_name: HashMap::new(),
            rows: 0,
            dynamic: false,
        }
    }

    /// Rows to read of one file.
    pub(crate) fn sample_rows(&self) -> u64 {
        self.opts.sample_rows
    }

    /// The column `name`, added when new; `None` for `$meta` (dynamic fields on).
    pub(crate) fn column(&mut self, name: &str) -> Option<&mut Seen> {
        if name == META_FIELD {
            self.dynamic = true;
            return None;
        }
        let i = match self.by_name.get(name) {
            Some(&i) => i,
            None => {
                self.columns.push((name.to_string(), Seen::default()));
                self.by_name
                    .insert(name.to_string(), self.columns.len() - 1);
                self.columns.len() - 1
            }
        };
        Some(&mut self.columns[i].1)
    }

    /// Counts `n` rows read.
    pub(crate) fn add_rows(&mut self, n: u64) {
        self.rows += n;
    }

    /// Reads a JSON rows file (`{"rows": [...]}`, a bare list, or JSON Lines).
    pub fn json(&mut self, file: &str, bytes: &[u8], format: JsonFormat) -> Result<(), InferError> {
        rows::json(self, file, bytes, format)
    }

    /// Reads a CSV file.
    pub fn csv(&mut self, file: &str, bytes: &[u8]) -> Result<(), InferError> {
        let opts = self.opts.csv.clone();
        rows::csv(self, file, bytes, &opts)
    }

    /// Reads a NumPy column set: `(path, bytes)` of each `<field>.npy` file (and
    /// `$meta.npy`).
    pub fn numpy(&mut self, files: &[(String, &[u8])]) -> Result<(), InferError> {
        numpy::set(self, files)
    }

    /// Reads a Parquet file.
    pub fn parquet(&mut self, file: &str, bytes: &FileBytes) -> Result<(), InferError> {
        crate::parse::parquet::infer::observe(self, file, bytes)
    }

    /// The schema of collection `name` for what was read. The primary key is the column
    /// named [`ID`], else the first integer column with a value in every row, each value
    /// once; else an auto-id Int64 field [`ID`] is added.
    pub fn finish(self, name: &str) -> Result<Inferred, InferError> {
        if self.columns.is_empty() {
            return Err(InferError::Empty);
        }
        let mut notes = Vec::new();
        let mut fields = Vec::with_capacity(self.columns.len() + 1);
        for (column, seen) in &self.columns {
            let d = rules::decide(column, seen, self.rows)?;
            notes.extend(d.note);
            fields.push(d.field);
        }
        let pk = primary_key(&self.columns, &fields)?;
        let auto_id = pk.is_none();
        match pk {
            Some(i) => {
                let f = &mut fields[i];
                f.is_primary = true;
                if f.data_type != DataType::VarChar {
                    f.data_type = DataType::Int64;
                }
            }
            None => {
                let mut id = FieldSchema::new(ID, DataType::Int64);
                id.is_primary = true;
                fields.insert(0, id);
                notes.push(format!(
                    "no column named \"{ID}\" and no integer column unique in the sample: an \
                     auto-id Int64 primary key \"{ID}\" is added (autoId true)"
                ));
            }
        }
        let schema = CollectionSchema {
            name: name.to_string(),
            auto_id,
            enable_dynamic_field: self.dynamic,
            fields,
            partitions_num: 16,
            shards_num: 1,
            functions: Vec::new(),
        };
        // The file written must be one `collection create` takes.
        let file = schema.to_file_json().to_string();
        let schema = CollectionSchema::from_json(file.as_bytes(), schema.partitions_num)?;
        Ok(Inferred { schema, notes })
    }
}

/// The primary key's index among `fields`: the column [`ID`] (an integer or string in
/// every row), else the first integer column with a value in every row, each value once.
fn primary_key(
    columns: &[(String, Seen)],
    fields: &[FieldSchema],
) -> Result<Option<usize>, InferError> {
    let integer = |f: &FieldSchema| {
        matches!(
            f.data_type,
            DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64
        )
    };
    if let Some(i) = columns.iter().position(|(n, _)| n == ID) {
        let f = &fields[i];
        let seen = &columns[i].1;
        if !f.nullable && (f.data_type == DataType::VarChar || integer(f) && seen.int64_ok) {
            return Ok(Some(i));
        }
        let why = if f.nullable {
            "a primary key needs a value in every row; the column has nulls or missing values"
                .to_string()
        } else if integer(f) {
            "a primary key is Int64; the file holds narrower integers (write it as int64)".into()
        } else {
            format!(
                "a primary key is Int64 or VarChar; the column holds {}",
                f.data_type
            )
        };
        return Err(InferError::Cannot {
            field: ID.to_string(),
            why: format!("the column named \"{ID}\" is taken as the primary key, but {why}"),
        });
    }
    Ok(fields.iter().zip(columns).position(|(f, (_, seen))| {
        integer(f) && !f.nullable && seen.ints.is_some() && seen.int64_ok
    }))
}
