//! Durable work units (`import.resume`): every [`CHECKPOINT_UNITS`] units per worker, the
//! writers close their segments (synced) once every row of the units before that point has
//! reached them, and the task's sink records which file rows those segments hold. A task
//! resumed from that record keeps those segments and reads only the other rows.
//!
//! A unit is known by its file rows, `[begin, end)`: a resumed task skips the units whose
//! rows are all durable, whatever worker read them.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};

use timely::progress::frontier::MutableAntichain;

use super::operators::Routed;
use super::{AllocError, PipelineError, TaskSpec};
use crate::segment::{SegmentInfo, SegmentName};
use crate::source::FileStamp;

/// Units each worker reads between two durable points.
pub const CHECKPOINT_UNITS: u64 = 16;

/// What of a task is durable (all of it cumulative since the task began).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Durable {
    /// File rows whose every row is in `segments` or rejected, merged, in order.
    pub rows_done: Vec<[u64; 2]>,
    /// The task's files and their versions when it began.
    pub files: Vec<(String, FileStamp)>,
    /// The work unit size the input was cut with.
    pub unit_bytes: u64,
    /// The workers the task ran with.
    pub workers: u64,
    /// Complete, synced segments.
    pub segments: Vec<SegmentInfo>,
    /// Rows in `segments`.
    pub rows: u64,
    /// Rows rejected among `rows_done`.
    pub rejected: u64,
    /// Bytes of their records.
    pub reject_bytes: u64,
    /// Files in the task's folder holding those records.
    pub reject_parts: Vec<String>,
    /// Auto-ids of the rows in `segments`.
    pub id_ranges: Vec<[i64; 2]>,
    /// Units of progress of `rows_done`.
    pub work_done: u64,
}

/// Where durable points go; implemented by the engine over the ledger.
pub trait DurableSink: Send + Sync {
    /// Records `d` durably; the task fails if this fails.
    fn record(&self, d: &Durable) -> Result<(), AllocError>;
}

/// How a task is resumable: where it records durable points, and the point it resumes from.
#[derive(Default, Clone)]
pub struct Resume {
    /// `Some`: durable points are taken and recorded here.
    pub sink: Option<Arc<dyn DurableSink>>,
    /// `Some`: the task resumes from this point (its segments kept, its rows skipped).
    pub from: Option<Durable>,
}

impl std::fmt::Debug for Resume {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resume")
            .field("sink", &self.sink.is_some())
            .field("from", &self.from)
            .finish()
    }
}

/// A unit a worker fed: its file rows, its progress units and its auto-ids.
#[derive(Debug, Clone)]
pub(super) struct UnitDone {
    pub rows: [u64; 2],
    pub work: u64,
    pub ids: Option<[i64; 2]>,
}

/// What one worker adds at a durable point.
#[derive(Debug, Default)]
pub(super) struct Report {
    pub units: Vec<UnitDone>,
    pub segments: Vec<SegmentInfo>,
    pub rejects: Vec<(u64, String)>,
}

/// Collects the workers' reports; a point is durable once every worker reported it.
pub(super) struct Coordinator {
    workers: usize,
    dir: PathBuf,
    sink: Arc<dyn DurableSink>,
    state: Mutex<(Durable, Pending)>,
}

/// Points not yet durable: how many workers reported each, and what they reported.
type Pending = BTreeMap<u64, (usize, Report)>;

impl Coordinator {
    pub fn new(workers: usize, dir: PathBuf, sink: Arc<dyn DurableSink>, start: Durable) -> Self {
        Coordinator {
            workers,
            dir,
            sink,
            state: Mutex::new((start, BTreeMap::new())),
        }
    }

