//! Engine options: plain structs with Milvus's defaults, each config key declared once here
//! (key, field, type, default, doc line); docs/config.md lists them.

use super::setting::{Setting, SettingError, SettingValue, ValueKind, declare_options};
use crate::ledger::OnError;
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
            .or_else(|| self.set_key(key, text))
            .unwrap_or_else(|| Err(SettingError::UnknownKey(key.to_string())))
    }

    /// The value of the engine, import or server option of config key `key`, as text.
    pub fn get(&self, key: &str) -> Option<String> {
        (self.import.get_key(key))
            .or_else(|| self.server.get_key(key))
            .or_else(|| self.log.get_key(key))
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

/// Every config key, in the order docs/config.md lists them.
pub fn settings() -> impl Iterator<Item = &'static Setting> {
    (ImportOptions::KEYS.iter())
        .chain(EngineOptions::KEYS)
        .chain(StorageOptions::KEYS)
        .chain(ServerOptions::KEYS)
        .chain(LogOptions::KEYS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::PipelineOptions;
    use crate::segment::WriterOptions;

    /// Each key's flag and documented default (docs/config.md), in table order.
    const DOCUMENTED: [(&str, &str, &str); 28] = [
        (
            "import.task_expiration_s",
            "import-task-expiration-s",
            "900",
        ),
        (
            "import.task_retention_s",
            "import-task-retention-s",
            "86400",
        ),
        (
            "import.uncommitted_ttl_s",
            "import-uncommitted-ttl-s",
            "86400",
        ),
        (
            "import.max_pending_tasks",
            "import-max-pending-tasks",
            "65536",
        ),
        (
            "import.max_file_size",
            "import-max-file-size",
            "17179869184",
        ),
        (
            "import.max_parallel_tasks",
            "import-max-parallel-tasks",
            "the number of cores",
        ),
        ("import.workers", "import-workers", "the number of cores"),
        ("import.memory_budget", "import-memory-budget", "268435456"),
        ("import.throttle_unit_ms", "import-throttle-unit-ms", "0"),
        ("import.unit_bytes", "import-unit-bytes", "4194304"),
        ("import.json_parser", "import-json-parser", "exact"),
        ("import.on_error", "on-error", "abort"),
        ("import.max_errors", "max-errors", "0"),
        ("import.max_error_ratio", "max-error-ratio", "0"),
        (
            "import.max_rejects_bytes",
            "import-max-rejects-bytes",
            "67108864",
        ),
        ("import.resume", "import-resume", "true"),
        ("segment.max_size", "segment-max-size", "536870912"),
        (
            "collection.default_partitions_with_key",
            "collection-default-partitions-with-key",
            "16",
        ),
        (
            "storage.root",
            "storage",
            "the current directory (absolute paths allowed)",
        ),
        ("storage.s3.endpoint", "s3-endpoint", "AWS"),
        ("storage.s3.region", "s3-region", "us-east-1"),
        ("storage.s3.allow_http", "s3-allow-http", "false"),
        (
            "server.token",
            "token",
            "none (any credentials are accepted)",
        ),
        ("server.header_timeout_s", "server-header-timeout-s", "10"),
        ("server.body_timeout_s", "server-body-timeout-s", "60"),
        ("server.idle_timeout_s", "server-idle-timeout-s", "60"),
        ("log.format", "log-format", "text"),
        ("log.level", "log-level", "info"),
    ];

    /// A value of `s` other than its default.
    fn sample(s: &Setting) -> &'static str {
        match s.kind() {
            ValueKind::Integer => "7",
            ValueKind::Bool if s.default_text() == "true" => "false",
            ValueKind::Bool => "true",
            ValueKind::Text => "s3://bucket/prefix",
            ValueKind::Choice(words) => words[words.len() - 1],
            ValueKind::Ratio => "0.5",
        }
    }

    /// Sets `key` in whichever options hold it.
    fn set(
        engine: &mut EngineOptions,
        storage: &mut StorageOptions,
        key: &str,
        text: &str,
    ) -> Result<(), SettingError> {
        (storage.set_key(key, text)).unwrap_or_else(|| engine.set(key, text))
    }

    #[test]
    fn keys_flags_and_defaults_are_the_documented_ones() {
        let got: Vec<_> = settings()
            .map(|s| {
                (
                    s.key(),
                    s.flag().into_owned(),
                    s.default_text().into_owned(),
                )
            })
            .collect();
        let want: Vec<_> = (DOCUMENTED.iter())
            .map(|&(key, flag, default)| (key, flag.to_string(), default.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn defaults_are_the_declared_ones() {
        let (engine, storage) = (EngineOptions::default(), StorageOptions::default());
        for s in settings().filter(|s| s.shown_default.is_none()) {
            let value = engine.get(s.key()).or_else(|| storage.get_key(s.key()));
            assert_eq!(value.as_deref(), Some(&*s.default_text()), "{}", s.key());
        }
        assert_eq!(engine.import.workers, cores());
        assert_eq!(engine.import.max_parallel_tasks, cores());
        assert_eq!(storage.root, None);
        assert_eq!(
            (
                PipelineOptions::default().segment_max_size,
                WriterOptions::default().segment_max_size
            ),
            (engine.segment_max_size, engine.segment_max_size)
        );
    }

    #[test]
    fn every_key_is_set_and_read_back_by_its_name() {
        let (mut engine, mut storage) = (EngineOptions::default(), StorageOptions::default());
        for s in settings() {
            set(&mut engine, &mut storage, s.key(), sample(s)).unwrap();
            let value = engine.get(s.key()).or_else(|| storage.get_key(s.key()));
            assert_eq!(value.as_deref(), Some(sample(s)), "{}", s.key());
            assert_ne!(sample(s), s.default_text(), "{}", s.key());
        }
        assert_eq!(engine.segment_max_size, 7);
        assert_eq!(engine.import.json_parser, JsonParser::SimdJson);
        assert!(storage.s3_allow_http);
        assert!(!engine.import.resume);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_naming_the_key() {
        let mut o = EngineOptions::default();
        let e = o.set("import.max_pending_task", "3").unwrap_err();
        assert_eq!(
            e,
            SettingError::UnknownKey("import.max_pending_task".into())
        );
        assert_eq!(
            e.to_string(),
            "unknown config key `import.max_pending_task`"
        );
        assert!(matches!(
            o.set("storage.root", "x"),
            Err(SettingError::UnknownKey(_))
        ));
        for (key, text, expected) in [
            ("import.workers", "-1", "a non-negative integer"),
            ("segment.max_size", "1 GiB", "a non-negative integer"),
            ("import.json_parser", "fast", "one of exact, simd-json"),
        ] {
            let e = o.set(key, text).unwrap_err();
            assert!(
                matches!(&e, SettingError::InvalidValue { key: k, value, .. } if *k == key && value == text),
                "{e:?}"
            );
            assert!(e.to_string().contains(expected), "{e}");
        }
        let e = StorageOptions::default()
            .set_key("storage.s3.allow_http", "yes")
            .unwrap()
            .unwrap_err();
        assert!(e.to_string().contains("true or false"), "{e}");
    }

    #[test]
    fn flags_follow_the_mechanical_rule_unless_named() {
        let mut flags: Vec<_> = settings().map(|s| s.flag()).collect();
        for s in settings().filter(|s| s.flag.is_none()) {
            assert_eq!(s.flag(), s.key().replace(['.', '_'], "-"));
        }
        let named: Vec<_> = settings().filter_map(|s| s.flag).collect();
        assert_eq!(
            named,
            [
                "on-error",
                "max-errors",
                "max-error-ratio",
                "storage",
                "s3-endpoint",
                "s3-region",
                "s3-allow-http",
                "token"
            ]
        );
        flags.sort();
        flags.dedup();
        assert_eq!(flags.len(), settings().count());
        assert!(settings().all(|s| !s.doc().is_empty() && !s.doc().contains('\n')));
    }

    #[test]
    fn json_parser_choices_read_and_write_back() {
        let ValueKind::Choice(words) = <JsonParser as SettingValue>::KIND else {
            panic!("json_parser is a choice");
        };
        for word in words {
            let parser: JsonParser = word.parse().unwrap();
            assert_eq!(parser.show(), *word);
        }
        assert!("fast".parse::<JsonParser>().is_err());
    }

    #[test]
    fn docs_config_lists_every_key() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/config.md");
        let docs = std::fs::read_to_string(path).unwrap();
        for s in settings() {
            assert!(
                docs.contains(&format!("`{}`", s.key())),
                "{} not in {path}",
                s.key()
            );
            assert!(
                docs.contains(&format!("--{}", s.flag())),
                "--{} not in {path}",
                s.flag()
            );
        }
    }
}
