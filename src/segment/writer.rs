//! [`SegmentWriter`]: buffers one worker's rows for one (partition, shard) into blocks of a
//! bounded size and writes them to segment files that roll over on a byte budget.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::batch::{self, RowSizer};
use super::codec;
use super::direct::DirectFile;
use super::error::{Inconsistency, Part, SegmentError};
use super::fastenc;
use super::format::{
    BLOCK_HEADER_BYTES, BLOCK_MAX_BYTES, BlockRef, HEADER_BYTES, SegmentMeta, TRAILER_BYTES,
    Trailer, file_name, header_bytes,
};
use crate::fault::{self, DurableWrite, FaultHook};
use crate::record::RowBatch;

/// Default [`WriterOptions::block_bytes`]: 8 MiB.
pub const BLOCK_BYTES_DEFAULT: usize = 8 << 20;
/// Default [`WriterOptions::segment_max_size`]: 512 MiB.
pub const SEGMENT_MAX_SIZE_DEFAULT: u64 = 512 << 20;
/// Encoded bytes of one [`BlockRef`] in the footer (three fixed-width `u64`s).
const BLOCK_REF_BYTES: u64 = 24;

/// How a [`SegmentWriter`] sizes blocks and files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterOptions {
    /// A file is closed and the next one started before it would exceed this many bytes.
    /// A single row too large for an empty file still gets a file of its own.
    /// Default [`SEGMENT_MAX_SIZE_DEFAULT`].
    pub segment_max_size: u64,
    /// Rows are buffered until their encoding would exceed this many bytes, then written as
    /// one block; this bounds the writer's memory. Default [`BLOCK_BYTES_DEFAULT`].
    pub block_bytes: usize,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            segment_max_size: SEGMENT_MAX_SIZE_DEFAULT,
            block_bytes: BLOCK_BYTES_DEFAULT,
        }
    }
}

/// A finished, synced segment file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentInfo {
    /// File name inside the writer's directory (see [`file_name`]).
    pub file_name: String,
    /// Rows in the file.
    pub rows: u64,
    /// File size in bytes.
    pub bytes: u64,
    /// Partition name.
    pub partition: String,
    /// Shard (vchannel) index.
    pub shard: u32,
}

/// The reused row buffer, shaped by the first batch.
struct Buffer {
    rows: RowBatch,
    sizer: RowSizer,
    len: usize,
    /// Exact encoded size of `rows`.
    bytes: u64,
    empty_bytes: u64,
}

/// The file being written.
struct OpenFile {
    path: PathBuf,
    name: String,
    file: DirectFile,
    bytes: u64,
    rows: u64,
    blocks: Vec<BlockRef>,
}

/// The footer as written: borrows what [`super::format::SegmentFooter`] owns (same encoding).
#[derive(Serialize)]
struct FooterRef<'a> {
    meta: &'a SegmentMeta,
    row_count: u64,
    blocks: &'a [BlockRef],
}

/// Writes the rows one worker routes to one (partition, shard) into segment files named
/// by [`file_name`], in a directory that must exist.
///
/// Create it with [`SegmentWriter::new`] (no I/O), feed [`add_batch`](Self::add_batch), then
/// call [`finish`](Self::finish). A writer dropped without `finish` leaves its last file
/// without a trailer, which readers refuse. After an error, drop the writer.
pub struct SegmentWriter {
    dir: PathBuf,
    task_id: u64,
    worker: usize,
    partition_index: u32,
    meta: SegmentMeta,
    opts: WriterOptions,
    seq: u32,
    buf: Option<Buffer>,
    file: Option<OpenFile>,
    encoded: Vec<u8>,
    footer_base: u64,
    done: Vec<SegmentInfo>,
    fault_hook: Option<FaultHook>,
}

impl SegmentWriter {
    /// A writer for `meta`'s partition and shard; touches no file until rows arrive.
    pub fn new(
        dir: &Path,
        task_id: u64,
        worker: usize,
        partition_index: u32,
        meta: SegmentMeta,
        opts: WriterOptions,
    ) -> Self {
        SegmentWriter {
            dir: dir.to_path_buf(),
            task_id,
            worker,
            partition_index,
            meta,
            opts,
            seq: 0,
            buf: None,
            file: None,
            encoded: Vec::new(),
            footer_base: 0,
            done: Vec::new(),
            fault_hook: None,
        }
    }

    /// Numbers the writer's files from `seq` on (a resumed task's writers start past the
    /// files it keeps).
    pub fn with_first_seq(mut self, seq: u32) -> Self {
        self.seq = seq;
        self
    }

    /// Runs `hook` around each block write, each file's sync and the directory's sync.
    pub fn with_fault_hook(mut self, hook: Option<FaultHook>) -> Self {
        self.fault_hook = hook;
        self
    }

