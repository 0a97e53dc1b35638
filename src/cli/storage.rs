//! The storage root from `--storage`, the `--s3-*` flags and the `AWS_*` variables.

use anyhow::Result;
use vecload::source::{LocalRoot, ObjectRoot, S3Config, Storage};

use super::args::Cli;

/// A variable's value, unless unset or empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `--storage s3://bucket[/prefix]` is an object root (flags win over `AWS_*`); another
/// `--storage` is a confined directory; none is the current directory, absolute paths
/// allowed (INTERFACE.md section 1).
pub(super) fn storage(cli: &Cli) -> Result<Storage> {
    let Some(root) = cli.storage.as_deref() else {
        return Ok(LocalRoot::open(".").into());
    };
    if !root.starts_with("s3://") {
        return Ok(LocalRoot::confined(root).into());
    }
    let cfg = S3Config {
        endpoint: cli
            .s3
            .s3_endpoint
            .clone()
            .or_else(|| env("AWS_ENDPOINT_URL")),
        region: cli
            .s3
            .s3_region
            .clone()
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION")),
        access_key_id: env("AWS_ACCESS_KEY_ID"),
        secret_access_key: env("AWS_SECRET_ACCESS_KEY"),
        session_token: env("AWS_SESSION_TOKEN"),
        allow_http: cli.s3.s3_allow_http,
        ..S3Config::from_url(root)?
    };
    Ok(ObjectRoot::s3(&cfg)?.into())
}
