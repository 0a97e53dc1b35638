//! `vecload collection infer` (issue 18): the schema it prints for the seed's files and for
//! files pymilvus's `LocalBulkWriter` writes (`tests/infer_writer.py`) is one `collection
//! create` takes, and the same files then import through the CLI with every row.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::server::python;
use crate::util::{repo, vecload};

/// Runs `vecload` on `data`; its stdout when it succeeds.
fn ok(data: &Path, args: &[&str]) -> String {
    let o = vecload(data, args);
    assert!(
        o.status.success(),
        "vecload {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Infers a schema from `files` (collection `name`), creates it, imports the files as one
/// task and checks the task's and the collection's row count; returns the schema file.
fn infer_create_import(data: &Path, name: &str, files: &[&str], rows: u64) -> Value {
    let args = [&["collection", "infer", "--name", name][..], files].concat();
    let text = ok(data, &args);
    let schema: Value = serde_json::from_str(&text).unwrap();
    let path = data.with_extension(format!("{name}.json"));
    std::fs::write(&path, &text).unwrap();
    ok(data, &["collection", "create", path.to_str().unwrap()]);
    let args = [&["--json", "import", "-c", name][..], files].concat();
    let task: Value = serde_json::from_str(ok(data, &args).trim()).unwrap();
    assert_eq!(task["state"], "Completed", "{task}");
    assert_eq!(task["row_count"], rows, "{name}: {task}");
    let count: Value = serde_json::from_str(&ok(data, &["--json", "count", name])).unwrap();
    assert_eq!(count["count"], rows, "{name}");
    schema
}

/// The field `name` of a schema file.
fn field<'a>(schema: &'a Value, name: &str) -> &'a Value {
    let fields = schema["schema"]["fields"].as_array().unwrap();
    (fields.iter().find(|f| f["fieldName"] == name))
        .unwrap_or_else(|| panic!("no field {name}: {schema:#}"))
}

/// The seed's book in each format: book_id the key, word_count Int64, book_intro a
/// FloatVector of dim 2; `$meta.npy` turns dynamic fields on.
#[test]
fn the_seed_files_infer_a_schema_that_imports_them() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let cases: [(&str, &[&str], u64); 4] = [
        ("book_json", &["data/book/book.json"], 5),
        ("book_parquet", &["data/book/book.parquet"], 5),
        ("book_npy", &["data/book/npy"], 5),
        ("book_csv", &["data/csv/pass/book_rows/input.csv"], 0),
    ];
    for (name, files, rows) in cases {
        let rows = if rows == 0 {
            let csv = std::fs::read_to_string(repo().join(files[0])).unwrap();
            csv.lines().skip(1).filter(|l| !l.trim().is_empty()).count() as u64
        } else {
            rows
        };
        let schema = infer_create_import(&data, name, files, rows);
        assert_eq!(schema["collectionName"], name);
        assert_eq!(field(&schema, "book_id")["isPrimary"], true, "{name}");
        assert_eq!(field(&schema, "book_id")["dataType"], "Int64");
        assert_eq!(field(&schema, "book_intro")["dataType"], "FloatVector");
        assert_eq!(field(&schema, "book_intro")["elementTypeParams"]["dim"], 2);
        assert_eq!(field(&schema, "word_count")["dataType"], "Int64");
        assert_eq!(schema["schema"]["autoId"], false);
        let dynamic = name == "book_npy";
        assert_eq!(schema["schema"]["enableDynamicField"], dynamic, "{name}");
    }
    // The default name is the first file's stem.
    let schema: Value =
        serde_json::from_str(&ok(&data, &["collection", "infer", "data/book/book.json"])).unwrap();
    assert_eq!(schema["collectionName"], "book");
}

/// What `LocalBulkWriter` wrote for `file_type`: its batches, and the rows written.
fn write(file_type: &str, out: &Path) -> (Vec<Vec<String>>, u64) {
    let py = python();
    assert!(
        py.exists(),
        "{} is missing: run scripts/test.sh (it installs pymilvus) or set VECLOAD_PYTHON",
        py.display()
    );
    let o = Command::new(&py)
        .arg(repo().join("tests/infer_writer.py"))
        .arg(file_type)
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "the writer ({file_type}) failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    (
        serde_json::from_value(v["files"].clone()).unwrap(),
        v["rows"].as_u64().unwrap(),
    )
}

