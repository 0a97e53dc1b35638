//! The public facade: collections, imports as asynchronous tasks, counts and queries.
//!
//! An [`Engine`] owns one data directory (locked against other processes), its catalog and
//! task ledger, a FIFO queue of pending tasks and `max_parallel_tasks` runner threads. The
//! CLI and the server are thin layers over it.

mod check;
pub mod cluster;
mod collections;
mod commit;
mod dry_run;
mod error;
mod events;

mod failure;
mod idempotency;
mod import;
mod index;
mod infer;
mod job_view;
mod jobs;
mod monitor;
mod options;
mod progress;
mod read;
mod reader;
mod recovery;
mod request;
mod resume;
mod runner;
mod setting;
mod settler;
mod stop;
mod storage_root;
mod task_options;
mod writer;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::Sender;

pub use check::{CheckReport, Problem, check};
pub use error::EngineError;
pub use import::ImportRequest;
pub use infer::infer_schema;
pub use job_view::{JobState, JobView, UnitState, UnitView};
pub use options::{
    ClusterOptions, EngineOptions, ImportOptions, JsonParser, LogFormat, LogLevel, LogOptions,
    RootOpener, ServerOptions, StorageOptions, settings,
};
pub use progress::{FileProgress, LiveProgress, TaskPhase};
pub use reader::Reader;
pub use setting::{Setting, SettingError, ValueKind};
pub use task_options::{TaskOptions, parse_go_duration};

pub use crate::ledger::{OnError, StorageRoot};

use crate::catalog::Catalog;
use crate::ledger::{Ledger, TaskRecord, TaskState};
use runner::Running;

/// Catalog and ledger in memory, as on disk (see [`writer`] for how they change).
pub(crate) struct State {
    pub catalog: Catalog,
    pub ledger: Ledger,
}

pub(crate) struct Inner {
    pub data_dir: PathBuf,
    pub opts: EngineOptions,
    /// Held by every change, across its I/O ([`writer`]).
    writer: Mutex<()>,
    /// Memory only: held for one memory operation at a time.
    pub state: Mutex<State>,
    /// Signalled on every task state change.
    pub changed: Condvar,
    /// Running tasks, by id.
    pub running: Mutex<HashMap<u64, Arc<Running>>>,
    /// Tasks whose failure could not be written yet (a full disk), with their reasons: the
    /// monitor writes them again.
    pub unwritten: Mutex<HashMap<u64, String>>,
    pub shutdown: std::sync::atomic::AtomicBool,
    /// Wakes the settler thread ([`settler`]): a journal to settle or trash to delete.
    settle_wake: (Sender<()>, crossbeam_channel::Receiver<()>),
    /// Held by the settler for each journal it settles.
    settling: Mutex<()>,
    /// Folders of failed tasks moved out of their collections, for the settler to delete.
    trash: Mutex<Vec<PathBuf>>,
    /// Started tasks recovery queued to resume (`import.resume`), until a runner takes one.
    resuming: Mutex<std::collections::BTreeSet<u64>>,
    /// The tasks recovery queued to resume at open, in queue order.
    resumed: Mutex<Vec<u64>>,
    /// Cluster tasks created here and not yet started, with where this process stands.
    pub(crate) cluster: Mutex<HashMap<u64, cluster::ClusterPlan>>,
    /// Running cluster tasks' control links, until their outcome is sent.
    pub(crate) cluster_links: Mutex<HashMap<u64, Arc<crate::cluster::Control>>>,
}

