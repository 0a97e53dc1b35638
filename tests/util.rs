//! Helpers shared by the integration tests.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use vecload::source::LocalRoot;
use vecload::{Engine, EngineOptions};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Options that read files from the repository root, confined.
pub fn options() -> EngineOptions {
    let mut o = EngineOptions {
        storage: LocalRoot::confined(repo()).into(),
        ..EngineOptions::default()
    };
    o.import.workers = 2;
    o
}

/// An engine on a fresh data directory with the book collection and partition 2022.
pub fn book_engine(dir: &Path) -> Engine {
    let engine = Engine::open(dir, options()).unwrap();
    let schema = std::fs::read(repo().join("data/book/schema.json")).unwrap();
    engine.create_collection_from_json(&schema).unwrap();
    engine.create_partition("book", "2022").unwrap();
    engine
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    // A failed task's folder goes to the trash (`.trash-t<task>`) at once and is deleted in
    // the background: wait for that (a trash that stays shows in the listing).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while list_files(dir).iter().any(|f| f.contains(".trash-"))
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    list_files(dir)
}

fn list_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// Runs the `vecload` binary with `args` from the repository root.
pub fn vecload(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vecload"))
        .current_dir(repo())
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap()
}

/// Writes a book-schema JSON file of `rows` rows (ids from `first_id`) and returns its path.
pub fn write_book_rows(dir: &Path, name: &str, first_id: i64, rows: usize) -> PathBuf {
    let mut s = String::from("{\"rows\": [\n");
    for i in 0..rows {
        let id = first_id + i as i64;
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&format!(
            "{{\"book_id\": {id}, \"word_count\": {}, \"book_intro\": [{}, {}], \"tag\": \"t{}\"}}",
            id % 1000,
            (i % 97) as f32 / 10.0,
            (i % 89) as f32 / 10.0,
            i % 7
        ));
    }
    s.push_str("\n]}\n");
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

/// Like [`vecload`], with extra environment variables.
pub fn vecload_env(data_dir: &Path, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vecload"));
    c.current_dir(repo())
        .arg("--data-dir")
        .arg(data_dir)
        .args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// A moto S3 server on 127.0.0.1 (`scripts/moto_server.py`, run by `VECLOAD_PYTHON` or the
/// repository's venv `.ci/venv`, which `scripts/test.sh` creates). Stopped on drop; it also exits by itself
/// when the test process ends (its standard input closes).
pub struct S3Server {
    child: std::process::Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    port: u16,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

impl S3Server {
    /// Starts a server and waits until it answers; panics (the test fails) if it cannot.
    pub fn start() -> S3Server {
        use std::io::{BufRead, BufReader, Read};
        use std::process::Stdio;
        let python: PathBuf = std::env::var_os("VECLOAD_PYTHON")
            .map_or_else(|| repo().join(".ci/venv/bin/python"), Into::into);
        let script = repo().join("scripts/moto_server.py");
        assert!(
            python.exists(),
            "S3 tests need moto: {} is missing. Run scripts/test.sh, or: python3 -m venv .ci/venv && \
             .ci/venv/bin/pip install \"moto[s3]==5.2.5\" flask flask-cors",
            python.display()
        );
        let mut child = Command::new(&python)
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", python.display()));
        // Keep the last few kB of its log (draining the pipe so it never blocks).
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = stderr.read(&mut buf) {
                let mut l = sink.lock().unwrap();
                l.push_str(&String::from_utf8_lossy(&buf[..n]));
                if l.len() > 16384 {
                    let cut = l.len() - 8192;
                    let cut = (cut..l.len()).find(|&i| l.is_char_boundary(i)).unwrap_or(0);
                    l.drain(..cut);
                }
            }
        });
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            for _ in lines {}
        });
        let port: u16 = match rx.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(Some(Ok(line))) => line.trim().parse().unwrap_or(0),
            _ => 0,
        };
        if port == 0 {
            let _ = child.kill();
            let _ = child.wait();
            std::thread::sleep(std::time::Duration::from_millis(200));
            panic!(
                "the moto S3 server did not start; its log:\n{}",
                log.lock().unwrap()
            );
        }
        let server = S3Server {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            port,
            log,
        };
        for _ in 0..100 {
            if server.http("GET", "/moto-api/").is_ok() {
                return server;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "the moto S3 server on port {port} does not answer; log:\n{}",
            server.log()
        );
    }

    /// A server shared by the tests of this process (started on first use).
    pub fn shared() -> &'static S3Server {
        static SERVER: std::sync::OnceLock<S3Server> = std::sync::OnceLock::new();
        SERVER.get_or_init(S3Server::start)
    }

    /// The server's recent log.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// One HTTP/1.1 request with an empty body; returns the status code.
    fn http(&self, method: &str, path: &str) -> std::io::Result<u16> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            self.port
        )?;
        let mut head = [0u8; 12];
        s.read_exact(&mut head)?;
        let text = String::from_utf8_lossy(&head[9..12]).into_owned();
        text.parse().map_err(std::io::Error::other)
    }

    /// Creates `bucket` (moto checks no signature here).
    pub fn create_bucket(&self, bucket: &str) {
        let status = self.http("PUT", &format!("/{bucket}")).unwrap();
        assert_eq!(status, 200, "creating bucket {bucket}: {}", self.log());
    }

    /// A root on `bucket`/`prefix` of this server with keys test/test.
    pub fn root(&self, bucket: &str, prefix: &str) -> vecload::source::ObjectRoot {
        let cfg = vecload::source::S3Config {
            bucket: bucket.into(),
            prefix: prefix.into(),
            endpoint: Some(self.endpoint.clone()),
            region: Some("us-east-1".into()),
            access_key_id: Some("test".into()),
            secret_access_key: Some("test".into()),
            allow_http: true,
            ..Default::default()
        };
        vecload::source::ObjectRoot::s3(&cfg).unwrap()
    }

    /// Kills the server (a broken connection for whoever is reading).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A bucket name unique to this process and `tag`.
