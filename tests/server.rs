//! The HTTP service over real HTTP on 127.0.0.1: Milvus RESTful v2 shapes, import jobs, the
//! task view, errors and auth.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::util::repo;

/// A `vecload serve` child on a free loopback port, killed on drop.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
}

impl Server {
    pub fn start(data_dir: &std::path::Path, extra: &[&str]) -> Server {
        Server::start_on(data_dir, &repo(), extra)
    }

    /// Like [`Server::start`], with import paths relative to `storage`.
    pub fn start_on(
        data_dir: &std::path::Path,
        storage: &std::path::Path,
        extra: &[&str],
    ) -> Server {
        Server::start_env(data_dir, storage, extra, &[])
    }

    /// Like [`Server::start_on`], with environment variables set.
    pub fn start_env(
        data_dir: &std::path::Path,
        storage: &std::path::Path,
        extra: &[&str],
        env: &[(&str, &str)],
    ) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vecload"))
            .current_dir(repo())
            .envs(env.iter().copied())
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--storage")
            .arg(storage)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Log lines (recovery) may come first; the address line comes once it listens.
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while !line.contains("serving on") {
            line.clear();
            if stderr.read_line(&mut line).unwrap() == 0 {
                break;
            }
        }
        let addr = line.trim().rsplit("http://").next().unwrap().to_string();
        assert!(addr.starts_with("127.0.0.1:"), "{line}");
        Server { child, addr }
    }

    /// Sends one request; returns (status, body as JSON).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        body: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            self.addr,
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        s.write_all(req.as_bytes()).unwrap();
        let mut resp = String::new();
        s.read_to_string(&mut resp).unwrap();
        let status: u16 = resp[9..12].parse().unwrap();
        let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }

    pub fn post(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.call("POST", path, &body.to_string(), &[]);
        assert_eq!(status, 200, "{path}: {v}");
        v
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn wait_job(s: &Server, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let v = s.post("/v2/vectordb/jobs/import/describe", json!({"jobId": id}));
        let state = v["data"]["state"].as_str().unwrap_or("").to_string();
        if state == "Completed" || state == "Failed" {
            return v["data"].clone();
        }
        assert!(Instant::now() < deadline, "job stuck: {v}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn rest_v2_collections_jobs_query_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let schema: Value =
        serde_json::from_slice(&std::fs::read(repo().join("data/book/schema.json")).unwrap())
            .unwrap();
    assert_eq!(
        s.post("/v2/vectordb/collections/create", schema),
        json!({"code": 0, "data": {}})
    );
    s.post(
        "/v2/vectordb/partitions/create",
        json!({"collectionName": "book", "partitionName": "2022"}),
    );
    assert_eq!(
        s.post(
            "/v2/vectordb/partitions/list",
            json!({"collectionName": "book"})
        )["data"],
        json!(["_default", "2022"])
    );

    let units = json!([
        ["data/book/book_props.json"],
        [
            "data/book/npy/book_id.npy",
            "data/book/npy/word_count.npy",
            "data/book/npy/book_intro.npy",
            "data/book/npy/$meta.npy"
        ]
    ]);
    let v = s.post(
        "/v2/vectordb/jobs/import/create",
        json!({"collectionName": "book", "partitionName": "2022", "files": units}),
    );
    assert_eq!(v["code"], 0, "{v}");
    let id = v["data"]["jobId"].as_str().unwrap().to_string();
    let job = wait_job(&s, &id);
    assert_eq!(job["state"], "Completed", "{job}");
    assert_eq!(
        (job["progress"].clone(), job["importedRows"].clone()),
        (json!(100), json!(10))
    );
    assert_eq!(job["details"].as_array().unwrap().len(), 2);
    let list = s.post(
        "/v2/vectordb/jobs/import/list",
        json!({"collectionName": "book"}),
    );
    assert_eq!(list["data"]["records"][0]["jobId"], json!(id));

    let q = s.post("/v2/vectordb/entities/query", json!({"collectionName": "book", "filter": "book_id in [102]", "outputFields": ["book_props"]}));
    // Imported twice (partitions 2022, then _default): the newer row only, as Milvus.
    assert_eq!(q["data"].as_array().unwrap().len(), 1, "{q}");
    let hits = s.post(
        "/v2/vectordb/entities/search",
        json!({"collectionName": "book", "data": [[5.0, 5.1]], "limit": 1}),
    );
    assert_eq!(hits["data"][0]["book_id"], 105, "{hits}");

    let (status, tasks) = s.call("GET", "/v1/tasks?collection=book&limit=1", "", &[]);
    assert_eq!(status, 200);
    assert_eq!(tasks.as_array().unwrap().len(), 1);
    assert_eq!(tasks[0]["state"], "Completed");
}

#[test]
fn rest_errors_carry_milvus_codes() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let schema: Value =
        serde_json::from_slice(&std::fs::read(repo().join("data/book/schema.json")).unwrap())
            .unwrap();
    s.post("/v2/vectordb/collections/create", schema);
    let cases = [
        (
            json!({"collectionName": "nope", "files": [["data/book/book.json"]]}),
            100,
        ),
        (
            json!({"collectionName": "book", "partitionName": "x", "files": [["data/book/book.json"]]}),
            200,
        ),
        (json!({"collectionName": "book"}), 1802),
        (json!({"collectionName": "book", "files": []}), 2100),
        (json!({"collectionName": "book", "files": "a.json"}), 1801),
    ];
    for (body, code) in cases {
        let v = s.post("/v2/vectordb/jobs/import/create", body.clone());
        assert_eq!(v["code"], code, "{body}: {v}");
    }
    let (_, v) = s.call("POST", "/v2/vectordb/jobs/import/create", "{not json", &[]);
    assert_eq!(v["code"], 1801);
    let v = s.post("/v2/vectordb/jobs/import/describe", json!({"jobId": "999"}));
    assert_eq!(v["code"], 2100);
    // A failing file fails its job with the row named.
    let v = s.post(
        "/v2/vectordb/jobs/import/create",
        json!({"collectionName": "book", "files": [["data/book/fail/wrong_dim.json"]]}),
    );
    let job = wait_job(&s, v["data"]["jobId"].as_str().unwrap());
    assert_eq!(job["state"], "Failed");
    assert!(job["reason"].as_str().unwrap().contains("row 3"), "{job}");
}

#[test]
fn a_configured_token_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &["--token", "root:Milvus"]);
    let (status, v) = s.call("POST", "/v2/vectordb/collections/list", "{}", &[]);
    assert_eq!((status, v["code"].clone()), (401, json!(1800)));
    let (status, v) = s.call(
        "POST",
        "/v2/vectordb/collections/list",
        "{}",
        &[("Authorization", "Bearer root:Milvus")],
    );
    assert_eq!((status, v), (200, json!({"code": 0, "data": []})));
}

