//! Parquet import through the real engine: every case of `data/parquet` (written by
//! `tools/gen_parquet.py`), one test each, read both mapped and by ranged reads; the book
//! rows from the CLI, REST and S3; and the file pymilvus 2.5.18's `LocalBulkWriter` writes
//! by default, imported unchanged.

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use vecload::Engine;
use vecload::ledger::TaskState;
use vecload::source::{LocalRoot, ReadTuning};

use crate::json::{check_fail, check_pass};
use crate::util::{book_engine_on, options, repo, rows_of, vecload};

cases!(pass {
    arrays,
    auto_id,
    book,
    byte_vectors,
    codec_brotli,
    codec_gzip,
    codec_lz4,
    codec_none,
    codec_snappy,
    codec_zstd,
    data_page_v2,
    default_values,
    dictionary_columns,
    dynamic_columns,
    float_vector_forms,
    int8_vectors,
    integer_and_float_widening,
    large_types,
    meta_column,
    nullable_with_nulls,
    pandas_categorical,
    row_groups,
    scalars,
    sparse_json_strings,
    sparse_struct,
    varchar_primary_key,
    zero_rows,
});

cases!(fail {
    array_element_out_of_range,
    array_over_capacity,
    auto_id_column_given,
    binary_vector_wrong_bytes,
    damaged_bad_magic,
    damaged_page,
    damaged_truncated_file,
    damaged_truncated_footer,
    dictionary_of_strings_for_int,
    dim_mismatch,
    dim_mismatch_in_third_row_group,
    float16_inf_bits,
    float_for_int,
    int8_vector_floats,
    int8_vector_out_of_range,
    int8_vector_wrong_dim,
    int_out_of_range,
    json_invalid,
    meta_key_clash,
    meta_not_json,
    meta_not_object,
    missing_required_column,
    missing_vector_column,
    nan_in_double,
    nan_in_vector,
    null_in_required,
    null_vector,
    sparse_negative_value,
    sparse_struct_lengths,
    uint64_out_of_range,
    unknown_column_not_dynamic,
    varchar_too_long,
    vector_float64_overflows_float32,
    vector_of_strings,
    wrong_type,
});

#[test]
fn every_case_directory_has_a_test() {
    crate::util::assert_cases_listed("data/parquet", pass::NAMES, fail::NAMES);
}

/// Imports the case's file into a fresh engine, mapped and then read by small ranged
/// reads (the path object storage takes), and checks the outcome.
fn run_case(kind: &str, name: &str) {
    let dir = repo().join("data/parquet").join(kind).join(name);
    let rel = format!("data/parquet/{kind}/{name}/input.parquet");
    for ranged in [false, true] {
        let data = tempfile::tempdir().expect("temp dir");
        let mut opts = options();
        if ranged {
            let tuning = ReadTuning {
                chunk_bytes: 64,
                ..ReadTuning::default()
            };
            opts.storage = LocalRoot::confined(repo()).buffered(tuning).into();
        }
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
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn the_cli_imports_the_book_as_parquet_like_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(&vecload(
        d,
        &["collection", "create", "data/book/schema.json"],
    ));
    let out = ok(&vecload(
        d,
        &["--json", "import", "-c", "book", "data/book/book.parquet"],
    ));
    let task: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(task["state"], "Completed", "{task}");
    assert_eq!(task["row_count"], 5);
    let out = ok(&vecload(d, &["--json", "count", "book"]));
    assert!(out.contains('5'), "{out}");
    // A bad file fails its task with the row, row group and field.
    let bad = "data/parquet/fail/dim_mismatch_in_third_row_group/input.parquet";
    let schema = "data/parquet/fail/dim_mismatch_in_third_row_group/schema.json";
    ok(&vecload(d, &["collection", "create", schema]));
    let out = vecload(d, &["--json", "import", "-c", "c", bad]);
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("row 7 (row group 2), field \\\"v\\\": expected 2 floats, found 1")
            || text.contains("row 7 (row group 2), field \"v\": expected 2 floats, found 1"),
        "{text}"
    );
}

#[test]
fn rest_import_jobs_take_parquet_files() {
    let dir = tempfile::tempdir().unwrap();
    let s = crate::server::Server::start(dir.path(), &[]);
    let schema: Value =
        serde_json::from_slice(&std::fs::read(repo().join("data/book/schema.json")).unwrap())
            .unwrap();
    assert_eq!(s.post("/v2/vectordb/collections/create", schema)["code"], 0);
    let v = s.post(
        "/v2/vectordb/jobs/import/create",
        json!({"collectionName": "book", "files": [["data/book/book.parquet"]]}),
    );
    assert_eq!(v["code"], 0, "{v}");
    let job = v["data"]["jobId"].as_str().unwrap().to_string();
    let data = crate::server::wait_job(&s, &job);
    assert_eq!(data["state"], "Completed", "{data}");
    assert_eq!(data["importedRows"], 5, "{data}");
}

