//! Running a child process and measuring it: wall time and peak RSS from `wait4`.
//!
//! The one `unsafe` of the binary: `wait4` is the only way to get one child's own
//! `ru_maxrss` (`getrusage(RUSAGE_CHILDREN)` mixes all children reaped so far, and
//! `/proc/<pid>/status` is gone once the child exits).
#![allow(unsafe_code)]

use std::io::{self, Read};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How a measured child ended.
#[derive(Debug)]
pub(super) struct Measured {
    /// Its exit status.
    pub status: ExitStatus,
    /// From spawn to exit.
    pub elapsed: Duration,
    /// Peak resident set size in KiB (`ru_maxrss`), mapped file pages included.
    pub peak_rss_kib: u64,
    /// User plus system CPU time: steadier than wall time on a shared machine.
    pub cpu: Duration,
    /// Everything it wrote on stdout.
    pub stdout: String,
    /// Everything it wrote on stderr.
    pub stderr: String,
}

/// Runs `cmd` to its end with piped stdout and stderr, timing it from spawn to exit.
pub(super) fn run_measured(cmd: &mut Command) -> io::Result<Measured> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    // Drain both pipes while the child runs so it never blocks on a full pipe.
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let (status, peak_rss_kib, cpu) = wait_rusage(&child)?;
    let elapsed = start.elapsed();
    Ok(Measured {
        status,
        elapsed,
        peak_rss_kib,
        cpu,
        stdout: join(out),
        stderr: join(err),
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> Option<JoinHandle<String>> {
    pipe.map(|mut p| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = p.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    })
}

fn join(h: Option<JoinHandle<String>>) -> String {
    h.and_then(|h| h.join().ok()).unwrap_or_default()
}

/// Waits for `child` with `wait4`, returning its status, `ru_maxrss` (KiB on Linux) and
/// its user + system CPU time.
///
/// The child is reaped here: `Child::wait` must not be called on it afterwards.
fn wait_rusage(child: &Child) -> io::Result<(ExitStatus, u64, Duration)> {
    let pid = libc::pid_t::try_from(child.id())
        .map_err(|_| io::Error::other("child pid does not fit pid_t"))?;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is a plain C struct of integers, for which all-zero bytes are a valid
    // value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid, exclusively borrowed locals that outlive
        // the call; `pid` is our own unreaped child, so no other process is waited for.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == pid {
            break;
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    let rss = u64::try_from(usage.ru_maxrss).unwrap_or(0);
    let time = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    let cpu = time(usage.ru_utime) + time(usage.ru_stime);
    Ok((ExitStatus::from_raw(status), rss, cpu))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_status_output_and_rss() {
        // A shell is enough to check the plumbing: status, both outputs, a peak RSS.
        let m = run_measured(Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]))
            .unwrap();
        assert_eq!(m.status.code(), Some(3));
        assert_eq!(m.stdout, "out\n");
        assert_eq!(m.stderr, "err\n");
        assert!(m.peak_rss_kib > 0);
    }
}
