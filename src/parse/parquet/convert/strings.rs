//! String Arrow arrays (`string`, `large_string`, `string_view`), and sparse vectors given
//! as JSON text in them (`{"3": 0.5}` or `{"indices": [...], "values": [...]}`).

use arrow_array::cast::AsArray;
use arrow_array::{Array, LargeStringArray, StringArray, StringViewArray};
use serde_json::Value;

use crate::schema::FieldSchema;
use crate::validate::{self, Violation};

/// The values of a string array.
pub(in crate::parse::parquet) enum Strings<'a> {
    Small(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
}

impl<'a> Strings<'a> {
    /// The values of `a`, when it holds strings.
    pub fn of(a: &'a dyn Array) -> Option<Self> {
        if let Some(s) = a.as_string_opt::<i32>() {
            Some(Strings::Small(s))
        } else if let Some(s) = a.as_string_opt::<i64>() {
            Some(Strings::Large(s))
        } else {
            a.as_string_view_opt().map(Strings::View)
        }
    }

    /// Value `i`.
    #[inline]
    pub fn value(&self, i: usize) -> &'a str {
        match self {
            Strings::Small(s) => s.value(i),
            Strings::Large(s) => s.value(i),
            Strings::View(s) => s.value(i),
        }
    }
}

/// `text` cut to at most 60 bytes (on a character boundary) for a message.
fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    if text.len() <= MAX {
        return format!("'{text}'");
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("'{}...'", &text[..end])
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => format!("string {}", excerpt(s)),
        Value::Array(a) => format!("a list of {} values", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

/// A sparse vector given as JSON text: (index, value) pairs sorted by index.
pub(in crate::parse::parquet) fn sparse_json(
    field: &FieldSchema,
    text: &str,
) -> Result<Vec<(u32, f32)>, Violation> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        validate::wrong_type(
            field,
            format!("a string that is not JSON ({e}): {}", excerpt(text)),
        )
    })?;
    let Value::Object(obj) = &v else {
        return Err(validate::wrong_type(
            field,
            format!("a string holding {}", describe(&v)),
        ));
    };
    let value = |x: &Value| -> Result<f32, Violation> {
        let Some(f) = x.as_f64() else {
            return Err(validate::wrong_element(field, describe(x)));
        };
        let f = validate::finite_f32(field, f as f32, "sparse value", || x.to_string())?;
        validate::sparse_value(field, f)
    };
    let integer = |x: &Value| {
        x.as_i64()
            .map(i128::from)
            .or_else(|| x.as_u64().map(i128::from))
    };
    let mut pairs = Vec::with_capacity(obj.len());
    match (obj.get("indices"), obj.get("values")) {
        (Some(Value::Array(idx)), Some(Value::Array(vals))) if obj.len() == 2 => {
            validate::sparse_lengths(field, idx.len(), vals.len())?;
            for (i, x) in idx.iter().zip(vals) {
                let index = validate::sparse_index(field, integer(i), || describe(i))?;
                pairs.push((index, value(x)?));
            }
        }
        _ => {
            for (k, x) in obj {
                pairs.push((validate::sparse_key(field, k)?, value(x)?));
            }
        }
    }
    validate::sparse_pairs(field, &mut pairs)?;
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::DataType;

    #[test]
    fn sparse_text_in_both_forms() {
        let f = FieldSchema::new("sp", DataType::SparseFloatVector);
        assert_eq!(
            sparse_json(&f, r#"{"7": 0.5, "2": 1}"#).unwrap(),
            vec![(2, 1.0), (7, 0.5)]
        );
        assert_eq!(
            sparse_json(&f, r#"{"indices": [3, 1], "values": [0.1, 0.2]}"#).unwrap(),
            vec![(1, 0.2), (3, 0.1)]
        );
        let e = sparse_json(&f, "{\"1\": -1}").unwrap_err();
        assert!(e.expected.contains("non-negative"), "{e}");
        let e = sparse_json(&f, "[1, 2]").unwrap_err();
        assert!(e.found.contains("a list of 2 values"), "{e}");
        let e = sparse_json(&f, "{nope").unwrap_err();
        assert!(e.found.contains("not JSON"), "{e}");
    }
}