#[test]
fn the_token_comes_from_the_environment_or_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("vecload.toml");
    std::fs::write(&config, "[server]\ntoken = \"from:config\"\n").unwrap();
    let config = config.to_str().unwrap();
    let env = [("VECLOAD_TOKEN", "from:env")];
    for (extra, env, token) in [
        (&[][..], &env[..], "from:env"),
        (&["--config", config][..], &[][..], "from:config"),
        // The flag wins over both.
        (
            &["--token", "from:flag", "--config", config][..],
            &env[..],
            "from:flag",
        ),
    ] {
        let data = tempfile::tempdir().unwrap();
        let s = Server::start_env(data.path(), &repo(), extra, env);
        let (status, v) = s.call("POST", "/v2/vectordb/collections/list", "{}", &[]);
        assert_eq!((status, v["code"].clone()), (401, json!(1800)), "{token}");
        let bearer = format!("Bearer {token}");
        let (status, v) = s.call(
            "POST",
            "/v2/vectordb/collections/list",
            "{}",
            &[("Authorization", &bearer)],
        );
        assert_eq!(
            (status, v),
            (200, json!({"code": 0, "data": []})),
            "{token}"
        );
    }
}

#[test]
fn the_lock_error_names_the_servers_pid_and_address() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let out = crate::util::vecload(
        dir.path(),
        &["collection", "create", "data/book/schema.json"],
    );
    assert!(!out.status.success(), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("process {} ", s.child.id())), "{err}");
    assert!(err.contains(&s.addr), "{err}");
}

/// The Python with pymilvus that scripts/test.sh installs (or `VECLOAD_PYTHON`).
pub(crate) fn python() -> std::path::PathBuf {
    std::env::var_os("VECLOAD_PYTHON")
        .map_or_else(|| repo().join(".ci/venv/bin/python"), Into::into)
}

