//! Object storage as the storage root (`s3://bucket[/prefix]`, or any `object_store` store
//! such as the in-memory one): keys confined under the prefix, `HEAD` for sizes, ranged
//! `GET`s retried a bounded number of times, on a small tokio runtime of the root's own.
//!
//! The only module that knows `object_store` and tokio.

mod config;
mod errors;
mod rt;

use std::ops::Range;
use std::sync::{Arc, Once};
use std::time::Duration;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::memory::InMemory;
use object_store::path::Path as Key;
use object_store::{
    BackoffConfig, ClientOptions, GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload,
    RetryConfig,
};

use super::SourceError;
use super::ranged::{Fetch, RangedFile, ReadAt, ReadTuning};
pub use config::S3Config;
use errors::{Failure, StoreError};
use rt::{Rt, Spawned};

/// Retries inside one request (connection errors, 5xx); our own attempts come on top.
const REQUEST_RETRIES: usize = 2;
/// A connection to the endpoint must open within this.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// One request (a chunk of `chunk_bytes`) must finish within this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Pause before the second attempt of a read; doubled for each further one.
const RETRY_PAUSE: Duration = Duration::from_millis(200);

/// An object store prefix that import paths are relative to.
#[derive(Debug, Clone)]
pub struct ObjectRoot {
    inner: Arc<Inner>,
    tuning: ReadTuning,
}

struct Inner {
    store: Arc<dyn ObjectStore>,
    /// `s3://bucket`, `memory://name`.
    base_url: String,
    /// Key prefix, without slashes at either end; may be empty.
    prefix: String,
    /// What messages name as the endpoint.
    endpoint: String,
    /// The S3 settings the root was made from, without credentials (`None`: another store).
    s3: Option<S3Config>,
    rt: Rt,
}

