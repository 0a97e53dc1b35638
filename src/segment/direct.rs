//! Segment files written around the page cache (`O_DIRECT`): bytes go from an aligned
//! staging buffer straight to the disk, sparing the kernel's copy into the page cache and
//! the first touch of fresh cache pages (about 0.6 s per GB on these machines). Where the
//! file system refuses `O_DIRECT` (tmpfs, some overlays), the same type writes buffered.
//!
//! A full stage is written by the file's own I/O thread while the caller fills the next
//! one: an `O_DIRECT` write blocks for as long as the disk takes (about 4 ms per 4 MiB stage
//! here), time the worker that encodes the segment would otherwise spend idle. At most one
//! stage is in flight; the next full stage waits for it (back-pressure, two stages of
//! memory per file). An I/O error is returned by the call that next meets it, or by
//! [`DirectFile::finish`].

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};

/// Writes are issued in multiples of this, from addresses and offsets aligned to it.
const ALIGN: usize = 4096;
/// Most bytes staged before a write is issued.
pub(super) const STAGE_BYTES_MAX: usize = 4 << 20;
/// Fewest bytes staged before a write is issued.
const STAGE_BYTES_MIN: usize = 64 << 10;

/// A staging buffer: an ALIGN-aligned window of `len` bytes within `buf`.
struct Stage {
    buf: Vec<u8>,
    start: usize,
    len: usize,
}

impl Stage {
    fn new(len: usize) -> Stage {
        // Over-allocate so that an aligned window fits (safe code: `align_offset` finds the
        // window; no custom allocator needed).
        let buf = vec![0u8; len + ALIGN];
        let start = buf.as_ptr().align_offset(ALIGN).min(ALIGN);
        Stage { buf, start, len }
    }

    fn window(&mut self) -> &mut [u8] {
        &mut self.buf[self.start..self.start + self.len]
    }
}

/// A stage handed to the I/O thread: its bytes `..len` go at file offset `at`.
type Job = (Stage, usize, u64);

/// The I/O thread of a file, started when its first stage fills.
struct Io {
    jobs: Option<Sender<Job>>,
    done: Receiver<io::Result<Stage>>,
    thread: Option<JoinHandle<()>>,
    /// Whether a stage is with the thread.
    in_flight: bool,
}

impl Io {
    fn start(file: &File) -> io::Result<Io> {
        let file = file.try_clone()?;
        let (jobs, rx) = crossbeam_channel::bounded::<Job>(1);
        let (tx, done) = crossbeam_channel::bounded(1);
        let thread = std::thread::Builder::new()
            .name("vecload-segment-io".into())
            .spawn(move || {
                for (mut stage, len, at) in rx {
                    let r = file.write_all_at(&stage.window()[..len], at);
                    let failed = r.is_err();
                    if tx.send(r.map(|()| stage)).is_err() || failed {
                        break;
                    }
                }
            })?;
        Ok(Io {
            jobs: Some(jobs),
            done,
            thread: Some(thread),
            in_flight: false,
        })
    }

    /// Waits for the stage in flight, if any: `Ok(Some(stage))` once written.
    fn wait(&mut self) -> io::Result<Option<Stage>> {
        if !std::mem::take(&mut self.in_flight) {
            return Ok(None);
        }
        match self.done.recv() {
            Ok(r) => r.map(Some),
            Err(_) => Err(io::Error::other("the segment I/O thread stopped")),
        }
    }

    fn send(&mut self, job: Job) -> io::Result<()> {
        let sent = self.jobs.as_ref().map(|s| s.send(job));
        if !matches!(sent, Some(Ok(()))) {
            return Err(io::Error::other("the segment I/O thread stopped"));
        }
        self.in_flight = true;
        Ok(())
    }
}

