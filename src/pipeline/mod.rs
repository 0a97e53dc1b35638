//! The import graph of one task: the only module that knows timely.
//!
//! ```text
//! feeder thread: frame the file into work units (row ranges), allocate auto-ids
//!    --bounded channel-->  timely workers: parse + validate (ok_err) -> route
//!    -> exchange by (shard, partition) -> one segment writer per (shard, partition)
//! ```
//! Rows in flight are bounded twice: the channel holds a few units, and a worker feeds its
//! next unit only once the dataflow's frontier is within a window of it.

mod feed;
mod operators;
mod plan;
mod work;

use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub use plan::TaskSpec;

use crate::location::RowLocation;
use crate::parse::json::framing::FramingError;
use crate::parse::numpy::NpyError;
use crate::segment::{SegmentError, SegmentInfo};
use crate::source::SourceError;
use crate::validate::RowError;

/// Tuning of one task's graph.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// timely worker threads.
    pub workers: usize,
    /// A segment file rolls over at this size.
    pub segment_max_bytes: u64,
    /// Rows are written to a segment in blocks of about this size.
    pub block_bytes: usize,
    /// Target size of a work unit (bytes of input).
    pub unit_bytes: usize,
    /// Work units that may be in flight (queued or being processed) at once.
    pub units_in_flight: usize,
    /// Peak memory the task may use; segment blocks shrink so that every open writer's
    /// buffers fit in half of it.
    pub memory_budget: u64,
    /// Parse JSON rows with simd-json first (`true`) or with the exact reader alone.
    pub simd_json: bool,
    /// A pause before each work unit: a throttle that leaves the machine to others.
    pub unit_delay: std::time::Duration,
    /// Called around each segment write (see [`crate::fault`]); `None` by default.
    pub fault_hook: Option<crate::fault::FaultHook>,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            segment_max_bytes: 512 << 20,
            block_bytes: 8 << 20,
            unit_bytes: 4 << 20,
            units_in_flight: 8,
            unit_delay: std::time::Duration::ZERO,
            memory_budget: 512 << 20,
            simd_json: false,
            fault_hook: None,
        }
    }
}

/// Why a task's pipeline failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PipelineError {
    /// An input file could not be opened or read.
    #[error("{0}")]
    Source(String),
    /// The JSON file's structure is broken.
    #[error("{file}: {source}")]
    Framing {
        /// The file.
        file: String,
        /// What is wrong, with the byte offset.
        source: FramingError,
    },
    /// An NPY file or set was refused.
    #[error("{0}")]
    Npy(#[from] NpyError),
    /// A row broke a rule of the schema.
    #[error("{0}")]
    Row(#[from] RowError),
    /// A segment could not be written.
    #[error("writing segments: {0}")]
    Segment(String),
    /// The request itself cannot be run.
    #[error("{0}")]
    Request(String),
    /// The task was cancelled or timed out.
    #[error("{0}")]
    Stopped(String),
    /// A worker thread failed.
    #[error("import worker failed: {0}")]
    Worker(String),
}

impl From<SourceError> for PipelineError {
    fn from(e: SourceError) -> Self {
        PipelineError::Source(e.to_string())
    }
}

impl From<SegmentError> for PipelineError {
    fn from(e: SegmentError) -> Self {
        PipelineError::Segment(e.to_string())
    }
}

impl PipelineError {
    /// The row the error is about, when it is about one.
    pub fn location(&self) -> Option<&RowLocation> {
        match self {
            PipelineError::Row(e) => Some(&e.location),
            _ => None,
        }
    }
}

/// Hands out auto-ids; implemented by the engine over the durable ledger counter.
pub trait IdAllocator: Sync {
    /// Reserves `n` consecutive ids.
    fn alloc(&self, n: u64) -> Result<Range<i64>, String>;
}

/// Shared progress and stop signal of a running task.
#[derive(Debug, Default)]
pub struct TaskControl {
    /// Units of work done (bytes for JSON, rows for NPY).
    pub done: AtomicU64,
    /// Units of work in all.
    pub total: AtomicU64,
    /// Set to stop the task (cancel, expiry, or a failure inside the pipeline).
    pub stop: AtomicBool,
    /// Why the task was stopped from outside (cancel, expiry, shutdown).
    reason: std::sync::Mutex<Option<String>>,
}

impl TaskControl {
    /// Asks the task to stop; the first reason given wins.
    pub fn request_stop(&self, reason: &str) {
        let mut r = self.reason.lock().unwrap_or_else(|p| p.into_inner());
        if r.is_none() {
            *r = Some(reason.to_string());
        }
        self.stop.store(true, Ordering::SeqCst);
    }

    /// The reason given to [`request_stop`](Self::request_stop), if any.
    pub fn stop_reason(&self) -> Option<String> {
        self.reason
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Progress in percent of the parse/write phase, 0..=90 as Milvus reports it.
    pub fn percent(&self) -> u8 {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            return 0;
        }
        let done = self.done.load(Ordering::Relaxed).min(total);
        (done * 90 / total) as u8
    }
}

/// What a successful task produced.
#[derive(Debug, Clone, Default)]
pub struct TaskOutput {
    /// Segment files written under the task's directory, with their partition.
    pub segments: Vec<SegmentInfo>,
    /// Rows imported.
    pub rows: u64,
    /// Auto-ids generated, as `[begin, end)` pairs.
    pub id_ranges: Vec<[i64; 2]>,
    /// Where the segments are.
    pub dir: PathBuf,
}

pub use work::run;
