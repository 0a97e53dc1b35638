//! The segment file format: magic, version, block framing, footer and trailer, and the one
//! place segment file names are built and parsed.
//!
//! ```text
//! offset 0   MAGIC (8 bytes) | FORMAT_VERSION (u32 LE)                       header, 12 bytes
//! 12         [len u32 LE][crc32 u32 LE][bincode(RowBatch), len bytes]        block 0
//!            [len u32 LE][crc32 u32 LE][bincode(RowBatch), len bytes]        block 1 ...
//! F          bincode(SegmentFooter { meta, row_count, blocks })              footer
//! end - 20   [footer len u64 LE][footer crc32 u32 LE][TRAILER_MAGIC 8 bytes] trailer
//! ```
//!
//! The trailer is written last, so a file whose writer crashed has none and is refused.
//! Readers check, in order: header magic and version, trailer magic, footer length and CRC,
//! that the blocks tile the data section exactly and their rows add up; then, per block,
//! the length header against the footer, the CRC, the decode (limited to the block's
//! length), and the decoded rows and columns against the footer.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::{Inconsistency, Part, SegmentError};
use crate::schema::DataType;

/// First 8 bytes of every segment file.
pub const MAGIC: [u8; 8] = *b"VLSEG\0\0\x01";
/// Last 8 bytes of every complete segment file.
pub const TRAILER_MAGIC: [u8; 8] = *b"VLSEGEND";
/// The format version this build writes (2: adds the Int8Vector column type; 3: adds the
/// Geometry, Timestamptz and ArrayOfStruct column types).
pub const FORMAT_VERSION: u32 = 3;
/// The oldest format version this build still reads. Versions only ever append column
/// types (at the end of the enums, so older tags keep their meaning), so a reader of
/// version N decodes every version from this one to N.
pub const FORMAT_VERSION_MIN: u32 = 1;
/// Bytes before the first block: magic and version.
pub const HEADER_BYTES: u64 = 12;
/// Bytes before each block's payload: length and CRC32.
pub const BLOCK_HEADER_BYTES: u64 = 8;
/// Bytes after the footer: footer length, footer CRC32, trailing magic.
pub const TRAILER_BYTES: u64 = 20;
/// Largest block payload a reader accepts (and a writer produces).
pub const BLOCK_MAX_BYTES: u64 = 1 << 30;
/// Largest footer a reader accepts.
pub const FOOTER_MAX_BYTES: u64 = 64 << 20;
/// Extension of segment files.
pub const FILE_EXTENSION: &str = "vseg";

/// What a segment holds, stored in its footer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentMeta {
    /// Collection name.
    pub collection: String,
    /// Partition name.
    pub partition: String,
    /// Shard (vchannel) index.
    pub shard: u32,
    /// Import task that wrote the segment.
    pub task_id: u64,
    /// One (name, type) per column, in schema order.
    pub fields: Vec<(String, DataType)>,
    /// Whether blocks carry the `$meta` (dynamic fields) column.
    pub has_meta: bool,
}

/// Where one data block sits in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockRef {
    /// Offset of the block's length header.
    pub offset: u64,
    /// Payload length in bytes (without the 8-byte block header).
    pub len: u64,
    /// Rows in the block.
    pub rows: u64,
}

impl BlockRef {
    /// Offset just past the block.
    pub fn end(&self) -> u64 {
        self.offset + BLOCK_HEADER_BYTES + self.len
    }
}

/// The footer: metadata and the block index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SegmentFooter {
    pub(crate) meta: SegmentMeta,
    pub(crate) row_count: u64,
    pub(crate) blocks: Vec<BlockRef>,
}

impl SegmentFooter {
    /// Checks that the blocks tile `HEADER_BYTES..footer_start` and their rows add up.
    pub(crate) fn check(&self, path: &Path, footer_start: u64) -> Result<(), SegmentError> {
        let bad = |problem| SegmentError::Inconsistent {
            path: path.to_path_buf(),
            part: Part::Footer,
            problem,
        };
        let mut expected = HEADER_BYTES;
        let mut rows = 0u64;
        for (i, b) in self.blocks.iter().enumerate() {
            if b.offset != expected {
                let found = b.offset;
                return Err(bad(Inconsistency::BlockOffset { expected, found }));
            }
            if b.len > BLOCK_MAX_BYTES {
                return Err(SegmentError::Inconsistent {
                    path: path.to_path_buf(),
                    part: Part::Block(i),
                    problem: Inconsistency::BlockTooLarge {
                        len: b.len,
                        max: BLOCK_MAX_BYTES,
                    },
                });
            }
            expected = b.end();
            rows = rows.saturating_add(b.rows);
        }
        if expected != footer_start {
            let (found, expected) = (expected, footer_start);
            return Err(bad(Inconsistency::DataEnd { expected, found }));
        }
        if rows != self.row_count {
            let expected = self.row_count;
            return Err(bad(Inconsistency::RowCount {
                expected,
                found: rows,
            }));
        }
        Ok(())
    }
}

