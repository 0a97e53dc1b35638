//! The simd-json fast path: a row parsed by simd-json is checked against the schema and
//! appended to a batch. It accepts only rows it can convert exactly as the exact reader
//! ([`super::JsonRowConverter`]) would; anything else (a bad row, a number
//! simd-json cannot hold or that needs its literal, an f32 rounding midpoint, a duplicate
//! key, a row of over 32 keys) is declined, and the caller hands that row's text to the exact reader, which accepts
//! it or names the precise error.

use std::collections::{BTreeMap, HashMap};

use simd_json::{BorrowedValue as Value, StaticNode};

use super::JsonRowConverter;
use crate::location::RowLocation;
use crate::record::{Column, RowBatch};
use crate::schema::{CollectionSchema, FieldSchema, META_FIELD};
use crate::validate::{self, RowError};

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
        // Defaults read once, by the exact reader: the two paths fill the same values.
        let defaults = JsonRowConverter::new(schema)?.defaults().to_vec();
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
        let mut extra: Vec<(String, String)> = Vec::new();
        let mut given_meta: Option<Vec<(String, String)>> = None;
        for (key, value) in obj.iter() {
            let key: &str = key;
            if let Some(&i) = self.by_name.get(key) {
                let field = &schema.fields[i];
                if schema.is_generated(i) {
                    return Err(validate::auto_id_given(field, describe(value)).at(loc));
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
                let value = to_serde(key, value, 1, loc)?;
                extra.push((key.to_string(), value.to_string()));
            } else {
                return Err(validate::unknown_key(key).at(loc));
            }
        }
        for (i, seen) in self.seen.iter().enumerate() {
            if !seen {
                let default = self.defaults[i].as_ref();
                let how = validate::missing(schema, i, default.is_some()).map_err(|v| v.at(loc))?;
                validate::fill(&mut batch.columns[i], how, default);
            }
        }
        if let Some(meta) = &mut batch.meta {
            let given = given_meta.unwrap_or_default();
            meta.push(validate::merge_meta(given, &mut extra).map_err(|v| v.at(loc))?);
        }
        Ok(())
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
        let how = validate::null(field, default.is_some()).map_err(|v| v.at(loc))?;
        validate::fill(col, how, default);
        return Ok(());
    }
    convert(field, value, loc, &mut col.data)?;
    if let Some(v) = &mut col.validity {
        v.push(true);
    }
    Ok(())
}

/// `$meta`: an object, or a string holding one; its members as (key, JSON text), sorted.
fn meta_object(value: &Value<'_>, loc: &RowLocation) -> Result<Vec<(String, String)>, RowError> {
    let parsed = match value {
        Value::Object(_) => to_serde(META_FIELD, value, 1, loc)?,
        Value::String(s) => {
            validate::json_object_text(s).map_err(|v| v.at(loc))?;
            // Parsed again by simd-json, so that nested keys are sorted and numbers kept
            // as written exactly as for an object given as is.
            let mut text = s.as_bytes().to_vec();
            let inner = simd_json::to_borrowed_value(&mut text)
                .map_err(|e| validate::meta_shape(format!("a string that is not JSON ({e})")))
                .map_err(|v| v.at(loc))?;
            to_serde(META_FIELD, &inner, 1, loc)?
        }
        other => return Err(validate::meta_shape(describe(other)).at(loc)),
    };
    match parsed {
        serde_json::Value::Object(m) => {
            let mut members: Vec<(String, String)> =
                m.into_iter().map(|(k, v)| (k, v.to_string())).collect();
            validate::sort_members(&mut members);
            Ok(members)
        }
        _ => Err(validate::meta_shape("a string holding no object").at(loc)),
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

/// A simd-json value as a serde_json value, object keys sorted (as Milvus stores them),
/// under the rule book's JSON depth (`depth`: the level a list or object here opens). The
/// row is declined (left to the exact reader) if the value holds a non-integer number or
/// `-0`, whose text the exact reader keeps as written (`1.50`, `1E2`, `-0`) where
/// serde_json would print another (`1.5`, `100.0`, `0`).
pub(crate) fn to_serde(
    field: &str,
    v: &Value<'_>,
    depth: usize,
    loc: &RowLocation,
) -> Result<serde_json::Value, RowError> {
    if matches!(v, Value::Array(_) | Value::Object(_)) {
        validate::json_depth(field, depth).map_err(|e| e.at(loc))?;
    }
    Ok(match v {
        Value::Static(StaticNode::Null) => serde_json::Value::Null,
        Value::Static(StaticNode::Bool(b)) => serde_json::Value::Bool(*b),
        // I64(0) is the text `-0` (see `convert::number`), which would be written `0`.
        Value::Static(StaticNode::I64(0) | StaticNode::F64(_)) => {
            return Err(literal_needed(loc, field));
        }
        Value::Static(StaticNode::I64(n)) => serde_json::Value::from(*n),
        Value::Static(StaticNode::U64(n)) => serde_json::Value::from(*n),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Array(a) => serde_json::Value::Array(
            a.iter()
                .map(|x| to_serde(field, x, depth + 1, loc))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(o) => {
            let sorted: BTreeMap<&str, &Value<'_>> = o.iter().map(|(k, v)| (&**k, v)).collect();
            serde_json::Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, v)| Ok((k.to_string(), to_serde(field, v, depth + 1, loc)?)))
                    .collect::<Result<_, RowError>>()?,
            )
        }
    })
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

mod convert;
use convert::convert;
