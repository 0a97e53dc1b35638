//! One import task over several processes (INTERFACE 10). Process 0 runs the task as its
//! own: it holds the lock, creates the task, reserves its auto-ids, tells the others what to
//! run ([`wire::Setup`]), runs its share, gathers theirs and commits. Every other process
//! joins ([`join`], in `peer`): it reads the catalog only, runs its share into its own
//! folder of the task, reports it, and waits for the outcome. A lost peer (closed link, or
//! silent past `cluster.peer_timeout_s`) fails the task at once: process 0 does not wait
//! for timely's threads, which may never end once a peer is gone.

mod peer;
mod wire;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

pub use peer::{ClusterOutcome, join};
pub(crate) use wire::process_folder;

use super::failure::TaskFailure;
use super::runner::Running;
use super::{EngineOptions, Inner};
use crate::cluster::{Control, Hosts, Incoming};
use crate::ledger::TaskRecord;
use crate::pipeline::{self, AllocError, IdAllocator, PipelineError, PipelineOptions, TaskOutput};
use crossbeam_channel::Receiver;
use wire::{Message, Setup, Share};

/// Where this process stands in a cluster task: the hosts file's processes and its index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterPlan {
    /// Every process, in index order.
    pub hosts: Hosts,
    /// This process's index.
    pub process: usize,
}

/// The connect timeout, the peer timeout, and the heartbeat interval (a sixth of the peer
/// timeout, at most a second).
fn timeouts(opts: &EngineOptions) -> (Duration, Duration, Duration) {
    let c = &opts.cluster;
    let peer = Duration::from_secs(c.peer_timeout_s.max(1));
    let beat = (peer / 6).min(Duration::from_secs(1));
    (Duration::from_secs(c.connect_timeout_s.max(1)), peer, beat)
}

/// The largest control message: a share's rejects (capped by `import.max_rejects_bytes`)
/// and its segment list.
fn max_frame(opts: &EngineOptions) -> usize {
    usize::try_from(
        opts.import
            .max_rejects_bytes
            .saturating_mul(2)
            .saturating_add(64 << 20),
    )
    .unwrap_or(usize::MAX)
    .min(u32::MAX as usize)
}

/// Auto-ids handed out in order from the range process 0 reserved, the same in every
/// process (each process's feeder asks for the same blocks in the same order).
struct SequentialIds {
    next: AtomicI64,
    end: i64,
}

impl SequentialIds {
    fn new(range: Range<i64>) -> SequentialIds {
        SequentialIds {
            next: AtomicI64::new(range.start),
            end: range.end,
        }
    }
}

impl IdAllocator for SequentialIds {
    fn alloc(&self, n: u64) -> Result<Range<i64>, AllocError> {
        let n = i64::try_from(n).map_err(|_| "too many auto-ids at once")?;
        let start = self.next.fetch_add(n, Ordering::SeqCst);
        match start.checked_add(n) {
            Some(end) if end <= self.end => Ok(start..end),
            _ => Err(format!("the task's reserved auto-ids end at {}", self.end).into()),
        }
    }
}

