//! One property check per fuzz target, shared by the targets and by `tests/corpus.rs`.
//!
//! A check takes the fuzzer's bytes and panics when a property fails; an input the code
//! under test refuses with an error is fine. Checks use only `vecload`, `serde_json`,
//! `tempfile`, `bytes` and `std`, the crates the main crate's tests also have.

pub mod csv_rows;
pub mod draw;
pub mod filter_expr;
pub mod json_float;
pub mod json_framing;
pub mod json_rows;
pub mod json_text;
pub mod ledger_replay;
pub mod npy_column;
pub mod npy_header;
pub mod parquet_file;
pub mod schema_file;
pub mod segment_reader;

/// A check: panics if a property fails on the input.
pub type Check = fn(&[u8]);

/// Every target: its name (the `fuzz_targets/` file and the `corpus/` folder) and its check.
pub const TARGETS: [(&str, Check); 11] = [
    ("json_framing", json_framing::check),
    ("json_rows", json_rows::check),
    ("json_float", json_float::check),
    ("npy_header", npy_header::check),
    ("npy_column", npy_column::check),
    ("schema_file", schema_file::check),
    ("segment_reader", segment_reader::check),
    ("ledger_replay", ledger_replay::check),
    ("parquet_file", parquet_file::check),
    ("csv_rows", csv_rows::check),
    ("filter_expr", filter_expr::check),
];

/// A scratch directory on tmpfs when there is one: targets that write files (segments, the
/// ledger, which syncs every write) run many times faster there.
pub fn scratch_dir() -> tempfile::TempDir {
    let shm = std::path::Path::new("/dev/shm");
    let mut builder = tempfile::Builder::new();
    builder.prefix("vecload-fuzz-");
    let made = if shm.is_dir() {
        builder.tempdir_in(shm)
    } else {
        builder.tempdir()
    };
    made.or_else(|_| builder.tempdir())
        .expect("a scratch directory")
}

/// Rows of a column, after checking that a vector column holds whole rows and that the
/// validity mask, if any, has one entry per row.
pub fn column_rows(col: &vecload::record::Column) -> usize {
    use vecload::record::ColumnData as C;
    let whole = |len: usize, width: usize| {
        assert!(
            len.is_multiple_of(width.max(1)) && (width > 0 || len == 0),
            "a vector column holds a partial row ({len} values, {width} per row)"
        );
        len / width.max(1)
    };
    let rows = match &col.data {
        C::FloatVector { dim, values } => whole(values.len(), *dim),
        C::BinaryVector { dim, bytes } => whole(bytes.len(), dim / 8),
        C::Float16Vector { dim, bits } | C::BFloat16Vector { dim, bits } => whole(bits.len(), *dim),
        C::Int8Vector { dim, values } => whole(values.len(), *dim),
        other => other.len(),
    };
    if let Some(v) = &col.validity {
        assert_eq!(v.len(), rows, "a validity mask of another length");
    }
    rows
}

/// Rows of a batch, after checking that every column, mask and `$meta` holds that many.
pub fn batch_rows(batch: &vecload::record::RowBatch) -> usize {
    let rows = batch
        .columns
        .first()
        .map_or_else(|| batch.meta.as_ref().map_or(0, Vec::len), column_rows);
    for (i, c) in batch.columns.iter().enumerate() {
        assert_eq!(column_rows(c), rows, "column {i} has another row count");
    }
    if let Some(m) = &batch.meta {
        assert_eq!(m.len(), rows, "$meta has another row count");
    }
    rows
}
