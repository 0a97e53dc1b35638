//! Segment files: the on-disk format, the writer and the reader.
//!
//! A segment holds rows of one (collection, partition, shard) written by one worker of one
//! import task, as bincode-encoded [`RowBatch`](crate::record::RowBatch) blocks framed with
//! lengths and CRC32s, followed by a CRC-checked footer and a fixed trailer (layout in
//! [`format`](mod@format)). Nothing in a file is trusted before it is checked: readers refuse a file
//! with a typed [`SegmentError`] naming the file and what is wrong.
//!
//! ```
//! use std::path::Path;
//! use vecload::record::RowBatch;
//! use vecload::segment::{SegmentError, SegmentMeta, SegmentWriter, WriterOptions, read_all};
//!
//! fn write_then_read(dir: &Path, meta: SegmentMeta, batch: &RowBatch) -> Result<(), SegmentError> {
//!     let mut writer = SegmentWriter::new(dir, 7, 0, 0, meta, WriterOptions::default());
//!     writer.add_batch(batch)?;
//!     for info in writer.finish()? {
//!         let rows = read_all(&dir.join(&info.file_name))?;
//!         assert_eq!(rows.len() as u64, info.rows);
//!     }
//!     Ok(())
//! }
//! ```

mod batch;
mod codec;
mod direct;
mod error;
mod fastenc;
pub mod format;
mod reader;
mod wire;
mod writer;

#[cfg(test)]
pub(crate) mod tests;

pub use error::{Inconsistency, Part, SegmentError};
pub use format::{BlockRef, SegmentMeta, SegmentName, SegmentSummary, file_name};
pub use reader::{
    Batches, SegmentReader, read_all, read_batches, read_content_crc, read_meta, verify,
};
pub use writer::{
    BLOCK_BYTES_DEFAULT, SEGMENT_MAX_SIZE_DEFAULT, SegmentInfo, SegmentWriter, WriterOptions,
};
