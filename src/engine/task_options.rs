//! [`TaskOptions`]: the options of one import request, and their parsing from Milvus's
//! `options` map of strings (REST `jobs/import/create`, gRPC `Import`), where an option
//! vecload does not implement is refused by name rather than ignored.

use std::collections::BTreeMap;
use std::time::Duration;

use super::{EngineError, ImportOptions};
use crate::ledger::OnError;

/// Options of one import request.
///
/// Build it with [`TaskOptions::default`] and its setters, or from Milvus's map of strings
/// with [`TaskOptions::from_map`], so that a caller keeps compiling as fields are added.
///
/// ```
/// use vecload::TaskOptions;
///
/// let opts = TaskOptions::default().sep(";").null_key("NULL");
/// assert_eq!(opts.sep.as_deref(), Some(";"));
/// assert!(opts.auto_commit);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TaskOptions {
    /// CSV files: the separator between cells, one ASCII character other than NUL, CR, LF
    /// and `"` (`None`: `,`). Checked when the request is made.
    pub sep: Option<String>,
    /// CSV files: a cell equal to this is null (`None`: the empty string).
    pub null_key: Option<String>,
    /// How long the whole job may take, counted from its creation (`None`: no bound).
    pub timeout: Option<Duration>,
    /// `false`: a two-phase job, whose tasks stop at Persisted until the job is committed
    /// or aborted. Default `true`.
    pub auto_commit: bool,
    /// What a bad row does: fail the task or go to the rejects file (`None`: the engine's
    /// `import.on_error`).
    pub on_error: Option<OnError>,
    /// With skip: more rejected rows than this fail the task, 0 = no limit (`None`: the
    /// engine's `import.max_errors`).
    pub max_errors: Option<u64>,
    /// With skip: a larger share of rejected rows (0 to 1) fails the task, 0 = no limit
    /// (`None`: the engine's `import.max_error_ratio`).
    pub max_error_ratio: Option<f64>,
    /// A dry run: every row is read, checked and routed, and counted by partition; nothing
    /// is written and nothing becomes visible. Default `false`.
    pub dry_run: bool,
}

impl Default for TaskOptions {
    fn default() -> Self {
        TaskOptions {
            sep: None,
            null_key: None,
            timeout: None,
            auto_commit: true,
            on_error: None,
            max_errors: None,
            max_error_ratio: None,
            dry_run: false,
        }
    }
}

/// Milvus's binlog-restore options: vecload imports files, not binlogs.
const BINLOG: [&str; 7] = [
    "backup",
    "start_ts",
    "startTs",
    "end_ts",
    "endTs",
    "l0_import",
    "skip_disk_quota_check",
];

impl TaskOptions {
    /// Sets the CSV separator.
    pub fn sep(mut self, sep: impl Into<String>) -> TaskOptions {
        self.sep = Some(sep.into());
        self
    }

    /// Sets the CSV null key.
    pub fn null_key(mut self, key: impl Into<String>) -> TaskOptions {
        self.null_key = Some(key.into());
        self
    }

    /// Sets the job's timeout.
    pub fn timeout(mut self, timeout: Duration) -> TaskOptions {
        self.timeout = Some(timeout);
        self
    }

    /// Sets whether the job commits by itself (`false`: two-phase).
    pub fn auto_commit(mut self, auto_commit: bool) -> TaskOptions {
        self.auto_commit = auto_commit;
        self
    }

    /// Sets what a bad row does.
    pub fn on_error(mut self, on_error: OnError) -> TaskOptions {
        self.on_error = Some(on_error);
        self
    }

    /// Sets the most rows that may be rejected (0 = no limit).
    pub fn max_errors(mut self, n: u64) -> TaskOptions {
        self.max_errors = Some(n);
        self
    }

    /// Sets whether the import is a dry run (nothing written, nothing visible).
    pub fn dry_run(mut self, dry_run: bool) -> TaskOptions {
        self.dry_run = dry_run;
        self
    }

    /// Sets the largest share of rows that may be rejected (0 = no limit).
    pub fn max_error_ratio(mut self, ratio: f64) -> TaskOptions {
        self.max_error_ratio = Some(ratio);
        self
    }

