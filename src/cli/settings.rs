//! The config keys on the command line: one flag per key of the library's table
//! ([`vecload::engine::settings`]), and the options they resolve to: the defaults, then the
//! config file, then the environment (S3 endpoint and region), then the flags.

use anyhow::{Context, Result};
use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, ArgMatches, CommandFactory};
use vecload::EngineOptions;
use vecload::engine::{Setting, SettingError, StorageOptions, ValueKind, settings};

use super::args::{Cli, GLOBAL};
use super::{config, storage};

/// Config keys with their values as text, in the order they apply.
pub type Given = Vec<(&'static Setting, String)>;

/// Variables that give a key when no flag does; they win over the config file.
const ENV: &[(&str, &[&str])] = &[
    ("storage.s3.endpoint", &["AWS_ENDPOINT_URL"]),
    ("storage.s3.region", &["AWS_REGION", "AWS_DEFAULT_REGION"]),
    ("server.token", &["VECLOAD_TOKEN"]),
];

/// The help heading of a key's flag: `--storage` and the log flags stand with the global
/// flags.
fn heading(s: &Setting) -> &'static str {
    match s.key() {
        "storage.root" => GLOBAL,
        key if key.starts_with("log.") => GLOBAL,
        key if key.starts_with("storage.s3.") => "S3",
        key if key.starts_with("server.") => "Server",
        _ => "Tuning",
    }
}

/// Whether `s` is a boolean key whose default is true: its flag takes `true` or `false`.
fn on_by_default(s: &Setting) -> bool {
    s.kind() == ValueKind::Bool && s.default_text() == "true"
}

/// The flag of one key: global, a switch for a boolean (off by default), checked against the key's type.
fn arg(s: &'static Setting) -> Arg {
    let doc = s.doc().trim_end_matches('.');
    let mut help = format!("{doc} [default: {}]", s.default_text());
    if let Some((_, vars)) = ENV.iter().find(|(key, _)| *key == s.key()) {
        help.push_str(&format!(" [env: {}]", vars.join(", ")));
    }
    let flag = s.flag();
    let name = flag.to_uppercase().replace('-', "_");
    let mut arg = Arg::new(s.key())
        .long(flag.to_string())
        .global(true)
        .help(help)
        .help_heading(heading(s));
    // `VECLOAD_<FLAG>` for every flag; a key `ENV` names a variable for reads that one.
    if !ENV.iter().any(|(key, _)| *key == s.key()) {
        arg = arg.env(format!("VECLOAD_{name}"));
    }
    let check = move |text: &str| match s.check(text) {
        Ok(()) => Ok(text.to_string()),
        Err(_) => Err(format!("expected {}", s.kind().expected())),
    };
    match s.kind() {
        // A key on by default takes its value (`--import-resume false`).
        ValueKind::Bool if on_by_default(s) => (arg.value_name("true|false"))
            .value_parser(PossibleValuesParser::new(["true", "false"])),
        ValueKind::Bool => arg.action(ArgAction::SetTrue),
        ValueKind::Choice(words) => {
            (arg.value_name(name)).value_parser(PossibleValuesParser::new(words.iter().copied()))
        }
        ValueKind::Integer | ValueKind::Text | ValueKind::Ratio => {
            arg.value_name(name).value_parser(check)
        }
    }
}

/// The command line: the derived commands plus one flag per config key.
pub fn command() -> clap::Command {
    Cli::command().args(settings().map(arg))
}

/// The config keys given as flags, in table order.
pub fn given(m: &ArgMatches) -> Given {
    let value = |s: &'static Setting| match s.kind() {
        ValueKind::Bool if !on_by_default(s) => m.get_flag(s.key()).then(|| "true".to_string()),
        _ => m.get_one::<String>(s.key()).cloned(),
    };
    settings().filter_map(|s| Some((s, value(s)?))).collect()
}

/// The keys `ENV` gives, from the first set and non-empty variable of each.
fn from_env() -> Given {
    let var = |name: &&str| std::env::var(name).ok().filter(|v| !v.is_empty());
    settings()
        .filter_map(|s| {
            let (_, vars) = ENV.iter().find(|(key, _)| *key == s.key())?;
            Some((s, vars.iter().find_map(var)?))
        })
        .collect()
}

/// Whether `log.level` is given (flag, `VECLOAD_LOG_LEVEL` or the config file) rather than
/// defaulted: one-shot commands then log at that level, not at their quieter default.
pub fn log_level_given(cli: &Cli) -> Result<bool> {
    let level = |g: &Given| g.iter().any(|(s, _)| s.key() == "log.level");
    Ok(level(&cli.given)
        || (cli.config.as_deref())
            .map(config::load)
            .transpose()?
            .is_some_and(|f| level(&f)))
}

/// Sets each key in whichever options hold it.
fn apply(
    given: &Given,
    engine: &mut EngineOptions,
    storage: &mut StorageOptions,
) -> Result<(), SettingError> {
    for (s, text) in given {
        (storage.set_key(s.key(), text)).unwrap_or_else(|| engine.set(s.key(), text))?;
    }
    Ok(())
}

