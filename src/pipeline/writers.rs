//! The write stage: one segment writer per (shard, partition) a worker owns, or, for a dry
//! run, a counting sink per partition in the writers' place (the graph is the same).

use std::collections::BTreeMap;

use super::PipelineError;
use super::operators::{Routed, Shared};
use crate::route::Destination;
use crate::segment::{SegmentInfo, SegmentMeta, SegmentWriter, WriterOptions};

/// Per-worker segment writers, one per (shard, partition) the worker owns.
pub(super) struct Writers {
    worker: usize,
    open: BTreeMap<Destination, SegmentWriter>,
    /// `Some` in a dry run: rows counted by partition index, and nothing written.
    counted: Option<BTreeMap<u32, u64>>,
    /// Files closed at durable points.
    closed: Vec<SegmentInfo>,
}

/// What a worker's write stage made: its segments, or in a dry run its rows by partition
/// index.
#[derive(Debug, Default)]
pub(super) struct Written {
    /// Segment files written (none in a dry run).
    pub segments: Vec<SegmentInfo>,
    /// Rows counted by partition index (dry run only).
    pub counted: BTreeMap<u32, u64>,
}

impl Writers {
    /// No writers yet; they open as rows arrive. `dry_run`: rows are counted, not written.
    pub fn new(worker: usize, dry_run: bool) -> Self {
        Writers {
            worker,
            open: BTreeMap::new(),
            counted: dry_run.then(BTreeMap::new),
            closed: Vec::new(),
        }
    }

    /// Appends a routed batch to its writer (a dry run counts its rows).
    pub fn write(&mut self, shared: &Shared, routed: &Routed) -> Result<(), PipelineError> {
        if let Some(counted) = &mut self.counted {
            *counted.entry(routed.dest.partition).or_default() += routed.batch.len() as u64;
            return Ok(());
        }
        let spec = &shared.spec;
        let writer = match self.open.entry(routed.dest) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => {
                let partition = spec
                    .partitions
                    .get(routed.dest.partition as usize)
                    .cloned()
                    .unwrap_or_default();
                let meta = SegmentMeta {
                    collection: spec.schema.name.clone(),
                    partition,
                    shard: routed.dest.shard,
                    task_id: spec.task_id,
                    fields: spec
                        .schema
                        .fields
                        .iter()
                        .map(|f| (f.name.clone(), f.data_type))
                        .collect(),
                    has_meta: spec.schema.enable_dynamic_field,
                };
                let opts = WriterOptions {
                    segment_max_size: shared.opts.segment_max_size,
                    block_bytes: shared.opts.block_bytes,
                };
                let writer = SegmentWriter::new(
                    &spec.out_dir,
                    spec.task_id,
                    self.worker,
                    routed.dest.partition,
                    meta,
                    opts,
                );
                e.insert(
                    writer
                        .with_first_seq(shared.first_seq)
                        .with_fault_hook(shared.opts.fault_hook.clone()),
                )
            }
        };
        writer.add_batch(&routed.batch)?;
        Ok(())
    }

    /// Closes every writer's current file (complete and synced) at a durable point; returns
    /// the files closed. Rows that come next go to new files of the same writers.
    pub fn close_all(&mut self) -> Result<Vec<SegmentInfo>, PipelineError> {
        let mut out = Vec::new();
        for w in self.open.values_mut() {
            out.extend(w.seal()?);
        }
        self.closed.extend(out.iter().cloned());
        Ok(out)
    }

    /// Flushes and syncs every writer; returns the segments written (also those closed at
    /// durable points), or the rows counted.
    pub fn finish(self) -> Result<Written, PipelineError> {
        let mut out = Written {
            segments: self.closed,
            counted: self.counted.unwrap_or_default(),
        };
        for (_, w) in self.open {
            out.segments.extend(w.finish()?);
        }
        Ok(out)
    }
}
