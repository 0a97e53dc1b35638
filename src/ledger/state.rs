//! Task states with Milvus 2.3's codes, and the table of moves between them.
//!
//! The codes are `common.ImportState` (docs/guarantees.md). Every state change in the ledger
//! is checked against [`TRANSITIONS`]; nothing else moves a task.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The state of one import task. Serialized as its [`name`](TaskState::name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TaskState {
    /// Created and queued; no work done yet (code 0).
    Pending,
    /// Gave up: validation, cancel, expiry, restart or a failed commit (code 1).
    Failed,
    /// A worker is parsing and writing segments (code 2).
    Started,
    /// All segments are durable and listed in the record; not yet visible (code 5).
    Persisted,
    /// The task's rows are committed and visible (code 6).
    Completed,
    /// Failed, and its partial files are removed (code 7).
    FailedAndCleaned,
}

/// Every allowed move, `(from, to)`. Anything not listed is refused.
pub const TRANSITIONS: [(TaskState, TaskState); 7] = [
    (TaskState::Pending, TaskState::Started),
    (TaskState::Pending, TaskState::Failed),
    (TaskState::Started, TaskState::Persisted),
    (TaskState::Started, TaskState::Failed),
    (TaskState::Persisted, TaskState::Completed),
    (TaskState::Persisted, TaskState::Failed),
    (TaskState::Failed, TaskState::FailedAndCleaned),
];

/// Whether a task may move from `from` to `to` (see [`TRANSITIONS`]).
pub fn can_move(from: TaskState, to: TaskState) -> bool {
    TRANSITIONS.contains(&(from, to))
}

impl TaskState {
    /// All states, in code order.
    pub const ALL: [TaskState; 6] = [
        TaskState::Pending,
        TaskState::Failed,
        TaskState::Started,
        TaskState::Persisted,
        TaskState::Completed,
        TaskState::FailedAndCleaned,
    ];

    /// Milvus's numeric code (`common.ImportState`): 0, 1, 2, 5, 6, 7.
    pub fn code(self) -> u8 {
        match self {
            TaskState::Pending => 0,
            TaskState::Failed => 1,
            TaskState::Started => 2,
            TaskState::Persisted => 5,
            TaskState::Completed => 6,
            TaskState::FailedAndCleaned => 7,
        }
    }

    /// The state for a Milvus code, or `None` for codes this ledger never uses (3, 4, 8, ...).
    pub fn from_code(code: u8) -> Option<TaskState> {
        TaskState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The name users see, e.g. `"FailedAndCleaned"`.
    pub fn name(self) -> &'static str {
        match self {
            TaskState::Pending => "Pending",
            TaskState::Failed => "Failed",
            TaskState::Started => "Started",
            TaskState::Persisted => "Persisted",
            TaskState::Completed => "Completed",
            TaskState::FailedAndCleaned => "FailedAndCleaned",
        }
    }

    /// No move leaves this state: Completed and FailedAndCleaned.
    pub fn is_terminal(self) -> bool {
        !TRANSITIONS.iter().any(|&(from, _)| from == self)
    }

    /// The task failed, whether or not it has been cleaned yet.
    pub fn is_failed(self) -> bool {
        matches!(self, TaskState::Failed | TaskState::FailedAndCleaned)
    }
}

impl fmt::Display for TaskState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskState::*;

    #[test]
    fn codes_and_names_match_milvus() {
        let expected = [
            (Pending, 0, "Pending"),
            (Failed, 1, "Failed"),
            (Started, 2, "Started"),
            (Persisted, 5, "Persisted"),
            (Completed, 6, "Completed"),
            (FailedAndCleaned, 7, "FailedAndCleaned"),
        ];
        for (state, code, name) in expected {
            assert_eq!(state.code(), code);
            assert_eq!(state.name(), name);
            assert_eq!(state.to_string(), name);
            assert_eq!(TaskState::from_code(code), Some(state));
        }
        for code in [3, 4, 8, 9, 10, 100, 255] {
            assert_eq!(TaskState::from_code(code), None, "code {code}");
        }
    }

    #[test]
    fn serde_uses_the_name() {
        for state in TaskState::ALL {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.name()));
            assert_eq!(serde_json::from_str::<TaskState>(&json).unwrap(), state);
        }
        assert!(serde_json::from_str::<TaskState>("\"Importing\"").is_err());
        assert!(serde_json::from_str::<TaskState>("0").is_err());
    }

    #[test]
    fn exactly_the_table_moves_are_allowed() {
        let allowed = [
            (Pending, Started),
            (Pending, Failed),
            (Started, Persisted),
            (Started, Failed),
            (Persisted, Completed),
            (Persisted, Failed),
            (Failed, FailedAndCleaned),
        ];
        let mut refused = 0;
        for from in TaskState::ALL {
            for to in TaskState::ALL {
                let want = allowed.contains(&(from, to));
                assert_eq!(can_move(from, to), want, "{from} -> {to}");
                refused += usize::from(!want);
            }
        }
        assert_eq!(refused, 36 - 7);
    }

    #[test]
    fn every_state_is_reached_from_pending_and_every_task_can_end() {
        let reach = |from: TaskState| {
            let mut seen = vec![from];
            let mut i = 0;
            while let Some(&s) = seen.get(i) {
                for &(a, b) in &TRANSITIONS {
                    if a == s && !seen.contains(&b) {
                        seen.push(b);
                    }
                }
                i += 1;
            }
            seen
        };
        let from_pending = reach(Pending);
        for s in TaskState::ALL {
            assert!(from_pending.contains(&s), "{s} is unreachable");
            // A task can always fail or finish: no state is a dead end but the terminal ones.
            assert!(reach(s).iter().any(|t| t.is_terminal()), "{s} cannot end");
            assert!(
                s.is_terminal() || can_move(s, Failed) || s == Failed,
                "{s} cannot fail"
            );
        }
        // Nothing leads back: a state never returns to an earlier one.
        for s in TaskState::ALL {
            for t in reach(s).into_iter().skip(1) {
                assert!(!reach(t).contains(&s), "{s} -> {t} -> {s}");
            }
        }
    }

    #[test]
    fn terminal_states_have_no_way_out() {
        let terminal: Vec<_> = TaskState::ALL
            .into_iter()
            .filter(|s| s.is_terminal())
            .collect();
        assert_eq!(terminal, [Completed, FailedAndCleaned]);
        assert!(Failed.is_failed() && FailedAndCleaned.is_failed());
        assert!(!Completed.is_failed() && !Pending.is_failed());
    }
}
