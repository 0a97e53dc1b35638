//! REST import jobs (docs/http-api.md): a job holds one task per unit of its files,
//! its state is derived from its tasks, and its tasks commit together.

use std::time::{Duration, Instant};

use super::{Engine, EngineError, ImportRequest, runner};
use crate::ledger::{TaskRecord, TaskState};

/// A job's derived state, with Milvus RESTful v2 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Every task is Pending.
    Pending,
    /// Some task runs (or waits for its siblings to commit).
    Importing,
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
            JobState::Completed => "Completed",
            JobState::Failed => "Failed",
        }
    }
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
    /// Mean progress of the tasks, 0..=100.
    pub progress: u8,
    /// Rows the job made visible: the tasks' rows once it completed, 0 when it failed (a
    /// failed job leaves nothing visible).
    pub imported_rows: u64,
    /// When the job ended (Completed or Failed), unix seconds: the latest end its tasks
    /// recorded in the ledger.
    pub complete_time: Option<u64>,
    /// Why the job failed: the first failed task's reason.
    pub reason: String,
    /// The tasks, one per unit, in unit order.
    pub tasks: Vec<TaskRecord>,
}

impl JobView {
    fn from_tasks(job_id: u64, tasks: Vec<TaskRecord>) -> JobView {
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
        } else {
            JobState::Importing
        };
        let n = tasks.len().max(1) as u64;
        JobView {
            job_id,
            collection: tasks
                .first()
                .map(|t| t.collection.clone())
                .unwrap_or_default(),
            state,
            progress: if state == JobState::Failed {
                0
            } else {
                (tasks.iter().map(|t| u64::from(t.progress)).sum::<u64>() / n) as u8
            },
            imported_rows: if state == JobState::Failed {
                0
            } else {
                tasks.iter().map(|t| t.row_count).sum()
            },
            complete_time: match state {
                JobState::Completed | JobState::Failed => {
                    tasks.iter().filter_map(|t| t.complete_time).max()
                }
                JobState::Pending | JobState::Importing => None,
            },
            reason: failed.map(|t| t.failed_reason.clone()).unwrap_or_default(),
            tasks,
        }
    }
}

impl Engine {
    /// Queues a job of `units` (each one JSON file or one NPY column set) and returns its id
    /// at once. All request checks run first; a refused request queues nothing.
    pub fn create_job(
        &self,
        collection: &str,
        partition: Option<&str>,
        units: &[Vec<String>],
    ) -> Result<u64, EngineError> {
        let mut req = ImportRequest::job(collection, units.to_vec());
        req.partition = partition.map(str::to_string);
        self.import(req)
    }

    /// A job by id.
    pub fn get_job(&self, job_id: u64) -> Result<JobView, EngineError> {
        let st = self.inner.lock();
        let tasks: Vec<TaskRecord> = st
            .ledger
            .list(None, None)
            .into_iter()
            .filter(|t| t.job_id == Some(job_id))
            .cloned()
            .collect();
        drop(st);
        if tasks.is_empty() {
            return Err(EngineError::JobNotFound(job_id));
        }
        let tasks = tasks
            .into_iter()
            .map(|t| self.get_bulk_insert_state(t.id).unwrap_or(t))
            .collect();
        Ok(JobView::from_tasks(job_id, tasks))
    }

    /// Aborts job `job_id` (REST `jobs/import/abort`): every unfinished task of it fails with
    /// reason "aborted", its files removed, so nothing of it becomes visible; returns the job
    /// once it has settled. A Failed job is returned unchanged; a Completed one (also one
    /// whose commit won the race) is refused naming its state.
    pub fn abort_job(&self, job_id: u64) -> Result<JobView, EngineError> {
        let view = self.get_job(job_id)?;
        match view.state {
            JobState::Completed => return Err(completed(job_id)),
            JobState::Failed => return Ok(view),
            JobState::Pending | JobState::Importing => {}
        }
        let ids: Vec<u64> = view.tasks.iter().map(|t| t.id).collect();
        runner::abort(&self.inner, &ids);
        let view = self.wait_job(job_id, Duration::from_secs(60))?;
        if view.state == JobState::Completed {
            return Err(completed(job_id));
        }
        Ok(view)
    }

    /// Waits until no task of job `job_id` is Pending, Started or Persisted, or `timeout`
    /// passes; returns the job.
    pub fn wait_job(&self, job_id: u64, timeout: Duration) -> Result<JobView, EngineError> {
        let deadline = Instant::now() + timeout;
        let mut st = self.inner.lock();
        loop {
            let busy = (st.ledger.list(None, None).into_iter())
                .filter(|t| t.job_id == Some(job_id))
                .any(|t| !t.state.is_failed() && t.state != TaskState::Completed);
            let now = Instant::now();
            if !busy || now >= deadline {
                drop(st);
                return self.get_job(job_id);
            }
            let wait = Duration::from_millis(200).min(deadline - now);
            st = (self.inner.changed.wait_timeout(st, wait))
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// Jobs, oldest first, of one collection or all.
    pub fn list_jobs(&self, collection: Option<&str>) -> Result<Vec<JobView>, EngineError> {
        let st = self.inner.lock();
        if let Some(c) = collection {
            st.catalog.collection(c)?;
        }
        let mut jobs: std::collections::BTreeMap<u64, Vec<TaskRecord>> =
            std::collections::BTreeMap::new();
        for t in st.ledger.list(collection, None) {
            if let Some(j) = t.job_id {
                jobs.entry(j).or_default().push(t.clone());
            }
        }
        Ok(jobs
            .into_iter()
            .map(|(id, tasks)| JobView::from_tasks(id, tasks))
            .collect())
    }
}

fn completed(job: u64) -> EngineError {
    EngineError::JobState {
        job,
        state: JobState::Completed.name(),
        what: "a completed job cannot be aborted",
    }
}
