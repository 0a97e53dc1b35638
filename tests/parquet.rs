//! Parquet import through the real engine: every case of `data/parquet` (written by
//! `tools/gen_parquet.py`), one test each, read both mapped and by ranged reads; the book
//! rows from the CLI, REST and S3. pymilvus's `LocalBulkWriter` output is in `writer.rs`.

use std::time::Duration;

use serde_json::{Value, json};
use vecload::Engine;
use vecload::ledger::TaskState;
use vecload::source::{LocalRoot, ReadTuning};

use crate::json::{check_fail, check_pass};
use crate::util::{book_engine_on, ok, options, repo, rows_of, vecload};

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
    float16_vectors,
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
    types_26,
    varchar_primary_key,
    zero_rows,
});

cases!(fail {
    array_of_struct_member_too_long,
    array_of_struct_missing_member,
    function_output_column,
    geometry_not_wkt,
    timestamptz_nanoseconds,
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
