//! One import over several processes (`import --cluster FILE --process I`, issue 19): 2 and 3
//! processes on 127.0.0.1 read from the S3 test server and commit exactly the rows of a
//! one-process import, partition by partition; a process killed mid-task fails the task on
//! every process, leaves nothing visible and a data directory that passes `vecload check`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{S3Server, bucket_name, files_under, repo, upload, vecload};

const KEYED: &str = r#"{"collectionName": "keyed",
 "schema": {"autoId": false, "fields": [
     {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
     {"fieldName": "key", "dataType": "VarChar", "isPartitionKey": true, "elementTypeParams": {"max_length": 16}},
     {"fieldName": "vec", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}]},
 "params": {"partitionsNum": 8, "shardsNum": 2}}"#;

const AUTO: &str = r#"{"collectionName": "auto",
 "schema": {"autoId": true, "fields": [
     {"fieldName": "pk", "dataType": "Int64", "isPrimary": true},
     {"fieldName": "key", "dataType": "VarChar", "elementTypeParams": {"max_length": 16}},
     {"fieldName": "vec", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}]}}"#;

const ROWS: usize = 20_000;

/// JSON Lines rows for both collections (`auto` ignores no field: it has no `id`).
fn rows(keyed: bool) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..ROWS {
        let id = if keyed {
            format!("\"id\": {i}, ")
        } else {
            String::new()
        };
        s.push_str(&format!(
            "{{{id}\"key\": \"k{}\", \"vec\": [{}, {}, {}, {}]}}\n",
            i % 37,
            i % 10,
            (i % 7) as f32 / 4.0,
            i as f32 / 3.0,
            -(i as f32)
        ));
    }
    s.into_bytes()
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A hosts file of `n` free loopback ports.
fn hosts(dir: &Path, n: usize) -> PathBuf {
    let text: String = (0..n)
        .map(|_| format!("127.0.0.1:{}\n", free_port()))
        .collect();
    let p = dir.join(format!("hosts-{n}.txt"));
    std::fs::write(&p, text).unwrap();
    p
}

struct Cluster {
    storage: String,
    endpoint: String,
}

impl Cluster {
    fn command(&self, d: &Path, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_vecload"));
        c.current_dir(repo())
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-east-1")
            .arg("--data-dir")
            .arg(d)
            .args([
                "--storage",
                &self.storage,
                "--s3-allow-http",
                "--import-workers",
                "1",
            ])
            .args(args);
        c
    }

