//! pymilvus 2.5.18's `LocalBulkWriter` output in its four file types (PARQUET, JSON, CSV,
//! NUMPY), written by the real writer (`tests/pymilvus_writer.py`, one run per type, each
//! writing two collections: Milvus 2.5 allows at most 4 vector fields, so the Float16 vector
//! has its own) and
//! imported unchanged through the CLI and through REST `bulk_import` from pymilvus against
//! one `vecload serve`; every row is checked field by field against the rows the script
//! wrote. A nullable collection's NumPy import fails naming the file and why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::{Value, json};
use vecload::Engine;

use crate::server::{Server, python};
use crate::util::{options, repo, vecload};

/// The file types, and the collection each is imported into.
const TYPES: [&str; 4] = ["PARQUET", "JSON", "CSV", "NUMPY"];
/// The writer's NUMPY output for the schema with its nullable fields.
const NULLABLE_NUMPY: &str = "NULLABLE_NUMPY";

/// The key of the writer's second collection (the Float16 vector) of a file type.
fn float16(file_type: &str) -> String {
    format!("{file_type}_FLOAT16")
}

/// What the writer wrote: its output directory (the storage root of the REST imports) and,
/// per type (and per type's second collection, keyed by `float16`), the script's output
/// (`schema`, `files` as `batch_files`, `rows`).
struct Written {
    root: PathBuf,
    by_type: BTreeMap<String, Value>,
}

/// Runs the writer once per file type (and once for the nullable NumPy case), in parallel,
/// the first time a test asks.
fn written() -> &'static Written {
    static WRITTEN: OnceLock<Written> = OnceLock::new();
    WRITTEN.get_or_init(|| {
        let py = python();
        assert!(
            py.exists(),
            "{} is missing: run scripts/test.sh (it installs pymilvus) or set VECLOAD_PYTHON",
            py.display()
        );
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pymilvus_writer");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let runs: Vec<(&'static str, std::process::Child)> = TYPES
            .iter()
            .map(|t| (*t, vec![*t]))
            .chain([(NULLABLE_NUMPY, vec!["NUMPY", "--nullable-numpy"])])
            .map(|(name, args)| {
                let child = Command::new(&py)
                    .arg(repo().join("tests/pymilvus_writer.py"))
                    .arg(args[0])
                    .arg(&root)
                    .args(&args[1..])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                (name, child)
            })
            .collect();
        let mut by_type = BTreeMap::new();
        for (name, child) in runs {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "the writer ({name}) failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let mut out: Value = serde_json::from_slice(&out.stdout).unwrap();
            if let Some(second) = out.as_object_mut().and_then(|o| o.remove("float16")) {
                by_type.insert(float16(name), second);
            }
            by_type.insert(name.to_string(), out);
        }
        Written { root, by_type }
    })
}

/// The schema file the script printed, for collection `name`.
fn schema_named(w: &Value, name: &str) -> Value {
    let mut schema = w["schema"].clone();
    schema["collectionName"] = json!(name);
    schema
}

/// Each batch of `batch_files`, as strings.
fn batches(w: &Value) -> Vec<Vec<String>> {
    serde_json::from_value(w["files"].clone()).unwrap()
}

/// Every stored row of `collection` in the data directory `data`, by primary key.
fn stored_rows(data: &Path, collection: &str) -> Vec<Value> {
    let engine = Engine::open(data, options()).unwrap();
    let snap = engine.snapshot(collection).unwrap();
    let mut rows = Vec::new();
    for (_, path) in &snap.segments {
        let batch = vecload::segment::read_all(path).unwrap();
        for r in 0..batch.len() {
            let row = vecload::record::row_to_json(&snap.schema, &batch, r, None);
            rows.push(Value::Object(row));
        }
    }
    rows.sort_by_key(|r| r["id"].as_i64());
    rows
}

/// The rows stored are the rows the writer was given, field by field.
fn check_rows(what: &str, got: &[Value], want: &Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{what}: row count");
    for (got, want) in got.iter().zip(want) {
        let id = &want["id"];
        let (got, want) = (got.as_object().unwrap(), want.as_object().unwrap());
        for (field, w) in want {
            let g = got.get(field).unwrap_or(&Value::Null);
            assert!(
                crate::json::same(g, w),
                "{what}: id {id}, field {field:?}: got {g}, want {w}"
            );
        }
        let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
        assert!(
            extra.is_empty(),
            "{what}: id {id}: fields not written: {extra:?}"
        );
    }
}

