//! What a user would pick instead, on the same files: DuckDB's `read_json` on the JSON Lines
//! file, its `read_parquet` and `read_csv` (each with as many threads as vecload's workers),
//! and `cp` + `sync` of the NPY files as the disk's limit.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::child::run_measured;

/// Exit code of the DuckDB script when the `duckdb` module is missing.
const NO_DUCKDB: i32 = 3;

/// Times `CREATE TABLE ... AS SELECT * FROM <reader>(...)` in an in-memory database with
/// `argv[3]` threads; prints `{"seconds", "rows", "version"}`.
const DUCKDB_SCRIPT: &str = r#"
import json, sys, time
try:
    import duckdb
except ImportError:
    sys.exit(3)
path = sys.argv[1].replace("'", "''")
reader = {"json": f"read_json('{path}', format='newline_delimited')",
          "parquet": f"read_parquet('{path}')",
          "csv": f"read_csv('{path}', header=true)"}[sys.argv[2]]
con = duckdb.connect()
con.execute(f"SET threads={int(sys.argv[3])}")
start = time.perf_counter()
con.execute(f"CREATE TABLE t AS SELECT * FROM {reader}")
seconds = time.perf_counter() - start
rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
print(json.dumps({"seconds": seconds, "rows": rows, "version": duckdb.__version__}))
"#;

/// DuckDB's figures, or why there are none.
#[derive(Debug)]
pub(super) enum DuckDb {
    /// `python3` or its `duckdb` module is missing.
    NotInstalled,
    /// The load ran.
    Ran {
        /// DuckDB's threads.
        threads: usize,
        /// Seconds of the `CREATE TABLE` statement.
        seconds: f64,
        /// Rows DuckDB loaded.
        rows: u64,
        /// DuckDB's version.
        version: String,
        /// Peak RSS of the Python process, KiB.
        peak_rss_kib: u64,
        /// User + system CPU seconds of the whole Python process (start-up included).
        cpu_s: f64,
    },
    /// The load failed.
    Failed(String),
}

impl DuckDb {
    /// Runs the load of `file` with DuckDB's `reader` (`json`, `parquet` or `csv`) on
    /// `threads` threads, with `python3` from `PATH`.
    pub fn run(file: &Path, reader: &str, threads: usize) -> DuckDb {
        let mut cmd = Command::new("python3");
        cmd.arg("-c")
            .arg(DUCKDB_SCRIPT)
            .arg(file)
            .arg(reader)
            .arg(threads.to_string());
        let m = match run_measured(&mut cmd) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return DuckDb::NotInstalled,
            Err(e) => return DuckDb::Failed(format!("running python3: {e}")),
        };
        if m.status.code() == Some(NO_DUCKDB) {
            return DuckDb::NotInstalled;
        }
        let parsed: Option<Value> = m
            .stdout
            .lines()
            .last()
            .and_then(|l| serde_json::from_str(l).ok());
        match parsed {
            Some(v) if m.status.success() => DuckDb::Ran {
                threads,
                seconds: v["seconds"].as_f64().unwrap_or(f64::NAN),
                rows: v["rows"].as_u64().unwrap_or(0),
                version: v["version"].as_str().unwrap_or("?").to_string(),
                peak_rss_kib: m.peak_rss_kib,
                cpu_s: m.cpu.as_secs_f64(),
            },
            _ => DuckDb::Failed(format!(
                "python3 exited with {}: {}",
                m.status,
                m.stderr.trim()
            )),
        }
    }

    /// The figures as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            DuckDb::NotInstalled => json!({"status": "not installed"}),
            DuckDb::Failed(why) => json!({"status": "failed", "error": why}),
            DuckDb::Ran {
                threads,
                seconds,
                rows,
                version,
                peak_rss_kib,
                cpu_s,
            } => json!({
                "status": "ok", "version": version, "threads": threads, "rows": rows,
                "seconds": seconds, "rows_per_s": *rows as f64 / seconds,
                "peak_rss_mib": *peak_rss_kib as f64 / 1024.0, "cpu_s": cpu_s,
            }),
        }
    }
}

/// `cp` of some files into a scratch directory, then `sync` of the copies.
#[derive(Debug)]
pub(super) struct CpSync {
    /// Wall time of both commands.
    pub seconds: f64,
    /// Bytes copied.
    pub bytes: u64,
}

impl CpSync {
    /// Copies `files` into `scratch` (created fresh, removed afterwards) and syncs the
    /// copies and the directory.
    pub fn run(files: &[PathBuf], bytes: u64, scratch: &Path) -> Result<CpSync> {
        super::remove_dir(scratch)?;
        std::fs::create_dir_all(scratch)
            .with_context(|| format!("creating {}", scratch.display()))?;
        let copies: Vec<PathBuf> = files
            .iter()
            .filter_map(|f| f.file_name().map(|n| scratch.join(n)))
            .collect();
        let mut cp = Command::new("cp");
        cp.arg("--").args(files).arg(scratch);
        let mut sync = Command::new("sync");
        sync.arg("--").args(&copies).arg(scratch);
        let mut seconds = 0.0;
        for (name, cmd) in [("cp", &mut cp), ("sync", &mut sync)] {
            let m = run_measured(cmd).with_context(|| format!("running {name}"))?;
            if !m.status.success() {
                bail!("{name} failed ({}): {}", m.status, m.stderr.trim());
            }
            seconds += m.elapsed.as_secs_f64();
        }
        super::remove_dir(scratch)?;
        Ok(CpSync { seconds, bytes })
    }

    /// The figures as JSON.
    pub fn to_json(&self) -> Value {
        json!({"status": "ok", "bytes": self.bytes, "seconds": self.seconds,
               "mb_per_s": self.bytes as f64 / 1e6 / self.seconds})
    }
}