    /// These options with every unset bad-rows option taken from `defaults` (the engine's
    /// `import.*` keys): what a task records.
    pub fn resolved(mut self, defaults: &ImportOptions) -> TaskOptions {
        self.on_error = Some(self.on_error.unwrap_or(defaults.on_error));
        self.max_errors = Some(self.max_errors.unwrap_or(defaults.max_errors));
        self.max_error_ratio = Some(self.max_error_ratio.unwrap_or(defaults.max_error_ratio));
        self
    }

    /// The options of Milvus's `options` map: `timeout` (a Go duration such as `300s` or
    /// `1h45m`), `sep`, `nullkey`, `auto_commit` (`true`/`false`), and `bucket` when it is
    /// `bucket` (the storage root's bucket), the bad-rows options `onError` (`abort` or
    /// `skip`), `maxErrors` (an integer, 0 = no limit) and `maxErrorRatio` (0 to 1, 0 = no
    /// limit), also spelled `on_error`, `max_errors`, `max_error_ratio`, and `dryRun` (or
    /// `dry_run`, `true`/`false`). Every other key is refused naming it: Milvus's binlog
    /// options, unknown ones.
    pub fn from_map(
        map: &BTreeMap<String, String>,
        bucket: Option<&str>,
    ) -> Result<TaskOptions, EngineError> {
        let bad = |key: &str, why: String| EngineError::InvalidOption {
            key: key.to_string(),
            why,
        };
        let mut o = TaskOptions::default();
        for (key, value) in map {
            match key.as_str() {
                "sep" => o.sep = Some(value.clone()),
                "nullkey" => o.null_key = Some(value.clone()),
                "timeout" => {
                    let d = parse_go_duration(value).map_err(|w| bad(key, w))?;
                    if d.is_zero() {
                        return Err(bad(key, format!("\"{value}\" must be positive")));
                    }
                    o.timeout = Some(d);
                }
                "auto_commit" => {
                    o.auto_commit = parse_go_bool(value)
                        .ok_or_else(|| bad(key, format!("\"{value}\" is not true or false")))?;
                }
                "onError" | "on_error" => {
                    let why = || format!("\"{value}\" is not abort or skip");
                    o.on_error = Some(OnError::parse(value).ok_or_else(|| bad(key, why()))?);
                }
                "maxErrors" | "max_errors" => {
                    let why = || format!("\"{value}\" is not a non-negative integer");
                    o.max_errors = Some(value.parse().map_err(|_| bad(key, why()))?);
                }
                "maxErrorRatio" | "max_error_ratio" => {
                    let why = || format!("\"{value}\" is not a number from 0 to 1");
                    let r = value.parse::<f64>().ok();
                    let r = r.filter(|r| (0.0..=1.0).contains(r));
                    o.max_error_ratio = Some(r.ok_or_else(|| bad(key, why()))?);
                }
                "dryRun" | "dry_run" => {
                    o.dry_run = parse_go_bool(value)
                        .ok_or_else(|| bad(key, format!("\"{value}\" is not true or false")))?;
                }
                "bucket" if bucket == Some(value.as_str()) => {}
                "bucket" => {
                    let root = bucket.map_or("a local directory".into(), |b| format!("\"{b}\""));
                    let why = format!("\"{value}\" is not the storage root's bucket ({root})");
                    return Err(bad(key, why));
                }
                k if BINLOG.contains(&k) => {
                    let why = "Milvus's binlog restore is not supported (vecload imports files)";
                    return Err(bad(key, why.into()));
                }
                _ => {
                    let why = "unknown option (known: timeout, sep, nullkey, auto_commit, onError, maxErrors, maxErrorRatio, dryRun)";
                    return Err(bad(key, why.into()));
                }
            }
        }
        Ok(o)
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `time.ParseDuration` for non-negative durations: a sequence of decimal numbers,
/// each with a unit (`ns`, `us`, `µs`, `ms`, `s`, `m`, `h`), e.g. `300s`, `1h45m`, `1.5h`;
/// `0` alone is zero.
pub fn parse_go_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("\"{text}\" is not a duration (e.g. 300s, 1h45m)");
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let mut rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let (num, tail) = rest.split_at(num_len);
        if num.is_empty() || num == "." {
            return Err(bad());
        }
        let n: f64 = num.parse().map_err(|_| bad())?;
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let scale = match unit {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += n * scale;
        rest = tail;
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn go_durations() {
        let s = Duration::from_secs;
        for (text, want) in [
            ("300s", s(300)),
            ("1h45m", s(6300)),
            ("1.5h", s(5400)),
            ("2m30s", s(150)),
            ("0", Duration::ZERO),
            ("500ms", Duration::from_millis(500)),
            ("1h0m0.5s", Duration::from_millis(3_600_500)),
        ] {
            assert_eq!(parse_go_duration(text), Ok(want), "{text}");
        }
        for bad in ["", "300", "5 s", "-5s", "1d", "s", "1..5s", "h1"] {
            let e = parse_go_duration(bad).unwrap_err();
            assert!(e.contains(&format!("\"{bad}\"")), "{bad}: {e}");
        }
    }

    #[test]
    fn known_options_are_read() {
        let o = TaskOptions::from_map(
            &map(&[
                ("timeout", "1h"),
                ("sep", ";"),
                ("nullkey", "NULL"),
                ("auto_commit", "true"),
                ("bucket", "b"),
            ]),
            Some("b"),
        )
        .unwrap();
        let want = TaskOptions::default()
            .sep(";")
            .null_key("NULL")
            .timeout(Duration::from_secs(3600));
        assert_eq!(o, want);
        assert_eq!(
            TaskOptions::from_map(&map(&[]), None).unwrap(),
            TaskOptions::default()
        );
        // The bad-rows options, in either spelling.
        let o = TaskOptions::from_map(
            &map(&[
                ("onError", "skip"),
                ("maxErrors", "3"),
                ("max_error_ratio", "0.1"),
            ]),
            None,
        )
        .unwrap();
        let want = TaskOptions::default()
            .on_error(OnError::Skip)
            .max_errors(3)
            .max_error_ratio(0.1);
        assert_eq!(o, want);
        // Unset ones come from the engine's keys when resolved.
        let defaults = ImportOptions {
            max_errors: 9,
            ..ImportOptions::default()
        };
        let r = TaskOptions::default().max_errors(2).resolved(&defaults);
        assert_eq!(
            (r.on_error, r.max_errors, r.max_error_ratio),
            (Some(OnError::Abort), Some(2), Some(0.0))
        );
        // A dry run, in either spelling.
        for key in ["dryRun", "dry_run"] {
            let o = TaskOptions::from_map(&map(&[(key, "true")]), None).unwrap();
            assert_eq!(o, TaskOptions::default().dry_run(true), "{key}");
        }
        // Go's ParseBool spellings; "false" makes a two-phase job.
        for (text, want) in [("false", false), ("0", false), ("F", false), ("TRUE", true)] {
            let o = TaskOptions::from_map(&map(&[("auto_commit", text)]), None).unwrap();
            assert_eq!(o.auto_commit, want, "{text}");
        }
    }

    #[test]
    fn other_options_are_refused_by_name() {
        for (key, value, words) in [
            ("onError", "continue", "not abort or skip"),
            ("maxErrors", "-1", "not a non-negative integer"),
            ("maxErrorRatio", "1.5", "not a number from 0 to 1"),
            ("max_error_ratio", "x", "not a number from 0 to 1"),
            ("dryRun", "yes", "not true or false"),
            ("backup", "true", "binlog"),
            ("start_ts", "1", "binlog"),
            ("endTs", "1", "binlog"),
            ("l0_import", "true", "binlog"),
            ("skip_disk_quota_check", "true", "binlog"),
            ("colour", "red", "unknown option"),
            ("timeout", "soon", "not a duration"),
            ("timeout", "0s", "must be positive"),
            ("auto_commit", "maybe", "not true or false"),
            ("bucket", "other", "not the storage root's bucket"),
        ] {
            let e = TaskOptions::from_map(&map(&[(key, value)]), Some("b")).unwrap_err();
            let text = e.to_string();
            assert!(
                text.contains(&format!("\"{key}\"")) && text.contains(words),
                "{text}"
            );
        }
    }
}
