//! Rows the engine returns (JSON objects, field -> value) as the protocol's columns
//! (`schema.FieldData`, one per field, typed by the collection's schema), for `Query` and
//! `Search` replies. Undeclared keys (dynamic fields) go to one `$meta` JSON column, as Milvus
//! returns them.

use milvus::proto::schema as ps;
use milvus::proto::schema::field_data::Field;
use milvus::proto::schema::scalar_field::Data as S;
use milvus::proto::schema::vector_field::Data as V;
use serde_json::{Map, Value};

use super::schema::{field_id, proto_type};
use crate::schema::{CollectionSchema, DataType, FieldSchema, META_FIELD};
use crate::validate::{f32_to_bf16, f32_to_f16};

/// The columns of `rows`: the fields of `schema` that `names` lists (each field, in schema
/// order, when `names` is `None`; the primary key too when `with_pk`), then `$meta` with the
/// other keys when the collection has dynamic fields.
pub fn columns(
    schema: &CollectionSchema,
    rows: &[Map<String, Value>],
    names: Option<&[String]>,
    with_pk: bool,
) -> Vec<ps::FieldData> {
    let mut out = Vec::new();
    let wanted = |f: &FieldSchema| names.is_none_or(|n| n.contains(&f.name));
    for (i, f) in schema.fields.iter().enumerate() {
        if f.function.is_some() || !((with_pk && f.is_primary) || wanted(f)) {
            continue;
        }
        let cells: Vec<&Value> = (rows.iter())
            .map(|r| r.get(&f.name).unwrap_or(&Value::Null))
            .collect();
        let mut fd = column(f, &cells);
        fd.field_id = field_id(i);
        out.push(fd);
    }
    if schema.enable_dynamic_field {
        let metas: Vec<Vec<u8>> = (rows.iter())
            .map(|r| {
                let extra: Map<String, Value> = (r.iter())
                    .filter(|(k, _)| schema.field(k).is_none())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Value::Object(extra).to_string().into_bytes()
            })
            .collect();
        let dynamic_wanted = names.is_none_or(|n| n.iter().any(|x| schema.field(x).is_none()));
        if dynamic_wanted {
            out.push(ps::FieldData {
                r#type: ps::DataType::Json as i32,
                field_name: META_FIELD.into(),
                field: Some(Field::Scalars(scalar(S::JsonData(ps::JsonArray {
                    data: metas,
                })))),
                is_dynamic: true,
                ..Default::default()
            });
        }
    }
    out
}

fn scalar(data: S) -> ps::ScalarField {
    ps::ScalarField {
        data: Some(data),
        ..Default::default()
    }
}

fn floats(v: &Value) -> impl Iterator<Item = f32> + '_ {
    (v.as_array().into_iter().flatten()).map(|x| x.as_f64().unwrap_or(0.0) as f32)
}

fn ints(v: &Value) -> impl Iterator<Item = i64> + '_ {
    (v.as_array().into_iter().flatten()).map(|x| x.as_i64().unwrap_or(0))
}

/// One column of `field` from its cells (JSON as the engine gives them; null when absent).
pub fn column(field: &FieldSchema, cells: &[&Value]) -> ps::FieldData {
    let valid: Vec<bool> = cells.iter().map(|c| !c.is_null()).collect();
    let dim = field.dim_or_zero();
    let field_data = match field.data_type {
        DataType::ArrayOfStruct => Field::StructArrays(struct_column(field, cells)),
        t if t.is_vector() => Field::Vectors(vector_column(t, dim, cells)),
        t => Field::Scalars(scalar(scalar_column(t, field.element_type, cells))),
    };
    ps::FieldData {
        r#type: proto_type(field.data_type) as i32,
        field_name: field.name.clone(),
        field: Some(field_data),
        valid_data: if field.nullable { valid } else { Vec::new() },
        ..Default::default()
    }
}