/// A map's lock (a panic while it was held leaves it usable: its users keep it consistent).
pub(crate) fn lock_map<K, V>(m: &Mutex<HashMap<K, V>>) -> MutexGuard<'_, HashMap<K, V>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Inner {
    pub fn new(data_dir: PathBuf, opts: EngineOptions, state: State) -> Inner {
        Inner {
            data_dir,
            opts,
            writer: Mutex::new(()),
            state: Mutex::new(state),
            changed: Condvar::new(),
            running: Mutex::new(HashMap::new()),
            unwritten: Mutex::new(HashMap::new()),
            shutdown: false.into(),
            settle_wake: crossbeam_channel::bounded(1),
            settling: Mutex::new(()),
            trash: Mutex::new(Vec::new()),
            resuming: Mutex::default(),
            resumed: Mutex::default(),
            cluster: Mutex::default(),
            cluster_links: Mutex::default(),
        }
    }

    /// The state lock: memory only, never held across I/O.
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub fn running_tasks(&self) -> MutexGuard<'_, HashMap<u64, Arc<Running>>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Started tasks queued to resume.
    pub fn resuming(&self) -> MutexGuard<'_, std::collections::BTreeSet<u64>> {
        self.resuming.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether task `id` is Started but no runner runs it (it waits to be resumed, or for a
    /// process that resumes it): it fails at once, as a Pending one, when cancelled.
    pub fn idle_started(&self, id: u64, state: TaskState) -> bool {
        state == TaskState::Started && !self.running_tasks().contains_key(&id)
    }

    pub fn unwritten_failures(&self) -> MutexGuard<'_, HashMap<u64, String>> {
        self.unwritten.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A vecload data directory, opened for writing.
pub struct Engine {
    inner: Arc<Inner>,
    queue: Option<Sender<u64>>,
    threads: Vec<JoinHandle<()>>,
    lock: File,
}

impl Engine {
    /// Opens (creating it if needed) the data directory, takes its lock, runs recovery
    /// (interrupted tasks, expiration, retention, stray files) and starts the runners.
    pub fn open(data_dir: impl AsRef<Path>, opts: EngineOptions) -> Result<Engine, EngineError> {
        let data_dir = data_dir.as_ref().to_path_buf();
        if opts.import.task_expiration_s == 0 {
            return Err(EngineError::InvalidRequest(
                "import.task_expiration_s must be at least 1 (seconds)".into(),
            ));
        }
        let io = |source| EngineError::Io {
            path: data_dir.clone(),
            source,
        };
        std::fs::create_dir_all(&data_dir).map_err(io)?;
        if opts.guard_maps {
            crate::source::guard_truncated_maps().map_err(io)?;
        }
        let lock = recovery::lock_dir(&data_dir)?;
        let hook = &opts.fault_hook;
        let state = State {
            catalog: Catalog::open(&data_dir)?.with_fault_hook(hook.clone()),
            ledger: Ledger::open(&data_dir)?.with_fault_hook(hook.clone()),
        };
        let inner = Arc::new(Inner::new(data_dir, opts, state));
        let pending = recovery::recover(&inner)?;
        let (tx, rx) = crossbeam_channel::unbounded::<u64>();
        for id in pending.into_iter().filter(|_| inner.opts.run_pending) {
            let _ = tx.send(id);
        }
        let mut threads = Vec::new();
        for i in 0..inner.opts.import.max_parallel_tasks.max(1) {
            let (inner, rx) = (inner.clone(), rx.clone());
            let t = std::thread::Builder::new()
                .name(format!("vecload-task-{i}"))
                .spawn(move || runner::run_queue(&inner, &rx))
                .map_err(|source| EngineError::Io {
                    path: inner_path(),
                    source,
                })?;
            threads.push(t);
        }
        let settler_inner = inner.clone();
        let t = std::thread::Builder::new()
            .name("vecload-settler".into())
            .spawn(move || settler::settler(&settler_inner))
            .map_err(|source| EngineError::Io {
                path: inner_path(),
                source,
            })?;
        threads.push(t);
        let monitor_inner = inner.clone();
        let t = std::thread::Builder::new()
            .name("vecload-monitor".into())
            .spawn(move || monitor::monitor(&monitor_inner))
            .map_err(|source| EngineError::Io {
                path: inner_path(),
                source,
            })?;
        threads.push(t);
        Ok(Engine {
            inner,
            queue: Some(tx),
            threads,
            lock,
        })
    }

    /// The options it was opened with.
    pub fn options(&self) -> &EngineOptions {
        &self.inner.opts
    }

    /// The interrupted tasks this open queued to resume (`import.resume`), then the tasks an
    /// earlier process left Pending (with `import.resume` only), in queue order; they run
    /// before the tasks queued after them.
    pub fn resumed(&self) -> Vec<u64> {
        self.inner
            .resumed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.inner.data_dir
    }

    /// Writes the address a server serves on into the lock file beside our PID, so that a
    /// second process's lock error names both.
    pub fn announce_address(&self, address: &str) -> Result<(), EngineError> {
        recovery::write_owner(&self.lock, Some(address)).map_err(|source| EngineError::Io {
            path: self.inner.data_dir.join("LOCK"),
            source,
        })
    }

    /// A task's record, with live progress for a running task.
    pub fn get_bulk_insert_state(&self, id: u64) -> Result<TaskRecord, EngineError> {
        let mut rec = self
            .inner
            .lock()
            .ledger
            .get(id)
            .cloned()
            .ok_or(EngineError::TaskNotFound(id))?;
        if rec.state == TaskState::Started
            && let Some(r) = self.inner.running_tasks().get(&id)
        {
            rec.progress = rec.progress.max(r.control.percent());
        }
        Ok(rec)
    }

    /// Tasks, oldest first; `limit` keeps the newest N (Milvus semantics).
    pub fn list_bulk_insert_tasks(
        &self,
        collection: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<TaskRecord>, EngineError> {
        let st = self.inner.lock();
        if let Some(c) = collection {
            st.catalog.collection(c)?;
        }
        Ok(st
            .ledger
            .list(collection, limit)
            .into_iter()
            .cloned()
            .collect())
    }

    /// Waits until task `id` is Completed, Failed or FailedAndCleaned (or Persisted in an
    /// Uncommitted job, which waits for [`commit_job`](Engine::commit_job)), or `timeout`
    /// passes; returns its record.
    pub fn wait(&self, id: u64, timeout: Option<Duration>) -> Result<TaskRecord, EngineError> {
        let deadline = timeout.map(|t| std::time::Instant::now() + t);
        let mut st = self.inner.lock();
        loop {
            let rec = st.ledger.get(id).ok_or(EngineError::TaskNotFound(id))?;
            let uncommitted = || {
                let job = st.ledger.list(None, None).into_iter();
                job_view::is_uncommitted(job.filter(|t| t.job_id == rec.job_id))
            };
            if matches!(
                rec.state,
                TaskState::Completed | TaskState::Failed | TaskState::FailedAndCleaned
            ) || (rec.job_id.is_some() && rec.auto_commit == Some(false) && uncommitted())
            {
                return Ok(rec.clone());
            }
            let step = Duration::from_millis(200);
            let wait = match deadline {
                Some(d) => {
                    let now = std::time::Instant::now();
                    if now >= d {
                        return Ok(rec.clone());
                    }
                    step.min(d - now)
                }
                None => step,
            };
            st = self
                .inner
                .changed
                .wait_timeout(st, wait)
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }

    /// Holds the engine's state lock (the one readers take) for `d` (tests of what waits for it).
    #[cfg(test)]
    pub(crate) fn hold_lock(&self, d: Duration) {
        let _st = self.inner.lock();
        std::thread::sleep(d);
    }

    /// Cancels a Pending or Started task: it fails with reason "cancelled" and is cleaned.
    pub fn cancel(&self, id: u64) -> Result<TaskRecord, EngineError> {
        stop::cancel(&self.inner, id)?;
        self.wait(id, Some(Duration::from_secs(60)))
    }
}

#[cfg(test)]
mod fault_tests;
#[cfg(test)]
mod lock_tests;
#[cfg(test)]
mod log_tests;
#[cfg(test)]
mod settle_tests;
#[cfg(test)]
mod stall_tests;
#[cfg(test)]
mod two_phase_tests;

fn inner_path() -> PathBuf {
    PathBuf::from("<thread>")
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.inner
            .shutdown
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.queue = None;
        for r in self.inner.running_tasks().values() {
            r.stop(failure::TaskFailure::Shutdown);
        }
        self.inner.changed.notify_all();
        self.inner.wake_settler();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests;
