//! The simd-json fast path: a row parsed by simd-json is checked against the schema and
//! appended to a batch. It accepts only rows it can convert exactly as the exact reader
//! ([`JsonRowConverter`](super::JsonRowConverter)) would; anything else (a bad row, a number
//! simd-json cannot hold or that needs its literal, an f32 rounding midpoint, a duplicate
//! key, a row of over 32 keys) is declined, and the caller hands that row's text to the exact reader, which accepts
//! it or names the precise error.

use std::collections::{BTreeMap, HashMap};

use simd_json::{BorrowedValue as Value, StaticNode};

use super::RowError;
use crate::location::RowLocation;
use crate::record::{Column, ColumnData, RowBatch};
use crate::schema::{CollectionSchema, DataType, FieldSchema, META_FIELD};

/// Converts parsed JSON rows into columns, enforcing the schema's rules.
///
/// Holds per-schema lookups and scratch space; make one per worker and reuse it.
pub struct SimdRowConverter {
    schema: CollectionSchema,
    by_name: HashMap<String, usize>,
    /// A one-row column holding each field's default value, if it has one.
    defaults: Vec<Option<Column>>,
    seen: Vec<bool>,
}

impl SimdRowConverter {
    /// Prepares a converter; fails if a field's default value does not fit its type.
    pub fn new(schema: &CollectionSchema) -> Result<Self, RowError> {
        let by_name = schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        let mut defaults = Vec::with_capacity(schema.fields.len());
        let loc = RowLocation::row("schema", 0);
        for f in &schema.fields {
            let Some(dv) = &f.default_value else {
                defaults.push(None);
                continue;
            };
            let mut text = serde_json::to_vec(dv).unwrap_or_default();
            let value = simd_json::to_borrowed_value(&mut text)
                .map_err(|e| RowError::new(&loc, &f.name, "a JSON default value", e.to_string()))?;
            let mut col = Column {
                data: ColumnData::empty_for(f, 1),
                validity: None,
            };
            convert(f, &value, &loc, &mut col.data).map_err(|mut e| {
                e.expected = format!("a default value that is {}", e.expected);
                e
            })?;
            defaults.push(Some(col));
        }
        Ok(SimdRowConverter {
            schema: schema.clone(),
            by_name,
            defaults,
            seen: vec![false; schema.fields.len()],
        })
    }

    /// Checks `row` and appends it to `batch`. On error `batch` is left as it was.
    pub fn push_row(
        &mut self,
        row: &Value<'_>,
        loc: &RowLocation,
        batch: &mut RowBatch,
    ) -> Result<(), RowError> {
        let before = batch.len();
        let result = self.push_row_inner(row, loc, batch);
        if result.is_err() {
            batch.truncate(before);
        }
        result
    }

    fn push_row_inner(
        &mut self,
        row: &Value<'_>,
        loc: &RowLocation,
        batch: &mut RowBatch,
    ) -> Result<(), RowError> {
        let Value::Object(obj) = row else {
            return Err(RowError::new(
                loc,
                "",
                "a JSON object (one row)",
                describe(row),
            ));
        };
        if obj.is_map() {
            // simd-json keeps the last of repeated keys of an object over 32 members (a
            // hash-backed map): the earlier ones, which the exact reader checks, are gone.
            return Err(RowError::new(
                loc,
                "",
                "at most 32 keys (the fast path)",
                format!("{} keys", obj.len()),
            ));
        }
        let schema = &self.schema;
        self.seen.iter_mut().for_each(|s| *s = false);
        let mut extra: BTreeMap<String, serde_json::Value> = BTreeMap::new();
        let mut given_meta: Option<serde_json::Map<String, serde_json::Value>> = None;
        for (key, value) in obj.iter() {
            let key: &str = key;
            if let Some(&i) = self.by_name.get(key) {
                let field = &schema.fields[i];
                if schema.is_auto_id_field(i) {
                    return Err(RowError::new(
                        loc,
                        key,
                        "no value (the primary key is auto-generated)",
                        describe(value),
                    ));
                }
                if self.seen[i] {
                    // A duplicate key: the exact reader applies "last wins".
                    return Err(RowError::new(loc, key, "each key once", "a duplicate key"));
                }
                self.seen[i] = true;
                push_value(
                    field,
                    value,
                    loc,
                    &mut batch.columns[i],
                    self.defaults[i].as_ref(),
                )?;
            } else if key == META_FIELD && schema.enable_dynamic_field {
                given_meta = Some(meta_object(value, loc)?);
            } else if schema.enable_dynamic_field {
                let value = to_serde(value).ok_or_else(|| literal_needed(loc, key))?;
                extra.insert(key.to_string(), value);
            } else {
                return Err(RowError::new(
                    loc,
                    key,
                    "only fields of the schema (the collection has no dynamic field)",
                    format!("unknown field \"{key}\""),
                ));
            }
        }
        for (i, field) in schema.fields.iter().enumerate() {
            if self.seen[i] {
                continue;
            }
            let col = &mut batch.columns[i];
            if schema.is_auto_id_field(i) {
                col.data.push_placeholder(); // filled with generated ids after parsing
                if let Some(v) = &mut col.validity {
                    v.push(true);
                }
            } else if let Some(default) = &self.defaults[i] {
                col.push_from(default, 0);
            } else if field.nullable {
                push_null(col);
            } else {
                return Err(RowError::new(
                    loc,
                    &field.name,
                    format!("a {} value", type_label(field)),
                    "no value (the field is missing)",
                ));
            }
        }
        if let Some(meta) = &mut batch.meta {
            let mut merged = given_meta.unwrap_or_default();
            for (k, v) in extra {
                if merged.contains_key(&k) {
                    return Err(RowError::new(
                        loc,
                        &k,
                        "each dynamic key once",
                        format!("key \"{k}\" both in $meta and at the top level"),
                    ));
                }
                merged.insert(k, v);
            }
            let sorted: BTreeMap<_, _> = merged.into_iter().collect();
            meta.push(serde_json::to_string(&sorted).unwrap_or_else(|_| "{}".into()));
        }
        Ok(())
    }
}