fn scalar_column(t: DataType, element: Option<DataType>, cells: &[&Value]) -> S {
    match t {
        DataType::Bool => S::BoolData(ps::BoolArray {
            data: cells.iter().map(|c| c.as_bool().unwrap_or(false)).collect(),
        }),
        DataType::Int8 | DataType::Int16 | DataType::Int32 => S::IntData(ps::IntArray {
            data: cells
                .iter()
                .map(|c| c.as_i64().unwrap_or(0) as i32)
                .collect(),
        }),
        DataType::Int64 => S::LongData(ps::LongArray {
            data: cells.iter().map(|c| c.as_i64().unwrap_or(0)).collect(),
        }),
        DataType::Float => S::FloatData(ps::FloatArray {
            data: cells
                .iter()
                .map(|c| c.as_f64().unwrap_or(0.0) as f32)
                .collect(),
        }),
        DataType::Double => S::DoubleData(ps::DoubleArray {
            data: cells.iter().map(|c| c.as_f64().unwrap_or(0.0)).collect(),
        }),
        DataType::VarChar => S::StringData(ps::StringArray {
            data: cells
                .iter()
                .map(|c| c.as_str().unwrap_or("").to_string())
                .collect(),
        }),
        DataType::Geometry => S::GeometryWktData(ps::GeometryWktArray {
            data: cells
                .iter()
                .map(|c| c.as_str().unwrap_or("").to_string())
                .collect(),
        }),
        DataType::Timestamptz => S::TimestamptzData(ps::TimestamptzArray {
            data: (cells.iter())
                .map(|c| {
                    (c.as_str())
                        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                        .map_or(0, |t| t.timestamp_micros())
                })
                .collect(),
        }),
        DataType::Array => {
            let et = element.unwrap_or(DataType::Int64);
            S::ArrayData(ps::ArrayArray {
                data: (cells.iter())
                    .map(|c| {
                        let items: Vec<&Value> = c.as_array().into_iter().flatten().collect();
                        scalar(scalar_column(et, None, &items))
                    })
                    .collect(),
                element_type: proto_type(et) as i32,
            })
        }
        // JSON, and anything else: the JSON text.
        _ => S::JsonData(ps::JsonArray {
            data: cells.iter().map(|c| c.to_string().into_bytes()).collect(),
        }),
    }
}

fn vector_column(t: DataType, dim: usize, cells: &[&Value]) -> ps::VectorField {
    let halves = |conv: fn(f32) -> u16| -> Vec<u8> {
        (cells.iter())
            .flat_map(|c| floats(c).flat_map(move |x| conv(x).to_le_bytes()))
            .collect()
    };
    let data = match t {
        DataType::FloatVector => V::FloatVector(ps::FloatArray {
            data: cells.iter().flat_map(|c| floats(c)).collect(),
        }),
        DataType::BinaryVector => V::BinaryVector(
            cells
                .iter()
                .flat_map(|c| ints(c).map(|b| b as u8))
                .collect(),
        ),
        DataType::Float16Vector => V::Float16Vector(halves(f32_to_f16)),
        DataType::BFloat16Vector => V::Bfloat16Vector(halves(f32_to_bf16)),
        DataType::Int8Vector => V::Int8Vector(
            cells
                .iter()
                .flat_map(|c| ints(c).map(|b| b as i8 as u8))
                .collect(),
        ),
        // Sparse: each row `(u32 index, f32 value)` pairs, little-endian, by index.
        _ => {
            let mut max_dim = 0i64;
            let contents = (cells.iter())
                .map(|c| {
                    let mut pairs: Vec<(u32, f32)> = (c.as_object().into_iter().flatten())
                        .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_f64()? as f32)))
                        .collect();
                    pairs.sort_by_key(|p| p.0);
                    if let Some(last) = pairs.last() {
                        max_dim = max_dim.max(i64::from(last.0) + 1);
                    }
                    (pairs.iter())
                        .flat_map(|(i, x)| i.to_le_bytes().into_iter().chain(x.to_le_bytes()))
                        .collect()
                })
                .collect();
            return ps::VectorField {
                dim: max_dim,
                data: Some(V::SparseFloatVector(ps::SparseFloatArray {
                    contents,
                    dim: max_dim,
                })),
                ..Default::default()
            };
        }
    };
    ps::VectorField {
        dim: dim as i64,
        data: Some(data),
        ..Default::default()
    }
}

/// An `ArrayOfStruct` column: one column per member, each row's values of it as an array
/// (a vector member as a `VectorArray`).
fn struct_column(field: &FieldSchema, cells: &[&Value]) -> ps::StructArrayField {
    let fields = (field.struct_fields.iter())
        .map(|m| {
            let per_row: Vec<Vec<&Value>> = (cells.iter())
                .map(|c| {
                    (c.as_array().into_iter().flatten())
                        .map(|s| s.get(&m.name).unwrap_or(&Value::Null))
                        .collect()
                })
                .collect();
            let (t, data) = if m.data_type.is_vector() {
                let data = (per_row.iter())
                    .map(|items| vector_column(m.data_type, m.dim_or_zero(), items))
                    .collect();
                let array = ps::VectorArray {
                    dim: m.dim_or_zero() as i64,
                    data,
                    element_type: proto_type(m.data_type) as i32,
                };
                let vf = ps::VectorField {
                    dim: m.dim_or_zero() as i64,
                    data: Some(V::VectorArray(array)),
                    ..Default::default()
                };
                (ps::DataType::ArrayOfVector, Field::Vectors(vf))
            } else {
                let data = (per_row.iter())
                    .map(|items| scalar(scalar_column(m.data_type, None, items)))
                    .collect();
                let array = S::ArrayData(ps::ArrayArray {
                    data,
                    element_type: proto_type(m.data_type) as i32,
                });
                (ps::DataType::Array, Field::Scalars(scalar(array)))
            };
            ps::FieldData {
                r#type: t as i32,
                field_name: m.name.clone(),
                field: Some(data),
                ..Default::default()
            }
        })
        .collect();
    ps::StructArrayField { fields }
}
