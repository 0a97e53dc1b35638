//! `vecload check`: verifies a data directory without changing it (no lock, no recovery):
//! row counts against segment footers, segment CRCs, files no task owns, and the task
//! lifecycle rules of INTERFACE 6; [`Engine::repair`] removes what check finds orphaned.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{Engine, EngineError};
use crate::catalog::Catalog;
use crate::ledger::{Ledger, TaskState};

/// One finding: what kind, where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// `corrupt_catalog`, `corrupt_ledger`, `missing_segment`, `corrupt_segment`,
    /// `count_mismatch`, `orphan_file`, `orphan_dir`, `temp_file`, `stuck_task`, or for work
    /// in flight `task_in_flight` and `trash` (a failed task's folder awaiting deletion, also
    /// when no process holds the lock: the next open deletes it).
    pub kind: &'static str,
    /// The file or directory.
    pub path: PathBuf,
    /// What is wrong.
    pub detail: String,
}

impl Problem {
    fn new(kind: &'static str, path: impl Into<PathBuf>, detail: impl Into<String>) -> Problem {
        Problem {
            kind,
            path: path.into(),
            detail: detail.into(),
        }
    }

    /// `{"kind", "path", "detail"}`.
    pub fn to_json(&self) -> Value {
        json!({"kind": self.kind, "path": self.path.display().to_string(), "detail": self.detail})
    }

    /// Whether [`Engine::repair`] removes the path.
    fn removable(&self) -> bool {
        matches!(self.kind, "orphan_file" | "orphan_dir" | "temp_file")
    }
}

/// What check found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    /// Damage and broken rules.
    pub problems: Vec<Problem>,
    /// Work of the live process holding the lock (Started tasks, their files): not damage.
    pub in_flight: Vec<Problem>,
    /// The PID of the live process holding the directory's lock, if one does.
    pub lock_holder: Option<u32>,
    /// Collections and listed segments checked.
    pub collections: usize,
    /// Listed segments checked.
    pub segments: usize,
}

impl CheckReport {
    /// No problems.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks `data_dir` read-only; a missing directory is [`EngineError::DataDirNotFound`].
pub fn check(data_dir: &Path) -> Result<CheckReport, EngineError> {
    if !data_dir.is_dir() {
        return Err(EngineError::DataDirNotFound(data_dir.to_path_buf()));
    }
    Ok(scan(data_dir, lock_holder(data_dir)))
}

impl Engine {
    /// `check --repair`, on a directory this engine holds (its recovery has run: stuck tasks
    /// are settled): removes orphaned files and directories and temp files, then checks
    /// again. Returns the paths removed and the final report.
    pub fn repair(&self) -> (Vec<PathBuf>, CheckReport) {
        // Held so that no task starts or ends while its folder is judged, and no journal is
        // settled while the task folder's temp files are.
        let _w = self.inner.writer();
        let _settle = self.inner.pause_settler();
        let dir = self.data_dir();
        let mut removed = Vec::new();
        for p in scan(dir, None).problems.iter().filter(|p| p.removable()) {
            let gone = if p.path.is_dir() {
                crate::fsutil::remove_dir_durable(&p.path)
            } else {
                std::fs::remove_file(&p.path).and_then(|()| match p.path.parent() {
                    Some(parent) => crate::fsutil::sync_dir(parent),
                    None => Ok(()),
                })
            };
            if gone.is_ok() {
                removed.push(p.path.clone());
            }
        }
        (removed, scan(dir, None))
    }
}

/// A temp file of an atomic write (`.NAME.tmp`).
fn is_temp(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}

/// Entries of `dir` (name, path, is a directory); none when it cannot be read.
fn entries(dir: &Path) -> Vec<(String, PathBuf, bool)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<_> = rd
        .flatten()
        .map(|e| {
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (
                e.file_name().to_string_lossy().to_string(),
                e.path(),
                is_dir,
            )
        })
        .collect();
    out.sort();
    out
}