fn push_null(col: &mut Column) {
    col.data.push_placeholder();
    if let Some(v) = &mut col.validity {
        v.push(false);
    }
}

fn push_value(
    field: &FieldSchema,
    value: &Value<'_>,
    loc: &RowLocation,
    col: &mut Column,
    default: Option<&Column>,
) -> Result<(), RowError> {
    if matches!(value, Value::Static(StaticNode::Null)) {
        if let Some(d) = default {
            col.push_from(d, 0);
            return Ok(());
        }
        if field.nullable {
            push_null(col);
            return Ok(());
        }
    }
    convert(field, value, loc, &mut col.data)?;
    if let Some(v) = &mut col.validity {
        v.push(true);
    }
    Ok(())
}

fn meta_object(
    value: &Value<'_>,
    loc: &RowLocation,
) -> Result<serde_json::Map<String, serde_json::Value>, RowError> {
    let parsed = match value {
        Value::Object(_) => to_serde(value).ok_or_else(|| literal_needed(loc, META_FIELD))?,
        Value::String(s) => {
            let parsed: serde_json::Value = serde_json::from_str(s).map_err(|e| {
                RowError::new(
                    loc,
                    META_FIELD,
                    "a JSON object or a string holding one",
                    format!("a string that is not JSON ({e})"),
                )
            })?;
            if has_float(&parsed) {
                return Err(literal_needed(loc, META_FIELD));
            }
            parsed
        }
        other => {
            return Err(RowError::new(
                loc,
                META_FIELD,
                "a JSON object or a string holding one",
                describe(other),
            ));
        }
    };
    match parsed {
        serde_json::Value::Object(m) => Ok(m),
        other => Err(RowError::new(
            loc,
            META_FIELD,
            "a JSON object or a string holding one",
            format!("a string holding {}", serde_kind(&other)),
        )),
    }
}

/// A short description of a JSON value for error messages.
pub(crate) fn describe(v: &Value<'_>) -> String {
    match v {
        Value::Static(StaticNode::Null) => "null".into(),
        Value::Static(StaticNode::Bool(b)) => format!("boolean {b}"),
        Value::Static(StaticNode::I64(n)) => format!("integer {n}"),
        Value::Static(StaticNode::U64(n)) => format!("integer {n}"),
        Value::Static(StaticNode::F64(x)) => format!("number {x}"),
        Value::String(s) => {
            let short: String = s.chars().take(40).collect();
            let dots = if short.len() < s.len() { "..." } else { "" };
            format!("string \"{short}{dots}\"")
        }
        Value::Array(a) => format!("a list of {} values", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

fn serde_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A simd-json value as a serde_json value, object keys sorted (as Milvus stores them);
/// `None` if it holds a non-integer number or `-0`, whose text the exact reader keeps as
/// written (`1.50`, `1E2`, `-0`) where serde_json would print another (`1.5`, `100.0`, `0`).
pub(crate) fn to_serde(v: &Value<'_>) -> Option<serde_json::Value> {
    Some(match v {
        Value::Static(StaticNode::Null) => serde_json::Value::Null,
        Value::Static(StaticNode::Bool(b)) => serde_json::Value::Bool(*b),
        // I64(0) is the text `-0` (see `convert::number`), which would be written `0`.
        Value::Static(StaticNode::I64(0) | StaticNode::F64(_)) => return None,
        Value::Static(StaticNode::I64(n)) => serde_json::Value::from(*n),
        Value::Static(StaticNode::U64(n)) => serde_json::Value::from(*n),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Array(a) => serde_json::Value::Array(a.iter().map(to_serde).collect::<Option<_>>()?),
        Value::Object(o) => {
            let sorted: BTreeMap<&str, &Value<'_>> = o.iter().map(|(k, v)| (&**k, v)).collect();
            serde_json::Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, v)| Some((k.to_string(), to_serde(v)?)))
                    .collect::<Option<_>>()?,
            )
        }
    })
}

/// Whether a serde_json value holds a non-integer number (see [`to_serde`]).
fn has_float(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Number(n) => n.is_f64(),
        serde_json::Value::Array(a) => a.iter().any(has_float),
        serde_json::Value::Object(o) => o.values().any(has_float),
        _ => false,
    }
}

/// The row is declined: a JSON value of `field` holds a number whose text must be kept.
pub(crate) fn literal_needed(loc: &RowLocation, field: &str) -> RowError {
    RowError::new(
        loc,
        field,
        "numbers the fast path stores as written",
        "a non-integer number (left to the exact reader)",
    )
}

fn type_label(field: &FieldSchema) -> String {
    match (field.data_type, field.dim, field.element_type) {
        (t, Some(dim), _) if t.is_dense_vector() => format!("{t}({dim})"),
        (DataType::Array, _, Some(et)) => format!("Array<{et}>"),
        (t, _, _) => t.to_string(),
    }
}

mod convert;
use convert::convert;
