//! The CSV reader, one data-driven case each, through the real engine (`tools/gen_csv.py`
//! writes the cases, several through pandas as pymilvus' CSV writer does).
//!
//! Every directory under `data/csv/pass` and `data/csv/fail` is a case: `schema.json`,
//! `input.csv`, an optional `options.json` (the request's `sep` and `nullkey`), and either
//! `expected.json` (the rows as `row_to_json` renders them) or `error.txt` (substrings the
//! failure must contain, one per line). A request refused outright (a bad separator) is
//! checked against the request's error.

use std::time::Duration;

use serde_json::Value;
use vecload::{Engine, ImportRequest, TaskOptions};

use crate::json::{check_fail, check_pass};
use crate::util::{options, repo};

macro_rules! cases {
    ($kind:ident { $($name:ident),* $(,)? }) => {
        mod $kind {
            /// The cases of this kind, as listed here.
            pub const NAMES: &[&str] = &[$(stringify!($name)),*];
            $(
                #[test]
                fn $name() {
                    super::run_case(stringify!($kind), stringify!($name));
                }
            )*
        }
    };
}

cases!(pass {
    bom_blank_lines_no_final_newline,
    book_rows,
    bool_forms,
    dynamic_extra_columns,
    floats_correctly_rounded,
    missing_nullable_default_auto_id,
    pandas_crlf,
    pandas_null_key_custom,
    pandas_null_key_empty,
    pandas_scalars,
    pandas_sep_semicolon,
    pandas_sep_tab,
    pandas_vectors_json_arrays,
    quoting_embedded,
});

cases!(fail {
    auto_id_column_given,
    bad_int,
    bad_sep,
    bool_yes,
    cell_count,
    dim_mismatch,
    empty_file,
    inf_double,
    int8_out_of_range,
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
    for (kind, names) in [("pass", pass::NAMES), ("fail", fail::NAMES)] {
        let dir = repo().join("data/csv").join(kind);
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        listed.sort();
        assert_eq!(
            on_disk, listed,
            "data/csv/{kind} and the cases! list differ"
        );
    }
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

fn run_case(kind: &str, name: &str) {
    let dir = repo().join("data/csv").join(kind).join(name);
    let rel = format!("data/csv/{kind}/{name}/input.csv");
    let data = tempfile::tempdir().expect("temp dir");
    let mut opts = options();
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
