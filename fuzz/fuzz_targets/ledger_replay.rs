//! Fuzz target `ledger_replay`: the properties are in `vecload_fuzz::checks::ledger_replay`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vecload_fuzz::checks::ledger_replay::check(data));
