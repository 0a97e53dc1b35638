//! Segment writer throughput: 100k rows of (Int64 id, 128-dim FloatVector) written into
//! segment files, finished and synced, in a fresh temporary directory per iteration.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use vecload::record::{Column, ColumnData, RowBatch};
use vecload::schema::DataType;
use vecload::segment::{SegmentMeta, SegmentWriter, WriterOptions};

/// Rows written per iteration.
const ROWS: usize = 100_000;
/// Rows per batch handed to the writer (about what a pipeline stage emits).
const BATCH_ROWS: usize = 1_000;
/// Vector dimension.
const DIM: usize = 128;

fn meta() -> SegmentMeta {
    SegmentMeta {
        collection: "bench".into(),
        partition: "_default".into(),
        shard: 0,
        task_id: 1,
        fields: vec![
            ("id".into(), DataType::Int64),
            ("vec".into(), DataType::FloatVector),
        ],
        has_meta: false,
    }
}

fn batches() -> Vec<RowBatch> {
    (0..ROWS / BATCH_ROWS)
        .map(|b| {
            let first = b * BATCH_ROWS;
            let ids = (first..first + BATCH_ROWS).map(|i| i as i64).collect();
            let values = (0..BATCH_ROWS * DIM)
                .map(|v| ((first * DIM + v) % 1000) as f32 / 1000.0)
                .collect();
            RowBatch {
                columns: vec![
                    Column {
                        data: ColumnData::Int64(ids),
                        validity: None,
                    },
                    Column {
                        data: ColumnData::FloatVector { dim: DIM, values },
                        validity: None,
                    },
                ],
                meta: None,
            }
        })
        .collect()
}

fn write_segments(c: &mut Criterion) {
    let input = batches();
    let payload = (ROWS * (8 + DIM * 4)) as u64;
    let mut group = c.benchmark_group("segment_write");
    group
        .throughput(Throughput::Bytes(payload))
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for (name, opts) in [
        ("one_file", WriterOptions::default()),
        (
            "rollover_16MiB",
            WriterOptions {
                segment_max_size: 16 << 20,
                ..WriterOptions::default()
            },
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || tempfile::tempdir().expect("temporary directory"),
                |dir| {
                    let mut w = SegmentWriter::new(dir.path(), 1, 0, 0, meta(), opts);
                    for batch in &input {
                        w.add_batch(batch).expect("add_batch");
                    }
                    black_box(w.finish().expect("finish"));
                    dir
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, write_segments);
criterion_main!(benches);
