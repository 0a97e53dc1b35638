//! Fuzz target `npy_column`: the properties are in `vecload_fuzz::checks::npy_column`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vecload_fuzz::checks::npy_column::check(data));
