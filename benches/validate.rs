//! Validation speed: rows of the benchmark data set, as text, read and checked against the
//! schema and appended to a batch (`JsonRowConverter::push_row` reads a row's text once,
//! straight into the columns), with and without a dynamic field to fill.

#[allow(
    dead_code,
    unused_imports,
    reason = "a shared generator: this bench uses part of it"
)]
#[path = "../src/cli/bench/dataset/mod.rs"]
mod dataset;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dataset::{DEFAULT_SEED, RowGen, schema_json};
use vecload::RowLocation;
use vecload::parse::json::JsonRowConverter;
use vecload::record::RowBatch;
use vecload::schema::CollectionSchema;

/// Rows checked per iteration.
const ROWS: usize = 5_000;
/// Vector dimension of the data set.
const DIM: usize = 128;

/// The rows as JSON text; with `extra`, each row also holds an unknown key for `$meta`.
fn row_texts(extra: bool) -> Vec<Vec<u8>> {
    let mut rows = RowGen::new(DEFAULT_SEED, DIM);
    (0..ROWS)
        .map(|i| {
            let mut text = String::new();
            rows.next_row().write_json(&mut text);
            if extra {
                text.pop();
                text.push_str(&format!(",\"tag\":\"t{}\"}}", i % 97));
            }
            text.into_bytes()
        })
        .collect()
}

fn schema(dynamic: bool) -> CollectionSchema {
    let mut s = CollectionSchema::from_json(schema_json(DIM).as_bytes(), 16).expect("schema");
    s.enable_dynamic_field = dynamic;
    s
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    group
        .throughput(Throughput::Elements(ROWS as u64))
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for (name, dynamic) in [("schema_fields", false), ("dynamic_meta", true)] {
        let schema = schema(dynamic);
        let texts = row_texts(dynamic);
        let mut converter = JsonRowConverter::new(&schema).expect("converter");
        let mut batch = RowBatch::empty(&schema, ROWS);
        let loc = RowLocation::row("bench.jsonl", 0);
        group.bench_function(name, |b| {
            b.iter(|| {
                batch.clear();
                for t in &texts {
                    converter
                        .push_row(black_box(t), &loc, &mut batch)
                        .expect("valid row");
                }
                batch.len()
            })
        });
        assert_eq!(batch.len(), ROWS);
        assert_eq!(batch.meta.is_some(), dynamic);
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
