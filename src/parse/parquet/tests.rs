//! Data-driven tests over `data/parquet/{pass,fail}/*` (written by `tools/gen_parquet.py`).
//!
//! A case is a directory holding `schema.json`, `input.parquet` and either `expected.json`
//! (the rows, as `row_to_json` prints them) or `error.txt` (substrings the error must
//! contain, one a line). Each case is read twice: from the whole file cut into units for
//! three workers, and from only the pieces a ranged reader would fetch (head, footer, the
//! column chunks of each unit), two rows at a time.

use std::fs;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use serde_json::Value;

use parquet::file::reader::Length;

use super::{FileBytes, ParquetFile, footer_len};
use crate::record::{ColumnData, RowBatch, row_to_json};
use crate::schema::CollectionSchema;

fn case_dirs(kind: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/parquet")
        .join(kind);
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// The pieces a ranged reader fetches to open the file: its head and its footer.
fn footer_pieces(all: &Bytes) -> Result<FileBytes, String> {
    let len = all.len() as u64;
    let tail = all.slice(all.len().saturating_sub(8)..);
    let meta = footer_len("input.parquet", &tail).map_err(|e| e.to_string())?;
    let start = len.saturating_sub(meta + 8) as usize;
    Ok(FileBytes::pieces(
        len,
        vec![
            (0, all.slice(..4.min(all.len()))),
            (start as u64, all.slice(start..)),
        ],
    ))
}

fn run_case(dir: &Path, ranged: bool) -> Result<Vec<Value>, String> {
    let schema_bytes = fs::read(dir.join("schema.json")).unwrap();
    let schema = CollectionSchema::from_json(&schema_bytes, 16).unwrap();
    let all = Bytes::from(fs::read(dir.join("input.parquet")).unwrap());
    let opened = if ranged {
        footer_pieces(&all)?
    } else {
        FileBytes::whole(all.clone())
    };
    let file = ParquetFile::open("input.parquet", &schema, &opened).map_err(|e| e.to_string())?;
    let rows = file.rows() as usize;
    let mut batch = RowBatch::empty(&schema, rows);
    for unit in file.units(3) {
        let bytes = if ranged {
            let mut b = opened.clone();
            for r in file.chunk_ranges(unit.row_group, all.len() as u64) {
                b.push(r.start, all.slice(r.start as usize..r.end as usize));
            }
            b
        } else {
            opened.clone()
        };
        if ranged {
            // Two rows at a time: every case read in several batches too.
            let mut cursor = file
                .cursor(&bytes, &unit, 2, None)
                .map_err(|e| e.to_string())?;
            while file
                .next_batch(&mut cursor, &mut batch, None)
                .map_err(|e| e.to_string())?
                > 0
            {}
        } else {
            file.read_unit(&bytes, &unit, &mut batch)
                .map_err(|e| e.to_string())?;
        }
    }
    let pk = schema.primary_index();
    if schema.is_auto_id_field(pk) {
        batch.columns[pk].data = ColumnData::Int64((0..rows as i64).collect());
    }
    assert_eq!(batch.len(), rows);
    Ok((0..rows)
        .map(|r| {
            let mut row = row_to_json(&schema, &batch, r, None);
            if schema.is_auto_id_field(pk) {
                row.remove(&schema.fields[pk].name);
            }
            Value::Object(row)
        })
        .collect())
}

#[test]
fn pass_cases_read_to_expected_rows() {
    let dirs = case_dirs("pass");
    assert!(dirs.len() >= 10, "only {} pass cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy();
        let expected: Value =
            serde_json::from_slice(&fs::read(dir.join("expected.json")).unwrap()).unwrap();
        for ranged in [false, true] {
            match run_case(dir, ranged) {
                Ok(rows) if Value::Array(rows.clone()) == expected => {}
                Ok(rows) => failures.push(format!(
                    "{name} (ranged: {ranged}): rows differ\n  got:      {}\n  expected: {expected}",
                    Value::Array(rows)
                )),
                Err(e) => failures.push(format!("{name} (ranged: {ranged}): refused: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fail_cases_give_their_errors() {
    let dirs = case_dirs("fail");
    assert!(dirs.len() >= 10, "only {} fail cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy();
        let wanted = fs::read_to_string(dir.join("error.txt")).unwrap();
        let wanted: Vec<&str> = wanted.lines().filter(|l| !l.is_empty()).collect();
        assert!(!wanted.is_empty(), "{name}: empty error.txt");
        match run_case(dir, false) {
            Ok(_) => failures.push(format!("{name}: accepted")),
            Err(e) => {
                for w in wanted.iter().filter(|w| !e.contains(**w)) {
                    failures.push(format!("{name}: error lacks {w:?}: {e}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn short_and_foreign_files_are_damaged() {
    let schema = CollectionSchema::from_json(
        br#"{"collectionName": "c", "schema": {"fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]}}"#,
        16,
    )
    .unwrap();
    for (bytes, want) in [
        (&b""[..], "bad magic"),
        (b"PAR1", "Parquet"),
        (b"{\"rows\": []}", "bad magic"),
        (
            b"PAR1\x00\x00\x00\x00\x10\x00\x00\x00PAR1",
            "damaged Parquet file",
        ),
    ] {
        let e = ParquetFile::open("x.parquet", &schema, &FileBytes::whole(Bytes::from(bytes)))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.parquet: damaged Parquet file"), "{e}");
        assert!(e.contains(want), "{e}");
    }
    assert!(footer_len("x.parquet", b"abc").is_err());
    // A footer claiming 2 GiB of metadata is refused before anything is decoded or read.
    let mut hostile = b"PAR1".to_vec();
    hostile.extend_from_slice(&0x7fff_ffffu32.to_le_bytes());
    hostile.extend_from_slice(b"PAR1");
    let e = footer_len("x.parquet", &hostile[4..])
        .unwrap_err()
        .to_string();
    assert!(e.contains("over the limit of"), "{e}");
    let e = ParquetFile::open(
        "x.parquet",
        &schema,
        &FileBytes::whole(Bytes::from(hostile)),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("over the limit of"), "{e}");
}

#[test]
fn units_are_row_groups_cut_for_idle_workers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/parquet/pass/row_groups");
    let schema =
        CollectionSchema::from_json(&fs::read(dir.join("schema.json")).unwrap(), 16).unwrap();
    let bytes = FileBytes::whole(Bytes::from(fs::read(dir.join("input.parquet")).unwrap()));
    let file = ParquetFile::open("input.parquet", &schema, &bytes).unwrap();
    // 10 rows in row groups of 3, 3, 3 and 1.
    let spans = |workers| {
        file.units(workers)
            .iter()
            .map(|u| (u.row_group, u.rows.clone(), u.first_row()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        spans(2),
        [(0, 0..3, 0), (1, 0..3, 3), (2, 0..3, 6), (3, 0..1, 9)]
    );
    assert_eq!(
        spans(8),
        [
            (0, 0..2, 0),
            (0, 2..3, 2),
            (1, 0..2, 3),
            (1, 2..3, 5),
            (2, 0..2, 6),
            (2, 2..3, 8),
            (3, 0..1, 9)
        ]
    );
    assert!(file.units(8).iter().all(|u| !u.is_empty()));
}

fn open_case(case: &str) -> (ParquetFile, FileBytes) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/parquet")
        .join(case);
    let schema =
        CollectionSchema::from_json(&fs::read(dir.join("schema.json")).unwrap(), 16).unwrap();
    let bytes = FileBytes::whole(Bytes::from(fs::read(dir.join("input.parquet")).unwrap()));
    let file = ParquetFile::open("input.parquet", &schema, &bytes).unwrap();
    (file, bytes)
}

#[test]
fn a_unit_is_read_in_batches_and_a_later_batch_names_its_row() {
    // 10 rows in row groups of 3, 3, 3 and 1; row 7 (the second of row group 2) has 1 float.
    let (file, bytes) = open_case("fail/dim_mismatch_in_third_row_group");
    let units = file.units(1);
    assert_eq!(units[2].rows, 0..3);
    let mut cursor = file.cursor(&bytes, &units[2], 1, None).unwrap();
    let mut batch = RowBatch::empty(&file.schema, 3);
    assert_eq!(file.next_batch(&mut cursor, &mut batch, None).unwrap(), 1);
    assert_eq!((cursor.rows_done(), batch.len()), (1, 1));
    let e = file.next_batch(&mut cursor, &mut batch, None).unwrap_err();
    assert_eq!(e.row(), Some(7));
    let e = e.to_string();
    assert!(
        e.starts_with("input.parquet: row 7 (row group 2), field \"v\""),
        "{e}"
    );

    // The same rows without the bad one read batch by batch, then the unit's end.
    let (file, bytes) = open_case("pass/row_groups");
    let unit = &file.units(1)[1];
    let gone = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let told = gone.clone();
    let release: super::Release = std::sync::Arc::new(move |r| told.lock().unwrap().push(r));
    let mut cursor = file.cursor(&bytes, unit, 2, Some(release)).unwrap();
    let mut sizes = Vec::new();
    let mut batch = RowBatch::empty(&file.schema, 3);
    loop {
        let n = file.next_batch(&mut cursor, &mut batch, None).unwrap();
        if n == 0 {
            break;
        }
        sizes.push(n);
    }
    assert_eq!(sizes, [2, 1]);
    assert!(cursor.is_done());
    let ids: Vec<Value> = (0..3)
        .map(|r| row_to_json(&file.schema, &batch, r, None)["id"].clone())
        .collect();
    assert_eq!(ids, [3, 4, 5]);
    // The unit read its row group whole: every byte of its column chunks can go.
    let mut gone = gone.lock().unwrap().clone();
    gone.sort_by_key(|r| r.start);
    let mut chunks = file.chunk_ranges(1, bytes.len());
    chunks.sort_by_key(|r| r.start);
    assert_eq!(gone, chunks, "each chunk released once, whole");
}

#[test]
fn batches_shrink_for_wide_rows_and_big_row_groups_are_refused_by_ranged_reads() {
    let (file, bytes) = open_case("pass/row_groups");
    let row = file.row_bytes(0);
    assert!(row > 1, "{row}");
    assert_eq!(file.batch_rows(0, u64::MAX), super::BATCH_ROWS_MAX);
    assert_eq!(file.batch_rows(0, row * 2), 2);
    assert_eq!(file.batch_rows(0, 0), 1);
    let size = file.fetch_bytes(0, bytes.len(), 1 << 20).unwrap();
    let e = file.fetch_bytes(0, bytes.len(), size * 4 - 4).unwrap_err();
    let e = e.to_string();
    assert!(
        e.starts_with(&format!(
            "input.parquet: row group 0: its column chunks take {size} bytes"
        )),
        "{e}"
    );
    assert!(
        e.contains(&format!("import.memory_budget, {} bytes", size * 4 - 4)),
        "{e}"
    );
}
