//! Connecting the processes: every process listens on its own address; each connects to
//! the lower-indexed ones for timely's data, and every process but 0 opens one more
//! connection to process 0 for control. Each connection starts with a greeting (magic, kind,
//! sender, process count, the hosts' fingerprint), so a stray or foreign connection is
//! dropped instead of being taken for a peer. Everything happens within one deadline.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use super::link::Control;
use super::{ClusterError, Hosts};

const MAGIC: &[u8; 8] = b"VECLOADC";
const GREETING_BYTES: usize = 8 + 1 + 4 + 4 + 8;
const DATA: u8 = 0;
const CONTROL: u8 = 1;

/// The connected processes of a cluster task, seen from one of them.
#[derive(Debug)]
pub struct Mesh {
    /// This process's index.
    pub process: usize,
    /// Processes in all.
    pub processes: usize,
    /// timely's connections: one per other process, in index order (`None` at `process`).
    pub data: Vec<Option<TcpStream>>,
    /// The control links: process 0 to every other, the others to process 0.
    pub control: Control,
}

/// Connects process `process` of `hosts` to every other one within `timeout`; control
/// messages are refused past `max_frame` bytes.
pub fn connect(
    hosts: &Hosts,
    process: usize,
    timeout: Duration,
    max_frame: usize,
) -> Result<Mesh, ClusterError> {
    hosts.check(process)?;
    let deadline = Instant::now() + timeout;
    let n = hosts.len();
    let print = hosts.fingerprint();
    // The last process is connected to, never connects: it alone need not listen.
    let listener = if process + 1 < n {
        let addr = &hosts.addrs[process];
        let l = TcpListener::bind(addr).map_err(|source| ClusterError::Listen {
            process,
            addr: addr.clone(),
            source,
        })?;
        Some(l)
    } else {
        None
    };
    let mut data: Vec<Option<TcpStream>> = (0..n).map(|_| None).collect();
    let mut control: Vec<Option<TcpStream>> = (0..n).map(|_| None).collect();
    let greeting = |kind: u8| {
        let mut g = Vec::with_capacity(GREETING_BYTES);
        g.extend_from_slice(MAGIC);
        g.push(kind);
        g.extend_from_slice(&(process as u32).to_le_bytes());
        g.extend_from_slice(&(n as u32).to_le_bytes());
        g.extend_from_slice(&print.to_le_bytes());
        g
    };
    // Outgoing first: every listener is bound before anyone connects or accepts, and a
    // connection waits in the peer's backlog until it accepts.
    for (peer, slot) in data.iter_mut().enumerate().take(process) {
        let mut s = dial(&hosts.addrs[peer], peer, deadline, timeout)?;
        greet(&mut s, &greeting(DATA), peer)?;
        *slot = Some(s);
    }
    if process > 0 {
        let mut s = dial(&hosts.addrs[0], 0, deadline, timeout)?;
        greet(&mut s, &greeting(CONTROL), 0)?;
        control[0] = Some(s);
    }
    let mut slots = Slots {
        process,
        data,
        control,
    };
    if let Some(listener) = listener {
        accept_all(&listener, hosts, &mut slots, print, deadline, timeout)?;
    }
    let Slots { data, control, .. } = slots;
    let control = Control::start(process, control, max_frame)?;
    Ok(Mesh {
        process,
        processes: n,
        data,
        control,
    })
}

/// Connects to `addr`, retrying while it refuses, until `deadline`.
fn dial(
    addr: &str,
    peer: usize,
    deadline: Instant,
    timeout: Duration,
) -> Result<TcpStream, ClusterError> {
    let mut last = String::from("no address");
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(ClusterError::ConnectTimeout {
                peer,
                addr: addr.to_string(),
                what: format!("could not be reached ({last})"),
                timeout,
            });
        }
        let addrs: Vec<SocketAddr> = match addr.to_socket_addrs() {
            Ok(a) => a.collect(),
            Err(e) => {
                last = e.to_string();
                Vec::new()
            }
        };
        for a in addrs {
            let left = deadline
                .saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1));
            match TcpStream::connect_timeout(&a, left.min(Duration::from_secs(5))) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    return Ok(s);
                }
                Err(e) => last = e.to_string(),
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn greet(s: &mut TcpStream, greeting: &[u8], peer: usize) -> Result<(), ClusterError> {
    s.write_all(greeting).map_err(|e| ClusterError::Peer {
        peer,
        what: format!("greeting it failed: {e}"),
    })
}

/// The connections a process waits for, filled as they are accepted.
struct Slots {
    process: usize,
    data: Vec<Option<TcpStream>>,
    control: Vec<Option<TcpStream>>,
}

impl Slots {
    /// Keeps an accepted connection, unless it is not wanted (a duplicate, the wrong kind).
    fn take(&mut self, kind: u8, from: usize, s: TcpStream) {
        let slot = match kind {
            DATA if from > self.process => &mut self.data[from],
            CONTROL if self.process == 0 && from > 0 => &mut self.control[from],
            _ => return,
        };
        if slot.is_none() {
            *slot = Some(s);
        }
    }

    /// Whether a connection from `peer` is still awaited.
    fn missing(&self, peer: usize) -> bool {
        let data = peer > self.process && self.data[peer].is_none();
        let control = self.process == 0 && peer > 0 && self.control[peer].is_none();
        data || control
    }
}

/// Accepts until no connection is missing (or the deadline passes); each connection's
/// greeting is read and checked first.
fn accept_all(
    listener: &TcpListener,
    hosts: &Hosts,
    slots: &mut Slots,
    print: u64,
    deadline: Instant,
    timeout: Duration,
) -> Result<(), ClusterError> {
    let process = slots.process;
    let listen_err = |source| ClusterError::Listen {
        process,
        addr: hosts.addrs[process].clone(),
        source,
    };
    listener.set_nonblocking(true).map_err(listen_err)?;
    let n = hosts.len();
    loop {
        let Some(first) = (0..n).find(|&p| slots.missing(p)) else {
            return Ok(());
        };
        if Instant::now() >= deadline {
            return Err(ClusterError::ConnectTimeout {
                peer: first,
                addr: hosts.addrs[first].clone(),
                what: "did not connect".into(),
                timeout,
            });
        }
        match listener.accept() {
            Ok((s, _)) => {
                if let Some((kind, from)) = read_greeting(&s, n, print) {
                    let _ = s.set_nodelay(true);
                    slots.take(kind, from, s);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(listen_err(e)),
        }
    }
}

/// The kind and sender of a greeting, if it is one of this cluster's.
fn read_greeting(s: &TcpStream, n: usize, print: u64) -> Option<(u8, usize)> {
    s.set_nonblocking(false).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut g = [0u8; GREETING_BYTES];
    (&*s).read_exact(&mut g).ok()?;
    s.set_read_timeout(None).ok()?;
    let word = |at: usize| u32::from_le_bytes([g[at], g[at + 1], g[at + 2], g[at + 3]]) as usize;
    let mut p = [0u8; 8];
    p.copy_from_slice(&g[17..25]);
    let ok = &g[..8] == MAGIC
        && word(13) == n
        && u64::from_le_bytes(p) == print
        && word(9) < n
        && g[8] <= CONTROL;
    ok.then(|| (g[8], word(9)))
}
