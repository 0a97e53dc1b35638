//! The JSON rules of issue 3, one data-driven case each, through the real engine.
//!
//! Every directory under `data/json/pass` and `data/json/fail` is a case: `schema.json`
//! (the collection), one input file (`input.json`, `input.jsonl` or `input.ndjson`) and
//! either `expected.json` (the rows as `row_to_json` renders them, in file order) or
//! `error.txt` (substrings the task's failure reason must contain, one per line).
//! Each case has its own test below; `every_case_directory_has_a_test` keeps the two lists
//! in step.

use std::cmp::Ordering;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use vecload::ledger::{TaskRecord, TaskState};
use vecload::record::row_to_json;
use vecload::{Engine, JsonParser};

use crate::util::{files_under, options, repo};

const INPUTS: [&str; 3] = ["input.json", "input.jsonl", "input.ndjson"];

cases!(pass {
    array_fields,
    array_of_struct,
    function_output_absent,
    geometry_wkt,
    timestamptz_iso,
    auto_id_primary_key,
    bfloat16_vector,
    binary_vector_bytes,
    bool_true_false,
    default_values,
    duplicate_keys_last_wins,
    dynamic_extra_keys,
    empty_rows_list,
    empty_rows_wrapped,
    escaped_keys,
    float16_vector,
    int8_vector,
    float_correctly_rounded,
    float_double_values,
    float_vector_values,
    format_bare_list,
    format_bom,
    format_jsonl_blank_lines,
    format_ndjson,
    format_root_key_case_insensitive,
    format_wrapped,
    int64_primary_key_exact,
    int_ranges,
    json_field_object_or_string,
    meta_object_merge,
    meta_string_merge,
    nullable_missing_or_null,
    sparse_vector_both_forms,
    varchar_primary_key,
    varchar_utf8_bytes,
});

cases!(fail {
    array_element_type,
    array_of_struct_member_dim,
    array_of_struct_member_type,
    array_of_struct_missing_member,
    array_of_struct_not_objects,
    array_of_struct_over_capacity,
    array_of_struct_unknown_key,
    function_output_given,
    geometry_not_wkt,
    geometry_number,
    timestamptz_beyond_microseconds,
    timestamptz_not_iso,
    timestamptz_number,
    array_float_element_overflow,
    array_int8_element_range,
    array_not_list,
    array_over_capacity,
    array_varchar_element_too_long,
    auto_id_primary_key_given,
    bad_escape,
    bfloat16_overflow,
    binary_vector_float,
    binary_vector_negative,
    binary_vector_value_range,
    binary_vector_wrong_length,
    int8_vector_below_range,
    int8_vector_float,
    int8_vector_string,
    int8_vector_value_range,
    int8_vector_wrong_length,
    bool_null,
    bool_number,
    bool_string,
    control_char_in_string,
    default_wrong_type,
    double_bool,
    double_out_of_range,
    empty_file,
    extra_root_key,
    float16_overflow,
    float16_wrong_dim,
    float_just_above_max,
    float_out_of_range,
    float_string,
    float_vector_missing,
    float_vector_not_number,
    float_vector_null,
    float_vector_overflow,
    float_vector_wrong_dim,
    int16_above_max,
    int32_below_min,
    int64_above_max,
    int64_below_min,
    int64_far_out_of_range,
    int8_above_max,
    int8_below_min,
    int_decimal_point,
    int_exponent,
    int_string,
    invalid_json_in_row,
    json_field_array,
    json_field_bad_string,
    json_field_number,
    leading_zero_number,
    meta_duplicate_key,
    meta_field_not_dynamic,
    meta_not_object,
    meta_string_duplicate_key,
    meta_string_not_json,
    meta_string_not_object,
    missing_colon,
    missing_field,
    missing_field_jsonl,
    non_object_row,
    non_object_row_jsonl,
    not_a_rows_file,
    nullable_wrong_type,
    primary_key_string,
    sparse_bad_key,
    sparse_duplicate_index,
    sparse_index_too_large,
    sparse_length_mismatch,
    sparse_negative_value,
    sparse_not_object,
    trailing_data,
    trailing_data_wrapped,
    two_rows_on_one_line,
    unknown_field_not_dynamic,
    varchar_lone_surrogate,
    varchar_not_string,
    varchar_primary_key_number,
    varchar_too_long_multibyte,
    wrong_root_key,
});

