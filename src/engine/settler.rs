//! The settler thread: copies the ledger's journals into their records' own files and empties
//! the trash (the folders of failed tasks), with neither the writer lock nor the state lock
//! held across the I/O, so no change and no reader waits for either.
//!
//! Settling needs no writer lock: while a journal exists, no change writes the files of its
//! records (a change of such a record goes to a newer journal), see
//! [`Ledger`](crate::ledger::Ledger). The trash is no one's: a folder is moved there under the
//! writer lock, in the same change that fails its task ([`discard`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{Inner, events};
use crate::fault::DurableWrite;

/// How often the settler looks again after a failed settle (or when no one woke it).
const RETRY: Duration = Duration::from_millis(200);

impl Inner {
    /// Tells the settler there is work.
    pub fn wake_settler(&self) {
        let _ = self.settle_wake.0.try_send(());
    }

    /// Holds off the settler (while `check --repair` judges the task folder's files).
    pub fn pause_settler(&self) -> std::sync::MutexGuard<'_, ()> {
        self.settling.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Settles every journal, oldest first; stops at the first that fails (the next round
    /// tries again) or when the engine shuts down. Returns whether all are settled.
    pub fn settle_journals(&self) -> bool {
        let _one_at_a_time = self.pause_settler();
        loop {
            if self.shutdown.load(Ordering::SeqCst) {
                return false;
            }
            let Some(mut settle) = self.lock().ledger.plan_settle() else {
                return true;
            };
            let settled = settle.apply();
            self.lock().ledger.adopt_settle(settle);
            if settled.is_err() {
                return false;
            }
        }
    }

    /// Deletes the folders in the trash; one that cannot be deleted stays for the next open.
    fn empty_trash(&self) {
        let folders: Vec<PathBuf> = std::mem::take(&mut *self.trash_list());
        for folder in folders {
            match crate::fsutil::remove_dir_durable(&folder) {
                Ok(()) => {}
                Err(e) => events::trash_left(&folder, &e),
            }
        }
    }

    fn trash_list(&self) -> std::sync::MutexGuard<'_, Vec<PathBuf>> {
        self.trash.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The thread's loop, until the engine shuts down (what is left then, the next open settles
/// and removes).
pub(super) fn settler(inner: &Arc<Inner>) {
    while !inner.shutdown.load(Ordering::SeqCst) {
        inner.settle_journals();
        inner.empty_trash();
        let _ = inner.settle_wake.1.recv_timeout(RETRY);
    }
}

/// `<collection dir>/.trash-t00000007` for the folder `<collection dir>/t00000007`.
pub(super) fn trash_name(folder: &Path) -> Option<PathBuf> {
    let name = folder.file_name()?.to_str()?;
    Some(folder.with_file_name(format!("{TRASH_PREFIX}{name}")))
}

/// Trash folders start with this.
pub(crate) const TRASH_PREFIX: &str = ".trash-";

/// Removes a task's folder from its collection by renaming it into the trash, durably (one
/// rename, one directory sync, between the fault hook's calls for [`DurableWrite::RemoveDir`]);
/// the settler deletes it later, with no lock held. A folder that does not exist is removed.
pub(super) fn discard(inner: &Inner, folder: &Path) -> std::io::Result<()> {
    let Some(trash) = trash_name(folder) else {
        return crate::fsutil::remove_dir_durable(folder);
    };
    let hook = inner.opts.fault_hook.as_ref();
    let moved = crate::fault::guard(hook, DurableWrite::RemoveDir, || {
        if !folder.try_exists()? {
            return Ok(());
        }
        if trash.try_exists()? {
            // Left by a crash before it was deleted: rename does not replace a full folder.
            crate::fsutil::remove_dir_durable(&trash)?;
        }
        std::fs::rename(folder, &trash)?;
        crate::fsutil::sync_dir(folder.parent().unwrap_or(Path::new(".")))
    });
    if trash.exists() {
        inner.trash_list().push(trash);
        inner.wake_settler();
    }
    moved
}
