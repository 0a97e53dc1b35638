//! Where an S3-compatible store is and how to talk to it.

use super::check_path;
use crate::source::SourceError;

/// Where an S3-compatible store is and how to talk to it (docs/config.md, `storage.*`). The
/// CLI fills it from `--storage s3://...`, `--s3-*` flags and `AWS_*` variables; the library
/// reads no environment.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct S3Config {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix import paths are relative to (no leading or trailing `/`; may be empty).
    pub prefix: String,
    /// Endpoint URL (`http://127.0.0.1:9000`); `None` for AWS itself.
    pub endpoint: Option<String>,
    /// Region (default `us-east-1`).
    pub region: Option<String>,
    /// Access key id; without keys, requests are not signed (public buckets).
    pub access_key_id: Option<String>,
    /// Secret access key.
    pub secret_access_key: Option<String>,
    /// Session token of temporary credentials.
    pub session_token: Option<String>,
    /// Allow plain `http://` endpoints (loopback test servers).
    pub allow_http: bool,
}

impl S3Config {
    /// Bucket and prefix from `s3://bucket[/prefix]`; everything else unset.
    pub fn from_url(url: &str) -> Result<Self, SourceError> {
        let bad = |reason: &str| SourceError::BadRoot {
            root: url.to_string(),
            reason: reason.to_string(),
        };
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| bad("expected s3://bucket[/prefix]"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let prefix = prefix.trim_matches('/');
        if bucket.is_empty() {
            return Err(bad("no bucket name"));
        }
        if !prefix.is_empty() {
            check_path(prefix).map_err(bad)?;
        }
        Ok(S3Config {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
            ..S3Config::default()
        })
    }

    /// The region, `us-east-1` unless set.
    pub fn region(&self) -> &str {
        self.region.as_deref().unwrap_or("us-east-1")
    }
}

impl std::fmt::Debug for S3Config {
    /// Leaves out the secrets.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hidden = |v: &Option<String>| v.as_ref().map(|_| "******");
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &hidden(&self.secret_access_key))
            .field("session_token", &hidden(&self.session_token))
            .field("allow_http", &self.allow_http)
            .finish()
    }
}