#[test]
fn the_book_as_parquet_imports_from_s3_like_from_disk() {
    let server = crate::util::S3Server::shared();
    let bucket = crate::util::bucket_name("parquet");
    server.create_bucket(&bucket);
    let root = server.root(&bucket, "imports");
    crate::util::upload(&root, &["data/book/book.parquet"]);
    let dir = tempfile::tempdir().unwrap();
    let tuning = ReadTuning {
        chunk_bytes: 100,
        ..ReadTuning::default()
    };
    let s3 = book_engine_on(
        &dir.path().join("s3"),
        root.with_tuning(tuning).into(),
        |_| {},
    );
    let local = book_engine_on(&dir.path().join("local"), options().storage, |_| {});
    for engine in [&s3, &local] {
        let files = vec!["data/book/book.parquet".to_string()];
        let id = engine.do_bulk_insert("book", None, &files).unwrap();
        let t = engine.wait(id, None).unwrap();
        assert_eq!(
            (t.state, t.row_count),
            (TaskState::Completed, 5),
            "{}",
            t.failed_reason
        );
    }
    assert_eq!(rows_of(&s3, "book"), rows_of(&local, "book"));
}

/// The Python with pymilvus that scripts/test.sh installs (or `VECLOAD_PYTHON`).
fn python() -> std::path::PathBuf {
    std::env::var_os("VECLOAD_PYTHON")
        .map_or_else(|| repo().join(".ci/venv/bin/python"), Into::into)
}

/// The schema `tests/pymilvus_parquet.py` writes rows for, as a vecload schema file.
const WRITER_SCHEMA: &str = r#"{"collectionName": "all25", "schema": {
  "autoId": false, "enableDynamicField": true, "fields": [
    {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
    {"fieldName": "b", "dataType": "Bool"},
    {"fieldName": "i8", "dataType": "Int8"},
    {"fieldName": "i16", "dataType": "Int16"},
    {"fieldName": "i32", "dataType": "Int32"},
    {"fieldName": "f", "dataType": "Float"},
    {"fieldName": "d", "dataType": "Double"},
    {"fieldName": "s", "dataType": "VarChar", "elementTypeParams": {"max_length": 64}},
    {"fieldName": "j", "dataType": "JSON"},
    {"fieldName": "arr", "dataType": "Array", "elementDataType": "Int32",
     "elementTypeParams": {"max_capacity": 4}},
    {"fieldName": "ns", "dataType": "VarChar", "nullable": true,
     "elementTypeParams": {"max_length": 8}},
    {"fieldName": "di", "dataType": "Int64", "defaultValue": 42},
    {"fieldName": "fv", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}},
    {"fieldName": "bv", "dataType": "BinaryVector", "elementTypeParams": {"dim": 16}},
    {"fieldName": "hv", "dataType": "Float16Vector", "elementTypeParams": {"dim": 4}},
    {"fieldName": "bfv", "dataType": "BFloat16Vector", "elementTypeParams": {"dim": 4}},
    {"fieldName": "sv", "dataType": "SparseFloatVector"}]},
  "params": {"shardsNum": 2}}"#;

#[test]
fn pymilvus_local_bulk_writer_parquet_imports_unchanged() {
    let py = python();
    assert!(
        py.exists(),
        "{} is missing: run scripts/test.sh (it installs pymilvus) or set VECLOAD_PYTHON",
        py.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("written");
    let out = Command::new(&py)
        .arg(repo().join("tests/pymilvus_parquet.py"))
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the writer failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0][0].ends_with("/1.parquet"), "{files:?}");
    let data = dir.path().join("data");
    let schema = dir.path().join("schema.json");
    std::fs::write(&schema, WRITER_SCHEMA).unwrap();
    ok(&vecload(
        &data,
        &["collection", "create", schema.to_str().unwrap()],
    ));
    let out = ok(&vecload(
        &data,
        &["--json", "import", "-c", "all25", &files[0][0]],
    ));
    let task: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(task["state"], "Completed", "{task}");
    assert_eq!(task["row_count"], 100, "{task}");
    let out = ok(&vecload(&data, &["--json", "query", "all25", "--ids", "7"]));
    check_writer_row(&out);
}

/// Row 7 as the writer script made it.
fn check_writer_row(out: &str) {
    let v: Value = serde_json::from_str(out.trim()).unwrap_or(Value::Null);
    let row = v
        .as_array()
        .and_then(|a| a.first())
        .or_else(|| v.get("data").and_then(|d| d.get(0)))
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(row["id"], 7, "{out}");
    assert_eq!(row["s"], "row 7", "{out}");
    assert_eq!(row["j"], json!({"k": 7}), "{out}");
    assert_eq!(row["arr"], json!([7, 8]), "{out}");
    assert_eq!(row["ns"], Value::Null, "{out}");
    assert_eq!(row["di"], 42, "{out}");
    assert_eq!(row["fv"], json!([7.0, 0.5, 0.25, 1.0]), "{out}");
    assert_eq!(row["hv"], json!([1.0, 0.5, 0.25, 7.0]), "{out}");
    assert_eq!(row["bfv"], json!([1.0, 0.5, 0.25, 7.0]), "{out}");
    assert_eq!(row["sv"], json!({"7": 0.5}), "{out}");
    assert_eq!(row["bv"], json!([7, 255]), "{out}");
    assert_eq!(row["extra"], "dyn 7", "{out}");
}
