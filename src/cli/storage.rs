//! The storage root from the `storage.*` keys (resolved from the flags, the environment and
//! the config file) and the credentials in `AWS_*` variables.

use anyhow::Result;
use vecload::engine::StorageOptions;
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
