//! Parse-stage speed: framing plus `parse_unit` into a `RowBatch`, per unit as the pipeline
//! does, over the first 20k rows of the benchmark data set (docs/performance.md, from
//! `RowGen` of `src/cli/bench/dataset/`): `id` Int64, `word_count` Int64, `title` VarChar(64) of 16-48
//! ASCII characters, `vec` FloatVector(128) uniform in [0, 1) written as the shortest f32
//! text. One core.
//!
//! On Linux the clock is the benchmark thread's on-CPU time (`/proc/thread-self/schedstat`),
//! so the figures are per-core throughput even on a machine other work shares; elsewhere
//! (or if that file cannot be read) it is wall time.

#[allow(
    dead_code,
    unused_imports,
    reason = "a shared generator: this bench uses part of it"
)]
#[path = "../src/cli/bench/dataset/mod.rs"]
mod dataset;

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dataset::{DEFAULT_SEED, Row, RowGen, schema_json};
use vecload::parse::json::JsonRowConverter;
use vecload::parse::json::framing::{Framer, JsonFormat};
use vecload::parse::json::row::{RowScratch, parse_unit};
use vecload::record::{ColumnData, RowBatch};
use vecload::schema::CollectionSchema;

const ROWS: usize = 20_000;
const DIM: usize = 128;
/// The pipeline's default work unit.
const UNIT_BYTES: usize = 4 << 20;

/// On-CPU time of the calling thread, or wall time where the kernel does not say.
struct CpuTime;

static WALL: WallTime = WallTime;

/// Nanoseconds the calling thread has run on a CPU.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

impl Measurement for CpuTime {
    type Intermediate = (Option<u64>, std::time::Instant);
    type Value = Duration;

    fn start(&self) -> Self::Intermediate {
        (thread_cpu_ns(), std::time::Instant::now())
    }

    fn end(&self, (cpu, wall): Self::Intermediate) -> Duration {
        match (cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => Duration::from_nanos(b.saturating_sub(a)),
            _ => wall.elapsed(),
        }
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}

/// `{"rows":[...]}` or JSON Lines, as the data set of `vecload bench-import` is written
/// (one generator for every figure); and the vectors' values.
fn generate(lines: bool) -> (Vec<u8>, Vec<f32>) {
    let mut rows = RowGen::new(DEFAULT_SEED, DIM);
    let mut row = Row::default();
    let mut out = String::with_capacity(ROWS * (DIM * 11 + 100));
    let mut values = Vec::with_capacity(ROWS * DIM);
    out.push_str(if lines { "" } else { "{\"rows\":[\n" });
    for i in 0..ROWS {
        if i > 0 && !lines {
            out.push_str(",\n");
        }
        rows.next_into(&mut row);
        row.write_json(&mut out);
        values.extend_from_slice(&row.vec);
        if lines {
            out.push('\n');
        }
    }
    out.push_str(if lines { "" } else { "\n]}\n" });
    (out.into_bytes(), values)
}

/// Every vector value read back is the `f32` its shortest text was written from.
fn check_values(
    bytes: &[u8],
    format: JsonFormat,
    schema: &CollectionSchema,
    want: &[f32],
    simd: bool,
) {
    let (Ok(mut conv), Ok(mut framer)) =
        (JsonRowConverter::new(schema), Framer::new(bytes, format))
    else {
        panic!("bench setup");
    };
    let mut scratch = RowScratch::new(simd);
    let mut batch = RowBatch::empty(schema, ROWS);
    while let Some(Ok(unit)) = framer.next_unit(UNIT_BYTES) {
        let r = parse_unit(
            "bench.json",
            bytes,
            format,
            &unit,
            &mut conv,
            &mut scratch,
            &mut batch,
        );
        assert!(r.is_ok(), "{r:?}");
    }
    let ColumnData::FloatVector { values, .. } = &batch.columns[3].data else {
        panic!("vec column");
    };
    assert_eq!(values.len(), want.len());
    assert!(
        values
            .iter()
            .zip(want)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
}

/// Frames and parses the whole file, a fresh batch per unit; returns the row count.
fn parse(bytes: &[u8], format: JsonFormat, schema: &CollectionSchema, simd: bool) -> usize {
    let Ok(mut conv) = JsonRowConverter::new(schema) else {
        return 0;
    };
    let mut scratch = RowScratch::new(simd);
    let Ok(mut framer) = Framer::new(bytes, format) else {
        return 0;
    };
    let mut rows = 0;
    while let Some(Ok(unit)) = framer.next_unit(UNIT_BYTES) {
        let mut batch = RowBatch::empty(schema, 0);
        let file = "bench.json";
        if parse_unit(
            file,
            bytes,
            format,
            &unit,
            &mut conv,
            &mut scratch,
            &mut batch,
        )
        .is_err()
        {
            return 0;
        }
        rows += black_box(batch).len();
    }
    rows
}

fn bench(c: &mut Criterion<CpuTime>) {
    let Ok(schema) = CollectionSchema::from_json(schema_json(DIM).as_bytes(), 16) else {
        panic!("bench schema")
    };
    let mut group = c.benchmark_group("json_parse");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for (name, format) in [
        ("document", JsonFormat::Document),
        ("lines", JsonFormat::Lines),
    ] {
        let (bytes, values) = generate(format == JsonFormat::Lines);
        for (parser, simd) in [("exact", false), ("simd-json", true)] {
            check_values(&bytes, format, &schema, &values, simd);
            assert_eq!(
                parse(&bytes, format, &schema, simd),
                ROWS,
                "{name}: every row parses"
            );
            group.throughput(Throughput::Bytes(bytes.len() as u64));
            group.bench_function(format!("{name}/{parser}/20k_rows_dim128"), |b| {
                b.iter(|| parse(black_box(&bytes), format, &schema, simd))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = bench
}
criterion_main!(benches);
