//! A local directory as the storage root: paths confined to it, files memory-mapped or
//! read by ranges (the buffered mode, and the fallback when a map fails).
//!
//! A confined root opens each file with `openat2(RESOLVE_BENEATH)` from the root directory:
//! the kernel refuses a path that leaves the root (`..`, an absolute symlink, a symlink out
//! of it) during the open itself, so a file swapped for a symlink between a check and the
//! open cannot lead outside. Every file is opened non-blocking and checked with `fstat` on
//! the opened descriptor: anything but a regular file (a FIFO, a device, a socket, a
//! directory) is refused at once.

use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::{FileExt, FileTypeExt};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;

use super::ranged::{RangedFile, ReadAt, ReadTuning};
use super::{MappedFile, Opened, SourceError};

/// Where import files are read from on the local file system.
#[derive(Debug, Clone)]
pub struct LocalRoot {
    root: PathBuf,
    confine: bool,
    /// `Some`: read files by ranges instead of mapping them.
    buffered: Option<ReadTuning>,
}

impl LocalRoot {
    /// A root that confines every path inside `root` (`..`, absolute paths and symlinks
    /// leading outside are refused).
    pub fn confined(root: impl Into<PathBuf>) -> Self {
        LocalRoot {
            root: root.into(),
            confine: true,
            buffered: None,
        }
    }

    /// The embedded CLI's default: relative paths from `root`, absolute paths as given.
    pub fn open(root: impl Into<PathBuf>) -> Self {
        LocalRoot {
            root: root.into(),
            confine: false,
            buffered: None,
        }
    }

    /// The same root, reading files by ranges with `tuning` instead of mapping them (the
    /// buffered mode; it goes through the streaming path object storage uses).
    pub fn buffered(mut self, tuning: ReadTuning) -> Self {
        self.buffered = Some(tuning);
        self
    }

    /// The root directory.
    pub fn dir(&self) -> &Path {
        &self.root
    }

    /// Whether paths are confined inside the root ([`LocalRoot::confined`]); false for
    /// [`LocalRoot::open`], which reads absolute paths as given.
    pub fn is_confined(&self) -> bool {
        self.confine
    }

    /// Resolves `path` against the root, refusing escapes when confined.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, SourceError> {
        let p = Path::new(path);
        if !self.confine {
            return Ok(self.joined(p));
        }
        let escapes = || self.escapes(path);
        if p.is_absolute()
            || p.components()
                .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        {
            return Err(escapes());
        }
        let joined = self.root.join(p);
        // Symlinks: the real path must stay under the real root.
        let io = |source| SourceError::Io {
            path: joined.display().to_string(),
            source,
        };
        let root = self.root.canonicalize().map_err(io)?;
        match joined.canonicalize() {
            Ok(real) if real.starts_with(&root) => Ok(joined),
            Ok(_) => Err(escapes()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(SourceError::NotFound {
                path: joined.display().to_string(),
            }),
            Err(e) => Err(io(e)),
        }
    }

    /// `p` under the root (an absolute `p` as it is).
    fn joined(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }

    /// The refusal of `path`, which leaves the root.
    fn escapes(&self, path: &str) -> SourceError {
        SourceError::Escapes {
            path: path.to_string(),
            root: self.root.display().to_string(),
        }
    }

    /// Size in bytes of `path`, without reading it.
    pub fn size(&self, path: &str) -> Result<u64, SourceError> {
        let (file, full) = self.open_regular(path)?;
        file.metadata()
            .map(|m| m.len())
            .map_err(|e| map_io(&full, e))
    }

    /// Size and modification time of `path`, without reading it.
    pub fn stamp(&self, path: &str) -> Result<super::FileStamp, SourceError> {
        let (file, full) = self.open_regular(path)?;
        let meta = file.metadata().map_err(|e| map_io(&full, e))?;
        let modified_ns = (meta.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| u64::try_from(d.as_nanos()).ok());
        Ok(super::FileStamp {
            size: meta.len(),
            modified_ns,
            etag: None,
        })
    }

    /// Opens `path` for reading: confined to the root by the kernel when the root confines
    /// (no gap between a check and the open), non-blocking (a FIFO cannot hold the open),
    /// and refused unless the opened file is a regular file.
    fn open_regular(&self, path: &str) -> Result<(File, PathBuf), SourceError> {
        use rustix::fs::{Mode, OFlags, ResolveFlags};
        let p = Path::new(path);
        let full = self.joined(p);
        let escapes = || self.escapes(path);
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY;
        let file = if self.confine {
            if p.is_absolute()
                || p.components()
                    .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
            {
                return Err(escapes());
            }
            let dir = File::open(&self.root).map_err(|e| map_io(&self.root, e))?;
            let how = ResolveFlags::BENEATH | ResolveFlags::NO_MAGICLINKS;
            match rustix::fs::openat2(&dir, p, flags, Mode::empty(), how) {
                Ok(fd) => File::from(fd),
                Err(rustix::io::Errno::XDEV | rustix::io::Errno::LOOP) => return Err(escapes()),
                // No openat2 (a kernel before 5.6, or a sandbox that filters it): open, then
                // check where the opened descriptor really is.
                Err(rustix::io::Errno::NOSYS | rustix::io::Errno::PERM) => {
                    let fd = rustix::fs::open(&full, flags, Mode::empty())
                        .map_err(|e| map_io(&full, e.into()))?;
                    let file = File::from(fd);
                    let real = std::fs::read_link(format!(
                        "/proc/self/fd/{}",
                        std::os::fd::AsRawFd::as_raw_fd(&file)
                    ))
                    .map_err(|e| map_io(&full, e))?;
                    let root = self
                        .root
                        .canonicalize()
                        .map_err(|e| map_io(&self.root, e))?;
                    if !real.starts_with(&root) {
                        return Err(escapes());
                    }
                    file
                }
                Err(e) => return Err(map_io(&full, e.into())),
            }
        } else {
            let fd = rustix::fs::open(&full, flags, Mode::empty())
                .map_err(|e| map_io(&full, e.into()))?;
            File::from(fd)
        };
        let kind = file.metadata().map_err(|e| map_io(&full, e))?.file_type();
        if !kind.is_file() {
            let kind = if kind.is_fifo() {
                "a FIFO"
            } else if kind.is_dir() {
                "a directory"
            } else if kind.is_socket() {
                "a socket"
            } else {
                "a device"
            };
            return Err(SourceError::NotRegular {
                path: path.to_string(),
                kind,
            });
        }
        Ok((file, full))
    }

