//! Property checks behind vecload's fuzz targets.
//!
//! Each target in `fuzz_targets/` is one line that calls a check of [`checks`]; the same
//! module is compiled into the main crate's integration tests (`tests/corpus.rs` includes
//! `src/checks/mod.rs` by path), which replay every corpus and crash file through it, so CI
//! proves the corpus without a fuzzer. A check panics when a property fails.

pub mod checks;
