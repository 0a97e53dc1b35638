//! What a task reads: its files opened and checked, before any row is parsed.

use std::path::PathBuf;

use super::PipelineError;
use crate::parse::json::framing::{JsonFormat, format_for_path};
use crate::parse::numpy::{self, NpyFile, NpySetPlan};
use crate::schema::CollectionSchema;
use crate::source::{LocalRoot, MappedFile};

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
    pub root: LocalRoot,
    /// The task's segment directory.
    pub out_dir: PathBuf,
}

/// The opened inputs of a task.
pub(super) enum Inputs {
    /// One JSON or JSON Lines file.
    Json {
        file: String,
        map: MappedFile,
        format: JsonFormat,
    },
    /// The `.npy` files of one column set; `maps[i]` belongs to `plan.columns[i]`,
    /// `meta_map` to `plan.meta`.
    Npy {
        plan: Box<NpySetPlan>,
        maps: Vec<MappedFile>,
        meta_map: Option<MappedFile>,
    },
}

impl Inputs {
    /// Opens and checks a task's files.
    pub(super) fn open(spec: &TaskSpec) -> Result<Self, PipelineError> {
        let first = spec
            .files
            .first()
            .ok_or_else(|| PipelineError::Request("no files to import".into()))?;
        if let Some(format) = format_for_path(first) {
            if spec.files.len() != 1 {
                return Err(PipelineError::Request(
                    "a JSON import takes exactly one file per task".into(),
                ));
            }
            let map = spec.root.map(first)?;
            return Ok(Inputs::Json {
                file: first.clone(),
                map,
                format,
            });
        }
        let mut maps = Vec::with_capacity(spec.files.len());
        let mut infos = Vec::with_capacity(spec.files.len());
        for f in &spec.files {
            if !f.ends_with(".npy") {
                return Err(PipelineError::Request(format!(
                    "unsupported file type: \"{f}\" (expected .json, .jsonl, .ndjson or .npy)"
                )));
            }
            let map = spec.root.map(f)?;
            let header = numpy::parse_header(f, map.bytes())?;
            infos.push(NpyFile {
                path: f.clone(),
                header,
                len: map.bytes().len() as u64,
            });
            maps.push(map);
        }
        let plan = numpy::plan_set(&spec.schema, &infos)?;
        // Put the maps in the plan's order.
        let mut by_path: Vec<(String, Option<MappedFile>)> = spec
            .files
            .iter()
            .cloned()
            .zip(maps.into_iter().map(Some))
            .collect();
        let mut take = |path: &str| {
            by_path
                .iter_mut()
                .find(|(p, m)| p == path && m.is_some())
                .and_then(|(_, m)| m.take())
        };
        let mut ordered = Vec::with_capacity(plan.columns.len());
        for (_, col) in &plan.columns {
            ordered.push(take(&col.file).ok_or_else(|| {
                PipelineError::Request(format!("internal: no map for {}", col.file))
            })?);
        }
        let meta_map = match &plan.meta {
            Some(m) => Some(take(&m.file).ok_or_else(|| {
                PipelineError::Request(format!("internal: no map for {}", m.file))
            })?),
            None => None,
        };
        Ok(Inputs::Npy {
            plan: Box::new(plan),
            maps: ordered,
            meta_map,
        })
    }

    /// Total work (bytes for JSON, rows for NPY), for progress.
    pub(super) fn total_work(&self) -> u64 {
        match self {
            Inputs::Json { map, .. } => map.bytes().len() as u64,
            Inputs::Npy { plan, .. } => plan.rows,
        }
    }
}
