//! The report of a run: per-format figures, peers and ratios, as text or JSON.

use super::dataset::{Dataset, Format};
use serde_json::{Value, json};

use super::peers::{CpSync, DuckDb};

/// One timed import.
pub(super) struct ImportRun {
    /// The format imported.
    pub format: Format,
    /// Rows the task imported.
    pub rows: u64,
    /// Input bytes.
    pub bytes: u64,
    /// Wall seconds, spawn to exit.
    pub seconds: f64,
    /// User + system CPU seconds of the child.
    pub cpu_s: f64,
    /// Peak RSS of the child, KiB.
    pub peak_rss_kib: u64,
    /// The task's final state.
    pub state: String,
    /// Why it failed, if it did.
    pub error: String,
}

impl ImportRun {
    fn rows_per_s(&self) -> f64 {
        self.rows as f64 / self.seconds
    }

    fn to_json(&self) -> Value {
        json!({
            "format": self.format.name(), "rows": self.rows, "bytes": self.bytes,
            "seconds": self.seconds, "cpu_s": self.cpu_s, "rows_per_s": self.rows_per_s(),
            "mb_per_s": self.bytes as f64 / 1e6 / self.seconds,
            "peak_rss_mib": self.peak_rss_kib as f64 / 1024.0,
            "state": self.state, "error": self.error,
        })
    }
}

/// The 1-minute load average, when the system tells it: these machines are shared.
fn load_avg() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The DuckDB peers run, by the format of the file they read (`jsonl`, `parquet`, `csv`).
pub(super) type DuckRuns = [(Format, DuckDb)];

/// Formats DuckDB reads, with the key of their figures in the JSON report.
const DUCK_KEYS: [(Format, &str); 3] = [
    (Format::Jsonl, "duckdb"),
    (Format::Parquet, "duckdb_parquet"),
    (Format::Csv, "duckdb_csv"),
];

/// Per DuckDB peer, our rows/s over its (and our CPU seconds over its); our Parquet and CSV
/// rows/s over our NPY rows/s; our NPY time over cp + sync's.
fn ratios(results: &[ImportRun], duckdb: &DuckRuns, cp: Option<&CpSync>) -> Value {
    let find = |f| {
        results
            .iter()
            .find(|r| r.format == f && r.state == "Completed")
    };
    let mut out = serde_json::Map::new();
    for (format, _) in DUCK_KEYS {
        let peer = duckdb.iter().find(|(f, _)| *f == format).map(|(_, d)| d);
        let (rows_x, cpu_x) = match (find(format), peer) {
            (
                Some(ours),
                Some(DuckDb::Ran {
                    seconds,
                    rows,
                    cpu_s,
                    ..
                }),
            ) => (
                Some(ours.rows_per_s() / (*rows as f64 / seconds)),
                Some(ours.cpu_s / cpu_s),
            ),
            _ => (None, None),
        };
        out.insert(format!("{format}_rows_per_s_over_duckdb"), json!(rows_x));
        out.insert(format!("{format}_cpu_s_over_duckdb"), json!(cpu_x));
    }
    for format in [Format::Parquet, Format::Csv] {
        let x = match (find(format), find(Format::Npy)) {
            (Some(ours), Some(npy)) => Some(ours.rows_per_s() / npy.rows_per_s()),
            _ => None,
        };
        out.insert(format!("{format}_rows_per_s_over_npy"), json!(x));
    }
    let vs_cp = match (find(Format::Npy), cp) {
        (Some(ours), Some(cp)) => Some(ours.seconds / cp.seconds),
        _ => None,
    };
    out.insert("npy_seconds_over_cp_sync".into(), json!(vs_cp));
    Value::Object(out)
}

pub(super) fn report_json(
    set: &Dataset,
    results: &[ImportRun],
    duckdb: &DuckRuns,
    cp: Option<&CpSync>,
) -> Value {
    let mut peers = serde_json::Map::new();
    for (format, key) in DUCK_KEYS {
        let peer = duckdb.iter().find(|(f, _)| *f == format);
        peers.insert(
            key.into(),
            peer.map_or(json!({"status": "skipped"}), |(_, d)| d.to_json()),
        );
    }
    peers.insert(
        "cp_sync".into(),
        cp.map_or(json!({"status": "skipped"}), CpSync::to_json),
    );
    json!({
        "rows": set.spec.rows, "dim": set.spec.dim, "seed": set.spec.seed,
        "cores": cores(), "load_avg_1m": load_avg(), "data_set": set.dir, "generated": set.generated,
        "generate_s": set.generate_s,
        "results": results.iter().map(ImportRun::to_json).collect::<Vec<_>>(),
        "peers": peers,
        "ratios": ratios(results, duckdb, cp),
    })
}

