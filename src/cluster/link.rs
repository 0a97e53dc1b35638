//! The control links: length-prefixed frames over TCP, one reader thread per link that
//! turns frames into [`Incoming`] events and notes when the peer was last heard, and one
//! heartbeat thread that sends an empty frame on every link each interval. A peer is lost
//! when its link closes or breaks, or when it has been silent too long ([`Control::silent_for`]).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};

use super::ClusterError;

/// What a control link delivered.
#[derive(Debug)]
pub enum Incoming {
    /// A message (the engine's encoding).
    Message(Vec<u8>),
    /// The link is gone: closed by the peer, broken, or a frame past the size limit.
    Closed(String),
}

/// One end of a link: its socket for writing, and when it was last heard from.
#[derive(Debug)]
struct End {
    write: Mutex<TcpStream>,
    heard_ms: AtomicU64,
}

/// This process's control links (process 0: one per other process; the others: one to
/// process 0), with their events on one channel.
#[derive(Debug)]
pub struct Control {
    process: usize,
    ends: Vec<Option<Arc<End>>>,
    events: Receiver<(usize, Incoming)>,
    start: Instant,
    closed: Arc<AtomicBool>,
}

impl Control {
    /// Starts a reader thread on each link (`links[i]`: the link to process `i`).
    pub(super) fn start(
        process: usize,
        links: Vec<Option<TcpStream>>,
        max_frame: usize,
    ) -> Result<Control, ClusterError> {
        let (tx, events) = crossbeam_channel::unbounded();
        let start = Instant::now();
        let mut ends = Vec::with_capacity(links.len());
        for (peer, link) in links.into_iter().enumerate() {
            let Some(s) = link else {
                ends.push(None);
                continue;
            };
            let broken = |e: std::io::Error| ClusterError::Peer {
                peer,
                what: format!("its control link failed: {e}"),
            };
            let read = s.try_clone().map_err(broken)?;
            let end = Arc::new(End {
                write: Mutex::new(s),
                heard_ms: AtomicU64::new(0),
            });
            let (end2, tx2) = (end.clone(), tx.clone());
            std::thread::Builder::new()
                .name(format!("vecload-control-{peer}"))
                .spawn(move || read_loop(read, peer, &end2, start, max_frame, &tx2))
                .map_err(broken)?;
            ends.push(Some(end));
        }
        Ok(Control {
            process,
            ends,
            events,
            start,
            closed: Arc::new(AtomicBool::new(false)),
        })
    }

    /// This process's index.
    pub fn process(&self) -> usize {
        self.process
    }

    /// The processes this one has a link to.
    pub fn peers(&self) -> Vec<usize> {
        (self.ends.iter().enumerate())
            .filter_map(|(i, e)| e.as_ref().map(|_| i))
            .collect()
    }

    /// Sends one message to `peer`.
    pub fn send(&self, peer: usize, message: &[u8]) -> Result<(), ClusterError> {
        let end = (self.ends.get(peer).and_then(Option::as_ref)).ok_or(ClusterError::Peer {
            peer,
            what: "no control link to it".into(),
        })?;
        write_frame(end, message).map_err(|e| ClusterError::Peer {
            peer,
            what: format!("sending to it failed: {e}"),
        })
    }

