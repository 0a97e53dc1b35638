//! The benchmark data set (docs/performance.md): one deterministic generator for every
//! performance figure.
//!
//! N rows of `id` Int64 primary key (sequential), `word_count` Int64, `title` VarChar(64)
//! (16-48 printable ASCII characters) and `vec` FloatVector(dim) uniform in `[0, 1)`, written
//! as `{"rows":[...]}` JSON, JSON Lines (floats as the shortest float32 text), NPY columns
//! (`title` as `<U48`), Parquet (as pymilvus writes it with pyarrow) and CSV (as pymilvus
//! writes it with pandas). The same seed gives the same bytes on every machine.
//!
//! Not part of the library: `vecload bench-import` uses it, and the benches include this
//! folder with `#[path]` (so every item is used by some includer, not by each).
//!
//! ```text
//! let set = prepare("target/bench-data".as_ref(), &DataSpec { rows: 20_000, ..DataSpec::default() })?;
//! let (files, bytes) = set.inputs(Format::Jsonl);
//! ```

mod files;
mod npy;
mod parquet;
mod rows;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub use files::{COLLECTION, Dataset, GENERATOR_VERSION, prepare, schema_json};
pub use npy::{NPY_FILES, NpyColumns, npy_header};
pub use parquet::{ParquetRows, row_group_rows};
pub use rows::{
    CSV_HEADER, Row, RowGen, SplitMix64, TITLE_MAX_CHARS, TITLE_MIN_CHARS, WORD_COUNT_MAX,
};

/// Seed of the published figures.
pub const DEFAULT_SEED: u64 = 0x7665_636c_6f61_6421;

/// The shape of a data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSpec {
    /// Rows (default 1,000,000).
    pub rows: u64,
    /// Vector dimension (default 128).
    pub dim: usize,
    /// PRNG seed (default [`DEFAULT_SEED`]).
    pub seed: u64,
}

impl Default for DataSpec {
    fn default() -> Self {
        DataSpec {
            rows: 1_000_000,
            dim: 128,
            seed: DEFAULT_SEED,
        }
    }
}

/// An input format of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `{"rows":[...]}` in one file.
    Json,
    /// One JSON object per line.
    Jsonl,
    /// One `.npy` file per field.
    Npy,
    /// One Parquet file (snappy).
    Parquet,
    /// One CSV file with a header line.
    Csv,
}

impl Format {
    /// Every format, in the order the benchmark runs them.
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Jsonl,
        Format::Npy,
        Format::Parquet,
        Format::Csv,
    ];

    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Npy => "npy",
            Format::Parquet => "parquet",
            Format::Csv => "csv",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown format \"{s}\" (expected json, jsonl, npy, parquet or csv)")
            })
    }
}

/// Why the data set could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A file or directory could not be written or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Maps an I/O error to [`BenchError::Io`] at `path`.
fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> BenchError + use<> {
    let path = path.to_path_buf();
    move |source| BenchError::Io { path, source }
}