pub(super) fn print_text(
    set: &Dataset,
    results: &[ImportRun],
    duckdb: &DuckRuns,
    cp: Option<&CpSync>,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "bench-import: {} rows x {} dims, {} cores (load {}), data set {} ({})",
        set.spec.rows,
        set.spec.dim,
        cores(),
        load_avg().map_or("?".into(), |l| format!("{l:.1}")),
        set.dir.display(),
        if set.generated {
            format!("generated in {:.1} s", set.generate_s)
        } else {
            "reused".into()
        }
    )?;
    writeln!(
        out,
        "{:<7} {:>10} {:>13} {:>9} {:>11} {:>8} {:>13} {:>7}  state",
        "format", "rows", "bytes", "seconds", "rows/s", "MB/s", "peak RSS MiB", "cpu s"
    )?;
    for r in results {
        writeln!(
            out,
            "{:<7} {:>10} {:>13} {:>9.3} {:>11.0} {:>8.1} {:>13.1} {:>7.2}  {}{}",
            r.format.name(),
            r.rows,
            r.bytes,
            r.seconds,
            r.rows_per_s(),
            r.bytes as f64 / 1e6 / r.seconds,
            r.peak_rss_kib as f64 / 1024.0,
            r.cpu_s,
            r.state,
            if r.error.is_empty() {
                String::new()
            } else {
                format!(" ({})", r.error)
            }
        )?;
    }
    let ratios = ratios(results, duckdb, cp);
    for format in [Format::Parquet, Format::Csv] {
        if let Some(x) = ratios[format!("{format}_rows_per_s_over_npy")].as_f64() {
            writeln!(out, "vecload {format}: rows/s {x:.2}x vecload npy's")?;
        }
    }
    for (format, peer) in duckdb {
        print_duckdb(*format, peer, &ratios, out)?;
    }
    if let Some(cp) = cp {
        write!(
            out,
            "cp+sync of the npy files: {:.3} s, {:.1} MB/s",
            cp.seconds,
            cp.bytes as f64 / 1e6 / cp.seconds
        )?;
        match ratios["npy_seconds_over_cp_sync"].as_f64() {
            Some(x) => writeln!(out, "; vecload npy time = {x:.2}x cp+sync's")?,
            None => writeln!(out)?,
        }
    }
    Ok(())
}

/// One DuckDB line: its figures and ours over them.
fn print_duckdb(
    format: Format,
    peer: &DuckDb,
    ratios: &Value,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    let reader = match format {
        Format::Parquet => "read_parquet",
        Format::Csv => "read_csv",
        _ => "read_json",
    };
    match peer {
        DuckDb::NotInstalled => writeln!(out, "duckdb: not installed (pip install duckdb)")?,
        DuckDb::Failed(why) => writeln!(out, "duckdb {reader} ({format}): failed: {why}")?,
        DuckDb::Ran {
            threads,
            seconds,
            rows,
            version,
            peak_rss_kib,
            cpu_s,
        } => {
            write!(
                out,
                "duckdb {version} {reader} ({format}, {threads} thread{}): {seconds:.3} s, {:.0} rows/s, peak RSS {:.1} MiB, cpu {cpu_s:.2} s",
                if *threads == 1 { "" } else { "s" },
                *rows as f64 / seconds,
                *peak_rss_kib as f64 / 1024.0
            )?;
            match (
                ratios[format!("{format}_rows_per_s_over_duckdb")].as_f64(),
                ratios[format!("{format}_cpu_s_over_duckdb")].as_f64(),
            ) {
                (Some(x), Some(c)) => writeln!(
                    out,
                    "; vecload {format}: rows/s {x:.2}x duckdb's, cpu s {c:.2}x duckdb's"
                )?,
                _ => writeln!(out)?,
            }
        }
    }
    Ok(())
}
