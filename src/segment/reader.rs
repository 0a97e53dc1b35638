//! Reading segments: [`SegmentReader`] checks the header, trailer and footer on open, and
//! each block's length, CRC, decode and shape before handing its rows out.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use super::batch;
use super::codec;
use super::error::{Inconsistency, Part, SegmentError};
use super::format::{
    BLOCK_HEADER_BYTES, FOOTER_MAX_BYTES, HEADER_BYTES, SegmentFooter, SegmentSummary,
    TRAILER_BYTES, Trailer, check_header,
};
use crate::record::{Column, ColumnData, RowBatch};

/// An open, checked segment file, read one block at a time into a reused buffer.
pub struct SegmentReader {
    file: File,
    summary: SegmentSummary,
    payload: Vec<u8>,
}

impl SegmentReader {
    /// Opens `path` and checks its header magic and version, trailer, footer length and CRC,
    /// and block index; no block is read yet.
    pub fn open(path: &Path) -> Result<Self, SegmentError> {
        let mut file = File::open(path).map_err(io_error(path))?;
        let size = file.metadata().map_err(io_error(path))?.len();
        let truncated = |part, needed| SegmentError::Truncated {
            path: path.to_path_buf(),
            part,
            needed,
            size,
        };
        if size < HEADER_BYTES {
            return Err(truncated(Part::Header, HEADER_BYTES));
        }
        let mut header = [0u8; HEADER_BYTES as usize];
        read_at(&mut file, path, 0, &mut header)?;
        check_header(path, &header)?;
        if size < HEADER_BYTES + TRAILER_BYTES {
            return Err(truncated(Part::Trailer, HEADER_BYTES + TRAILER_BYTES));
        }
        let mut trailer = [0u8; TRAILER_BYTES as usize];
        read_at(&mut file, path, size - TRAILER_BYTES, &mut trailer)?;
        let trailer = Trailer::parse(path, &trailer)?;
        let available = size - HEADER_BYTES - TRAILER_BYTES;
        if trailer.footer_len > available.min(FOOTER_MAX_BYTES) {
            return Err(SegmentError::Inconsistent {
                path: path.to_path_buf(),
                part: Part::Trailer,
                problem: Inconsistency::FooterLength {
                    len: trailer.footer_len,
                    available: available.min(FOOTER_MAX_BYTES),
                },
            });
        }
        let footer_start = size - TRAILER_BYTES - trailer.footer_len;
        let mut bytes = Vec::new();
        read_len_at(
            &mut file,
            path,
            footer_start,
            trailer.footer_len,
            &mut bytes,
            Part::Footer,
        )?;
        let found = crc32fast::hash(&bytes);
        if found != trailer.footer_crc {
            return Err(SegmentError::CrcMismatch {
                path: path.to_path_buf(),
                part: Part::Footer,
                expected: trailer.footer_crc,
                found,
            });
        }
        let footer: SegmentFooter =
            codec::decode(&bytes).map_err(|source| SegmentError::Decode {
                path: path.to_path_buf(),
                part: Part::Footer,
                source,
            })?;
        footer.check(path, footer_start)?;
        let summary = SegmentSummary {
            path: path.to_path_buf(),
            format_version: u32::from_le_bytes([header[8], header[9], header[10], header[11]]),
            meta: footer.meta,
            row_count: footer.row_count,
            blocks: footer.blocks,
            file_bytes: size,
            footer_bytes: trailer.footer_len,
            footer_crc: trailer.footer_crc,
            blocks_verified: false,
        };
        Ok(SegmentReader {
            file,
            summary,
            payload: bytes,
        })
    }

    /// What the header, trailer and footer say.
    pub fn summary(&self) -> &SegmentSummary {
        &self.summary
    }

    /// The summary, consuming the reader.
    pub fn into_summary(self) -> SegmentSummary {
        self.summary
    }

    /// A CRC-32 over the footer's CRC and every block's (read from the block headers, the
    /// blocks themselves not read): what names a segment's content cheaply, for a process
    /// that did not write it to compare with what its writer reported.
    pub fn content_crc(&mut self) -> Result<u32, SegmentError> {
        let mut h = crc32fast::Hasher::new();
        h.update(&self.summary.footer_crc.to_le_bytes());
        let mut head = [0u8; BLOCK_HEADER_BYTES as usize];
        for b in &self.summary.blocks {
            read_at(&mut self.file, &self.summary.path, b.offset, &mut head)?;
            h.update(&head[4..8]);
        }
        Ok(h.finalize())
    }

    /// Reads block `index` (`None` past the last block), checking its length header against
    /// the footer, its CRC, its decode, and its rows and column types against the footer.
    pub fn read_block(&mut self, index: usize) -> Option<Result<RowBatch, SegmentError>> {
        let block = *self.summary.blocks.get(index)?;
        Some(self.read_checked(index, block))
    }

    /// Reads and checks every block, then marks the summary as fully verified.
    pub fn verify(&mut self) -> Result<(), SegmentError> {
        for index in 0..self.summary.blocks.len() {
            self.read_block(index).transpose()?;
        }
        self.summary.blocks_verified = true;
        Ok(())
    }

    /// The blocks in order, each checked as by [`read_block`](Self::read_block); the
    /// iterator ends after the first error.
    pub fn batches(self) -> Batches {
        Batches {
            reader: self,
            next: 0,
        }
    }