/// pymilvus's output of `file_type` (each batch; a NumPy batch as its directory):
/// inferred, created, imported with every row; the key, the VarChar's max_length, the
/// nullable Double, the vector and dynamic fields are what the writer's schema says.
fn pymilvus(file_type: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let (batches, rows) = write(file_type, &tmp.path().join("out"));
    assert_eq!(batches.len(), 1, "{batches:?}");
    let unit: Vec<String> = if file_type == "NUMPY" {
        let dir = Path::new(&batches[0][0]).parent().unwrap();
        vec![dir.to_str().unwrap().to_string()]
    } else {
        batches[0].clone()
    };
    let unit: Vec<&str> = unit.iter().map(String::as_str).collect();
    let name = format!("pmw_{}", file_type.to_lowercase());
    let schema = infer_create_import(&data, &name, &unit, rows);
    assert_eq!(schema["schema"]["autoId"], false);
    assert_eq!(schema["schema"]["enableDynamicField"], true, "{schema:#}");
    assert_eq!(field(&schema, "id")["isPrimary"], true);
    assert_eq!(field(&schema, "id")["dataType"], "Int64");
    // "title 39 xxxx" is the longest, 13 bytes: 26, rounded up to 32.
    assert_eq!(field(&schema, "title")["dataType"], "VarChar");
    assert_eq!(
        field(&schema, "title")["elementTypeParams"]["max_length"],
        32
    );
    assert_eq!(field(&schema, "vec")["dataType"], "FloatVector");
    assert_eq!(field(&schema, "vec")["elementTypeParams"]["dim"], 4);
    if file_type != "NUMPY" {
        assert_eq!(field(&schema, "score")["dataType"], "Double");
        assert_eq!(field(&schema, "score")["nullable"], true);
    }
    let fields = schema["schema"]["fields"].as_array().unwrap();
    assert!(
        fields.iter().all(|f| f["fieldName"] != "$meta"),
        "{schema:#}"
    );
    // A dynamic key and a null came through.
    let got = ok(
        &data,
        &[
            "--json",
            "query",
            &name,
            "--ids",
            "100,101",
            "--output-fields",
            "color,score",
        ],
    );
    let got: Value = serde_json::from_str(&got).unwrap();
    assert_eq!(got[0]["color"], "c0", "{got}");
    if file_type != "NUMPY" {
        assert_eq!(got[0]["score"], Value::Null, "{got}");
        assert_eq!(got[1]["score"], 0.25, "{got}");
    }
}

#[test]
fn pymilvus_parquet_infers_a_schema_that_imports_it() {
    pymilvus("PARQUET");
}

#[test]
fn pymilvus_json_infers_a_schema_that_imports_it() {
    pymilvus("JSON");
}

#[test]
fn pymilvus_numpy_infers_a_schema_that_imports_it() {
    pymilvus("NUMPY");
}

#[test]
fn pymilvus_csv_infers_a_schema_that_imports_it() {
    pymilvus("CSV");
}

/// A file import refuses gives import's error (file, row, byte); a column no rule types
/// names the field; `--server` is refused.
#[test]
fn unreadable_files_and_untypable_columns_are_errors_that_say_where() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let bad = tmp.path().join("bad.jsonl");
    std::fs::write(&bad, "{\"id\": 1, \"v\": [1]}\n{\"id\": 2, \"v\": [1]\n").unwrap();
    let o = vecload(&data, &["collection", "infer", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("bad.jsonl: row 1 (line 2, byte 20)"), "{err}");
    let mixed = tmp.path().join("mixed.json");
    std::fs::write(&mixed, r#"[{"id": 1, "m": 1}, {"id": 2, "m": "x"}]"#).unwrap();
    let o = vecload(
        &data,
        &["--json", "collection", "infer", mixed.to_str().unwrap()],
    );
    let err: Value = serde_json::from_slice(&o.stderr).unwrap();
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("field \"m\""), "{err}");
    assert!(message.contains("row 1 (byte 20)"), "{err}");
    assert_eq!(err["error"]["exit_code"], 1);
    let o = vecload(
        &data,
        &[
            "--server",
            "http://127.0.0.1:9",
            "collection",
            "infer",
            "data/book/book.json",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("runs on this machine only"));
    assert!(!data.exists(), "infer made a data directory");
}
