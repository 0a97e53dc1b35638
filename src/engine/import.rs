//! Queuing imports: [`ImportRequest`] (collection, partition, files, options) and
//! [`Engine::import`], with `do_bulk_insert` as its shorthand.

use super::{Engine, EngineError, TaskOptions, idempotency, request};
use crate::ledger::TaskId;
use crate::parse::csv::CsvOptions;
use crate::parse::format::FileKind;
use crate::source::Storage;

/// One import: where the rows go, which files, and how.
///
/// ```no_run
/// # fn main() -> Result<(), vecload::EngineError> {
/// use vecload::{Engine, EngineOptions, ImportRequest};
///
/// let engine = Engine::open("data", EngineOptions::default())?;
/// let id = engine.import(ImportRequest::new("book", ["rows.jsonl"]).partition("2022"))?;
/// let task = engine.wait(id, None)?;
/// println!("{}", task.state);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ImportRequest {
    /// Target collection.
    pub collection: String,
    /// Target partition; `None` for `_default` (and for a partition-key collection, which
    /// routes each row by its key).
    pub partition: Option<String>,
    /// The work units, each one task: one JSON or JSON Lines file, or the `.npy` files of
    /// one column set.
    pub units: Vec<Vec<String>>,
    /// Whether the units form a job (REST `jobs/import/create`): one id, and the tasks commit
    /// together, so a failed job leaves nothing visible. A single task otherwise.
    pub job: bool,
    /// Options of the request.
    pub options: TaskOptions,
    /// An idempotency key: the same key with the same request returns the first import's id
    /// (also after a restart); with another request it is refused.
    pub idempotency_key: Option<String>,
    /// Run the task over several processes, this one process 0 (`import --cluster`): one
    /// task, not a job, not a dry run; never resumed.
    pub cluster: Option<super::cluster::ClusterPlan>,
}

impl ImportRequest {
    /// One task importing `files` (one JSON file, or the `.npy` files of one column set)
    /// into `collection`.
    pub fn new(
        collection: impl Into<String>,
        files: impl IntoIterator<Item = impl Into<String>>,
    ) -> ImportRequest {
        ImportRequest {
            collection: collection.into(),
            partition: None,
            units: vec![files.into_iter().map(Into::into).collect()],
            job: false,
            options: TaskOptions::default(),
            idempotency_key: None,
            cluster: None,
        }
    }

    /// A job of several units (one task each) that commit together.
    pub fn job(collection: impl Into<String>, units: Vec<Vec<String>>) -> ImportRequest {
        ImportRequest {
            collection: collection.into(),
            partition: None,
            units,
            job: true,
            options: TaskOptions::default(),
            idempotency_key: None,
            cluster: None,
        }
    }

    /// Sets the target partition.
    pub fn partition(mut self, partition: impl Into<String>) -> ImportRequest {
        self.partition = Some(partition.into());
        self
    }

    /// Sets the idempotency key.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> ImportRequest {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Runs the task over the processes of `plan`, this one process 0 (see
    /// [`cluster`](super::cluster)).
    pub fn cluster(mut self, plan: super::cluster::ClusterPlan) -> ImportRequest {
        self.cluster = Some(plan);
        self
    }

    /// Sets the options.
    pub fn options(mut self, options: TaskOptions) -> ImportRequest {
        self.options = options;
        self
    }
}

