//! One timely worker of a task: its dataflow (parse, exchange by segment, write, durable
//! points) and the loop that feeds it the units the feeder hands out.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, TryRecvError};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::core::{Exchange, OkErr, Probe};
use timely::dataflow::operators::generic::Operator;
use timely::dataflow::{InputHandleVec, ProbeHandle, StreamVec};
use timely::worker::Worker;

use super::PipelineError;
use super::durable::{UnitDone, WorkerPoints};
use super::feed::WorkUnit;
use super::operators::{Parser, Routed, Shared, UnitError};
use super::rejects::WorkerRejects;
use super::writers::{Writers, Written};

/// What a worker made: its segments (or a dry run's counts) and its rejects records (with
/// their rows).
pub(super) type WorkerOutput = (Written, Vec<(u64, String)>);

/// Runs one worker of the task to its end: its segments and rejects, or the error about
/// the earliest row.
pub(super) fn worker_main(
    worker: &mut Worker,
    shared: &Arc<Shared>,
    rx: &Receiver<WorkUnit>,
) -> Result<WorkerOutput, PipelineError> {
    let index = worker.index();
    let mut parser = Parser::new(shared, index)?;
    let dry_run = shared.opts.dry_run;
    let writers = Rc::new(RefCell::new(Writers::new(index, dry_run)));
    let errors: Rc<RefCell<Option<PipelineError>>> = Rc::new(RefCell::new(None));
    let skipped = Rc::new(RefCell::new(WorkerRejects::default()));
    let mut input = InputHandleVec::<u64, WorkUnit>::new();
    let probe = ProbeHandle::new();
    let window = shared.opts.units_in_flight.max(1) as u64;
    let mut sent = 0u64;
    let points_in = (shared.durable.as_ref()).map(|c| WorkerPoints::new(c.schedule()));
    let fed = points_in.as_ref().map(|p| p.units.clone());

    worker.dataflow::<u64, _, _>(|scope| {
        // Parse: one step (a JSON, CSV or NPY unit, or a bounded batch of a Parquet unit) per
        // activation, the unit's capability held until its last step, so that the writers
        // drain between batches and the frontier still counts whole units.
        let (sh, errs) = (shared.clone(), errors.clone());
        let parsed = input
            .to_stream(scope)
            .unary::<CapacityContainerBuilder<Vec<Result<Routed, UnitError>>>, _, _, _>(
                Pipeline,
                "Parse",
                move |_, info| {
                    let activator = scope.activator_for(info.address);
                    let mut queue: VecDeque<(Capability<u64>, WorkUnit)> = VecDeque::new();
                    let mut held: Option<Capability<u64>> = None;
                    move |input, output| {
                        input.for_each(|cap, data| match cap.retain_least(0) {
                            Some(cap) => queue.extend(data.drain(..).map(|u| (cap.clone(), u))),
                            None => {
                                sh.control.stop.store(true, Ordering::Relaxed);
                                let e = PipelineError::Internal("a work unit came without a time");
                                keep_first(&mut errs.borrow_mut(), e);
                            }
                        });
                        if held.is_none()
                            && let Some((cap, unit)) = queue.pop_front()
                        {
                            parser.begin(unit);
                            held = Some(cap);
                        }
                        if let Some(cap) = &held {
                            let out = parser.step(&sh);
                            output.session(cap).give_iterator(out.into_iter());
                            if !parser.busy() {
                                held = None;
                            }
                        }
                        if held.is_some() || !queue.is_empty() {
                            activator.activate();
                        }
                    }
                },
            );
        let (ok, err): (StreamVec<_, Routed>, StreamVec<_, UnitError>) = parsed.ok_err(|r| r);
        // Write: rows to their segment writers, bad rows to the rejects (or the task's
        // error). With durable points, one operator sees both, so that a point is taken once
        // every row and reject before it has arrived.
        let (sh, w, errs, kept) = (
            shared.clone(),
            writers.clone(),
            errors.clone(),
            skipped.clone(),
        );
        let mut points = points_in;
        ok.exchange(|r: &Routed| r.key)
            .binary_frontier::<_, CapacityContainerBuilder<Vec<()>>, _, _, _, _>(
                err,
                Pipeline,
                Pipeline,
                "WriteSegments",
                move |_, _| {
                    move |(rows, rows_at), (bad, bad_at), _output| {
                        let fail = |e: PipelineError| {
                            sh.control.stop.store(true, Ordering::Relaxed);
                            keep_first(&mut errs.borrow_mut(), e);
                        };
                        let write = |routed: &Routed| {
                            if let Err(e) = w.borrow_mut().write(&sh, routed) {
                                fail(e);
                            }
                        };
                        rows.for_each(|cap, data| {
                            let t = cap.least().copied().unwrap_or(0);
                            for routed in data.drain(..) {
                                match &mut points {
                                    Some(p) if p.holds(t) => p.stash(t, routed),
                                    _ => write(&routed),
                                }
                            }
                        });
                        bad.for_each(|cap, data| {
                            let t = cap.least().copied().unwrap_or(0);
                            for e in data.drain(..) {
                                // A row skipped (a record kept, unless it passes a limit), or
                                // the error that fails the task.
                                let failed = match (e, &sh.opts.rejects) {
                                    (UnitError::Skipped(r), Some(policy)) => {
                                        let mut k = kept.borrow_mut();
                                        let res = k.add(&r, policy, &sh.control).err();
                                        if let (Some(p), Some((row, line))) =
                                            (&mut points, k.lines.last())
                                        {
                                            p.reject(t, *row, line.clone());
                                        }
                                        res
                                    }
                                    (e, _) => Some(e.into()),
                                };
                                if let Some(e) = failed {
                                    fail(e);
                                }
                            }
                        });
                        let Some(p) = &mut points else {
                            return;
                        };
                        while p.due(rows_at, bad_at) && !sh.control.is_stopped() {
                            let taken = w.borrow_mut().close_all().and_then(|segs| {
                                let (time, report) = p.report(segs);
                                match &sh.durable {
                                    Some(c) => c.report(time, report),
                                    None => Ok(()),
                                }
                            });
                            if let Err(e) = taken {
                                fail(e);
                            }
                            for routed in p.advance() {
                                write(&routed);
                            }
                        }
                        if rows_at.frontier().is_empty() {
                            for routed in p.release_all() {
                                write(&routed);
                            }
                        }
                    }
                },
            )
            .probe_with(&probe);
    });

    loop {
        if shared.control.stop.load(Ordering::Relaxed) {
            break;
        }
        // While a unit is being read, the next one is taken only if it is already there.
        let busy = probe.less_than(&sent);
        let next = if busy {
            rx.try_recv().map_err(|e| match e {
                TryRecvError::Empty => RecvTimeoutError::Timeout,
                TryRecvError::Disconnected => RecvTimeoutError::Disconnected,
            })
        } else {
            rx.recv_timeout(Duration::from_millis(2))
        };
        match next {
            Ok(unit) => {
                // Timestamps count this worker's own units: the frontier then says how far
                // the slowest worker is, and a worker runs at most `window` units ahead of
                // it, so rows in flight stay bounded without a global lockstep on file order.
                input.advance_to(sent);
                if let Some(fed) = &fed {
                    let ids = unit
                        .first_id
                        .map(|f| [f, f + (unit.rows[1] - unit.rows[0]) as i64]);
                    let done = UnitDone {
                        rows: unit.rows,
                        work: unit.work,
                        ids,
                    };
                    fed.borrow_mut().push((sent, done));
                }
                input.send(unit);
                sent += 1;
                let low = sent.saturating_sub(window);
                while probe.less_than(&low) && !shared.control.stop.load(Ordering::Relaxed) {
                    worker.step_or_park(Some(Duration::from_millis(1)));
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                let park = if busy {
                    Duration::from_millis(1)
                } else {
                    Duration::ZERO
                };
                worker.step_or_park(Some(park));
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    drop(input);
    while !probe.done() {
        worker.step_or_park(Some(Duration::from_millis(1)));
    }
    if let Some(e) = errors.borrow_mut().take() {
        return Err(e);
    }
    let writers = std::mem::replace(&mut *writers.borrow_mut(), Writers::new(index, dry_run));
    let lines = std::mem::take(&mut skipped.borrow_mut().lines);
    Ok((writers.finish()?, lines))
}

/// Keeps the error about the earliest row (a row error beats "stopped" noise).
pub(super) fn keep_first(slot: &mut Option<PipelineError>, e: PipelineError) {
    let better = match (slot.as_ref(), &e) {
        (None, _) => true,
        (Some(PipelineError::Stopped), _) => true,
        (Some(old), new) => match (old.location(), new.location()) {
            (Some(a), Some(b)) => b.row < a.row,
            (None, Some(_)) => false,
            _ => false,
        },
    };
    if better {
        *slot = Some(e);
    }
}