#[test]
fn pymilvus_bulk_import_functions_work_unchanged() {
    let py = python();
    assert!(
        py.exists(),
        "{} is missing: run scripts/test.sh (it installs pymilvus) or set VECLOAD_PYTHON",
        py.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &["--token", "root:Milvus"]);
    let auth = [("Authorization", "Bearer root:Milvus")];
    let schema = std::fs::read_to_string(repo().join("data/book/schema.json")).unwrap();
    assert_eq!(
        s.call("POST", "/v2/vectordb/collections/create", &schema, &auth)
            .1["code"],
        0
    );
    let body = json!({"collectionName": "book", "partitionName": "2022"}).to_string();
    assert_eq!(
        s.call("POST", "/v2/vectordb/partitions/create", &body, &auth)
            .1["code"],
        0
    );
    let out = Command::new(&py)
        .current_dir(repo())
        .arg(repo().join("tests/pymilvus_client.py"))
        .arg(format!("http://{}", s.addr))
        .arg("root:Milvus")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pymilvus client failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["created"]["code"], 0, "{v}");
    assert_eq!(v["progress"]["data"]["state"], "Completed", "{v}");
    assert_eq!(v["progress"]["data"]["importedRows"], 10);
    assert_eq!(v["listed"]["data"]["records"].as_array().unwrap().len(), 1);
    assert!(v["failed"].as_str().unwrap().contains("code: 100"), "{v}");
    let count = s
        .call(
            "POST",
            "/v2/vectordb/collections/describe",
            &json!({"collectionName": "book"}).to_string(),
            &auth,
        )
        .1;
    assert_eq!(count["data"]["rowCount"], 10);
}

/// The book collection with `data/book/book.json` (5 rows) imported, on a fresh server.
fn book_server(dir: &std::path::Path) -> Server {
    let s = Server::start(dir, &[]);
    let schema: Value =
        serde_json::from_slice(&std::fs::read(repo().join("data/book/schema.json")).unwrap())
            .unwrap();
    assert_eq!(s.post("/v2/vectordb/collections/create", schema)["code"], 0);
    let v = s.post(
        "/v2/vectordb/jobs/import/create",
        json!({"collectionName": "book", "files": [["data/book/book.json"]]}),
    );
    let job = wait_job(&s, v["data"]["jobId"].as_str().unwrap());
    assert_eq!(job["state"], "Completed", "{job}");
    s
}

/// Asserts a code 1100 answer whose message names `words` (parameter, limit, value).
fn assert_refused(v: &Value, words: &[&str]) {
    assert_eq!(v["code"], 1100, "{v}");
    let message = v["message"].as_str().unwrap_or("");
    for w in words {
        assert!(message.contains(w), "{w:?} not in {v}");
    }
}

/// Issue 14 defect 1: a filter nested 1,150 parentheses deep (2.3 KB) overflowed the stack
/// and aborted the server. It is refused (nesting <= 128) and the server goes on.
#[test]
fn a_deeply_nested_filter_is_refused_and_the_server_lives() {
    let dir = tempfile::tempdir().unwrap();
    let s = book_server(dir.path());
    let deep = format!("{}book_id == 101{}", "(".repeat(1150), ")".repeat(1150));
    let v = s.post(
        "/v2/vectordb/entities/query",
        json!({"collectionName": "book", "filter": deep}),
    );
    assert_refused(&v, &["nesting", "128", "1150"]);
    let v = s.post(
        "/v2/vectordb/entities/query",
        json!({"collectionName": "book", "filter": "(book_id == 101)"}),
    );
    assert_eq!(v["data"].as_array().map(Vec::len), Some(1), "{v}");
}

/// Issue 14 defect 2: `"partitionsNum": 100000000` was accepted (an 8.5 GB catalog with a
/// partition key). It is refused with the limit named, and nothing is created.
#[test]
fn partitions_num_over_1024_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let mut schema: Value =
        serde_json::from_slice(&std::fs::read(repo().join("data/book/schema.json")).unwrap())
            .unwrap();
    schema["params"]["partitionsNum"] = json!(100_000_000);
    let v = s.post("/v2/vectordb/collections/create", schema);
    assert_refused(&v, &["partitionsNum", "1024", "100000000"]);
    let v = s.post("/v2/vectordb/collections/list", json!({}));
    assert_eq!(v["data"], json!([]), "{v}");
}

