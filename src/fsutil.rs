//! Durable file writes: temp file in the same directory, `sync_data`, rename, fsync the directory.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Writes `bytes` to `path` atomically: readers see the old content or the new, never a mix,
/// and the new content survives a crash once this returns.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_data()?;
    }
    fs::rename(&tmp, path)?;
    sync_dir(dir)
}

/// Makes a directory's entries (creations, renames, removals) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Creates `dir` and its parents, then syncs the parent so the new entry is durable.
pub fn create_dir_durable(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    if let Some(parent) = dir.parent()
        && !parent.as_os_str().is_empty()
    {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Removes a directory tree if it exists, then syncs its parent.
pub fn remove_dir_durable(dir: &Path) -> io::Result<()> {
    match fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    }
    if let Some(parent) = dir.parent() {
        sync_dir(parent)?;
    }
    Ok(())
}

/// Undoes what a failed [`write_atomic`] of `new` over `path` left (its content before was
/// `old`; `None`: absent): the temp file is removed, and if the new content reached `path`
/// (the failure came after the rename), the old content is put back. Returns `true` if the
/// new content stands because putting the old one back failed too: the write is then done.
pub fn undo_atomic(path: &Path, new: &[u8], old: Option<&[u8]>) -> bool {
    if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(".tmp");
        let _ = fs::remove_file(dir.join(tmp_name));
    }
    let landed = fs::read(path).is_ok_and(|b| b == new);
    if !landed || old == Some(new) {
        return false;
    }
    let restored = match old {
        Some(old) => write_atomic(path, old),
        None => {
            fs::remove_file(path).and_then(|()| sync_dir(path.parent().unwrap_or(Path::new("."))))
        }
    };
    restored.is_err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_content_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("catalog.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
