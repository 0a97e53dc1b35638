//! Parsers: bytes in, typed rows out. Parsers do no I/O.

pub mod json;
pub mod numpy;
