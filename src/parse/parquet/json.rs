//! `$meta` and dynamic columns: a column that is not a field (in a collection with dynamic
//! fields) is kept in `$meta` under its name, its values written as JSON; the `$meta`
//! column itself holds JSON objects as strings. Both are merged by [`validate::merge_meta`].

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType as Arrow;

use super::convert::{Lists, Nums, Refusal, Strings};
use super::types;
use crate::validate::{self, Violation};

/// Whether values of Arrow type `t` can be written as JSON.
pub(super) fn holds(t: &Arrow) -> bool {
    match t {
        Arrow::Null | Arrow::Boolean => true,
        Arrow::Struct(fields) => fields.iter().all(|f| holds(f.data_type())),
        t => types::is_number(t) || types::is_string(t) || types::list_item(t).is_some_and(holds),
    }
}

/// Appends value `i` of `a` to `out` as JSON text.
fn write(key: &str, a: &dyn Array, i: usize, out: &mut String) -> Result<(), Violation> {
    if a.is_null(i) {
        out.push_str("null");
        return Ok(());
    }
    if let Some(b) = a.as_boolean_opt() {
        out.push_str(if b.value(i) { "true" } else { "false" });
    } else if let Some(n) = Nums::of(a) {
        match n.int(i) {
            Some(v) => out.push_str(&v.to_string()),
            None => {
                let x = n.f64(i);
                validate::json_number(key, x, || n.literal(i))?;
                out.push_str(&serde_json::Value::from(x).to_string());
            }
        }
    } else if let Some(s) = Strings::of(a) {
        out.push_str(&serde_json::Value::from(s.value(i)).to_string());
    } else if let Some(st) = a.as_struct_opt() {
        out.push('{');
        for (k, (f, col)) in st.fields().iter().zip(st.columns()).enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::Value::from(f.name().as_str()).to_string());
            out.push(':');
            write(key, col.as_ref(), i, out)?;
        }
        out.push('}');
    } else if let Some(l) = as_lists(a) {
        out.push('[');
        for (k, j) in l.range(i).enumerate() {
            if k > 0 {
                out.push(',');
            }
            write(key, l.values().as_ref(), j, out)?;
        }
        out.push(']');
    } else {
        return Err(Violation::new(
            key,
            "a value JSON can hold",
            format!("Arrow type {}", a.data_type()),
        ));
    }
    Ok(())
}

fn as_lists(a: &dyn Array) -> Option<Lists<'_>> {
    if let Some(l) = a.as_list_opt::<i32>() {
        Some(Lists::Small(l))
    } else if let Some(l) = a.as_list_opt::<i64>() {
        Some(Lists::Large(l))
    } else {
        a.as_fixed_size_list_opt().map(Lists::Fixed)
    }
}

/// The `$meta` of each row of one batch: the `$meta` column's objects (as written when
/// there are no dynamic columns, merged otherwise) and the dynamic columns `(name, values)`.
/// A null or absent `$meta` is `{}`.
pub(super) fn meta_rows(
    rows: usize,
    meta: Option<&ArrayRef>,
    dynamic: &[(&str, &ArrayRef)],
    out: &mut Vec<String>,
) -> Result<(), Refusal> {
    let texts = meta.and_then(|m| Strings::of(m.as_ref()));
    let mut extra: Vec<(String, String)> = Vec::with_capacity(dynamic.len());
    for i in 0..rows {
        let given = match (&texts, meta) {
            (Some(t), Some(m)) if !m.is_null(i) => {
                let text = t.value(i);
                validate::json_object_text(text).map_err(|v| (i, v))?;
                Some(text)
            }
            _ => None,
        };
        if dynamic.is_empty() {
            out.push(given.unwrap_or("{}").to_string());
            continue;
        }
        extra.clear();
        for (name, col) in dynamic {
            let mut v = String::new();
            write(name, col.as_ref(), i, &mut v).map_err(|e| (i, e))?;
            extra.push((name.to_string(), v));
        }
        let mut members = match given {
            Some(text) => members(text),
            None => Vec::new(),
        };
        validate::sort_members(&mut members);
        out.push(validate::merge_meta(members, &mut extra).map_err(|v| (i, v))?);
    }
    Ok(())
}

/// The members of the JSON object `text` (checked before), values as compact JSON text.
fn members(text: &str) -> Vec<(String, String)> {
    match serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text) {
        Ok(m) => m.into_iter().map(|(k, v)| (k, v.to_string())).collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{Int64Array, ListArray, StringArray};

    use super::*;

    #[test]
    fn dynamic_columns_merge_into_meta() {
        let meta: ArrayRef = Arc::new(StringArray::from(vec![Some(r#"{"b": 1}"#), None]));
        let age: ArrayRef = Arc::new(Int64Array::from(vec![Some(7), None]));
        let tags: ArrayRef = Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
            Some(vec![Some(1), Some(2)]),
            Some(vec![]),
        ]));
        let mut out = Vec::new();
        meta_rows(2, Some(&meta), &[("age", &age), ("tags", &tags)], &mut out).unwrap();
        assert_eq!(
            out,
            [
                r#"{"age":7,"b":1,"tags":[1,2]}"#,
                r#"{"age":null,"tags":[]}"#
            ]
        );
        let clash: ArrayRef = Arc::new(Int64Array::from(vec![1, 2]));
        let e = meta_rows(2, Some(&meta), &[("b", &clash)], &mut Vec::new()).unwrap_err();
        assert_eq!(e.0, 0);
        assert!(e.1.found.contains("both in $meta"), "{}", e.1);
        let mut out = Vec::new();
        meta_rows(2, Some(&meta), &[], &mut out).unwrap();
        assert_eq!(out, [r#"{"b": 1}"#, "{}"]);
    }
}
