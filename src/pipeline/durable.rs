//! Durable work units (`import.resume`): at a point (a candidate every [`CHECKPOINT_UNITS`]
//! units per worker, taken at most once per [`Resume::interval`]), the writers close their
//! segments (synced) once every row of the units before it has reached them, and the task's
//! sink records which file rows those segments hold. A task resumed from that record keeps
//! those segments and reads only the other rows.
//!
//! A unit is known by its file rows, `[begin, end)`: a resumed task skips the units whose
//! rows are all durable, whatever worker read them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{AllocError, PipelineError, TaskSpec};
use crate::segment::{SegmentInfo, SegmentName};
use crate::source::FileStamp;

mod schedule;
mod worker;

use schedule::Schedule;
pub(super) use worker::WorkerPoints;

/// Units each worker reads between two candidate durable points.
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
    /// Least time between two points, the first counted from the task's start (config key
    /// `import.resume_interval_ms`); zero (the default here): a point at every candidate.
    pub interval: Duration,
}

impl std::fmt::Debug for Resume {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resume")
            .field("sink", &self.sink.is_some())
            .field("from", &self.from)
            .field("interval", &self.interval)
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
    schedule: Arc<Schedule>,
    state: Mutex<(Durable, Pending)>,
}

/// Points not yet durable: how many workers reported each, and what they reported.
type Pending = BTreeMap<u64, (usize, Report)>;

impl Coordinator {
    /// Points of `workers` workers, at most one per `interval` (from now), recorded in
    /// `sink` on top of `start`; rejects records go to files in `dir`.
    pub fn new(
        workers: usize,
        dir: PathBuf,
        sink: Arc<dyn DurableSink>,
        start: Durable,
        interval: Duration,
    ) -> Self {
        Coordinator {
            workers,
            dir,
            sink,
            schedule: Arc::new(Schedule::new(interval)),
            state: Mutex::new((start, BTreeMap::new())),
        }
    }

    /// Which candidates are points (one decision for every worker).
    pub fn schedule(&self) -> Arc<Schedule> {
        self.schedule.clone()
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
mod tests;
