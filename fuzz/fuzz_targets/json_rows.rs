//! Fuzz target `json_rows`: the properties are in `vecload_fuzz::checks::json_rows`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vecload_fuzz::checks::json_rows::check(data));
