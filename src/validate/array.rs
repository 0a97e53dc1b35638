//! Array rules: elements are checked by the rules of the element type (with the array's
//! `max_length` for VarChar elements), and an array holds at most `max_capacity` elements.

use super::Violation;
use crate::schema::{DataType, FieldSchema};

/// The schema each element of the Array `field` is checked against.
pub fn array_element(field: &FieldSchema) -> FieldSchema {
    let mut elem = FieldSchema::new(
        field.name.clone(),
        field.element_type.unwrap_or(DataType::Int64),
    );
    elem.max_length = field.max_length;
    elem
}

/// Array `max_capacity`: an array of `field` with `len` elements.
#[inline]
pub fn array_capacity(field: &FieldSchema, len: usize) -> Result<(), Violation> {
    match field.max_capacity {
        Some(cap) if len > cap => Err(Violation::new(
            &field.name,
            format!("at most {cap} elements (max_capacity)"),
            format!("{len} elements"),
        )),
        _ => Ok(()),
    }
}

/// An element refused by its rule: the same violation, said of the array's elements.
pub fn array_element_error(mut v: Violation) -> Violation {
    v.expected = format!("array elements that are {}", v.expected);
    v
}