/// Issue 14 defect 3: `limit: 1000000000` had no cap (8 GB of memory on 400k rows). Query
/// `limit` and search `limit` (topK) are capped at 16384, as Milvus.
#[test]
fn query_and_search_limits_over_16384_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let s = book_server(dir.path());
    let v = s.post(
        "/v2/vectordb/entities/query",
        json!({"collectionName": "book", "filter": "book_id > 0", "limit": 1_000_000_000u64}),
    );
    assert_refused(&v, &["limit", "16384", "1000000000"]);
    let v = s.post(
        "/v2/vectordb/entities/search",
        json!({"collectionName": "book", "data": [[1.0, 2.0]], "limit": 16385}),
    );
    assert_refused(&v, &["16384", "16385"]);
    // At the cap itself both answer.
    let v = s.post(
        "/v2/vectordb/entities/query",
        json!({"collectionName": "book", "filter": "book_id > 0", "limit": 16384}),
    );
    assert_eq!(v["data"].as_array().map(Vec::len), Some(5), "{v}");
    let v = s.post(
        "/v2/vectordb/entities/search",
        json!({"collectionName": "book", "data": [[1.0, 2.0]], "limit": 16384}),
    );
    assert_eq!(v["data"].as_array().map(Vec::len), Some(5), "{v}");
}

/// Issue 14: the caps of INTERFACE 4 on what a schema and a partition request size, each
/// refused with code 1100 naming the parameter, the limit and the value.
#[test]
fn schema_and_partition_caps_are_milvus_caps() {
    let dir = tempfile::tempdir().unwrap();
    let s = Server::start(dir.path(), &[]);
    let field = |i: usize| json!({"fieldName": format!("f{i}"), "dataType": "Int64"});
    let vector = |i: usize, dim: usize| json!({"fieldName": format!("v{i}"), "dataType": "FloatVector", "elementTypeParams": {"dim": dim}});
    let create = |name: &str, fields: Vec<Value>, params: Value| {
        let mut all = vec![json!({"fieldName": "id", "dataType": "Int64", "isPrimary": true})];
        all.extend(fields);
        s.post(
            "/v2/vectordb/collections/create",
            json!({"collectionName": name, "schema": {"fields": all}, "params": params}),
        )
    };
    let mut many: Vec<Value> = (0..63).map(field).collect();
    many[0] = vector(0, 2);
    assert_eq!(create("sixty_four", many.clone(), json!({}))["code"], 0);
    many.push(field(63));
    let v = create("sixty_five", many, json!({}));
    assert_refused(&v, &["fields per collection", "64", "65"]);
    let four: Vec<Value> = (0..4).map(|i| vector(i, 2)).collect();
    assert_eq!(create("four", four.clone(), json!({}))["code"], 0);
    let mut five = four;
    five.push(json!({"fieldName": "sp", "dataType": "SparseFloatVector"}));
    let v = create("five", five, json!({}));
    assert_refused(&v, &["vector fields per collection", "4", "5"]);
    assert_eq!(create("wide", vec![vector(0, 32768)], json!({}))["code"], 0);
    let v = create("wider", vec![vector(0, 32769)], json!({}));
    assert_refused(&v, &["dim", "32768", "32769"]);
    let keyed = vec![
        vector(0, 2),
        json!({"fieldName": "k", "dataType": "Int64", "isPartitionKey": true}),
    ];
    let v = create("keyed", keyed.clone(), json!({"partitionsNum": 1025}));
    assert_refused(&v, &["partitionsNum", "1024", "1025"]);
    assert_eq!(
        create("keyed", keyed, json!({"partitionsNum": 1024}))["code"],
        0
    );
    // `_default` and 1023 more; the 1025th partition is refused.
    for i in 0..1023 {
        let v = s.post(
            "/v2/vectordb/partitions/create",
            json!({"collectionName": "four", "partitionName": format!("p{i}")}),
        );
        assert_eq!(v["code"], 0, "{v}");
    }
    let v = s.post(
        "/v2/vectordb/partitions/create",
        json!({"collectionName": "four", "partitionName": "p1023"}),
    );
    assert_refused(&v, &["partitions per collection", "1024", "1025"]);
}

