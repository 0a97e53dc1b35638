//! An import's progress on stderr (docs/cli.md "Progress"): on a terminal an indicatif bar
//! (phase, rows, MB, rows/s, ETA); otherwise one plain line every 5 s; nothing with `-q`.
//! Log events written while a bar is drawn go above it ([`suspend`]).

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bar being drawn, if any: log lines suspend it while they are written.
static ACTIVE: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Runs `f` (a write to stderr) with the active bar cleared, then redraws it.
pub fn suspend<T>(f: impl FnOnce() -> T) -> T {
    let bar = ACTIVE.lock().ok().and_then(|a| a.clone());
    match bar {
        Some(bar) => bar.suspend(f),
        None => f(),
    }
}

/// Where a task stands.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// Its state or phase (`Pending`, `Started`, `Importing`, `Persisted`...).
    pub phase: String,
    /// 0..=100.
    pub percent: u64,
    /// Rows read so far, when known.
    pub rows: Option<u64>,
    /// Rows in all, when known.
    pub total_rows: Option<u64>,
    /// Bytes read so far and in all, when known.
    pub bytes: Option<(u64, u64)>,
}

/// How progress is shown.
pub struct Progress {
    id: u64,
    bar: Option<ProgressBar>,
    plain: bool,
    start: Instant,
    last_line: Instant,
}

const PLAIN_EVERY: Duration = Duration::from_secs(5);

impl Progress {
    /// Progress of task `id`: a bar when stderr is a terminal, lines otherwise, nothing when
    /// `quiet`.
    pub fn new(id: u64, quiet: bool) -> Progress {
        let tty = std::io::stderr().is_terminal();
        let bar = (!quiet && tty).then(|| {
            let bar = ProgressBar::with_draw_target(Some(100), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} task {prefix} {msg:40} [{bar:30}] {pos:>3}% ETA {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.set_prefix(id.to_string());
            bar.enable_steady_tick(Duration::from_millis(200));
            if let Ok(mut a) = ACTIVE.lock() {
                *a = Some(bar.clone());
            }
            bar
        });
        let now = Instant::now();
        Progress {
            id,
            bar,
            plain: !quiet && !tty,
            start: now,
            last_line: now,
        }
    }

    /// `phase, rows, MB, rows/s` of `s`.
    fn summary(&self, s: &Status) -> String {
        let mut parts = vec![s.phase.clone()];
        let secs = self.start.elapsed().as_secs_f64().max(0.001);
        if let Some(rows) = s.rows {
            match s.total_rows.filter(|t| *t > 0) {
                Some(total) => parts.push(format!("{rows}/{total} rows")),
                None => parts.push(format!("{rows} rows")),
            }
            parts.push(format!("{:.0} rows/s", rows as f64 / secs));
        }
        if let Some((read, total)) = s.bytes {
            let mb = |b: u64| b as f64 / 1e6;
            if total > 0 {
                parts.push(format!("{:.0}/{:.0} MB", mb(read), mb(total)));
            } else {
                parts.push(format!("{:.0} MB", mb(read)));
            }
        }
        parts.join(" ")
    }

    /// Shows `s`.
    pub fn update(&mut self, s: &Status) {
        if let Some(bar) = &self.bar {
            bar.set_position(s.percent.min(100));
            bar.set_message(self.summary(s));
        } else if self.plain && self.last_line.elapsed() >= PLAIN_EVERY {
            self.last_line = Instant::now();
            let line = format!(
                "task {} {} {}% elapsed {}s\n",
                self.id,
                self.summary(s),
                s.percent,
                self.start.elapsed().as_secs()
            );
            // A closed stderr is no reason to stop the import.
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        }
    }

    /// Ends the bar (the final line goes to stdout).
    pub fn finish(self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
            if let Ok(mut a) = ACTIVE.lock() {
                *a = None;
            }
        }
    }
}
