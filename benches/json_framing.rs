//! Framing speed: row boundaries of a 20k-row x 128-float JSON file, wrapped and as JSON
//! Lines, with and without walking the rows of each unit.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vecload::parse::json::framing::{Framer, JsonFormat, rows_in};

const ROWS: usize = 20_000;
const DIM: usize = 128;
/// Work unit size the pipeline would ask for.
const UNIT_BYTES: usize = 1 << 20;

/// `{"rows": [...]}` (pymilvus BulkWriter's shape, without its indentation) or JSON Lines,
/// floats as shortest f32 text.
fn generate(lines: bool) -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut out = String::with_capacity(ROWS * DIM * 12);
    out.push_str(if lines { "" } else { "{\"rows\": [\n" });
    for id in 0..ROWS {
        if id > 0 {
            out.push_str(if lines { "\n" } else { ",\n" });
        }
        out.push_str(&format!(
            "{{\"id\": {id}, \"tag\": \"t{}\", \"vector\": [",
            id % 97
        ));
        for d in 0..DIM {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let x = (state >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0;
            out.push_str(&format!("{}{x}", if d > 0 { ", " } else { "" }));
        }
        out.push_str("]}");
    }
    out.push_str(if lines { "\n" } else { "\n]}\n" });
    out.into_bytes()
}

/// Frames `bytes`, optionally walking every row span; returns the row count.
fn frame(bytes: &[u8], format: JsonFormat, walk_rows: bool) -> u64 {
    let Ok(mut framer) = Framer::new(bytes, format) else {
        return 0;
    };
    let mut rows = 0;
    while let Some(Ok(unit)) = framer.next_unit(UNIT_BYTES) {
        rows += if walk_rows {
            rows_in(bytes, &unit, format)
                .map(|s| (s.end - s.start > 0) as u64)
                .sum()
        } else {
            unit.rows
        };
    }
    rows
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("json_framing");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    for (name, format) in [
        ("document", JsonFormat::Document),
        ("lines", JsonFormat::Lines),
    ] {
        let bytes = generate(format == JsonFormat::Lines);
        assert_eq!(frame(&bytes, format, true), ROWS as u64);
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("{name}/units"), |b| {
            b.iter(|| frame(black_box(&bytes), format, false))
        });
        group.bench_function(format!("{name}/units+rows"), |b| {
            b.iter(|| frame(black_box(&bytes), format, true))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
