//! Fault injection around durable writes: an optional [`FaultHook`], called before and after
//! each write that must survive a crash. An error from the hook is that write's error, so a
//! test can simulate a failing disk at any [`FaultSite`]; a hook that aborts simulates a crash
//! there. The library installs none and reads no environment variable
//! ([`EngineOptions::fault_hook`](crate::EngineOptions::fault_hook) is `None` by default).

use std::fmt;
use std::io;
use std::sync::Arc;

/// The durable writes a [`FaultSite`] surrounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DurableWrite {
    /// `catalog.json` written with a new collection.
    CatalogCreateCollection,
    /// `catalog.json` written without a dropped collection.
    CatalogDropCollection,
    /// `catalog.json` written with a new partition.
    CatalogCreatePartition,
    /// `catalog.json` written with an index recorded on a field (gRPC `CreateIndex`).
    CatalogIndex,
    /// `catalog.json` written with a task's (or a job's) segments made visible.
    CatalogCommit,
    /// One task record written: created, moved to another state, or updated.
    LedgerTask,
    /// The ledger's counters written: a task id or auto-ids handed out.
    LedgerCounters,
    /// One task record removed (retention).
    LedgerRemove,
    /// A task's segment directory created.
    TaskDir,
    /// A directory of segments removed: a failed task's moved to the trash (one rename), a
    /// collection dropped.
    RemoveDir,
    /// One block appended to a segment file (staged: durable once the file is synced).
    SegmentBlock,
    /// A segment file's footer and trailer written and the file synced.
    SegmentFile,
    /// A segment directory synced after one writer's files.
    SegmentDir,
    /// All of a task's segment writing: its directory created, its pipeline run.
    Segments,
    /// The ledger writes that record a task Persisted with its segment list.
    Persisted,
}

impl DurableWrite {
    /// Every write, in the order an import meets them (roughly).
    pub const ALL: [DurableWrite; 15] = [
        DurableWrite::CatalogCreateCollection,
        DurableWrite::CatalogCreatePartition,
        DurableWrite::CatalogIndex,
        DurableWrite::LedgerCounters,
        DurableWrite::LedgerTask,
        DurableWrite::TaskDir,
        DurableWrite::SegmentBlock,
        DurableWrite::SegmentFile,
        DurableWrite::SegmentDir,
        DurableWrite::Segments,
        DurableWrite::Persisted,
        DurableWrite::CatalogCommit,
        DurableWrite::RemoveDir,
        DurableWrite::LedgerRemove,
        DurableWrite::CatalogDropCollection,
    ];

    /// The write's name in site names, e.g. `catalog_commit`.
    pub fn name(self) -> &'static str {
        match self {
            DurableWrite::CatalogCreateCollection => "catalog_create_collection",
            DurableWrite::CatalogDropCollection => "catalog_drop_collection",
            DurableWrite::CatalogCreatePartition => "catalog_create_partition",
            DurableWrite::CatalogIndex => "catalog_index",
            DurableWrite::CatalogCommit => "catalog_commit",
            DurableWrite::LedgerTask => "ledger_task",
            DurableWrite::LedgerCounters => "ledger_counters",
            DurableWrite::LedgerRemove => "ledger_remove",
            DurableWrite::TaskDir => "task_dir",
            DurableWrite::RemoveDir => "remove_dir",
            DurableWrite::SegmentBlock => "segment_block",
            DurableWrite::SegmentFile => "segment_file",
            DurableWrite::SegmentDir => "segment_dir",
            DurableWrite::Segments => "segments",
            DurableWrite::Persisted => "persisted",
        }
    }
}

/// Whether the hook runs before the write starts or after it returned successfully.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Before: nothing of the write is done yet.
    Before,
    /// After: the write is done (and durable, for a synced write).
    After,
}

/// A point around a durable write where a hook runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FaultSite {
    /// The write.
    pub write: DurableWrite,
    /// Before or after it.
    pub phase: Phase,
}