/// Runs process 0's part of cluster task `rec` (see the module docs): its share into
/// `spec.out_dir/p0`, the others' gathered; the whole task's output, for the runner to
/// commit. A failure elsewhere stops `running` with its reason ([`TaskFailure::Cluster`]) and
/// ends in [`PipelineError::Stopped`].
pub(super) fn lead(
    inner: &Arc<Inner>,
    rec: &TaskRecord,
    mut spec: pipeline::TaskSpec,
    mut opts: PipelineOptions,
    running: &Arc<Running>,
) -> Result<TaskOutput, PipelineError> {
    let stop = |why: String| {
        running.stop(TaskFailure::Cluster(why));
        PipelineError::Stopped
    };
    let plan = super::lock_map(&inner.cluster)
        .remove(&rec.id)
        .ok_or_else(|| {
            stop("a cluster task runs only in the `import --cluster` that created it".into())
        })?;
    let (connect, peer_timeout, beat) = timeouts(&inner.opts);
    let mesh = crate::cluster::connect(&plan.hosts, 0, connect, max_frame(&inner.opts))
        .map_err(|e| stop(e.to_string()))?;
    mesh.control.start_heartbeats(beat);
    let control = Arc::new(mesh.control);
    super::lock_map(&inner.cluster_links).insert(rec.id, control.clone());
    let processes = mesh.processes;
    let task_dir = spec.out_dir.clone();
    // Ids for every row the files can hold (twice over, for the feeder's blocks); the unused
    // ones stay unused, as Milvus's do.
    let id_range = match spec.schema.auto_id {
        true => {
            let rows = pipeline::row_bound(&spec)?;
            let bound = rows.saturating_mul(2).saturating_add(2 << 20);
            inner
                .alloc_ids(bound)
                .map_err(|e| stop(format!("reserving auto-ids: {e}")))?
        }
        false => 0..0,
    };
    let setup = Setup {
        task: rec.id,
        collection: rec.collection.clone(),
        collection_id: collection_id(inner, &rec.collection).unwrap_or(0),
        partition: rec.partition.clone(),
        files: rec.files.clone(),
        root: Some(super::storage_root::record(&spec.root)),
        sep: rec.sep.clone(),
        null_key: rec.null_key.clone(),
        skip: opts.rejects.as_ref().map(|p| wire::Skip {
            max_errors: p.max_errors,
            max_error_ratio: p.max_error_ratio,
            max_bytes: p.max_bytes,
        }),
        workers: opts.workers,
        unit_bytes: opts.unit_bytes,
        memory_budget: opts.memory_budget,
        segment_max_size: opts.segment_max_size,
        simd_json: opts.simd_json,
        throttle_unit_ms: opts.unit_delay.as_millis() as u64,
        id_base: id_range.start,
        id_end: id_range.end,
        processes,
    };
    (control.broadcast(&Message::Setup(Box::new(setup)).encode()))
        .map_err(|e| stop(e.to_string()))?;
    spec.out_dir = task_dir.join(process_folder(0));
    crate::fsutil::create_dir_durable(&spec.out_dir).map_err(|source| {
        PipelineError::OutputDir {
            path: spec.out_dir.clone(),
            source,
        }
    })?;
    opts.share = pipeline::Share {
        process: 0,
        processes,
    };
    let ids = SequentialIds::new(id_range);
    let (tx, own_rx) = crossbeam_channel::bounded(1);
    let (pc, data) = (running.control.clone(), mesh.data);
    // Not joined when a peer is lost: its timely threads may wait for ever.
    std::thread::Builder::new()
        .name(format!("vecload-cluster-{}", rec.id))
        .spawn(move || {
            let _ = tx.send(pipeline::run_in_cluster(spec, opts, &ids, pc, data));
        })
        .map_err(|e| stop(format!("starting the workers: {e}")))?;
    let (own, shares) = gather(&control, &own_rx, running, processes, peer_timeout)?;
    let mut all = vec![Share::of(&own).map_err(stop)?];
    all.extend(shares);
    let mut out = wire::merge(all, own.id_ranges.clone(), &task_dir).map_err(stop)?;
    out.id_ranges = own.id_ranges;
    check_limits(&out, &skip_of(&inner.opts, rec)).map_err(stop)?;
    Ok(out)
}

