//! Imports from a real S3-compatible server (moto on 127.0.0.1, started by the tests): JSON
//! and NPY, missing objects, escaping keys, the size check from HEAD, unreachable and
//! refusing endpoints, and a connection broken mid-read.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use vecload::ledger::{TaskRecord, TaskState};
use vecload::source::{ObjectRoot, ReadTuning, S3Config, SourceError, Storage};
use vecload::{Engine, EngineError};

use crate::util::{
    S3Server, book_engine_on, bucket_name, files_under, repo, rows_of, upload, vecload_env,
    write_book_rows,
};

const BOOK_NPY: [&str; 4] = [
    "data/book/npy/book_id.npy",
    "data/book/npy/word_count.npy",
    "data/book/npy/book_intro.npy",
    "data/book/npy/$meta.npy",
];

fn import(engine: &Engine, partition: Option<&str>, files: &[&str]) -> TaskRecord {
    let files: Vec<String> = files.iter().map(|s| s.to_string()).collect();
    let id = engine.do_bulk_insert("book", partition, &files).unwrap();
    engine.wait(id, Some(Duration::from_secs(120))).unwrap()
}

/// A bucket on the shared server with the book files under `imports/`.
fn book_bucket(tag: &str) -> ObjectRoot {
    let server = S3Server::shared();
    let bucket = bucket_name(tag);
    server.create_bucket(&bucket);
    let root = server.root(&bucket, "imports");
    upload(&root, &["data/book/book.json", "data/book/book_props.json"]);
    upload(&root, &BOOK_NPY);
    root
}

