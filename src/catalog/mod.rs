//! Collections, partitions and their visible segments, kept in one atomically written file.
//!
//! The catalog is the single source of truth for what a user can see: a segment file counts
//! only once the catalog lists it, so one atomic write of `catalog.json` makes all of a
//! task's segments visible at once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::fault::{DurableWrite, FaultHook};
use crate::schema::CollectionSchema;

mod types;
mod write;

pub use types::{CatalogError, Collection, Partition, VisibleSegment};
pub use write::CatalogWrite;

/// Name of the partition every collection without a partition key has.
pub const DEFAULT_PARTITION: &str = "_default";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct CatalogFile {
    format: u32,
    next_collection_id: u64,
    collections: BTreeMap<String, Collection>,
}

/// The catalog of one data directory.
#[derive(Debug)]
pub struct Catalog {
    dir: PathBuf,
    /// As on disk; shared with the write planned from it (its undo).
    file: Arc<CatalogFile>,
    fault_hook: Option<FaultHook>,
}

const CATALOG_FORMAT: u32 = 1;

impl Catalog {
    /// Loads `<data_dir>/catalog.json`, or starts an empty catalog.
    pub fn open(data_dir: &Path) -> Result<Self, CatalogError> {
        let path = data_dir.join("catalog.json");
        let file = match std::fs::read(&path) {
            Ok(bytes) => {
                let f: CatalogFile =
                    serde_json::from_slice(&bytes).map_err(|e| CatalogError::Corrupt {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                if f.format != CATALOG_FORMAT {
                    return Err(CatalogError::Corrupt {
                        path,
                        reason: format!("unknown format {}", f.format),
                    });
                }
                f
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => CatalogFile {
                format: CATALOG_FORMAT,
                next_collection_id: 1,
                collections: BTreeMap::new(),
            },
            Err(source) => return Err(CatalogError::Io { path, source }),
        };
        Ok(Catalog {
            dir: data_dir.to_path_buf(),
            file: Arc::new(file),
            fault_hook: None,
        })
    }

    /// Runs `hook` around each write of the catalog file.
    pub fn with_fault_hook(mut self, hook: Option<FaultHook>) -> Self {
        self.fault_hook = hook;
        self
    }

    /// Applies `f` to a copy of the catalog: the change, to write without the catalog
    /// borrowed ([`CatalogWrite`]). A refused change plans nothing.
    fn plan<T>(
        &self,
        write: DurableWrite,
        f: impl FnOnce(&mut CatalogFile) -> Result<T, CatalogError>,
    ) -> Result<(T, CatalogWrite), CatalogError> {
        let mut next = CatalogFile::clone(&self.file);
        let out = f(&mut next)?;
        let planned = CatalogWrite {
            write,
            path: self.dir.join("catalog.json"),
            old: self.file.clone(),
            next,
            fault_hook: self.fault_hook.clone(),
        };
        Ok((out, planned))
    }

    /// Shows a written change in memory. It must have been planned from the catalog as it
    /// is: no other change adopted since.
    pub fn adopt(&mut self, write: CatalogWrite) {
        debug_assert!(
            Arc::ptr_eq(&write.old, &self.file),
            "a catalog write was planned before another change was adopted"
        );
        self.file = Arc::new(write.next);
    }

    /// Directory holding the segments of task `task_id` of collection `collection_id`.
    pub fn task_dir(&self, collection_id: u64, task_id: u64) -> PathBuf {
        self.dir
            .join("segments")
            .join(format!("c{collection_id}"))
            .join(format!("t{task_id:08}"))
    }

    /// Directory holding every segment of collection `collection_id`.
    pub fn collection_dir(&self, collection_id: u64) -> PathBuf {
        self.dir.join("segments").join(format!("c{collection_id}"))
    }

    /// Creates a collection with its partitions.
    pub fn create_collection(
        &mut self,
        schema: CollectionSchema,
    ) -> Result<&Collection, CatalogError> {
        let name = schema.name.clone();
        let planned = self.plan_create_collection(schema)?;
        planned.apply()?;
        self.adopt(planned);
        self.collection(&name)
    }

    /// Plans [`create_collection`](Catalog::create_collection) (see [`CatalogWrite`]).
    pub fn plan_create_collection(
        &self,
        schema: CollectionSchema,
    ) -> Result<CatalogWrite, CatalogError> {
        let name = schema.name.clone();
        let partitions = if schema.partition_key_index().is_some() {
            schema.key_partition_names()
        } else {
            vec![DEFAULT_PARTITION.to_string()]
        };
        let ((), planned) = self.plan(DurableWrite::CatalogCreateCollection, |file| {
            if file.collections.contains_key(&name) {
                return Err(CatalogError::CollectionExists(name.clone()));
            }
            let id = file.next_collection_id;
            file.next_collection_id += 1;
            let c = Collection {
                id,
                schema,
                partitions: partitions
                    .into_iter()
                    .map(|name| Partition {
                        name,
                        segments: Vec::new(),
                    })
                    .collect(),
                committed_tasks: BTreeSet::new(),
            };
            file.collections.insert(name.clone(), c);
            Ok(())
        })?;
        Ok(planned)
    }

    /// Removes a collection from the catalog; returns it so its files can be deleted.
    pub fn drop_collection(&mut self, name: &str) -> Result<Collection, CatalogError> {
        let (c, planned) = self.plan_drop_collection(name)?;
        planned.apply()?;
        self.adopt(planned);
        Ok(c)
    }

    /// Plans [`drop_collection`](Catalog::drop_collection) (see [`CatalogWrite`]).
    pub fn plan_drop_collection(
        &self,
        name: &str,
    ) -> Result<(Collection, CatalogWrite), CatalogError> {
        self.plan(DurableWrite::CatalogDropCollection, |file| {
            file.collections
                .remove(name)
                .ok_or_else(|| CatalogError::CollectionNotFound(name.to_string()))
        })
    }

    /// Looks a collection up.
    pub fn collection(&self, name: &str) -> Result<&Collection, CatalogError> {
        self.file
            .collections
            .get(name)
            .ok_or_else(|| CatalogError::CollectionNotFound(name.to_string()))
    }

    /// Every collection, by name.
    pub fn collections(&self) -> impl Iterator<Item = &Collection> {
        self.file.collections.values()
    }

    /// Creates a partition in a collection without a partition key.
    pub fn create_partition(
        &mut self,
        collection: &str,
        partition: &str,
    ) -> Result<(), CatalogError> {
        let planned = self.plan_create_partition(collection, partition)?;
        planned.apply()?;
        self.adopt(planned);
        Ok(())
    }

    /// Plans [`create_partition`](Catalog::create_partition) (see [`CatalogWrite`]).
    pub fn plan_create_partition(
        &self,
        collection: &str,
        partition: &str,
    ) -> Result<CatalogWrite, CatalogError> {
        crate::schema::check_partition_name(partition).map_err(|reason| {
            CatalogError::InvalidName {
                name: partition.to_string(),
                reason,
            }
        })?;
        let ((), planned) = self.plan(DurableWrite::CatalogCreatePartition, |file| {
            let c = file
                .collections
                .get_mut(collection)
                .ok_or_else(|| CatalogError::CollectionNotFound(collection.to_string()))?;
            if c.schema.partition_key_index().is_some() {
                return Err(CatalogError::PartitionKeyCollection(collection.to_string()));
            }
            if c.partition(partition).is_some() {
                return Err(CatalogError::PartitionExists {
                    collection: collection.to_string(),
                    partition: partition.to_string(),
                });
            }
            c.partitions.push(Partition {
                name: partition.to_string(),
                segments: Vec::new(),
            });
            Ok(())
        })?;
        Ok(planned)
    }

    /// Plans replacing the schema of `collection` by `schema`, the same schema with an index
    /// recorded on a field (gRPC `CreateIndex`; [`CollectionSchema::with_index`] checks it).
    pub fn plan_set_index(
        &self,
        collection: &str,
        schema: CollectionSchema,
    ) -> Result<CatalogWrite, CatalogError> {
        let ((), planned) = self.plan(DurableWrite::CatalogIndex, |file| {
            let c = file
                .collections
                .get_mut(collection)
                .ok_or_else(|| CatalogError::CollectionNotFound(collection.to_string()))?;
            c.schema = schema;
            Ok(())
        })?;
        Ok(planned)
    }

    /// Makes a task's segments visible, all at once. Committing a task twice is a no-op.
    pub fn commit(
        &mut self,
        collection: &str,
        task_id: u64,
        segments: Vec<(String, VisibleSegment)>,
    ) -> Result<(), CatalogError> {
        self.commit_tasks(collection, vec![(task_id, segments)])
    }

    /// Makes the segments of several tasks (one REST job) visible in one atomic write.
    /// Tasks already committed are skipped.
    pub fn commit_tasks(
        &mut self,
        collection: &str,
        tasks: Vec<(u64, Vec<(String, VisibleSegment)>)>,
    ) -> Result<(), CatalogError> {
        if let Some(planned) = self.plan_commit_tasks(collection, tasks)? {
            planned.apply()?;
            self.adopt(planned);
        }
        Ok(())
    }

    /// Plans [`commit_tasks`](Catalog::commit_tasks) (see [`CatalogWrite`]); `None` when
    /// every task is committed already.
    pub fn plan_commit_tasks(
        &self,
        collection: &str,
        tasks: Vec<(u64, Vec<(String, VisibleSegment)>)>,
    ) -> Result<Option<CatalogWrite>, CatalogError> {
        let c = self.collection(collection)?;
        let tasks: Vec<_> = tasks
            .into_iter()
            .filter(|(id, _)| !c.committed_tasks.contains(id))
            .collect();
        if tasks.is_empty() {
            return Ok(None);
        }
        for (partition, _) in tasks.iter().flat_map(|(_, segs)| segs) {
            if c.partition(partition).is_none() {
                return Err(CatalogError::PartitionNotFound {
                    collection: collection.to_string(),
                    partition: partition.clone(),
                });
            }
        }
        let ((), planned) = self.plan(DurableWrite::CatalogCommit, |file| {
            let c = file
                .collections
                .get_mut(collection)
                .ok_or_else(|| CatalogError::CollectionNotFound(collection.to_string()))?;
            for (task_id, segments) in tasks {
                for (partition, seg) in segments {
                    if let Some(p) = c.partitions.iter_mut().find(|p| p.name == partition) {
                        p.segments.push(seg);
                    }
                }
                c.committed_tasks.insert(task_id);
            }
            Ok(())
        })?;
        Ok(Some(planned))
    }

    /// Whether task `task_id`'s segments are visible in `collection`.
    pub fn is_committed(&self, collection: &str, task_id: u64) -> bool {
        self.file
            .collections
            .get(collection)
            .is_some_and(|c| c.committed_tasks.contains(&task_id))
    }
}

#[cfg(test)]
mod tests;
