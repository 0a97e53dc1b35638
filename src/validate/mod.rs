//! Schema rules per type: presence, auto-id, dim, range, max_length, NaN, dynamic fields.
//!
//! [`JsonRowConverter`] reads the text of one JSON row once, checks it against the schema
//! and appends it to a [`RowBatch`](crate::record::RowBatch); every refusal is a
//! [`RowError`] that names the file, row, byte offset, field, what was expected and what
//! was found.
//!
//! The rules are Milvus's (SPEC.md sections 2 and 5), strict where Milvus has a quirk:
//! - The text must be JSON (RFC 8259: no leading zeros, valid escapes and UTF-8, no lone
//!   surrogates). A syntax error anywhere in a row is reported before any rule it breaks.
//! - Integers are exact and range-checked by their own width, also inside arrays; `1.0` and
//!   `1e3` are not integers. Floats are correctly rounded from their text to `f32` (Float,
//!   vectors, sparse values) or `f64` (Double) and must be finite.
//! - VarChar `max_length` counts UTF-8 bytes; Array `max_capacity` is checked.
//! - JSON fields and `$meta` keep numbers as written (no precision lost) and objects with
//!   sorted keys. A key given twice in one object: the last one wins (as Go's decoder).
//! - `$meta` (object or string holding one) merges with the row's undeclared keys; a key in
//!   both is an error.

mod float;
mod json;
mod numbers;
mod simd;

use std::fmt;

pub use float::{json_number_to_f32, json_number_to_f64};
pub use json::JsonRowConverter;
pub use numbers::{f32_to_bf16, f32_to_f16};
pub use simd::SimdRowConverter;

use crate::location::RowLocation;

/// A row that breaks a rule of the schema.
#[derive(Debug, Clone, PartialEq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    /// Where the row is.
    pub location: RowLocation,
    /// The field concerned (`$meta` for dynamic fields, empty for the row itself).
    pub field: String,
    /// What the rule wants.
    pub expected: String,
    /// What the row holds.
    pub found: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(
                f,
                "{}: expected {}, found {}",
                self.location, self.expected, self.found
            )
        } else {
            write!(
                f,
                "{}, field \"{}\": expected {}, found {}",
                self.location, self.field, self.expected, self.found
            )
        }
    }
}

impl RowError {
    /// A refusal of `field` in the row at `location`.
    pub fn new(
        location: &RowLocation,
        field: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        RowError {
            location: location.clone(),
            field: field.to_string(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}