/// Issue 14: the caps of INTERFACE 4 on what a query, search or import request sizes.
#[test]
fn request_caps_are_milvus_caps() {
    let dir = tempfile::tempdir().unwrap();
    let s = book_server(dir.path());
    let units: Vec<Value> = (0..1025).map(|_| json!(["data/book/book.json"])).collect();
    let v = s.post(
        "/v2/vectordb/jobs/import/create",
        json!({"collectionName": "book", "files": units}),
    );
    assert_refused(&v, &["units per import request", "1024", "1025"]);
    let data: Vec<Value> = (0..16385).map(|_| json!([1.0, 2.0])).collect();
    let v = s.post(
        "/v2/vectordb/entities/search",
        json!({"collectionName": "book", "data": data, "limit": 1}),
    );
    assert_refused(&v, &["nq", "16384", "16385"]);
    let long = format!("book_id in [{}101]", "101, ".repeat(16 * 1024));
    let v = s.post(
        "/v2/vectordb/entities/query",
        json!({"collectionName": "book", "filter": long}),
    );
    assert_refused(&v, &["filter length", "65536", &long.len().to_string()]);
    let v = s.post(
        "/v2/vectordb/jobs/import/list",
        json!({"collectionName": "book"}),
    );
    assert_eq!(
        v["data"]["records"].as_array().map(Vec::len),
        Some(1),
        "{v}"
    );
}

/// The flags of the timeout tests: header 1 s, body 2 s, idle 4 s (different, so each test
/// tells which timeout cut the connection).
const TIMEOUTS: [&str; 6] = [
    "--server-header-timeout-s",
    "1",
    "--server-body-timeout-s",
    "2",
    "--server-idle-timeout-s",
    "4",
];

/// Sends `drip` one byte every 200 ms (cycling) while reading, until the server closes the
/// connection; returns the seconds since `start` and what the server wrote. Panics after
/// 12 s without a close.
fn until_closed(s: &mut TcpStream, start: Instant, drip: &[u8]) -> (f64, String) {
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let (mut got, mut buf, mut i) = (Vec::new(), [0u8; 4096], 0);
    loop {
        assert!(
            start.elapsed() < Duration::from_secs(12),
            "the connection is still open after 12 s; read {:?}",
            String::from_utf8_lossy(&got)
        );
        if !drip.is_empty() && s.write_all(&drip[i % drip.len()..][..1]).is_ok() {
            i += 1;
        }
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break, // reset by the server: closed too
        }
    }
    (
        start.elapsed().as_secs_f64(),
        String::from_utf8_lossy(&got).into_owned(),
    )
}

/// Issue 14 defect 9: a client that sends half a request head and then trickles one byte
/// every 200 ms (slowloris) is disconnected after `server.header_timeout_s`, and the server
/// goes on serving.
#[test]
fn a_request_head_that_never_ends_is_cut_at_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &TIMEOUTS);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    let start = Instant::now();
    s.write_all(b"POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    let (secs, got) = until_closed(&mut s, start, b"a");
    assert!((0.9..3.5).contains(&secs), "closed after {secs:.2} s");
    assert!(got.is_empty() || got.starts_with("HTTP/1.1 408"), "{got}");
    let (status, v) = server.call("POST", "/v2/vectordb/collections/list", "{}", &[]);
    assert_eq!((status, &v["code"]), (200, &json!(0)), "{v}");
}

/// Issue 14 defect 9: a keep-alive connection that sends nothing after its answer is closed
/// after `server.idle_timeout_s`.
#[test]
fn an_idle_keep_alive_connection_is_closed_at_the_idle_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &TIMEOUTS);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.write_all(
        b"POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
    )
    .unwrap();
    let start = Instant::now();
    let (secs, got) = until_closed(&mut s, start, b"");
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    assert!(got.contains("\"code\":0"), "{got}");
    assert!((3.9..8.0).contains(&secs), "closed after {secs:.2} s");
}

/// Issue 14 defect 9: a request body that stops half-way is cut after
/// `server.body_timeout_s`, with a Milvus JSON answer (HTTP 408).
#[test]
fn a_body_that_stops_half_way_is_cut_at_the_body_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &TIMEOUTS);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.write_all(
        b"POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"dbName\":",
    )
    .unwrap();
    let start = Instant::now();
    let (secs, got) = until_closed(&mut s, start, b"");
    assert!((1.9..3.9).contains(&secs), "closed after {secs:.2} s");
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    let body = got.split("\r\n\r\n").nth(1).unwrap_or("");
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    assert_eq!(v["code"], 1100, "{got}");
    assert!(v["message"].as_str().unwrap_or("").contains("2 s"), "{got}");
}