/// The header bytes every segment starts with.
pub(crate) fn header_bytes() -> [u8; HEADER_BYTES as usize] {
    let mut h = [0u8; HEADER_BYTES as usize];
    h[..8].copy_from_slice(&MAGIC);
    h[8..].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h
}

/// Checks a header's magic and version.
pub(crate) fn check_header(
    path: &Path,
    h: &[u8; HEADER_BYTES as usize],
) -> Result<(), SegmentError> {
    let (magic, version) = split8(h);
    if magic != MAGIC {
        return Err(SegmentError::BadMagic {
            path: path.to_path_buf(),
            part: Part::Header,
            found: magic,
        });
    }
    let found = u32::from_le_bytes([version[0], version[1], version[2], version[3]]);
    if !(FORMAT_VERSION_MIN..=FORMAT_VERSION).contains(&found) {
        return Err(SegmentError::UnsupportedVersion {
            path: path.to_path_buf(),
            found,
            supported: FORMAT_VERSION,
        });
    }
    Ok(())
}

/// The 8-byte prefix of `b` and the rest.
fn split8(b: &[u8]) -> ([u8; 8], &[u8]) {
    let mut head = [0u8; 8];
    head.copy_from_slice(&b[..8]);
    (head, &b[8..])
}

/// The fixed-size trailer: where the footer is and its CRC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Trailer {
    pub(crate) footer_len: u64,
    pub(crate) footer_crc: u32,
}

impl Trailer {
    /// The trailer's bytes.
    pub(crate) fn to_bytes(self) -> [u8; TRAILER_BYTES as usize] {
        let mut t = [0u8; TRAILER_BYTES as usize];
        t[..8].copy_from_slice(&self.footer_len.to_le_bytes());
        t[8..12].copy_from_slice(&self.footer_crc.to_le_bytes());
        t[12..].copy_from_slice(&TRAILER_MAGIC);
        t
    }

    /// Parses a trailer, refusing a file that does not end with [`TRAILER_MAGIC`].
    pub(crate) fn parse(
        path: &Path,
        t: &[u8; TRAILER_BYTES as usize],
    ) -> Result<Self, SegmentError> {
        let (len, rest) = split8(t);
        let (crc, magic) = rest.split_at(4);
        let (magic, _) = split8(magic);
        if magic != TRAILER_MAGIC {
            return Err(SegmentError::MissingTrailer {
                path: path.to_path_buf(),
                found: magic,
            });
        }
        Ok(Trailer {
            footer_len: u64::from_le_bytes(len),
            footer_crc: u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]),
        })
    }
}

/// The parts of a segment file name:
/// `t{task_id:08}-w{worker}-p{partition}-s{shard}-{seq:04}.vseg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SegmentName {
    /// Import task.
    pub task_id: u64,
    /// Worker that wrote the file.
    pub worker: usize,
    /// Index of the partition among the collection's partitions.
    pub partition: u32,
    /// Shard (vchannel) index.
    pub shard: u32,
    /// Sequence number among this writer's files, from 0.
    pub seq: u32,
}

impl SegmentName {
    /// Parses a file name made by [`file_name`]; `None` for anything else, including
    /// non-canonical spellings (missing zero padding, signs, other extensions).
    pub fn parse(name: &str) -> Option<Self> {
        let stem = name.strip_suffix(FILE_EXTENSION)?.strip_suffix('.')?;
        let mut parts = stem.split('-');
        let mut field = |prefix: &str| parts.next()?.strip_prefix(prefix);
        let parsed = SegmentName {
            task_id: field("t")?.parse().ok()?,
            worker: field("w")?.parse().ok()?,
            partition: field("p")?.parse().ok()?,
            shard: field("s")?.parse().ok()?,
            seq: field("")?.parse().ok()?,
        };
        (parts.next().is_none() && parsed.to_string() == name).then_some(parsed)
    }
}

impl fmt::Display for SegmentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "t{:08}-w{}-p{}-s{}-{:04}.{FILE_EXTENSION}",
            self.task_id, self.worker, self.partition, self.shard, self.seq
        )
    }
}

/// The file name of a segment; the only place segment names are built.
pub fn file_name(task_id: u64, worker: usize, partition: u32, shard: u32, seq: u32) -> String {
    SegmentName {
        task_id,
        worker,
        partition,
        shard,
        seq,
    }
    .to_string()
}