impl FaultSite {
    /// The site before `write`.
    pub const fn before(write: DurableWrite) -> Self {
        FaultSite {
            write,
            phase: Phase::Before,
        }
    }

    /// The site after `write`.
    pub const fn after(write: DurableWrite) -> Self {
        FaultSite {
            write,
            phase: Phase::After,
        }
    }

    /// Every site.
    pub fn all() -> impl Iterator<Item = FaultSite> {
        DurableWrite::ALL
            .into_iter()
            .flat_map(|w| [FaultSite::before(w), FaultSite::after(w)])
    }

    /// The site a name (as [`Display`](fmt::Display) writes it) stands for.
    pub fn from_name(name: &str) -> Option<FaultSite> {
        FaultSite::all().find(|s| s.to_string() == name)
    }
}

impl fmt::Display for FaultSite {
    /// `before_<write>` or `after_<write>`, e.g. `after_catalog_commit`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let phase = match self.phase {
            Phase::Before => "before",
            Phase::After => "after",
        };
        write!(f, "{phase}_{}", self.write.name())
    }
}

/// A function called at every [`FaultSite`]; an `Err` fails the write there.
#[derive(Clone)]
pub struct FaultHook(Arc<dyn Fn(FaultSite) -> io::Result<()> + Send + Sync>);

impl FaultHook {
    /// A hook calling `f`.
    pub fn new(f: impl Fn(FaultSite) -> io::Result<()> + Send + Sync + 'static) -> Self {
        FaultHook(Arc::new(f))
    }

    /// A hook that fails every write at `site` with [`injected`].
    pub fn fail_at(site: FaultSite) -> Self {
        FaultHook::new(move |s| if s == site { Err(injected(s)) } else { Ok(()) })
    }

    /// Runs the hook at `site`.
    pub fn call(&self, site: FaultSite) -> io::Result<()> {
        (self.0)(site)
    }
}

impl fmt::Debug for FaultHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FaultHook(..)")
    }
}

/// The error of a fault injected at `site`: `injected fault at <site>`.
pub fn injected(site: FaultSite) -> io::Error {
    io::Error::other(format!("injected fault at {site}"))
}

/// Runs the hook (if any) at `site`.
pub(crate) fn at(hook: Option<&FaultHook>, site: FaultSite) -> io::Result<()> {
    hook.map_or(Ok(()), |h| h.call(site))
}

/// Runs `write` between the hook's `Before` and `After` calls; a hook error is the write's.
pub(crate) fn guard<T>(
    hook: Option<&FaultHook>,
    write: DurableWrite,
    f: impl FnOnce() -> io::Result<T>,
) -> io::Result<T> {
    at(hook, FaultSite::before(write))?;
    let out = f()?;
    at(hook, FaultSite::after(write))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_round_trip_and_are_unique() {
        let names: Vec<String> = FaultSite::all().map(|s| s.to_string()).collect();
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        for s in FaultSite::all() {
            assert_eq!(FaultSite::from_name(&s.to_string()), Some(s));
        }
        assert_eq!(
            FaultSite::after(DurableWrite::Segments).to_string(),
            "after_segments"
        );
        assert_eq!(FaultSite::from_name("mid_write"), None);
    }

    #[test]
    fn guard_fails_the_write_at_the_hooked_site() {
        let hook = FaultHook::fail_at(FaultSite::before(DurableWrite::LedgerTask));
        let mut ran = false;
        let r = guard(Some(&hook), DurableWrite::LedgerTask, || {
            ran = true;
            Ok(())
        });
        assert!(!ran && r.is_err());
        let hook = FaultHook::fail_at(FaultSite::after(DurableWrite::LedgerTask));
        let r = guard(Some(&hook), DurableWrite::LedgerTask, || {
            ran = true;
            Ok(())
        });
        let msg = r.unwrap_err().to_string();
        assert!(ran && msg.contains("after_ledger_task"), "{msg}");
        assert!(guard(None, DurableWrite::LedgerTask, || Ok(())).is_ok());
    }
}
