//! Checks of an import request before any task exists, as Milvus does (docs/formats.md).

use super::{EngineError, Inner, State};
use crate::catalog::DEFAULT_PARTITION;
use crate::parse::FilesError;
use crate::schema::limits;

/// Checks the files of a request of `units` (each one task): their number, their kinds, and
/// their sizes from `stat` or an object HEAD. I/O: the caller holds neither of the engine's locks.
pub(super) fn check_files(inner: &Inner, units: &[Vec<String>]) -> Result<(), EngineError> {
    if units.is_empty() {
        return Err(FilesError::Empty.into());
    }
    limits::check(
        "units per import request",
        units.len(),
        limits::MAX_IMPORT_UNITS,
    )?;
    for files in units {
        crate::parse::classify(files)?;
        // Sizes from `stat` or an object HEAD, before any byte is read.
        for f in files {
            match inner.opts.storage.size(f) {
                Ok(size) if size > inner.opts.import.max_file_size => {
                    return Err(EngineError::FileTooLarge {
                        path: f.clone(),
                        size,
                        max: inner.opts.import.max_file_size,
                    });
                }
                Ok(_) => {}
                // A missing file fails its task later, as in Milvus; an escaping path is
                // refused now.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

/// Checks a request of `units` against the catalog and the queue (no I/O: the caller holds
/// the engine's state lock) and returns the partition name the tasks record (`""` for a
/// partition-key collection).
pub(super) fn check(
    inner: &Inner,
    st: &State,
    collection: &str,
    partition: Option<&str>,
    units: &[Vec<String>],
) -> Result<String, EngineError> {
    let c = st.catalog.collection(collection)?;
    let keyed = c.schema.partition_key_index().is_some();
    let partition = match (keyed, partition) {
        (true, Some(p)) => {
            return Err(EngineError::InvalidRequest(format!(
                "not allowed to set partition name \"{p}\" for collection \"{collection}\", which has a partition key"
            )));
        }
        (true, None) => String::new(),
        (false, p) => {
            let p = p.unwrap_or(DEFAULT_PARTITION);
            if c.partition(p).is_none() {
                return Err(crate::catalog::CatalogError::PartitionNotFound {
                    collection: collection.to_string(),
                    partition: p.to_string(),
                }
                .into());
            }
            p.to_string()
        }
    };
    let pending = st.ledger.pending_count();
    let max = inner.opts.import.max_pending_tasks;
    if pending + units.len() > max {
        return Err(EngineError::QueueFull {
            max,
            pending,
            requested: units.len(),
        });
    }
    Ok(partition)
}
