//! Collections, partitions and their visible segments, kept in one atomically written file.
//!
//! The catalog is the single source of truth for what a user can see: a segment file counts
//! only once the catalog lists it, so one atomic write of `catalog.json` makes all of a
//! task's segments visible at once.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fault::{self, DurableWrite, FaultHook};
use crate::fsutil;
use crate::schema::CollectionSchema;

/// Name of the partition every collection without a partition key has.
pub const DEFAULT_PARTITION: &str = "_default";

/// Why a catalog operation was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// No collection of that name.
    #[error("collection not found: \"{0}\"")]
    CollectionNotFound(String),
    /// A collection of that name exists already.
    #[error("collection \"{0}\" already exists")]
    CollectionExists(String),
    /// No partition of that name in the collection.
    #[error("partition not found: \"{partition}\" in collection \"{collection}\"")]
    PartitionNotFound {
        /// Collection name.
        collection: String,
        /// Partition name.
        partition: String,
    },
    /// A partition of that name exists already.
    #[error("partition \"{partition}\" already exists in collection \"{collection}\"")]
    PartitionExists {
        /// Collection name.
        collection: String,
        /// Partition name.
        partition: String,
    },
    /// Partitions of a partition-key collection are fixed.
    #[error(
        "collection \"{0}\" has a partition key: its partitions are fixed and cannot be named or created"
    )]
    PartitionKeyCollection(String),
    /// A name breaks the naming rules.
    #[error("invalid name \"{name}\": {reason}")]
    InvalidName {
        /// The name.
        name: String,
        /// The rule.
        reason: &'static str,
    },
    /// The catalog file could not be read or written.
    #[error("catalog {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The catalog file is not what vecload wrote.
    #[error("catalog {path} is corrupt: {reason}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// A segment file that is visible in a partition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisibleSegment {
    /// The task that wrote it.
    pub task_id: u64,
    /// File name inside the task's directory.
    pub file_name: String,
    /// Rows in the file.
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// Shard index.
    pub shard: u32,
}

/// A partition and its visible segments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partition {
    /// Partition name.
    pub name: String,
    /// Visible segments, in commit order.
    pub segments: Vec<VisibleSegment>,
}

impl Partition {
    /// Rows in the partition.
    pub fn rows(&self) -> u64 {
        self.segments.iter().map(|s| s.rows).sum()
    }
}

/// A collection: schema, partitions, and the tasks already committed to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Collection {
    /// Internal id; names segment directories so a dropped and re-created name never mixes.
    pub id: u64,
    /// The schema.
    pub schema: CollectionSchema,
    /// Partitions in creation order (for a partition-key collection: `_default_0..N-1`).
    pub partitions: Vec<Partition>,
    /// Ids of tasks whose segments are visible.
    pub committed_tasks: BTreeSet<u64>,
}

impl Collection {
    /// Looks a partition up by name.
    pub fn partition(&self, name: &str) -> Option<&Partition> {
        self.partitions.iter().find(|p| p.name == name)
    }

