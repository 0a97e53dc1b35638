//! Engine options: plain structs with Milvus's defaults, each config key declared once here
//! (key, field, type, default, doc line); docs/config.md lists them.

use std::sync::Arc;

use super::setting::{Setting, SettingError, SettingValue, ValueKind, declare_options};
use crate::ledger::{OnError, StorageRoot};
use crate::segment::SEGMENT_MAX_SIZE_DEFAULT;
use crate::source::{LocalRoot, Storage};

/// How JSON rows are parsed (`import.json_parser`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JsonParser {
    /// simd-json parses each row; rows it cannot hold exactly go to the exact reader.
    SimdJson,
    /// The exact reader alone (the default): reads each row's text once, correctly rounded
    /// floats. It needs about 2.4x less CPU than simd-json on float-vector rows (whose float
    /// parsing simd-json cannot hand over), and no more on string-heavy rows.
    #[default]
    Exact,
}

impl std::str::FromStr for JsonParser {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        <JsonParser as SettingValue>::parse(s)
            .ok_or_else(|| format!("unknown JSON parser \"{s}\" (simd-json or exact)"))
    }
}

impl SettingValue for JsonParser {
    const KIND: ValueKind = ValueKind::Choice(&["exact", "simd-json"]);

    fn parse(text: &str) -> Option<Self> {
        match text {
            "exact" => Some(JsonParser::Exact),
            "simd-json" => Some(JsonParser::SimdJson),
            _ => None,
        }
    }

    fn show(&self) -> String {
        match self {
            JsonParser::Exact => "exact".into(),
            JsonParser::SimdJson => "simd-json".into(),
        }
    }
}

impl SettingValue for OnError {
    const KIND: ValueKind = ValueKind::Choice(&["abort", "skip"]);

    fn parse(text: &str) -> Option<Self> {
        OnError::parse(text)
    }

    fn show(&self) -> String {
        self.name().into()
    }
}

/// How the binary writes its log events (`log.format`): one line of text or one JSON object
/// per event, on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// `2026-12-02T10:00:00Z  INFO vecload::server: request method=POST ...`
    #[default]
    Text,
    /// One JSON object per event (`timestamp`, `level`, `target`, `fields`).
    Json,
}

impl SettingValue for LogFormat {
    const KIND: ValueKind = ValueKind::Choice(&["text", "json"]);

    fn parse(text: &str) -> Option<Self> {
        match text {
            "text" => Some(LogFormat::Text),
            "json" => Some(LogFormat::Json),
            _ => None,
        }
    }

    fn show(&self) -> String {
        match self {
            LogFormat::Text => "text".into(),
            LogFormat::Json => "json".into(),
        }
    }
}

/// The least severe log events the binary writes (`log.level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum LogLevel {
    /// Errors only (`-q`).
    Error,
    /// Errors and warnings.
    Warn,
    /// The default: a server's requests and tasks' lives.
    #[default]
    Info,
    /// More detail (`-v`).
    Debug,
    /// Everything.
    Trace,
}

