//! A task records its storage root (INTERFACE 6, issue 18): an import killed under
//! `--storage DIR_A` is resumed by a process with another or no `--storage` and reads DIR_A;
//! a server's queued task is run by a later process from the root it was created under; a
//! recorded root that is gone fails the task naming it; an `s3://` root recorded with its
//! endpoint is resumed by a process given only credentials.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::util::{files_under, ok, repo, sigkill, task_json, vecload, wait_for_record};

const SCHEMA: &str = r#"{"collectionName": "c",
 "schema": {"autoId": false, "fields": [
     {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
     {"fieldName": "vec", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]},
 "params": {"shardsNum": 2}}"#;

/// Small units, a throttle and small segments: an import of `ROWS` rows takes about a second
/// and records a durable point every few dozen milliseconds.
const TUNING: [&str; 6] = [
    "--import-unit-bytes",
    "800",
    "--import-throttle-unit-ms",
    "10",
    "--segment-max-size",
    "32768",
];
const ROWS: i64 = 3000;

/// `dir/name`: JSON Lines rows with ids `first..first + rows`.
fn write_rows(dir: &Path, name: &str, first: i64, rows: i64) -> PathBuf {
    let mut s = String::new();
    for i in first..first + rows {
        s.push_str(&format!(
            "{{\"id\": {i}, \"vec\": [{}, {}]}}\n",
            (i % 13) as f32 / 4.0,
            (i % 7) as f32 / 2.0
        ));
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

/// A data directory under `base` with collection `c`, and a one-row file `extra.jsonl` (ids
/// from 1,000,000) for the next process's own import.
fn setup(base: &Path) -> (PathBuf, PathBuf) {
    let d = base.join("data");
    let schema = base.join("c.json");
    std::fs::write(&schema, SCHEMA).unwrap();
    ok(&vecload(
        &d,
        &["collection", "create", schema.to_str().unwrap()],
    ));
    let extra = write_rows(base, "extra.jsonl", 1_000_000, 1);
    (d, extra)
}

/// `vecload --data-dir D ARGS` run from `cwd`, not yet started.
fn command(d: &Path, cwd: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vecload"));
    c.current_dir(cwd).arg("--data-dir").arg(d).args(args);
    c
}

/// `import -c c FILE` under `--storage root`, tuned to be slow.
fn import_args<'a>(root: &'a str, file: &'a str) -> Vec<&'a str> {
    let mut args = vec!["--storage", root];
    args.extend(TUNING);
    args.extend(["import", "-c", "c", file]);
    args
}

/// The next embedded `import` (of `extra`, run from `cwd` with no `--storage`): it first
/// resumes the directory's interrupted task; it must succeed.
fn import_extra(d: &Path, cwd: &Path, extra: &Path) {
    let args = ["import", "-c", "c", extra.to_str().unwrap()];
    ok(&command(d, cwd, &args).output().unwrap());
}

/// Polls task `id`'s record until it holds a resume point (or the process ended).
fn wait_for_point(d: &Path, id: u64, child: &mut Child) -> bool {
    wait_for_record(d, id, child, "\"rows_done\"")
}

/// Starts the slow import of `file` under `--storage root` and kills it once it has a
/// durable point (task 1, Started and resumable).
fn killed_import(d: &Path, root: &str, file: &str, env: &[(&str, &str)]) {
    let mut child = command(d, &repo(), &import_args(root, file))
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_for_point(d, 1, &mut child),
        "no durable point was recorded"
    );
    sigkill(child);
    let t = task_json(d, 1);
    assert_eq!(
        (&t["state"], &t["resumable"]),
        (&json!("Started"), &json!(true)),
        "{t}"
    );
}

/// The ids of every row of `c`, read from its segments, sorted (a row twice shows twice).
fn ids(d: &Path) -> Vec<i64> {
    let reader = vecload::Engine::open_read_only(d).unwrap();
    let snap = reader.snapshot("c").unwrap();
    let mut ids = Vec::new();
    for (_, path) in &snap.segments {
        let batch = vecload::segment::read_all(path).unwrap();
        for row in 0..batch.len() {
            let v = vecload::record::row_to_json(&snap.schema, &batch, row, None);
            ids.push(v["id"].as_i64().unwrap());
        }
    }
    ids.sort();
    ids
}

/// Ids `first..first + rows`, and the extra file's.
fn want_ids(ranges: &[(i64, i64)]) -> Vec<i64> {
    let mut want: Vec<i64> = (ranges.iter())
        .flat_map(|&(first, rows)| first..first + rows)
        .collect();
    want.push(1_000_000);
    want.sort();
    want
}

#[test]
fn a_task_killed_under_one_root_resumes_from_it_under_another_or_none() {
    for other_root in [true, false] {
        let base = tempfile::tempdir().unwrap();
        let (d, extra) = setup(base.path());
        let dir_a = base.path().join("a");
        std::fs::create_dir(&dir_a).unwrap();
        write_rows(&dir_a, "rows.jsonl", 0, ROWS);
        let a = dir_a.to_str().unwrap();
        killed_import(&d, a, "rows.jsonl", &[]);
        let t = task_json(&d, 1);
        assert_eq!(t["storage_root"], a, "{t}");

        // The next process reads another root (holding a decoy `rows.jsonl` of other rows)
        // or the default one, run from a directory without `rows.jsonl`.
        let dir_b = base.path().join("b");
        std::fs::create_dir(&dir_b).unwrap();
        write_rows(&dir_b, "rows.jsonl", 500_000, 10);
        std::fs::copy(&extra, dir_b.join("extra.jsonl")).unwrap();
        let b = dir_b.to_str().unwrap();
        let args: Vec<&str> = match other_root {
            true => vec!["--storage", b, "import", "-c", "c", "extra.jsonl"],
            false => vec!["import", "-c", "c", extra.to_str().unwrap()],
        };
        let out = command(&d, base.path(), &args).output().unwrap();
        ok(&out);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("resuming task 1"), "{stderr}");
        let t = task_json(&d, 1);
        assert_eq!(t["state"], "Completed", "{t}");
        assert_eq!(
            (&t["row_count"], &t["storage_root"]),
            (&json!(ROWS), &json!(a)),
            "{t}"
        );
        assert_eq!(
            task_json(&d, 2)["storage_root"],
            json!(if other_root {
                b
            } else {
                base.path().to_str().unwrap()
            })
        );
        assert_eq!(ids(&d), want_ids(&[(0, ROWS)]), "other root: {other_root}");
    }
}

#[test]
fn a_queued_task_of_a_server_runs_later_from_the_servers_root() {
    let base = tempfile::tempdir().unwrap();
    let (d, extra) = setup(base.path());
    let dir_a = base.path().join("a");
    std::fs::create_dir(&dir_a).unwrap();
    write_rows(&dir_a, "one.jsonl", 0, ROWS);
    write_rows(&dir_a, "two.jsonl", 100_000, 500);
    let mut extra_args = vec!["--import-max-parallel-tasks", "1"];
    extra_args.extend(TUNING);
    let server = crate::server::Server::start_on(&d, &dir_a, &extra_args);
    for file in ["one.jsonl", "two.jsonl"] {
        let body = json!({"collectionName": "c", "files": [[file]]});
        let v = server.post("/v2/vectordb/jobs/import/create", body);
        assert_eq!(v["code"], 0, "{v}");
    }
    let record = d.join("tasks/000000000001.json");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&record)
        .unwrap_or_default()
        .contains("\"rows_done\"")
    {
        assert!(Instant::now() < deadline, "no durable point was recorded");
        std::thread::sleep(Duration::from_millis(5));
    }
    let job = server.post("/v2/vectordb/jobs/import/describe", json!({"jobId": "2"}));
    assert_eq!(job["data"]["state"], "Pending", "{job}");
    assert_eq!(job["data"]["storageRoot"], dir_a.to_str().unwrap(), "{job}");
    drop(server); // SIGKILL
    assert_eq!(task_json(&d, 2)["state"], "Pending");

    // An embedded import with no --storage, from a directory holding neither file.
    import_extra(&d, base.path(), &extra);
    for id in [1, 2] {
        let t = task_json(&d, id);
        assert_eq!(t["state"], "Completed", "{t}");
    }
    assert_eq!(ids(&d), want_ids(&[(0, ROWS), (100_000, 500)]));
}