    /// Rows in the collection (or in one partition).
    pub fn rows(&self, partition: Option<&str>) -> u64 {
        self.partitions
            .iter()
            .filter(|p| partition.is_none_or(|n| p.name == n))
            .map(Partition::rows)
            .sum()
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CatalogFile {
    format: u32,
    next_collection_id: u64,
    collections: BTreeMap<String, Collection>,
}

/// The catalog of one data directory.
#[derive(Debug)]
pub struct Catalog {
    dir: PathBuf,
    file: CatalogFile,
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
            file,
            fault_hook: None,
        })
    }

    /// Runs `hook` around each write of the catalog file.
    pub fn with_fault_hook(mut self, hook: Option<FaultHook>) -> Self {
        self.fault_hook = hook;
        self
    }

    fn save(&self, write: DurableWrite) -> Result<(), CatalogError> {
        let path = self.dir.join("catalog.json");
        let bytes = serde_json::to_vec_pretty(&self.file).map_err(|e| CatalogError::Corrupt {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        fault::guard(self.fault_hook.as_ref(), write, || {
            fsutil::write_atomic(&path, &bytes)
        })
        .map_err(|source| CatalogError::Io { path, source })
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
        if self.file.collections.contains_key(&name) {
            return Err(CatalogError::CollectionExists(name));
        }
        let partitions = if schema.partition_key_index().is_some() {
            schema.key_partition_names()
        } else {
            vec![DEFAULT_PARTITION.to_string()]
        };
        let id = self.file.next_collection_id;
        self.file.next_collection_id += 1;
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
        self.file.collections.insert(name.clone(), c);
        self.save(DurableWrite::CatalogCreateCollection)?;
        self.collection(&name)
    }

    /// Removes a collection from the catalog; returns it so its files can be deleted.
    pub fn drop_collection(&mut self, name: &str) -> Result<Collection, CatalogError> {
        let c = self
            .file
            .collections
            .remove(name)
            .ok_or_else(|| CatalogError::CollectionNotFound(name.to_string()))?;
        self.save(DurableWrite::CatalogDropCollection)?;
        Ok(c)
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
        crate::schema::check_partition_name(partition).map_err(|reason| {
            CatalogError::InvalidName {
                name: partition.to_string(),
                reason,
            }
        })?;
        let c = self
            .file
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
        self.save(DurableWrite::CatalogCreatePartition)
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
        let c = self
            .file
            .collections
            .get_mut(collection)
            .ok_or_else(|| CatalogError::CollectionNotFound(collection.to_string()))?;
        let tasks: Vec<_> = tasks
            .into_iter()
            .filter(|(id, _)| !c.committed_tasks.contains(id))
            .collect();
        if tasks.is_empty() {
            return Ok(());
        }
        for (partition, _) in tasks.iter().flat_map(|(_, segs)| segs) {
            if c.partition(partition).is_none() {
                return Err(CatalogError::PartitionNotFound {
                    collection: collection.to_string(),
                    partition: partition.clone(),
                });
            }
        }
        for (task_id, segments) in tasks {
            for (partition, seg) in segments {
                if let Some(p) = c.partitions.iter_mut().find(|p| p.name == partition) {
                    p.segments.push(seg);
                }
            }
            c.committed_tasks.insert(task_id);
        }
        self.save(DurableWrite::CatalogCommit)
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
mod tests {
    use super::*;
    use crate::schema::{DataType, FieldSchema};

    fn schema(name: &str, key: bool) -> CollectionSchema {
        let mut pk = FieldSchema::new("id", DataType::Int64);
        pk.is_primary = true;
        let mut k = FieldSchema::new("k", DataType::Int64);
        k.is_partition_key = key;
        let mut v = FieldSchema::new("v", DataType::FloatVector);
        v.dim = Some(2);
        CollectionSchema {
            name: name.into(),
            auto_id: false,
            enable_dynamic_field: false,
            fields: vec![pk, k, v],
            partitions_num: 4,
            shards_num: 1,
            functions: Vec::new(),
        }
    }

    #[test]
    fn survives_reopen_and_commits_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(dir.path()).unwrap();
        cat.create_collection(schema("book", false)).unwrap();
        cat.create_partition("book", "2022").unwrap();
        assert!(matches!(
            cat.create_partition("book", "2022"),
            Err(CatalogError::PartitionExists { .. })
        ));
        let seg = VisibleSegment {
            task_id: 7,
            file_name: "a.vseg".into(),
            rows: 5,
            bytes: 10,
            shard: 0,
        };
        cat.commit("book", 7, vec![("2022".into(), seg.clone())])
            .unwrap();
        cat.commit("book", 7, vec![("2022".into(), seg)]).unwrap();
        let cat = Catalog::open(dir.path()).unwrap();
        let c = cat.collection("book").unwrap();
        assert_eq!(c.rows(None), 5);
        assert_eq!(c.rows(Some("_default")), 0);
        assert!(cat.is_committed("book", 7));
    }

    #[test]
    fn partition_key_collections_have_fixed_partitions() {
        let dir = tempfile::tempdir().unwrap();
        let mut cat = Catalog::open(dir.path()).unwrap();
        let c = cat.create_collection(schema("keyed", true)).unwrap();
        let names: Vec<_> = c.partitions.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            ["_default_0", "_default_1", "_default_2", "_default_3"]
        );
        assert!(matches!(
            cat.create_partition("keyed", "x"),
            Err(CatalogError::PartitionKeyCollection(_))
        ));
        assert!(matches!(
            cat.create_collection(schema("keyed", true)),
            Err(CatalogError::CollectionExists(_))
        ));
    }
}