#[test]
fn json_and_an_npy_column_set_import_from_s3_like_from_disk() {
    let root = book_bucket("import");
    let tuning = ReadTuning {
        chunk_bytes: 100,
        ..ReadTuning::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let s3 = book_engine_on(
        &dir.path().join("s3"),
        root.with_tuning(tuning).into(),
        |_| {},
    );
    let local = book_engine_on(
        &dir.path().join("local"),
        crate::util::options().storage,
        |_| {},
    );
    for engine in [&s3, &local] {
        let t = import(engine, Some("2022"), &["data/book/book.json"]);
        assert_eq!(
            (t.state, t.row_count),
            (TaskState::Completed, 5),
            "{}",
            t.failed_reason
        );
        let t = import(engine, None, &BOOK_NPY);
        assert_eq!(
            (t.state, t.row_count),
            (TaskState::Completed, 5),
            "{}",
            t.failed_reason
        );
        assert_eq!(engine.count("book", None).unwrap(), 10);
        // The column set's folder, listed (one LIST on S3): the same four files.
        let t = import(engine, None, &["data/book/npy/"]);
        assert_eq!(
            (t.state, t.row_count, t.files.len()),
            (TaskState::Completed, 5, 4),
            "{}",
            t.failed_reason
        );
        assert_eq!(engine.count("book", None).unwrap(), 15);
    }
    assert_eq!(rows_of(&s3, "book"), rows_of(&local, "book"));
}

#[test]
fn a_missing_object_fails_its_task_naming_store_bucket_and_key() {
    let root = book_bucket("missing");
    let bucket = bucket_name("missing");
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine_on(dir.path(), root.into(), |_| {});
    let t = import(&engine, None, &["2022/a.json"]);
    assert_eq!(t.state, TaskState::FailedAndCleaned);
    let want = format!("object not found: s3://{bucket}/imports/2022/a.json");
    assert!(t.failed_reason.contains(&want), "{}", t.failed_reason);
}

#[test]
fn keys_escaping_the_prefix_are_refused_before_reading() {
    let root = book_bucket("escape");
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine_on(dir.path(), root.clone().into(), |_| {});
    for bad in [
        "../imports/data/book/book.json",
        "data/../../x.json",
        "/imports/data/book/book.json",
        "s3://other/book.json",
    ] {
        let e = engine
            .do_bulk_insert("book", None, &[bad.to_string()])
            .unwrap_err();
        assert!(
            matches!(e, EngineError::Source(SourceError::Escapes { .. })),
            "{bad}: {e}"
        );
        assert!(
            e.to_string().contains("escapes the storage root s3://"),
            "{e}"
        );
    }
    assert!(
        engine
            .list_bulk_insert_tasks(None, None)
            .unwrap()
            .is_empty()
    );
    // The object root refuses them on every operation, not only at request time.
    assert!(matches!(
        root.open("../x.json"),
        Err(SourceError::Escapes { .. })
    ));
}

#[test]
fn the_size_check_refuses_a_large_object_from_head_before_any_task() {
    let root = book_bucket("size");
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine_on(dir.path(), root.into(), |o| o.import.max_file_size = 100);
    let e = engine
        .do_bulk_insert("book", None, &["data/book/book.json".to_string()])
        .unwrap_err();
    assert!(
        matches!(
            e,
            EngineError::FileTooLarge {
                size: 348,
                max: 100,
                ..
            }
        ),
        "{e}"
    );
    assert!(
        engine
            .list_bulk_insert_tasks(None, None)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn an_unreachable_endpoint_is_named() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = S3Config {
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        access_key_id: Some("test".into()),
        secret_access_key: Some("test".into()),
        allow_http: true,
        ..S3Config::from_url("s3://books").unwrap()
    };
    let storage = Storage::from(ObjectRoot::s3(&cfg).unwrap());
    let e = storage.size("2022/a.json").unwrap_err();
    assert!(matches!(e, SourceError::Unreachable { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(&format!("endpoint unreachable: http://127.0.0.1:{port}"))
            && text.contains("s3://books/2022/a.json"),
        "{text}"
    );
    // Plain http is refused unless allowed.
    let strict = S3Config {
        allow_http: false,
        ..cfg
    };
    assert!(matches!(
        ObjectRoot::s3(&strict),
        Err(SourceError::BadRoot { .. })
    ));
}

/// A server on 127.0.0.1 that answers every request with 403 AccessDenied, until dropped.
struct Denier {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Denier {
    fn start() -> Denier {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !flag.load(Ordering::Relaxed) && Instant::now() < deadline {
                let Ok((mut s, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                let _ = s.set_nonblocking(false);
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let mut req = Vec::new();
                let mut buf = [0u8; 1024];
                while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(n @ 1..) => req.extend_from_slice(&buf[..n]),
                        _ => break,
                    }
                }
                let body = "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code>\
                            <Message>Access Denied</Message></Error>";
                let body = if req.starts_with(b"HEAD") { "" } else { body };
                let _ = write!(
                    s,
                    "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\n\
                     Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Denier {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Denier {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn access_denied_is_named_and_refuses_the_request() {
    let denier = Denier::start();
    let cfg = S3Config {
        endpoint: Some(format!("http://127.0.0.1:{}", denier.port)),
        access_key_id: Some("test".into()),
        secret_access_key: Some("wrong".into()),
        allow_http: true,
        ..S3Config::from_url("s3://locked/2022").unwrap()
    };
    let root = ObjectRoot::s3(&cfg).unwrap();
    let e = root.size("a.json").unwrap_err();
    assert!(matches!(e, SourceError::AccessDenied { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with("access denied: s3://locked/2022/a.json"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let engine = book_engine_on(dir.path(), root.into(), |_| {});
    let e = engine
        .do_bulk_insert("book", None, &["a.json".to_string()])
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("access denied: s3://locked/2022/a.json"),
        "{e}"
    );
}

#[test]
fn a_connection_broken_mid_read_fails_the_task_and_cleans_it() {
    let mut server = S3Server::start();
    server.create_bucket("books");
    let dir = tempfile::tempdir().unwrap();
    let big = write_book_rows(dir.path(), "big.json", 1, 30_000);
    let len = std::fs::metadata(&big).unwrap().len();
    let tuning = ReadTuning {
        chunk_bytes: 8 << 10,
        read_ahead: 1,
        attempts: 2,
    };
    let root = server.root("books", "").with_tuning(tuning);
    root.put("big.json", std::fs::read(&big).unwrap()).unwrap();
    let data = dir.path().join("data");
    let engine = book_engine_on(&data, root.into(), |o| {
        o.import.unit_bytes = 4 << 10;
        o.import.throttle_unit_ms = 20;
    });
    let id = engine
        .do_bulk_insert("book", None, &["big.json".to_string()])
        .unwrap();
    // Kill the server once the import is under way (a few units parsed, most unread).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let t = engine.get_bulk_insert_state(id).unwrap();
        assert!(
            !t.state.is_terminal(),
            "finished before the kill: {t:?} ({len} bytes)"
        );
        if t.progress >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "no progress: {t:?}");
        std::thread::sleep(Duration::from_millis(10));
    }
    server.kill();
    let t = engine.wait(id, Some(Duration::from_secs(120))).unwrap();
    assert_eq!(t.state, TaskState::FailedAndCleaned, "{t:?}");
    assert!(
        t.failed_reason
            .contains("reading s3://books/big.json bytes")
            && t.failed_reason.contains("failed after 2 attempts"),
        "{}",
        t.failed_reason
    );
    assert_eq!(engine.count("book", None).unwrap(), 0);
    let left = files_under(&data.join("segments"));
    assert!(left.iter().all(|f| !f.contains("t0000")), "left: {left:?}");
}

#[test]
fn the_cli_imports_from_s3_with_flags_and_aws_variables() {
    let root = book_bucket("cli");
    drop(root);
    let server = S3Server::shared();
    let dir = tempfile::tempdir().unwrap();
    let storage = format!("s3://{}/imports", bucket_name("cli"));
    let run = |args: &[&str]| {
        let mut all = vec!["--storage", &storage, "--s3-allow-http"];
        all.extend_from_slice(args);
        vecload_env(
            dir.path(),
            &[
                ("AWS_ENDPOINT_URL", &server.endpoint),
                ("AWS_ACCESS_KEY_ID", "test"),
                ("AWS_SECRET_ACCESS_KEY", "test"),
                ("AWS_REGION", "us-east-1"),
            ],
            &all,
        )
    };
    let schema = repo().join("data/book/schema.json");
    assert!(
        run(&["collection", "create", schema.to_str().unwrap()])
            .status
            .success()
    );
    let out = run(&["import", "-c", "book", "data/book/book.json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["count", "book"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "5");
    let out = run(&["import", "-c", "book", "data/book/nothing.json"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "object not found: {storage}/data/book/nothing.json"
        )),
        "{err}"
    );
}

/// Every ranged GET after the first read carries `If-Match` with the ETag `HEAD` gave: an
/// object replaced while a task reads it fails the read ("changed during import"), never
/// mixing two versions (issue 14).
#[test]
fn an_object_replaced_during_reads_is_refused_by_its_etag() {
    let server = S3Server::shared();
    let bucket = bucket_name("etag");
    server.create_bucket(&bucket);
    let root = server.root(&bucket, "imports");
    root.put("data.bin", vec![1u8; 4096]).unwrap();
    let file = root.open("data.bin").unwrap();
    assert_eq!(file.read(0..16).unwrap().as_ref(), &[1u8; 16]);
    // Replaced by an object of the same size: only the ETag tells.
    root.put("data.bin", vec![2u8; 4096]).unwrap();
    match file.read(16..32) {
        Err(e @ SourceError::Changed { .. }) => {
            assert!(e.to_string().contains("changed during import"), "{e}");
        }
        other => panic!("a replaced object was read: {other:?}"),
    }
    // Opened again, the new version reads.
    let file = root.open("data.bin").unwrap();
    assert_eq!(file.read(0..4).unwrap().as_ref(), &[2u8; 4]);
}
