//! What a task reads: its files opened and checked, before any row is parsed.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;

use super::PipelineError;
use crate::parse::csv::{self, CsvHeader, CsvOptions, StreamFramer, StreamStep};
use crate::parse::json::framing::JsonFormat;
use crate::parse::numpy::{self, NpyFile, NpyHeader, NpySetPlan, PREFIX_LEN_MAX};
use crate::parse::parquet::{self, FileBytes, ParquetFile};
use crate::parse::{self, FileKind, FilesError, TaskFiles};
use crate::schema::CollectionSchema;
use crate::source::{MappedFile, Opened, RangedFile, Storage};

/// Bytes read first from a streamed NPY file: enough for any usual header (NumPy pads it
/// to 64 or 128 bytes); a longer one takes a second read of exactly its length.
const NPY_HEADER_PROBE_BYTES: u64 = 4096;

/// Bytes read first from a streamed CSV file to find its header (then twice as many).
const CSV_HEADER_PROBE_BYTES: u64 = 64 << 10;

/// One import task as the pipeline sees it.
#[derive(Debug, Clone)]
pub struct TaskSpec {
    /// Task id (names the segment files).
    pub task_id: u64,
    /// The collection's schema.
    pub schema: CollectionSchema,
    /// Target partition names by partition index: one name for a plain collection,
    /// `_default_0.._default_{N-1}` for a partition-key collection.
    pub partitions: Vec<String>,
    /// Input files, relative to the storage root.
    pub files: Vec<String>,
    /// Where to read them.
    pub root: Storage,
    /// The task's segment directory.
    pub out_dir: PathBuf,
    /// How CSV files are read (separator, null key).
    pub csv: CsvOptions,
}

/// The opened inputs of a task. A file is mapped (its units point into it) or read by
/// ranges (the feeder reads each unit's bytes and the unit carries them).
pub(super) enum Inputs {
    /// One JSON or JSON Lines file.
    Json {
        file: String,
        body: Opened,
        format: JsonFormat,
    },
    /// One CSV file, its header checked.
    Csv {
        file: String,
        body: Opened,
        header: CsvHeader,
        opts: CsvOptions,
    },
    /// The `.npy` files of one column set; `cols[i]` belongs to `plan.columns[i]`,
    /// `meta` to `plan.meta`.
    Npy {
        plan: Box<NpySetPlan>,
        cols: Vec<Opened>,
        meta: Option<Opened>,
    },
    /// One Parquet file, its footer decoded and its columns checked against the schema.
    Parquet {
        file: Box<ParquetFile>,
        body: ParquetBody,
    },
}

impl Inputs {
    /// The input's file as messages name it (a column set: its first file).
    pub(super) fn name(&self) -> &str {
        match self {
            Inputs::Json { file, .. } | Inputs::Csv { file, .. } => file,
            Inputs::Npy { plan, .. } => (plan.columns.first().map(|(_, c)| c.file.as_str()))
                .or(plan.meta.as_ref().map(|c| c.file.as_str()))
                .unwrap_or("the NumPy column set"),
            Inputs::Parquet { file, .. } => file.name(),
        }
    }

    /// Fails when a mapped input changed while the task read it (see
    /// [`Opened::unchanged`]): the task's rows cannot be trusted.
    pub(super) fn unchanged(&self) -> Result<(), PipelineError> {
        match self {
            Inputs::Json { file, body, .. } | Inputs::Csv { file, body, .. } => {
                body.unchanged(file)?
            }
            Inputs::Npy { plan, cols, meta } => {
                for ((_, c), body) in plan.columns.iter().zip(cols) {
                    body.unchanged(&c.file)?;
                }
                if let (Some(c), Some(body)) = (&plan.meta, meta) {
                    body.unchanged(&c.file)?;
                }
            }
            Inputs::Parquet { file, body } => {
                if let ParquetBody::Mapped { map, .. } = body {
                    map.unchanged(file.name())?;
                }
            }
        }
        Ok(())
    }
}

/// The bytes of a Parquet file.
pub(super) enum ParquetBody {
    /// Mapped: every unit reads from the whole map.
    Mapped {
        map: Arc<MappedFile>,
        bytes: FileBytes,
    },
    /// Read by ranges: the head and the footer, read when the task opens; each unit
    /// carries the column chunks of its row group, read by the feeder.
    Ranged { file: RangedFile, footer: FileBytes },
}