#[test]
fn a_recorded_root_that_is_gone_fails_the_task_naming_it() {
    let base = tempfile::tempdir().unwrap();
    let (d, extra) = setup(base.path());
    let dir_a = base.path().join("a");
    std::fs::create_dir(&dir_a).unwrap();
    write_rows(&dir_a, "rows.jsonl", 0, ROWS);
    let a = dir_a.to_str().unwrap();
    killed_import(&d, a, "rows.jsonl", &[]);
    std::fs::remove_dir_all(&dir_a).unwrap();
    // The same directory given again: the root is the task's, and it is gone.
    import_extra(&d, base.path(), &extra);
    let t = task_json(&d, 1);
    assert_eq!(t["state"], "FailedAndCleaned", "{t}");
    let reason = t["failed_reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("storage root {a} cannot be reached")),
        "{reason}"
    );
    assert!(
        (files_under(&d.join("segments")).iter()).all(|f| !f.contains("t00000001")),
        "{:?}",
        files_under(&d.join("segments"))
    );
    assert_eq!(ok(&vecload(&d, &["count", "c"])).trim(), "1");
}

/// Over S3 (a moto server on loopback): the endpoint comes from `AWS_ENDPOINT_URL` and
/// `--s3-allow-http` in the killed process only; the task recorded them, and a process with
/// credentials alone resumes it.
#[test]
fn an_s3_root_is_resumed_by_a_process_without_storage_settings() {
    let server = crate::util::S3Server::shared();
    let bucket = crate::util::bucket_name("taskroot");
    server.create_bucket(&bucket);
    let root = server.root(&bucket, "imports");
    let base = tempfile::tempdir().unwrap();
    let (d, extra) = setup(base.path());
    let text = std::fs::read(write_rows(base.path(), "rows.jsonl", 0, ROWS)).unwrap();
    root.put("rows.jsonl", text).unwrap();
    let storage = format!("s3://{bucket}/imports");
    let creds = [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
    ];
    let mut env = creds.to_vec();
    env.extend([
        ("AWS_ENDPOINT_URL", server.endpoint.as_str()),
        ("VECLOAD_S3_ALLOW_HTTP", "true"),
    ]);
    killed_import(&d, &storage, "rows.jsonl", &env);
    let t = task_json(&d, 1);
    assert_eq!(t["storage_root"], storage, "{t}");
    let rec = std::fs::read_to_string(d.join("tasks/000000000001.json")).unwrap();
    assert!(
        rec.contains(&server.endpoint) && !rec.contains("AWS_") && !rec.contains("\"test\""),
        "{rec}"
    );

    let out = command(
        &d,
        base.path(),
        &["import", "-c", "c", extra.to_str().unwrap()],
    )
    .env_remove("AWS_ENDPOINT_URL")
    .env_remove("VECLOAD_STORAGE")
    .env_remove("VECLOAD_S3_ALLOW_HTTP")
    .envs(creds)
    .output()
    .unwrap();
    ok(&out);
    let t = task_json(&d, 1);
    assert_eq!(t["state"], "Completed", "{t}");
    assert_eq!(t["row_count"], ROWS, "{t}");
    assert_eq!(ids(&d), want_ids(&[(0, ROWS)]));
}

