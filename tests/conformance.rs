//! One suite over four sources (STYLE habit 7): every format case under `data/` imported
//! from local mmap, local buffered reads, the in-memory object store and a real S3 server
//! (moto on 127.0.0.1) gives identical rows, read back from the segments, or identical
//! failure reasons. Streamed sources use tiny chunks, so rows, headers and column ranges
//! are cut at many places.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use vecload::ledger::TaskState;
use vecload::source::{LocalRoot, ObjectRoot, ReadTuning, Storage};
use vecload::{Engine, EngineOptions};

use crate::util::{S3Server, bucket_name, repo, rows_of, upload};

/// What a case must give.
#[derive(Debug)]
enum Expect {
    /// Completed with this many rows.
    Rows(usize),
    /// Failed or refused with a reason containing each of these.
    Error(Vec<String>),
}

/// One import: a schema and the files of one task, relative to the repository.
#[derive(Debug)]
struct Case {
    name: String,
    schema: String,
    files: Vec<String>,
    expect: Expect,
}

/// What a source gave for a case.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// Completed: the rows as sorted JSON texts.
    Rows(Vec<String>),
    /// The task failed with this reason.
    Failed(String),
    /// The request was refused with this error.
    Refused(String),
}

fn rel(p: &Path) -> String {
    p.strip_prefix(repo()).unwrap().display().to_string()
}

fn sorted_dir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Data files of a case directory (subdirectories too), not its description files.
fn data_files(dir: &Path, top: bool, out: &mut Vec<String>) {
    for p in sorted_dir(dir) {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            data_files(&p, false, out);
        } else if !(top && ["schema.json", "expected.json", "error.txt"].contains(&name.as_str())) {
            out.push(rel(&p));
        }
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect()
}

/// Every case: the book files, and the case directories of `data/numpy` and `data/json`.
fn cases() -> Vec<Case> {
    let book_schema = "data/book/schema.json".to_string();
    let mut out = Vec::new();
    for f in ["data/book/book.json", "data/book/book_props.json"] {
        let expect = Expect::Rows(5);
        out.push(Case {
            name: f.into(),
            schema: book_schema.clone(),
            files: vec![f.into()],
            expect,
        });
    }
    let npy: Vec<String> = sorted_dir(&repo().join("data/book/npy"))
        .iter()
        .map(|p| rel(p))
        .collect();
    assert_eq!(npy.len(), 4, "data/book/npy");
    out.push(Case {
        name: "data/book/npy".into(),
        schema: book_schema.clone(),
        files: npy,
        expect: Expect::Rows(5),
    });
    for p in sorted_dir(&repo().join("data/book/fail")) {
        if p.extension().is_some_and(|e| e == "error") {
            continue;
        }
        let want = std::fs::read_to_string(p.with_extension("error")).unwrap();
        out.push(Case {
            name: rel(&p),
            schema: book_schema.clone(),
            files: vec![rel(&p)],
            expect: Expect::Error(lines(&want)),
        });
    }
    for kind in ["numpy", "json"] {
        for group in ["pass", "fail"] {
            for dir in sorted_dir(&repo().join("data").join(kind).join(group)) {
                if !dir.join("schema.json").exists() {
                    continue;
                }
                let mut files = Vec::new();
                data_files(&dir, true, &mut files);
                let expect = if group == "pass" {
                    let rows: Value =
                        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).unwrap())
                            .unwrap();
                    Expect::Rows(rows.as_array().unwrap().len())
                } else {
                    Expect::Error(lines(
                        &std::fs::read_to_string(dir.join("error.txt")).unwrap(),
                    ))
                };
                out.push(Case {
                    name: rel(&dir),
                    schema: rel(&dir.join("schema.json")),
                    files,
                    expect,
                });
            }
        }
    }
    assert!(out.len() >= 20, "only {} cases", out.len());
    out
}

fn all_cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(cases)
}

