//! Writing the data set as one Parquet file, as pymilvus' `LocalBulkWriter` writes it with
//! pyarrow: `id` and `word_count` Int64, `title` string, `vec` `list<float32>`, snappy, row
//! groups of 32 MiB over the average row size clamped to [1000, 1000000] rows.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{Float32Builder, Int64Builder, ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::errors::ParquetError;
use parquet::file::properties::WriterProperties;

use super::rows::{Row, TITLE_MAX_CHARS, TITLE_MIN_CHARS};

/// Bytes of a row group pymilvus aims at (its `row_group_bytes`).
const ROW_GROUP_BYTES: usize = 32 << 20;
/// pymilvus' clamp of the rows of a row group.
const ROW_GROUP_MIN_ROWS: usize = 1000;
const ROW_GROUP_MAX_ROWS: usize = 1_000_000;
/// Rows handed to the writer at a time (the writer cuts row groups itself).
const BATCH_ROWS: usize = 4096;

/// Rows per row group for `dim`-float vectors, as pymilvus computes it: 32 MiB over the
/// average in-memory row size plus one (8 + 8 bytes of integers, the mean title length,
/// 4 bytes a float), clamped to [1000, 1000000].
pub fn row_group_rows(dim: usize) -> usize {
    let per_row = 16 + (TITLE_MIN_CHARS + TITLE_MAX_CHARS) / 2 + 4 * dim + 1;
    (ROW_GROUP_BYTES / per_row).clamp(ROW_GROUP_MIN_ROWS, ROW_GROUP_MAX_ROWS)
}

/// The Arrow schema of the file (every field nullable, as pyarrow makes it from pandas).
fn schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("word_count", DataType::Int64, true),
        Field::new("title", DataType::Utf8, true),
        Field::new(
            "vec",
            DataType::List(Arc::new(Field::new("item", DataType::Float32, true))),
            true,
        ),
    ]))
}

/// The Parquet file of the data set, fed one row at a time; memory stays at one batch plus
/// the writer's open row group.
pub struct ParquetRows<W: Write + Send> {
    writer: ArrowWriter<W>,
    schema: SchemaRef,
    id: Int64Builder,
    word_count: Int64Builder,
    title: StringBuilder,
    vec: ListBuilder<Float32Builder>,
    pending: usize,
}

impl<W: Write + Send> ParquetRows<W> {
    /// Starts the file on `out` (buffered by the caller) for `dim`-float vectors.
    pub fn new(out: W, dim: usize) -> Result<Self, ParquetError> {
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(row_group_rows(dim)))
            .build();
        let schema = schema();
        Ok(ParquetRows {
            writer: ArrowWriter::try_new(out, schema.clone(), Some(props))?,
            schema,
            id: Int64Builder::with_capacity(BATCH_ROWS),
            word_count: Int64Builder::with_capacity(BATCH_ROWS),
            title: StringBuilder::with_capacity(BATCH_ROWS, BATCH_ROWS * TITLE_MAX_CHARS),
            vec: ListBuilder::with_capacity(
                Float32Builder::with_capacity(BATCH_ROWS * dim),
                BATCH_ROWS,
            ),
            pending: 0,
        })
    }

    /// Appends one row.
    pub fn push(&mut self, row: &Row) -> Result<(), ParquetError> {
        self.id.append_value(row.id);
        self.word_count.append_value(row.word_count);
        self.title.append_value(&row.title);
        self.vec.values().append_slice(&row.vec);
        self.vec.append(true);
        self.pending += 1;
        if self.pending == BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> Result<(), ParquetError> {
        if self.pending == 0 {
            return Ok(());
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.id.finish()),
            Arc::new(self.word_count.finish()),
            Arc::new(self.title.finish()),
            Arc::new(self.vec.finish()),
        ];
        let batch = RecordBatch::try_new(self.schema.clone(), columns)?;
        self.pending = 0;
        self.writer.write(&batch)
    }

    /// Writes the last rows and the footer; returns the output.
    pub fn finish(mut self) -> Result<W, ParquetError> {
        self.flush_batch()?;
        self.writer.into_inner()
    }
}

#[cfg(test)]
mod tests {
    use super::super::rows::RowGen;
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float32Type, Int64Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    #[test]
    fn row_groups_are_sized_as_pymilvus_sizes_them() {
        assert_eq!(row_group_rows(128), (32 << 20) / 561);
        assert_eq!(row_group_rows(32_768), 1000);
        assert_eq!(row_group_rows(1), (32 << 20) / 53);
    }

    #[test]
    fn rows_read_back_equal_the_generated_rows() {
        let mut g = RowGen::new(5, 3);
        let rows: Vec<Row> = (0..5000).map(|_| g.next_row()).collect();
        let mut w = ParquetRows::new(Vec::new(), 3).unwrap();
        for r in &rows {
            w.push(r).unwrap();
        }
        let bytes = bytes::Bytes::from(w.finish().unwrap());
        let reader = ParquetRecordBatchReaderBuilder::try_new(bytes).unwrap();
        assert_eq!(
            reader.metadata().file_metadata().num_rows(),
            rows.len() as i64
        );
        let mut i = 0;
        for batch in reader.build().unwrap() {
            let batch = batch.unwrap();
            let id = batch.column(0).as_primitive::<Int64Type>();
            let wc = batch.column(1).as_primitive::<Int64Type>();
            let title = batch.column(2).as_string::<i32>();
            let vec = batch.column(3).as_list::<i32>();
            for r in 0..batch.num_rows() {
                let want = &rows[i];
                assert_eq!(id.value(r), want.id);
                assert_eq!(wc.value(r), want.word_count);
                assert_eq!(title.value(r), want.title);
                let v = vec.value(r);
                assert_eq!(v.as_primitive::<Float32Type>().values(), &want.vec[..]);
                i += 1;
            }
        }
        assert_eq!(i, rows.len());
    }
}
