//! Imports that resume (`import.resume`, issue 18): a `vecload import` killed with SIGKILL at
//! points drawn from a seeded RNG is resumed by the next `import` and ends with exactly the
//! rows (and rejects) of an uninterrupted import; a changed file fails the resumed task
//! naming it; with `import.resume = false` the killed task fails and is cleaned.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{files_under, ok, repo, sigkill, task_json, vecload, wait_for_record};

const SCHEMA: &str = r#"{"collectionName": "auto",
 "schema": {"autoId": true, "enableDynamicField": true,
   "fields": [
     {"fieldName": "pk", "dataType": "Int64", "isPrimary": true},
     {"fieldName": "n", "dataType": "Int64"},
     {"fieldName": "vec", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]},
 "params": {"shardsNum": 2}}"#;

const OTHER: &str = r#"{"collectionName": "other",
 "schema": {"autoId": false, "fields": [
     {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
     {"fieldName": "vec", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]}}"#;

/// Small units, a throttle, a small segment size and no least time between durable points
/// (the default, 5 s, is longer than these imports): an import of `ROWS` rows takes about a
/// second and records a durable point every 16 units of each worker, every 160 ms or so.
const TUNING: [&str; 8] = [
    "--import-unit-bytes",
    "800",
    "--import-throttle-unit-ms",
    "10",
    "--segment-max-size",
    "32768",
    "--import-resume-interval-ms",
    "0",
];
const ROWS: usize = 3000;

/// JSON Lines rows of the `auto` collection; every 97th row is bad (a string `n`), skipped.
fn write_input(dir: &Path) -> PathBuf {
    let mut s = String::new();
    for i in 0..ROWS {
        let n = if i % 97 == 5 {
            "\"bad\"".to_string()
        } else {
            i.to_string()
        };
        s.push_str(&format!(
            "{{\"n\": {n}, \"vec\": [{}, {}], \"tag\": \"r{i}\"}}\n",
            (i % 13) as f32 / 4.0,
            (i % 7) as f32 / 2.0
        ));
    }
    let p = dir.join("rows.jsonl");
    std::fs::write(&p, s).unwrap();
    p
}

/// A data directory with `auto` and `other` created.
fn setup(root: &Path) -> PathBuf {
    let d = root.join("data");
    for (name, text) in [("auto.json", SCHEMA), ("other.json", OTHER)] {
        let p = root.join(name);
        std::fs::write(&p, text).unwrap();
        ok(&vecload(&d, &["collection", "create", p.to_str().unwrap()]));
    }
    std::fs::write(root.join("other.jsonl"), "{\"id\": 1, \"vec\": [1, 2]}\n").unwrap();
    d
}

fn import_args<'a>(input: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    // A flag of `extra` replaces the tuning's (a flag given twice is refused).
    let mut args: Vec<&str> = (TUNING.chunks(2))
        .filter(|kv| !extra.contains(&kv[0]))
        .flatten()
        .copied()
        .collect();
    args.extend(extra);
    args.extend(["import", "-c", "auto", "--on-error", "skip"]);
    args.push(input.to_str().unwrap());
    args
}

