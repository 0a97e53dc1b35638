//! Running one task: the feeder thread and the timely workers.

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use timely::communication::allocator::zero_copy::initialize::initialize_networking_from_sockets;
use timely::communication::allocator::{AllocatorBuilder, ProcessBuilder};
use timely::communication::{Hooks, WorkerGuards};
use timely::worker::Worker;
use timely::{Config, WorkerConfig};

use super::durable::{self, Durable, Resume};
use super::feed::{WorkUnit, feed};
use super::operators::Shared;
use super::plan::{Inputs, TaskSpec};
use super::rejects;
use super::worker::{keep_first, worker_main};
use super::{IdAllocator, PipelineError, PipelineOptions, TaskControl, TaskOutput};
use crate::location::RowLocation;
use crate::segment::SegmentInfo;
use crate::validate::RowError;

/// Runs one task to the end: every row parsed, checked and written to fsynced segments
/// under `spec.out_dir`. Nothing is made visible here; on error the caller removes the
/// directory. A dry run ([`PipelineOptions::dry_run`]) runs the same graph with counting
/// sinks in the writers' place: nothing is written, not even the directory.
pub fn run(
    spec: TaskSpec,
    opts: PipelineOptions,
    ids: &dyn IdAllocator,
    control: Arc<TaskControl>,
) -> Result<TaskOutput, PipelineError> {
    run_resumable(spec, opts, ids, control, Resume::default())
}

/// [`run`], taking durable points into `resume.sink` and resuming from `resume.from`: its
/// segments are kept (they must be in `spec.out_dir`, with nothing else the task wrote) and
/// only the rows outside its `rows_done` are read. A file whose version differs from the one
/// the task began with fails the task, naming it.
pub fn run_resumable(
    spec: TaskSpec,
    opts: PipelineOptions,
    ids: &dyn IdAllocator,
    control: Arc<TaskControl>,
    resume: Resume,
) -> Result<TaskOutput, PipelineError> {
    run_with(spec, opts, ids, control, resume, None)
}

/// [`run`] as process `opts.share.process` of a task that spans `opts.share.processes`
/// processes, each started alike: one timely dataflow over all their workers, joined
/// through `sockets` (one connection to each other process, in index order, `None` at this
/// one). Every process cuts the input alike and `ids` must hand out the same ids in every
/// process; this one reads its share of the units, routes rows to the workers of any process,
/// and returns what its own workers wrote. Not resumable.
pub fn run_in_cluster(
    spec: TaskSpec,
    opts: PipelineOptions,
    ids: &dyn IdAllocator,
    control: Arc<TaskControl>,
    sockets: Vec<Option<TcpStream>>,
) -> Result<TaskOutput, PipelineError> {
    run_with(spec, opts, ids, control, Resume::default(), Some(sockets))
}

fn run_with(
    spec: TaskSpec,
    opts: PipelineOptions,
    ids: &dyn IdAllocator,
    control: Arc<TaskControl>,
    resume: Resume,
    sockets: Option<Vec<Option<TcpStream>>>,
) -> Result<TaskOutput, PipelineError> {
    let inputs = Inputs::open(&spec)?;
    let from = resume.from.unwrap_or_default();
    let resuming = !from.files.is_empty();
    let files = match (&resume.sink, resuming) {
        (None, false) => Vec::new(),
        _ => durable::stamps(&spec)?,
    };
    if resuming {
        durable::check_unchanged(&from.files, &files)?;
    }
    let _ = control.files.set(inputs.file_sizes());
    control.total.store(inputs.total_work(), Ordering::Relaxed);
    control.rows.store(from.rows, Ordering::Relaxed);
    control.rejected.store(from.rejected, Ordering::Relaxed);
    control
        .reject_bytes
        .store(from.reject_bytes, Ordering::Relaxed);
    let workers = opts.workers.max(1);
    let pairs = spec.schema.shards_num.max(1) * spec.partitions.len().max(1);
    let all_workers = workers * opts.share.processes.max(1);
    let exchange = all_workers > 1 && pairs >= all_workers;
    let writers = if exchange { pairs } else { pairs * workers };
    let mut opts = opts;
    opts.block_bytes = block_bytes_for(opts.memory_budget, writers).min(opts.block_bytes);
    let auto_id = spec.schema.auto_id;
    let (tx, rx) = crossbeam_channel::bounded::<WorkUnit>(opts.units_in_flight.max(1));
    let dir = spec.out_dir.clone();
    let kept_rejects = durable::read_parts(&dir, &from.reject_parts)?;
    let coordinator = resume.sink.map(|sink| {
        let start = Durable {
            files,
            unit_bytes: opts.unit_bytes as u64,
            workers: workers as u64,
            ..from.clone()
        };
        durable::Coordinator::new(workers, dir.clone(), sink, start, resume.interval)
    });
    let shared = Arc::new(Shared {
        spec,
        inputs,
        first_seq: durable::first_seq(&from.segments),
        opts,
        control: control.clone(),
        exchange,
        durable: coordinator,
    });
    let done_rows = from.rows_done.clone();

    let result = std::thread::scope(|s| {
        let feeder = {
            let shared = shared.clone();
            s.spawn(move || {
                let r = feed(
                    &shared.inputs,
                    auto_id,
                    &shared.opts,
                    ids,
                    tx,
                    &shared.control,
                    &done_rows,
                );
                if r.is_err() {
                    shared.control.stop.store(true, Ordering::Relaxed);
                }
                r
            })
        };
        let worker_shared = shared.clone();
        let worker_rx = rx.clone();
        drop(rx);
        let process = shared.opts.share.process;
        let results = start(workers, process, sockets, move |w| {
            worker_main(w, &worker_shared, &worker_rx)
        })
        .map(|guards| guards.join());
        let id_ranges = feeder
            .join()
            .map_err(|_| PipelineError::Worker("the feeder thread panicked".into()))?;
        let mut segments = from.segments.clone();
        let mut counted = BTreeMap::<u32, u64>::new();
        let mut rejects = kept_rejects;
        let mut first_err: Option<PipelineError> = None;
        for r in results? {
            match r {
                Ok(Ok((mut written, mut lines))) => {
                    segments.append(&mut written.segments);
                    for (p, n) in written.counted {
                        *counted.entry(p).or_default() += n;
                    }
                    rejects.append(&mut lines);
                }
                Ok(Err(e)) => keep_first(&mut first_err, e),
                Err(panic) => keep_first(&mut first_err, PipelineError::Worker(panic)),
            }
        }
        let mut id_ranges = match (id_ranges, first_err) {
            (Err(e), _) | (Ok(_), Some(e)) => return Err(e),
            (Ok(r), None) => r,
        };
        id_ranges.splice(0..0, from.id_ranges.iter().copied());
        if control.stop.load(Ordering::Relaxed) {
            return Err(PipelineError::Stopped);
        }
        segments.sort_by(|a, b| a.file_name.cmp(&b.file_name));
        let partitions = partition_rows(&shared.spec.partitions, &segments, &counted);
        let rows: u64 = partitions.values().sum();
        let rejected = rejects.len() as u64;
        if let Some(policy) = &shared.opts.rejects {
            // The ratio once more, over every row read.
            let (read, bytes) = (
                rows + rejected,
                control.reject_bytes.load(Ordering::Relaxed),
            );
            if let Some(limit) = policy.passed(rejected, read, bytes, true)
                && let Some(last) = rejects.last().and_then(|(_, line)| last_error(line))
            {
                return Err(PipelineError::TooManyRejects {
                    rejected,
                    read,
                    limit,
                    last,
                });
            }
        }
        Ok(TaskOutput {
            segments,
            partitions,
            rows,
            rejected,
            rejects: rejects::merge(rejects),
            id_ranges,
            dir,
        })
    });
    // A file that changed under the task (truncated: its lost pages read as zeros) fails
    // it, whatever its reading made of the changed bytes.
    shared.inputs.unchanged()?;
    result
}

