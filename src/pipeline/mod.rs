//! The import graph of one task: the only module that knows timely.
//!
//! ```text
//! feeder thread: frame the file into work units (row ranges), allocate auto-ids
//!    --bounded channel-->  timely workers: parse + validate (ok_err) -> route
//!    -> exchange by (shard, partition) -> one segment writer per (shard, partition)
//! ```
//! Rows in flight are bounded twice: the channel holds a few units, and a worker feeds its
//! next unit only once the dataflow's frontier is within a window of it.

mod durable;
mod feed;
mod npy;
mod operators;
mod parquet;
mod plan;
mod rejects;
mod work;
mod worker;
mod writers;

use std::ops::Range;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

pub use durable::{CHECKPOINT_UNITS, Durable, DurableSink, Resume};
#[cfg(test)]
pub(crate) use operators::PANIC_TEST_FILE;
pub use plan::TaskSpec;
pub use rejects::{RATIO_MIN_ROWS, RejectLimit, RejectPolicy, record_line};

use crate::location::RowLocation;
use crate::parse::FilesError;
use crate::parse::csv::CsvError;
use crate::parse::json::framing::FramingError;
use crate::parse::numpy::NpyError;
use crate::parse::parquet::ParquetError;
use crate::segment::{BLOCK_BYTES_DEFAULT, SEGMENT_MAX_SIZE_DEFAULT, SegmentError, SegmentInfo};
use crate::source::SourceError;
use crate::validate::RowError;

/// Tuning of one task's graph.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// timely worker threads.
    pub workers: usize,
    /// A segment file rolls over at this size, in bytes (config key `segment.max_size`).
    pub segment_max_size: u64,
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
    /// `Some`: bad rows are skipped and kept as rejects records, within these limits
    /// (`--on-error skip`); `None` (the default): the first bad row fails the task.
    pub rejects: Option<RejectPolicy>,
    /// A dry run: every row read, checked and routed as for an import, then counted by
    /// partition instead of written (no segment, no directory). Default `false`.
    pub dry_run: bool,
    /// Which share of the task this process runs: every process of a cluster task cuts the
    /// input the same way and hands out the same auto-ids, and feeds its own workers the
    /// units `process` of every `processes` (default: the one process, all of them).
    pub share: Share,
}

/// This process's place among the processes of one task (see [`PipelineOptions::share`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Share {
    /// This process's index.
    pub process: usize,
    /// Processes in all (each with [`PipelineOptions::workers`] workers).
    pub processes: usize,
}

impl Default for Share {
    fn default() -> Self {
        Share {
            process: 0,
            processes: 1,
        }
    }
}

impl Share {
    /// Whether unit `seq` (0-based, in file order) is this process's to read.
    pub fn owns(self, seq: u64) -> bool {
        seq % self.processes.max(1) as u64 == self.process as u64
    }
}

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            segment_max_size: SEGMENT_MAX_SIZE_DEFAULT,
            block_bytes: BLOCK_BYTES_DEFAULT,
            unit_bytes: 4 << 20,
            units_in_flight: 8,
            unit_delay: std::time::Duration::ZERO,
            memory_budget: 256 << 20,
            simd_json: false,
            fault_hook: None,
            rejects: None,
            dry_run: false,
            share: Share::default(),
        }
    }
}

