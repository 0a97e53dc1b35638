//! Fuzz target `csv_rows`: the properties are in `vecload_fuzz::checks::csv_rows`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vecload_fuzz::checks::csv_rows::check(data));
