//! `parquet_file`: any bytes as a Parquet file, opened and read against a fixed schema
//! (Int64 key, FloatVector(2), nullable VarChar(8), Int32 with a default, nullable Double,
//! nullable JSON, nullable Array<Int64> (capacity 4), nullable Bool, dynamic fields on) as
//! the pipeline does: `ParquetFile::open`, then `read_unit` for each work unit, from the
//! whole file (`FileBytes::whole`) and from the pieces a ranged reader fetches (head and
//! footer, then the column chunks of each unit).
//!
//! Properties:
//! * nothing unwinds out of the reader (a panic inside the decoder comes back as an error);
//!   every error names the file;
//! * the file opens the same from the whole file and from the footer pieces;
//! * a file that decodes gives the same rows read whole and read through the ranged pieces,
//!   and the same rows whatever the split into units (1, 3 or 8 workers: row groups, or row
//!   ranges inside them); a file refused one way is refused every way;
//! * every batch has one value per row in every column, mask and `$meta`, and as many rows
//!   as the units hold.
//!
//! Files whose metadata promises more than [`MAX_ROWS`] rows are opened but not read (the
//! pipeline's memory budget, not this check, bounds what a large file may decode into).

use std::sync::OnceLock;

use bytes::Bytes;
use vecload::parse::parquet::{FileBytes, ParquetError, ParquetFile, footer_len};
use vecload::record::RowBatch;
use vecload::schema::CollectionSchema;

/// The schema (see the module docs).
pub const SCHEMA: &str = r#"{"collectionName": "fuzz_parquet",
 "schema": {"autoId": false, "enableDynamicField": true, "fields": [
  {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
  {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}},
  {"fieldName": "s", "dataType": "VarChar", "elementTypeParams": {"max_length": 8},
   "nullable": true},
  {"fieldName": "i", "dataType": "Int32", "defaultValue": 7},
  {"fieldName": "d", "dataType": "Double", "nullable": true},
  {"fieldName": "j", "dataType": "JSON", "nullable": true},
  {"fieldName": "a", "dataType": "Array", "elementDataType": "Int64",
   "elementTypeParams": {"max_capacity": 4}, "nullable": true},
  {"fieldName": "b", "dataType": "Bool", "nullable": true}]}}"#;

/// The file name errors carry.
const FILE: &str = "fuzz.parquet";
/// Worker counts compared (units: row groups, or row ranges of them).
pub const WORKERS: [usize; 3] = [1, 3, 8];
/// Rows read at most (by the metadata's count).
pub const MAX_ROWS: u64 = 1 << 16;

fn schema() -> &'static CollectionSchema {
    static SCHEMA_PARSED: OnceLock<CollectionSchema> = OnceLock::new();
    SCHEMA_PARSED.get_or_init(|| {
        CollectionSchema::from_json(SCHEMA.as_bytes(), 16).expect("the fuzz schema is valid")
    })
}

fn names_file(e: &ParquetError) {
    let text = e.to_string();
    assert!(text.contains(FILE), "an error without the file: {text}");
}

/// Opens and reads `data` every way and checks every property.
pub fn check(data: &[u8]) {
    let all = Bytes::copy_from_slice(data);
    let whole = FileBytes::whole(all.clone());
    let opened = ParquetFile::open(FILE, schema(), &whole);
    let footer = footer_pieces(&all);
    let ranged = footer
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|f| ParquetFile::open(FILE, schema(), f));
    if let Err(e) = &opened {
        names_file(e);
    }
    if let Err(e) = &ranged {
        names_file(e);
    }
    let (file, footer) = match (opened, ranged, footer) {
        (Ok(file), Ok(_), Ok(footer)) => (file, footer),
        (Err(_), Err(_), _) => return,
        (Ok(_), Err(e), _) => panic!("opens whole, not from the footer pieces: {e}"),
        (Err(e), Ok(_), _) => panic!("opens from the footer pieces, not whole: {e}"),
        (_, _, Err(e)) => panic!("opened from the footer pieces without a footer: {e}"),
    };
    let rows: u64 = file.units(1).iter().map(|u| u.len()).sum();
    if rows > MAX_ROWS {
        return;
    }
    let mut reads: Vec<(String, Result<RowBatch, ParquetError>)> = Vec::new();
    for workers in WORKERS {
        reads.push((
            format!("{workers} workers"),
            read(&file, &all, None, workers),
        ));
    }
    reads.push((
        "ranged, 3 workers".into(),
        read(&file, &all, Some(&footer), 3),
    ));
    let (first_how, first) = &reads[0];
    for (how, r) in &reads {
        match (first, r) {
            (Ok(a), Ok(b)) => assert!(a == b, "{how} changes the rows (vs {first_how})"),
            (Err(_), Err(_)) => {}
            (Ok(_), Err(e)) => panic!("{first_how} reads the file, {how} refuses it: {e}"),
            (Err(e), Ok(_)) => panic!("{how} reads the file, {first_how} refuses it: {e}"),
        }
    }
}

/// The pieces a ranged reader fetches to open the file: its head and its footer.
fn footer_pieces(all: &Bytes) -> Result<FileBytes, ParquetError> {
    let len = all.len() as u64;
    let tail = all.slice(all.len().saturating_sub(8)..);
    let meta = footer_len(FILE, &tail)?;
    let start = len.saturating_sub(meta.saturating_add(8)) as usize;
    Ok(FileBytes::pieces(
        len,
        vec![
            (0, all.slice(..4.min(all.len()))),
            (start as u64, all.slice(start..)),
        ],
    ))
}

/// Reads every unit for `workers` workers into one batch, from the whole file, or (with
/// `footer`) from the footer pieces and each unit's column chunks; stops at the first error.
fn read(
    file: &ParquetFile,
    all: &Bytes,
    footer: Option<&FileBytes>,
    workers: usize,
) -> Result<RowBatch, ParquetError> {
    let mut batch = RowBatch::empty(schema(), 0);
    let whole = FileBytes::whole(all.clone());
    let mut rows = 0u64;
    for unit in file.units(workers) {
        let bytes = match footer {
            None => whole.clone(),
            Some(footer) => {
                let mut b = footer.clone();
                for r in file.chunk_ranges(unit.row_group, all.len() as u64) {
                    b.push(r.start, all.slice(r.start as usize..r.end as usize));
                }
                b
            }
        };
        let r = file.read_unit(&bytes, &unit, &mut batch);
        if let Err(e) = r {
            names_file(&e);
            return Err(e);
        }
        rows += unit.len();
        assert_eq!(
            super::batch_rows(&batch) as u64,
            rows,
            "a unit read gives another row count"
        );
    }
    Ok(batch)
}