impl Drop for Io {
    fn drop(&mut self) {
        // Closing the channel ends the thread after the write it is doing, if any.
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// An append-only file with an aligned staging buffer.
pub(super) struct DirectFile {
    file: File,
    direct: bool,
    stage: Stage,
    /// Bytes staged in the window.
    staged: usize,
    /// Bytes handed to the file (or its I/O thread) so far: a multiple of the stage size
    /// until `finish`.
    written: u64,
    /// Bytes a stage holds.
    stage_bytes: usize,
    io: Option<Io>,
}

impl DirectFile {
    /// Creates `path` (never overwriting a file), trying `O_DIRECT` first, with stages of
    /// about `stage_bytes` (a multiple of 4 KiB between 64 KiB and 4 MiB): the file holds two
    /// while a write is in flight.
    pub(super) fn create(path: &Path, stage_bytes: usize) -> io::Result<DirectFile> {
        let stage_bytes = stage_bytes.clamp(STAGE_BYTES_MIN, STAGE_BYTES_MAX) / ALIGN * ALIGN;
        let open = |flags| {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .custom_flags(flags)
                .open(path)
        };
        let (file, direct) = match open(libc::O_DIRECT) {
            Ok(f) => (f, true),
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => (open(0)?, false),
            Err(e) => return Err(e),
        };
        Ok(DirectFile {
            file,
            direct,
            stage: Stage::new(stage_bytes),
            staged: 0,
            written: 0,
            stage_bytes,
            io: None,
        })
    }

    /// Appends `bytes`.
    pub(super) fn write_all(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let n = (self.stage_bytes - self.staged).min(bytes.len());
            let at = self.staged;
            self.stage.window()[at..at + n].copy_from_slice(&bytes[..n]);
            self.staged += n;
            bytes = &bytes[n..];
            if self.staged == self.stage_bytes {
                self.hand_off()?;
            }
        }
        Ok(())
    }

    /// Gives the full stage to the I/O thread and takes the one it wrote last (or a new one).
    fn hand_off(&mut self) -> io::Result<()> {
        let io = match &mut self.io {
            Some(io) => io,
            slot => slot.insert(Io::start(&self.file)?),
        };
        let next = match io.wait()? {
            Some(stage) => stage,
            None => Stage::new(self.stage_bytes),
        };
        let full = std::mem::replace(&mut self.stage, next);
        io.send((full, self.stage_bytes, self.written))?;
        self.written += self.stage_bytes as u64;
        self.staged = 0;
        Ok(())
    }

    /// Writes what is left (padded to ALIGN under `O_DIRECT`, then cut back to the real
    /// length) once the stage in flight is written, and makes the data durable.
    pub(super) fn finish(mut self) -> io::Result<()> {
        if let Some(mut io) = self.io.take() {
            io.wait()?;
        }
        if self.staged > 0 {
            let len = self.written + self.staged as u64;
            let staged = self.staged;
            if self.direct {
                let padded = staged.div_ceil(ALIGN) * ALIGN;
                let window = self.stage.window();
                window[staged..padded].fill(0);
                self.file.write_all_at(&window[..padded], self.written)?;
                self.file.set_len(len)?;
            } else {
                let window = self.stage.window();
                self.file.write_all_at(&window[..staged], self.written)?;
            }
            self.written = len;
            self.staged = 0;
        }
        self.file.sync_data()
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_sequence_of_writes_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        for (i, sizes) in [
            vec![12usize],
            vec![4096, 1],
            vec![STAGE_BYTES_MAX + 5, 3, ALIGN * 3 + 7],
            vec![STAGE_BYTES_MAX * 3 + 1, STAGE_BYTES_MAX - 1, 1, 9000],
            vec![],
        ]
        .into_iter()
        .enumerate()
        {
            let path = dir.path().join(format!("f{i}"));
            let mut f = DirectFile::create(&path, STAGE_BYTES_MAX).unwrap();
            let mut want = Vec::new();
            for (k, n) in sizes.iter().enumerate() {
                let chunk: Vec<u8> = (0..*n).map(|j| (j * 31 + k) as u8).collect();
                f.write_all(&chunk).unwrap();
                want.extend_from_slice(&chunk);
            }
            f.finish().unwrap();
            assert_eq!(std::fs::read(&path).unwrap(), want, "case {i}");
        }
        // Small stages: many writes in flight one after another.
        let path = dir.path().join("small");
        let mut f = DirectFile::create(&path, 1).unwrap();
        let want: Vec<u8> = (0..1_000_000u32).map(|j| (j % 251) as u8).collect();
        for part in want.chunks(7919) {
            f.write_all(part).unwrap();
        }
        f.finish().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), want, "small stages");
        assert!(
            DirectFile::create(&dir.path().join("f0"), STAGE_BYTES_MAX).is_err(),
            "existing file overwritten"
        );
    }
}
