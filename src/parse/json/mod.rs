//! parse/json
