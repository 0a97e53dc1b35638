//! The ledger's files: the one place that names them, encodes them and reads them back.
//!
//! Layout under the ledger directory:
//!
//! ```text
//! counters.json            {"format": "vecload-counters", "version": 1, "next_task_id", "next_auto_id"}
//! tasks/000000000007.json  {"format": "vecload-task", "version": 1, "task": {...TaskRecord}}
//! tasks/batch-000000000003.json  {"format": "vecload-batch", "version": 1, "tasks": [{...}, ...]}
//! ```
//!
//! Every file is written with [`write_atomic`]; its format tag and version are checked before
//! its content is trusted. Temp files left by a crash (`.NAME.tmp`) are removed on replay.
//!
//! `batch-<seq>.json` is a journal: the records of one change written in one atomic write (the
//! change is durable from then on), later copied into the records' own files and removed (see
//! [`Ledger`](super::Ledger) for when and in what order). Several may exist at once; replay
//! applies them over the record files in the order of their sequence numbers. `batch.json`,
//! the single journal of earlier releases, is read as sequence 0. A release that predates the
//! journal ignores the files (their names are not a task's), so after a crash in the middle
//! of a batch it may see part of the batch; every record it reads is still one this release
//! wrote.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::LedgerError;
use super::task::TaskRecord;
use crate::fault::{self, DurableWrite, FaultHook};
use crate::fsutil::{sync_dir, undo_atomic, write_atomic};

/// Folder of task records, inside the ledger directory.
pub(super) const TASKS_DIR: &str = "tasks";
/// The counters file, inside the ledger directory.
pub(super) const COUNTERS_FILE: &str = "counters.json";
/// The journal of earlier releases (sequence 0), inside the task folder.
const LEGACY_JOURNAL_FILE: &str = "batch.json";
/// Journals are `batch-<seq>.json`, inside the task folder.
const JOURNAL_PREFIX: &str = "batch-";
const TASK_FORMAT: &str = "vecload-task";
const JOURNAL_FORMAT: &str = "vecload-batch";
const COUNTERS_FORMAT: &str = "vecload-counters";
const FORMAT_VERSION: u32 = 1;

/// The two durable counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Counters {
    /// Id of the next task to create.
    pub next_task_id: u64,
    /// First auto-id not yet handed out.
    pub next_auto_id: i64,
}

#[derive(Deserialize)]
struct Header {
    format: String,
    version: u32,
}

#[derive(Serialize)]
struct TaskOut<'a> {
    format: &'a str,
    version: u32,
    task: &'a TaskRecord,
}

#[derive(Deserialize)]
struct TaskIn {
    task: TaskRecord,
}

#[derive(Serialize)]
struct JournalOut<'a> {
    format: &'a str,
    version: u32,
    tasks: &'a [TaskRecord],
}

#[derive(Deserialize)]
struct JournalIn {
    tasks: Vec<TaskRecord>,
}

#[derive(Serialize)]
struct CountersOut {
    format: &'static str,
    version: u32,
    next_task_id: u64,
    next_auto_id: i64,
}

/// `000000000007.json` for task 7.
pub(super) fn task_file_name(id: u64) -> String {
    format!("{id:012}.json")
}

/// The task id a file name stands for, if it is exactly what [`task_file_name`] makes.
fn task_id_of(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".json")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let id = digits.parse().ok()?;
    (task_file_name(id) == name).then_some(id)
}

/// `batch-000000000003.json` for journal 3 (`batch.json` for 0, the earlier releases' one).
pub(super) fn journal_file_name(seq: u64) -> String {
    match seq {
        0 => LEGACY_JOURNAL_FILE.to_owned(),
        _ => format!("{JOURNAL_PREFIX}{seq:012}.json"),
    }
}

/// The journal sequence a file name stands for, if it is exactly what [`journal_file_name`]
/// makes.
fn journal_seq_of(name: &str) -> Option<u64> {
    if name == LEGACY_JOURNAL_FILE {
        return Some(0);
    }
    let digits = name.strip_prefix(JOURNAL_PREFIX)?.strip_suffix(".json")?;
    let seq = digits.parse().ok().filter(|&s| s > 0)?;
    (journal_file_name(seq) == name).then_some(seq)
}

/// A temp file of [`write_atomic`] (`.NAME.tmp`).
fn is_temp(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

fn io_error(path: &Path) -> impl Fn(io::Error) -> LedgerError + '_ {
    move |source| LedgerError::Io {
        path: path.to_owned(),
        source,
    }
}

