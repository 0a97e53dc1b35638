//! Array of Struct rules: each element is an object holding every struct field (no other
//! key), each member checked by its own type's rules and named `field[member]`; the list
//! holds at most `max_capacity` structs. Function outputs are never given.

use super::Violation;
use crate::schema::{DataType, FieldSchema};

/// The schema the structs of the ArrayOfStruct `field` are checked against: the field,
/// with each member named `field[member]` so that refusals say which member.
pub fn struct_element(field: &FieldSchema) -> FieldSchema {
    let mut elem = field.clone();
    for m in &mut elem.struct_fields {
        m.name = format!("{}[{}]", field.name, m.name);
    }
    elem
}

/// The schema the parts of `field` are checked against: an Array's element
/// ([`super::array_element`]), an Array of Struct's structs ([`struct_element`]); `None` for
/// every other type.
pub fn nested_schema(field: &FieldSchema) -> Option<FieldSchema> {
    match field.data_type {
        DataType::Array => Some(super::array_element(field)),
        DataType::ArrayOfStruct => Some(struct_element(field)),
        _ => None,
    }
}

/// The member names of `elem` (from [`struct_element`]) as files give them.
fn plain_names(field: &FieldSchema) -> Vec<&str> {
    field
        .struct_fields
        .iter()
        .map(|m| {
            m.name
                .strip_prefix(field.name.as_str())
                .and_then(|n| n.strip_prefix('['))
                .and_then(|n| n.strip_suffix(']'))
                .unwrap_or(&m.name)
        })
        .collect()
}

/// The index of the member of `elem` (from [`struct_element`]) a file's `key` names.
pub fn struct_member_index(elem: &FieldSchema, key: &str) -> Option<usize> {
    plain_names(elem).iter().position(|n| *n == key)
}

/// Member `member` of `elem` left out of struct `index`.
pub fn struct_member_missing(elem: &FieldSchema, member: usize, index: usize) -> Violation {
    let m = &elem.struct_fields[member];
    Violation::new(
        &m.name,
        format!("a {} value", super::type_label(m)),
        format!("no value (struct {index})"),
    )
}

/// A struct of the list that is not an object; `found` describes it.
pub fn struct_not_object(field: &FieldSchema, index: usize, found: impl Into<String>) -> Violation {
    let names = plain_names(field);
    Violation::new(
        &field.name,
        format!("a list of objects with keys {}", names.join(", ")),
        format!("{} (struct {index})", found.into()),
    )
}

/// A key of a struct that names no struct field, or one given twice.
pub fn struct_unknown_key(field: &FieldSchema, index: usize, key: &str) -> Violation {
    let names = plain_names(field);
    Violation::new(
        &field.name,
        format!("structs with each of the keys {} once", names.join(", ")),
        format!("the key \"{key}\" (struct {index})"),
    )
}

/// A member of struct `index` refused by its rule (or missing): the same violation, saying
/// which struct of the list.
pub fn struct_member_error(mut v: Violation, index: usize) -> Violation {
    v.found = format!("{} (struct {index})", v.found);
    v
}

/// A value given for `field`, which a function of the schema computes.
pub fn function_output_given(field: &FieldSchema, found: impl Into<String>) -> Violation {
    let function = field.function.as_deref().unwrap_or("");
    Violation::new(
        &field.name,
        format!("no value (the field is the output of function \"{function}\")"),
        found,
    )
}
