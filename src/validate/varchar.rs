//! The VarChar rule: a string holds at most `max_length` bytes of UTF-8 (bytes, not
//! characters, as Milvus counts them).

use super::Violation;
use crate::schema::FieldSchema;

/// VarChar `max_length`: `s`, a value of `field` (or an element of a VarChar Array).
#[inline]
pub fn varchar(field: &FieldSchema, s: &str) -> Result<(), Violation> {
    match field.max_length {
        Some(max) if s.len() > max => Err(Violation::new(
            &field.name,
            format!("at most {max} UTF-8 bytes (max_length)"),
            format!("{} bytes", s.len()),
        )),
        _ => Ok(()),
    }
}
