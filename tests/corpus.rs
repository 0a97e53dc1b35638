//! Fuzz corpus replay without a fuzzer: every file of `fuzz/corpus/<target>/` and of
//! `data/crash/<target>/` goes through the property check of that fuzz target
//! (`fuzz/src/checks/`, compiled in here by path, so the checks are the targets' own).

#[path = "../fuzz/src/checks/mod.rs"]
mod checks;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use crate::util::repo;

/// Files directly under `dir`, sorted; none if it does not exist. Dot files are skipped.
fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    out.sort();
    out
}

/// Runs every file under `root/<target>/` through the target's check; returns how many
/// files ran and a line per failure (file and panic message).
fn replay(root: &str) -> (usize, Vec<String>) {
    let mut ran = 0;
    let mut failures = Vec::new();
    for (target, check) in checks::TARGETS {
        for path in files(&repo().join(root).join(target)) {
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            ran += 1;
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&bytes))) {
                let msg = panic
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| panic.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                let name = path.strip_prefix(repo()).unwrap_or(&path);
                failures.push(format!("{}: {msg}", name.display()));
            }
        }
    }
    (ran, failures)
}

/// Folders under `root` must be target names, so a misnamed folder is not skipped silently.
fn only_target_folders(root: &str) {
    let Ok(entries) = std::fs::read_dir(repo().join(root)) else {
        return;
    };
    for e in entries.flatten().filter(|e| e.path().is_dir()) {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(
            checks::TARGETS.iter().any(|(t, _)| *t == name),
            "{root}/{name} is not a fuzz target"
        );
    }
}

#[test]
fn fuzz_corpus_passes_every_property() {
    only_target_folders("fuzz/corpus");
    for (target, _) in checks::TARGETS {
        let dir = repo().join("fuzz/corpus").join(target);
        assert!(
            !files(&dir).is_empty(),
            "no corpus for fuzz target {target}"
        );
    }
    let (ran, failures) = replay("fuzz/corpus");
    assert!(
        failures.is_empty(),
        "{} of {ran} corpus files fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `data/crash/` holds the inputs fuzzing found bugs with (see its README). Until a bug is
/// fixed its reproduction fails here, by design.
#[test]
fn crash_reproductions_pass_every_property() {
    only_target_folders("data/crash");
    let (ran, failures) = replay("data/crash");
    assert!(ran > 0, "no crash reproductions found");
    assert!(
        failures.is_empty(),
        "KNOWN BUGS: {} of {ran} fuzz crash reproductions in data/crash still fail \
         (data/crash/README.md says what each one shows):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