fn spawn_import(d: &Path, input: &Path, extra: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_vecload"))
        .current_dir(repo())
        .arg("--data-dir")
        .arg(d)
        .args(import_args(input, extra))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The next `import` (of another collection): it resumes the directory's interrupted task
/// first. Its stderr.
fn resume(d: &Path, root: &Path, extra: &[&str]) -> String {
    let other = root.join("other.jsonl");
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["import", "-c", "other", other.to_str().unwrap()]);
    let out = vecload(d, &args);
    ok(&out);
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// Every row of `auto`, read from its segments, auto-id left out, sorted; and the auto-ids.
fn rows(d: &Path) -> (Vec<String>, Vec<i64>) {
    let reader = vecload::Engine::open_read_only(d).unwrap();
    let snap = reader.snapshot("auto").unwrap();
    let (mut rows, mut ids) = (Vec::new(), Vec::new());
    for (_, path) in &snap.segments {
        let batch = vecload::segment::read_all(path).unwrap();
        for row in 0..batch.len() {
            let mut v = vecload::record::row_to_json(&snap.schema, &batch, row, None);
            ids.push(v.remove("pk").and_then(|p| p.as_i64()).unwrap());
            rows.push(Value::Object(v).to_string());
        }
    }
    rows.sort();
    (rows, ids)
}

/// What an import left: its rows, its rejects file's lines, and its task's counts.
struct Outcome {
    rows: Vec<String>,
    rejects: Vec<String>,
    row_count: u64,
    rejected: u64,
}

fn outcome(d: &Path) -> Outcome {
    let t = task_json(d, 1);
    assert_eq!(t["state"], "Completed", "{t}");
    let (rows, ids) = rows(d);
    let unique: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an auto-id was given twice");
    let counters: Value =
        serde_json::from_slice(&std::fs::read(d.join("counters.json")).unwrap()).unwrap();
    let next = counters["next_auto_id"].as_i64().unwrap();
    assert!(ids.iter().all(|id| *id < next), "next_auto_id {next}");
    let rejects = std::fs::read_to_string(d.join(t["rejects_file"].as_str().unwrap())).unwrap();
    let check = vecload(d, &["--json", "check"]);
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("\"ok\":true"), "{text}");
    Outcome {
        rows,
        rejects: rejects.lines().map(str::to_string).collect(),
        row_count: t["row_count"].as_u64().unwrap(),
        rejected: t["rejected_rows"].as_u64().unwrap(),
    }
}

/// Polls task 1's record until it holds a resume point with durable segments (`segments`),
/// or only the one recorded as the task starts (or the import ended).
fn wait_for_point(d: &Path, child: &mut Child, segments: bool) -> bool {
    let mark = if segments {
        "\"file_name\""
    } else {
        "\"rows_done\""
    };
    wait_for_record(d, 1, child, mark)
}

/// A small seeded generator (xorshift64*): the kill points are reproducible from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn a_killed_import_resumes_to_the_rows_of_an_uninterrupted_one() {
    let base = tempfile::tempdir().unwrap();
    let input = write_input(base.path());
    // The uninterrupted import (task 1 in every directory), and how long it takes.
    let d = setup(base.path());
    let started = Instant::now();
    ok(&vecload(&d, &import_args(&input, &[])));
    let took = started.elapsed();
    let want = outcome(&d);
    assert_eq!(want.rejected, (ROWS / 97 + 1) as u64);
    assert_eq!(want.row_count + want.rejected, ROWS as u64);

    let seed = std::env::var("VECLOAD_RESUME_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("resume test seed: {seed} (VECLOAD_RESUME_SEED), import took {took:?}");
    let mut rng = Rng(seed);
    let (mut resumed, mut with_point) = (0, 0);
    for point in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let d = setup(dir.path());
        let delay = took.mul_f64((rng.next() % 1000) as f64 / 1000.0);
        let mut child = spawn_import(&d, &input, &[]);
        // From the moment the task exists.
        let record = d.join("tasks/000000000001.json");
        while !record.exists() && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(1));
        }
        std::thread::sleep(delay);
        sigkill(child);
        let rec = std::fs::read_to_string(d.join("tasks/000000000001.json")).unwrap_or_default();
        let durable = serde_json::from_str::<Value>(&rec)
            .ok()
            .and_then(|v| v["task"]["resume"]["rows"].as_u64());
        if durable.is_some_and(|rows| rows > 0) {
            with_point += 1;
        }
        let stderr = resume(&d, dir.path(), &[]);
        if stderr.contains("resuming task 1") {
            resumed += 1;
        }
        println!("point {point}: killed after {delay:?}, durable rows {durable:?}");
        let got = outcome(&d);
        assert_eq!(
            got.row_count, want.row_count,
            "point {point} ({delay:?}), seed {seed}"
        );
        assert_eq!(got.rejected, want.rejected, "point {point}, seed {seed}");
        assert!(
            got.rows == want.rows,
            "point {point} ({delay:?}): rows differ, seed {seed}"
        );
        assert_eq!(got.rejects, want.rejects, "point {point}, seed {seed}");
    }
    assert!(
        resumed >= 5,
        "only {resumed} of 20 kills hit a running import; seed {seed}"
    );
    assert!(
        with_point >= 3,
        "only {with_point} of 20 kills came after a durable point; seed {seed}"
    );
}