/// The checks, with `live` the PID of a live lock holder (whose work is in flight).
fn scan(dir: &Path, live: Option<u32>) -> CheckReport {
    let mut r = CheckReport {
        lock_holder: live,
        ..CheckReport::default()
    };
    // Temp files of the catalog, counters and task records.
    for d in [dir.to_path_buf(), dir.join("tasks")] {
        for (name, path, _) in entries(&d).into_iter().filter(|e| is_temp(&e.0)) {
            let p = Problem::new("temp_file", path, format!("{name}: an unfinished write"));
            match live {
                Some(_) => r.in_flight.push(p),
                None => r.problems.push(p),
            }
        }
    }
    // The ledger before the catalog: a commit between the reads shows as Persisted.
    let ledger = match Ledger::open_read_only(dir) {
        Ok(l) => l,
        Err(e) => {
            r.problems.push(Problem::new(
                "corrupt_ledger",
                dir.join("tasks"),
                e.to_string(),
            ));
            return r;
        }
    };
    let catalog = match Catalog::open(dir) {
        Ok(c) => c,
        Err(e) => {
            r.problems.push(Problem::new(
                "corrupt_catalog",
                dir.join("catalog.json"),
                e.to_string(),
            ));
            return r;
        }
    };
    lifecycle(&ledger, dir, live, &mut r);
    segments(&catalog, &mut r);
    unlisted(&catalog, &ledger, dir, live, &mut r);
    r
}

/// INTERFACE 6: no Persisted task (but those of an Uncommitted job, which wait for their
/// commit), no Started task unless a live process holds the lock (then it is in flight), no
/// Failed task left uncleaned.
fn lifecycle(ledger: &Ledger, dir: &Path, live: Option<u32>, r: &mut CheckReport) {
    let tasks = ledger.list(None, None);
    for t in &tasks {
        let path = dir.join("tasks").join(format!("{:012}.json", t.id));
        let what = match t.state {
            TaskState::Persisted
                if t.job_id.is_some()
                    && super::job_view::is_uncommitted(
                        tasks.iter().copied().filter(|s| s.job_id == t.job_id),
                    ) =>
            {
                continue;
            }
            TaskState::Started if live.is_none() && t.resume.is_some() => {
                // Not damage: its resume point waits for the next `import` or `serve`.
                let detail = format!(
                    "task {} is Started with a resume point: the next `import` or `serve` resumes it (import.resume)",
                    t.id
                );
                r.in_flight
                    .push(Problem::new("resumable_task", path, detail));
                continue;
            }
            TaskState::Started => "Started",
            TaskState::Persisted => "Persisted (its commit not finished)",
            TaskState::Failed => "Failed (its files not yet removed)",
            _ => continue,
        };
        match live {
            Some(pid) => r.in_flight.push(Problem::new(
                "task_in_flight",
                path,
                format!("task {} is {what}; process {pid} holds the lock", t.id),
            )),
            None => r.problems.push(Problem::new(
                "stuck_task",
                path,
                format!(
                    "task {} is {what} but no process holds the lock (`check --repair` or the next open settles it)",
                    t.id
                ),
            )),
        }
    }
}

/// Every listed segment exists and passes its CRCs; each collection's count equals the sum
/// of its segments' footer rows.
fn segments(catalog: &Catalog, r: &mut CheckReport) {
    for c in catalog.collections() {
        r.collections += 1;
        let (mut footer_rows, mut all_read) = (0u64, true);
        let mut first_off = None;
        for s in c.partitions.iter().flat_map(|p| &p.segments) {
            r.segments += 1;
            let path = catalog.task_dir(c.id, s.task_id).join(&s.file_name);
            if !path.exists() {
                all_read = false;
                let detail = format!("listed in collection \"{}\" but missing", c.schema.name);
                r.problems
                    .push(Problem::new("missing_segment", path, detail));
                continue;
            }
            match crate::segment::verify(&path) {
                Ok(m) => {
                    footer_rows += m.row_count;
                    if m.row_count != s.rows && first_off.is_none() {
                        first_off = Some(format!(
                            "{} lists {} rows, its footer {}",
                            s.file_name, s.rows, m.row_count
                        ));
                    }
                }
                Err(e) => {
                    all_read = false;
                    r.problems
                        .push(Problem::new("corrupt_segment", path, e.to_string()));
                }
            }
        }
        let counted = c.rows(None);
        if all_read && counted != footer_rows {
            let detail = format!(
                "collection \"{}\" counts {counted} rows, its segments' footers hold {footer_rows}{}",
                c.schema.name,
                first_off.map(|f| format!(" ({f})")).unwrap_or_default()
            );
            let path = catalog.collection_dir(c.id);
            r.problems
                .push(Problem::new("count_mismatch", path, detail));
        }
    }
}

