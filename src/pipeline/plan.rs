//! What a task reads: its files opened and checked, before any row is parsed.

use std::path::PathBuf;

use super::PipelineError;
use crate::parse::json::framing::JsonFormat;
use crate::parse::numpy::{self, NpyFile, NpyHeader, NpySetPlan, PREFIX_LEN_MAX};
use crate::parse::{self, FileKind, FilesError, TaskFiles};
use crate::schema::CollectionSchema;
use crate::source::{Opened, Storage};

/// Bytes read first from a streamed NPY file: enough for any usual header (NumPy pads it
/// to 64 or 128 bytes); a longer one takes a second read of exactly its length.
const NPY_HEADER_PROBE_BYTES: u64 = 4096;

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
    /// The `.npy` files of one column set; `cols[i]` belongs to `plan.columns[i]`,
    /// `meta` to `plan.meta`.
    Npy {
        plan: Box<NpySetPlan>,
        cols: Vec<Opened>,
        meta: Option<Opened>,
    },
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

    /// Total work (bytes for JSON, rows for NPY), for progress.
    pub(super) fn total_work(&self) -> u64 {
        match self {
            Inputs::Json { body, .. } => body.len(),
            Inputs::Npy { plan, .. } => plan.rows,
        }
    }
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
