//! Bytes in: resolving import paths against the storage root and opening them.
//!
//! Local files are memory-mapped ([`mmap`]); object storage comes in a later layer.

pub mod mmap;

use std::fs::File;
use std::path::{Component, Path, PathBuf};

pub use mmap::MappedFile;

/// Why an import file could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file does not exist.
    #[error("file not found: {path}")]
    NotFound {
        /// The path as resolved.
        path: String,
    },
    /// The path leads outside the storage root.
    #[error("path \"{path}\" escapes the storage root {root}")]
    Escapes {
        /// The path as given.
        path: String,
        /// The storage root.
        root: String,
    },
    /// Any other I/O failure.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path as resolved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Where import files are read from.
#[derive(Debug, Clone)]
pub struct LocalRoot {
    root: PathBuf,
    confine: bool,
}

impl LocalRoot {
    /// A root that confines every path inside `root` (`..`, absolute paths and symlinks
    /// leading outside are refused).
    pub fn confined(root: impl Into<PathBuf>) -> Self {
        LocalRoot {
            root: root.into(),
            confine: true,
        }
    }

    /// The embedded CLI's default: relative paths from `root`, absolute paths as given.
    pub fn open(root: impl Into<PathBuf>) -> Self {
        LocalRoot {
            root: root.into(),
            confine: false,
        }
    }

    /// Resolves `path` against the root, refusing escapes when confined.
    pub fn resolve(&self, path: &str) -> Result<PathBuf, SourceError> {
        let p = Path::new(path);
        if !self.confine {
            return Ok(if p.is_absolute() {
                p.to_path_buf()
            } else {
                self.root.join(p)
            });
        }
        let escapes = || SourceError::Escapes {
            path: path.to_string(),
            root: self.root.display().to_string(),
        };
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

    /// Size in bytes of `path`, without reading it.
    pub fn size(&self, path: &str) -> Result<u64, SourceError> {
        let full = self.resolve(path)?;
        std::fs::metadata(&full)
            .map(|m| m.len())
            .map_err(|e| map_io(&full, e))
    }

    /// Opens and maps `path`.
    pub fn map(&self, path: &str) -> Result<MappedFile, SourceError> {
        let full = self.resolve(path)?;
        let file = File::open(&full).map_err(|e| map_io(&full, e))?;
        MappedFile::map(&file).map_err(|e| map_io(&full, e))
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
        }
        assert!(matches!(
            root.resolve("missing.json"),
            Err(SourceError::NotFound { .. })
        ));
        assert_eq!(root.map("a.json").unwrap().bytes(), b"[]");
    }
}