    /// Buffers `batch`'s rows, writing a block whenever the buffer reaches
    /// [`WriterOptions::block_bytes`] and starting a new file whenever the current one would
    /// exceed [`WriterOptions::segment_max_size`].
    ///
    /// The batch must have one column per field of the meta, of the field's type, `$meta`
    /// iff `has_meta`, and the same vector dimensions and validity masks as earlier batches.
    pub fn add_batch(&mut self, batch: &RowBatch) -> Result<(), SegmentError> {
        let rows = batch::checked_rows(batch).map_err(|p| self.shape_error(p))?;
        batch::check_fields(batch, &self.meta.fields, self.meta.has_meta)
            .map_err(|p| self.shape_error(p))?;
        let mut buf = match self.buf.take() {
            Some(buf) => buf,
            None => self.new_buffer(batch)?,
        };
        let result = batch::check_same_shape(&buf.rows, batch)
            .map_err(|p| self.shape_error(p))
            .and_then(|()| self.fill(&mut buf, batch, rows));
        self.buf = Some(buf);
        result
    }

    /// Writes the buffered rows and closes the current file (synced, then the directory),
    /// keeping the writer and its buffers for the rows that come next, which go to a new
    /// file. Returns the files closed since the last call, in order.
    pub fn seal(&mut self) -> Result<Vec<SegmentInfo>, SegmentError> {
        if let Some(mut buf) = self.buf.take() {
            let written = match buf.len {
                0 => Ok(()),
                _ => self.write_block(&mut buf),
            };
            self.buf = Some(buf);
            written?;
        }
        self.close_and_sync_dir()?;
        Ok(std::mem::take(&mut self.done))
    }

    /// Closes the current file (complete and synced) and, once any file is done, syncs the
    /// segment directory so their names are durable too.
    fn close_and_sync_dir(&mut self) -> Result<(), SegmentError> {
        self.close_file()?;
        if !self.done.is_empty() {
            fault::guard(self.fault_hook.as_ref(), DurableWrite::SegmentDir, || {
                crate::fsutil::sync_dir(&self.dir)
            })
            .map_err(|source| SegmentError::Io {
                path: self.dir.clone(),
                source,
            })?;
        }
        Ok(())
    }

    /// Writes the buffered rows, closes the last file, and syncs every file and the
    /// directory. Returns the files written, in order; none when no rows arrived.
    pub fn finish(mut self) -> Result<Vec<SegmentInfo>, SegmentError> {
        if let Some(mut buf) = self.buf.take()
            && buf.len > 0
        {
            self.write_block(&mut buf)?;
        }
        self.close_and_sync_dir()?;
        Ok(self.done)
    }

    fn new_buffer(&mut self, batch: &RowBatch) -> Result<Buffer, SegmentError> {
        let footer = FooterRef {
            meta: &self.meta,
            row_count: 0,
            blocks: &[],
        };
        self.footer_base = codec::encoded_len(&footer).map_err(|source| SegmentError::Encode {
            path: self.next_path(),
            part: Part::Footer,
            source,
        })?;
        let rows = batch::empty_like(batch);
        let empty_bytes = batch::encoded_len(&rows);
        Ok(Buffer {
            sizer: RowSizer::new(&rows),
            rows,
            len: 0,
            bytes: empty_bytes,
            empty_bytes,
        })
    }

    /// Moves `batch`'s rows into `buf` in whole ranges, writing blocks and rolling files
    /// as budgets fill.
    fn fill(
        &mut self,
        buf: &mut Buffer,
        batch: &RowBatch,
        rows: usize,
    ) -> Result<(), SegmentError> {
        let block_budget = (self.opts.block_bytes as u64).min(BLOCK_MAX_BYTES);
        let (mut room, mut fresh) = self.room();
        let (mut start, mut pending) = (0, buf.bytes);
        let mut row = 0;
        while row < rows {
            let next = pending + buf.sizer.row_bytes(batch, row);
            let buffer_empty = buf.len == 0 && row == start;
            if next <= room.min(block_budget) || (buffer_empty && (next <= room || fresh)) {
                pending = next;
                row += 1;
                continue;
            }
            if row > start {
                self.append(buf, batch, start..row, pending)?;
                start = row;
            }
            if buf.len > 0 {
                self.write_block(buf)?;
            } else {
                self.close_file()?;
            }
            pending = buf.bytes;
            (room, fresh) = self.room();
        }
        if rows > start {
            self.append(buf, batch, start..rows, pending)?;
        }
        Ok(())
    }

    /// Appends rows `rows` of `batch`, whose encoding brings the buffer to `bytes`.
    fn append(
        &self,
        buf: &mut Buffer,
        batch: &RowBatch,
        rows: std::ops::Range<usize>,
        bytes: u64,
    ) -> Result<(), SegmentError> {
        let added = rows.len();
        batch::append_rows(&mut buf.rows, batch, rows).map_err(|p| self.shape_error(p))?;
        buf.len += added;
        buf.bytes = bytes;
        Ok(())
    }