impl LogLevel {
    const NAMES: [&'static str; 5] = ["error", "warn", "info", "debug", "trace"];
    const ALL: [LogLevel; 5] = [
        LogLevel::Error,
        LogLevel::Warn,
        LogLevel::Info,
        LogLevel::Debug,
        LogLevel::Trace,
    ];

    /// The level's name as `log.level` writes it.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

impl SettingValue for LogLevel {
    const KIND: ValueKind = ValueKind::Choice(&LogLevel::NAMES);

    fn parse(text: &str) -> Option<Self> {
        let i = Self::NAMES.iter().position(|n| *n == text)?;
        Some(Self::ALL[i])
    }

    fn show(&self) -> String {
        self.name().into()
    }
}

/// The machine's cores (1 when unknown).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

declare_options! {
    /// Limits and tuning of imports (`import.*` config keys).
    #[derive(Debug, Clone)]
    pub struct ImportOptions {
        keys:
        /// Seconds a started task may take before it fails ("timed out"); at least 1.
        "import.task_expiration_s" => task_expiration_s: u64 = 900, min 1;
        /// Seconds finished task records are kept.
        "import.task_retention_s" => task_retention_s: u64 = 86_400;
        /// Seconds a two-phase job may wait Uncommitted before it is aborted; at least 1.
        "import.uncommitted_ttl_s" => uncommitted_ttl_s: u64 = 86_400, min 1;
        /// Pending tasks the queue holds at most.
        "import.max_pending_tasks" => max_pending_tasks: usize = 65_536;
        /// Largest import file, in bytes.
        "import.max_file_size" => max_file_size: u64 = 16 << 30;
        /// Tasks that run at once.
        "import.max_parallel_tasks" => max_parallel_tasks: usize = cores(),
            shown "the number of cores";
        /// timely workers per task.
        "import.workers" => workers: usize = cores(), shown "the number of cores";
        /// Peak RSS budget of an import, in bytes.
        "import.memory_budget" => memory_budget: u64 = 256 << 20;
        /// Pause before each work unit, in milliseconds (a throttle; 0 = none).
        "import.throttle_unit_ms" => throttle_unit_ms: u64 = 0;
        /// Target size of a work unit, in bytes of input.
        "import.unit_bytes" => unit_bytes: usize = 4 << 20;
        /// How JSON rows are parsed: `exact`, or `simd-json` first.
        "import.json_parser" => json_parser: JsonParser = JsonParser::Exact;
        /// A bad row fails the task (`abort`) or goes to the rejects file (`skip`).
        "import.on_error", flag "on-error" => on_error: OnError = OnError::Abort;
        /// With skip: more rejected rows than this fail the task (0 = no limit).
        "import.max_errors", flag "max-errors" => max_errors: u64 = 0;
        /// With skip: a larger share of rejected rows fails the task (0 = no limit).
        "import.max_error_ratio", flag "max-error-ratio" => max_error_ratio: f64 = 0.0;
        /// With skip: a task whose rejects file would pass this many bytes fails.
        "import.max_rejects_bytes" => max_rejects_bytes: u64 = 64 << 20;
        /// A task interrupted by a crash continues from its last durable work unit.
        "import.resume" => resume: bool = true;
        /// Least milliseconds between two durable points of a resumable task (0 = no least).
        "import.resume_interval_ms" => resume_interval_ms: u64 = 5_000;
    }
}

declare_options! {
    /// Everything an [`Engine`](super::Engine) is opened with.
    #[derive(Debug, Clone)]
    pub struct EngineOptions {
        /// Where import files are read from: a local directory or an object store prefix
        /// (default: the current directory, absolute paths allowed). Front ends build it
        /// from [`StorageOptions`].
        pub storage: Storage = LocalRoot::open(".").into(),
        /// Opens the storage root a task recorded when it is not
        /// [`storage`](Self::storage) (the task was created by a process with another root),
        /// adding the credentials of the front end's own environment. `None`: a recorded
        /// local directory is opened, and a task whose recorded root is an object store
        /// other than `storage` fails naming it. The library opens nothing else by itself.
        pub open_root: Option<RootOpener> = None,
        /// Import limits and tuning.
        pub import: ImportOptions = ImportOptions::default(),
        /// Called before and after each durable write (catalog, ledger, segments); an error
        /// it returns fails that write. For tests of failing disks and crashes; none by
        /// default (the binary installs one from `VECLOAD_FAULT`).
        pub fault_hook: Option<crate::fault::FaultHook> = None,
        /// Installs the process-wide SIGBUS guard of memory-mapped import files when the
        /// engine opens ([`crate::source::guard_truncated_maps`]): a file truncated during an
        /// import fails its task ("FILE changed during import (size A -> B bytes)") instead
        /// of killing the process. Off by default (a library user opts in: it installs a
        /// signal handler); the binary turns it on.
        pub guard_maps: bool = false,
        /// Runs the Pending tasks found on open (a server, `import`). Off, they stay queued
        /// for the next process that runs tasks (`check --repair`).
        pub run_pending: bool = true,
        /// The service's settings: the engine keeps them for the front end that serves it.
        pub server: ServerOptions = ServerOptions::default(),
        /// The front end's log settings: the engine keeps them for the binary that installs
        /// the log subscriber.
        pub log: LogOptions = LogOptions::default(),
        /// Timeouts of a task over several processes (`import --cluster`).
        pub cluster: ClusterOptions = ClusterOptions::default(),
        keys:
        /// A segment file rolls over at this size, in bytes.
        "segment.max_size" => segment_max_size: u64 = SEGMENT_MAX_SIZE_DEFAULT;
        /// Partitions of a partition-key collection whose schema names no `partitionsNum`.
        "collection.default_partitions_with_key" => default_partitions_with_key: usize = 16;
    }
}

impl EngineOptions {
    /// Sets the engine, import or server option of config key `key` from `text`.
    pub fn set(&mut self, key: &str, text: &str) -> Result<(), SettingError> {
        (self.import.set_key(key, text))
            .or_else(|| self.server.set_key(key, text))
            .or_else(|| self.log.set_key(key, text))
            .or_else(|| self.cluster.set_key(key, text))
            .or_else(|| self.set_key(key, text))
            .unwrap_or_else(|| Err(SettingError::UnknownKey(key.to_string())))
    }

    /// The value of the engine, import or server option of config key `key`, as text.
    pub fn get(&self, key: &str) -> Option<String> {
        (self.import.get_key(key))
            .or_else(|| self.server.get_key(key))
            .or_else(|| self.log.get_key(key))
            .or_else(|| self.cluster.get_key(key))
            .or_else(|| self.get_key(key))
    }
}

declare_options! {
    /// The service's settings (`server.*` config keys), read by `vecload serve`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ServerOptions {
        keys:
        /// Token every request must carry (REST `Authorization: Bearer TOKEN`).
        "server.token", flag "token" => token: Option<String> = None,
            shown "none (any credentials are accepted)";
        /// Seconds an HTTP/1.1 connection may take to send a request head, from its first byte.
        "server.header_timeout_s" => header_timeout_s: u64 = 10, min 1;
        /// Seconds a request body may take to arrive, from the end of its head.
        "server.body_timeout_s" => body_timeout_s: u64 = 60, min 1;
        /// Seconds a keep-alive connection may wait between requests before it is closed.
        "server.idle_timeout_s" => idle_timeout_s: u64 = 60, min 1;
    }
}

declare_options! {
    /// Timeouts of one task over several processes (`cluster.*` config keys, INTERFACE 10).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ClusterOptions {
        keys:
        /// Seconds every process has to connect to the others; past it the task fails.
        "cluster.connect_timeout_s" => connect_timeout_s: u64 = 30, min 1;
        /// Seconds a process may go unheard (no message, no heartbeat) before the task fails.
        "cluster.peer_timeout_s" => peer_timeout_s: u64 = 60, min 1;
    }
}

