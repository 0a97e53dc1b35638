//! Vector rules: a dense vector has exactly its dimension's elements (dim/8 bytes for a
//! binary vector); a sparse vector has indices in 0..2^32-1, each once, and finite,
//! non-negative values.

use super::Violation;
use crate::schema::{DataType, FieldSchema};

/// What a sparse vector looks like, for messages.
pub const SPARSE_WANT: &str =
    "a sparse vector: {\"indices\": [...], \"values\": [...]} or {\"<index>\": value}";

/// Vector dims: a vector of `field` given with `found` elements, where `want` are needed
/// (`dim`, or `dim / 8` bytes for a binary vector).
#[inline]
pub fn vector_len(field: &FieldSchema, want: usize, found: usize) -> Result<(), Violation> {
    if want == found {
        return Ok(());
    }
    let unit = match field.data_type {
        DataType::BinaryVector => "uint8 values (dim/8 bytes)",
        DataType::Int8Vector => "integers (int8)",
        _ => "floats",
    };
    Err(Violation::new(
        &field.name,
        format!("{want} {unit}"),
        found.to_string(),
    ))
}

/// Vector dims, for a vector given as bytes (`binary`, `list<uint8>`): `found` bytes,
/// where a BinaryVector needs dim/8 and a Float16Vector or BFloat16Vector dim*2
/// (little-endian halves).
#[inline]
pub fn vector_bytes(field: &FieldSchema, found: usize) -> Result<(), Violation> {
    let dim = field.dim.unwrap_or(0);
    let (want, unit) = match field.data_type {
        DataType::BinaryVector => (dim / 8, "bytes (dim/8)"),
        _ => (dim * 2, "bytes (dim*2, two per element)"),
    };
    if want == found {
        return Ok(());
    }
    Err(Violation::new(
        &field.name,
        format!("{want} {unit}"),
        format!("{found} bytes"),
    ))
}

/// Sparse indices: `n` (`None`: not an integer) must be in 0..2^32-1 (`u32::MAX` is
/// reserved); `found` describes the value.
#[inline]
pub fn sparse_index(
    field: &FieldSchema,
    n: Option<i128>,
    found: impl FnOnce() -> String,
) -> Result<u32, Violation> {
    match n.map(u32::try_from) {
        Some(Ok(i)) if i != u32::MAX => Ok(i),
        _ => Err(Violation::new(
            &field.name,
            "sparse indices in 0..2^32-1",
            found(),
        )),
    }
}

/// Sparse indices written as object keys (`{"3": 0.5}`): ASCII digits only (no sign, no
/// spaces), in 0..2^32-1.
pub fn sparse_key(field: &FieldSchema, key: &str) -> Result<u32, Violation> {
    Some(key)
        .filter(|k| !k.is_empty() && k.bytes().all(|c| c.is_ascii_digit()))
        .and_then(|k| k.parse::<u32>().ok())
        .filter(|n| *n != u32::MAX)
        .ok_or_else(|| Violation::new(&field.name, SPARSE_WANT, format!("key \"{key}\"")))
}

/// Sparse values: non-negative (and finite, by [`finite_f32`](super::finite_f32) before).
#[inline]
pub fn sparse_value(field: &FieldSchema, x: f32) -> Result<f32, Violation> {
    if x < 0.0 {
        return Err(Violation::new(
            &field.name,
            "non-negative sparse values",
            x.to_string(),
        ));
    }
    Ok(x)
}

/// The `{"indices": [...], "values": [...]}` form: as many values as indices.
pub fn sparse_lengths(field: &FieldSchema, indices: usize, values: usize) -> Result<(), Violation> {
    if indices == values {
        return Ok(());
    }
    Err(Violation::new(
        &field.name,
        "as many values as indices",
        format!("{indices} indices, {values} values"),
    ))
}

/// Sorts a sparse vector's pairs by index and refuses a repeated index.
pub fn sparse_pairs(field: &FieldSchema, pairs: &mut [(u32, f32)]) -> Result<(), Violation> {
    pairs.sort_by_key(|p| p.0);
    if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(Violation::new(
            &field.name,
            "distinct sparse indices",
            "a repeated index",
        ));
    }
    Ok(())
}