    fn read_checked(
        &mut self,
        index: usize,
        block: super::BlockRef,
    ) -> Result<RowBatch, SegmentError> {
        let path = self.summary.path.as_path();
        let part = Part::Block(index);
        let bad = |problem| SegmentError::Inconsistent {
            path: path.to_path_buf(),
            part,
            problem,
        };
        let mut head = [0u8; BLOCK_HEADER_BYTES as usize];
        read_at(&mut self.file, path, block.offset, &mut head)?;
        let len = u64::from(u32::from_le_bytes([head[0], head[1], head[2], head[3]]));
        let expected = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        if len != block.len {
            let expected = block.len;
            return Err(bad(Inconsistency::BlockLength {
                expected,
                found: len,
            }));
        }
        let payload_at = block.offset + BLOCK_HEADER_BYTES;
        read_len_at(
            &mut self.file,
            path,
            payload_at,
            len,
            &mut self.payload,
            part,
        )?;
        let found = crc32fast::hash(&self.payload);
        if found != expected {
            return Err(SegmentError::CrcMismatch {
                path: path.to_path_buf(),
                part,
                expected,
                found,
            });
        }
        let rows = codec::decode_batch(&self.payload).map_err(|source| SegmentError::Decode {
            path: path.to_path_buf(),
            part,
            source,
        })?;
        let n = batch::checked_rows(&rows).map_err(bad)?;
        if n as u64 != block.rows {
            let expected = block.rows;
            return Err(bad(Inconsistency::RowCount {
                expected,
                found: n as u64,
            }));
        }
        let meta = &self.summary.meta;
        batch::check_fields(&rows, &meta.fields, meta.has_meta).map_err(bad)?;
        Ok(rows)
    }
}

/// The checked blocks of a segment, in order; see [`SegmentReader::batches`].
pub struct Batches {
    reader: SegmentReader,
    next: usize,
}

impl Batches {
    /// What the segment's header, trailer and footer say.
    pub fn summary(&self) -> &SegmentSummary {
        self.reader.summary()
    }
}

impl Iterator for Batches {
    type Item = Result<RowBatch, SegmentError>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.reader.read_block(self.next)?;
        self.next = if item.is_ok() {
            self.next + 1
        } else {
            usize::MAX
        };
        Some(item)
    }
}

/// Checks `path`'s header, trailer and footer and returns what they say.
pub fn read_meta(path: &Path) -> Result<SegmentSummary, SegmentError> {
    SegmentReader::open(path).map(SegmentReader::into_summary)
}

/// Opens `path` and returns its summary and [`SegmentReader::content_crc`].
pub fn read_content_crc(path: &Path) -> Result<(SegmentSummary, u32), SegmentError> {
    let mut reader = SegmentReader::open(path)?;
    let crc = reader.content_crc()?;
    Ok((reader.into_summary(), crc))
}

/// Checks `path` entirely (footer and every block) and returns its summary.
pub fn verify(path: &Path) -> Result<SegmentSummary, SegmentError> {
    let mut reader = SegmentReader::open(path)?;
    reader.verify()?;
    Ok(reader.into_summary())
}

/// Opens `path` and iterates over its checked blocks.
pub fn read_batches(path: &Path) -> Result<Batches, SegmentError> {
    SegmentReader::open(path).map(SegmentReader::batches)
}

/// Reads every row of `path` into one batch. A segment without blocks gives a batch of
/// empty columns typed from the footer (vector dimension 0, no validity masks).
pub fn read_all(path: &Path) -> Result<RowBatch, SegmentError> {
    let mut batches = read_batches(path)?;
    let Some(first) = batches.next() else {
        let meta = &batches.summary().meta;
        let columns = meta.fields.iter().map(|(_, ty)| Column {
            data: ColumnData::empty_of(*ty, 0, 0),
            validity: None,
        });
        return Ok(RowBatch {
            columns: columns.collect(),
            meta: meta.has_meta.then(Vec::new),
        });
    };
    let mut all = first?;
    for (index, next) in (1..).zip(batches.by_ref()) {
        let next = next?;
        let rows = next.len();
        batch::check_same_shape(&all, &next)
            .and_then(|()| batch::append_rows(&mut all, &next, 0..rows))
            .map_err(|problem| SegmentError::Inconsistent {
                path: path.to_path_buf(),
                part: Part::Block(index),
                problem,
            })?;
    }
    Ok(all)
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> SegmentError + '_ {
    move |source| SegmentError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads exactly `buf.len()` bytes at `offset`.
fn read_at(file: &mut File, path: &Path, offset: u64, buf: &mut [u8]) -> Result<(), SegmentError> {
    file.seek(SeekFrom::Start(offset)).map_err(io_error(path))?;
    file.read_exact(buf).map_err(io_error(path))
}

/// Replaces `buf`'s content with exactly `len` bytes read at `offset`, reusing its allocation.
fn read_len_at(
    file: &mut File,
    path: &Path,
    offset: u64,
    len: u64,
    buf: &mut Vec<u8>,
    part: Part,
) -> Result<(), SegmentError> {
    file.seek(SeekFrom::Start(offset)).map_err(io_error(path))?;
    buf.clear();
    let got = file
        .by_ref()
        .take(len)
        .read_to_end(buf)
        .map_err(io_error(path))?;
    if (got as u64) < len {
        let size = file.metadata().map_err(io_error(path))?.len();
        return Err(SegmentError::Truncated {
            path: path.to_path_buf(),
            part,
            needed: offset + len,
            size,
        });
    }
    Ok(())
}
