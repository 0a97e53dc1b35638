//! The storage root from `--storage` (or `storage.root`), the `--s3-*` flags, the `AWS_*`
//! variables and the `storage.s3.*` keys, in that order of precedence.

use anyhow::Result;
use vecload::source::{LocalRoot, ObjectRoot, S3Config, Storage};

use super::args::Cli;
use super::config::ConfigFile;

/// A variable's value, unless unset or empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `s3://bucket[/prefix]` is an object root; another root is a confined directory; none
/// is the current directory with absolute paths allowed (docs/config.md, `storage.root`).
pub(super) fn storage(cli: &Cli, file: &ConfigFile) -> Result<Storage> {
    let Some(root) = cli.storage.as_deref().or(file.storage_root()) else {
        return Ok(LocalRoot::open(".").into());
    };
    if !root.starts_with("s3://") {
        return Ok(LocalRoot::confined(root).into());
    }
    let (flags, keys) = (&cli.s3, file.s3());
    let cfg = S3Config {
        endpoint: (flags.s3_endpoint.clone())
            .or_else(|| env("AWS_ENDPOINT_URL"))
            .or_else(|| keys.endpoint.clone()),
        region: (flags.s3_region.clone())
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .or_else(|| keys.region.clone()),
        access_key_id: env("AWS_ACCESS_KEY_ID"),
        secret_access_key: env("AWS_SECRET_ACCESS_KEY"),
        session_token: env("AWS_SESSION_TOKEN"),
        allow_http: flags.s3_allow_http || keys.allow_http.unwrap_or(false),
        ..S3Config::from_url(root)?
    };
    Ok(ObjectRoot::s3(&cfg)?.into())
}
