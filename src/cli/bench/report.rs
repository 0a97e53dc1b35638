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

/// Our JSON Lines rows/s over DuckDB's (and our CPU seconds over its), and our NPY time
/// over cp + sync's.
fn ratios(results: &[ImportRun], duckdb: Option<&DuckDb>, cp: Option<&CpSync>) -> Value {
    let find = |f| {
        results
            .iter()
            .find(|r| r.format == f && r.state == "Completed")
    };
    let (vs_duckdb, cpu_vs_duckdb) = match (find(Format::Jsonl), duckdb) {
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
    let vs_cp = match (find(Format::Npy), cp) {
        (Some(ours), Some(cp)) => Some(ours.seconds / cp.seconds),
        _ => None,
    };
    json!({
        "jsonl_rows_per_s_over_duckdb": vs_duckdb,
        "jsonl_cpu_s_over_duckdb": cpu_vs_duckdb,
        "npy_seconds_over_cp_sync": vs_cp,
    })
}

pub(super) fn report_json(
    set: &Dataset,
    results: &[ImportRun],
    duckdb: Option<&DuckDb>,
    cp: Option<&CpSync>,
) -> Value {
    json!({
        "rows": set.spec.rows, "dim": set.spec.dim, "seed": set.spec.seed,
        "cores": cores(), "load_avg_1m": load_avg(), "data_set": set.dir, "generated": set.generated,
        "generate_s": set.generate_s,
        "results": results.iter().map(ImportRun::to_json).collect::<Vec<_>>(),
        "peers": {
            "duckdb": duckdb.map_or(json!({"status": "skipped"}), DuckDb::to_json),
            "cp_sync": cp.map_or(json!({"status": "skipped"}), CpSync::to_json),
        },
        "ratios": ratios(results, duckdb, cp),
    })
}

pub(super) fn print_text(
    set: &Dataset,
    results: &[ImportRun],
    duckdb: Option<&DuckDb>,
    cp: Option<&CpSync>,
) {
    println!(
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
    );
    println!(
        "{:<6} {:>10} {:>13} {:>9} {:>11} {:>8} {:>13} {:>7}  state",
        "format", "rows", "bytes", "seconds", "rows/s", "MB/s", "peak RSS MiB", "cpu s"
    );
    for r in results {
        println!(
            "{:<6} {:>10} {:>13} {:>9.3} {:>11.0} {:>8.1} {:>13.1} {:>7.2}  {}{}",
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
        );
    }
    let ratios = ratios(results, duckdb, cp);
    match duckdb {
        None => {}
        Some(DuckDb::NotInstalled) => println!("duckdb: not installed (pip install duckdb)"),
        Some(DuckDb::Failed(why)) => println!("duckdb: failed: {why}"),
        Some(DuckDb::Ran {
            seconds,
            rows,
            version,
            peak_rss_kib,
            cpu_s,
        }) => {
            print!(
                "duckdb {version} read_json (jsonl, 1 thread): {seconds:.3} s, {:.0} rows/s, peak RSS {:.1} MiB, cpu {cpu_s:.2} s",
                *rows as f64 / seconds,
                *peak_rss_kib as f64 / 1024.0
            );
            match (
                ratios["jsonl_rows_per_s_over_duckdb"].as_f64(),
                ratios["jsonl_cpu_s_over_duckdb"].as_f64(),
            ) {
                (Some(x), Some(c)) => {
                    println!("; vecload jsonl: rows/s {x:.2}x duckdb's, cpu s {c:.2}x duckdb's")
                }
                _ => println!(),
            }
        }
    }
    if let Some(cp) = cp {
        print!(
            "cp+sync of the npy files: {:.3} s, {:.1} MB/s",
            cp.seconds,
            cp.bytes as f64 / 1e6 / cp.seconds
        );
        match ratios["npy_seconds_over_cp_sync"].as_f64() {
            Some(x) => println!("; vecload npy time = {x:.2}x cp+sync's"),
            None => println!(),
        }
    }
}
