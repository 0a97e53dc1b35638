//! The log subscriber (docs/config.md `log.*`): `tracing` events of the library (a server's
//! requests, tasks' lives, recovery) on stderr as text or JSON lines, at `log.level`
//! (`-q` error, `-v` debug). Other crates' events show from `warn` up.

use std::io::Write;

use tracing_subscriber::EnvFilter;
use vecload::engine::{LogFormat, LogLevel, LogOptions};

use super::progress;

/// Writes each event to stderr above the progress bar, if one is drawn.
struct Stderr;

impl Write for Stderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        progress::suspend(|| std::io::stderr().write_all(buf))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// The level `-q`, `-v` or the options give. `given`: whether `log.level` was set; if not,
/// a server logs at `info` and a one-shot command at `warn` (its output and progress already
/// say what happened).
pub fn level(quiet: bool, verbose: bool, o: &LogOptions, given: bool, serve: bool) -> LogLevel {
    match (quiet, verbose) {
        (true, _) => LogLevel::Error,
        (_, true) => LogLevel::Debug.max(o.level),
        _ if given || serve => o.level,
        _ => LogLevel::Warn,
    }
}

/// Installs the subscriber for the process.
pub fn init(level: LogLevel, format: LogFormat) {
    let others = match level {
        LogLevel::Error => "error",
        _ => "warn",
    };
    let filter = EnvFilter::new(format!("{others},vecload={}", level.name()));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| Stderr)
        .with_ansi(false)
        // Its report of a failed write is an `eprintln!`, which panics on a closed stderr
        // (a server whose starter read the first line and went away).
        .log_internal_errors(false);
    // A second install (tests) is refused; the first stays.
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
