//! The whole pipeline of one task (`pipeline::run`: frame or plan, parse, validate, route,
//! write and fsync segments) on the benchmark data set, for each input format, with the
//! machine's cores as timely workers. The engine around it (ledger, catalog) is left out;
//! `vecload bench-import` measures that end to end.

#[allow(
    dead_code,
    unused_imports,
    reason = "a shared generator: this bench uses part of it"
)]
#[path = "../src/cli/bench/dataset/mod.rs"]
mod dataset;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use dataset::{DataSpec, Format, prepare};
use vecload::pipeline::{self, IdAllocator, PipelineOptions, TaskControl, TaskSpec};
use vecload::schema::CollectionSchema;
use vecload::source::LocalRoot;

/// Rows of the data set (about 29 MB of JSON, 14 MB of NPY).
const ROWS: u64 = 20_000;
/// Vector dimension.
const DIM: usize = 128;

/// The benchmark collection has a user-given primary key: no id is ever asked for.
struct NoAutoIds;

impl IdAllocator for NoAutoIds {
    fn alloc(&self, n: u64) -> Result<std::ops::Range<i64>, vecload::pipeline::AllocError> {
        // Never called: the benchmark collection has no auto-id.
        Err(format!("no auto-ids in the benchmark ({n} asked)").into())
    }
}

fn spec(schema: &CollectionSchema, files: &[PathBuf], out_dir: &Path) -> TaskSpec {
    TaskSpec {
        task_id: 1,
        schema: schema.clone(),
        partitions: vec!["_default".into()],
        files: files.iter().map(|f| f.display().to_string()).collect(),
        root: LocalRoot::open("/").into(),
        out_dir: out_dir.to_path_buf(),
        csv: Default::default(),
    }
}

/// A copy of `task` with its output directory emptied (outside the timed part).
fn fresh(task: &TaskSpec) -> TaskSpec {
    let _ = std::fs::remove_dir_all(&task.out_dir);
    std::fs::create_dir_all(&task.out_dir).expect("output directory");
    task.clone()
}

/// Runs one task; returns the rows written.
fn run_task(spec: TaskSpec) -> u64 {
    let out = pipeline::run(
        spec,
        PipelineOptions::default(),
        &NoAutoIds,
        Arc::new(TaskControl::default()),
    )
    .expect("the task succeeds");
    out.rows
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let set = prepare(
        tmp.path(),
        &DataSpec {
            rows: ROWS,
            dim: DIM,
            ..DataSpec::default()
        },
    )
    .expect("data set");
    let schema_text = std::fs::read(&set.schema).expect("schema file");
    let schema = CollectionSchema::from_json(&schema_text, 16).expect("schema");
    let out_dir = tmp.path().join("out");
    let mut group = c.benchmark_group("pipeline");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for format in Format::ALL {
        let (files, bytes) = set.inputs(format);
        let task = spec(&schema, &files, &out_dir);
        assert_eq!(run_task(fresh(&task)), ROWS);
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(format.name(), |b| {
            b.iter_batched(|| fresh(&task), run_task, BatchSize::PerIteration)
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
