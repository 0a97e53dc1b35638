//! `json_rows`: any bytes as a JSON rows file (document and JSON Lines), framed and parsed
//! with `row::parse_unit` against two fixed schemas, as the pipeline's parse operator does,
//! by the exact reader alone and with simd-json in front of it.
//!
//! Schema A has an Int64 key, Int8, Float, VarChar(8), JSON, Array<Int32> (capacity 4),
//! FloatVector(3), BinaryVector(16), a nullable Int16, a Double with a default, and dynamic
//! fields. Schema B has an auto-id VarChar key, an Int64 partition key, sparse, Float16 and
//! BFloat16 vectors, Array<VarChar(4)> (capacity 3), a nullable Bool, an Int32 with a default,
//! and no dynamic fields. Schema C is schema A with `v` and `b` as Int8Vector(3) and
//! Int8Vector(2), so the corpus's vectors of A try the int8 element rule.
//!
//! Properties:
//! * nothing panics; every batch has one value per row in every column, mask and `$meta`;
//! * a unit that fails names a row of that unit (so below the rows framed), with that row's
//!   byte and line, and its batch holds exactly the rows before it;
//! * one row per unit and one unit for the whole file give the same rows and errors (when
//!   the file frames; if not, row by row may stop at a bad row before the framing error);
//! * simd-json in front of the exact reader gives exactly what the exact reader gives;
//! * accepted values obey the schema (lengths, capacities, finite floats, JSON text, sorted
//!   sparse indices), and a Float or FloatVector value is the number's text parsed by
//!   `str::parse::<f32>` (one rounding, from decimal to f32).

use std::sync::OnceLock;

use serde_json::Value;

use super::json_text::{elements, members};
use vecload::parse::json::JsonRowConverter;
use vecload::parse::json::framing::{Framer, FramingError, JsonFormat, RowSpan, rows_in};
use vecload::parse::json::row::{RowScratch, parse_unit};
use vecload::record::{ColumnData, RowBatch};
use vecload::schema::{CollectionSchema, DataType};
use vecload::validate::RowError;

/// Schema A (see the module docs).
pub const SCHEMA_A: &str = r#"{"collectionName": "fuzz_a",
 "schema": {"autoId": false, "enableDynamicField": true, "fields": [
  {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
  {"fieldName": "i8", "dataType": "Int8"},
  {"fieldName": "f", "dataType": "Float"},
  {"fieldName": "s", "dataType": "VarChar", "elementTypeParams": {"max_length": 8}},
  {"fieldName": "j", "dataType": "JSON"},
  {"fieldName": "a", "dataType": "Array", "elementDataType": "Int32",
   "elementTypeParams": {"max_capacity": 4}},
  {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 3}},
  {"fieldName": "b", "dataType": "BinaryVector", "elementTypeParams": {"dim": 16}},
  {"fieldName": "n", "dataType": "Int16", "nullable": true},
  {"fieldName": "d", "dataType": "Double", "defaultValue": 1.5}]}}"#;

/// Schema B (see the module docs).
pub const SCHEMA_B: &str = r#"{"collectionName": "fuzz_b",
 "schema": {"autoId": true, "enableDynamicField": false, "fields": [
  {"fieldName": "pk", "dataType": "VarChar", "isPrimary": true,
   "elementTypeParams": {"max_length": 16}},
  {"fieldName": "key", "dataType": "Int64", "isPartitionKey": true},
  {"fieldName": "sp", "dataType": "SparseFloatVector"},
  {"fieldName": "h", "dataType": "Float16Vector", "elementTypeParams": {"dim": 2}},
  {"fieldName": "bf", "dataType": "BFloat16Vector", "elementTypeParams": {"dim": 2}},
  {"fieldName": "tags", "dataType": "Array", "elementDataType": "VarChar",
   "elementTypeParams": {"max_capacity": 3, "max_length": 4}},
  {"fieldName": "ok", "dataType": "Bool", "nullable": true},
  {"fieldName": "i32", "dataType": "Int32", "defaultValue": 7}]},
 "params": {"partitionsNum": 4}}"#;

/// The file name errors carry.
const FILE: &str = "fuzz.json";

/// Schema C: schema A with its two dense vectors as Int8Vector (see the module docs).
fn schema_c() -> String {
    let text = SCHEMA_A
        .replace("fuzz_a", "fuzz_c")
        .replace(
            r#""v", "dataType": "FloatVector""#,
            r#""v", "dataType": "Int8Vector""#,
        )
        .replace(
            r#""b", "dataType": "BinaryVector", "elementTypeParams": {"dim": 16}"#,
            r#""b", "dataType": "Int8Vector", "elementTypeParams": {"dim": 2}"#,
        );
    assert_eq!(text.matches("Int8Vector").count(), 2, "schema A changed");
    text
}

