//! The catalog's types: its error, and the collections, partitions and visible segments it
//! lists.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::schema::CollectionSchema;

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
