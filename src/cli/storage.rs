//! The storage root from the `storage.*` keys (resolved from the flags, the environment and
//! the config file) and the credentials in `AWS_*` variables; and the opener of the roots
//! tasks recorded (another process's `--storage`), with this process's credentials.

use anyhow::Result;
use vecload::engine::{RootOpener, StorageOptions, StorageRoot};
use vecload::source::{LocalRoot, ObjectRoot, S3Config, Storage};

/// A variable's value, unless unset or empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `s3://bucket[/prefix]` is an object root; another root is a confined directory; none
/// is the current directory with absolute paths allowed (docs/config.md).
pub(super) fn storage(keys: &StorageOptions) -> Result<Storage> {
    let Some(root) = keys.root.as_deref() else {
        return Ok(LocalRoot::open(".").into());
    };
    if !root.starts_with("s3://") {
        return Ok(LocalRoot::confined(root).into());
    }
    let cfg = S3Config {
        endpoint: keys.s3_endpoint.clone(),
        region: keys.s3_region.clone(),
        access_key_id: env("AWS_ACCESS_KEY_ID"),
        secret_access_key: env("AWS_SECRET_ACCESS_KEY"),
        session_token: env("AWS_SESSION_TOKEN"),
        allow_http: keys.s3_allow_http,
        ..S3Config::from_url(root)?
    };
    Ok(ObjectRoot::s3(&cfg)?.into())
}

/// Opens the storage root a task recorded at its creation, as [`storage`] opens the keys: a
/// directory (confining paths unless it was the default root), or `s3://` with the recorded
/// endpoint, region and `allow_http` and this process's `AWS_*` credentials.
pub(super) fn opener() -> RootOpener {
    RootOpener::new(|r: &StorageRoot| {
        if r.absolute_paths {
            return Ok(LocalRoot::open(&r.root).into());
        }
        let keys = StorageOptions {
            root: Some(r.root.clone()),
            s3_endpoint: r.s3_endpoint.clone(),
            s3_region: r.s3_region.clone(),
            s3_allow_http: r.s3_allow_http,
        };
        storage(&keys).map_err(|e| format!("{e:#}"))
    })
}