/// Why a task's pipeline failed. Each variant holds the failing layer's own error; the
/// engine turns it into the task's reason only when it writes the reason to the ledger.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The task's files do not make a task (unknown type, mixed, several row files).
    #[error(transparent)]
    Files(#[from] FilesError),
    /// An input file could not be opened or read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The JSON file's structure is broken.
    #[error("{file}: {source}")]
    Framing {
        /// The file.
        file: String,
        /// What is wrong, with the byte offset.
        source: FramingError,
    },
    /// A row of a streamed JSON file is longer than the window rows are carried in.
    #[error("{file}: the row at byte {byte} is longer than {max} bytes")]
    RowTooLong {
        /// The file.
        file: String,
        /// Offset of the row's first byte.
        byte: u64,
        /// The limit (`STREAM_ROW_BYTES_MAX`).
        max: usize,
    },
    /// A CSV file was refused as a whole (options, quoting, header).
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// An NPY file or set was refused.
    #[error(transparent)]
    Npy(#[from] NpyError),
    /// A Parquet file, or one of its rows, was refused.
    #[error(transparent)]
    Parquet(#[from] ParquetError),
    /// A row broke a rule of the schema.
    #[error(transparent)]
    Row(#[from] RowError),
    /// The task's segment directory could not be created.
    #[error("writing segments: {}: {source}", path.display())]
    OutputDir {
        /// The directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A segment could not be written.
    #[error("writing segments: {0}")]
    Segment(#[from] SegmentError),
    /// Auto-ids could not be reserved in the ledger.
    #[error("allocating auto-ids: {0}")]
    AutoIds(#[source] AllocError),
    /// The input holds more rows than ids can count.
    #[error("too many rows in one work unit: {0}")]
    TooManyRows(u64),
    /// Under `--on-error skip`, the rejected rows passed a limit.
    #[error("{rejected} rows rejected of {read} read: {limit}; the last: {last}")]
    TooManyRejects {
        /// Rows rejected so far.
        rejected: u64,
        /// Rows read so far (accepted and rejected).
        read: u64,
        /// The limit passed.
        limit: RejectLimit,
        /// The last row rejected (boxed to keep the error small).
        last: Box<RowError>,
    },
    /// A durable point could not be recorded (`import.resume`).
    #[error("recording the durable work units: {0}")]
    Checkpoint(#[source] AllocError),
    /// A resumed task's file is not the version the task began with.
    #[error("{file} changed since the task began ({change}): it cannot be resumed")]
    FileChanged {
        /// The file.
        file: String,
        /// What changed (size, modification time, ETag).
        change: String,
    },
    /// A resumed task's input was cut into units that straddle the durable rows.
    #[error(
        "{file}: rows {begin}..{end} are partly durable: the input is cut differently than when the task began"
    )]
    ResumeMismatch {
        /// The file.
        file: String,
        /// First row of the unit.
        begin: u64,
        /// Past its last row.
        end: u64,
    },
    /// The task was stopped from outside (cancel, expiry, shutdown: the caller knows why).
    #[error("the task was stopped")]
    Stopped,
    /// Reading a unit of `file` panicked: a bug (ours or a dependency's), caught at the
    /// unit's boundary so that only this task fails.
    #[error(
        "reading {file}: the reader failed unexpectedly ({message}); the task is failed, the process goes on"
    )]
    Panic {
        /// The input.
        file: String,
        /// The panic's message.
        message: String,
    },
    /// A worker thread failed: timely could not start, or a thread panicked (the message).
    #[error("import worker failed: {0}")]
    Worker(String),
    /// A broken invariant of the pipeline itself.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

impl PipelineError {
    /// The row the error is about, when it is about one.
    pub fn location(&self) -> Option<&RowLocation> {
        match self {
            PipelineError::Row(e) => Some(&e.location),
            PipelineError::Parquet(ParquetError::Row(e)) => Some(&e.location),
            _ => None,
        }
    }
}

/// Why auto-ids could not be reserved: the allocator's own error (the engine's is the
/// ledger's), kept whole for the task's reason.
pub type AllocError = Box<dyn std::error::Error + Send + Sync>;

/// Hands out auto-ids; implemented by the engine over the durable ledger counter.
pub trait IdAllocator: Sync {
    /// Reserves `n` consecutive ids.
    fn alloc(&self, n: u64) -> Result<Range<i64>, AllocError>;
}

/// Shared progress and stop signal of a running task.
#[derive(Debug, Default)]
pub struct TaskControl {
    /// Units of work done (bytes for JSON and CSV, rows for NPY and Parquet).
    pub done: AtomicU64,
    /// Units of work in all.
    pub total: AtomicU64,
    /// Rows read and checked so far (accepted).
    pub rows: AtomicU64,
    /// Rows rejected so far (`--on-error skip`).
    pub rejected: AtomicU64,
    /// Bytes of the rejects records so far.
    pub reject_bytes: AtomicU64,
    /// The task's files and their sizes in bytes, set once they are opened.
    pub files: OnceLock<Vec<(String, u64)>>,
    /// Set to stop the task (cancel, expiry, or a failure inside the pipeline). Who stops a
    /// task from outside keeps the reason; the pipeline then ends with
    /// [`PipelineError::Stopped`].
    pub stop: AtomicBool,
}

impl TaskControl {
    /// Asks the task to stop.
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
    }

    /// Whether the task was asked to stop.
    pub fn is_stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Each file with its size and the bytes of it read so far (in proportion to the work
    /// done: every file of an NPY column set is read at the pace of its rows); empty until
    /// the files are opened.
    pub fn files_read(&self) -> Vec<(String, u64, u64)> {
        let (done, total) = (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        );
        let files = self.files.get().map_or(&[][..], Vec::as_slice);
        (files.iter())
            .map(|(name, size)| {
                let read = match total {
                    0 => 0,
                    t => (u128::from(*size) * u128::from(done.min(t)) / u128::from(t)) as u64,
                };
                (name.clone(), *size, read)
            })
            .collect()
    }

    /// Whether every unit of work is read (the writers may still be finishing).
    pub fn all_read(&self) -> bool {
        let total = self.total.load(Ordering::Relaxed);
        total > 0 && self.done.load(Ordering::Relaxed) >= total
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
    /// Segment files written under the task's directory, with their partition (none in a
    /// dry run).
    pub segments: Vec<SegmentInfo>,
    /// Rows by partition name: written, or in a dry run counted.
    pub partitions: std::collections::BTreeMap<String, u64>,
    /// Rows imported (a dry run: rows that would be).
    pub rows: u64,
    /// Rows rejected (`--on-error skip`).
    pub rejected: u64,
    /// The rejects file's text: one JSON object a line, by row; empty when none.
    pub rejects: Vec<u8>,
    /// Auto-ids generated, as `[begin, end)` pairs.
    pub id_ranges: Vec<[i64; 2]>,
    /// Where the segments are.
    pub dir: PathBuf,
}

pub use work::{run, run_in_cluster, run_resumable};

/// At least as many as the rows of `spec`'s files, read from what opening them tells: the
/// rows of an NPY set or a Parquet file (their headers), the bytes of a JSON or CSV file (a
/// row takes at least one).
pub fn row_bound(spec: &TaskSpec) -> Result<u64, PipelineError> {
    Ok(plan::Inputs::open(spec)?.total_work())
}
