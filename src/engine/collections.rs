//! The engine's collections and partitions: create, drop, list and describe, within
//! Milvus's caps.

use super::{Engine, EngineError};
use crate::catalog::Collection;
use crate::fault::DurableWrite;
use crate::ledger::TaskState;
use crate::schema::{CollectionSchema, limits};

impl Engine {
    /// Creates a collection from a parsed schema. Refuses a schema past Milvus's caps
    /// (`partitionsNum`, fields, dim) and a 65,537th collection.
    pub fn create_collection(&self, schema: CollectionSchema) -> Result<(), EngineError> {
        schema.check_limits()?;
        let w = self.inner.writer();
        let write = {
            let st = self.inner.lock();
            let n = st.catalog.collections().count();
            limits::check("collections", n + 1, limits::MAX_COLLECTIONS)?;
            st.catalog.plan_create_collection(schema)?
        };
        self.inner.write_catalog(&w, write)?;
        Ok(())
    }

    /// Creates a collection from a schema file's bytes (docs/formats.md, "Schema file").
    pub fn create_collection_from_json(&self, bytes: &[u8]) -> Result<String, EngineError> {
        let schema =
            CollectionSchema::from_json(bytes, self.inner.opts.default_partitions_with_key)?;
        let name = schema.name.clone();
        self.create_collection(schema)?;
        Ok(name)
    }

    /// Drops a collection and deletes its segments. Refused while one of its tasks runs.
    pub fn drop_collection(&self, name: &str) -> Result<(), EngineError> {
        let w = self.inner.writer();
        let st = self.inner.lock();
        let busy = st.ledger.list(Some(name), None).into_iter().find(|t| {
            matches!(
                t.state,
                TaskState::Pending | TaskState::Started | TaskState::Persisted
            )
        });
        if let Some(t) = busy {
            return Err(EngineError::TaskState {
                id: t.id,
                state: t.state.name(),
                what: "cannot drop a collection with unfinished imports",
            });
        }
        let (c, write) = st.catalog.plan_drop_collection(name)?;
        let dir = st.catalog.collection_dir(c.id);
        drop(st);
        self.inner.write_catalog(&w, write)?;
        // Collection ids are never reused, and no task of it is left: its folder is no
        // one's, and is deleted after the writer is released (recovery removes what a crash
        // leaves of it).
        drop(w);
        let hook = self.inner.opts.fault_hook.as_ref();
        crate::fault::guard(hook, DurableWrite::RemoveDir, || {
            crate::fsutil::remove_dir_durable(&dir)
        })
        .map_err(|source| EngineError::Io { path: dir, source })
    }

    /// Every collection (a snapshot).
    pub fn list_collections(&self) -> Vec<Collection> {
        self.inner.lock().catalog.collections().cloned().collect()
    }

    /// One collection (a snapshot).
    pub fn describe_collection(&self, name: &str) -> Result<Collection, EngineError> {
        Ok(self.inner.lock().catalog.collection(name)?.clone())
    }

    /// Creates a partition; a collection holds at most 1024, `_default` included.
    pub fn create_partition(&self, collection: &str, partition: &str) -> Result<(), EngineError> {
        let w = self.inner.writer();
        let write = {
            let st = self.inner.lock();
            let c = st.catalog.collection(collection)?;
            if c.partition(partition).is_none() {
                limits::check(
                    "partitions per collection",
                    c.partitions.len() + 1,
                    limits::MAX_PARTITIONS_PER_COLLECTION,
                )?;
            }
            st.catalog.plan_create_partition(collection, partition)?
        };
        self.inner.write_catalog(&w, write)?;
        Ok(())
    }
}
