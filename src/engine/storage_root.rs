//! A task's storage root (INTERFACE 6): what a new task records of the engine's root, and the
//! root a queued, resumed or recovered task reads its files from, opened again from its record
//! (by the front end's [`RootOpener`](super::RootOpener), which adds credentials).

use std::path::Path;

use super::Inner;
use super::failure::TaskFailure;
use crate::ledger::StorageRoot;
use crate::source::{LocalRoot, Storage};

/// The record of `storage`: its directory made absolute, or its URL and S3 settings; never
/// credentials.
pub(super) fn record(storage: &Storage) -> StorageRoot {
    match storage {
        Storage::Local(l) => StorageRoot::dir(absolute(l.dir()), !l.is_confined()),
        #[cfg(feature = "s3")]
        Storage::Object(o) => {
            let s3 = o.s3_settings();
            StorageRoot {
                root: o.url(),
                absolute_paths: false,
                s3_endpoint: s3.and_then(|c| c.endpoint.clone()),
                s3_region: s3.and_then(|c| c.region.clone()),
                s3_allow_http: s3.is_some_and(|c| c.allow_http),
            }
        }
    }
}

/// `dir` as an absolute path (from the working directory), as text.
fn absolute(dir: &Path) -> String {
    let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    abs.to_string_lossy().into_owned()
}

/// The root a task that recorded `recorded` reads its files from: the engine's own when it
/// recorded none (older records) or the engine's own; otherwise the recorded root, opened by
/// the engine's [`RootOpener`](super::RootOpener) (without one: a local directory only). A
/// recorded directory that confines paths must exist. The failure names the root.
pub(super) fn open(inner: &Inner, recorded: Option<&StorageRoot>) -> Result<Storage, TaskFailure> {
    let own = &inner.opts.storage;
    let Some(r) = recorded else {
        return Ok(own.clone());
    };
    let failure = |reason: String| TaskFailure::StorageRoot {
        root: r.root.clone(),
        reason,
    };
    let storage = if *r == record(own) {
        own.clone()
    } else {
        let opened = match &inner.opts.open_root {
            Some(opener) => opener.open(r),
            None => open_local(r),
        };
        opened.map_err(|e| failure(format!("cannot be opened: {e}")))?
    };
    if let Storage::Local(l) = &storage
        && l.is_confined()
    {
        reachable(l.dir()).map_err(failure)?;
    }
    Ok(storage)
}

/// Opens a recorded local directory; an object store root needs the front end's opener (and
/// its credentials).
fn open_local(r: &StorageRoot) -> Result<Storage, String> {
    if r.root.contains("://") {
        return Err(
            "an object store root needs the front end's opener (EngineOptions::open_root), and this engine has none"
                .into(),
        );
    }
    Ok(match r.absolute_paths {
        true => LocalRoot::open(&r.root),
        false => LocalRoot::confined(&r.root),
    }
    .into())
}

/// Whether the directory `dir` is there; the error says why not.
fn reachable(dir: &Path) -> Result<(), String> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err("cannot be reached: it is not a directory".into()),
        Err(e) => Err(format!("cannot be reached: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_root_is_recorded_absolute_with_its_confinement() {
        let cwd = std::env::current_dir().unwrap();
        let r = record(&LocalRoot::open(".").into());
        assert_eq!(r, StorageRoot::dir(cwd.to_string_lossy(), true));
        let r = record(&LocalRoot::confined("some/dir").into());
        let want = cwd.join("some/dir");
        assert_eq!(r, StorageRoot::dir(want.to_string_lossy(), false));
        let r = record(&LocalRoot::confined("/srv/in").into());
        assert_eq!(r, StorageRoot::dir("/srv/in", false));
    }

    #[cfg(feature = "s3")]
    #[test]
    fn an_s3_root_is_recorded_without_credentials() {
        let cfg = crate::source::S3Config {
            endpoint: Some("http://127.0.0.1:9".into()),
            region: Some("eu-west-1".into()),
            access_key_id: Some("id".into()),
            secret_access_key: Some("secret".into()),
            allow_http: true,
            ..crate::source::S3Config::from_url("s3://b/in/2024").unwrap()
        };
        let root = crate::source::ObjectRoot::s3(&cfg).unwrap();
        let r = record(&root.clone().into());
        assert_eq!(
            r,
            StorageRoot {
                root: "s3://b/in/2024".into(),
                absolute_paths: false,
                s3_endpoint: Some("http://127.0.0.1:9".into()),
                s3_region: Some("eu-west-1".into()),
                s3_allow_http: true,
            }
        );
        let text = serde_json::to_string(&r).unwrap();
        assert!(
            !text.contains("secret") && !text.contains("\"id\""),
            "{text}"
        );
        let child = record(&root.child("x").unwrap().into());
        assert_eq!(child.root, "s3://b/in/2024/x");
        assert_eq!(child.s3_endpoint, r.s3_endpoint);
    }

    #[test]
    fn without_an_opener_only_local_directories_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_string_lossy().into_owned();
        let s = open_local(&StorageRoot::dir(path.clone(), false)).unwrap();
        assert_eq!(s.describe(), path);
        assert!(matches!(&s, Storage::Local(l) if l.is_confined()));
        let s = open_local(&StorageRoot::dir(path, true)).unwrap();
        assert!(matches!(&s, Storage::Local(l) if !l.is_confined()));
        let e = open_local(&StorageRoot::dir("s3://b/p", false)).unwrap_err();
        assert!(e.contains("opener"), "{e}");
        assert!(reachable(dir.path()).is_ok());
        let e = reachable(&dir.path().join("gone")).unwrap_err();
        assert!(e.contains("cannot be reached"), "{e}");
    }
}
