//! Bytes in: resolving import paths against the storage root and opening them.
//!
//! A [`Storage`] root is a local directory ([`LocalRoot`]) or, with the `s3` feature, an
//! object store prefix (`ObjectRoot`, e.g. `s3://bucket/prefix`). Every root confines the
//! paths it is given.
//! An opened file is either mapped ([`MappedFile`], local files) or read by byte ranges
//! ([`RangedFile`]: objects, and local files in the buffered mode), which the pipeline
//! streams through a bounded read-ahead:
//!
//! ```text
//! Storage::size(path)   HEAD / stat, before a task exists
//! Storage::open(path) -> Opened::Mapped(slice of the whole file)
//!                      | Opened::Ranged(read(range), read_ahead(ranges) -> chunks in order)
//! ```

mod local;
pub mod mmap;
#[cfg(feature = "s3")]
mod object;
mod ranged;

pub use local::LocalRoot;
pub use mmap::{MappedFile, guard_truncated_maps};
#[cfg(feature = "s3")]
pub use object::{ObjectRoot, S3Config};
pub use ranged::{
    CHUNK_BYTES, Fetch, READ_AHEAD_CHUNKS, READ_ATTEMPTS, RangedFile, ReadAhead, ReadAt, ReadTuning,
};

/// Why an import file could not be opened or read.
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
    /// The path names something other than a regular file (a FIFO, a device, ...).
    #[error("{path} is not a regular file ({kind})")]
    NotRegular {
        /// The path as given.
        path: String,
        /// What it is: "a FIFO", "a directory", "a socket" or "a device".
        kind: &'static str,
    },
    /// The file changed while a task read it (truncated, grown or rewritten): what was
    /// read cannot be trusted, the task fails.
    #[error("{path} changed during import (size {from} -> {to} bytes)")]
    Changed {
        /// The path as given.
        path: String,
        /// Its size when opened.
        from: u64,
        /// Its size now.
        to: u64,
    },
    /// Any other I/O failure.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path as resolved.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The object does not exist.
    #[error("object not found: {url}")]
    ObjectNotFound {
        /// The object's URL, `s3://bucket/key`.
        url: String,
    },
    /// The store refused the credentials or the access.
    #[error("access denied: {url}: {detail}")]
    AccessDenied {
        /// The object's URL.
        url: String,
        /// The store's answer.
        detail: String,
    },
    /// No connection could be made to the store.
    #[error("endpoint unreachable: {endpoint} (for {url}): {detail}")]
    Unreachable {
        /// The endpoint tried.
        endpoint: String,
        /// The object's URL.
        url: String,
        /// The connection error.
        detail: String,
    },
    /// A ranged read kept failing (the connection broke mid-file, or the store failed).
    #[error("reading {url} bytes {start}..{end} failed after {attempts} attempts: {detail}")]
    ReadFailed {
        /// The object's URL.
        url: String,
        /// First byte of the range.
        start: u64,
        /// End of the range.
        end: u64,
        /// Attempts made.
        attempts: u32,
        /// The last error.
        detail: String,
    },
    /// Any other error of the object store.
    #[error("object store error: {url}: {detail}")]
    Store {
        /// The object's URL.
        url: String,
        /// The store's error.
        detail: String,
    },
    /// The storage root or its settings cannot be used.
    #[error("invalid storage root {root}: {reason}")]
    BadRoot {
        /// The root as given.
        root: String,
        /// What is wrong.
        reason: String,
    },
    /// The path cannot name an object.
    #[error("invalid object path \"{path}\": {reason}")]
    BadPath {
        /// The path as given.
        path: String,
        /// What is wrong.
        reason: &'static str,
    },
}

impl SourceError {
    /// Whether the file or object does not exist (a missing file fails its task, as in
    /// Milvus, rather than the request).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            SourceError::NotFound { .. } | SourceError::ObjectNotFound { .. }
        )
    }
}

/// The storage root import paths are relative to.
#[derive(Debug, Clone)]
pub enum Storage {
    /// A local directory.
    Local(LocalRoot),
    /// An object store prefix.
    #[cfg(feature = "s3")]
    Object(ObjectRoot),
}

