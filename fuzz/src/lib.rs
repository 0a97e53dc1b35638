//! Property checks behind vecload's fuzz targets.
//!
//! Each target in `fuzz_targets/` is one line that calls a check of [`checks`]; the same
//! module is compiled into the main crate's integration tests (`tests/corpus.rs` includes
//! `src/checks/mod.rs` by path), which replay every corpus and crash file through it, so CI
//! proves the corpus without a fuzzer. A check panics when a property fails.

pub mod checks;

/// Replaces libFuzzer's panic hook (which aborts on every panic, caught or not) with one
/// that aborts only for a panic raised outside the crates.io dependencies: a reader that
/// catches a dependency's panic and returns an error (as the Parquet reader does) keeps
/// fuzzing. Each dependency panic site is printed once. A panic that unwinds out of the
/// check still fails the run (libFuzzer aborts on it).
pub fn only_vecload_panics_abort() {
    use std::collections::HashSet;
    use std::sync::Mutex;
    static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if at.contains("/registry/src/") {
            let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
            if seen.get_or_insert_with(HashSet::new).insert(at.clone()) {
                eprintln!("caught a dependency's panic (not a finding) at {at}: {info}");
            }
            return;
        }
        default_hook(info);
        std::process::abort();
    }));
}