/// No file under `segments/` that the catalog does not list, outside the folders of Started
/// or Persisted tasks (and, while a live process holds the lock, of any unfinished task).
fn unlisted(
    catalog: &Catalog,
    ledger: &Ledger,
    dir: &Path,
    live: Option<u32>,
    r: &mut CheckReport,
) {
    let by_id: BTreeMap<u64, _> = catalog.collections().map(|c| (c.id, c)).collect();
    for (name, path, is_dir) in entries(&dir.join("segments")) {
        let cid = name.strip_prefix('c').and_then(|n| n.parse::<u64>().ok());
        let Some(c) = cid.and_then(|id| by_id.get(&id)) else {
            let kind = if is_dir { "orphan_dir" } else { "orphan_file" };
            r.problems.push(Problem::new(
                kind,
                path,
                "no collection in the catalog owns it",
            ));
            continue;
        };
        let listed: BTreeSet<(u64, &str)> = c
            .partitions
            .iter()
            .flat_map(|p| &p.segments)
            .map(|s| (s.task_id, s.file_name.as_str()))
            .collect();
        for (tname, tpath, tdir) in entries(&path) {
            if tname.starts_with(super::settler::TRASH_PREFIX) {
                // Not damage: no task owns it, and the live process or the next open deletes it.
                let detail =
                    "a failed task's folder, deleted in the background (or by the next open)";
                r.in_flight.push(Problem::new("trash", tpath, detail));
                continue;
            }
            let tid = tname.strip_prefix('t').and_then(|n| n.parse::<u64>().ok());
            let Some(tid) = tid.filter(|_| tdir) else {
                let kind = if tdir { "orphan_dir" } else { "orphan_file" };
                r.problems
                    .push(Problem::new(kind, tpath, "not a task folder"));
                continue;
            };
            let state = ledger.get(tid).map(|t| t.state);
            let owned = match state {
                Some(TaskState::Started | TaskState::Persisted) => true,
                Some(TaskState::Pending | TaskState::Failed) => live.is_some(),
                _ => false,
            };
            if owned {
                continue;
            }
            let files = entries(&tpath);
            if files.is_empty() && !c.committed_tasks.contains(&tid) {
                let detail = format!("task {tid} is not committed and its folder is empty");
                r.problems.push(Problem::new("orphan_dir", tpath, detail));
                continue;
            }
            for (fname, fpath, _) in with_process_folders(files) {
                if listed.contains(&(tid, fname.as_str())) {
                    continue;
                }
                let (kind, detail) = if is_temp(&fname) {
                    ("temp_file", format!("an unfinished write of task {tid}"))
                } else {
                    let st = state.map_or("unknown", TaskState::name);
                    (
                        "orphan_file",
                        format!("not listed in the catalog; task {tid} is {st}"),
                    )
                };
                r.problems.push(Problem::new(kind, fpath, detail));
            }
        }
    }
}

/// A task folder's entries, with the files of its process folders (`p<I>/`, a cluster
/// task's) in their place, named `p<I>/FILE` as the catalog lists them.
fn with_process_folders(files: Vec<(String, PathBuf, bool)>) -> Vec<(String, PathBuf, bool)> {
    let is_process = |name: &str| {
        name.strip_prefix('p')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut out = Vec::with_capacity(files.len());
    for (name, path, dir) in files {
        if dir && is_process(&name) {
            for (f, p, d) in entries(&path) {
                out.push((format!("{name}/{f}"), p, d));
            }
        } else {
            out.push((name, path, dir));
        }
    }
    out
}

/// The PID of a live process holding `dir`'s lock: from `/proc/locks` (the lock file's
/// device and inode) where the kernel offers it, else the PID in the lock file if that
/// process lives (`/proc/PID`). Takes no lock itself.
fn lock_holder(dir: &Path) -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    let path = dir.join("LOCK");
    let meta = std::fs::metadata(&path).ok()?;
    if let Ok(locks) = std::fs::read_to_string("/proc/locks") {
        let want = (
            u64::from(libc::major(meta.dev())),
            u64::from(libc::minor(meta.dev())),
            meta.ino(),
        );
        return locks.lines().find_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            // `1: FLOCK ADVISORY WRITE PID MAJ:MIN:INODE 0 EOF`; a waiter has `->` after `1:`.
            if f.get(1) != Some(&"FLOCK") {
                return None;
            }
            let mut id = f.get(5)?.split(':');
            let maj = u64::from_str_radix(id.next()?, 16).ok()?;
            let min = u64::from_str_radix(id.next()?, 16).ok()?;
            let ino = id.next()?.parse::<u64>().ok()?;
            ((maj, min, ino) == want).then(|| f.get(4)?.parse().ok())?
        });
    }
    let pid: u32 = std::fs::read_to_string(&path).ok()?.trim().parse().ok()?;
    Path::new("/proc")
        .join(pid.to_string())
        .exists()
        .then_some(pid)
}
