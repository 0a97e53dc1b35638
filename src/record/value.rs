//! Turning stored rows back into JSON objects for `query` and `search` output.

use serde_json::{Map, Value, json};

use super::{ColumnData, RowBatch};
use crate::schema::{CollectionSchema, FieldSchema};

fn f32_json(v: f32) -> Value {
    // Print the shortest text that reads back as the same f32 (1.1, not 1.100000023841858).
    let text = v.to_string();
    text.parse::<f64>().map_or(Value::Null, |d| json!(d))
}

/// Value of row `row` of a column of `field` as JSON.
pub fn field_cell_to_json(field: &FieldSchema, data: &ColumnData, row: usize) -> Value {
    match data {
        ColumnData::ArrayOfStruct(rows) => {
            let members = &rows[row];
            let len = members.first().map_or(0, ColumnData::len);
            Value::Array(
                (0..len)
                    .map(|i| {
                        let mut m = Map::new();
                        for (f, col) in field.struct_fields.iter().zip(members) {
                            m.insert(f.name.clone(), cell_to_json(col, i));
                        }
                        Value::Object(m)
                    })
                    .collect(),
            )
        }
        _ => cell_to_json(data, row),
    }
}

/// Value of row `row` of a column as JSON (an array of structs as lists of member values;
/// [`field_cell_to_json`] names them).
pub fn cell_to_json(data: &ColumnData, row: usize) -> Value {
    match data {
        ColumnData::Bool(v) => json!(v[row]),
        ColumnData::Int8(v) => json!(v[row]),
        ColumnData::Int16(v) => json!(v[row]),
        ColumnData::Int32(v) => json!(v[row]),
        ColumnData::Int64(v) => json!(v[row]),
        ColumnData::Float(v) => f32_json(v[row]),
        ColumnData::Double(v) => json!(v[row]),
        ColumnData::VarChar(v) => json!(v[row]),
        ColumnData::Json(v) => serde_json::from_str(&v[row]).unwrap_or(Value::Null),
        ColumnData::Array(v) => {
            let a = &v[row];
            Value::Array((0..a.len()).map(|i| cell_to_json(a, i)).collect())
        }
        ColumnData::FloatVector { dim, values } => Value::Array(
            values[row * dim..(row + 1) * dim]
                .iter()
                .map(|x| f32_json(*x))
                .collect(),
        ),
        ColumnData::BinaryVector { dim, bytes } => {
            let w = dim / 8;
            json!(&bytes[row * w..(row + 1) * w])
        }
        ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
            let is_bf16 = matches!(data, ColumnData::BFloat16Vector { .. });
            Value::Array(
                bits[row * dim..(row + 1) * dim]
                    .iter()
                    .map(|b| {
                        let f = if is_bf16 {
                            f32::from_bits(u32::from(*b) << 16)
                        } else {
                            half_to_f32(*b)
                        };
                        f32_json(f)
                    })
                    .collect(),
            )
        }
        ColumnData::SparseFloatVector(v) => {
            let mut m = Map::new();
            for (i, x) in &v[row] {
                m.insert(i.to_string(), f32_json(*x));
            }
            Value::Object(m)
        }
        ColumnData::Int8Vector { dim, values } => json!(&values[row * dim..(row + 1) * dim]),
        ColumnData::Geometry(v) => json!(v[row]),
        ColumnData::Timestamptz(v) => json!(timestamptz_text(v[row])),
        ColumnData::ArrayOfStruct(rows) => Value::Array(
            rows[row]
                .iter()
                .map(|c| Value::Array((0..c.len()).map(|i| cell_to_json(c, i)).collect()))
                .collect(),
        ),
    }
}

/// Microseconds since the epoch as ISO-8601 UTC with six fraction digits
/// (`2025-01-31T00:00:00.000000Z`), as `query` shows a Timestamptz.
pub fn timestamptz_text(micros: i64) -> String {
    match chrono::DateTime::from_timestamp_micros(micros) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        None => micros.to_string(),
    }
}

/// IEEE 754 binary16 bits to f32.
pub fn half_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: normalise.
            let mut e = 127 - 15 + 1;
            let mut m = man;
            while m & 0x400 == 0 {
                m <<= 1;
                e -= 1;
            }
            sign | (e << 23) | ((m & 0x3ff) << 13)
        }
        (0x1f, _) => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// Row `row` of `batch` as a JSON object: each field (or only `output` fields) by name,
/// null for null cells, and the keys of `$meta` under their own names.
pub fn row_to_json(
    schema: &CollectionSchema,
    batch: &RowBatch,
    row: usize,
    output: Option<&[String]>,
) -> Map<String, Value> {
    let wanted = |name: &str| output.is_none_or(|o| o.iter().any(|n| n == name));
    let mut out = Map::new();
    for (field, col) in schema.fields.iter().zip(&batch.columns) {
        // A function's output is not stored: vecload does not run functions.
        if field.function.is_some() {
            continue;
        }
        if field.is_primary || wanted(&field.name) {
            let v = if col.is_valid(row) {
                field_cell_to_json(field, &col.data, row)
            } else {
                Value::Null
            };
            out.insert(field.name.clone(), v);
        }
    }
    if let Some(meta) = &batch.meta
        && let Ok(Value::Object(m)) = serde_json::from_str::<Value>(&meta[row])
    {
        for (k, v) in m {
            if wanted(&k) && !out.contains_key(&k) {
                out.insert(k, v);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_floats_convert() {
        assert_eq!(half_to_f32(0x3c00), 1.0);
        assert_eq!(half_to_f32(0xc000), -2.0);
        assert_eq!(half_to_f32(0x0001), 5.960_464_5e-8);
        assert!(half_to_f32(0x7c00).is_infinite());
    }

    #[test]
    fn timestamps_print_as_utc_with_microseconds() {
        assert_eq!(timestamptz_text(1_500_000), "1970-01-01T00:00:01.500000Z");
        assert_eq!(timestamptz_text(-1), "1969-12-31T23:59:59.999999Z");
    }

    #[test]
    fn floats_print_short() {
        assert_eq!(f32_json(1.1).to_string(), "1.1");
    }
}