fn corrupt(path: &Path, reason: impl Into<String>) -> LedgerError {
    LedgerError::Corrupt {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// Writes `value` to `path`, whose content was `old` (`None`: no file). A write failing after
/// its rename is undone (the old content put back), so an error means nothing changed; only
/// if undoing fails too, the new content stands and this returns `Ok`.
fn write_json<T: Serialize>(
    path: &Path,
    value: &T,
    old: Option<&T>,
    hook: Option<&FaultHook>,
    write: DurableWrite,
) -> Result<(), LedgerError> {
    let encode = |v: &T| serde_json::to_vec_pretty(v).map_err(|e| io_error(path)(e.into()));
    let bytes = encode(value)?;
    match fault::guard(hook, write, || write_atomic(path, &bytes)) {
        Ok(()) => Ok(()),
        Err(source) => {
            let old = old.map(encode).transpose()?;
            if undo_atomic(path, &bytes, old.as_deref()) {
                Ok(())
            } else {
                Err(io_error(path)(source))
            }
        }
    }
}

/// Reads `path` and checks its format tag and version.
fn read_checked(path: &Path, format: &str) -> Result<Vec<u8>, LedgerError> {
    let bytes = fs::read(path).map_err(io_error(path))?;
    let header: Header =
        serde_json::from_slice(&bytes).map_err(|e| corrupt(path, format!("bad header: {e}")))?;
    if header.format != format {
        return Err(corrupt(
            path,
            format!("format is {:?}, expected {format:?}", header.format),
        ));
    }
    if header.version != FORMAT_VERSION {
        return Err(corrupt(
            path,
            format!(
                "format version is {}, this build reads {FORMAT_VERSION}",
                header.version
            ),
        ));
    }
    Ok(bytes)
}

fn task_out(task: &TaskRecord) -> TaskOut<'_> {
    TaskOut {
        format: TASK_FORMAT,
        version: FORMAT_VERSION,
        task,
    }
}

/// Writes one task's record durably over `old`, the version its file holds (`None`: none).
pub(super) fn write_task(
    tasks_dir: &Path,
    task: &TaskRecord,
    old: Option<&TaskRecord>,
    hook: Option<&FaultHook>,
) -> Result<(), LedgerError> {
    let path = tasks_dir.join(task_file_name(task.id));
    let old = old.map(task_out);
    write_json(
        &path,
        &task_out(task),
        old.as_ref(),
        hook,
        DurableWrite::LedgerTask,
    )
}

/// Deletes one task's record (absent is fine) and makes the removal durable. A removal failing
/// after the file is gone writes it back; only if that fails too, the removal stands (`Ok`).
pub(super) fn remove_task(
    tasks_dir: &Path,
    task: &TaskRecord,
    hook: Option<&FaultHook>,
) -> Result<(), LedgerError> {
    let path = tasks_dir.join(task_file_name(task.id));
    let remove = || {
        match fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        sync_dir(tasks_dir)
    };
    match fault::guard(hook, DurableWrite::LedgerRemove, remove) {
        Ok(()) => Ok(()),
        Err(_) if !path.exists() && write_task(tasks_dir, task, None, None).is_err() => Ok(()),
        Err(source) => Err(io_error(&path)(source)),
    }
}

fn read_task(path: &Path, id: u64) -> Result<TaskRecord, LedgerError> {
    let bytes = read_checked(path, TASK_FORMAT)?;
    let TaskIn { task } =
        serde_json::from_slice(&bytes).map_err(|e| corrupt(path, format!("bad record: {e}")))?;
    if task.id != id {
        return Err(corrupt(
            path,
            format!("holds task {} but its name says {id}", task.id),
        ));
    }
    Ok(task)
}

/// The entries of `dir` but its temp files, which stay (a reader's view).
fn list(dir: &Path) -> Result<Vec<(PathBuf, String)>, LedgerError> {
    let mut kept = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let path = entry.map_err(io_error(dir))?.path();
        if let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned)
            && !is_temp(&name)
        {
            kept.push((path, name));
        }
    }
    Ok(kept)
}

