//! Bad rows as data (`--on-error skip`): the policy and its limits, the rejects record of a
//! refused row (one JSON Lines object), and each worker's share of the task's rejects.

use std::sync::atomic::Ordering;

use serde_json::json;

use super::{PipelineError, TaskControl};
use crate::parse::Rejected;

/// Rows read before the error ratio is checked while a task runs (it is checked again at
/// the end whatever the count).
pub const RATIO_MIN_ROWS: u64 = 1000;

/// How a task that skips bad rows is bounded. 0 means no limit for `max_errors` and
/// `max_error_ratio`; the rejects' bytes are always bounded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RejectPolicy {
    /// More rejected rows than this fail the task (`import.max_errors`; 0 = no limit).
    pub max_errors: u64,
    /// A larger share of rejected rows among the rows read fails the task
    /// (`import.max_error_ratio`, 0 to 1; 0 = no limit).
    pub max_error_ratio: f64,
    /// The rejects file may hold this many bytes (`import.max_rejects_bytes`).
    pub max_bytes: u64,
}

/// The limit a task passed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RejectLimit {
    /// `max_errors`.
    Errors(u64),
    /// `max_error_ratio`.
    Ratio(f64),
    /// `max_rejects_bytes`.
    Bytes(u64),
}

impl std::fmt::Display for RejectLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RejectLimit::Errors(n) => write!(f, "more than max_errors = {n}"),
            RejectLimit::Ratio(r) => write!(f, "a share above max_error_ratio = {r}"),
            RejectLimit::Bytes(b) => {
                write!(
                    f,
                    "a rejects file above import.max_rejects_bytes = {b} bytes"
                )
            }
        }
    }
}

impl RejectPolicy {
    /// The limit `rejected` rows (of `read` rows read, `bytes` of records) pass, if any;
    /// the ratio only once [`RATIO_MIN_ROWS`] rows are read unless `at_end`.
    pub fn passed(
        &self,
        rejected: u64,
        read: u64,
        bytes: u64,
        at_end: bool,
    ) -> Option<RejectLimit> {
        if bytes > self.max_bytes {
            return Some(RejectLimit::Bytes(self.max_bytes));
        }
        if self.max_errors > 0 && rejected > self.max_errors {
            return Some(RejectLimit::Errors(self.max_errors));
        }
        let counted = at_end || read >= RATIO_MIN_ROWS;
        let share = rejected as f64 / read.max(1) as f64;
        if self.max_error_ratio > 0.0 && counted && share > self.max_error_ratio {
            return Some(RejectLimit::Ratio(self.max_error_ratio));
        }
        None
    }
}

/// A row's rejects record, one line of JSON Lines (docs/bad-rows.md): `file`, `row`,
/// `byte`, `line`, `row_group`, `field`, `expected`, `found`, `message`, `raw`.
pub fn record_line(r: &Rejected) -> String {
    let loc = &r.error.location;
    json!({
        "file": loc.file,
        "row": loc.row,
        "byte": loc.byte,
        "line": loc.line,
        "row_group": loc.row_group,
        "field": r.error.field,
        "expected": r.error.expected,
        "found": r.error.found,
        "message": r.error.to_string(),
        "raw": r.raw,
    })
    .to_string()
}

/// One worker's rejects: each record line with the row it is about, in the order read.
#[derive(Debug, Default)]
pub(super) struct WorkerRejects {
    pub lines: Vec<(u64, String)>,
}

impl WorkerRejects {
    /// Keeps `r`, counting it in the task's totals; the limit the task then passes fails it.
    pub fn add(
        &mut self,
        r: &Rejected,
        policy: &RejectPolicy,
        control: &TaskControl,
    ) -> Result<(), PipelineError> {
        let line = record_line(r);
        let bytes = control
            .reject_bytes
            .fetch_add(line.len() as u64 + 1, Ordering::Relaxed)
            + line.len() as u64
            + 1;
        let rejected = control.rejected.fetch_add(1, Ordering::Relaxed) + 1;
        let read = control.rows.load(Ordering::Relaxed) + rejected;
        self.lines.push((r.error.location.row, line));
        match policy.passed(rejected, read, bytes, false) {
            Some(limit) => Err(PipelineError::TooManyRejects {
                rejected,
                read,
                limit,
                last: Box::new(r.error.clone()),
            }),
            None => Ok(()),
        }
    }
}

/// Every worker's rejects as the rejects file's text: one record a line, by row.
pub(super) fn merge(mut parts: Vec<(u64, String)>) -> Vec<u8> {
    parts.sort_by_key(|(row, _)| *row);
    let mut out = Vec::with_capacity(parts.iter().map(|(_, l)| l.len() + 1).sum());
    for (_, line) in parts {
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::RowLocation;
    use crate::validate::RowError;

    fn policy(max_errors: u64, max_error_ratio: f64) -> RejectPolicy {
        RejectPolicy {
            max_errors,
            max_error_ratio,
            max_bytes: 1000,
        }
    }

    #[test]
    fn limits_count_from_their_thresholds() {
        let p = policy(3, 0.0);
        assert_eq!(p.passed(3, 10, 0, false), None);
        assert_eq!(p.passed(4, 10, 0, false), Some(RejectLimit::Errors(3)));
        let p = policy(0, 0.1);
        // Below 1,000 rows read the ratio waits for the end.
        assert_eq!(p.passed(150, 999, 0, false), None);
        assert_eq!(p.passed(150, 999, 0, true), Some(RejectLimit::Ratio(0.1)));
        assert_eq!(p.passed(100, 1000, 0, false), None);
        assert_eq!(p.passed(101, 1000, 0, false), Some(RejectLimit::Ratio(0.1)));
        assert_eq!(policy(0, 0.0).passed(1000, 1000, 0, true), None);
        assert_eq!(p.passed(0, 0, 1001, false), Some(RejectLimit::Bytes(1000)));
    }

    #[test]
    fn a_record_names_every_key_and_lines_sort_by_row() {
        let mut loc = RowLocation::row("a.jsonl", 4);
        loc.byte = Some(120);
        loc.line = Some(5);
        let r = Rejected {
            error: RowError::new(&loc, "age", "Int64", "string \"x\""),
            raw: "{\"age\": \"x\"}".into(),
        };
        let v: serde_json::Value = serde_json::from_str(&record_line(&r)).unwrap();
        assert_eq!(
            v,
            json!({"file": "a.jsonl", "row": 4, "byte": 120, "line": 5, "row_group": null,
                   "field": "age", "expected": "Int64", "found": "string \"x\"",
                   "message": r.error.to_string(), "raw": "{\"age\": \"x\"}"})
        );
        let text = merge(vec![(9, "b".into()), (2, "a".into())]);
        assert_eq!(text, b"a\nb\n");
    }
}