fn schemas() -> &'static [CollectionSchema; 3] {
    static SCHEMAS: OnceLock<[CollectionSchema; 3]> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        [SCHEMA_A.to_string(), SCHEMA_B.to_string(), schema_c()].map(|text| {
            CollectionSchema::from_json(text.as_bytes(), 16).expect("the fuzz schemas are valid")
        })
    })
}

/// Parses `data` with both schemas, both formats, two unit sizes, and checks every property.
pub fn check(data: &[u8]) {
    for schema in schemas() {
        for format in [JsonFormat::Document, JsonFormat::Lines] {
            let one_per_unit = parse(schema, data, format, 0, false);
            let one_unit = parse(schema, data, format, usize::MAX, false);
            let simd = parse(schema, data, format, usize::MAX, true);
            check_values(schema, data, &one_per_unit);
            assert_eq!(simd.framing, one_unit.framing);
            assert_eq!(simd.error, one_unit.error, "simd-json changes the error");
            assert_eq!(
                simd.spans, one_unit.spans,
                "simd-json changes the rows accepted"
            );
            assert!(
                same_rows(&simd.batch, &one_unit.batch),
                "simd-json changes the values"
            );
            if one_unit.framing.is_some() {
                // The one big unit never came; row by row, a bad row may come first.
                assert!(
                    one_per_unit.framing == one_unit.framing || one_per_unit.error.is_some(),
                    "unit size changes the framing error"
                );
                continue;
            }
            assert_eq!(one_per_unit.framing, None);
            assert_eq!(
                one_per_unit.error, one_unit.error,
                "unit size changes the error"
            );
            assert_eq!(one_per_unit.spans, one_unit.spans);
            assert!(
                one_per_unit.batch == one_unit.batch,
                "unit size changes the rows"
            );
        }
    }
}

/// What parsing a file gave: its accepted rows and where they are, and the first error.
#[derive(Debug)]
pub struct Parsed {
    /// Every accepted row, in file order.
    pub batch: RowBatch,
    /// The span of each accepted row.
    pub spans: Vec<RowSpan>,
    /// The first bad row, which stopped parsing.
    pub error: Option<RowError>,
    /// The framing error that stopped parsing.
    pub framing: Option<FramingError>,
}

/// Frames `data` in units of `size` bytes and parses each unit into a fresh batch, as
/// `pipeline::operators` does, until the first error; `simd_json` puts simd-json in front
/// of the exact reader.
pub fn parse(
    schema: &CollectionSchema,
    data: &[u8],
    format: JsonFormat,
    size: usize,
    simd_json: bool,
) -> Parsed {
    let mut out = Parsed {
        batch: RowBatch::empty(schema, 0),
        spans: Vec::new(),
        error: None,
        framing: None,
    };
    let mut framer = match Framer::new(data, format) {
        Ok(f) => f,
        Err(e) => {
            out.framing = Some(e);
            return out;
        }
    };
    let mut converter = JsonRowConverter::new(schema).expect("the fuzz schemas' defaults fit");
    let mut scratch = RowScratch::new(simd_json);
    while let Some(next) = framer.next_unit(size) {
        let unit = match next {
            Ok(unit) => unit,
            Err(e) => {
                out.framing = Some(e);
                break;
            }
        };
        let mut batch = RowBatch::empty(schema, 0);
        let result = parse_unit(
            FILE,
            data,
            format,
            &unit,
            &mut converter,
            &mut scratch,
            &mut batch,
        );
        let rows = super::batch_rows(&batch);
        let spans: Vec<RowSpan> = rows_in(data, &unit, format).collect();
        let accepted = match &result {
            Ok(()) => {
                assert_eq!(
                    rows as u64, unit.rows,
                    "a unit parsed into the wrong row count"
                );
                rows
            }
            Err(e) => {
                let row = e.location.row;
                assert!(
                    unit.first_row <= row && row < unit.first_row + unit.rows,
                    "error names row {row}, not a row of {unit:?}"
                );
                assert!(row < framer.rows(), "error names a row not framed yet");
                assert_eq!(
                    rows as u64,
                    row - unit.first_row,
                    "rows kept before the bad one"
                );
                let span = spans[rows];
                assert_eq!(e.location.byte, Some(span.start as u64), "error byte");
                assert_eq!(e.location.line, span.line, "error line");
                assert_eq!(e.location.file, FILE);
                rows
            }
        };
        for r in 0..rows {
            assert!(out.batch.push_row_from(&batch, r), "batch shapes differ");
        }
        out.spans.extend_from_slice(&spans[..accepted]);
        if let Err(e) = result {
            out.error = Some(e);
            break;
        }
    }
    super::batch_rows(&out.batch);
    out
}