impl Engine {
    /// Queues an import and returns its id at once (a job's id is its first task's). Every
    /// request check happens here; a refused request queues nothing, and a job's tasks are
    /// created in one ledger write.
    pub fn import(&self, mut req: ImportRequest) -> Result<TaskId, EngineError> {
        let queue = self.queue.as_ref().ok_or(EngineError::InvalidRequest(
            "the engine is shutting down".into(),
        ))?;
        // A task records the bad-rows options it runs with: unset ones are the engine's.
        req.options = req.options.resolved(&self.inner.opts.import);
        for unit in &mut req.units {
            expand_column_dir(&self.inner.opts.storage, unit)?;
        }
        CsvOptions::new(req.options.sep.as_deref(), req.options.null_key.as_deref())?;
        if !req.options.auto_commit && !req.job {
            // Only a job can be committed (REST and gRPC `commit`): a lone task would wait.
            return Err(EngineError::InvalidOption {
                key: "auto_commit".into(),
                why: "\"false\" (a two-phase import) is for jobs (REST jobs/import/create), committed by jobs/import/commit".into(),
            });
        }
        if req.options.dry_run && !req.options.auto_commit {
            // A dry run commits nothing, so there is nothing to commit in two phases.
            return Err(EngineError::InvalidOption {
                key: "auto_commit".into(),
                why: "\"false\" (a two-phase import) has nothing to commit in a dry run".into(),
            });
        }
        if let Some(plan) = &req.cluster {
            let why = match () {
                _ if plan.process != 0 => {
                    Some("only process 0 creates the task (the others join it)")
                }
                _ if req.job || req.units.len() != 1 => {
                    Some("a cluster import is one task, not a job")
                }
                _ if req.options.dry_run => Some("a dry run runs in one process"),
                _ => None,
            };
            if let Some(why) = why {
                return Err(EngineError::InvalidRequest(format!("--cluster: {why}")));
            }
        }
        // The catalog's checks first (they name a missing collection before any file), then
        // the files' I/O (stat, HEAD) without the lock, which is taken again to register.
        let check = |st: &super::State| {
            let partition = req.partition.as_deref();
            request::check(&self.inner, st, &req.collection, partition, &req.units)
        };
        {
            let st = self.inner.lock();
            if let Some(id) = idempotency::repeated(&st.ledger, &req)? {
                return Ok(id);
            }
            check(&st)?;
        }
        let sizes = request::check_files(&self.inner, &req.units)?;
        let w = self.inner.writer();
        let partition = {
            let st = self.inner.lock();
            // Again under the writer lock: a concurrent request with the same key.
            if let Some(id) = idempotency::repeated(&st.ledger, &req)? {
                return Ok(id);
            }
            check(&st)?
        };
        let now = crate::ledger::now_unix();
        // Queued runs, resume and recovery read the files from this root (INTERFACE 6).
        let root = super::storage_root::record(&self.inner.opts.storage);
        let key = req.idempotency_key.as_deref();
        let options = &req.options;
        let cluster_size = req.cluster.as_ref().map(|p| p.hosts.len() as u32);
        let (ids, job_id) = self.inner.change_ledger(&w, |batch| {
            // A job is named by its first task's id.
            let job_id = req.job.then(|| batch.next_task_id());
            let mut ids = Vec::with_capacity(req.units.len());
            for (files, size) in req.units.iter().zip(&sizes) {
                let id = batch.create(&req.collection, &partition, files.clone(), job_id, now)?;
                // A queued task runs later, maybe after a restart: its record keeps them.
                batch.update(id, |r| {
                    idempotency::record_options(r, options, key);
                    r.file_size = Some(*size);
                    r.cluster = cluster_size;
                    r.storage_root = Some(root.clone());
                })?;
                ids.push(id);
            }
            Ok::<_, EngineError>((ids, job_id))
        })?;
        if let (Some(plan), Some(id)) = (req.cluster.take(), ids.first()) {
            super::lock_map(&self.inner.cluster).insert(*id, plan);
        }
        drop(w);
        super::events::queued(&ids, job_id, &req.collection, &partition);
        for id in &ids {
            let _ = queue.send(*id);
        }
        self.inner.changed.notify_all();
        ids.first().copied().ok_or(EngineError::InvalidRequest(
            "import request is empty".into(),
        ))
    }

    /// Queues an import of `files` into `collection` (`_default` when `partition` is `None`):
    /// Milvus's `do_bulk_insert`, the shorthand of [`import`](Engine::import).
    pub fn do_bulk_insert(
        &self,
        collection: &str,
        partition: Option<&str>,
        files: &[String],
    ) -> Result<TaskId, EngineError> {
        let mut req = ImportRequest::new(collection, files.iter().cloned());
        req.partition = partition.map(str::to_string);
        self.import(req)
    }
}

/// A unit that is one directory (pymilvus's BulkWriter writes each NumPy batch as a folder
/// `<uuid>/<n>/` of `<field>.npy` files) becomes the `.npy` files in it, a column set.
pub(super) fn expand_column_dir(
    storage: &Storage,
    unit: &mut Vec<String>,
) -> Result<(), EngineError> {
    let [path] = unit.as_slice() else {
        return Ok(());
    };
    if FileKind::of(path).is_some() {
        return Ok(());
    }
    let files = match storage.list_dir(path) {
        Ok(Some(files)) => files,
        // Not a directory (or not there): the request check names the path.
        Ok(None) => return Ok(()),
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let npy: Vec<String> = (files.into_iter())
        .filter(|f| FileKind::of(f) == Some(FileKind::Npy))
        .collect();
    if npy.is_empty() {
        return Err(EngineError::InvalidRequest(format!(
            "the directory '{path}' holds no .npy files (a directory is read as one NumPy column set)"
        )));
    }
    *unit = npy;
    Ok(())
}
