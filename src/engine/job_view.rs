//! [`JobView`]: a REST import job as users see it, derived from its tasks' records and, for
//! the tasks this engine runs, their live progress (docs/http-api.md, "describe").

use std::collections::BTreeMap;

use super::progress::LiveProgress;
use crate::ledger::{TaskRecord, TaskState};

/// A job's derived state, with Milvus RESTful v2 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Every task is Pending.
    Pending,
    /// Some task runs (or waits for its siblings to commit).
    Importing,
    /// A two-phase job (`auto_commit=false`): every task is Persisted, nothing is visible, and
    /// the job waits for `commit` or `abort` (or `import.uncommitted_ttl_s`).
    Uncommitted,
    /// Every task Completed.
    Completed,
    /// A task failed (the others are cancelled).
    Failed,
}

impl JobState {
    /// The name REST clients see.
    pub fn name(self) -> &'static str {
        match self {
            JobState::Pending => "Pending",
            JobState::Importing => "Importing",
            JobState::Uncommitted => "Uncommitted",
            JobState::Completed => "Completed",
            JobState::Failed => "Failed",
        }
    }
}

/// Whether `tasks` (one job's) form an Uncommitted job: a two-phase job whose every task is
/// Persisted.
pub(crate) fn is_uncommitted<'a>(tasks: impl IntoIterator<Item = &'a TaskRecord>) -> bool {
    let mut any = false;
    for t in tasks {
        if t.state != TaskState::Persisted || t.auto_commit != Some(false) {
            return false;
        }
        any = true;
    }
    any
}

/// A unit's state in `details`, as Milvus names an import task's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitState {
    /// Queued.
    Pending,
    /// Running, or Persisted waiting for its job's commit.
    InProgress,
    /// Completed; also a Persisted unit of an Uncommitted job (its import is done; the job
    /// waits for its commit).
    Completed,
    /// Failed (or cancelled with its job).
    Failed,
}

impl UnitState {
    /// The name REST clients see.
    pub fn name(self) -> &'static str {
        match self {
            UnitState::Pending => "Pending",
            UnitState::InProgress => "InProgress",
            UnitState::Completed => "Completed",
            UnitState::Failed => "Failed",
        }
    }
}

/// One unit (task) of a job, as `details` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitView {
    /// Its files, as the request named them.
    pub files: Vec<String>,
    /// Bytes of its files: read from them while it runs, else as recorded at creation.
    pub file_size: u64,
    /// 0..=100.
    pub progress: u8,
    /// Its state.
    pub state: UnitState,
    /// Rows read and checked so far while it runs, its rows once Persisted or Completed, 0
    /// once Failed.
    pub imported_rows: u64,
    /// Rows read so far (all of them once Persisted, rejected ones included).
    pub total_rows: u64,
    /// Rows rejected (`--on-error skip`): while it runs, so far; then as recorded.
    pub rejected_rows: u64,
    /// Its rejects file, relative to the data directory, once recorded.
    pub rejects_file: Option<String>,
    /// When it ended (Completed, Failed, or Persisted in an Uncommitted job), unix seconds.
    pub complete_time: Option<u64>,
    /// Why it failed; empty otherwise.
    pub reason: String,
    /// Its rows by partition once Persisted or Completed (a dry run's: those that would be
    /// imported); empty before, and once Failed.
    pub partitions: BTreeMap<String, u64>,
}

/// A job and its tasks.
#[derive(Debug, Clone)]
pub struct JobView {
    /// Job id (the id of its first task).
    pub job_id: u64,
    /// Target collection.
    pub collection: String,
    /// Derived state.
    pub state: JobState,
    /// Mean progress of the tasks, 0..=100 (100 once Uncommitted, 0 once Failed).
    pub progress: u8,
    /// Rows read and checked so far while Importing, the job's rows once Uncommitted or
    /// Completed, 0 when it failed (a failed job leaves nothing visible).
    pub imported_rows: u64,
    /// Rows read so far, over its units.
    pub total_rows: u64,
    /// Rows rejected, over its units.
    pub rejected_rows: u64,
    /// The rejects file of its first unit that has one, relative to the data directory.
    pub rejects_file: Option<String>,
    /// Bytes of all its units' files.
    pub file_size: u64,
    /// When the job ended (Completed or Failed), unix seconds: the latest end its tasks
    /// recorded in the ledger.
    pub complete_time: Option<u64>,
    /// Why the job failed: the first failed task's reason.
    pub reason: String,
    /// Whether it is a dry run (its tasks read and check, and write nothing).
    pub dry_run: bool,
    /// Rows by partition over its units (see [`UnitView::partitions`]).
    pub partitions: BTreeMap<String, u64>,
    /// The tasks, one per unit, in unit order.
    pub tasks: Vec<TaskRecord>,
    /// The units as `details` shows them, in unit order.
    pub units: Vec<UnitView>,
}