    /// Worker's report for point `time`; the last one in makes it durable.
    pub fn report(&self, time: u64, mut r: Report) -> Result<(), PipelineError> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (durable, pending) = &mut *st;
        let slot = pending.entry(time).or_default();
        slot.0 += 1;
        slot.1.units.append(&mut r.units);
        slot.1.segments.append(&mut r.segments);
        slot.1.rejects.append(&mut r.rejects);
        if slot.0 < self.workers {
            return Ok(());
        }
        let Some((_, done)) = pending.remove(&time) else {
            return Ok(());
        };
        let mut next = durable.clone();
        for u in &done.units {
            add_range(&mut next.rows_done, u.rows);
            next.work_done += u.work;
            if let Some(ids) = u.ids {
                add_id_range(&mut next.id_ranges, ids);
            }
        }
        next.rows += done.segments.iter().map(|s| s.rows).sum::<u64>();
        next.segments.extend(done.segments);
        if !done.rejects.is_empty() {
            let name = format!("rejects-{:04}.jsonl", next.reject_parts.len());
            let mut text = Vec::new();
            for (_, line) in &done.rejects {
                text.extend_from_slice(line.as_bytes());
                text.push(b'\n');
            }
            crate::fsutil::write_atomic(&self.dir.join(&name), &text).map_err(|source| {
                PipelineError::OutputDir {
                    path: self.dir.join(&name),
                    source,
                }
            })?;
            next.rejected += done.rejects.len() as u64;
            next.reject_bytes += text.len() as u64;
            next.reject_parts.push(name);
        }
        self.sink.record(&next).map_err(PipelineError::Checkpoint)?;
        *durable = next;
        Ok(())
    }
}

/// One worker's side of the durable points: the next point, the rows that arrived for units
/// past it (held until the point is taken), and what it has not reported yet.
pub(super) struct WorkerPoints {
    next: u64,
    stash: Vec<(u64, Routed)>,
    rejects: Vec<(u64, u64, String)>,
    /// The units this worker fed, by time (filled by the worker's input loop).
    pub units: Rc<RefCell<Vec<(u64, UnitDone)>>>,
}

impl WorkerPoints {
    pub fn new() -> Self {
        WorkerPoints {
            next: CHECKPOINT_UNITS,
            stash: Vec::new(),
            rejects: Vec::new(),
            units: Rc::default(),
        }
    }

    /// Whether rows of time `t` wait for the next point.
    pub fn holds(&self, t: u64) -> bool {
        t >= self.next
    }

    pub fn stash(&mut self, t: u64, r: Routed) {
        self.stash.push((t, r));
    }

    /// A rejects record of time `t` about file row `row`.
    pub fn reject(&mut self, t: u64, row: u64, line: String) {
        self.rejects.push((t, row, line));
    }

    /// Whether every row and reject before the next point has arrived (and some input may
    /// still come: at the end the task's output says it all).
    pub fn due(&self, rows: &MutableAntichain<u64>, rejects: &MutableAntichain<u64>) -> bool {
        !rows.frontier().is_empty() && !rows.less_than(&self.next) && !rejects.less_than(&self.next)
    }

    /// This worker's report for the next point, with the files its writers just closed.
    pub fn report(&mut self, segments: Vec<SegmentInfo>) -> (u64, Report) {
        let next = self.next;
        let mut units = self.units.borrow_mut();
        let (before, after): (Vec<_>, Vec<_>) = units.drain(..).partition(|(t, _)| *t < next);
        *units = after;
        let (done, kept): (Vec<_>, Vec<_>) =
            self.rejects.drain(..).partition(|(t, _, _)| *t < next);
        self.rejects = kept;
        let report = Report {
            units: before.into_iter().map(|(_, u)| u).collect(),
            segments,
            rejects: done.into_iter().map(|(_, row, line)| (row, line)).collect(),
        };
        (next, report)
    }

    /// Moves to the point after; the held rows that now come before it.
    pub fn advance(&mut self) -> Vec<Routed> {
        self.next += CHECKPOINT_UNITS;
        let next = self.next;
        let (now, later): (Vec<_>, Vec<_>) = self.stash.drain(..).partition(|(t, _)| *t < next);
        self.stash = later;
        now.into_iter().map(|(_, r)| r).collect()
    }

    /// Every held row (the input ended: no point is taken any more).
    pub fn release_all(&mut self) -> Vec<Routed> {
        self.stash.drain(..).map(|(_, r)| r).collect()
    }
}

/// Adds `r` to the sorted, merged ranges `v`.
pub(super) fn add_range(v: &mut Vec<[u64; 2]>, r: [u64; 2]) {
    if r[0] >= r[1] {
        return;
    }
    v.push(r);
    v.sort_unstable();
    let mut out: Vec<[u64; 2]> = Vec::with_capacity(v.len());
    for x in v.drain(..) {
        match out.last_mut() {
            Some(last) if x[0] <= last[1] => last[1] = last[1].max(x[1]),
            _ => out.push(x),
        }
    }
    *v = out;
}

