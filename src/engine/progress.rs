//! [`LiveProgress`]: what a running task has done so far, read from memory (no I/O, no
//! engine lock): rows read, bytes read of each file, the phase.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::Engine;
use super::runner::Running;

/// Where a running task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskPhase {
    /// Opening its files, reading and checking rows (and writing segments as it goes).
    Reading,
    /// Every row read; the last segments are being written and synced.
    Writing,
    /// Segments written; recording it Persisted and making its rows visible.
    Committing,
}

impl TaskPhase {
    /// `reading`, `writing` or `committing`.
    pub fn name(self) -> &'static str {
        match self {
            TaskPhase::Reading => "reading",
            TaskPhase::Writing => "writing",
            TaskPhase::Committing => "committing",
        }
    }
}

/// One file of a running task.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileProgress {
    /// The file, as the request named it.
    pub file: String,
    /// Bytes of it read so far (for NPY and Parquet, in proportion to its rows read).
    pub bytes_read: u64,
    /// Its size in bytes.
    pub bytes_total: u64,
}

/// What a running task has done so far ([`Engine::progress`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LiveProgress {
    /// The task.
    pub task_id: u64,
    /// Where it is.
    pub phase: TaskPhase,
    /// Rows read and checked so far (not yet visible: a task is all or nothing).
    pub rows: u64,
    /// Rows rejected so far (`--on-error skip`).
    pub rejected_rows: u64,
    /// Bytes read so far, over its files.
    pub bytes_read: u64,
    /// Its files' size in bytes (0 until they are opened).
    pub bytes_total: u64,
    /// Time since it started in this process.
    pub elapsed: Duration,
    /// Each file (one, or the `.npy` files of a column set); empty until they are opened.
    pub files: Vec<FileProgress>,
}

impl LiveProgress {
    /// Rows read per second so far.
    pub fn rows_per_s(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 { self.rows as f64 / s } else { 0.0 }
    }

    pub(super) fn of(task_id: u64, running: &Running) -> LiveProgress {
        let control = &running.control;
        let phase = if running.committing.load(Ordering::Relaxed) {
            TaskPhase::Committing
        } else if control.all_read() {
            TaskPhase::Writing
        } else {
            TaskPhase::Reading
        };
        let files: Vec<FileProgress> = (control.files_read().into_iter())
            .map(|(file, bytes_total, bytes_read)| FileProgress {
                file,
                bytes_read,
                bytes_total,
            })
            .collect();
        LiveProgress {
            task_id,
            phase,
            rows: control.rows.load(Ordering::Relaxed),
            rejected_rows: control.rejected.load(Ordering::Relaxed),
            bytes_read: files.iter().map(|f| f.bytes_read).sum(),
            bytes_total: files.iter().map(|f| f.bytes_total).sum(),
            elapsed: running.started.elapsed(),
            files,
        }
    }
}

impl Engine {
    /// Live progress of task `id` while this engine runs it (Started, until its commit
    /// ends); `None` otherwise. Memory only: never waits for a write.
    pub fn progress(&self, id: u64) -> Option<LiveProgress> {
        let running = self.inner.running_tasks().get(&id).cloned()?;
        Some(LiveProgress::of(id, &running))
    }
}
