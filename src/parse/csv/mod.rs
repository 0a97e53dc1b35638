//! CSV files (`docs/formats.md`, "CSV"): a header row naming the columns, then one record
//! per row, RFC 4180 quoting. The [`framer`] cuts a file into units of whole records in one
//! quote-aware pass (over a map, or chunks as they stream in: [`StreamFramer`]); the
//! [`header`] is checked against the schema once; [`CsvRowConverter`] reads the units in
//! parallel ([`Cells`] splits each record), asking the rule book about every cell. Nothing
//! here does I/O.

pub mod cells;
mod error;
pub mod framer;
pub mod header;
mod row;
mod stream;

pub use cells::Cells;
pub use error::CsvError;
pub use framer::{CsvUnit, Framer, Step};
pub use header::{CsvHeader, Slot};
pub use row::CsvRowConverter;
pub use stream::{StreamFramer, StreamStep};

/// The CSV options of an import (`--sep`, `--null-key`; REST options `sep`, `nullkey`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// The separator between cells: one ASCII byte other than NUL, CR, LF and `"`.
    pub sep: u8,
    /// A cell equal to this is null (default: the empty string).
    pub null_key: String,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            sep: b',',
            null_key: String::new(),
        }
    }
}

impl CsvOptions {
    /// Options from the request's text: `sep` (default `,`) and `null_key` (default empty).
    pub fn new(sep: Option<&str>, null_key: Option<&str>) -> Result<Self, CsvError> {
        Ok(CsvOptions {
            sep: sep.map_or(Ok(b','), check_sep)?,
            null_key: null_key.unwrap_or_default().to_string(),
        })
    }
}

/// `sep` as a separator byte: exactly one ASCII character other than NUL, CR, LF and `"`
/// (Milvus takes the first character of a longer value; we refuse it).
pub fn check_sep(sep: &str) -> Result<u8, CsvError> {
    match sep.as_bytes() {
        [b] if b.is_ascii() && !matches!(b, 0 | b'\r' | b'\n' | b'"') => Ok(*b),
        _ => Err(CsvError::BadSep(sep.to_string())),
    }
}

#[cfg(test)]
mod tests;
