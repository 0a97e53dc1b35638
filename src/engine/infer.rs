//! `collection infer`'s reading: the files named (relative to the storage root, as import
//! reads them) opened through `source/` and handed to [`crate::parse::infer`]. Needs no
//! data directory. A directory is one NumPy column set (its `.npy` files), as for import;
//! `.npy` files given by name make one set per directory.

use std::sync::Arc;

use bytes::Bytes;

use super::EngineError;
use crate::parse::infer::{InferOptions, Inference, Inferred};
use crate::parse::parquet::FileBytes;
use crate::parse::{FileKind, FilesError};
use crate::source::{MappedFile, Opened, Storage};

/// The bytes of an opened file: a map, or the whole file read (object storage).
enum Body {
    Mapped(Arc<MappedFile>),
    Read(Bytes),
}

impl Body {
    fn open(storage: &Storage, path: &str) -> Result<Body, EngineError> {
        Ok(match storage.open(path)? {
            Opened::Mapped(m) => Body::Mapped(Arc::new(m)),
            Opened::Ranged(r) => Body::Read(r.read(0..r.len())?),
        })
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Body::Mapped(m) => m.bytes(),
            Body::Read(b) => b,
        }
    }

    fn file_bytes(&self) -> FileBytes {
        FileBytes::whole(match self {
            Body::Mapped(m) => Bytes::from_owner(SharedMap(m.clone())),
            Body::Read(b) => b.clone(),
        })
    }
}

/// A map shared as [`Bytes`] (the Parquet decoder takes its input as `Bytes`).
struct SharedMap(Arc<MappedFile>);

impl AsRef<[u8]> for SharedMap {
    fn as_ref(&self) -> &[u8] {
        self.0.bytes()
    }
}

/// What the files make: each row file alone, the `.npy` files of each directory together.
#[derive(Debug, PartialEq, Eq)]
enum Unit {
    Rows(String, FileKind),
    Columns(String, Vec<String>),
}

/// The directory part of `path` (`""` for none).
fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The last part of `path`, without its extension.
fn stem_of(path: &str) -> &str {
    let name = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// Groups `files` into units; a path with no known extension is a directory of `.npy`
/// files.
fn units(storage: &Storage, files: &[String]) -> Result<Vec<Unit>, EngineError> {
    let mut units: Vec<Unit> = Vec::new();
    for path in files {
        match FileKind::of(path) {
            Some(FileKind::Npy) => {
                let dir = dir_of(path);
                let set = units.iter_mut().find_map(|u| match u {
                    Unit::Columns(d, set) if d == dir => Some(set),
                    _ => None,
                });
                match set {
                    Some(set) => set.push(path.clone()),
                    None => units.push(Unit::Columns(dir.to_string(), vec![path.clone()])),
                }
            }
            Some(kind) => units.push(Unit::Rows(path.clone(), kind)),
            None => {
                let listed = match storage.list_dir(path) {
                    Ok(Some(files)) => files,
                    Ok(None) => return Err(FilesError::Unsupported(path.clone()).into()),
                    Err(e) if e.is_not_found() => {
                        return Err(FilesError::Unsupported(path.clone()).into());
                    }
                    Err(e) => return Err(e.into()),
                };
                let npy: Vec<String> = (listed.into_iter())
                    .filter(|f| FileKind::of(f) == Some(FileKind::Npy))
                    .collect();
                if npy.is_empty() {
                    return Err(EngineError::InvalidRequest(format!(
                        "the directory '{path}' holds no .npy files (a directory is read as one NumPy column set)"
                    )));
                }
                units.push(Unit::Columns(path.trim_end_matches('/').to_string(), npy));
            }
        }
    }
    Ok(units)
}

/// A collection name from a file's stem: characters Milvus does not take in names become
/// `_`, and a leading digit gets a `_` before it.
fn name_from(stem: &str) -> String {
    let mut name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name.insert(0, '_');
    }
    name
}

/// Infers the schema of collection `name` (default: the first file's stem, or a NumPy
/// set's directory name) from `files`, read under `storage` as import reads them.
pub fn infer_schema(
    storage: &Storage,
    files: &[String],
    name: Option<&str>,
    opts: InferOptions,
) -> Result<Inferred, EngineError> {
    if files.is_empty() {
        return Err(FilesError::Empty.into());
    }
    let units = units(storage, files)?;
    let mut inf = Inference::new(opts);
    for unit in &units {
        match unit {
            Unit::Rows(path, kind) => {
                let body = Body::open(storage, path)?;
                match kind {
                    FileKind::Json(format) => inf.json(path, body.bytes(), *format)?,
                    FileKind::Csv => inf.csv(path, body.bytes())?,
                    _ => inf.parquet(path, &body.file_bytes())?,
                }
            }
            Unit::Columns(_, set) => {
                let bodies = (set.iter())
                    .map(|p| Body::open(storage, p))
                    .collect::<Result<Vec<_>, _>>()?;
                let files: Vec<(String, &[u8])> = (set.iter().cloned())
                    .zip(bodies.iter().map(Body::bytes))
                    .collect();
                inf.numpy(&files)?;
            }
        }
    }
    let default = match &units[0] {
        Unit::Rows(path, _) => stem_of(path),
        Unit::Columns(dir, _) if !dir.is_empty() => stem_of(dir),
        Unit::Columns(..) => "collection",
    };
    let name = name.map_or_else(|| name_from(default), str::to_string);
    Ok(inf.finish(&name)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_stems() {
        assert_eq!(name_from(stem_of("data/book/book.json")), "book");
        assert_eq!(name_from(stem_of("/tmp/x/1.parquet")), "_1");
        assert_eq!(name_from(stem_of("my-data.v2.csv")), "my_data_v2");
        assert_eq!(name_from(stem_of("data/book/npy/")), "npy");
    }

    #[test]
    fn npy_files_group_by_directory() {
        let storage: Storage = crate::source::LocalRoot::open(".").into();
        let files: Vec<String> = ["a/id.npy", "b.json", "a/v.npy", "c/id.npy"]
            .map(String::from)
            .to_vec();
        let got = units(&storage, &files).unwrap();
        assert_eq!(
            got,
            vec![
                Unit::Columns("a".into(), vec!["a/id.npy".into(), "a/v.npy".into()]),
                Unit::Rows(
                    "b.json".into(),
                    FileKind::Json(crate::parse::infer::JsonFormat::Document)
                ),
                Unit::Columns("c".into(), vec!["c/id.npy".into()]),
            ]
        );
        let err = units(&storage, &["no-such-dir".to_string()]).unwrap_err();
        assert!(err.to_string().contains("no-such-dir"), "{err}");
    }
}
