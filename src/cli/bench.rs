//! `vecload bench-import`: the one end-to-end benchmark (docs/performance.md).
//!
//! Generates (or reuses) the data set, then imports each format through the real command
//! line in a child process on a fresh data directory, timing call -> Completed (fsync
//! included) and reading the child's peak RSS; then runs the peers on the same files.

mod child;
#[allow(
    dead_code,
    unused_imports,
    reason = "the generator's full API serves the benches too"
)]
mod dataset;
mod peers;
mod report;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use clap::Args;
use serde_json::Value;
use vecload::engine::ValueKind;

use super::args::Cli;
use child::run_measured;
use dataset::{COLLECTION, DataSpec, Dataset, Format, prepare};
use peers::{CpSync, DuckDb};
use report::{ImportRun, print_text, report_json};

/// `vecload bench-import` options.
#[derive(Debug, Args)]
pub struct BenchImportArgs {
    /// Rows of the data set.
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub rows: u64,
    /// Vector dimension.
    #[arg(long, default_value_t = 128, value_parser = clap::value_parser!(u64).range(1..=32_768))]
    pub dim: u64,
    /// Where data sets (one per rows x dim, reused) and scratch data directories go.
    #[arg(long, default_value = "target/bench-data")]
    pub dir: PathBuf,
    /// Formats to import, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "json,jsonl,npy,parquet,csv", value_parser = str::parse::<Format>)]
    pub formats: Vec<Format>,
    /// Do not run the peers (DuckDB on the JSON Lines, Parquet and CSV files imported, cp +
    /// sync).
    #[arg(long)]
    pub skip_peers: bool,
}

/// Runs the benchmark; exits non-zero if an import did not complete.
pub fn run(cli: &Cli, args: &BenchImportArgs) -> Result<ExitCode> {
    let spec = DataSpec {
        rows: args.rows,
        dim: usize::try_from(args.dim)?,
        ..DataSpec::default()
    };
    if !cli.json {
        eprintln!(
            "bench-import: preparing {} rows x {} in {}",
            spec.rows,
            spec.dim,
            args.dir.display()
        );
    }
    let set = prepare(&args.dir, &spec)?;
    let runs = set.dir.with_file_name("runs");
    let exe = std::env::current_exe().context("locating the vecload binary")?;
    let flags = child_flags(cli);
    let mut results = Vec::new();
    for &format in &args.formats {
        if !cli.json {
            eprintln!("bench-import: importing {format}");
        }
        let dir = runs.join(format!("{format}-{}", std::process::id()));
        results.push(import(&exe, &flags, &set, format, &dir)?);
    }
    let (duckdb, cp) = if args.skip_peers {
        (Vec::new(), None)
    } else {
        if !cli.json {
            eprintln!("bench-import: running peers");
        }
        let duckdb = duckdb_peers(cli, &set, &args.formats)?;
        let (npy, bytes) = set.inputs(Format::Npy);
        warm(&npy)?;
        let scratch = runs.join(format!("cp-{}", std::process::id()));
        (duckdb, Some(CpSync::run(&npy, bytes, &scratch)?))
    };
    let all_completed = results.iter().all(|r| r.state == "Completed");
    if cli.json {
        super::print_json(&report_json(&set, &results, &duckdb, cp.as_ref()))?;
    } else {
        print_text(
            &set,
            &results,
            &duckdb,
            cp.as_ref(),
            &mut std::io::stdout().lock(),
        )?;
    }
    Ok(if all_completed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// DuckDB on the file of each of `formats` it reads: `read_json` on the JSON Lines file,
/// `read_parquet` and `read_csv`, each with as many threads as the imports' workers (the fair
/// peer). A missing DuckDB is said once.
fn duckdb_peers(cli: &Cli, set: &Dataset, formats: &[Format]) -> Result<Vec<(Format, DuckDb)>> {
    let workers = super::settings::resolve(cli)?.import.workers.max(1);
    let mut out = Vec::new();
    for (format, reader, threads) in [
        (Format::Jsonl, "json", workers),
        (Format::Parquet, "parquet", workers),
        (Format::Csv, "csv", workers),
    ] {
        if !formats.contains(&format) {
            continue;
        }
        let (files, _) = set.inputs(format);
        warm(&files)?;
        let peer = DuckDb::run(&files[0], reader, threads);
        let missing = matches!(peer, DuckDb::NotInstalled);
        out.push((format, peer));
        if missing {
            break;
        }
    }
    Ok(out)
}

/// Creates the collection in a fresh data directory `dir`, then times `import` of one
/// format in a child process; removes `dir` afterwards unless the import failed.
fn import(
    exe: &Path,
    flags: &[String],
    set: &Dataset,
    format: Format,
    dir: &Path,
) -> Result<ImportRun> {
    remove_dir(dir)?;
    let base = |cmd: &mut Command| {
        cmd.arg("--data-dir").arg(dir).arg("--json").args(flags);
    };
    let mut create = Command::new(exe);
    base(&mut create);
    create.args(["collection", "create"]).arg(&set.schema);
    let m = run_measured(&mut create).context("running vecload collection create")?;
    if !m.status.success() {
        bail!("vecload collection create failed: {}", m.stderr.trim());
    }
    let (files, bytes) = set.inputs(format);
    warm(&files)?;
    let mut cmd = Command::new(exe);
    base(&mut cmd);
    cmd.args(["import", "-c", COLLECTION]).args(&files);
    let m = run_measured(&mut cmd).context("running vecload import")?;
    let task: Value = m
        .stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or(Value::Null);
    let state = task["state"].as_str().unwrap_or("no task").to_string();
    let mut error = task["failed_reason"].as_str().unwrap_or("").to_string();
    if !m.status.success() && error.is_empty() {
        error = format!("exit {}: {}", m.status, m.stderr.trim());
    }
    if state == "Completed" {
        remove_dir(dir)?;
    }
    Ok(ImportRun {
        format,
        rows: task["row_count"].as_u64().unwrap_or(0),
        bytes,
        seconds: m.elapsed.as_secs_f64(),
        cpu_s: m.cpu.as_secs_f64(),
        peak_rss_kib: m.peak_rss_kib,
        state,
        error,
    })
}

/// Reads `files` once so every timed run starts from a warm page cache.
fn warm(files: &[PathBuf]) -> Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    for f in files {
        let mut file =
            std::fs::File::open(f).with_context(|| format!("reading {}", f.display()))?;
        while file.read(&mut buf)? > 0 {}
    }
    Ok(())
}

/// Removes `dir` and everything in it; a missing directory is fine.
fn remove_dir(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// The config file and tuning flags given to this command, passed on to the child processes
/// (not `--storage` or the S3 flags: the children read the data set's own files).
fn child_flags(cli: &Cli) -> Vec<String> {
    let mut flags: Vec<String> = (cli.given.iter())
        .filter(|(s, _)| !s.key().starts_with("storage."))
        .map(|(s, text)| match s.kind() {
            // A switch, except for a key on by default (`--import-resume=false`).
            ValueKind::Bool if s.default_text() != "true" => format!("--{}", s.flag()),
            _ => format!("--{}={text}", s.flag()),
        })
        .collect();
    if let Some(config) = &cli.config {
        flags.push(format!("--config={}", config.display()));
    }
    flags
}
