//! One worker's side of the durable points: which point comes next, the rows held for units
//! past it, and what the worker has not reported yet.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use timely::progress::frontier::MutableAntichain;

use super::schedule::Schedule;
use super::{CHECKPOINT_UNITS, Report, UnitDone};
use crate::pipeline::operators::Routed;
use crate::segment::SegmentInfo;

/// One worker's durable points. `next` is the next candidate: once decided a point, rows of
/// units from it on are held until it is taken; a candidate decided otherwise is passed.
pub(in crate::pipeline) struct WorkerPoints {
    schedule: Arc<Schedule>,
    next: Cell<u64>,
    /// Whether `next` is decided a point (rows are held only then).
    taken: Cell<bool>,
    stash: Vec<(u64, Routed)>,
    rejects: Vec<(u64, u64, String)>,
    /// The units this worker fed, by time (filled by the worker's input loop).
    pub units: Rc<RefCell<Vec<(u64, UnitDone)>>>,
}

impl WorkerPoints {
    /// Points as `schedule` decides them (shared by the task's workers).
    pub fn new(schedule: Arc<Schedule>) -> Self {
        WorkerPoints {
            schedule,
            next: Cell::new(CHECKPOINT_UNITS),
            taken: Cell::new(false),
            stash: Vec::new(),
            rejects: Vec::new(),
            units: Rc::default(),
        }
    }

    /// Passes the candidates up to `t` that are not points; whether `t` is past (or at) the
    /// next point.
    fn reached(&self, t: u64) -> bool {
        while t >= self.next.get() {
            if self.taken.get() || self.schedule.is_point(self.next.get()) {
                self.taken.set(true);
                return true;
            }
            self.next.set(self.next.get() + CHECKPOINT_UNITS);
        }
        false
    }

    /// Whether rows of time `t` wait for the next point.
    pub fn holds(&self, t: u64) -> bool {
        self.reached(t)
    }

    pub fn stash(&mut self, t: u64, r: Routed) {
        self.stash.push((t, r));
    }

    /// A rejects record of time `t` about file row `row`.
    pub fn reject(&mut self, t: u64, row: u64, line: String) {
        self.rejects.push((t, row, line));
    }

    /// Whether every row and reject before the next point has arrived (and some input may
    /// still come: at the end the task's output says it all).
    pub fn due(&self, rows: &MutableAntichain<u64>, rejects: &MutableAntichain<u64>) -> bool {
        let Some(r) = rows.frontier().first().copied() else {
            return false;
        };
        let b = rejects.frontier().first().copied().unwrap_or(u64::MAX);
        self.reached(r.min(b))
    }

    /// This worker's report for the next point, with the files its writers just closed.
    pub fn report(&mut self, segments: Vec<SegmentInfo>) -> (u64, Report) {
        let next = self.next.get();
        let mut units = self.units.borrow_mut();
        let (before, after): (Vec<_>, Vec<_>) = units.drain(..).partition(|(t, _)| *t < next);
        *units = after;
        let (done, kept): (Vec<_>, Vec<_>) =
            self.rejects.drain(..).partition(|(t, _, _)| *t < next);
        self.rejects = kept;
        let report = Report {
            units: before.into_iter().map(|(_, u)| u).collect(),
            segments,
            rejects: done.into_iter().map(|(_, row, line)| (row, line)).collect(),
        };
        (next, report)
    }

    /// Moves past the point just taken; the held rows that no longer wait (those before the
    /// next point, once the candidates up to the latest held row are decided).
    pub fn advance(&mut self) -> Vec<Routed> {
        self.next.set(self.next.get() + CHECKPOINT_UNITS);
        self.taken.set(false);
        if let Some(last) = self.stash.iter().map(|(t, _)| *t).max() {
            self.reached(last);
        }
        let next = self.next.get();
        let (now, later): (Vec<_>, Vec<_>) = self.stash.drain(..).partition(|(t, _)| *t < next);
        self.stash = later;
        now.into_iter().map(|(_, r)| r).collect()
    }

    /// Every held row (the input ended: no point is taken any more).
    pub fn release_all(&mut self) -> Vec<Routed> {
        self.stash.drain(..).map(|(_, r)| r).collect()
    }
}