fn add_id_range(v: &mut Vec<[i64; 2]>, r: [i64; 2]) {
    v.push(r);
    v.sort_unstable();
    let mut out: Vec<[i64; 2]> = Vec::with_capacity(v.len());
    for x in v.drain(..) {
        match out.last_mut() {
            Some(last) if x[0] <= last[1] => last[1] = last[1].max(x[1]),
            _ => out.push(x),
        }
    }
    *v = out;
}

/// Whether the rows `r` are durable: all (`Some(true)`), none (`Some(false)`), or some
/// (`None`: the input was cut differently).
pub(super) fn covered(done: &[[u64; 2]], r: [u64; 2]) -> Option<bool> {
    if r[0] >= r[1] {
        return Some(false);
    }
    let mut overlap = false;
    for d in done {
        if d[0] <= r[0] && r[1] <= d[1] {
            return Some(true);
        }
        overlap |= d[0] < r[1] && r[0] < d[1];
    }
    if overlap { None } else { Some(false) }
}

/// The versions of the task's files now.
pub(super) fn stamps(spec: &TaskSpec) -> Result<Vec<(String, FileStamp)>, PipelineError> {
    (spec.files.iter())
        .map(|f| Ok((f.clone(), spec.root.stamp(f)?)))
        .collect()
}

/// Fails when a file differs from the version the task began with.
pub(super) fn check_unchanged(
    then: &[(String, FileStamp)],
    now: &[(String, FileStamp)],
) -> Result<(), PipelineError> {
    for (file, old) in then {
        let change = match now.iter().find(|(f, _)| f == file) {
            Some((_, new)) => new.change_from(old),
            None => Some("it is no longer one of the task's files".into()),
        };
        if let Some(change) = change {
            return Err(PipelineError::FileChanged {
                file: file.clone(),
                change,
            });
        }
    }
    Ok(())
}

/// The first segment sequence number a resumed task's writers use: past every kept file's.
pub(super) fn first_seq(kept: &[SegmentInfo]) -> u32 {
    (kept.iter())
        .filter_map(|s| SegmentName::parse(&s.file_name))
        .map(|n| n.seq.saturating_add(1))
        .max()
        .unwrap_or(0)
}

/// The records of the kept reject parts, each with its row.
pub(super) fn read_parts(
    dir: &Path,
    parts: &[String],
) -> Result<Vec<(u64, String)>, PipelineError> {
    let mut out = Vec::new();
    for name in parts {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(|source| PipelineError::OutputDir {
            path: path.clone(),
            source,
        })?;
        for line in text.lines().filter(|l| !l.is_empty()) {
            let row = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v["row"].as_u64())
                .unwrap_or(0);
            out.push((row, line.to_string()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_merge_and_cover() {
        let mut v = Vec::new();
        add_range(&mut v, [10, 20]);
        add_range(&mut v, [0, 5]);
        add_range(&mut v, [5, 10]);
        add_range(&mut v, [30, 40]);
        assert_eq!(v, vec![[0, 20], [30, 40]]);
        assert_eq!(covered(&v, [3, 12]), Some(true));
        assert_eq!(covered(&v, [20, 30]), Some(false));
        assert_eq!(covered(&v, [15, 25]), None);
        assert_eq!(covered(&v, [7, 7]), Some(false));
    }

    #[test]
    fn a_changed_file_is_named_with_what_changed() {
        let stamp = |size, t| FileStamp {
            size,
            modified_ns: Some(t),
            etag: None,
        };
        let then = vec![("a.jsonl".to_string(), stamp(10, 1))];
        assert!(check_unchanged(&then, &then).is_ok());
        let e = check_unchanged(&then, &[("a.jsonl".into(), stamp(11, 1))]).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("a.jsonl") && text.contains("size 10 -> 11"),
            "{text}"
        );
        let e = check_unchanged(&then, &[("a.jsonl".into(), stamp(10, 2))]).unwrap_err();
        assert!(e.to_string().contains("modification time"), "{e}");
    }

    #[test]
    fn new_files_are_numbered_past_the_kept_ones() {
        let seg = |name: &str| SegmentInfo {
            file_name: name.into(),
            rows: 1,
            bytes: 1,
            partition: "_default".into(),
            shard: 0,
        };
        assert_eq!(first_seq(&[]), 0);
        let kept = [
            seg("t00000007-w0-p0-s0-0003.vseg"),
            seg("t00000007-w1-p0-s0-0011.vseg"),
        ];
        assert_eq!(first_seq(&kept), 12);
    }
}
