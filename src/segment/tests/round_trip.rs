//! Write-then-read properties: every column type survives, budgets hold, names are canonical.

use std::fs;

use super::fixtures::{all_types, all_types_meta, write};
use crate::record::{Column, ColumnData, RowBatch};
use crate::segment::batch::{self, RowSizer};
use crate::segment::format::{BLOCK_HEADER_BYTES, SegmentName};
use crate::segment::{
    Inconsistency, SegmentError, SegmentWriter, WriterOptions, codec, read_all, read_batches,
    read_meta, verify,
};

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_column_type_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let batch = all_types(0, 50);
    let infos = write(
        dir.path(),
        WriterOptions::default(),
        std::slice::from_ref(&batch),
    );
    assert_eq!(infos.len(), 1);
    let info = &infos[0];
    assert_eq!(info.file_name, "t00000042-w1-p1-s2-0000.vseg");
    assert_eq!(
        (info.rows, info.partition.as_str(), info.shard),
        (50, "_default_1", 2)
    );
    let path = dir.path().join(&info.file_name);
    assert_eq!(info.bytes, fs::metadata(&path).unwrap().len());
    assert_eq!(read_all(&path).unwrap(), batch);

    let summary = read_meta(&path).unwrap();
    assert_eq!(summary.meta, all_types_meta());
    assert_eq!((summary.row_count, summary.blocks.len()), (50, 1));
    assert_eq!(summary.file_bytes, info.bytes);
    assert!(!summary.blocks_verified);
    let text = verify(&path).unwrap().to_string();
    for line in [
        "segment     t00000042-w1-p1-s2-0000.vseg",
        "format      VLSEG v3",
        "collection  docs",
        "partition   _default_1",
        "shard       2",
        "task        42",
        "rows        50",
        "  vec: FloatVector",
        "  $meta: JSON",
        "check       magic, version and trailer ok; CRC ok: footer and all 1 blocks",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let text = read_meta(&path).unwrap().to_string();
    assert!(
        text.ends_with("CRC ok: footer (blocks are checked when read)"),
        "{text}"
    );
}

#[test]
fn size_estimate_is_the_encoded_size() {
    let batch = all_types(3, 40);
    let exact = codec::encoded_len(&batch).unwrap();
    assert_eq!(batch::encoded_len(&batch), exact);
    let empty = batch::empty_like(&batch);
    assert_eq!(
        batch::encoded_len(&empty),
        codec::encoded_len(&empty).unwrap()
    );
    let sizer = RowSizer::new(&empty);
    let rows: u64 = (0..40).map(|r| sizer.row_bytes(&batch, r)).sum();
    assert_eq!(batch::encoded_len(&empty) + rows, exact);
}

#[test]
fn bulk_append_matches_row_by_row() {
    let src = all_types(0, 30);
    let mut bulk = batch::empty_like(&src);
    batch::append_rows(&mut bulk, &src, 3..11).unwrap();
    batch::append_rows(&mut bulk, &src, 20..30).unwrap();
    let mut rows = batch::empty_like(&src);
    for r in (3..11).chain(20..30) {
        assert!(rows.push_row_from(&src, r));
    }
    assert_eq!(bulk, rows);
}

#[test]
fn blocks_and_files_respect_their_budgets_and_keep_row_order() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WriterOptions {
        segment_max_size: 8 << 10,
        block_bytes: 2 << 10,
    };
    let batches: Vec<RowBatch> = (0..20).map(|i| all_types(i * 37, 37)).collect();
    let infos = write(dir.path(), opts, &batches);
    assert!(infos.len() > 3, "{} files", infos.len());
    assert_eq!(infos.iter().map(|i| i.rows).sum::<u64>(), 20 * 37);
    let names: Vec<_> = infos.iter().map(|i| i.file_name.clone()).collect();
    assert_eq!(files_in(dir.path()), names, "sorted names are write order");

    let mut all = batch::empty_like(&batches[0]);
    for (seq, info) in infos.iter().enumerate() {
        let name = SegmentName::parse(&info.file_name).unwrap();
        assert_eq!((name.task_id, name.worker, name.partition), (42, 1, 1));
        assert_eq!((name.shard, name.seq as usize), (2, seq));
        assert!(info.bytes <= opts.segment_max_size, "{info:?}");
        let path = dir.path().join(&info.file_name);
        let mut blocks = read_batches(&path).unwrap();
        assert!(blocks.summary().blocks.len() > 1);
        for b in blocks.summary().blocks.clone() {
            assert!(b.len <= opts.block_bytes as u64, "{b:?}");
        }
        for block in blocks.by_ref() {
            let block = block.unwrap();
            batch::append_rows(&mut all, &block, 0..block.len()).unwrap();
        }
    }
    let mut expected = batch::empty_like(&batches[0]);
    for b in &batches {
        batch::append_rows(&mut expected, b, 0..b.len()).unwrap();
    }
    assert_eq!(all, expected);
}

#[test]
fn a_row_larger_than_the_budgets_still_gets_written() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WriterOptions {
        segment_max_size: 64,
        block_bytes: 1,
    };
    let infos = write(dir.path(), opts, &[all_types(0, 3)]);
    assert_eq!(infos.iter().map(|i| i.rows).collect::<Vec<_>>(), [1, 1, 1]);
    let path = dir.path().join(&infos[2].file_name);
    assert_eq!(read_all(&path).unwrap(), {
        let mut b = batch::empty_like(&all_types(0, 1));
        batch::append_rows(&mut b, &all_types(0, 3), 2..3).unwrap();
        b
    });
}