/// Runs every case on a fresh engine reading from `storage`; collection `c{i}` per case.
fn run(storage: Storage) -> Vec<Outcome> {
    let dir = tempfile::tempdir().unwrap();
    let mut o = EngineOptions {
        storage,
        ..crate::util::options()
    };
    o.import.unit_bytes = 64;
    o.import.workers = 2;
    let engine = Engine::open(dir.path(), o).unwrap();
    all_cases()
        .iter()
        .enumerate()
        .map(|(i, case)| {
            let name = format!("c{i}");
            let mut schema: Value =
                serde_json::from_slice(&std::fs::read(repo().join(&case.schema)).unwrap()).unwrap();
            schema["collectionName"] = Value::String(name.clone());
            if let Err(e) = engine.create_collection_from_json(schema.to_string().as_bytes()) {
                return Outcome::Refused(format!("schema: {e}"));
            }
            match engine.do_bulk_insert(&name, None, &case.files) {
                Err(e) => Outcome::Refused(e.to_string()),
                Ok(id) => {
                    let t = engine.wait(id, Some(Duration::from_secs(120))).unwrap();
                    match t.state {
                        TaskState::Completed => Outcome::Rows(rows_of(&engine, &name)),
                        _ => Outcome::Failed(t.failed_reason),
                    }
                }
            }
        })
        .collect()
}

/// Uploads every case's files to `root` under their repository paths.
fn upload_cases(root: &ObjectRoot) {
    for case in all_cases() {
        let files: Vec<&str> = case.files.iter().map(String::as_str).collect();
        upload(root, &files);
    }
}

fn mmap() -> &'static [Outcome] {
    static OUT: OnceLock<Vec<Outcome>> = OnceLock::new();
    OUT.get_or_init(|| run(LocalRoot::confined(repo()).into()))
}

fn tiny(chunk_bytes: usize) -> ReadTuning {
    ReadTuning {
        chunk_bytes,
        read_ahead: 2,
        attempts: 2,
    }
}

/// Compares `got` with the mmap outcomes, listing every case that differs.
fn same_as_mmap(source: &str, got: &[Outcome]) {
    let want = mmap();
    let diff: Vec<String> = all_cases()
        .iter()
        .zip(want.iter().zip(got))
        .filter(|(_, (w, g))| w != g)
        .map(|(c, (w, g))| format!("{}:\n  mmap:    {w:?}\n  {source}: {g:?}", c.name))
        .collect();
    assert!(
        diff.is_empty(),
        "{source} differs from mmap:\n{}",
        diff.join("\n")
    );
}

/// Cases the engine refuses at request time, with its own message, before the check that
/// the case's `error.txt` describes: a file that is neither `.json*` nor `.npy`.
const REFUSED_BY_REQUEST_CHECKS: [(&str, &str); 1] = [(
    "data/numpy/fail/not_npy_name",
    "unsupported file type: \"data/numpy/fail/not_npy_name/notes.txt\"",
)];

#[test]
fn mmap_gives_every_case_its_expected_outcome() {
    let mut wrong = Vec::new();
    for (case, got) in all_cases().iter().zip(mmap()) {
        // The engine names files by their path from the storage root; `error.txt` by their
        // path in the case directory.
        let local = |reason: &str| reason.replace(&format!("{}/", case.name), "");
        let early = REFUSED_BY_REQUEST_CHECKS
            .iter()
            .find(|(c, _)| *c == case.name);
        let ok = match (&case.expect, got, early) {
            (Expect::Rows(n), Outcome::Rows(rows), _) => rows.len() == *n,
            (Expect::Error(_), Outcome::Refused(reason), Some((_, want))) => reason.contains(want),
            (Expect::Error(needles), Outcome::Failed(reason) | Outcome::Refused(reason), None) => {
                needles.iter().all(|n| local(reason).contains(n.as_str()))
            }
            _ => false,
        };
        if !ok {
            wrong.push(format!(
                "{}: expected {:?}, got {got:?}",
                case.name, case.expect
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn local_buffered_reads_match_mmap() {
    let root = LocalRoot::confined(repo()).buffered(tiny(13));
    same_as_mmap("buffered", &run(root.into()));
}

#[test]
fn in_memory_objects_match_mmap() {
    let root = ObjectRoot::in_memory("conformance")
        .unwrap()
        .with_tuning(tiny(7));
    upload_cases(&root);
    same_as_mmap("memory", &run(root.into()));
}

#[test]
fn s3_objects_match_mmap() {
    let server = S3Server::shared();
    let bucket = bucket_name("conformance");
    server.create_bucket(&bucket);
    let root = server.root(&bucket, "fixtures").with_tuning(tiny(256));
    upload_cases(&root);
    same_as_mmap("s3", &run(root.into()));
}