/// Accepted values obey the schema; Float values are the decimal text rounded once.
fn check_values(schema: &CollectionSchema, data: &[u8], parsed: &Parsed) {
    for (field, column) in schema.fields.iter().zip(&parsed.batch.columns) {
        match (&column.data, field.data_type) {
            (ColumnData::VarChar(v), DataType::VarChar) => {
                let max = field.max_length.unwrap_or(usize::MAX);
                assert!(v.iter().all(|s| s.len() <= max), "VarChar over max_length");
            }
            (ColumnData::Json(v), DataType::Json) => {
                for s in v {
                    assert!(serde_json::from_str::<Value>(s).is_ok(), "JSON value {s:?}");
                }
            }
            (ColumnData::Float(v), _) => assert!(v.iter().all(|x| x.is_finite())),
            (ColumnData::FloatVector { values, .. }, _) => {
                assert!(values.iter().all(|x| x.is_finite()))
            }
            (ColumnData::Float16Vector { bits, .. }, _) => {
                assert!(bits.iter().all(|b| b & 0x7c00 != 0x7c00), "float16 inf/NaN")
            }
            (ColumnData::BFloat16Vector { bits, .. }, _) => {
                assert!(
                    bits.iter().all(|b| b & 0x7f80 != 0x7f80),
                    "bfloat16 inf/NaN"
                )
            }
            (ColumnData::SparseFloatVector(rows), _) => {
                for pairs in rows {
                    assert!(pairs.windows(2).all(|w| w[0].0 < w[1].0), "sparse order");
                    assert!(pairs.iter().all(|p| p.1.is_finite() && p.1 >= 0.0));
                }
            }
            (ColumnData::Array(rows), DataType::Array) => {
                let cap = field.max_capacity.unwrap_or(usize::MAX);
                let max = field.max_length.unwrap_or(usize::MAX);
                for elems in rows {
                    assert!(elems.len() <= cap, "array over max_capacity");
                    match (elems, field.element_type) {
                        (ColumnData::Int32(_), Some(DataType::Int32)) => {}
                        (ColumnData::VarChar(v), Some(DataType::VarChar)) => {
                            assert!(v.iter().all(|s| s.len() <= max), "element over max_length")
                        }
                        (e, t) => panic!("array of {t:?} holds {e:?}"),
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(meta) = &parsed.batch.meta {
        for m in meta {
            assert!(
                matches!(serde_json::from_str(m), Ok(Value::Object(_))),
                "$meta {m:?}"
            );
        }
    }
    floats_round_once(schema, data, parsed);
}

/// A Float (or FloatVector element) equals `str::parse::<f32>` of the number's text.
fn floats_round_once(schema: &CollectionSchema, data: &[u8], parsed: &Parsed) {
    for (row, span) in parsed.spans.iter().enumerate() {
        let Some(members) = members(&data[span.start..span.end]) else {
            continue;
        };
        for (i, field) in schema.fields.iter().enumerate() {
            let mut given = members.iter().filter(|(k, _)| *k == field.name);
            let (Some((_, raw)), None) = (given.next(), given.next()) else {
                continue; // absent, or repeated
            };
            let texts: Vec<&[u8]> = match (&parsed.batch.columns[i].data, field.data_type) {
                (ColumnData::Float(_), DataType::Float) => vec![raw],
                (ColumnData::FloatVector { .. }, _) => elements(raw).unwrap_or_default(),
                _ => continue,
            };
            for (k, text) in texts.iter().enumerate() {
                let Some(want) = std::str::from_utf8(text)
                    .ok()
                    .and_then(|t| t.parse::<f32>().ok())
                else {
                    continue;
                };
                let got = match &parsed.batch.columns[i].data {
                    ColumnData::Float(v) => v[row],
                    ColumnData::FloatVector { dim, values } => values[row * dim + k],
                    _ => continue,
                };
                assert!(
                    got == want,
                    "row {row}, field {}: {} parsed as {got:e}, but str::parse::<f32> gives {want:e}",
                    field.name,
                    String::from_utf8_lossy(text)
                );
            }
        }
    }
}

/// Batch equality with floats compared by bits (so `-0.0` and `0.0` differ).
fn same_rows(a: &RowBatch, b: &RowBatch) -> bool {
    // `{:?}` prints every float exactly and tells -0.0 from 0.0; no NaN is ever accepted.
    format!("{a:?}") == format!("{b:?}")
}
