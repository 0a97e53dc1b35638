//! The rule book: Milvus's rules for one value or one row, one function per rule, each with
//! its one error. Every reader (the exact JSON reader, the simd-json path, the NumPy decoder,
//! and the columnar readers to come) reads bytes into typed values and asks these functions;
//! no rule is written twice. The rules are listed in `docs/formats.md` ("Rules").
//!
//! | rule | functions |
//! | --- | --- |
//! | presence, null and default, auto-id, unknown keys | [`missing`], [`null`] ([`fill`]), [`auto_id_given`], [`unknown_key`] |
//! | a CSV record has one cell per header column | [`cell_count`] |
//! | the value's type | [`wrong_type`], [`wrong_element`] |
//! | integer range | [`integer`] |
//! | finite floats, vector bytes and int8 elements | [`finite_f32`], [`finite_f64`], [`half`], [`half_bits`], [`byte`], [`int8_element`] |
//! | VarChar `max_length` (UTF-8 bytes) | [`varchar`] |
//! | Array element type and `max_capacity` | [`array_element`], [`array_capacity`], [`array_element_error`] |
//! | vector dims | [`vector_len`], [`vector_bytes`] |
//! | sparse vectors | [`sparse_index`], [`sparse_key`], [`sparse_value`], [`sparse_lengths`], [`sparse_pairs`] |
//! | JSON validity and depth | [`json_text`], [`json_object_text`], [`json_depth`], [`json_number`] |
//! | `$meta` and dynamic keys | [`meta_shape`], [`merge_meta`] |
//! | Geometry as WKT | [`geometry`] |
//! | Timestamptz as ISO-8601 text or Arrow units, at most microseconds | [`timestamptz`], [`timestamp_units`] |
//! | Array of Struct members, keys and capacity | [`struct_element`], [`struct_member_index`], [`struct_member_missing`], [`struct_not_object`], [`struct_unknown_key`], [`struct_member_error`], [`array_capacity`] |
//! | function outputs are never given | [`function_output_given`] |
//!
//! A rule returns a [`Violation`] (field, expected, found); the reader, which knows where it
//! is, turns it into a [`RowError`] with [`Violation::at`].

mod array;
mod geometry;
mod json;
mod numbers;
mod presence;
mod structs;
mod temporal;
mod varchar;
mod vector;

use std::fmt;

pub use array::{array_capacity, array_element, array_element_error};
pub use geometry::{GEOMETRY_WANT, geometry};
pub use json::{
    JSON_DEPTH_MAX, json_depth, json_number, json_object_text, json_text, merge_meta, meta_shape,
    sort_members, write_string,
};
pub use numbers::{
    INT8_ELEMENT_WANT, byte, f32_to_bf16, f32_to_f16, finite_f32, finite_f64, half, half_bits,
    int8_element, integer,
};
pub use presence::{
    Fill, auto_id_given, cell_count, fill, missing, null, type_label, unknown_key, wrong_element,
    wrong_type,
};
pub use structs::{
    function_output_given, nested_schema, struct_element, struct_member_error, struct_member_index,
    struct_member_missing, struct_not_object, struct_unknown_key,
};
pub use temporal::{TIMESTAMPTZ_WANT, timestamp_units, timestamptz};
pub use varchar::varchar;
pub use vector::{
    SPARSE_WANT, sparse_index, sparse_key, sparse_lengths, sparse_pairs, sparse_value,
    vector_bytes, vector_len,
};

use crate::location::RowLocation;

/// A broken rule, before the reader says where: the field, what the rule wants and what
/// the data holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The field concerned (`$meta` for dynamic fields, empty for the row itself).
    pub field: String,
    /// What the rule wants.
    pub expected: String,
    /// What the data holds.
    pub found: String,
}

impl Violation {
    /// A violation of a rule on `field`.
    pub fn new(field: &str, expected: impl Into<String>, found: impl Into<String>) -> Self {
        Violation {
            field: field.to_string(),
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// The error of this violation in the row at `loc`.
    pub fn at(self, loc: &RowLocation) -> RowError {
        RowError {
            location: loc.clone(),
            field: self.field,
            expected: self.expected,
            found: self.found,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.field.is_empty() {
            write!(f, "field \"{}\": ", self.field)?;
        }
        write!(f, "expected {}, found {}", self.expected, self.found)
    }
}

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

#[cfg(test)]
mod tests;