/// The library with no [`RootOpener`](vecload::engine::RootOpener): an engine dropped while its
/// task runs (left Started, to resume) is opened again on another directory, and the task
/// reads the directory it recorded.
#[test]
fn an_engine_without_an_opener_resumes_from_the_recorded_directory() {
    use vecload::source::LocalRoot;
    use vecload::{Engine, EngineOptions, ImportRequest, ledger::TaskState};
    let base = tempfile::tempdir().unwrap();
    let (dir_a, dir_b) = (base.path().join("a"), base.path().join("b"));
    for (dir, first, rows) in [(&dir_a, 0, ROWS), (&dir_b, 500_000, 10)] {
        std::fs::create_dir(dir).unwrap();
        write_rows(dir, "rows.jsonl", first, rows);
    }
    let opts = |root: &Path| {
        let mut o = EngineOptions {
            storage: LocalRoot::confined(root).into(),
            segment_max_size: 32768,
            ..EngineOptions::default()
        };
        (
            o.import.unit_bytes,
            o.import.throttle_unit_ms,
            o.import.workers,
        ) = (800, 10, 2);
        o
    };
    let d = base.path().join("data");
    {
        let e = Engine::open(&d, opts(&dir_a)).unwrap();
        e.create_collection_from_json(SCHEMA.as_bytes()).unwrap();
        let id = e.import(ImportRequest::new("c", ["rows.jsonl"])).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while e.get_bulk_insert_state(id).unwrap().resume.is_none() {
            assert!(Instant::now() < deadline, "no durable point was recorded");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    let t = vecload::Engine::open_read_only(&d).unwrap();
    let t = t.get_bulk_insert_state(1).unwrap();
    assert_eq!(
        t.state,
        TaskState::Started,
        "the task ended before the engine stopped"
    );
    let e = Engine::open(&d, opts(&dir_b)).unwrap();
    assert_eq!(e.resumed(), [1]);
    let t = e.wait(1, Some(Duration::from_secs(60))).unwrap();
    assert_eq!(t.state, TaskState::Completed, "{}", t.failed_reason);
    assert_eq!(t.row_count, ROWS as u64);
    let root = t.storage_root.unwrap();
    assert_eq!(
        (root.root.as_str(), root.absolute_paths),
        (dir_a.to_str().unwrap(), false)
    );
    drop(e);
    let mut want = want_ids(&[(0, ROWS)]);
    want.pop(); // no extra file here
    assert_eq!(ids(&d), want);
}