/// Runs `vecload` on `data`; its output when it succeeds.
fn ok(data: &Path, args: &[&str]) -> String {
    let o = vecload(data, args);
    assert!(
        o.status.success(),
        "vecload {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// The writer's batches of `file_type`, both collections, imported by `vecload import`.
fn cli_import(file_type: &str) {
    cli_import_one(file_type, file_type);
    cli_import_one(file_type, &float16(file_type));
}

/// The batches of the writer's output `key` imported by `vecload import`, one task per batch
/// (a NumPy batch given as its directory `<uuid>/<n>/`, as pymilvus leaves it).
fn cli_import_one(file_type: &str, key: &str) {
    let w = &written().by_type[key];
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let schema = tmp.path().join("schema.json");
    std::fs::write(&schema, schema_named(w, "pmw").to_string()).unwrap();
    ok(&data, &["collection", "create", schema.to_str().unwrap()]);
    let mut imported = 0;
    for batch in batches(w) {
        let unit = if file_type == "NUMPY" {
            let dir = Path::new(&batch[0]).parent().unwrap();
            assert!(
                dir.ends_with("1"),
                "a NumPy batch is <uuid>/<n>/: {batch:?}"
            );
            vec![dir.to_str().unwrap().to_string()]
        } else {
            batch
        };
        let args = [
            &["--json", "import", "-c", "pmw"][..],
            &unit.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat();
        let task: Value = serde_json::from_str(ok(&data, &args).trim()).unwrap();
        assert_eq!(task["state"], "Completed", "{task}");
        imported += task["row_count"].as_u64().unwrap();
    }
    let want = &w["rows"];
    assert_eq!(imported, want.as_array().unwrap().len() as u64);
    check_rows(&format!("CLI {key}"), &stored_rows(&data, "pmw"), want);
}

#[test]
fn pymilvus_parquet_imports_unchanged_through_the_cli() {
    cli_import("PARQUET");
}

#[test]
fn pymilvus_json_imports_unchanged_through_the_cli() {
    cli_import("JSON");
}

#[test]
fn pymilvus_csv_imports_unchanged_through_the_cli() {
    cli_import("CSV");
}

#[test]
fn pymilvus_numpy_imports_unchanged_through_the_cli() {
    cli_import("NUMPY");
}

/// What a failed import of the nullable collection's NumPy batch must say: the file of the
/// first nullable field holding None (pymilvus writes it as a pickled object array), and why.
fn check_nullable_reason(reason: &str) {
    for part in [
        "/1/i32.npy",
        "'|O'",
        "nullable",
        "NumPy files cannot mark nulls",
    ] {
        assert!(reason.contains(part), "{reason:?} lacks {part:?}");
    }
}

#[test]
fn a_nullable_collection_numpy_import_fails_naming_the_file_through_the_cli() {
    let w = &written().by_type[NULLABLE_NUMPY];
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let schema = tmp.path().join("schema.json");
    std::fs::write(&schema, schema_named(w, "pmw").to_string()).unwrap();
    ok(&data, &["collection", "create", schema.to_str().unwrap()]);
    let batch = &batches(w)[0];
    let args = [
        &["--json", "import", "-c", "pmw"][..],
        &batch.iter().map(String::as_str).collect::<Vec<_>>(),
    ]
    .concat();
    let o = vecload(&data, &args);
    assert!(!o.status.success());
    let task: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(task["state"], "FailedAndCleaned", "{task}");
    check_nullable_reason(task["failed_reason"].as_str().unwrap());
}

/// One server whose storage root is the writer's output directory; pymilvus's `bulk_import`
/// starts one job per writer output with `batch_files` relative to it, as a user of a Milvus
/// whose bucket holds them would; then every row is checked, and the nullable collection's
/// NumPy job fails naming the file.
#[test]
fn pymilvus_output_of_every_file_type_imports_unchanged_through_rest_bulk_import() {
    let w = written();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut jobs = serde_json::Map::new();
    let server = Server::start_on(&data, &w.root, &[]);
    for (file_type, out) in &w.by_type {
        let collection = file_type.to_lowercase();
        let v = server.post(
            "/v2/vectordb/collections/create",
            schema_named(out, &collection),
        );
        assert_eq!(v["code"], 0, "{v}");
        let relative: Vec<Vec<String>> = (batches(out).into_iter())
            .map(|b| {
                b.iter()
                    .map(|f| {
                        let f = Path::new(f).strip_prefix(&w.root).unwrap();
                        f.to_str().unwrap().to_string()
                    })
                    .collect()
            })
            .collect();
        jobs.insert(collection, json!(relative));
    }
    let out = Command::new(python())
        .arg(repo().join("tests/pymilvus_client.py"))
        .arg(format!("http://{}", server.addr))
        .arg("")
        .arg(Value::Object(jobs).to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pymilvus client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let progress: Value = serde_json::from_slice(&out.stdout).unwrap();
    drop(server);
    for (file_type, out) in &w.by_type {
        let collection = file_type.to_lowercase();
        let job = &progress[&collection];
        if file_type == NULLABLE_NUMPY {
            assert_eq!(job["state"], "Failed", "{job}");
            check_nullable_reason(job["reason"].as_str().unwrap());
            continue;
        }
        assert_eq!(job["state"], "Completed", "{file_type}: {job}");
        let want = &out["rows"];
        assert_eq!(job["importedRows"], want.as_array().unwrap().len(), "{job}");
        check_rows(
            &format!("REST {file_type}"),
            &stored_rows(&data, &collection),
            want,
        );
    }
}