/// Waits for this process's share (`own`) and every other process's report, watching the
/// links: a process that fails its share stops every other; one that is lost (its link
/// closes, or it is silent past `peer_timeout`) fails the task at once, without waiting for
/// this process's workers longer than a moment. The shares of processes 1.. in order.
fn gather(
    control: &Control,
    own_rx: &Receiver<Result<TaskOutput, PipelineError>>,
    running: &Running,
    processes: usize,
    peer_timeout: Duration,
) -> Result<(TaskOutput, Vec<Share>), PipelineError> {
    let stop = |why: String| {
        running.stop(TaskFailure::Cluster(why));
        PipelineError::Stopped
    };
    let mut shares: BTreeMap<usize, Share> = BTreeMap::new();
    let mut own: Option<Result<TaskOutput, PipelineError>> = None;
    // Set when a process failed its share: the others are stopped, and this one waits for
    // its own workers at most a peer timeout.
    let mut failed: Option<Instant> = None;
    let fail_all = |why: String| {
        let _ = control.broadcast(&Message::Stop { reason: why }.encode());
    };
    let lost = |why: String| {
        fail_all(why.clone());
        // A moment for the workers to notice the stop; then the task fails without them.
        let _ = own_rx.recv_timeout(Duration::from_secs(2));
        stop(why)
    };
    loop {
        if own.is_none() {
            match own_rx.try_recv() {
                Ok(r) => {
                    if let Err(e) = &r
                        && failed.is_none()
                    {
                        failed = Some(Instant::now());
                        fail_all(format!("process 0: {e}"));
                    }
                    own = Some(r);
                }
                Err(crossbeam_channel::TryRecvError::Disconnected) => {
                    own = Some(Err(PipelineError::Worker(
                        "the workers' thread ended".into(),
                    )));
                }
                Err(crossbeam_channel::TryRecvError::Empty) => {}
            }
        }
        match (&own, failed) {
            (Some(_), Some(_)) => break,
            (Some(_), None) if shares.len() + 1 == processes => break,
            (None, Some(at)) if at.elapsed() > peer_timeout => {
                return Err(PipelineError::Stopped);
            }
            _ => {}
        }
        match control.recv(Duration::from_millis(50)) {
            Some((p, Incoming::Message(m))) => match Message::decode(&m) {
                Ok(Message::Report { result: Ok(share) }) => {
                    shares.insert(p, share);
                }
                Ok(Message::Report { result: Err(why) }) => {
                    if failed.is_none() {
                        failed = Some(Instant::now());
                        let reason = format!("process {p}: {why}");
                        running.stop(TaskFailure::Cluster(reason.clone()));
                        fail_all(reason);
                    }
                }
                Ok(other) => {
                    return Err(lost(format!("process {p} sent an unexpected {other:?}")));
                }
                Err(e) => {
                    let why = format!("process {p} sent a message that is not understood: {e}");
                    return Err(lost(why));
                }
            },
            Some((p, Incoming::Closed(why))) if !shares.contains_key(&p) && failed.is_none() => {
                return Err(lost(format!("process {p} was lost: {why}")));
            }
            _ => {}
        }
        let silent = (control.first_silent(peer_timeout))
            .filter(|(p, _)| !shares.contains_key(p) && failed.is_none());
        if let Some((p, d)) = silent {
            return Err(lost(format!(
                "process {p} sent nothing for {:.1} s (cluster.peer_timeout_s = {})",
                d.as_secs_f64(),
                peer_timeout.as_secs()
            )));
        }
    }
    let own = own.unwrap_or(Err(PipelineError::Stopped))?;
    if failed.is_some() {
        return Err(PipelineError::Stopped);
    }
    Ok((own, shares.into_values().collect()))
}

/// The skip limits of `rec` (no limit under abort).
fn skip_of(opts: &EngineOptions, rec: &TaskRecord) -> Option<wire::Skip> {
    (rec.on_error == Some(crate::ledger::OnError::Skip)).then(|| wire::Skip {
        max_errors: rec.max_errors.unwrap_or(0),
        max_error_ratio: rec.max_error_ratio.unwrap_or(0.0),
        max_bytes: opts.import.max_rejects_bytes,
    })
}

/// The limits once more over every process's rejects: each process checked its own share
/// (so the ratio holds for the whole), but counts and bytes add up.
fn check_limits(out: &TaskOutput, skip: &Option<wire::Skip>) -> Result<(), String> {
    let Some(s) = skip else { return Ok(()) };
    let read = out.rows + out.rejected;
    if s.max_errors > 0 && out.rejected > s.max_errors {
        return Err(format!(
            "{} rows rejected of {read} read: more than import.max_errors = {}",
            out.rejected, s.max_errors
        ));
    }
    if out.rejects.len() as u64 > s.max_bytes {
        return Err(format!(
            "the rejects file would hold {} bytes, more than import.max_rejects_bytes = {}",
            out.rejects.len(),
            s.max_bytes
        ));
    }
    Ok(())
}

fn collection_id(inner: &Inner, name: &str) -> Option<u64> {
    inner.lock().catalog.collection(name).ok().map(|c| c.id)
}

/// Tells every process how cluster task `id` ended (once the runner has its outcome), then
/// closes the links. Nothing when `id` is not a cluster task of this process.
pub(super) fn finish(inner: &Inner, id: u64, outcome: Result<u64, String>) {
    let Some(control) = super::lock_map(&inner.cluster_links).remove(&id) else {
        return;
    };
    let msg = match outcome {
        Ok(rows) => Message::Outcome {
            completed: true,
            rows,
            reason: String::new(),
        },
        Err(reason) => Message::Outcome {
            completed: false,
            rows: 0,
            reason,
        },
    };
    let _ = control.broadcast(&msg.encode());
    // Each process closes its link once it has the outcome; closing first could reset a
    // link whose outcome is not read yet.
    let mut open = control.peers().len();
    let until = Instant::now() + Duration::from_secs(2);
    while open > 0 && Instant::now() < until {
        if let Some((_, Incoming::Closed(_))) = control.recv(Duration::from_millis(20)) {
            open -= 1;
        }
    }
    control.close();
}