/// Starts `workers` timely workers running `func`: this process's alone, or with
/// `sockets` those of every process of a cluster task.
fn start<T, F>(
    workers: usize,
    process: usize,
    sockets: Option<Vec<Option<TcpStream>>>,
    func: F,
) -> Result<WorkerGuards<T>, PipelineError>
where
    T: Send + 'static,
    F: Fn(&mut Worker) -> T + Send + Sync + 'static,
{
    let Some(sockets) = sockets else {
        let config = Config {
            communication: timely::CommunicationConfig::Process(workers),
            worker: WorkerConfig::default(),
        };
        return timely::execute(config, func).map_err(PipelineError::Worker);
    };
    let hooks = Hooks::default();
    let local =
        ProcessBuilder::new_typed_vector(workers, hooks.refill.clone(), hooks.spill.clone());
    let (builders, guard) =
        initialize_networking_from_sockets(local, sockets, process, workers, hooks)
            .map_err(|e| PipelineError::Worker(format!("joining the other processes: {e}")))?;
    let builders = builders.into_iter().map(AllocatorBuilder::Tcp).collect();
    timely::execute::execute_from(builders, Box::new(guard), WorkerConfig::default(), func)
        .map_err(PipelineError::Worker)
}

/// Rows by partition name: those of the segments written and those counted (a dry run's,
/// by partition index).
fn partition_rows(
    names: &[String],
    segments: &[SegmentInfo],
    counted: &BTreeMap<u32, u64>,
) -> BTreeMap<String, u64> {
    let mut rows = BTreeMap::<String, u64>::new();
    for s in segments {
        *rows.entry(s.partition.clone()).or_default() += s.rows;
    }
    for (p, n) in counted {
        let name = names.get(*p as usize).cloned().unwrap_or_default();
        *rows.entry(name).or_default() += n;
    }
    rows
}

/// Segment block size that keeps `writers` open writers within 3/8 of `budget` (the rest is
/// for the units in flight and their mapped pages): each holds a row buffer and an encode
/// buffer of about one block, and its file two write stages of at most a block each (one
/// being written while the next fills).
fn block_bytes_for(budget: u64, writers: usize) -> usize {
    const MIN: u64 = 64 << 10;
    const MAX: u64 = 8 << 20;
    let per_writer = budget * 3 / 8 / (4 * writers.max(1) as u64);
    per_writer.clamp(MIN, MAX) as usize
}

/// The error a rejects record holds, read back from its line (for the reason of a task that
/// passed a limit at the end).
fn last_error(line: &str) -> Option<Box<RowError>> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let text = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let mut loc = RowLocation::row(text("file"), v["row"].as_u64()?);
    loc.byte = v["byte"].as_u64();
    loc.line = v["line"].as_u64();
    loc.row_group = v["row_group"].as_u64();
    let e = RowError::new(&loc, &text("field"), text("expected"), text("found"));
    Some(Box::new(e))
}
