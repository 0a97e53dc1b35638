//! parse/json

pub mod framing;