/// Kills task 1 once it has a durable point with segments; the directory and the input.
fn killed_with_a_point(root: &Path) -> (PathBuf, PathBuf) {
    killed_at(root, &[], true)
}

/// Kills task 1 once it has a point (with segments, or the one taken as it starts); the
/// directory and the input.
fn killed_at(root: &Path, extra: &[&str], segments: bool) -> (PathBuf, PathBuf) {
    let input = write_input(root);
    let d = setup(root);
    let mut child = spawn_import(&d, &input, extra);
    assert!(
        wait_for_point(&d, &mut child, segments),
        "no durable point was recorded"
    );
    sigkill(child);
    (d, input)
}

#[test]
fn a_changed_file_fails_the_resumed_task_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let (d, input) = killed_with_a_point(dir.path());
    changed_file_fails(dir.path(), &d, &input);
}

/// Before its first point (points an hour apart), the task's start
/// recorded its files' versions: a changed file is found all the same.
#[test]
fn a_task_killed_before_its_first_point_still_finds_a_changed_file() {
    let dir = tempfile::tempdir().unwrap();
    let hour = ["--import-resume-interval-ms", "3600000"];
    let (d, input) = killed_at(dir.path(), &hour, false);
    let rec = std::fs::read_to_string(d.join("tasks/000000000001.json")).unwrap();
    assert!(
        !rec.contains("\"file_name\""),
        "a point with segments: {rec}"
    );
    changed_file_fails(dir.path(), &d, &input);
}

/// Writes `input` again (same bytes, a new modification time) and resumes task 1: it fails
/// naming the file, and nothing of it stays.
fn changed_file_fails(root: &Path, d: &Path, input: &Path) {
    let t = task_json(d, 1);
    assert_eq!(
        (&t["state"], &t["resumable"]),
        (&"Started".into(), &true.into()),
        "{t}"
    );
    // Same bytes, written again: only the modification time differs.
    std::thread::sleep(Duration::from_millis(20));
    let text = std::fs::read(input).unwrap();
    std::fs::write(input, text).unwrap();
    resume(d, root, &[]);
    let t = task_json(d, 1);
    assert_eq!(t["state"], "FailedAndCleaned", "{t}");
    let reason = t["failed_reason"].as_str().unwrap();
    assert!(
        reason.contains("rows.jsonl") && reason.contains("modification time"),
        "{reason}"
    );
    assert!(
        files_under(&d.join("segments"))
            .iter()
            .all(|f| !f.contains("t00000001"))
    );
    assert!(!d.join("rejects/1.jsonl").exists());
}

#[test]
fn with_resume_off_a_killed_task_fails_and_is_cleaned() {
    let dir = tempfile::tempdir().unwrap();
    let (d, _) = killed_with_a_point(dir.path());
    let stderr = resume(&d, dir.path(), &["--import-resume", "false"]);
    assert!(!stderr.contains("resuming"), "{stderr}");
    let t = task_json(&d, 1);
    assert_eq!(t["state"], "FailedAndCleaned", "{t}");
    assert!(
        t["failed_reason"].as_str().unwrap().contains("restart"),
        "{t}"
    );
    assert!(
        files_under(&d.join("segments"))
            .iter()
            .all(|f| !f.contains("t00000001"))
    );
    let count = ok(&vecload(&d, &["count", "auto"]));
    assert_eq!(count.trim(), "0");
}

