//! NPY column decoding throughput: a 100k x 128 `<f4` vector column (C and Fortran order)
//! and a 100k-row `<i8` column, decoded through `decode_rows` from an in-memory file.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vecload::parse::numpy::{ColumnPlan, check_column, decode_rows, parse_header};
use vecload::record::Column;
use vecload::schema::{DataType, FieldSchema};

const ROWS: u64 = 100_000;
const DIM: usize = 128;

/// A version 1.0 NPY file: header padded to 64 bytes as NumPy writes it, then `data`.
fn npy(descr: &str, shape: &str, fortran: bool, data: &[u8]) -> Vec<u8> {
    let fortran = if fortran { "True" } else { "False" };
    let mut text =
        format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}")
            .into_bytes();
    text.resize(text.len() + (64 - (10 + text.len() + 1) % 64) % 64, b' ');
    text.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend(u16::try_from(text.len()).unwrap_or(u16::MAX).to_le_bytes());
    out.extend(text);
    out.extend_from_slice(data);
    out
}

fn plan(file: &[u8], field: &FieldSchema) -> ColumnPlan {
    let header = parse_header("bench.npy", file).expect("header");
    check_column("bench.npy", header, file.len() as u64, field).expect("plan")
}

fn bench_column(c: &mut Criterion, name: &str, file: &[u8], field: &FieldSchema) {
    let plan = plan(file, field);
    let range = plan.byte_range(0..plan.rows);
    let bytes = &file[range.start as usize..range.end as usize];
    let mut out = Column::empty_for(field, plan.rows as usize);
    let mut group = c.benchmark_group("npy_decode");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function(name, |b| {
        b.iter(|| {
            out.data.clear();
            decode_rows(&plan, black_box(bytes), 0..plan.rows, &mut out).expect("decode");
            black_box(out.data.len())
        })
    });
    group.finish();
}

fn decode(c: &mut Criterion) {
    let mut vec_field = FieldSchema::new("vec", DataType::FloatVector);
    vec_field.dim = Some(DIM);
    let values: Vec<u8> = (0..ROWS as usize * DIM)
        .flat_map(|i| ((i % 1000) as f32 * 0.001).to_le_bytes())
        .collect();
    let shape = format!("({ROWS}, {DIM})");
    bench_column(
        c,
        "f32_vector_100k_x_128",
        &npy("<f4", &shape, false, &values),
        &vec_field,
    );
    bench_column(
        c,
        "f32_vector_100k_x_128_fortran",
        &npy("<f4", &shape, true, &values),
        &vec_field,
    );

    let int_field = FieldSchema::new("id", DataType::Int64);
    let ints: Vec<u8> = (0..ROWS as i64).flat_map(i64::to_le_bytes).collect();
    bench_column(
        c,
        "i64_100k",
        &npy("<i8", &format!("({ROWS},)"), false, &ints),
        &int_field,
    );
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = decode
}
criterion_main!(benches);