#[test]
fn one_row_per_block_when_blocks_are_tiny() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WriterOptions {
        segment_max_size: 1 << 20,
        block_bytes: 1,
    };
    let infos = write(dir.path(), opts, &[all_types(0, 5), all_types(5, 4)]);
    assert_eq!(infos.len(), 1);
    let summary = read_meta(&dir.path().join(&infos[0].file_name)).unwrap();
    assert!(summary.blocks.iter().all(|b| b.rows == 1));
    assert_eq!(summary.blocks.len(), 9);
    let end = summary
        .blocks
        .last()
        .map(|b| b.offset + BLOCK_HEADER_BYTES + b.len);
    assert_eq!(end, Some(summary.file_bytes - summary.footer_bytes - 20));
}

#[test]
fn a_sealed_file_is_complete_and_the_writer_goes_on_in_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = SegmentWriter::new(
        dir.path(),
        42,
        1,
        1,
        all_types_meta(),
        WriterOptions::default(),
    )
    .with_first_seq(3);
    w.add_batch(&all_types(0, 20)).unwrap();
    let sealed = w.seal().unwrap();
    assert_eq!(sealed.len(), 1);
    assert_eq!(sealed[0].file_name, "t00000042-w1-p1-s2-0003.vseg");
    // Complete on disk before the writer finishes: a durable point may list it.
    let path = dir.path().join(&sealed[0].file_name);
    assert_eq!(read_all(&path).unwrap(), all_types(0, 20));
    assert!(w.seal().unwrap().is_empty(), "nothing new to seal");
    w.add_batch(&all_types(20, 5)).unwrap();
    let rest = w.finish().unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].file_name, "t00000042-w1-p1-s2-0004.vseg");
    let later = dir.path().join(&rest[0].file_name);
    assert_eq!(read_all(&later).unwrap(), all_types(20, 5));
}

#[test]
fn a_writer_without_rows_makes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    assert!(write(dir.path(), WriterOptions::default(), &[]).is_empty());
    assert!(write(dir.path(), WriterOptions::default(), &[all_types(0, 0)]).is_empty());
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn batches_of_another_shape_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = SegmentWriter::new(dir.path(), 1, 0, 0, all_types_meta(), Default::default());
    let shape = |r: Result<(), SegmentError>| match r {
        Err(SegmentError::BatchShape { problem, path }) => {
            assert!(path.ends_with("t00000001-w0-p0-s2-0000.vseg"), "{path:?}");
            problem
        }
        other => panic!("{other:?}"),
    };

    let mut b = all_types(0, 4);
    b.columns.pop();
    let found = shape(w.add_batch(&b));
    assert_eq!(
        found,
        Inconsistency::ColumnCount {
            expected: 19,
            found: 18
        }
    );

    let mut b = all_types(0, 4);
    b.columns[1] = Column {
        data: ColumnData::Int8(vec![0; 4]),
        validity: None,
    };
    assert!(matches!(
        shape(w.add_batch(&b)),
        Inconsistency::ColumnType { column: 1, .. }
    ));

    let mut b = all_types(0, 4);
    b.meta = None;
    assert_eq!(
        shape(w.add_batch(&b)),
        Inconsistency::MetaColumn { expected: true }
    );

    let mut b = all_types(0, 4);
    b.columns[4].validity = Some(vec![true; 3]);
    let found = shape(w.add_batch(&b));
    assert_eq!(
        found,
        Inconsistency::ColumnLength {
            column: Some(4),
            expected: 4,
            found: 3
        }
    );

    w.add_batch(&all_types(0, 4)).unwrap();
    let mut b = all_types(4, 4);
    b.columns[10].data = ColumnData::FloatVector {
        dim: 2,
        values: vec![0.0; 8],
    };
    let found = shape(w.add_batch(&b));
    assert_eq!(
        found,
        Inconsistency::VectorDim {
            column: 10,
            expected: 4,
            found: 2
        }
    );

    let mut b = all_types(4, 4);
    b.columns[0].validity = Some(vec![true; 4]);
    assert_eq!(
        shape(w.add_batch(&b)),
        Inconsistency::Validity {
            column: 0,
            expected: false
        }
    );

    let infos = w.finish().unwrap();
    assert_eq!(infos[0].rows, 4, "refused batches add nothing");
}

#[test]
fn an_existing_file_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let taken = dir.path().join("t00000042-w1-p1-s2-0000.vseg");
    fs::write(&taken, b"keep").unwrap();
    let mut w = SegmentWriter::new(dir.path(), 42, 1, 1, all_types_meta(), Default::default());
    w.add_batch(&all_types(0, 2)).unwrap();
    match w.finish() {
        Err(SegmentError::Io { path, source }) => {
            assert_eq!(path, taken);
            assert_eq!(source.kind(), std::io::ErrorKind::AlreadyExists);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read(&taken).unwrap(), b"keep");
}

#[test]
fn nested_arrays_are_refused_by_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = SegmentWriter::new(dir.path(), 1, 0, 0, all_types_meta(), Default::default());
    let mut b = all_types(0, 3);
    b.columns[9].data = ColumnData::Array(vec![
        ColumnData::Int32(vec![1]),
        ColumnData::Array(vec![]),
        ColumnData::Int32(vec![]),
    ]);
    match w.add_batch(&b) {
        Err(SegmentError::BatchShape { problem, .. }) => {
            assert_eq!(problem, Inconsistency::NestedArray { column: 9, row: 1 })
        }
        other => panic!("{other:?}"),
    }
}