/// Removes leftover temp files in `dir` (which the ledger owns); returns the other entries.
fn sweep(dir: &Path) -> Result<Vec<(PathBuf, String)>, LedgerError> {
    let mut kept = Vec::new();
    let mut removed = false;
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let path = entry.map_err(io_error(dir))?.path();
        // Names that are not UTF-8 are not ours.
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        if is_temp(&name) {
            fs::remove_file(&path).map_err(io_error(&path))?;
            removed = true;
        } else {
            kept.push((path, name));
        }
    }
    if removed {
        sync_dir(dir).map_err(io_error(dir))?;
    }
    Ok(kept)
}

/// Replays the task folder: every record, in no particular order. Temp files are removed (left
/// in place when `read_only`: a writer may be writing them) and files not named by
/// [`task_file_name`] are ignored; a record that fails its checks is an error.
pub(super) fn read_tasks(
    tasks_dir: &Path,
    read_only: bool,
) -> Result<Vec<TaskRecord>, LedgerError> {
    let entries = if read_only {
        list(tasks_dir)?
    } else {
        sweep(tasks_dir)?
    };
    let mut tasks = Vec::new();
    for (path, name) in entries {
        if let Some(id) = task_id_of(&name) {
            tasks.push(read_task(&path, id)?);
        }
    }
    Ok(tasks)
}

/// Writes journal `seq`, the records of one change, durably: from here on the change is
/// made, whether or not the records' own files are written yet.
pub(super) fn write_journal(
    tasks_dir: &Path,
    seq: u64,
    tasks: &[TaskRecord],
    hook: Option<&FaultHook>,
) -> Result<(), LedgerError> {
    let out = JournalOut {
        format: JOURNAL_FORMAT,
        version: FORMAT_VERSION,
        tasks,
    };
    write_json(
        &tasks_dir.join(journal_file_name(seq)),
        &out,
        None,
        hook,
        DurableWrite::LedgerTask,
    )
}

/// The journals left in the task folder, oldest (lowest sequence) first.
pub(super) fn read_journals(tasks_dir: &Path) -> Result<Vec<(u64, Vec<TaskRecord>)>, LedgerError> {
    let mut journals = Vec::new();
    for (path, name) in list(tasks_dir)? {
        let Some(seq) = journal_seq_of(&name) else {
            continue;
        };
        let bytes = read_checked(&path, JOURNAL_FORMAT)?;
        let JournalIn { tasks } = serde_json::from_slice(&bytes)
            .map_err(|e| corrupt(&path, format!("bad journal: {e}")))?;
        journals.push((seq, tasks));
    }
    journals.sort_by_key(|(seq, _)| *seq);
    Ok(journals)
}

/// Removes journal `seq` once its records are in their own files, durably.
pub(super) fn remove_journal(tasks_dir: &Path, seq: u64) -> Result<(), LedgerError> {
    let path = tasks_dir.join(journal_file_name(seq));
    match fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(&path)(e)),
    }
    sync_dir(tasks_dir).map_err(io_error(tasks_dir))
}

fn counters_out(counters: Counters) -> CountersOut {
    CountersOut {
        format: COUNTERS_FORMAT,
        version: FORMAT_VERSION,
        next_task_id: counters.next_task_id,
        next_auto_id: counters.next_auto_id,
    }
}

/// Writes the counters durably over `old` (`None`: never written).
pub(super) fn write_counters(
    dir: &Path,
    counters: Counters,
    old: Option<Counters>,
    hook: Option<&FaultHook>,
) -> Result<(), LedgerError> {
    let old = old.map(counters_out);
    write_json(
        &dir.join(COUNTERS_FILE),
        &counters_out(counters),
        old.as_ref(),
        hook,
        DurableWrite::LedgerCounters,
    )
}

/// Reads the counters; `None` if never written. A temp file of the counters left by a crash is
/// removed (only that one: the ledger directory may be shared with other writers).
pub(super) fn read_counters(dir: &Path) -> Result<Option<Counters>, LedgerError> {
    let temp = dir.join(format!(".{COUNTERS_FILE}.tmp"));
    match fs::remove_file(&temp) {
        Ok(()) => sync_dir(dir).map_err(io_error(dir))?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_error(&temp)(e)),
    }
    let path = dir.join(COUNTERS_FILE);
    if !path.try_exists().map_err(io_error(&path))? {
        return Ok(None);
    }
    let bytes = read_checked(&path, COUNTERS_FORMAT)?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| corrupt(&path, format!("bad counters: {e}")))
}

#[cfg(test)]
mod tests;