    /// The files directly in `path` when it is a directory (as paths relative to the root,
    /// sorted; hidden files left out), `None` when it is not one.
    pub fn list_dir(&self, path: &str) -> Result<Option<Vec<String>>, SourceError> {
        let full = self.resolve(path)?;
        if !std::fs::metadata(&full).is_ok_and(|m| m.is_dir()) {
            return Ok(None);
        }
        let dir = path.trim_end_matches('/');
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&full).map_err(|e| map_io(&full, e))? {
            let entry = entry.map_err(|e| map_io(&full, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with('.') && entry.file_type().is_ok_and(|t| t.is_file()) {
                files.push(format!("{dir}/{name}"));
            }
        }
        files.sort();
        Ok(Some(files))
    }

    /// Opens and maps `path`.
    pub fn map(&self, path: &str) -> Result<MappedFile, SourceError> {
        let (file, full) = self.open_regular(path)?;
        MappedFile::map(&file).map_err(|e| map_io(&full, e))
    }

    /// Opens `path`: mapped, or for reading by ranges in the buffered mode or when the
    /// map fails.
    pub fn open_file(&self, path: &str) -> Result<Opened, SourceError> {
        let (file, full) = self.open_regular(path)?;
        if self.buffered.is_none()
            && let Ok(map) = MappedFile::map(&file)
        {
            return Ok(Opened::Mapped(map));
        }
        let len = file.metadata().map_err(|e| map_io(&full, e))?.len();
        let name = full.display().to_string();
        let reader = Arc::new(LocalFile {
            file,
            name: name.clone(),
        });
        let tuning = self.buffered.unwrap_or_default();
        Ok(Opened::Ranged(RangedFile::new(name, len, reader, tuning)))
    }
}

/// A local file read with positioned reads (`pread`).
struct LocalFile {
    file: File,
    name: String,
}

impl ReadAt for LocalFile {
    fn read_at(&self, range: Range<u64>) -> Result<Bytes, SourceError> {
        let len = usize::try_from(range.end - range.start).map_err(|_| SourceError::Io {
            path: self.name.clone(),
            source: std::io::Error::other("range too large"),
        })?;
        let mut buf = vec![0u8; len];
        self.file
            .read_exact_at(&mut buf, range.start)
            .map_err(|e| SourceError::Io {
                path: format!("{} (bytes {}..{})", self.name, range.start, range.end),
                source: e,
            })?;
        Ok(Bytes::from(buf))
    }
}

fn map_io(path: &Path, e: std::io::Error) -> SourceError {
    if e.kind() == std::io::ErrorKind::NotFound {
        SourceError::NotFound {
            path: path.display().to_string(),
        }
    } else {
        SourceError::Io {
            path: path.display().to_string(),
            source: e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confined_root_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), b"[]").unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("b.json"), b"[]").unwrap();
        std::os::unix::fs::symlink(outside.path().join("b.json"), dir.path().join("link.json"))
            .unwrap();
        let root = LocalRoot::confined(dir.path());
        assert!(root.resolve("a.json").is_ok());
        for bad in ["../x.json", "/etc/passwd", "link.json", "sub/../../a.json"] {
            assert!(
                matches!(root.resolve(bad), Err(SourceError::Escapes { .. })),
                "{bad}"
            );
            let buffered = root.clone().buffered(ReadTuning::default());
            assert!(
                matches!(buffered.open_file(bad), Err(SourceError::Escapes { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            root.resolve("missing.json"),
            Err(SourceError::NotFound { .. })
        ));
        assert_eq!(root.map("a.json").unwrap().bytes(), b"[]");
    }

    #[test]
    fn buffered_mode_reads_ranges() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.json"), b"[1, 2, 3]").unwrap();
        let root = LocalRoot::confined(dir.path());
        assert!(matches!(root.open_file("a.json"), Ok(Opened::Mapped(_))));
        let buffered = root.buffered(ReadTuning::default());
        let Ok(Opened::Ranged(file)) = buffered.open_file("a.json") else {
            panic!("not ranged")
        };
        assert_eq!(file.len(), 9);
        assert_eq!(&file.read(1..5).unwrap()[..], b"1, 2");
    }
}