/// A real HTTP client (`requests`) aborts a running job, repeats a request with an
/// `Idempotency-Key` and runs two-phase jobs; the key and an Uncommitted job outlive a
/// restart of the server.
#[test]
fn a_real_client_aborts_a_job_and_repeats_a_keyed_request() {
    let py = python();
    assert!(
        py.exists(),
        "{} is missing: run scripts/test.sh",
        py.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let rows: String = (0..400)
        .map(|i| format!("{{\"book_id\": {i}, \"word_count\": 1, \"book_intro\": [1, 2]}}\n"))
        .collect();
    std::fs::write(root.path().join("slow.jsonl"), rows).unwrap();
    let one = "{\"book_id\": 1000, \"word_count\": 1, \"book_intro\": [1, 2]}\n";
    std::fs::write(root.path().join("one.jsonl"), one).unwrap();
    let slow = [
        "--token",
        "t",
        "--import-throttle-unit-ms",
        "100",
        "--import-unit-bytes",
        "64",
    ];
    let s = Server::start_on(dir.path(), root.path(), &slow);
    let auth = [("Authorization", "Bearer t")];
    let schema = std::fs::read_to_string(repo().join("data/book/schema.json")).unwrap();
    let created = s.call("POST", "/v2/vectordb/collections/create", &schema, &auth);
    assert_eq!(created.1["code"], 0, "{created:?}");
    let out = Command::new(&py)
        .arg(repo().join("tests/rest_lifecycle.py"))
        .arg(format!("http://{}", s.addr))
        .arg("t")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["aborted"], json!({"code": 0, "data": {}}), "{v}");
    assert_eq!(v["after_abort"]["state"], "Failed", "{v}");
    assert_eq!(v["after_abort"]["reason"], "aborted", "{v}");
    assert_eq!(v["abort_again"]["code"], 0, "{v}");
    let first = &v["first"]["data"]["jobId"];
    assert!(first.is_string(), "{v}");
    assert_eq!(&v["repeat"]["data"]["jobId"], first, "{v}");
    assert_eq!(v["other"]["code"], 1100, "{v}");
    assert!(
        v["other"]["message"]
            .as_str()
            .unwrap()
            .contains("client-key-1"),
        "{v}"
    );
    // A two-phase job: Uncommitted with nothing visible, then committed.
    let u = &v["uncommitted"];
    assert_eq!(
        (&u["progress"], &u["importedRows"]),
        (&json!(100), &json!(1)),
        "{v}"
    );
    assert_eq!(v["rows_before_commit"]["data"]["rowCount"], 1, "{v}");
    assert_eq!(v["commit"], json!({"code": 0, "data": {}}), "{v}");
    assert_eq!(v["committed"]["state"], "Completed", "{v}");
    assert_eq!(v["rows_after_commit"]["data"]["rowCount"], 2, "{v}");
    assert_eq!(v["commit_again"]["code"], 1100, "{v}");
    drop(s);
    // After a restart the key still names the first job, and the job left Uncommitted is
    // still Uncommitted and commits.
    let s = Server::start_on(dir.path(), root.path(), &slow);
    let body = json!({"collectionName": "book", "files": [["one.jsonl"]],
                      "options": {"timeout": "60s"}})
    .to_string();
    let keyed = [auth[0], ("Idempotency-Key", "client-key-1")];
    let again = s.call("POST", "/v2/vectordb/jobs/import/create", &body, &keyed);
    assert_eq!(&again.1["data"]["jobId"], first, "{again:?}");
    let left = json!({"jobId": v["left_uncommitted"]}).to_string();
    let d = s.call("POST", "/v2/vectordb/jobs/import/describe", &left, &auth);
    assert_eq!(d.1["data"]["state"], "Uncommitted", "{d:?}");
    let c = s.call("POST", "/v2/vectordb/jobs/import/commit", &left, &auth);
    assert_eq!(c.1, json!({"code": 0, "data": {}}), "{c:?}");
    let d = s.call("POST", "/v2/vectordb/jobs/import/describe", &left, &auth);
    assert_eq!(d.1["data"]["state"], "Completed", "{d:?}");
}
