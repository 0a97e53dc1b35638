//! What commands print on stdout, shared by embedded and client mode: a write error (a
//! closed stdout) is returned, never a panic, so `| head` ends quietly (see `exit`).

use std::io::Write;

use anyhow::Result;
use serde_json::Value;

/// One JSON value on one line.
pub fn print_json(v: &Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// `text` as one line each, or `json` as one value.
pub fn print(json: bool, value: &Value, text: impl FnOnce() -> Vec<String>) -> Result<()> {
    if json {
        return print_json(value);
    }
    let mut out = std::io::stdout().lock();
    for l in text() {
        writeln!(out, "{l}")?;
    }
    Ok(())
}

/// The task line of a task's JSON (`vecload state`):
/// `task 1 Completed (6) collection=book partition=2022 rows=5 progress=100% created=...`.
pub fn task_line(t: &Value) -> String {
    let text = |key: &str| t.get(key).and_then(Value::as_str).unwrap_or_default();
    let num = |key: &str| t.get(key).and_then(Value::as_u64).unwrap_or_default();
    let partition = match text("partition") {
        "" => "-",
        p => p,
    };
    let mut s = format!(
        "task {} {} ({}) collection={} partition={partition} rows={} progress={}% created={}",
        num("task_id"),
        text("state"),
        num("state_code"),
        text("collection"),
        num("row_count"),
        num("progress"),
        text("create_time"),
    );
    if t.get("dry_run") == Some(&Value::Bool(true)) {
        let partitions: Vec<String> = (t.get("partitions").and_then(Value::as_object))
            .into_iter()
            .flatten()
            .map(|(p, n)| format!("{p}:{}", n.as_u64().unwrap_or_default()))
            .collect();
        s.push_str(&format!(" dry_run partitions={}", partitions.join(",")));
    }
    if num("rejected_rows") > 0 {
        s.push_str(&format!(
            " rejected_rows={} rejects_file={}",
            num("rejected_rows"),
            text("rejects_file")
        ));
    }
    if !text("failed_reason").is_empty() {
        s.push_str(&format!(" reason: {}", text("failed_reason")));
    }
    s
}