/// What a segment's header, trailer and footer say, once checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentSummary {
    /// The file.
    pub path: PathBuf,
    /// Format version from the header.
    pub format_version: u32,
    /// Metadata from the footer.
    pub meta: SegmentMeta,
    /// Rows in the segment.
    pub row_count: u64,
    /// The block index.
    pub blocks: Vec<BlockRef>,
    /// File size in bytes.
    pub file_bytes: u64,
    /// Footer size in bytes (without the trailer).
    pub footer_bytes: u64,
    /// The footer's CRC-32 (from the trailer): it covers the block index and so names what
    /// the segment holds.
    pub footer_crc: u32,
    /// Whether every block's CRC and decode were checked too, not just the footer's.
    pub blocks_verified: bool,
}

impl fmt::Display for SegmentSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = &self.meta;
        let name = self.path.file_name().unwrap_or(self.path.as_os_str());
        let data: u64 = self.blocks.iter().map(|b| b.len).sum();
        writeln!(f, "segment     {}", name.to_string_lossy())?;
        writeln!(
            f,
            "format      {} v{}",
            String::from_utf8_lossy(&MAGIC[..5]),
            self.format_version
        )?;
        writeln!(f, "collection  {}", m.collection)?;
        writeln!(f, "partition   {}", m.partition)?;
        writeln!(f, "shard       {}", m.shard)?;
        writeln!(f, "task        {}", m.task_id)?;
        writeln!(f, "rows        {}", self.row_count)?;
        writeln!(f, "blocks      {}", self.blocks.len())?;
        writeln!(
            f,
            "fields      {}",
            m.fields.len() + usize::from(m.has_meta)
        )?;
        for (name, ty) in &m.fields {
            writeln!(f, "  {name}: {ty}")?;
        }
        if m.has_meta {
            writeln!(
                f,
                "  {}: {} (dynamic fields)",
                crate::schema::META_FIELD,
                DataType::Json
            )?;
        }
        writeln!(
            f,
            "bytes       {} (data {data}, footer {})",
            self.file_bytes, self.footer_bytes
        )?;
        let blocks = if self.blocks_verified {
            format!("footer and all {} blocks", self.blocks.len())
        } else {
            "footer (blocks are checked when read)".to_string()
        };
        write!(
            f,
            "check       magic, version and trailer ok; CRC ok: {blocks}"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_round_trip_and_parse_strictly() {
        let name = file_name(7, 1, 2, 3, 4);
        assert_eq!(name, "t00000007-w1-p2-s3-0004.vseg");
        let parsed = SegmentName::parse(&name).unwrap();
        assert_eq!(parsed.to_string(), name);
        assert_eq!((parsed.task_id, parsed.worker, parsed.seq), (7, 1, 4));
        let big = file_name(123_456_789_012, 15, 0, 0, 12_345);
        assert_eq!(SegmentName::parse(&big).map(|n| n.to_string()), Some(big));
        for bad in [
            "t7-w1-p2-s3-0004.vseg",
            "t00000007-w1-p2-s3-4.vseg",
            "t00000007-w1-p2-s3-0004.vseg.tmp",
            "t00000007-w+1-p2-s3-0004.vseg",
            "t00000007-w1-p2-s3-0004-0.vseg",
            "t00000007-w1-p2-0004.vseg",
            "x00000007-w1-p2-s3-0004.vseg",
            "",
        ] {
            assert_eq!(SegmentName::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn header_and_trailer_round_trip() {
        let p = Path::new("x.vseg");
        check_header(p, &header_bytes()).unwrap();
        let t = Trailer {
            footer_len: 300,
            footer_crc: 0xdead_beef,
        };
        assert_eq!(Trailer::parse(p, &t.to_bytes()).unwrap(), t);
        let mut v1 = header_bytes();
        v1[8..].copy_from_slice(&FORMAT_VERSION_MIN.to_le_bytes());
        check_header(p, &v1).unwrap();
        for found in [0, FORMAT_VERSION + 1] {
            let mut h = header_bytes();
            h[8..].copy_from_slice(&found.to_le_bytes());
            let err = check_header(p, &h).unwrap_err();
            assert!(
                matches!(err, SegmentError::UnsupportedVersion { found: f, .. } if f == found),
                "{err}"
            );
        }
        let mut h = header_bytes();
        h[8] = 4;
        assert_eq!(
            check_header(p, &h).unwrap_err().to_string(),
            "x.vseg: segment format version 4, this build reads versions 1 to 3"
        );
    }
}