pub fn bucket_name(tag: &str) -> String {
    format!("{tag}-{}", std::process::id())
}

/// Uploads `files` (paths relative to the repository) to `root` under the same keys.
pub fn upload(root: &vecload::source::ObjectRoot, files: &[&str]) {
    for f in files {
        root.put(f, std::fs::read(repo().join(f)).unwrap()).unwrap();
    }
}

/// The book collection and partition 2022 on a fresh engine reading from `storage`.
pub fn book_engine_on(
    dir: &Path,
    storage: vecload::source::Storage,
    tune: impl FnOnce(&mut EngineOptions),
) -> Engine {
    let mut o = options();
    o.storage = storage;
    tune(&mut o);
    let engine = Engine::open(dir, o).unwrap();
    let schema = std::fs::read(repo().join("data/book/schema.json")).unwrap();
    engine.create_collection_from_json(&schema).unwrap();
    engine.create_partition("book", "2022").unwrap();
    engine
}

/// Every row of `collection` read back from its segments, as sorted JSON texts.
pub fn rows_of(engine: &Engine, collection: &str) -> Vec<String> {
    let snap = engine.snapshot(collection).unwrap();
    let schema = &snap.schema;
    let mut rows = Vec::new();
    for (_, path) in &snap.segments {
        let batch = vecload::segment::read_all(path).unwrap();
        for row in 0..batch.len() {
            rows.push(
                serde_json::Value::Object(vecload::record::row_to_json(schema, &batch, row, None))
                    .to_string(),
            );
        }
    }
    rows.sort();
    rows
}

/// Checks that the case directories under `data` (`pass/` and `fail/`) are exactly the cases
/// a `cases!` list names, so no case is left without its test.
pub fn assert_cases_listed(data: &str, pass: &[&str], fail: &[&str]) {
    for (kind, names) in [("pass", pass), ("fail", fail)] {
        let dir = repo().join(data).join(kind);
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed, "{data}/{kind} and the cases! list differ");
    }
}

/// The stdout of a command that must have succeeded (its stderr in the failure).
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Task `id`'s JSON, as `vecload --json state` prints it.
pub fn task_json(d: &Path, id: u64) -> serde_json::Value {
    let text = ok(&vecload(d, &["--json", "state", &id.to_string()]));
    serde_json::from_str(text.trim()).unwrap()
}

/// SIGKILL, as a crash (a process that ended first must have succeeded).
pub fn sigkill(mut child: Child) {
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert!(
        status.signal() == Some(9) || status.success(),
        "the process ended otherwise: {status:?}"
    );
}

/// Polls task `id`'s record file until it holds `mark` (true), or `child` ended or 30 s
/// passed (false).
pub fn wait_for_record(d: &Path, id: u64, child: &mut Child, mark: &str) -> bool {
    let path = d.join(format!("tasks/{id:012}.json"));
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::fs::read_to_string(&path).is_ok_and(|t| t.contains(mark)) {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}