/// A map shared as [`Bytes`] (the Parquet decoder takes its input as `Bytes`).
struct SharedMap(Arc<MappedFile>);

impl AsRef<[u8]> for SharedMap {
    fn as_ref(&self) -> &[u8] {
        self.0.bytes()
    }
}

impl Inputs {
    /// Opens and checks a task's files (for NPY, reads and checks every header).
    pub(super) fn open(spec: &TaskSpec) -> Result<Self, PipelineError> {
        let files = match parse::classify(&spec.files)? {
            TaskFiles::Rows {
                file,
                kind: FileKind::Json(format),
            } => {
                return Ok(Inputs::Json {
                    file: file.to_string(),
                    body: spec.root.open(file)?,
                    format,
                });
            }
            TaskFiles::Rows {
                file,
                kind: FileKind::Parquet,
            } => return open_parquet(file, &spec.schema, spec.root.open(file)?),
            TaskFiles::Rows {
                file,
                kind: FileKind::Csv,
            } => {
                let body = spec.root.open(file)?;
                let header = csv_header(file, &body, &spec.csv, &spec.schema)?;
                return Ok(Inputs::Csv {
                    file: file.to_string(),
                    body,
                    header,
                    opts: spec.csv.clone(),
                });
            }
            TaskFiles::Rows { file, .. } => {
                return Err(FilesError::Unsupported(file.to_string()).into());
            }
            TaskFiles::Columns(files) => files,
        };
        let mut bodies = Vec::with_capacity(files.len());
        let mut infos = Vec::with_capacity(files.len());
        for f in files {
            let body = spec.root.open(f)?;
            infos.push(NpyFile {
                path: f.clone(),
                header: npy_header(f, &body)?,
                len: body.len(),
            });
            bodies.push(body);
        }
        let plan = numpy::plan_set(&spec.schema, &infos)?;
        // Put the files in the plan's order.
        let mut by_path: Vec<(String, Option<Opened>)> = spec
            .files
            .iter()
            .cloned()
            .zip(bodies.into_iter().map(Some))
            .collect();
        let mut take = |path: &str| {
            by_path
                .iter_mut()
                .find(|(p, m)| p == path && m.is_some())
                .and_then(|(_, m)| m.take())
                .ok_or(PipelineError::Internal(
                    "the NPY plan names a file not opened",
                ))
        };
        let mut cols = Vec::with_capacity(plan.columns.len());
        for (_, col) in &plan.columns {
            cols.push(take(&col.file)?);
        }
        let meta = match &plan.meta {
            Some(m) => Some(take(&m.file)?),
            None => None,
        };
        Ok(Inputs::Npy {
            plan: Box::new(plan),
            cols,
            meta,
        })
    }

    /// Each file of the input and its size in bytes.
    pub(super) fn file_sizes(&self) -> Vec<(String, u64)> {
        match self {
            Inputs::Json { file, body, .. } | Inputs::Csv { file, body, .. } => {
                vec![(file.clone(), body.len())]
            }
            Inputs::Npy { plan, cols, meta } => {
                let mut files: Vec<(String, u64)> = (plan.columns.iter().zip(cols))
                    .map(|((_, c), body)| (c.file.clone(), body.len()))
                    .collect();
                if let (Some(c), Some(body)) = (&plan.meta, meta) {
                    files.push((c.file.clone(), body.len()));
                }
                files
            }
            Inputs::Parquet { file, body } => {
                let size = match body {
                    ParquetBody::Mapped { map, .. } => map.bytes().len() as u64,
                    ParquetBody::Ranged { file, .. } => file.len(),
                };
                vec![(file.name().to_string(), size)]
            }
        }
    }

    /// Units of work of the input: bytes for JSON and CSV, rows for NPY and Parquet.
    pub(super) fn total_work(&self) -> u64 {
        match self {
            Inputs::Json { body, .. } | Inputs::Csv { body, .. } => body.len(),
            Inputs::Npy { plan, .. } => plan.rows,
            Inputs::Parquet { file, .. } => file.rows(),
        }
    }
}

