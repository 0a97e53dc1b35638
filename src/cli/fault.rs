//! `VECLOAD_FAULT`: the crash tests name a fault site (`after_segments`, `before_ledger_task`,
//! ...: see `vecload::fault::FaultSite`) and the process aborts there, as `kill -9` would stop
//! it. The library reads no environment; this installs its hook.

use anyhow::{Result, anyhow};
use vecload::fault::{DurableWrite, FaultHook, FaultSite};

/// Older names the crash tests still use.
const ALIASES: [(&str, FaultSite); 2] = [
    ("mid_write", FaultSite::after(DurableWrite::SegmentBlock)),
    (
        "after_commit",
        FaultSite::after(DurableWrite::CatalogCommit),
    ),
];

/// The site a name stands for: a site's own name or an alias.
fn site(name: &str) -> Option<FaultSite> {
    let alias = ALIASES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s);
    alias.or_else(|| FaultSite::from_name(name))
}

/// An aborting hook at the site `VECLOAD_FAULT` names; none if it is unset or empty.
pub(super) fn hook_from_env() -> Result<Option<FaultHook>> {
    let Some(name) = std::env::var("VECLOAD_FAULT")
        .ok()
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let at = site(&name).ok_or_else(|| anyhow!("VECLOAD_FAULT={name}: no such fault site"))?;
    Ok(Some(FaultHook::new(move |s| {
        if s == at {
            eprintln!("vecload: fault point {name}: aborting");
            std::process::abort();
        }
        Ok(())
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crash_tests_names_are_sites() {
        for name in [
            "mid_write",
            "after_segments",
            "after_persisted",
            "after_commit",
        ] {
            assert!(site(name).is_some(), "{name}");
        }
        assert_eq!(
            site("before_catalog_commit"),
            Some(FaultSite::before(DurableWrite::CatalogCommit))
        );
        assert_eq!(site("nowhere"), None);
    }
}
