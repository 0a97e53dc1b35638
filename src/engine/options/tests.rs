//! Tests of the option table: defaults, names, parsing and the settings each key makes.

use super::*;
use crate::pipeline::PipelineOptions;
use crate::segment::WriterOptions;

/// Each key's flag and documented default (docs/config.md), in table order.
const DOCUMENTED: [(&str, &str, &str); 31] = [
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
    (
        "import.resume_interval_ms",
        "import-resume-interval-ms",
        "5000",
    ),
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
    (
        "cluster.connect_timeout_s",
        "cluster-connect-timeout-s",
        "30",
    ),
    ("cluster.peer_timeout_s", "cluster-peer-timeout-s", "60"),
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