declare_options! {
    /// Log events on stderr (`log.*` config keys), read by the binary.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct LogOptions {
        keys:
        /// Log format on stderr: `text` or `json` (one object per event).
        "log.format" => format: LogFormat = LogFormat::Text;
        /// Least severe log events written: error, warn, info, debug or trace (`-q` is error, `-v` debug).
        "log.level" => level: LogLevel = LogLevel::Info;
    }
}

declare_options! {
    /// Where import files are read from, as the `storage.*` keys give it. The library opens
    /// no storage from these: a front end builds [`EngineOptions::storage`] from them, adding
    /// credentials from its own environment.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct StorageOptions {
        keys:
        /// Storage root import paths are relative to: a directory or `s3://bucket[/prefix]`.
        "storage.root", flag "storage" => root: Option<String> = None,
            shown "the current directory (absolute paths allowed)";
        /// S3 endpoint URL of an `s3://` root.
        "storage.s3.endpoint", flag "s3-endpoint" => s3_endpoint: Option<String> = None,
            shown "AWS";
        /// S3 region of an `s3://` root.
        "storage.s3.region", flag "s3-region" => s3_region: Option<String> = None,
            shown "us-east-1";
        /// Allow a plain `http://` S3 endpoint (loopback test servers).
        "storage.s3.allow_http", flag "s3-allow-http" => s3_allow_http: bool = false;
    }
}

/// How a front end opens a storage root that a task recorded ([`EngineOptions::open_root`]):
/// from the root's URL or directory and S3 settings, plus credentials the front end holds.
/// Its error names what went wrong; the task's reason adds the root.
#[derive(Clone)]
pub struct RootOpener(Arc<OpenRootFn>);

type OpenRootFn = dyn Fn(&StorageRoot) -> Result<Storage, String> + Send + Sync;

impl RootOpener {
    /// An opener calling `f`.
    pub fn new(
        f: impl Fn(&StorageRoot) -> Result<Storage, String> + Send + Sync + 'static,
    ) -> Self {
        RootOpener(Arc::new(f))
    }

    /// Opens `root`.
    pub fn open(&self, root: &StorageRoot) -> Result<Storage, String> {
        (self.0)(root)
    }
}

impl std::fmt::Debug for RootOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RootOpener(..)")
    }
}

/// Every config key, in the order docs/config.md lists them.
pub fn settings() -> impl Iterator<Item = &'static Setting> {
    (ImportOptions::KEYS.iter())
        .chain(EngineOptions::KEYS)
        .chain(StorageOptions::KEYS)
        .chain(ServerOptions::KEYS)
        .chain(LogOptions::KEYS)
        .chain(ClusterOptions::KEYS)
}

#[cfg(test)]
mod tests;