#[test]
fn every_case_directory_has_a_test() {
    crate::util::assert_cases_listed("data/json", pass::NAMES, fail::NAMES);
}

/// Imports the case's input into a fresh engine, once with each JSON row parser, and checks
/// the outcome: both must accept the same rows and give the same errors.
fn run_case(kind: &str, name: &str) {
    for parser in [JsonParser::Exact, JsonParser::SimdJson] {
        run_case_with(kind, name, parser);
    }
}

fn run_case_with(kind: &str, name: &str, parser: JsonParser) {
    let dir = repo().join("data/json").join(kind).join(name);
    let input = INPUTS
        .iter()
        .find(|f| dir.join(f).exists())
        .unwrap_or_else(|| panic!("{name}: no input file"));
    let rel = format!("data/json/{kind}/{name}/{input}");
    let data = tempfile::tempdir().expect("temp dir");
    let mut opts = options();
    opts.import.json_parser = parser;
    let engine = Engine::open(data.path(), opts).expect("open engine");
    let schema = std::fs::read(dir.join("schema.json")).expect("schema.json");
    let collection = engine
        .create_collection_from_json(&schema)
        .expect("collection");
    let id = engine
        .do_bulk_insert(&collection, None, std::slice::from_ref(&rel))
        .expect("import");
    let task = engine
        .wait(id, Some(Duration::from_secs(60)))
        .expect("wait");
    match kind {
        "pass" => check_pass(&engine, &collection, &dir, &task),
        _ => check_fail(&engine, &collection, &dir, data.path(), &task),
    }
}

pub(crate) fn check_pass(engine: &Engine, collection: &str, dir: &Path, task: &TaskRecord) {
    assert_eq!(task.state, TaskState::Completed, "{}", task.failed_reason);
    let text = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
    let expected: Vec<Value> = serde_json::from_str(&text).expect("expected.json: a list");
    assert_eq!(task.row_count, expected.len() as u64, "row_count");
    assert_eq!(
        engine.count(collection, None).expect("count"),
        expected.len() as u64
    );
    let snap = engine.snapshot(collection).expect("snapshot");
    let schema = &snap.schema;
    let pk = schema.primary().name.clone();
    let mut rows = Vec::new();
    for (_, path) in &snap.segments {
        let batch = vecload::segment::read_all(path).expect("segment");
        for r in 0..batch.len() {
            rows.push(Value::Object(row_to_json(schema, &batch, r, None)));
        }
    }
    rows.sort_by(|a, b| by_key(&a[&pk], &b[&pk]));
    let mut expected = expected;
    if schema.auto_id {
        // Generated ids follow file order; the file cannot know them.
        rows.iter_mut().for_each(|r| {
            if let Some(r) = r.as_object_mut() {
                r.remove(&pk);
            }
        });
    } else {
        expected.sort_by(|a, b| by_key(&a[&pk], &b[&pk]));
    }
    for (i, (got, want)) in rows.iter().zip(&expected).enumerate() {
        assert!(
            same(got, want),
            "row {i} (sorted by primary key)\n got: {got}\nwant: {want}"
        );
    }
    assert_eq!(rows.len(), expected.len());
}

/// JSON equality, where two floats may differ by 2 units in the last place: serde_json's
/// default float parser (reading expected.json) is not always correctly rounded. Stored
/// values are f32, whose smallest error is 2^29 f64 units; integers must match exactly and
/// an integer never equals a float.
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() && y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
            x == y || (x.signum() == y.signum() && x.to_bits().abs_diff(y.to_bits()) <= 2)
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn by_key(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_i64().cmp(&y.as_i64()),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

pub(crate) fn check_fail(
    engine: &Engine,
    collection: &str,
    dir: &Path,
    data: &Path,
    task: &TaskRecord,
) {
    assert_eq!(
        task.state,
        TaskState::FailedAndCleaned,
        "should fail, got {task:?}"
    );
    let want = std::fs::read_to_string(dir.join("error.txt")).expect("error.txt");
    let reason = &task.failed_reason;
    let missing: Vec<&str> = want
        .lines()
        .filter(|l| !l.is_empty() && !reason.contains(*l))
        .collect();
    assert!(missing.is_empty(), "reason {reason:?}\nlacks {missing:?}");
    assert_eq!(task.row_count, 0, "row_count of a failed task");
    assert_eq!(engine.count(collection, None).expect("count"), 0);
    let left = files_under(&data.join("segments"));
    assert!(left.is_empty(), "files left: {left:?}");
}
