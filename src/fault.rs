//! Named crash points for the crash-recovery tests: when `VECLOAD_FAULT` names a point, the
//! process aborts there (as a `kill -9` would stop it). Read once; unset, a point costs a
//! load and a compare.

use std::sync::OnceLock;

fn configured() -> Option<&'static str> {
    static POINT: OnceLock<Option<String>> = OnceLock::new();
    POINT
        .get_or_init(|| {
            std::env::var("VECLOAD_FAULT")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .as_deref()
}

/// Aborts the process if `VECLOAD_FAULT` equals `name`.
pub fn point(name: &str) {
    if configured() == Some(name) {
        eprintln!("vecload: fault point {name}: aborting");
        std::process::abort();
    }
}
