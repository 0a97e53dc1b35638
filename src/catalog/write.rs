//! [`CatalogWrite`]: one change of `catalog.json`, planned in memory, written without the
//! catalog borrowed, then adopted ([`Catalog::adopt`](super::Catalog::adopt)).
//!
//! A caller that shares the catalog behind a lock holds it to plan (`Catalog::plan_*`: memory
//! only) and to adopt, never across the write; it lets no other change in between (the
//! engine's writer lock). Memory changes only once the write succeeded.

use std::path::PathBuf;
use std::sync::Arc;

use super::{CatalogError, CatalogFile};
use crate::fault::{self, DurableWrite, FaultHook};
use crate::fsutil;

/// A planned change of the catalog: the file as it is and as the change leaves it.
#[derive(Debug)]
#[must_use = "a planned catalog write changes nothing until it is applied and adopted"]
pub struct CatalogWrite {
    pub(super) write: DurableWrite,
    pub(super) path: PathBuf,
    pub(super) old: Arc<CatalogFile>,
    pub(super) next: CatalogFile,
    pub(super) fault_hook: Option<FaultHook>,
}

impl CatalogWrite {
    /// Writes the changed catalog atomically. An error means the file is as it was.
    pub fn apply(&self) -> Result<(), CatalogError> {
        let path = &self.path;
        let encode = |file: &CatalogFile| {
            serde_json::to_vec_pretty(file).map_err(|e| CatalogError::Corrupt {
                path: path.clone(),
                reason: e.to_string(),
            })
        };
        let bytes = encode(&self.next)?;
        let written = fault::guard(self.fault_hook.as_ref(), self.write, || {
            fsutil::write_atomic(path, &bytes)
        });
        if let Err(source) = written {
            // A failure after the rename leaves the new file: put the old one back. Only
            // if that fails too, the new catalog stands, and memory follows the disk.
            let old = encode(&self.old)?;
            let exists = path.exists();
            if !fsutil::undo_atomic(path, &bytes, exists.then_some(old.as_slice())) {
                return Err(CatalogError::Io {
                    path: path.clone(),
                    source,
                });
            }
        }
        Ok(())
    }
}
