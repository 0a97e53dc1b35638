//! Fuzz target `json_float`: the properties are in `vecload_fuzz::checks::json_float`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vecload_fuzz::checks::json_float::check(data));