impl std::fmt::Debug for Inner {
    /// The root and endpoint; not the store's configuration.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectRoot")
            .field("url", &join(&self.base_url, &self.prefix))
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl ObjectRoot {
    /// A root on an S3-compatible store. Makes no request.
    pub fn s3(cfg: &S3Config) -> Result<Self, SourceError> {
        static TLS: Once = Once::new();
        // reqwest is built without a default TLS provider (no aws-lc): install ring once.
        TLS.call_once(|| {
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let base_url = format!("s3://{}", cfg.bucket);
        let bad = |reason: String| SourceError::BadRoot {
            root: join(&base_url, &cfg.prefix),
            reason,
        };
        let mut b = AmazonS3Builder::new()
            .with_bucket_name(&cfg.bucket)
            .with_region(cfg.region())
            .with_virtual_hosted_style_request(false)
            // Options replace an earlier `with_allow_http`: set it here.
            .with_client_options(
                ClientOptions::new()
                    .with_allow_http(cfg.allow_http)
                    .with_connect_timeout(CONNECT_TIMEOUT)
                    .with_timeout(REQUEST_TIMEOUT),
            )
            .with_retry(RetryConfig {
                backoff: BackoffConfig {
                    init_backoff: Duration::from_millis(100),
                    max_backoff: Duration::from_secs(2),
                    base: 2.0,
                },
                max_retries: REQUEST_RETRIES,
                retry_timeout: Duration::from_secs(30),
            });
        if let Some(e) = &cfg.endpoint {
            if e.starts_with("http://") && !cfg.allow_http {
                return Err(bad(format!(
                    "the endpoint {e} is plain http: allow it explicitly (--s3-allow-http)"
                )));
            }
            b = b.with_endpoint(e);
        }
        match (&cfg.access_key_id, &cfg.secret_access_key) {
            (Some(id), Some(secret)) => {
                b = b.with_access_key_id(id).with_secret_access_key(secret);
                if let Some(t) = &cfg.session_token {
                    b = b.with_token(t);
                }
            }
            // No keys: anonymous requests, never a credentials lookup on the network.
            (None, None) => b = b.with_skip_signature(true),
            _ => return Err(bad("set both the access key id and the secret key".into())),
        }
        let store = b.build().map_err(|e| bad(e.to_string()))?;
        let endpoint = cfg
            .endpoint
            .clone()
            .unwrap_or_else(|| format!("https://s3.{}.amazonaws.com", cfg.region()));
        let mut root = Self::with_store(Arc::new(store), base_url, &cfg.prefix, endpoint)?;
        if let Some(inner) = Arc::get_mut(&mut root.inner) {
            inner.s3 = Some(S3Config {
                access_key_id: None,
                secret_access_key: None,
                session_token: None,
                ..cfg.clone()
            });
        }
        Ok(root)
    }

    /// A root on a fresh in-memory store named `memory://name` (tests, tools).
    pub fn in_memory(name: &str) -> Result<Self, SourceError> {
        let url = format!("memory://{name}");
        Self::with_store(Arc::new(InMemory::new()), url.clone(), "", url)
    }

    fn with_store(
        store: Arc<dyn ObjectStore>,
        base_url: String,
        prefix: &str,
        endpoint: String,
    ) -> Result<Self, SourceError> {
        let rt = Rt::new().map_err(|e| SourceError::BadRoot {
            root: base_url.clone(),
            reason: format!("cannot start the I/O runtime: {e}"),
        })?;
        let inner = Inner {
            store,
            base_url,
            prefix: prefix.trim_matches('/').to_string(),
            endpoint,
            s3: None,
            rt,
        };
        Ok(ObjectRoot {
            inner: Arc::new(inner),
            tuning: ReadTuning::default(),
        })
    }

    /// The same root, reading with `tuning`.
    pub fn with_tuning(mut self, tuning: ReadTuning) -> Self {
        self.tuning = tuning;
        self
    }

    /// The same store with the prefix `sub` below this root's (for tests and tools).
    pub fn child(&self, sub: &str) -> Result<Self, SourceError> {
        let (_, url) = self.key(sub)?;
        let inner = Inner {
            store: self.inner.store.clone(),
            base_url: self.inner.base_url.clone(),
            prefix: join(&self.inner.prefix, sub),
            endpoint: self.inner.endpoint.clone(),
            s3: (self.inner.s3.clone()).map(|c| S3Config {
                prefix: join(&c.prefix, sub),
                ..c
            }),
            rt: self.inner.rt.clone(),
        };
        debug_assert_eq!(url, join(&inner.base_url, &inner.prefix));
        Ok(ObjectRoot {
            inner: Arc::new(inner),
            tuning: self.tuning,
        })
    }

    /// The bucket, for a root on S3.
    pub fn bucket(&self) -> Option<String> {
        (self.inner.base_url.strip_prefix("s3://")).map(str::to_string)
    }

    /// The S3 settings of a root on S3 (bucket, prefix, endpoint, region, `allow_http`),
    /// without its credentials: what a task records to open the root again.
    pub fn s3_settings(&self) -> Option<&S3Config> {
        self.inner.s3.as_ref()
    }

    /// The root's URL, `s3://bucket/prefix`.
    pub fn url(&self) -> String {
        join(&self.inner.base_url, &self.inner.prefix)
    }

    /// The key of `path` under the prefix and the object's URL; refuses paths that escape
    /// the prefix (`..`, absolute paths, URLs) or cannot be keys.
    fn key(&self, path: &str) -> Result<(Key, String), SourceError> {
        if path.starts_with('/') || path.contains("://") || path.split('/').any(|s| s == "..") {
            return Err(SourceError::Escapes {
                path: path.to_string(),
                root: self.url(),
            });
        }
        let bad = |reason| SourceError::BadPath {
            path: path.to_string(),
            reason,
        };
        check_path(path).map_err(bad)?;
        let full = join(&self.inner.prefix, path);
        let key = Key::parse(&full).map_err(|_| bad("not a valid object key"))?;
        Ok((key, join(&self.inner.base_url, &full)))
    }

    fn failure<'a>(&'a self, url: &'a str) -> Failure<'a> {
        Failure {
            url,
            endpoint: &self.inner.endpoint,
        }
    }

    /// Size in bytes of the object at `path` (one `HEAD`).
    pub fn size(&self, path: &str) -> Result<u64, SourceError> {
        let (key, url) = self.key(path)?;
        let store = self.inner.store.clone();
        let meta = self
            .inner
            .rt
            .block_on(async move { store.head(&key).await })
            .map_err(|e| self.failure(&url).error(&e))?;
        Ok(meta.size)
    }

    /// Size and ETag of the object at `path` (one `HEAD`).
    pub fn stamp(&self, path: &str) -> Result<super::FileStamp, SourceError> {
        let (key, url) = self.key(path)?;
        let store = self.inner.store.clone();
        let meta = self
            .inner
            .rt
            .block_on(async move { store.head(&key).await })
            .map_err(|e| self.failure(&url).error(&e))?;
        Ok(super::FileStamp {
            size: meta.size,
            modified_ns: None,
            etag: meta.e_tag,
        })
    }

    /// The objects directly under `path/` (one `LIST` with a delimiter), as paths relative to
    /// the root, sorted; `None` when there is none (`path` is no "directory").
    pub fn list_dir(&self, path: &str) -> Result<Option<Vec<String>>, SourceError> {
        let dir = path.trim_end_matches('/');
        let (key, url) = self.key(dir)?;
        let store = self.inner.store.clone();
        let listed = self
            .inner
            .rt
            .block_on(async move { store.list_with_delimiter(Some(&key)).await })
            .map_err(|e| self.failure(&url).error(&e))?;
        let mut files: Vec<String> = (listed.objects.iter())
            .filter_map(|m| m.location.filename())
            .map(|name| format!("{dir}/{name}"))
            .collect();
        files.sort();
        Ok((!files.is_empty()).then_some(files))
    }

    /// Opens the object at `path` for ranged reads (one `HEAD` for its length and ETag;
    /// every read then carries `If-Match` with that ETag, so an object replaced during the
    /// task fails it instead of mixing two versions).
    pub fn open(&self, path: &str) -> Result<RangedFile, SourceError> {
        let (key, url) = self.key(path)?;
        let store = self.inner.store.clone();
        let head_key = key.clone();
        let meta = self
            .inner
            .rt
            .block_on(async move { store.head(&head_key).await })
            .map_err(|e| self.failure(&url).error(&e))?;
        let len = meta.size;
        let reader = Arc::new(ObjectFile {
            inner: self.inner.clone(),
            key,
            url: url.clone(),
            attempts: self.tuning.attempts.max(1),
            etag: meta.e_tag,
            len,
        });
        Ok(RangedFile::new(url, len, reader, self.tuning))
    }

    /// Writes `bytes` as the object at `path` (one `PUT`; for tests and tools).
    pub fn put(&self, path: &str, bytes: Vec<u8>) -> Result<(), SourceError> {
        let (key, url) = self.key(path)?;
        let store = self.inner.store.clone();
        let payload = PutPayload::from(bytes);
        self.inner
            .rt
            .block_on(async move { store.put(&key, payload).await })
            .map_err(|e| self.failure(&url).error(&e))?;
        Ok(())
    }
}

/// Checks the segments of a relative object path: none empty, `.` or `..`, no control
/// characters.
fn check_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("empty path");
    }
    for seg in path.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." {
            return Err("empty, '.' or '..' path segment");
        }
        if seg.chars().any(char::is_control) {
            return Err("control character");
        }
    }
    Ok(())
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (_, true) => a.to_string(),
        (true, false) => b.to_string(),
        (false, false) => format!("{a}/{b}"),
    }
}

