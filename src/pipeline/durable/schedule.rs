//! Which durable points are taken: a candidate comes every [`CHECKPOINT_UNITS`] units of each
//! worker, and one is taken once the task's resume interval has passed since the last point
//! taken (or since the task began). The first worker to reach a candidate decides it for all,
//! so that every worker takes the same points.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::CHECKPOINT_UNITS;

/// The task's decisions, shared by its workers.
pub(in crate::pipeline) struct Schedule {
    interval: Duration,
    state: Mutex<Decided>,
}

/// The candidates decided so far.
struct Decided {
    /// The first candidate not decided yet.
    next: u64,
    /// The candidates taken.
    taken: BTreeSet<u64>,
    /// When the last point was taken (or the task began).
    last: Instant,
}

impl Schedule {
    /// A point at most every `interval` (zero: at every candidate), the first once
    /// `interval` has passed from now.
    pub fn new(interval: Duration) -> Self {
        Self::starting(interval, Instant::now())
    }

    fn starting(interval: Duration, start: Instant) -> Self {
        Schedule {
            interval,
            state: Mutex::new(Decided {
                next: CHECKPOINT_UNITS,
                taken: BTreeSet::new(),
                last: start,
            }),
        }
    }

    /// Whether candidate `t` (a multiple of [`CHECKPOINT_UNITS`]) is a point. The candidates
    /// up to `t` not decided yet are decided now, in order: one is taken if the interval has
    /// passed.
    pub fn is_point(&self, t: u64) -> bool {
        self.decide(t, Instant::now())
    }

    /// [`is_point`](Self::is_point), deciding at `now`.
    fn decide(&self, t: u64, now: Instant) -> bool {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while st.next <= t {
            if now.duration_since(st.last) >= self.interval {
                let c = st.next;
                st.taken.insert(c);
                st.last = now;
            }
            st.next += CHECKPOINT_UNITS;
        }
        st.taken.contains(&t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: u64 = CHECKPOINT_UNITS;

    #[test]
    fn with_no_interval_every_candidate_is_a_point() {
        let s = Schedule::new(Duration::ZERO);
        assert!(s.is_point(3 * G));
        assert!(s.is_point(G) && s.is_point(2 * G) && s.is_point(3 * G));
        assert!(!s.is_point(G / 2), "not a candidate");
    }

    #[test]
    fn a_point_waits_for_the_interval_and_the_decision_holds() {
        let start = Instant::now();
        let at = |ms| start + Duration::from_millis(ms);
        let s = Schedule::starting(Duration::from_millis(50), start);
        assert!(!s.decide(G, at(10)), "before the interval");
        // Decided in order: 2G is taken, 3G comes too soon after it.
        assert!(!s.decide(3 * G, at(60)));
        assert!(s.decide(2 * G, at(500)), "decided at 60 ms");
        assert!(!s.decide(G, at(500)), "a decision is not revisited");
        assert!(!s.decide(4 * G, at(100)), "40 ms after 2G: not yet");
        assert!(s.decide(5 * G, at(111)));
        assert!(!s.decide(4 * G, at(200)) && s.decide(5 * G, at(200)));
    }
}