    /// Starts process `i` of `hosts` importing `import` (the arguments after `import`).
    fn spawn(&self, d: &Path, hosts: &Path, i: usize, tune: &[&str], import: &[&str]) -> Child {
        let (h, p) = (hosts.to_str().unwrap(), i.to_string());
        let mut args: Vec<&str> = tune.to_vec();
        args.extend(["--json", "import"]);
        args.extend(import);
        args.extend(["--cluster", h, "--process", &p]);
        self.command(d, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }

    /// Runs all `n` processes of one import to their end; their outputs, by index.
    fn run(&self, d: &Path, n: usize, tune: &[&str], import: &[&str]) -> Vec<Output> {
        let hosts = hosts(d.parent().unwrap(), n);
        let children: Vec<Child> = (0..n)
            .rev()
            .map(|i| self.spawn(d, &hosts, i, tune, import))
            .collect();
        let mut outs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        outs.reverse();
        outs
    }
}

fn setup(dir: &Path) -> PathBuf {
    let d = dir.join("data");
    for (name, schema) in [("keyed", KEYED), ("auto", AUTO)] {
        let f = dir.join(format!("{name}.json"));
        std::fs::write(&f, schema).unwrap();
        let out = vecload(&d, &["collection", "create", f.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    d
}

fn show(o: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Rows of `collection` by partition, each row's JSON without `drop` (sorted).
fn partitions(d: &Path, collection: &str, drop: Option<&str>) -> BTreeMap<String, Vec<String>> {
    let reader = vecload::Engine::open_read_only(d).unwrap();
    let snap = reader.snapshot(collection).unwrap();
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (partition, path) in &snap.segments {
        let batch = vecload::segment::read_all(path).unwrap();
        for row in 0..batch.len() {
            let mut v = vecload::record::row_to_json(&snap.schema, &batch, row, None);
            if let Some(f) = drop {
                v.remove(f);
            }
            out.entry(partition.clone())
                .or_default()
                .push(Value::Object(v).to_string());
        }
    }
    out.values_mut().for_each(|v| v.sort());
    out
}

fn task(d: &Path, id: u64) -> Value {
    let out = vecload(d, &["--json", "state", &id.to_string()]);
    serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
}

fn check_ok(d: &Path) {
    let out = vecload(d, &["check"]);
    assert!(out.status.success(), "check: {}", show(&out));
}

fn s3() -> (Cluster, vecload::source::ObjectRoot) {
    let server = S3Server::shared();
    let bucket = bucket_name("cluster");
    server.create_bucket(&bucket);
    let root = server.root(&bucket, "in");
    root.put("keyed.jsonl", rows(true)).unwrap();
    root.put("auto.jsonl", rows(false)).unwrap();
    upload(&root, &["data/book/book.parquet"]);
    let c = Cluster {
        storage: format!("s3://{bucket}/in"),
        endpoint: server.endpoint.clone(),
    };
    (c, root)
}

#[test]
fn two_and_three_processes_import_what_one_process_imports() {
    let (c, _root) = s3();
    let tune = ["--import-unit-bytes", "16384"];
    let one = tempfile::tempdir().unwrap();
    let d1 = setup(one.path());
    for args in [["-c", "keyed", "keyed.jsonl"], ["-c", "auto", "auto.jsonl"]] {
        let mut a: Vec<&str> = tune.to_vec();
        a.push("import");
        a.extend(args);
        let out = c.command(&d1, &a).output().unwrap();
        assert!(out.status.success(), "{}", show(&out));
    }
    let want_keyed = partitions(&d1, "keyed", None);
    let want_auto = partitions(&d1, "auto", Some("pk"));
    assert_eq!(want_keyed.len(), 8, "{:?}", want_keyed.keys());
    assert_eq!(want_keyed.values().map(Vec::len).sum::<usize>(), ROWS);
    for n in [2, 3] {
        let dir = tempfile::tempdir().unwrap();
        let d = setup(dir.path());
        for (t, (collection, file)) in [("keyed", "keyed.jsonl"), ("auto", "auto.jsonl")]
            .into_iter()
            .enumerate()
        {
            let outs = c.run(&d, n, &tune, &["-c", collection, file]);
            for (i, o) in outs.iter().enumerate() {
                assert!(
                    o.status.success(),
                    "{n} processes, process {i}: {}",
                    show(o)
                );
                let v: Value = serde_json::from_slice(&o.stdout).unwrap();
                assert_eq!(v["state"], "Completed", "process {i}: {v}");
                assert_eq!(v["row_count"], ROWS as u64, "process {i}: {v}");
            }
            let rec = task(&d, t as u64 + 1);
            assert_eq!(rec["cluster_processes"], n as u64, "{rec}");
            // Every process wrote its share into its own folder.
            let folders: BTreeSet<String> = (files_under(&d).into_iter())
                .filter_map(|f| {
                    let parts: Vec<&str> = f.split('/').collect();
                    let at = parts.iter().position(|p| p.starts_with("t0"))?;
                    parts
                        .get(at + 1)
                        .filter(|p| p.starts_with('p'))
                        .map(|p| p.to_string())
                })
                .collect();
            assert!(folders.len() >= 2, "{n} processes wrote into {folders:?}");
        }
        assert_eq!(partitions(&d, "keyed", None), want_keyed, "{n} processes");
        assert_eq!(
            partitions(&d, "auto", Some("pk")),
            want_auto,
            "{n} processes"
        );
        // Auto-ids: unique over the processes, inside the task's ranges.
        let ids: BTreeSet<String> = partitions(&d, "auto", None)
            .into_values()
            .flatten()
            .map(|r| serde_json::from_str::<Value>(&r).unwrap()["pk"].to_string())
            .collect();
        assert_eq!(ids.len(), ROWS, "{n} processes: auto-ids repeat");
        check_ok(&d);
    }
    // A Parquet file (cut into units by the workers of every process).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("data");
    let out = vecload(&d, &["collection", "create", "data/book/schema.json"]);
    assert!(out.status.success(), "{}", show(&out));
    let outs = c.run(&d, 2, &[], &["-c", "book", "data/book/book.parquet"]);
    assert!(
        outs.iter().all(|o| o.status.success()),
        "{}",
        show(&outs[0])
    );
    let local = tempfile::tempdir().unwrap();
    let dl = local.path().join("data");
    assert!(
        vecload(&dl, &["collection", "create", "data/book/schema.json"])
            .status
            .success()
    );
    let out = vecload(&dl, &["import", "-c", "book", "data/book/book.parquet"]);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(partitions(&d, "book", None), partitions(&dl, "book", None));
}

/// Waits until `d` holds a segment file under a process folder, or `limit` passes.
fn wait_for_segments(d: &Path, limit: Duration) -> bool {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if files_under(d)
            .iter()
            .any(|f| f.contains("/p") && f.ends_with(".vseg"))
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn a_process_killed_mid_task_fails_it_everywhere_and_leaves_nothing() {
    let (c, _root) = s3();
    // Slow enough to be killed in the middle: small units, a pause before each.
    let tune = [
        "--import-unit-bytes",
        "4096",
        "--import-throttle-unit-ms",
        "20",
        "--cluster-peer-timeout-s",
        "5",
    ];
    for victim in [2usize, 0] {
        let dir = tempfile::tempdir().unwrap();
        let d = setup(dir.path());
        let hosts = hosts(dir.path(), 3);
        let started = Instant::now();
        let mut children: Vec<Child> = (0..3)
            .map(|i| c.spawn(&d, &hosts, i, &tune, &["-c", "keyed", "keyed.jsonl"]))
            .collect();
        assert!(
            wait_for_segments(&d, Duration::from_secs(30)),
            "no segment was written"
        );
        children[victim].kill().unwrap();
        let outs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let took = started.elapsed();
        for (i, o) in outs.iter().enumerate().filter(|(i, _)| *i != victim) {
            assert_eq!(
                o.status.code(),
                Some(1),
                "victim {victim}, process {i}: {}",
                show(o)
            );
        }
        assert!(
            took < Duration::from_secs(60),
            "the processes took {took:?} to end"
        );
        if victim == 0 {
            // Process 0 died with the lock: the next process that opens the directory for
            // writing fails the task (a cluster task is never resumed) and cleans it.
            let out = vecload(&d, &["partition", "create", "auto", "x"]);
            assert!(out.status.success(), "{}", show(&out));
        }
        let t = task(&d, 1);
        assert_eq!(t["state"], "FailedAndCleaned", "victim {victim}: {t}");
        let reason = t["failed_reason"].as_str().unwrap_or_default();
        match victim {
            0 => assert!(reason.contains("restart"), "{reason}"),
            _ => assert!(reason.contains("process 2"), "{reason}"),
        }
        let count = vecload(&d, &["count", "keyed"]);
        assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "0");
        let left: Vec<String> = files_under(&d)
            .into_iter()
            .filter(|f| f.contains("/t0"))
            .collect();
        assert!(left.is_empty(), "victim {victim}: files left: {left:?}");
        check_ok(&d);
    }
}

#[test]
fn a_process_that_never_connects_fails_the_task_within_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let d = setup(dir.path());
    let hosts = hosts(dir.path(), 2);
    let input = dir.path().join("rows.jsonl");
    std::fs::write(&input, rows(true)).unwrap();
    let started = Instant::now();
    let out = vecload(
        &d,
        &[
            "--cluster-connect-timeout-s",
            "1",
            "import",
            "-c",
            "keyed",
            input.to_str().unwrap(),
            "--cluster",
            hosts.to_str().unwrap(),
            "--process",
            "0",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(started.elapsed() < Duration::from_secs(20));
    let t = task(&d, 1);
    assert_eq!(t["state"], "FailedAndCleaned", "{t}");
    let reason = t["failed_reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("process 1") && reason.contains("did not connect"),
        "{reason}"
    );
    check_ok(&d);
    // A bad index is refused before anything happens.
    let out = vecload(
        &d,
        &[
            "import",
            "-c",
            "keyed",
            "x.jsonl",
            "--cluster",
            hosts.to_str().unwrap(),
            "--process",
            "5",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--process 5"),
        "{}",
        show(&out)
    );
}

/// A bad row fails a cluster task naming its file, row and field, whichever process read
/// it; under `--on-error skip` the task commits the good rows and its rejects file is the
/// one-process import's, record for record.
#[test]
fn bad_rows_are_named_or_skipped_as_in_one_process() {
    let (c, root) = s3();
    let mut text = rows(true);
    // Rows 3000 and 15000 get a vector of the wrong length.
    let mut lines: Vec<Vec<u8>> = text.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    for row in [3000usize, 15000] {
        lines[row] = format!("{{\"id\": {row}, \"key\": \"k\", \"vec\": [1, 2]}}").into_bytes();
    }
    text = lines.join(&b'\n');
    root.put("bad.jsonl", text).unwrap();
    let tune = ["--import-unit-bytes", "16384"];
    let dir = tempfile::tempdir().unwrap();
    let d = setup(dir.path());
    let outs = c.run(&d, 2, &tune, &["-c", "keyed", "bad.jsonl"]);
    for (i, o) in outs.iter().enumerate() {
        assert_eq!(o.status.code(), Some(1), "process {i}: {}", show(o));
    }
    let t = task(&d, 1);
    assert_eq!(t["state"], "FailedAndCleaned", "{t}");
    let reason = t["failed_reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("bad.jsonl")
            && reason.contains("vec")
            && (reason.contains("3000") || reason.contains("15000")),
        "{reason}"
    );
    check_ok(&d);
    // Skipped: the same rejects as one process.
    let skip = ["--on-error", "skip"];
    let outs = c.run(
        &d,
        2,
        &tune,
        &["-c", "keyed", "bad.jsonl", skip[0], skip[1]],
    );
    assert!(
        outs.iter().all(|o| o.status.success()),
        "{}",
        show(&outs[0])
    );
    let one = tempfile::tempdir().unwrap();
    let d1 = setup(one.path());
    let mut a: Vec<&str> = tune.to_vec();
    a.extend(["import", "-c", "keyed", "bad.jsonl", skip[0], skip[1]]);
    let out = c.command(&d1, &a).output().unwrap();
    assert!(out.status.success(), "{}", show(&out));
    let rejects =
        |d: &Path, id: &str| String::from_utf8(vecload(d, &["rejects", id]).stdout).unwrap();
    let (got, want) = (rejects(&d, "2"), rejects(&d1, "1"));
    assert_eq!(got.lines().count(), 2, "{got}");
    assert_eq!(got, want);
    assert_eq!(
        partitions(&d, "keyed", None),
        partitions(&d1, "keyed", None)
    );
}

/// Every process must read from the storage root process 0's task recorded: one started
/// with another `--storage` refuses to join, and the task fails naming both roots.
#[test]
fn a_process_on_another_storage_root_is_refused() {
    let (c, _root) = s3();
    let dir = tempfile::tempdir().unwrap();
    let d = setup(dir.path());
    let hosts = hosts(dir.path(), 2);
    let h = hosts.to_str().unwrap();
    let other = Command::new(env!("CARGO_BIN_EXE_vecload"))
        .current_dir(repo())
        .arg("--data-dir")
        .arg(&d)
        .args([
            "import",
            "-c",
            "keyed",
            "keyed.jsonl",
            "--cluster",
            h,
            "--process",
            "1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let zero = c.spawn(&d, &hosts, 0, &[], &["-c", "keyed", "keyed.jsonl"]);
    let one = other.wait_with_output().unwrap();
    let zero = zero.wait_with_output().unwrap();
    assert_eq!(one.status.code(), Some(1), "{}", show(&one));
    assert_eq!(zero.status.code(), Some(1), "{}", show(&zero));
    let reason = task(&d, 1)["failed_reason"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        reason.contains("same --storage") && reason.contains("s3://"),
        "{reason}\n{}",
        show(&one)
    );
    check_ok(&d);
}
