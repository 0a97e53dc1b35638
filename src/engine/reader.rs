//! Read-only access to a data directory (INTERFACE 1): the committed catalog and ledger as
//! they are on disk, read without the writer's lock, without recovery and without running or
//! changing a task; also while another process holds the directory.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::read::{checked_snapshot, count_in, snapshot_of};
use super::{Engine, EngineError};
use crate::catalog::{Catalog, Collection};
use crate::ledger::{Ledger, TaskRecord};
use crate::query::{self, Hit, QueryRequest, SearchRequest, Snapshot};

/// A data directory opened read-only: what its files said when it was opened.
#[derive(Debug)]
pub struct Reader {
    data_dir: PathBuf,
    catalog: Catalog,
    ledger: Ledger,
}

impl Engine {
    /// Opens `data_dir` read-only: reads the catalog and the ledger, takes no lock, runs no
    /// recovery, creates and changes nothing. A missing directory is
    /// [`EngineError::DataDirNotFound`].
    pub fn open_read_only(data_dir: impl AsRef<Path>) -> Result<Reader, EngineError> {
        let data_dir = data_dir.as_ref().to_path_buf();
        if !data_dir.is_dir() {
            return Err(EngineError::DataDirNotFound(data_dir));
        }
        // The ledger first: a task committed between the two reads then shows as Persisted
        // with its segments visible, never as Completed with its segments missing.
        let ledger = Ledger::open_read_only(&data_dir)?;
        let catalog = Catalog::open(&data_dir)?;
        Ok(Reader {
            data_dir,
            catalog,
            ledger,
        })
    }
}

impl Reader {
    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The catalog as read.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The ledger as read.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Every collection.
    pub fn list_collections(&self) -> Vec<Collection> {
        self.catalog.collections().cloned().collect()
    }

    /// One collection.
    pub fn describe_collection(&self, name: &str) -> Result<Collection, EngineError> {
        Ok(self.catalog.collection(name)?.clone())
    }

    /// Rows visible in a collection, or in one partition.
    pub fn count(&self, collection: &str, partition: Option<&str>) -> Result<u64, EngineError> {
        count_in(&self.catalog, collection, partition)
    }

    /// A snapshot of a collection and the paths of its visible segments.
    pub fn snapshot(&self, collection: &str) -> Result<Snapshot, EngineError> {
        snapshot_of(&self.catalog, collection)
    }

    /// Rows of `collection` by primary key or by filter.
    pub fn query(
        &self,
        collection: &str,
        req: &QueryRequest,
    ) -> Result<Vec<Map<String, Value>>, EngineError> {
        let snap = checked_snapshot(&self.catalog, collection, req.partitions.as_deref())?;
        Ok(query::query(&snap, req)?)
    }

    /// The rows of `collection` nearest to `req.vector`, best first.
    pub fn search(
        &self,
        collection: &str,
        req: &SearchRequest<'_>,
    ) -> Result<Vec<Hit>, EngineError> {
        let snap = checked_snapshot(&self.catalog, collection, req.partitions)?;
        Ok(query::search(&snap, req)?)
    }

    /// The rejects file of task `id` (`rejects/<id>.jsonl`, JSON Lines): empty when the
    /// task rejected no row. An unknown task is refused.
    pub fn rejects(&self, id: u64) -> Result<Vec<u8>, EngineError> {
        self.get_bulk_insert_state(id)?;
        super::read::read_rejects(&self.data_dir, id)
    }

    /// A task's record as last written (a running task's progress as last recorded).
    pub fn get_bulk_insert_state(&self, id: u64) -> Result<TaskRecord, EngineError> {
        self.ledger
            .get(id)
            .cloned()
            .ok_or(EngineError::TaskNotFound(id))
    }

    /// Tasks, oldest first; `limit` keeps the newest N (Milvus semantics).
    pub fn list_bulk_insert_tasks(
        &self,
        collection: Option<&str>,
        limit: Option<usize>,
    ) -> Result<Vec<TaskRecord>, EngineError> {
        if let Some(c) = collection {
            self.catalog.collection(c)?;
        }
        Ok(self
            .ledger
            .list(collection, limit)
            .into_iter()
            .cloned()
            .collect())
    }
}
