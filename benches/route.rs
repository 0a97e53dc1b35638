//! Routing speed: Milvus hashes of each row's key (`route::destinations`) and the split of a
//! batch by destination (`route::split`, which moves a one-destination batch whole and copies
//! rows otherwise; the input copy it consumes is made outside the timing), on batches of the benchmark
//! data set, for a sharded collection (Int64 primary key hashed) and a partition-key
//! collection (VarChar `title` hashed into 16 partitions).

#[allow(
    dead_code,
    unused_imports,
    reason = "a shared generator: this bench uses part of it"
)]
#[path = "../src/cli/bench/dataset/mod.rs"]
mod dataset;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use dataset::{DEFAULT_SEED, RowGen};
use serde_json::json;
use vecload::record::{Column, ColumnData, RowBatch};
use vecload::route;
use vecload::schema::CollectionSchema;

/// Rows per batch (about what a work unit of the pipeline holds).
const BATCH_ROWS: usize = 4_096;
/// Batches routed per iteration.
const BATCHES: usize = 8;
/// Vector dimension (rows are copied whole by `split`).
const DIM: usize = 128;

/// The benchmark collection with `shards` shards and, optionally, `title` as partition key.
fn schema(shards: usize, title_key: bool) -> CollectionSchema {
    let text = json!({
        "collectionName": "bench",
        "schema": {"autoId": false, "enableDynamicField": false, "fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "word_count", "dataType": "Int64"},
            {"fieldName": "title", "dataType": "VarChar", "isPartitionKey": title_key,
             "elementTypeParams": {"max_length": 64}},
            {"fieldName": "vec", "dataType": "FloatVector", "elementTypeParams": {"dim": DIM}}]},
        "params": {"shardsNum": shards, "partitionsNum": 16}
    });
    CollectionSchema::from_json(text.to_string().as_bytes(), 16).expect("schema")
}

fn batches() -> Vec<RowBatch> {
    let mut rows = RowGen::new(DEFAULT_SEED, DIM);
    (0..BATCHES)
        .map(|_| {
            let mut ids = Vec::with_capacity(BATCH_ROWS);
            let mut counts = Vec::with_capacity(BATCH_ROWS);
            let mut titles = Vec::with_capacity(BATCH_ROWS);
            let mut values = Vec::with_capacity(BATCH_ROWS * DIM);
            for _ in 0..BATCH_ROWS {
                let r = rows.next_row();
                ids.push(r.id);
                counts.push(r.word_count);
                titles.push(r.title);
                values.extend_from_slice(&r.vec);
            }
            let col = |data| Column {
                data,
                validity: None,
            };
            RowBatch {
                columns: vec![
                    col(ColumnData::Int64(ids)),
                    col(ColumnData::Int64(counts)),
                    col(ColumnData::VarChar(titles)),
                    col(ColumnData::FloatVector { dim: DIM, values }),
                ],
                meta: None,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let input = batches();
    let mut group = c.benchmark_group("route");
    group
        .throughput(Throughput::Elements((BATCHES * BATCH_ROWS) as u64))
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for (name, schema) in [
        ("one_destination", schema(1, false)),
        ("pk_2_shards", schema(2, false)),
        ("title_key_16_partitions", schema(1, true)),
    ] {
        let dests: usize = input
            .iter()
            .map(|b| route::split(&schema, b.clone()).len())
            .max()
            .unwrap_or(0);
        assert!(dests >= 1);
        group.bench_function(format!("destinations/{name}"), |b| {
            b.iter(|| {
                input
                    .iter()
                    .map(|batch| route::destinations(&schema, black_box(batch)).len())
                    .sum::<usize>()
            })
        });
        group.bench_function(format!("split/{name}"), |b| {
            b.iter_batched(
                || input.clone(),
                |batches| {
                    batches
                        .into_iter()
                        .map(|batch| route::split(&schema, black_box(batch)).len())
                        .sum::<usize>()
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