/// One object, read by ranges.
struct ObjectFile {
    inner: Arc<Inner>,
    key: Key,
    url: String,
    attempts: u32,
    /// The ETag `HEAD` gave when the object was opened; sent as `If-Match` with every read.
    etag: Option<String>,
    /// The size `HEAD` gave.
    len: u64,
}

impl ObjectFile {
    /// Reads `range`, retrying up to `attempts` times; gives up at once on errors that a
    /// retry cannot mend (not found, access denied).
    fn read_future(
        &self,
        range: Range<u64>,
    ) -> impl Future<Output = Result<Bytes, SourceError>> + Send + 'static {
        let (inner, key, url, attempts, etag, len) = (
            self.inner.clone(),
            self.key.clone(),
            self.url.clone(),
            self.attempts,
            self.etag.clone(),
            self.len,
        );
        async move {
            let failure = Failure {
                url: &url,
                endpoint: &inner.endpoint,
            };
            let want = range.end - range.start;
            let mut pause = RETRY_PAUSE;
            let mut last = String::new();
            for attempt in 1..=attempts {
                if attempt > 1 {
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
                let opts = GetOptions {
                    range: Some(GetRange::Bounded(range.clone())),
                    if_match: etag.clone(),
                    ..GetOptions::default()
                };
                let got = match inner.store.get_opts(&key, opts).await {
                    Ok(r) => r.bytes().await,
                    Err(e) => Err(e),
                };
                match got {
                    Ok(b) if b.len() as u64 == want => return Ok(b),
                    Ok(b) => last = format!("short read: {} of {want} bytes", b.len()),
                    Err(object_store::Error::Precondition { .. }) => {
                        // Replaced since it was opened: its new size, if HEAD can tell.
                        let to = inner.store.head(&key).await.map_or(0, |m| m.size);
                        return Err(SourceError::Changed {
                            path: url.clone(),
                            from: len,
                            to,
                        });
                    }
                    Err(e) => match StoreError::of(&e) {
                        StoreError::NotFound | StoreError::Denied => {
                            return Err(failure.error(&e));
                        }
                        _ => last = failure.error(&e).to_string(),
                    },
                }
            }
            Err(SourceError::ReadFailed {
                url: url.clone(),
                start: range.start,
                end: range.end,
                attempts,
                detail: last,
            })
        }
    }
}

impl ReadAt for ObjectFile {
    fn read_at(&self, range: Range<u64>) -> Result<Bytes, SourceError> {
        self.inner.rt.block_on(self.read_future(range))
    }

    fn start(&self, range: Range<u64>) -> Box<dyn Fetch> {
        let url = self.url.clone();
        let handle = self.inner.rt.spawn(self.read_future(range));
        Box::new(Spawned {
            handle: Some(handle),
            rt: self.inner.rt.clone(),
            url,
        })
    }
}

#[cfg(test)]
mod tests;
