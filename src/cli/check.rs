//! `vecload check [--repair]`: prints what [`vecload::engine::check`] finds; exit 0 when
//! clean, 1 with problems (docs/cli.md).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use serde_json::{Value, json};
use vecload::engine::{CheckReport, Problem};
use vecload::{Engine, EngineError, EngineOptions};

use super::args::Cli;
use super::print_json;

/// Runs `check`; with `repair`, opens the directory for writing (lock, recovery, no task
/// run) and removes what is orphaned first.
pub(super) fn run(cli: &Cli, repair: bool, opts: EngineOptions) -> Result<ExitCode> {
    let (removed, report) = if repair {
        if !cli.data_dir.is_dir() {
            return Err(EngineError::DataDirNotFound(cli.data_dir.clone()).into());
        }
        let engine = Engine::open(&cli.data_dir, opts)?;
        engine.repair()
    } else {
        (Vec::new(), vecload::engine::check(&cli.data_dir)?)
    };
    if cli.json {
        print_json(&to_json(&report, repair.then_some(&removed)))?;
    } else {
        print_text(cli, &report, &removed)?;
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn list(problems: &[Problem]) -> Value {
    Value::Array(problems.iter().map(Problem::to_json).collect())
}

fn to_json(r: &CheckReport, removed: Option<&Vec<PathBuf>>) -> Value {
    let mut v = json!({
        "ok": r.ok(),
        "problems": list(&r.problems),
        "in_flight": list(&r.in_flight),
        "lock_holder": r.lock_holder,
        "collections": r.collections,
        "segments": r.segments,
    });
    if let Some(removed) = removed {
        v["removed"] = json!(
            removed
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
        );
    }
    v
}

fn print_text(cli: &Cli, r: &CheckReport, removed: &[PathBuf]) -> Result<()> {
    let mut lines: Vec<String> = removed
        .iter()
        .map(|p| format!("removed {}", p.display()))
        .collect();
    for p in &r.in_flight {
        lines.push(format!(
            "in flight: {} {}: {}",
            p.kind,
            p.path.display(),
            p.detail
        ));
    }
    for p in &r.problems {
        lines.push(format!("{} {}: {}", p.kind, p.path.display(), p.detail));
    }
    let what = format!("{} collections, {} segments", r.collections, r.segments);
    lines.push(if r.ok() {
        format!("ok: {} is consistent ({what})", cli.data_dir.display())
    } else {
        format!(
            "{} problems in {} ({what})",
            r.problems.len(),
            cli.data_dir.display()
        )
    });
    // Through the shared printer: a closed stdout is an error `exit` ends quietly.
    super::output::print(false, &Value::Null, || lines)
}
