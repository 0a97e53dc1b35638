//! Fuzz target `parquet_file`: the properties are in `vecload_fuzz::checks::parquet_file`.
//! A panic inside a dependency (the Parquet and Arrow crates), which the reader catches and
//! returns as an error, is not a finding; any other panic is.
#![no_main]

libfuzzer_sys::fuzz_target!(
    init: { vecload_fuzz::only_vecload_panics_abort(); },
    |data: &[u8]| vecload_fuzz::checks::parquet_file::check(data)
);
