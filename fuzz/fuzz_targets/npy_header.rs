//! Fuzz target `npy_header`: the properties are in `vecload_fuzz::checks::npy_header`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vecload_fuzz::checks::npy_header::check(data));
