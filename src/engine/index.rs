//! Recording an index on a field (gRPC `CreateIndex`): vecload searches exactly, so an index
//! matters only for the metric a search without one uses.

use super::{Engine, EngineError};

impl Engine {
    /// Records an index on a field of `collection` (`entry`: one `indexParams` entry of
    /// `collections/create`), in place of the field's index: gRPC `CreateIndex`. Search stays
    /// exact; the index's metric becomes the field's default search metric.
    pub fn set_index(
        &self,
        collection: &str,
        entry: &serde_json::Value,
    ) -> Result<(), EngineError> {
        let w = self.inner.writer();
        let write = {
            let st = self.inner.lock();
            let schema = st
                .catalog
                .collection(collection)?
                .schema
                .with_index(entry)?;
            st.catalog.plan_set_index(collection, schema)?
        };
        self.inner.write_catalog(&w, write)?;
        Ok(())
    }
}
