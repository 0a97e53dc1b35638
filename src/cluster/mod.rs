//! The processes of one cluster task: who they are (`hosts.txt`), how they find each other
//! (a mesh of TCP connections made before timely starts, within a connect timeout), and the
//! control links beside timely's data connections (messages, heartbeats, a lost peer told
//! apart from a slow one). Knows sockets only: what the messages mean is the engine's.

mod link;
mod mesh;

use std::time::Duration;

pub use link::{Control, Incoming};
pub use mesh::{Mesh, connect};

/// Why the processes of a cluster task could not work together.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The hosts file could not be read.
    #[error("reading the hosts file {path}: {source}")]
    HostsFile {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A line of the hosts file is not `host:port`.
    #[error("{path}, line {line}: expected host:port, found {found:?}")]
    BadHost {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// The line.
        found: String,
    },
    /// The hosts file lists no process, or more than [`MAX_PROCESSES`].
    #[error("{path}: expected 1 to {max} host:port lines, found {found}")]
    HostCount {
        /// The file.
        path: String,
        /// The limit.
        max: usize,
        /// Lines found.
        found: usize,
    },
    /// `--process` is not an index of the hosts file.
    #[error("--process {process}: the hosts file lists {processes} processes (0 to {})", processes.saturating_sub(1))]
    BadIndex {
        /// The index given.
        process: usize,
        /// Processes listed.
        processes: usize,
    },
    /// This process could not listen on its own address.
    #[error("listening on {addr} (process {process}): {source}")]
    Listen {
        /// The process.
        process: usize,
        /// Its line of the hosts file.
        addr: String,
        /// The error.
        source: std::io::Error,
    },
    /// A peer did not connect, or could not be reached, within the connect timeout.
    #[error("process {peer} ({addr}) {what} within cluster.connect_timeout_s = {} s", timeout.as_secs())]
    ConnectTimeout {
        /// The peer.
        peer: usize,
        /// Its address.
        addr: String,
        /// "did not connect" or "could not be reached (the last error)".
        what: String,
        /// The timeout.
        timeout: Duration,
    },
    /// A peer's control link failed: closed, broken, or silent past the peer timeout.
    #[error("process {peer}: {what}")]
    Peer {
        /// The peer.
        peer: usize,
        /// What happened.
        what: String,
    },
    /// A peer sent a message this process cannot read (another version, or not vecload).
    #[error("process {peer} sent a message that is not understood: {what}")]
    Protocol {
        /// The peer.
        peer: usize,
        /// What is wrong.
        what: String,
    },
}

/// Processes one task may span.
pub const MAX_PROCESSES: usize = 256;

/// The processes of a cluster, one `host:port` each, in index order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hosts {
    /// The addresses, as written.
    pub addrs: Vec<String>,
}

impl Hosts {
    /// Reads a hosts file: one `host:port` a line; blank lines and `#` comments are skipped.
    pub fn read(path: &str) -> Result<Hosts, ClusterError> {
        let text = std::fs::read_to_string(path).map_err(|source| ClusterError::HostsFile {
            path: path.to_string(),
            source,
        })?;
        Hosts::parse(path, &text)
    }

    /// Parses a hosts file's text (`path` names it in errors).
    pub fn parse(path: &str, text: &str) -> Result<Hosts, ClusterError> {
        let mut addrs = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let port = line.rsplit_once(':').map(|(h, p)| (h, p.parse::<u16>()));
            if !matches!(port, Some((h, Ok(p))) if !h.is_empty() && p > 0) {
                return Err(ClusterError::BadHost {
                    path: path.to_string(),
                    line: i + 1,
                    found: raw.to_string(),
                });
            }
            addrs.push(line.to_string());
        }
        if addrs.is_empty() || addrs.len() > MAX_PROCESSES {
            return Err(ClusterError::HostCount {
                path: path.to_string(),
                max: MAX_PROCESSES,
                found: addrs.len(),
            });
        }
        Ok(Hosts { addrs })
    }

    /// Processes listed.
    pub fn len(&self) -> usize {
        self.addrs.len()
    }

    /// Never true: a hosts file lists at least one process.
    pub fn is_empty(&self) -> bool {
        self.addrs.is_empty()
    }

    /// Checks that `process` is one of the listed processes.
    pub fn check(&self, process: usize) -> Result<(), ClusterError> {
        match process < self.len() {
            true => Ok(()),
            false => Err(ClusterError::BadIndex {
                process,
                processes: self.len(),
            }),
        }
    }

    /// What every process of this cluster agrees on: a hash of the list (FNV-1a), sent in each
    /// connection's greeting so that processes of two clusters never pair up.
    pub fn fingerprint(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.addrs.join("\n").bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_files_are_read_line_by_line_with_their_errors_named() {
        let h = Hosts::parse("h", "# two\n127.0.0.1:7000\n\n  localhost:7001 # b\n").unwrap();
        assert_eq!(h.addrs, ["127.0.0.1:7000", "localhost:7001"]);
        assert!(h.check(1).is_ok());
        let e = h.check(2).unwrap_err().to_string();
        assert!(e.contains("--process 2") && e.contains("0 to 1"), "{e}");
        let e = Hosts::parse("h", "a:1\nnoport\n").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("noport"), "{e}");
        let e = Hosts::parse("h", "a:0\n").unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        let e = Hosts::parse("h", "# none\n").unwrap_err().to_string();
        assert!(e.contains("found 0"), "{e}");
        let other = Hosts::parse("h", "127.0.0.1:7000\nlocalhost:7002\n").unwrap();
        assert_ne!(h.fingerprint(), other.fingerprint());
    }
}
