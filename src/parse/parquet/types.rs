//! Which Arrow column types a field accepts (`docs/formats.md`, "Parquet"): checked once per
//! file, before any row is read. Values are then checked row by row by the rule book
//! (integer ranges, finite floats, lengths...).

use arrow_schema::DataType as Arrow;

use crate::schema::{DataType, FieldSchema};

/// Whether `t` is an integer type (signed or unsigned).
pub(super) fn is_int(t: &Arrow) -> bool {
    t.is_integer()
}

/// Whether `t` is a float or integer type.
pub(super) fn is_number(t: &Arrow) -> bool {
    t.is_integer() || matches!(t, Arrow::Float16 | Arrow::Float32 | Arrow::Float64)
}

/// Whether `t` is a string type.
pub(super) fn is_string(t: &Arrow) -> bool {
    matches!(t, Arrow::Utf8 | Arrow::LargeUtf8 | Arrow::Utf8View)
}

/// Whether `t` is a binary (bytes) type.
pub(super) fn is_binary(t: &Arrow) -> bool {
    matches!(
        t,
        Arrow::Binary | Arrow::LargeBinary | Arrow::BinaryView | Arrow::FixedSizeBinary(_)
    )
}

/// The element type of a list type (`list`, `large_list`, `fixed_size_list`, `list_view`).
pub(super) fn list_item(t: &Arrow) -> Option<&Arrow> {
    match t {
        Arrow::List(f) | Arrow::LargeList(f) | Arrow::FixedSizeList(f, _) => Some(f.data_type()),
        _ => None,
    }
}

/// Whether `t` holds a dictionary type anywhere (a list of dictionaries too).
pub(super) fn has_dictionary(t: &Arrow) -> bool {
    match t {
        Arrow::Dictionary(..) => true,
        Arrow::List(f) | Arrow::LargeList(f) | Arrow::FixedSizeList(f, _) => {
            has_dictionary(f.data_type())
        }
        Arrow::Struct(fields) => fields.iter().any(|f| has_dictionary(f.data_type())),
        _ => false,
    }
}

/// `t` with every dictionary type replaced by its value type (pyarrow's
/// `dictionary_encode()`, pandas' `category`): the type the decoder is asked for, so that
/// the values come out plain.
pub(super) fn undictionary(t: &Arrow) -> Arrow {
    let field = |f: &arrow_schema::FieldRef| {
        std::sync::Arc::new(
            f.as_ref()
                .clone()
                .with_data_type(undictionary(f.data_type())),
        )
    };
    match t {
        Arrow::Dictionary(_, v) => undictionary(v),
        Arrow::List(f) => Arrow::List(field(f)),
        Arrow::LargeList(f) => Arrow::LargeList(field(f)),
        Arrow::FixedSizeList(f, n) => Arrow::FixedSizeList(field(f), *n),
        Arrow::Struct(fields) => Arrow::Struct(fields.iter().map(field).collect()),
        t => t.clone(),
    }
}

/// Whether a column of Arrow type `t` can hold values of `field`.
pub(super) fn accepts(field: &FieldSchema, t: &Arrow) -> bool {
    if *t == Arrow::Null {
        // Every row null: only where null is allowed (checked per row by the rule book).
        return !field.data_type.is_vector();
    }
    match field.data_type {
        DataType::Bool => *t == Arrow::Boolean,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => is_int(t),
        DataType::Float | DataType::Double => is_number(t),
        DataType::VarChar | DataType::Json => is_string(t),
        DataType::SparseFloatVector => is_string(t) || sparse_struct(t).is_some(),
        DataType::FloatVector => list_item(t).is_some_and(is_number),
        DataType::BinaryVector => is_binary(t) || list_item(t).is_some_and(is_int),
        DataType::Int8Vector => list_item(t).is_some_and(is_int),
        DataType::Float16Vector | DataType::BFloat16Vector => {
            is_binary(t) || list_item(t).is_some_and(|i| *i == Arrow::UInt8 || is_float(i))
        }
        DataType::Array => {
            let elem = crate::validate::array_element(field);
            list_item(t).is_some_and(|i| *i != Arrow::Null && accepts(&elem, i))
        }
        DataType::Geometry => is_string(t),
        DataType::Timestamptz => is_string(t) || matches!(t, Arrow::Timestamp(..)),
        DataType::ArrayOfStruct => list_item(t).is_some_and(|i| struct_of(field, i)),
    }
}

