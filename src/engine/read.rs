//! Reading back: a task's rejects file, a collection's counts, snapshots of its visible segments, and the queries
//! and searches of [`crate::query`] run over a snapshot.

use serde_json::{Map, Value};

use super::{Engine, EngineError};
use crate::catalog::Catalog;
use crate::query::{self, Hit, QueryRequest, SearchRequest, Snapshot};

impl Engine {
    /// Rows visible in a collection, or in one partition.
    pub fn count(&self, collection: &str, partition: Option<&str>) -> Result<u64, EngineError> {
        count_in(&self.inner.lock().catalog, collection, partition)
    }

    /// A snapshot of a collection and the paths of its visible segments, for queries.
    pub fn snapshot(&self, collection: &str) -> Result<Snapshot, EngineError> {
        snapshot_of(&self.inner.lock().catalog, collection)
    }

    /// Rows of `collection` by primary key or by filter, as JSON objects (field -> value);
    /// a partition of `req.partitions` that does not exist is refused.
    pub fn query(
        &self,
        collection: &str,
        req: &QueryRequest,
    ) -> Result<Vec<Map<String, Value>>, EngineError> {
        let partitions = req.partitions.as_deref();
        let snap = checked_snapshot(&self.inner.lock().catalog, collection, partitions)?;
        Ok(query::query(&snap, req)?)
    }

    /// How many rows of `collection` (in `partitions`, all when `None`) match `filter`,
    /// duplicates of a primary key included (`count(*)` with a filter).
    pub fn count_matching(
        &self,
        collection: &str,
        filter: &crate::query::Filter,
        partitions: Option<&[String]>,
    ) -> Result<u64, EngineError> {
        let snap = checked_snapshot(&self.inner.lock().catalog, collection, partitions)?;
        Ok(query::count(&snap, filter, partitions)?)
    }

    /// The rejects file of task `id` (`rejects/<id>.jsonl` in the data directory, JSON
    /// Lines): empty when the task rejected no row. An unknown task is refused.
    pub fn rejects(&self, id: u64) -> Result<Vec<u8>, EngineError> {
        self.get_bulk_insert_state(id)?;
        read_rejects(&self.inner.data_dir, id)
    }

    /// The rows of `collection` nearest to `req.vector`, best first; a partition of
    /// `req.partitions` that does not exist is refused.
    pub fn search(
        &self,
        collection: &str,
        req: &SearchRequest<'_>,
    ) -> Result<Vec<Hit>, EngineError> {
        let snap = checked_snapshot(&self.inner.lock().catalog, collection, req.partitions)?;
        Ok(query::search(&snap, req)?)
    }
}

/// The rejects file of task `id` under `data_dir`; empty when it has none.
pub(super) fn read_rejects(data_dir: &std::path::Path, id: u64) -> Result<Vec<u8>, EngineError> {
    let path = data_dir.join(super::runner::rejects_path(id));
    match std::fs::read(&path) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(EngineError::Io { path, source }),
    }
}

/// Rows visible in `collection` of `catalog`, or in one partition.
pub(super) fn count_in(
    catalog: &Catalog,
    collection: &str,
    partition: Option<&str>,
) -> Result<u64, EngineError> {
    let c = catalog.collection(collection)?;
    if let Some(p) = partition
        && c.partition(p).is_none()
    {
        return Err(crate::catalog::CatalogError::PartitionNotFound {
            collection: collection.into(),
            partition: p.into(),
        }
        .into());
    }
    Ok(c.rows(partition))
}

/// A snapshot of `collection` of `catalog` and the paths of its visible segments, oldest
/// first (by task; a task's segments in the catalog's order).
pub(super) fn snapshot_of(catalog: &Catalog, collection: &str) -> Result<Snapshot, EngineError> {
    let c = catalog.collection(collection)?.clone();
    let mut segments = Vec::new();
    for p in &c.partitions {
        for s in &p.segments {
            segments.push((
                s.task_id,
                p.name.clone(),
                catalog.task_dir(c.id, s.task_id).join(&s.file_name),
            ));
        }
    }
    segments.sort_by_key(|(task, _, _)| *task);
    Ok(Snapshot {
        schema: c.schema,
        segments: segments.into_iter().map(|(_, p, path)| (p, path)).collect(),
    })
}

/// [`snapshot_of`], after checking that every partition of `partitions` exists.
pub(super) fn checked_snapshot(
    catalog: &Catalog,
    collection: &str,
    partitions: Option<&[String]>,
) -> Result<Snapshot, EngineError> {
    for p in partitions.unwrap_or_default() {
        count_in(catalog, collection, Some(p))?;
    }
    snapshot_of(catalog, collection)
}