    /// Payload bytes a next block may take in the current (or next) file, and whether that
    /// file holds no block yet.
    fn room(&self) -> (u64, bool) {
        let (bytes, blocks) = self
            .file
            .as_ref()
            .map_or((HEADER_BYTES, 0), |f| (f.bytes, f.blocks.len() as u64));
        let footer = self.footer_base + (blocks + 1) * BLOCK_REF_BYTES;
        let used = bytes + BLOCK_HEADER_BYTES + footer + TRAILER_BYTES;
        (self.opts.segment_max_size.saturating_sub(used), blocks == 0)
    }

    /// Encodes and writes the buffer as one block, then clears it for reuse.
    fn write_block(&mut self, buf: &mut Buffer) -> Result<(), SegmentError> {
        self.encoded.clear();
        fastenc::encode_batch(&mut self.encoded, &buf.rows);
        let len = self.encoded.len() as u64;
        debug_assert_eq!(len, buf.bytes, "block size estimate is exact");
        if len > BLOCK_MAX_BYTES {
            let problem = Inconsistency::BlockTooLarge {
                len,
                max: BLOCK_MAX_BYTES,
            };
            return Err(self.shape_error(problem));
        }
        let mut head = [0u8; BLOCK_HEADER_BYTES as usize];
        head[..4].copy_from_slice(&(len as u32).to_le_bytes());
        head[4..].copy_from_slice(&crc32fast::hash(&self.encoded).to_le_bytes());
        let f = match self.file.take() {
            Some(f) => f,
            None => create_file(self.next_path(), self.next_name(), self.opts.block_bytes)?,
        };
        let f = self.file.insert(f);
        let io = |source| SegmentError::Io {
            path: f.path.clone(),
            source,
        };
        fault::guard(self.fault_hook.as_ref(), DurableWrite::SegmentBlock, || {
            f.file.write_all(&head)?;
            f.file.write_all(&self.encoded)
        })
        .map_err(io)?;
        let rows = buf.len as u64;
        f.blocks.push(BlockRef {
            offset: f.bytes,
            len,
            rows,
        });
        f.bytes += BLOCK_HEADER_BYTES + len;
        f.rows += rows;
        buf.rows.clear();
        buf.len = 0;
        buf.bytes = buf.empty_bytes;
        Ok(())
    }

    /// Writes the footer and trailer of the open file, if any, and syncs it.
    fn close_file(&mut self) -> Result<(), SegmentError> {
        let Some(mut f) = self.file.take() else {
            return Ok(());
        };
        self.encoded.clear();
        let footer = FooterRef {
            meta: &self.meta,
            row_count: f.rows,
            blocks: &f.blocks,
        };
        codec::encode_into(&mut self.encoded, &footer).map_err(|source| SegmentError::Encode {
            path: f.path.clone(),
            part: Part::Footer,
            source,
        })?;
        let trailer = Trailer {
            footer_len: self.encoded.len() as u64,
            footer_crc: crc32fast::hash(&self.encoded),
        };
        let io = |source| SegmentError::Io {
            path: f.path.clone(),
            source,
        };
        fault::guard(self.fault_hook.as_ref(), DurableWrite::SegmentFile, || {
            f.file.write_all(&self.encoded)?;
            f.file.write_all(&trailer.to_bytes())?;
            f.file.finish()
        })
        .map_err(io)?;
        self.done.push(SegmentInfo {
            file_name: f.name,
            rows: f.rows,
            bytes: f.bytes + trailer.footer_len + TRAILER_BYTES,
            partition: self.meta.partition.clone(),
            shard: self.meta.shard,
        });
        self.seq += 1;
        Ok(())
    }

    fn next_name(&self) -> String {
        let (task, worker, partition) = (self.task_id, self.worker, self.partition_index);
        file_name(task, worker, partition, self.meta.shard, self.seq)
    }

    /// The file being (or about to be) written.
    fn next_path(&self) -> PathBuf {
        self.dir.join(self.next_name())
    }

    fn shape_error(&self, problem: Inconsistency) -> SegmentError {
        SegmentError::BatchShape {
            path: self.next_path(),
            problem,
        }
    }
}

/// Creates a segment file (never overwriting one) and writes its header; its write stages
/// are the size of a block (at most 4 MiB).
fn create_file(path: PathBuf, name: String, block_bytes: usize) -> Result<OpenFile, SegmentError> {
    let io = |source| SegmentError::Io {
        path: path.clone(),
        source,
    };
    let mut file = DirectFile::create(&path, block_bytes).map_err(io)?;
    file.write_all(&header_bytes()).map_err(io)?;
    Ok(OpenFile {
        path,
        name,
        file,
        bytes: HEADER_BYTES,
        rows: 0,
        blocks: Vec::new(),
    })
}