/// Whether `t` is a struct with exactly the members of the ArrayOfStruct `field`, each of
/// a type the member accepts (members are never null: no `null` type).
fn struct_of(field: &FieldSchema, t: &Arrow) -> bool {
    let Arrow::Struct(children) = t else {
        return false;
    };
    children.len() == field.struct_fields.len()
        && field.struct_fields.iter().all(|m| {
            children.iter().any(|c| {
                c.name() == &m.name && *c.data_type() != Arrow::Null && accepts(m, c.data_type())
            })
        })
}

fn is_float(t: &Arrow) -> bool {
    matches!(t, Arrow::Float16 | Arrow::Float32 | Arrow::Float64)
}

/// The `indices` and `values` child indexes of a `struct<indices: list<int>, values:
/// list<number>>` sparse vector column.
pub(super) fn sparse_struct(t: &Arrow) -> Option<(usize, usize)> {
    let Arrow::Struct(fields) = t else {
        return None;
    };
    let find = |name: &str| fields.iter().position(|f| f.name() == name);
    let (i, v) = (find("indices")?, find("values")?);
    let ok = list_item(fields[i].data_type()).is_some_and(is_int)
        && list_item(fields[v].data_type()).is_some_and(is_number);
    (ok && fields.len() == 2).then_some((i, v))
}

/// The Arrow types `field` accepts, for messages.
pub(super) fn expected(field: &FieldSchema) -> String {
    match field.data_type {
        DataType::Bool => "bool".into(),
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            "integers (int8..int64, uint8..uint64; values range-checked)".into()
        }
        DataType::Float | DataType::Double => "numbers (float32, float64 or integers)".into(),
        DataType::VarChar => "strings (string, large_string)".into(),
        DataType::Json => "strings holding JSON (string, large_string)".into(),
        DataType::SparseFloatVector => {
            "strings holding JSON sparse vectors, or struct<indices: list<int>, values: list<float>>"
                .into()
        }
        DataType::FloatVector => "lists of numbers (list<float32>, list<float64>, list<int>)".into(),
        DataType::BinaryVector => "list<uint8> or binary (dim/8 bytes a row)".into(),
        DataType::Int8Vector => "lists of integers (list<int8>; values range-checked)".into(),
        DataType::Float16Vector | DataType::BFloat16Vector => {
            "list<uint8> or binary (dim*2 bytes a row), or lists of floats".into()
        }
        DataType::Array => {
            let elem = crate::validate::array_element(field);
            format!("lists of {}", expected(&elem))
        }
        DataType::Geometry => "strings holding WKT (string, large_string)".into(),
        DataType::Timestamptz => {
            "strings holding ISO-8601 timestamps, or timestamps (any unit, any time zone)".into()
        }
        DataType::ArrayOfStruct => {
            let members: Vec<String> = field
                .struct_fields
                .iter()
                .map(|m| format!("{}: {}", m.name, expected(m)))
                .collect();
            format!("list<struct<{}>>", members.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_schema::Field;

    use super::*;

    fn list(t: Arrow) -> Arrow {
        Arrow::List(Arc::new(Field::new("item", t, true)))
    }

    #[test]
    fn compatibility_table() {
        let mut vec = FieldSchema::new("v", DataType::FloatVector);
        vec.dim = Some(4);
        assert!(accepts(&vec, &list(Arrow::Float32)));
        assert!(accepts(&vec, &list(Arrow::Float64)));
        assert!(accepts(&vec, &list(Arrow::Int8)));
        assert!(accepts(
            &vec,
            &Arrow::FixedSizeList(Arc::new(Field::new("item", Arrow::Float32, true)), 4)
        ));
        assert!(!accepts(&vec, &list(Arrow::Utf8)));
        assert!(!accepts(&vec, &Arrow::Null));
        let int = FieldSchema::new("i", DataType::Int16);
        assert!(accepts(&int, &Arrow::Int64));
        assert!(!accepts(&int, &Arrow::Float32));
        let s = FieldSchema::new("s", DataType::VarChar);
        assert!(accepts(&s, &Arrow::LargeUtf8));
        assert!(accepts(&s, &Arrow::Null));
        let mut arr = FieldSchema::new("a", DataType::Array);
        arr.element_type = Some(DataType::VarChar);
        assert!(accepts(
            &arr,
            &Arrow::LargeList(Arc::new(Field::new("x", Arrow::Utf8, true)))
        ));
        assert!(!accepts(&arr, &list(Arrow::Int32)));
        let sp = FieldSchema::new("sp", DataType::SparseFloatVector);
        let st = Arrow::Struct(
            vec![
                Field::new("indices", list(Arrow::UInt32), true),
                Field::new("values", list(Arrow::Float32), true),
            ]
            .into(),
        );
        assert!(accepts(&sp, &st));
        assert!(accepts(&sp, &Arrow::Utf8));
    }
}
