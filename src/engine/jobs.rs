//! REST import jobs (docs/http-api.md): a job holds one task per unit of its files,
//! its state is derived from its tasks ([`JobView`]), and its tasks commit together: by
//! themselves, or for a two-phase job (`auto_commit=false`) on [`Engine::commit_job`].

use std::time::{Duration, Instant};

use super::failure::TaskFailure;
use super::job_view::{JobState, JobView, is_uncommitted};
use super::{Engine, EngineError, ImportRequest, Inner, commit, events, stop};
use crate::ledger::{Ledger, TaskRecord, TaskState, now_unix};

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

    /// A job by id, with the live progress of its running tasks.
    pub fn get_job(&self, job_id: u64) -> Result<JobView, EngineError> {
        let ids: Vec<u64> = job_tasks(&self.inner.lock().ledger, job_id)
            .iter()
            .map(|t| t.id)
            .collect();
        if ids.is_empty() {
            return Err(EngineError::JobNotFound(job_id));
        }
        // Live progress before the records: a task that ends meanwhile shows its record.
        let live: Vec<_> = ids.iter().map(|id| self.progress(*id)).collect();
        let tasks = (ids.iter())
            .filter_map(|id| self.get_bulk_insert_state(*id).ok())
            .collect();
        Ok(JobView::from_tasks(job_id, tasks, &live))
    }

    /// Commits Uncommitted job `job_id` (REST `jobs/import/commit`): its rows become visible
    /// in one catalog write, then its tasks complete; returns the job. A job that is not
    /// Uncommitted (also one still Pending or Importing) is refused naming its state.
    pub fn commit_job(&self, job_id: u64) -> Result<JobView, EngineError> {
        let w = self.inner.writer();
        let tasks = job_tasks(&self.inner.lock().ledger, job_id);
        let Some(first) = tasks.first().cloned() else {
            return Err(EngineError::JobNotFound(job_id));
        };
        let view = JobView::from_tasks(job_id, tasks, &[]);
        if view.state != JobState::Uncommitted {
            return Err(EngineError::JobState {
                job: job_id,
                state: view.state.name(),
                what: "only an Uncommitted job (auto_commit=false) can be committed",
            });
        }
        commit::finish_commit_under(&self.inner, &w, first.id, &first.collection, true).map_err(
            |why| EngineError::CommitFailed {
                job: job_id,
                reason: why.to_string(),
            },
        )?;
        drop(w);
        self.get_job(job_id)
    }

    /// Aborts job `job_id` (REST `jobs/import/abort`), an Uncommitted one too: every unfinished task of it fails with
    /// reason "aborted", its files removed, so nothing of it becomes visible; returns the job
    /// once it has settled. A Failed job is returned unchanged; a Completed one (also one
    /// whose commit won the race) is refused naming its state.
    pub fn abort_job(&self, job_id: u64) -> Result<JobView, EngineError> {
        let view = self.get_job(job_id)?;
        match view.state {
            JobState::Completed => return Err(completed(job_id)),
            JobState::Failed => return Ok(view),
            JobState::Pending | JobState::Importing | JobState::Uncommitted => {}
        }
        let ids: Vec<u64> = view.tasks.iter().map(|t| t.id).collect();
        stop::abort(&self.inner, &ids);
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
            .map(|(id, tasks)| JobView::from_tasks(id, tasks, &[]))
            .collect())
    }
}

/// The tasks of job `job_id`, oldest first.
fn job_tasks(ledger: &Ledger, job_id: u64) -> Vec<TaskRecord> {
    (ledger.list(None, None).into_iter())
        .filter(|t| t.job_id == Some(job_id))
        .cloned()
        .collect()
}

/// Aborts the Uncommitted jobs that became Uncommitted (their last task Persisted) at least
/// `import.uncommitted_ttl_s` ago; run by the monitor and by recovery.
pub(super) fn expire_uncommitted(inner: &Inner) {
    let ttl = inner.opts.import.uncommitted_ttl_s;
    let now = now_unix();
    let due: Vec<u64> = {
        let st = inner.lock();
        let mut jobs: std::collections::BTreeMap<u64, Vec<&TaskRecord>> = Default::default();
        for t in st.ledger.list(None, None) {
            if let Some(j) = t.job_id.filter(|_| t.auto_commit == Some(false)) {
                jobs.entry(j).or_default().push(t);
            }
        }
        (jobs.into_values())
            .filter(|tasks| is_uncommitted(tasks.iter().copied()))
            .filter(|tasks| {
                let since = (tasks.iter())
                    .map(|t| (t.persist_time.or(t.start_time)).unwrap_or(t.create_time))
                    .max()
                    .unwrap_or(now);
                now.saturating_sub(since) >= ttl
            })
            .filter_map(|tasks| tasks.first().map(|t| t.id))
            .collect()
    };
    for id in due {
        events::uncommitted_expired(id, ttl);
        stop::fail(inner, id, TaskFailure::UncommittedExpired(ttl));
    }
}

fn completed(job: u64) -> EngineError {
    EngineError::JobState {
        job,
        state: JobState::Completed.name(),
        what: "a completed job cannot be aborted",
    }
}
