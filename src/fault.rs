//! Named crash points for the crash-recovery tests: when `VECLOAD_FAULT` names a point, the
//! process aborts there (as a `kill -9` would stop it); `VECLOAD_SLOW_UNIT_MS` delays each
//! work unit so tests can catch a task while it runs. Both are read once; unset, they cost a
//! relaxed load.

use std::sync::OnceLock;
use std::time::Duration;

struct Faults {
    point: Option<String>,
    slow_unit: Option<Duration>,
}

fn faults() -> &'static Faults {
    static F: OnceLock<Faults> = OnceLock::new();
    F.get_or_init(|| Faults {
        point: std::env::var("VECLOAD_FAULT")
            .ok()
            .filter(|s| !s.is_empty()),
        slow_unit: std::env::var("VECLOAD_SLOW_UNIT_MS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map(Duration::from_millis),
    })
}

/// Aborts the process if `VECLOAD_FAULT` equals `name`.
pub fn point(name: &str) {
    if faults().point.as_deref() == Some(name) {
        eprintln!("vecload: fault point {name}: aborting");
        std::process::abort();
    }
}

/// Sleeps as long as `VECLOAD_SLOW_UNIT_MS` says (tests only).
pub fn slow_unit() {
    if let Some(d) = faults().slow_unit {
        std::thread::sleep(d);
    }
}
