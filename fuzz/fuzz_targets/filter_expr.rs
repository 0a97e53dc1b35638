//! Fuzz target `filter_expr`: the properties are in `vecload_fuzz::checks::filter_expr`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vecload_fuzz::checks::filter_expr::check(data));
