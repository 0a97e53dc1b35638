//! Fuzz target `schema_file`: the properties are in `vecload_fuzz::checks::schema_file`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vecload_fuzz::checks::schema_file::check(data));
