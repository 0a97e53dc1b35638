//! Fuzz target `json_framing`: the properties are in `vecload_fuzz::checks::json_framing`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vecload_fuzz::checks::json_framing::check(data));