/// The engine's options: defaults, then the config file, the environment and the flags.
pub fn resolve(cli: &Cli) -> Result<EngineOptions> {
    let mut engine = EngineOptions::default();
    let mut keys = StorageOptions::default();
    if let Some(path) = &cli.config {
        let file = config::load(path)?;
        apply(&file, &mut engine, &mut keys)
            .with_context(|| format!("config file {}", path.display()))?;
    }
    apply(&from_env(), &mut engine, &mut keys)?;
    apply(&cli.given, &mut engine, &mut keys)?;
    engine.storage = storage::storage(&keys)?;
    // Queued and resumed tasks read from the root they recorded, maybe not this one.
    engine.open_root = Some(storage::opener());
    engine.fault_hook = super::fault::hook_from_env()?;
    // A file truncated during an import fails its task; the process lives.
    engine.guard_maps = true;
    Ok(engine)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// The value of every key after `given` applies to the defaults.
    fn applied(given: &Given) -> Vec<(&'static str, String)> {
        let (mut engine, mut storage) = (EngineOptions::default(), StorageOptions::default());
        apply(given, &mut engine, &mut storage).unwrap();
        settings()
            .map(|s| {
                let value = engine.get(s.key()).or_else(|| storage.get_key(s.key()));
                (s.key(), value.unwrap())
            })
            .collect()
    }

    /// Every key with its sample value.
    fn samples() -> Vec<(&'static str, String)> {
        settings()
            .map(|s| (s.key(), sample(s).to_string()))
            .collect()
    }

    fn flag_args(s: &Setting) -> Vec<String> {
        match s.kind() {
            ValueKind::Bool if !on_by_default(s) => vec![format!("--{}", s.flag())],
            _ => vec![format!("--{}", s.flag()), sample(s).to_string()],
        }
    }

    #[test]
    fn every_key_is_read_from_its_flag_before_or_after_the_subcommand() {
        let flags: Vec<String> = settings().flat_map(flag_args).collect();
        let before = [
            vec!["vecload".into()],
            flags.clone(),
            vec!["count".into(), "c".into()],
        ];
        let after = [vec!["vecload".into(), "count".into(), "c".into()], flags];
        for args in [before.concat(), after.concat()] {
            let cli = Cli::try_parse_args(&args).unwrap();
            assert_eq!(cli.given.len(), settings().count(), "{args:?}");
            assert_eq!(applied(&cli.given), samples(), "{args:?}");
        }
        let none = Cli::try_parse_args(["vecload", "count", "c"]).unwrap();
        assert!(none.given.is_empty());
    }

    #[test]
    fn every_key_is_read_from_the_config_file() {
        let text: String = settings()
            .map(|s| match s.kind() {
                ValueKind::Integer | ValueKind::Bool | ValueKind::Ratio => {
                    format!("{} = {}\n", s.key(), sample(s))
                }
                _ => format!("{} = \"{}\"\n", s.key(), sample(s)),
            })
            .collect();
        let given = config::parse(&text).unwrap();
        assert_eq!(applied(&given), samples());
        let tables = "[import]\nworkers = 3\n[storage.s3]\nallow_http = true\n";
        let given = config::parse(tables).unwrap();
        let keys: Vec<_> = given.iter().map(|(s, v)| (s.key(), v.as_str())).collect();
        assert_eq!(
            keys,
            [("import.workers", "3"), ("storage.s3.allow_http", "true")]
        );
    }

    #[test]
    fn flags_win_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vecload.toml");
        let file = "[import]\nworkers = 3\nmemory_budget = 1000\n[segment]\nmax_size = 1024\n";
        std::fs::write(&path, file).unwrap();
        let path = path.to_str().unwrap();
        let args = [
            "vecload",
            "--config",
            path,
            "count",
            "c",
            "--import-workers",
            "5",
        ];
        let o = resolve(&Cli::try_parse_args(args).unwrap()).unwrap();
        assert_eq!(o.import.workers, 5);
        assert_eq!(o.import.memory_budget, 1000);
        assert_eq!(o.segment_max_size, 1024);
        assert_eq!(o.import.task_expiration_s, 900);
    }

    #[test]
    fn unknown_keys_and_wrong_values_are_refused_naming_the_key() {
        for (text, needle) in [
            (
                "[import]\nmax_pending_task = 3\n",
                "`import.max_pending_task`",
            ),
            ("import.max_pending_task = 3\n", "`import.max_pending_task`"),
            ("[imports]\nworkers = 3\n", "unknown config key `imports`"),
            ("[logs]\n", "unknown config key `logs`"),
            ("workers = 3\n", "unknown config key `workers`"),
            (
                "[import]\nworkers = \"4\"\n",
                "`import.workers`: expected a non-negative",
            ),
            (
                "[import]\nworkers = -1\n",
                "`import.workers`: invalid value \"-1\"",
            ),
            (
                "[import]\njson_parser = \"fast\"\n",
                "one of exact, simd-json",
            ),
            ("[storage.s3]\nallow_http = 1\n", "expected true or false"),
            (
                "[segment]\nmax_size = { a = 1 }\n",
                "`segment.max_size`: expected",
            ),
        ] {
            let e = format!("{:#}", config::parse(text).unwrap_err());
            assert!(e.contains(needle), "{text:?}: {e}");
        }
        let e = Cli::try_parse_args(["vecload", "--import-workers", "x", "count", "c"]);
        let e = e.unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(
            e.to_string().contains("expected a non-negative integer"),
            "{e}"
        );
        let e = Cli::try_parse_args(["vecload", "--import-json-parser", "fast", "count", "c"]);
        assert_eq!(e.unwrap_err().exit_code(), 2);
    }

    #[test]
    fn help_shows_tuning_and_s3_headings_with_defaults() {
        let help = command().render_help().to_string();
        for needle in [
            "Tuning:",
            "S3:",
            "--import-max-file-size <IMPORT_MAX_FILE_SIZE>",
            "[default: 17179869184]",
            "--storage <STORAGE>",
            "--s3-allow-http",
            "[env: AWS_REGION, AWS_DEFAULT_REGION]",
            "[possible values: exact, simd-json]",
        ] {
            assert!(help.contains(needle), "{needle} not in\n{help}");
        }
    }
}
