//! The float floor: how fast the import's vector values could be read at best. The same texts
//! (the vector values of the benchmark data set, `RowGen` of `src/cli/bench/dataset/`: uniform
//! in [0, 1), written as the shortest `f32` text) parsed three ways, one core:
//! - `vecload`: `json_number_to_f32`, the exact reader's conversion (its fast path first);
//! - `std`: `str::parse::<f32>`, the standard library (Eisel-Lemire, then a slow path);
//! - `fast-float2`: the `fast-float2` crate, the fastest correct parser we know of.
//!
//! Every result is checked bit for bit against the value the text was written from before
//! timing. The figures give the float floor line of `docs/performance.md`: the import's CPU
//! per value beside the cheapest correct conversion.

#[allow(
    dead_code,
    unused_imports,
    reason = "a shared generator: this bench uses part of it"
)]
#[path = "../src/cli/bench/dataset/mod.rs"]
mod dataset;

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dataset::{DEFAULT_SEED, Row, RowGen};
use vecload::parse::json::json_number_to_f32;

/// Values parsed per iteration: 2,000 rows of dim 128, as the import meets them.
const ROWS: usize = 2_000;
const DIM: usize = 128;

/// The texts, one after another, with the range of each; and the values they came from.
fn texts() -> (String, Vec<(usize, usize)>, Vec<f32>) {
    let mut rows = RowGen::new(DEFAULT_SEED, DIM);
    let mut row = Row::default();
    let mut text = String::new();
    let mut spans = Vec::with_capacity(ROWS * DIM);
    let mut values = Vec::with_capacity(ROWS * DIM);
    for _ in 0..ROWS {
        rows.next_into(&mut row);
        for &v in &row.vec {
            let start = text.len();
            let _ = write!(text, "{v}");
            spans.push((start, text.len()));
            values.push(v);
        }
    }
    (text, spans, values)
}

/// Sums the bits of every value `parse` returns, so none is optimised away.
fn run(text: &str, spans: &[(usize, usize)], parse: impl Fn(&str) -> Option<f32>) -> u64 {
    let mut sum = 0u64;
    for &(a, b) in spans {
        let v = parse(black_box(&text[a..b])).map_or(0, f32::to_bits);
        sum = sum.wrapping_add(u64::from(v));
    }
    sum
}

fn ours(s: &str) -> Option<f32> {
    json_number_to_f32(s.as_bytes())
}

fn std_parse(s: &str) -> Option<f32> {
    s.parse::<f32>().ok()
}

fn fast_float2(s: &str) -> Option<f32> {
    fast_float2::parse::<f32, _>(s).ok()
}

/// A parser under test: the text of one number to its `f32`.
type Parse = fn(&str) -> Option<f32>;

fn bench(c: &mut Criterion) {
    let (text, spans, values) = texts();
    let parsers: [(&str, Parse); 3] = [
        ("vecload", ours),
        ("std", std_parse),
        ("fast-float2", fast_float2),
    ];
    for (name, parse) in parsers {
        let wrong = spans
            .iter()
            .zip(&values)
            .filter(|&(&(a, b), v)| parse(&text[a..b]).map(f32::to_bits) != Some(v.to_bits()))
            .count();
        assert_eq!(wrong, 0, "{name}: values parsed to other bits");
    }
    let mut group = c.benchmark_group("float_parse");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    group.throughput(Throughput::Elements(spans.len() as u64));
    for (name, parse) in parsers {
        group.bench_function(format!("{name}/shortest_f32_unit_interval"), |b| {
            b.iter(|| run(&text, &spans, parse))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