impl From<LocalRoot> for Storage {
    fn from(root: LocalRoot) -> Self {
        Storage::Local(root)
    }
}

#[cfg(feature = "s3")]
impl From<ObjectRoot> for Storage {
    fn from(root: ObjectRoot) -> Self {
        Storage::Object(root)
    }
}

impl Storage {
    /// Size in bytes of `path` (`stat`, or an object `HEAD`), without reading it.
    pub fn size(&self, path: &str) -> Result<u64, SourceError> {
        match self {
            Storage::Local(root) => root.size(path),
            #[cfg(feature = "s3")]
            Storage::Object(root) => root.size(path),
        }
    }

    /// What identifies the version of `path` without reading it: its size and modification
    /// time (`stat`), or its size and ETag (an object `HEAD`). A resumed task compares it with
    /// the stamp it recorded.
    pub fn stamp(&self, path: &str) -> Result<FileStamp, SourceError> {
        match self {
            Storage::Local(root) => root.stamp(path),
            #[cfg(feature = "s3")]
            Storage::Object(root) => root.stamp(path),
        }
    }

    /// The files directly in the directory `path` (an object prefix on S3), relative to the
    /// root and sorted; `None` when `path` names no directory.
    pub fn list_dir(&self, path: &str) -> Result<Option<Vec<String>>, SourceError> {
        match self {
            Storage::Local(root) => root.list_dir(path),
            #[cfg(feature = "s3")]
            Storage::Object(root) => root.list_dir(path),
        }
    }

    /// Opens `path` for reading.
    pub fn open(&self, path: &str) -> Result<Opened, SourceError> {
        match self {
            Storage::Local(root) => root.open_file(path),
            #[cfg(feature = "s3")]
            Storage::Object(root) => root.open(path).map(Opened::Ranged),
        }
    }

    /// The bucket of an object store root (`None` for a local directory).
    pub fn bucket(&self) -> Option<String> {
        match self {
            Storage::Local(_) => None,
            #[cfg(feature = "s3")]
            Storage::Object(root) => root.bucket(),
        }
    }

    /// The root as messages show it: a directory, or `s3://bucket/prefix`.
    pub fn describe(&self) -> String {
        match self {
            Storage::Local(root) => root.dir().display().to_string(),
            #[cfg(feature = "s3")]
            Storage::Object(root) => root.url(),
        }
    }
}

/// The version of an import file as its storage tells it: size, and modification time
/// (nanoseconds since the epoch, local files) or ETag (objects).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStamp {
    /// Bytes.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (local files).
    pub modified_ns: Option<u64>,
    /// The object's ETag (object storage).
    pub etag: Option<String>,
}

impl FileStamp {
    /// What differs from `older`, in words (`None` when nothing does).
    pub fn change_from(&self, older: &FileStamp) -> Option<String> {
        if self.size != older.size {
            return Some(format!("size {} -> {} bytes", older.size, self.size));
        }
        if self.modified_ns != older.modified_ns {
            let at = |t: Option<u64>| t.map_or_else(|| "unknown".into(), |t| t.to_string());
            return Some(format!(
                "modification time {} -> {} ns",
                at(older.modified_ns),
                at(self.modified_ns)
            ));
        }
        if self.etag != older.etag {
            let tag = |t: &Option<String>| t.clone().unwrap_or_else(|| "none".into());
            return Some(format!("ETag {} -> {}", tag(&older.etag), tag(&self.etag)));
        }
        None
    }
}

/// An opened import file.
#[derive(Debug)]
pub enum Opened {
    /// Mapped: the whole file is a slice.
    Mapped(MappedFile),
    /// Read by byte ranges.
    Ranged(RangedFile),
}

impl Opened {
    /// Length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Opened::Mapped(m) => m.bytes().len() as u64,
            Opened::Ranged(r) => r.len(),
        }
    }

    /// Fails with [`SourceError::Changed`] when the mapped file `path` changed since it was
    /// opened (ranged reads fail by themselves: a short read is an error).
    pub fn unchanged(&self, path: &str) -> Result<(), SourceError> {
        match self {
            Opened::Mapped(m) => m.unchanged(path),
            Opened::Ranged(_) => Ok(()),
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
