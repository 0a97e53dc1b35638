//! Row-based JSON: framing (row boundaries, in [`framing`]) and row parsing (in [`row`]).

pub mod framing;
pub mod row;
