//! The CSV reader, one data-driven case each, through the real engine (`tools/gen_csv.py`
//! writes the cases, several through pandas as pymilvus' CSV writer does).
//!
//! Every directory under `data/csv/pass` and `data/csv/fail` is a case: `schema.json`,
//! `input.csv`, an optional `options.json` (the request's `sep` and `nullkey`), and either
//! `expected.json` (the rows as `row_to_json` renders them) or `error.txt` (substrings the
//! failure must contain, one per line). A request refused outright (a bad separator) is
//! checked against the request's error.

use std::time::Duration;

use serde_json::{Value, json};
use vecload::source::{LocalRoot, ReadTuning, Storage};
use vecload::{Engine, ImportRequest, TaskOptions};

use crate::json::{check_fail, check_pass};
use crate::util::{options, repo};

cases!(pass {
    bom_blank_lines_no_final_newline,
    book_rows,
    bool_forms,
    dynamic_extra_columns,
    floats_correctly_rounded,
    missing_nullable_default_auto_id,
    pandas_crlf,
    pandas_int8_vectors,
    pandas_types_26,
    pandas_null_key_custom,
    pandas_null_key_empty,
    pandas_scalars,
    pandas_sep_semicolon,
    pandas_sep_tab,
    pandas_vectors_json_arrays,
    quoting_embedded,
});

cases!(fail {
    array_of_struct_missing_member,
    geometry_not_wkt,
    timestamptz_not_iso,
    auto_id_column_given,
    bad_int,
    bad_sep,
    bool_yes,
    cell_count,
    dim_mismatch,
    empty_file,
    inf_double,
    int8_out_of_range,
    int8_vector_float,
    int8_vector_out_of_range,
    int8_vector_wrong_dim,
    meta_not_object,
    missing_column,
    nan_float,
    non_nullable_null,
    unknown_column_not_dynamic,
    unterminated_quote,
    varchar_too_long,
    vector_not_json,
});

#[test]
fn every_case_directory_has_a_test() {
    crate::util::assert_cases_listed("data/csv", pass::NAMES, fail::NAMES);
}

/// The request options a case gives in `options.json`.
fn case_options(dir: &std::path::Path) -> TaskOptions {
    let mut opts = TaskOptions::default();
    if let Ok(text) = std::fs::read_to_string(dir.join("options.json")) {
        let v: Value = serde_json::from_str(&text).expect("options.json");
        opts.sep = v["sep"].as_str().map(str::to_string);
        opts.null_key = v["nullkey"].as_str().map(str::to_string);
    }
    opts
}

/// Runs a case on a mapped file, then on the file read by ranges in 7-byte chunks (the
/// streaming path object storage takes): both must give the same outcome.
fn run_case(kind: &str, name: &str) {
    let tuning = ReadTuning {
        chunk_bytes: 7,
        ..ReadTuning::default()
    };
    for storage in [
        options().storage,
        LocalRoot::confined(repo()).buffered(tuning).into(),
    ] {
        run_case_on(kind, name, storage);
    }
}

fn run_case_on(kind: &str, name: &str, storage: Storage) {
    let dir = repo().join("data/csv").join(kind).join(name);
    let rel = format!("data/csv/{kind}/{name}/input.csv");
    let data = tempfile::tempdir().expect("temp dir");
    let mut opts = options();
    opts.storage = storage;
    // Small units: every case crosses unit boundaries where it has rows to cross.
    opts.import.unit_bytes = 16;
    let engine = Engine::open(data.path(), opts).expect("open engine");
    let schema = std::fs::read(dir.join("schema.json")).expect("schema.json");
    let collection = engine
        .create_collection_from_json(&schema)
        .expect("collection");
    let req = ImportRequest::new(&collection, [rel]).options(case_options(&dir));
    let id = match engine.import(req) {
        Ok(id) => id,
        Err(e) => {
            assert_eq!(kind, "fail", "{name}: the request was refused: {e}");
            let want = std::fs::read_to_string(dir.join("error.txt")).expect("error.txt");
            let reason = e.to_string();
            for line in want.lines().filter(|l| !l.is_empty()) {
                assert!(reason.contains(line), "{reason:?} lacks {line:?}");
            }
            return;
        }
    };
    let task = engine
        .wait(id, Some(Duration::from_secs(60)))
        .expect("wait");
    match kind {
        "pass" => check_pass(&engine, &collection, &dir, &task),
        _ => check_fail(&engine, &collection, &dir, data.path(), &task),
    }
}

/// `vecload import --sep S --null-key K` reads a CSV file with them; a bad separator is
/// refused before any task exists.
#[test]
fn the_cli_takes_sep_and_null_key() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let dir = "data/csv/pass/pandas_null_key_custom";
    let o = crate::util::vecload(
        &data,
        &["collection", "create", &format!("{dir}/schema.json")],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let file = format!("{dir}/input.csv");
    let o = crate::util::vecload(
        &data,
        &[
            "--json",
            "import",
            "-c",
            "c",
            "--sep",
            ",",
            "--null-key",
            "NULL",
            &file,
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let task: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (&task["state"], &task["row_count"]),
        (&json!("Completed"), &json!(2))
    );
    // The default null key (the empty cell) reads "NULL" as a Bool cell, and refuses it.
    let o = crate::util::vecload(&data, &["import", "-c", "c", &file]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("field \"nb\"") && err.contains("cell \"NULL\""),
        "{err}"
    );
    let o = crate::util::vecload(&data, &["import", "-c", "c", "--sep", "ab", &file]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("unsupported CSV separator \"ab\""), "{err}");
}

/// A CSV file on S3 (moto) is streamed in small ranged reads and imports as from disk,
/// quoted newlines and all.
#[test]
fn csv_imports_from_s3_like_from_disk() {
    use crate::util::{S3Server, book_engine_on, bucket_name, rows_of, upload};
    let server = S3Server::shared();
    let bucket = bucket_name("csv");
    server.create_bucket(&bucket);
    let root = server.root(&bucket, "imports");
    let file = "data/csv/pass/book_rows/input.csv";
    upload(&root, &[file]);
    let bad = b"book_id,word_count,book_intro\n1,2,\"[1,2]\"\n2,3,\"[1,\n2]\n";
    root.put("bad.csv", bad.to_vec()).unwrap();
    let tuning = ReadTuning {
        chunk_bytes: 10,
        ..ReadTuning::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let s3 = book_engine_on(
        &dir.path().join("s3"),
        root.with_tuning(tuning).into(),
        |o| {
            o.import.unit_bytes = 40;
        },
    );
    let local = book_engine_on(&dir.path().join("local"), options().storage, |_| {});
    for engine in [&s3, &local] {
        let id = engine
            .do_bulk_insert("book", None, &[file.to_string()])
            .unwrap();
        let t = engine.wait(id, Some(Duration::from_secs(120))).unwrap();
        assert_eq!(t.row_count, 5, "{}", t.failed_reason);
    }
    let id = s3
        .do_bulk_insert("book", None, &["bad.csv".to_string()])
        .unwrap();
    let t = s3.wait(id, Some(Duration::from_secs(120))).unwrap();
    let want = "bad.csv: unterminated quoted field: the quote opened at line 3 (byte 46)";
    assert!(t.failed_reason.contains(want), "{}", t.failed_reason);
    assert_eq!(rows_of(&s3, "book"), rows_of(&local, "book"));
}