impl JobView {
    /// The view of `tasks`, with `live[i]` the live progress of `tasks[i]` if this engine
    /// runs it (read before the records, so a record never lags behind it).
    pub(super) fn from_tasks(
        job_id: u64,
        tasks: Vec<TaskRecord>,
        live: &[Option<LiveProgress>],
    ) -> JobView {
        let failed = tasks
            .iter()
            .find(|t| t.state.is_failed() && !t.failed_reason.starts_with("cancelled: task"));
        let failed = failed.or_else(|| tasks.iter().find(|t| t.state.is_failed()));
        let state = if failed.is_some() {
            JobState::Failed
        } else if tasks.iter().all(|t| t.state == TaskState::Completed) {
            JobState::Completed
        } else if tasks.iter().all(|t| t.state == TaskState::Pending) {
            JobState::Pending
        } else if is_uncommitted(&tasks) {
            JobState::Uncommitted
        } else {
            JobState::Importing
        };
        let units: Vec<UnitView> = (tasks.iter().enumerate())
            .map(|(i, t)| unit(t, live.get(i).and_then(Option::as_ref), state))
            .collect();
        let n = tasks.len().max(1) as u64;
        JobView {
            job_id,
            collection: tasks
                .first()
                .map(|t| t.collection.clone())
                .unwrap_or_default(),
            state,
            progress: match state {
                JobState::Failed => 0,
                JobState::Uncommitted => 100,
                _ => (units.iter().map(|u| u64::from(u.progress)).sum::<u64>() / n) as u8,
            },
            imported_rows: match state {
                JobState::Failed => 0,
                _ => units.iter().map(|u| u.imported_rows).sum(),
            },
            total_rows: units.iter().map(|u| u.total_rows).sum(),
            rejected_rows: units.iter().map(|u| u.rejected_rows).sum(),
            rejects_file: units.iter().find_map(|u| u.rejects_file.clone()),
            file_size: units.iter().map(|u| u.file_size).sum(),
            complete_time: match state {
                JobState::Completed | JobState::Failed => {
                    tasks.iter().filter_map(|t| t.complete_time).max()
                }
                JobState::Pending | JobState::Importing | JobState::Uncommitted => None,
            },
            reason: failed.map(|t| t.failed_reason.clone()).unwrap_or_default(),
            dry_run: tasks.iter().any(|t| t.dry_run),
            partitions: match state {
                JobState::Failed => BTreeMap::new(),
                _ => sum_partitions(&units),
            },
            tasks,
            units,
        }
    }
}

/// The rows by partition of `units`, added up.
fn sum_partitions(units: &[UnitView]) -> BTreeMap<String, u64> {
    let mut rows = BTreeMap::<String, u64>::new();
    for (p, n) in units.iter().flat_map(|u| &u.partitions) {
        *rows.entry(p.clone()).or_default() += n;
    }
    rows
}

/// Task `t` of a job in `job` state as a unit of `details`; `live` while it runs here.
fn unit(t: &TaskRecord, live: Option<&LiveProgress>, job: JobState) -> UnitView {
    let recorded = t.file_size.unwrap_or(0);
    let rejected = match t.state {
        TaskState::Started => live.map_or(0, |l| l.rejected_rows),
        _ => t.rejected_rows,
    };
    let (state, rows, total) = match t.state {
        TaskState::Pending => (UnitState::Pending, 0, 0),
        TaskState::Started => {
            let rows = live.map_or(0, |l| l.rows);
            (UnitState::InProgress, rows, rows + rejected)
        }
        TaskState::Persisted if job == JobState::Uncommitted => {
            (UnitState::Completed, t.row_count, t.row_count + rejected)
        }
        TaskState::Persisted => (UnitState::InProgress, t.row_count, t.row_count + rejected),
        TaskState::Completed => (UnitState::Completed, t.row_count, t.row_count + rejected),
        TaskState::Failed | TaskState::FailedAndCleaned => (UnitState::Failed, 0, t.row_count),
    };
    let file_size = match live {
        Some(l) if t.state == TaskState::Started && l.bytes_total > 0 => l.bytes_total,
        _ => recorded,
    };
    let progress = match t.state {
        TaskState::Persisted if job == JobState::Uncommitted => 100,
        TaskState::Failed | TaskState::FailedAndCleaned => 0,
        _ => t.progress,
    };
    let complete_time = match t.state {
        TaskState::Persisted if job == JobState::Uncommitted => t.persist_time,
        TaskState::Completed | TaskState::Failed | TaskState::FailedAndCleaned => t.complete_time,
        _ => None,
    };
    UnitView {
        files: t.files.clone(),
        file_size,
        progress,
        state,
        imported_rows: rows,
        total_rows: total,
        rejected_rows: rejected,
        rejects_file: t.rejects_file.clone(),
        complete_time,
        reason: t.failed_reason.clone(),
        partitions: match t.state {
            TaskState::Persisted | TaskState::Completed => t.partition_rows(),
            _ => BTreeMap::new(),
        },
    }
}
