//! Schema rules per type: presence, auto-id, dim, range, max_length, NaN, dynamic fields.
//!
//! [`JsonRowConverter`] checks one parsed JSON row against the schema and appends it to a
//! [`RowBatch`](crate::record::RowBatch); every refusal is a [`RowError`] that names the file,
//! row, byte offset, field, what was expected and what was found.

mod float;
mod json;
mod numbers;

use std::fmt;

pub use json::JsonRowConverter;
pub use numbers::{f32_to_bf16, f32_to_f16};

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
