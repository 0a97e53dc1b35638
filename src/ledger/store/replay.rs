//! Opening a ledger: replaying the record files, the journals and the counters, and
//! checking them.

use std::collections::BTreeMap;
use std::path::Path;

use super::super::disk::{self, COUNTERS_FILE, Counters, TASKS_DIR};
use super::super::error::LedgerError;
use super::super::task::TaskRecord;
use super::super::write::LedgerDisk;
use super::{AUTO_ID_BASE, FIRST_TASK_ID, Ledger, check_record};
use crate::fsutil::create_dir_durable;

impl Ledger {
    /// Opens the ledger in `dir`, creating it if needed, and replays every task record.
    ///
    /// Temp files left by a crash are removed. A record or counters file that fails its checks
    /// (format, version, content, agreement with the counters) is a [`LedgerError::Corrupt`]
    /// naming the file.
    pub fn open(dir: &Path) -> Result<Ledger, LedgerError> {
        let tasks_dir = dir.join(TASKS_DIR);
        for d in [dir, tasks_dir.as_path()] {
            create_dir_durable(d).map_err(|source| LedgerError::Io {
                path: d.to_owned(),
                source,
            })?;
        }
        let mut ledger = Ledger::replay(dir, false)?;
        ledger.settle_all()?;
        Ok(ledger)
    }

    /// Reads the ledger in `dir` as it is on disk, changing nothing: no folder is created,
    /// no temp file removed, a journal is applied in memory only (for read-only commands and
    /// `vecload check`, also while a writer holds the directory). A missing folder is an
    /// empty ledger. Such a ledger is not for writing: the writer's lock is not held.
    pub fn open_read_only(dir: &Path) -> Result<Ledger, LedgerError> {
        Ledger::replay(dir, true)
    }

    /// Replays every record, the journal and the counters, and checks them.
    fn replay(dir: &Path, read_only: bool) -> Result<Ledger, LedgerError> {
        let tasks_dir = dir.join(TASKS_DIR);
        let counters_path = dir.join(COUNTERS_FILE);
        let present = !read_only || tasks_dir.is_dir();
        let mut records: BTreeMap<u64, TaskRecord> = if present {
            disk::read_tasks(&tasks_dir, read_only)?
        } else {
            Vec::new()
        }
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
        // Journals, oldest first: each holds a newer version of its records than the files and
        // the older journals.
        let journals: BTreeMap<u64, Vec<TaskRecord>> = if present {
            disk::read_journals(&tasks_dir)?.into_iter().collect()
        } else {
            BTreeMap::new()
        };
        let mut journaled = BTreeMap::new();
        for (&seq, tasks) in &journals {
            for t in tasks {
                journaled.insert(t.id, seq);
                records.insert(t.id, t.clone());
            }
        }
        let next_journal = journals.keys().next_back().map_or(1, |s| s + 1);
        let counters = match disk::read_counters(dir)? {
            Some(c) => c,
            None if records.is_empty() => Counters {
                next_task_id: FIRST_TASK_ID,
                next_auto_id: AUTO_ID_BASE,
            },
            None => {
                return Err(LedgerError::Corrupt {
                    path: counters_path,
                    reason: "missing, but task records exist".to_owned(),
                });
            }
        };
        if counters.next_auto_id < AUTO_ID_BASE || counters.next_task_id < FIRST_TASK_ID {
            return Err(LedgerError::Corrupt {
                path: counters_path,
                reason: format!("counters below their bases: {counters:?}"),
            });
        }
        for task in records.values() {
            let path = tasks_dir.join(disk::task_file_name(task.id));
            if task.id >= counters.next_task_id {
                return Err(LedgerError::Corrupt {
                    path,
                    reason: format!(
                        "task id is not below next_task_id {}",
                        counters.next_task_id
                    ),
                });
            }
            if let Err((field, problem)) = check_record(task, counters.next_auto_id) {
                return Err(LedgerError::Corrupt {
                    path,
                    reason: format!("{field} {problem}"),
                });
            }
        }
        Ok(Ledger {
            disk: LedgerDisk {
                dir: dir.to_owned(),
                tasks_dir,
                fault_hook: None,
            },
            tasks: records,
            counters,
            journals,
            journaled,
            next_journal,
            writes: 0,
            generation: 0,
        })
    }
}
