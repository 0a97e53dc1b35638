//! Row-based JSON: framing (row boundaries, in [`framing`]) and row parsing (in [`row`]):
//! vecload's exact reader ([`exact`], the default) or simd-json ([`simd`]) in front of it.
//! Both read values and ask the rule book (`crate::validate`) about each.

pub mod exact;
pub mod float;
pub mod framing;
pub mod row;
pub mod simd;

pub use exact::JsonRowConverter;
pub use float::{json_number_to_f32, json_number_to_f64};
pub use simd::SimdRowConverter;
