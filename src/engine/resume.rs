//! Resuming interrupted tasks (`import.resume`): the ledger as the pipeline's sink of
//! durable points, the conversions between the two, and a resumed task's folder made to
//! hold exactly what its resume point lists.

use std::path::Path;
use std::sync::Arc;

use super::Inner;
use super::runner::{segment_info, segment_ref};
use crate::ledger::{FileVersion, LedgerError, ResumePoint, TaskState};
use crate::pipeline::{AllocError, Durable, DurableSink};
use crate::source::{FileStamp, SourceError};

/// Records task `id`'s durable points in its ledger record (one write each).
pub(super) struct LedgerPoints {
    pub inner: Arc<Inner>,
    pub id: u64,
}

impl DurableSink for LedgerPoints {
    fn record(&self, d: &Durable) -> Result<(), AllocError> {
        let point = to_point(d);
        let w = self.inner.writer();
        self.inner.change_ledger(&w, |b| {
            b.update(self.id, |r| r.resume = Some(point))?;
            Ok::<_, LedgerError>(())
        })?;
        Ok(())
    }
}

/// The ledger's record of a durable point.
pub(super) fn to_point(d: &Durable) -> ResumePoint {
    ResumePoint {
        rows_done: d.rows_done.clone(),
        files: (d.files.iter())
            .map(|(file, s)| FileVersion {
                file: file.clone(),
                size: s.size,
                modified_ns: s.modified_ns,
                etag: s.etag.clone(),
            })
            .collect(),
        unit_bytes: d.unit_bytes,
        workers: d.workers,
        segments: d.segments.iter().map(segment_ref).collect(),
        rows: d.rows,
        rejected: d.rejected,
        reject_bytes: d.reject_bytes,
        reject_parts: d.reject_parts.clone(),
        id_ranges: d.id_ranges.clone(),
        work_done: d.work_done,
    }
}

/// The pipeline's view of a recorded point.
pub(super) fn from_point(p: &ResumePoint) -> Durable {
    Durable {
        rows_done: p.rows_done.clone(),
        files: (p.files.iter())
            .map(|f| {
                let stamp = FileStamp {
                    size: f.size,
                    modified_ns: f.modified_ns,
                    etag: f.etag.clone(),
                };
                (f.file.clone(), stamp)
            })
            .collect(),
        unit_bytes: p.unit_bytes,
        workers: p.workers,
        segments: p.segments.iter().map(segment_info).collect(),
        rows: p.rows,
        rejected: p.rejected,
        reject_bytes: p.reject_bytes,
        reject_parts: p.reject_parts.clone(),
        id_ranges: p.id_ranges.clone(),
        work_done: p.work_done,
    }
}

/// The point a new task records with its Started state when it can resume: its files'
/// versions now and how its input will be cut, nothing durable yet. A task killed before
/// its first point with rows then starts again from its first row, and still finds a file
/// changed meanwhile. Read before the writer lock is taken (an object's version is a `HEAD`).
/// `Ok(None)` when the task cannot resume (or its root cannot be opened: running it says
/// why); `Err` when a file cannot be read, which fails the task at once rather than after the
/// pipeline has tried again (an S3 endpoint that does not answer costs its retries once).
pub(super) fn start_point(inner: &Inner, id: u64) -> Result<Option<ResumePoint>, SourceError> {
    let Some(rec) = inner.lock().ledger.get(id).cloned() else {
        return Ok(None);
    };
    let resumable = inner.opts.import.resume && !rec.dry_run && rec.cluster.is_none();
    if rec.state != TaskState::Pending || !resumable {
        return Ok(None);
    }
    let Ok(root) = super::storage_root::open(inner, rec.storage_root.as_ref()) else {
        return Ok(None);
    };
    let mut files = Vec::with_capacity(rec.files.len());
    for file in &rec.files {
        let s = root.stamp(file)?;
        files.push(FileVersion {
            file: file.clone(),
            size: s.size,
            modified_ns: s.modified_ns,
            etag: s.etag,
        });
    }
    Ok(Some(ResumePoint {
        files,
        unit_bytes: inner.opts.import.unit_bytes.max(1) as u64,
        workers: inner.opts.import.workers.max(1) as u64,
        ..ResumePoint::default()
    }))
}

/// Removes from a resumed task's folder every file its point does not list (what the
/// interrupted process was writing), then syncs the folder.
pub(super) fn clean_folder(dir: &Path, point: Option<&ResumePoint>) -> std::io::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(()); // none yet
    };
    let keep = |name: &str| {
        point.is_some_and(|p| {
            p.segments.iter().any(|s| s.file_name == name)
                || p.reject_parts.iter().any(|r| r == name)
        })
    };
    let mut removed = false;
    for e in entries {
        let e = e?;
        let name = e.file_name().to_string_lossy().to_string();
        if !keep(&name) {
            std::fs::remove_file(e.path())?;
            removed = true;
        }
    }
    if removed {
        crate::fsutil::sync_dir(dir)?;
    }
    Ok(())
}

/// Removes the rejects parts of a task's folder once its rejects file is written (a
/// committed folder holds only its segments).
pub(super) fn remove_reject_parts(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut removed = false;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if name.starts_with("rejects-") && name.ends_with(".jsonl") {
            removed |= std::fs::remove_file(e.path()).is_ok();
        }
    }
    if removed {
        let _ = crate::fsutil::sync_dir(dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::SegmentRef;
    use crate::segment::SegmentInfo;

    #[test]
    fn a_point_survives_the_ledger_and_back() {
        let d = Durable {
            rows_done: vec![[0, 40], [48, 64]],
            files: vec![(
                "a.jsonl".into(),
                FileStamp {
                    size: 9,
                    modified_ns: Some(5),
                    etag: None,
                },
            )],
            unit_bytes: 4096,
            workers: 2,
            segments: vec![SegmentInfo {
                file_name: "t00000001-w0-p0-s0-0000.vseg".into(),
                rows: 56,
                bytes: 1000,
                partition: "_default".into(),
                shard: 0,
            }],
            rows: 56,
            rejected: 0,
            reject_bytes: 0,
            reject_parts: vec![],
            id_ranges: vec![[1 << 40, (1 << 40) + 56]],
            work_done: 3000,
        };
        let p = to_point(&d);
        let text = serde_json::to_string(&p).unwrap();
        let back: ResumePoint = serde_json::from_str(&text).unwrap();
        assert_eq!(from_point(&back), d);
    }

    #[test]
    fn a_folder_keeps_only_what_its_point_lists() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "a.vseg",
            "b.vseg",
            "rejects-0000.jsonl",
            "rejects-0001.jsonl",
        ] {
            std::fs::write(dir.path().join(f), b"x").unwrap();
        }
        let p = ResumePoint {
            segments: vec![SegmentRef {
                file_name: "a.vseg".into(),
                rows: 1,
                bytes: 1,
                partition: "_default".into(),
                shard: 0,
            }],
            reject_parts: vec!["rejects-0000.jsonl".into()],
            ..ResumePoint::default()
        };
        clean_folder(dir.path(), Some(&p)).unwrap();
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        left.sort();
        assert_eq!(left, ["a.vseg", "rejects-0000.jsonl"]);
        remove_reject_parts(dir.path());
        assert!(!dir.path().join("rejects-0000.jsonl").exists());
        clean_folder(dir.path(), None).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