/// Opens a Parquet file: its head and footer from the map, or by three small ranged reads
/// (the last 8 bytes say how long the footer is).
fn open_parquet(
    name: &str,
    schema: &CollectionSchema,
    body: Opened,
) -> Result<Inputs, PipelineError> {
    let (file, body) = match body {
        Opened::Mapped(map) => {
            let map = Arc::new(map);
            let bytes = FileBytes::whole(Bytes::from_owner(SharedMap(map.clone())));
            let file = ParquetFile::open(name, schema, &bytes)?;
            (file, ParquetBody::Mapped { map, bytes })
        }
        Opened::Ranged(r) => {
            let len = r.len();
            let head = r.read(0..len.min(parquet::MAGIC.len() as u64))?;
            let tail = r.read(len.saturating_sub(8)..len)?;
            let meta_len = parquet::footer_len(name, &tail)?;
            let mut pieces = vec![(0, head)];
            match len.checked_sub(meta_len + 8) {
                Some(start) => pieces.push((start, r.read(start..len)?)),
                // A footer longer than the file: the decoder says so.
                None => pieces.push((len.saturating_sub(8), tail)),
            }
            let footer = FileBytes::pieces(len, pieces);
            let file = ParquetFile::open(name, schema, &footer)?;
            (file, ParquetBody::Ranged { file: r, footer })
        }
    };
    Ok(Inputs::Parquet {
        file: Box::new(file),
        body,
    })
}

/// The header of a CSV file, checked against the schema: found in the map, or in reads
/// from the file's start, each twice as long as the last, until its record ends.
fn csv_header(
    file: &str,
    body: &Opened,
    opts: &CsvOptions,
    schema: &CollectionSchema,
) -> Result<CsvHeader, PipelineError> {
    let (text, line) = match body {
        Opened::Mapped(map) => {
            match csv::Framer::new(opts.sep).next(file, map.bytes(), 0, true, usize::MAX)? {
                csv::Step::Header { start, end, line } => {
                    (map.bytes()[start as usize..end as usize].to_vec(), line)
                }
                _ => {
                    return Err(PipelineError::Internal(
                        "a CSV file framed without a header",
                    ));
                }
            }
        }
        Opened::Ranged(r) => {
            let mut framer = StreamFramer::new(opts.sep);
            let (mut at, mut probe) = (0, CSV_HEADER_PROBE_BYTES);
            loop {
                match framer.next(file, usize::MAX)? {
                    StreamStep::Header(text, line) => break (text, line),
                    StreamStep::NeedMore if at >= r.len() => framer.finish(),
                    StreamStep::NeedMore => {
                        let end = (at + probe).min(r.len());
                        framer.push(&r.read(at..end)?);
                        (at, probe) = (end, probe.saturating_mul(2));
                        if framer.buffered() > super::feed::STREAM_ROW_BYTES_MAX {
                            return Err(csv::CsvError::RecordTooLong {
                                file: file.to_string(),
                                byte: 0,
                                max: super::feed::STREAM_ROW_BYTES_MAX,
                            }
                            .into());
                        }
                    }
                    _ => {
                        return Err(PipelineError::Internal(
                            "a CSV file framed without a header",
                        ));
                    }
                }
            }
        }
    };
    Ok(CsvHeader::parse(file, line, &text, opts.sep, schema)?)
}

/// The header of an NPY file: from the map, or from one or two small ranged reads.
fn npy_header(path: &str, body: &Opened) -> Result<NpyHeader, PipelineError> {
    let file = match body {
        Opened::Mapped(map) => return Ok(numpy::parse_header(path, map.bytes())?),
        Opened::Ranged(file) => file,
    };
    let probe = file.read(0..NPY_HEADER_PROBE_BYTES)?;
    let need = numpy::header_len(&probe[..probe.len().min(PREFIX_LEN_MAX)])
        .ok()
        .flatten()
        .unwrap_or(0);
    let bytes = if need > probe.len() as u64 && (probe.len() as u64) < file.len() {
        file.read(0..need)?
    } else {
        probe
    };
    Ok(numpy::parse_header(path, &bytes)?)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