    /// Sends one message to every peer; the first failure is returned after all are tried.
    pub fn broadcast(&self, message: &[u8]) -> Result<(), ClusterError> {
        let mut first = None;
        for peer in self.peers() {
            if let Err(e) = self.send(peer, message) {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }

    /// The next event, waiting at most `wait`.
    pub fn recv(&self, wait: Duration) -> Option<(usize, Incoming)> {
        self.events.recv_timeout(wait).ok()
    }

    /// How long `peer` has been silent (since the link was made when it never spoke).
    pub fn silent_for(&self, peer: usize) -> Duration {
        let now = self.start.elapsed().as_millis() as u64;
        let heard = (self.ends.get(peer).and_then(Option::as_ref))
            .map_or(0, |e| e.heard_ms.load(Ordering::Relaxed));
        Duration::from_millis(now.saturating_sub(heard))
    }

    /// The peer silent longest, with how long, when it passes `limit`.
    pub fn first_silent(&self, limit: Duration) -> Option<(usize, Duration)> {
        (self.peers().into_iter())
            .map(|p| (p, self.silent_for(p)))
            .find(|(_, d)| *d > limit)
    }

    /// Sends an empty frame on every link each `every` until the links are closed; a
    /// write that blocks longer than `every * 4` fails (the peer stopped reading).
    pub fn start_heartbeats(&self, every: Duration) {
        let ends: Vec<Arc<End>> = self.ends.iter().flatten().cloned().collect();
        for e in &ends {
            if let Ok(s) = e.write.lock() {
                let _ = s.set_write_timeout(Some(every * 4));
            }
        }
        let closed = self.closed.clone();
        let _ = std::thread::Builder::new()
            .name("vecload-heartbeat".into())
            .spawn(move || {
                while !closed.load(Ordering::Relaxed) {
                    for e in &ends {
                        let _ = write_frame(e, &[]);
                    }
                    std::thread::sleep(every);
                }
            });
    }

    /// Closes every link (the readers end, the heartbeats stop).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
        for e in self.ends.iter().flatten() {
            if let Ok(s) = e.write.lock() {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        self.close();
    }
}

fn write_frame(end: &End, message: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(message.len())
        .map_err(|_| std::io::Error::other("a control message longer than 4 GiB"))?;
    let mut s = end
        .write
        .lock()
        .map_err(|_| std::io::Error::other("poisoned"))?;
    let mut frame = Vec::with_capacity(4 + message.len());
    frame.extend_from_slice(&len.to_le_bytes());
    frame.extend_from_slice(message);
    s.write_all(&frame)?;
    s.flush()
}

/// Reads frames until the link ends; an empty frame is a heartbeat.
fn read_loop(
    mut s: TcpStream,
    peer: usize,
    end: &End,
    start: Instant,
    max_frame: usize,
    tx: &Sender<(usize, Incoming)>,
) {
    let heard = || {
        end.heard_ms
            .store(start.elapsed().as_millis() as u64, Ordering::Relaxed)
    };
    let why = loop {
        let mut len = [0u8; 4];
        if let Err(e) = s.read_exact(&mut len) {
            break match e.kind() {
                std::io::ErrorKind::UnexpectedEof => "it closed its control link".to_string(),
                _ => format!("its control link broke: {e}"),
            };
        }
        heard();
        let len = u32::from_le_bytes(len) as usize;
        if len == 0 {
            continue;
        }
        if len > max_frame {
            break format!("it sent a message of {len} bytes, more than the {max_frame} allowed");
        }
        let mut body = vec![0u8; len];
        if let Err(e) = s.read_exact(&mut body) {
            break format!("its control link broke mid-message: {e}");
        }
        heard();
        if tx.send((peer, Incoming::Message(body))).is_err() {
            return;
        }
    };
    let _ = tx.send((peer, Incoming::Closed(why)));
}

#[cfg(test)]
mod tests {
    use super::super::{Hosts, connect};
    use super::*;

    fn free_port() -> u16 {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap()
    }

    #[test]
    fn three_processes_connect_and_talk_and_a_lost_one_is_seen() {
        let text = (0..3)
            .map(|_| format!("127.0.0.1:{}\n", free_port()))
            .collect::<String>();
        let hosts = Hosts::parse("h", &text).unwrap();
        let t = Duration::from_secs(10);
        let peers: Vec<_> = (1..3)
            .map(|i| {
                let h = hosts.clone();
                std::thread::spawn(move || connect(&h, i, t, 1 << 20).unwrap())
            })
            .collect();
        let zero = connect(&hosts, 0, t, 1 << 20).unwrap();
        let mut meshes: Vec<Mesh> = peers.into_iter().map(|p| p.join().unwrap()).collect();
        assert_eq!(zero.control.peers(), [1, 2]);
        assert!(zero.data[1].is_some() && zero.data[2].is_some() && zero.data[0].is_none());
        assert!(meshes[1].data[0].is_some() && meshes[1].data[1].is_some());
        meshes[0].control.send(0, b"hello").unwrap();
        let (from, msg) = zero.control.recv(t).unwrap();
        assert!(from == 1 && matches!(msg, Incoming::Message(m) if m == b"hello"));
        zero.control.broadcast(b"all").unwrap();
        for m in &meshes {
            let (from, msg) = m.control.recv(t).unwrap();
            assert!(from == 0 && matches!(msg, Incoming::Message(b) if b == b"all"));
        }
        // Process 2 goes away: process 0 hears its link close.
        drop(meshes.pop());
        let (from, msg) = zero.control.recv(t).unwrap();
        assert!(from == 2 && matches!(msg, Incoming::Closed(_)), "{msg:?}");
        // Silence is measured: process 1 sends nothing for a while.
        std::thread::sleep(Duration::from_millis(300));
        assert!(zero.control.silent_for(1) >= Duration::from_millis(250));
        assert_eq!(
            zero.control
                .first_silent(Duration::from_millis(200))
                .map(|p| p.0),
            Some(1)
        );
        meshes[0]
            .control
            .start_heartbeats(Duration::from_millis(20));
        std::thread::sleep(Duration::from_millis(100));
        assert!(zero.control.silent_for(1) < Duration::from_millis(80));
    }

    #[test]
    fn a_peer_that_never_comes_fails_the_connect_naming_it() {
        let text = format!("127.0.0.1:{}\n127.0.0.1:{}\n", free_port(), free_port());
        let hosts = Hosts::parse("h", &text).unwrap();
        let e = connect(&hosts, 0, Duration::from_millis(300), 1 << 20).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("process 1") && m.contains("did not connect"),
            "{m}"
        );
        let e = connect(&hosts, 1, Duration::from_millis(300), 1 << 20).unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("process 0") && m.contains("could not be reached"),
            "{m}"
        );
    }

    use super::super::Mesh;
}
