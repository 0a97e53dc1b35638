//! Engine options: plain structs with Milvus's defaults (INTERFACE.md section 1).

use crate::source::{LocalRoot, Storage};

/// How JSON rows are parsed (`import.json_parser`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JsonParser {
    /// simd-json parses each row; rows it cannot hold exactly go to the exact reader.
    SimdJson,
    /// The exact reader alone (the default): reads each row's text once, correctly rounded
    /// floats. It needs about 2.4x less CPU than simd-json on float-vector rows (whose float
    /// parsing simd-json cannot hand over), and no more on string-heavy rows.
    #[default]
    Exact,
}

impl std::str::FromStr for JsonParser {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "simd-json" => Ok(JsonParser::SimdJson),
            "exact" => Ok(JsonParser::Exact),
            _ => Err(format!("unknown JSON parser \"{s}\" (simd-json or exact)")),
        }
    }
}

/// Limits and tuning of imports (`import.*` config keys).
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// A task not Completed this long after it started fails ("timed out").
    pub task_expiration_s: u64,
    /// Finished task records older than this are dropped.
    pub task_retention_s: u64,
    /// Pending tasks the queue holds at most.
    pub max_pending_tasks: usize,
    /// Largest import file, in bytes.
    pub max_file_size: u64,
    /// Tasks that run at once.
    pub max_parallel_tasks: usize,
    /// timely workers per task.
    pub workers: usize,
    /// Peak RSS budget of an import, in bytes.
    pub memory_budget: u64,
    /// Pause before each work unit, in milliseconds (a throttle; 0 = none).
    pub throttle_unit_ms: u64,
    /// Target size of a work unit in bytes of input.
    pub unit_bytes: usize,
    /// How JSON rows are parsed.
    pub json_parser: JsonParser,
}

impl Default for ImportOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        ImportOptions {
            task_expiration_s: 900,
            task_retention_s: 86_400,
            max_pending_tasks: 65_536,
            max_file_size: 16 << 30,
            max_parallel_tasks: cores,
            workers: cores,
            memory_budget: 512 << 20,
            throttle_unit_ms: 0,
            unit_bytes: 4 << 20,
            json_parser: JsonParser::Exact,
        }
    }
}

/// Everything an [`Engine`](super::Engine) is opened with.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Where import files are read from: a local directory or an object store prefix
    /// (default: the current directory, absolute paths allowed).
    pub storage: Storage,
    /// Import limits and tuning.
    pub import: ImportOptions,
    /// A segment file rolls over at this size (`segment.max_size`).
    pub segment_max_size: u64,
    /// Partitions of a partition-key collection whose schema names no `partitionsNum`.
    pub default_partitions_with_key: usize,
    /// Called before and after each durable write (catalog, ledger, segments); an error it
    /// returns fails that write. For tests of failing disks and crashes; `None` by default.
    pub fault_hook: Option<crate::fault::FaultHook>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            storage: LocalRoot::open(".").into(),
            import: ImportOptions::default(),
            segment_max_size: 512 << 20,
            default_partitions_with_key: 16,
            fault_hook: None,
        }
    }
}