#[test]
fn a_server_resumes_on_start() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_input(root);
    let d = setup(root);
    let storage = root.to_str().unwrap();
    let mut args = vec!["--storage", storage];
    args.extend(TUNING);
    args.extend(["import", "-c", "auto", "--on-error", "skip", "rows.jsonl"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_vecload"))
        .current_dir(repo())
        .arg("--data-dir")
        .arg(&d)
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    assert!(
        wait_for_point(&d, &mut child, true),
        "no durable point was recorded"
    );
    sigkill(child);
    let server = crate::server::Server::start_on(&d, root, &[]);
    let deadline = Instant::now() + Duration::from_secs(60);
    let t = loop {
        let (status, v) = server.call("GET", "/v1/tasks/1", "", &[]);
        assert_eq!(status, 200, "{v}");
        let state = v["state"].as_str().unwrap_or_default().to_string();
        if state != "Started" && state != "Persisted" || Instant::now() > deadline {
            break v;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(t["state"], "Completed", "{t}");
    let rejected = (ROWS / 97 + 1) as u64;
    assert_eq!(t["rejected_rows"], rejected, "{t}");
    assert_eq!(t["row_count"], ROWS as u64 - rejected, "{t}");
    let count = ok(&vecload(&d, &["count", "auto"]));
    assert_eq!(count.trim(), (ROWS as u64 - rejected).to_string());
}

/// Over S3 (a moto server on loopback): a killed import resumes when its object is unchanged,
/// and fails naming the object and its ETag when the object was replaced (same size).
#[test]
fn an_import_from_s3_resumes_and_a_replaced_object_fails_it() {
    let server = crate::util::S3Server::shared();
    let bucket = crate::util::bucket_name("resume");
    server.create_bucket(&bucket);
    let root = server.root(&bucket, "imports");
    let storage = format!("s3://{bucket}/imports");
    let env = [
        ("AWS_ENDPOINT_URL", server.endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
    ];
    let command = |d: &Path, args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_vecload"));
        c.current_dir(repo())
            .envs(env)
            .arg("--data-dir")
            .arg(d)
            .args(["--storage", &storage, "--s3-allow-http"])
            .args(args);
        c
    };
    let rejected = (ROWS / 97 + 1) as u64;
    for replace in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let input = write_input(dir.path());
        let text = std::fs::read(&input).unwrap();
        root.put("rows.jsonl", text.clone()).unwrap();
        root.put("other.jsonl", b"{\"id\": 1, \"vec\": [1, 2]}\n".to_vec())
            .unwrap();
        let d = setup(dir.path());
        let mut args: Vec<&str> = TUNING.to_vec();
        args.extend(["import", "-c", "auto", "--on-error", "skip", "rows.jsonl"]);
        let mut child = command(&d, &args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        assert!(
            wait_for_point(&d, &mut child, true),
            "no durable point was recorded"
        );
        sigkill(child);
        if replace {
            // Same size, other bytes: only the ETag tells.
            let mut other = text.clone();
            let at = other.iter().position(|b| *b == b'r').unwrap();
            other[at] = b's';
            root.put("rows.jsonl", other).unwrap();
        }
        let out = command(&d, &["import", "-c", "other", "other.jsonl"])
            .output()
            .unwrap();
        ok(&out);
        let t = task_json(&d, 1);
        if replace {
            assert_eq!(t["state"], "FailedAndCleaned", "{t}");
            let reason = t["failed_reason"].as_str().unwrap();
            assert!(
                reason.contains("rows.jsonl") && reason.contains("ETag"),
                "{reason}"
            );
        } else {
            assert_eq!(t["state"], "Completed", "{t}");
            assert_eq!(t["rejected_rows"], rejected, "{t}");
            let count = ok(&vecload(&d, &["count", "auto"]));
            assert_eq!(count.trim(), (ROWS as u64 - rejected).to_string());
        }
    }
}
