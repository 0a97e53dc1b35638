//! Tests of the parse stage on Parquet units: a unit read in several steps, each a batch
//! with its rows and auto-ids, and a refused row in a later batch.

use std::path::PathBuf;
use std::sync::Arc;

use super::*;
use crate::pipeline::feed::{UnitKind, WorkUnit};
use crate::pipeline::operators::{Parser, Routed, Shared};
use crate::pipeline::plan::{Inputs, TaskSpec};
use crate::pipeline::{PipelineError, PipelineOptions, TaskControl};
use crate::record::{ColumnData, row_to_json};
use crate::schema::CollectionSchema;
use crate::source::LocalRoot;

/// The parse stage's state for the case `case` of `data/parquet`, with a memory budget so
/// small that every batch holds one row.
fn shared(case: &str) -> Shared {
    let dir = format!("data/parquet/{case}");
    let schema = std::fs::read(format!("{dir}/schema.json")).unwrap();
    let spec = TaskSpec {
        task_id: 1,
        schema: CollectionSchema::from_json(&schema, 16).unwrap(),
        partitions: vec!["_default".into()],
        files: vec![format!("{dir}/input.parquet")],
        root: LocalRoot::open(".").into(),
        out_dir: PathBuf::from("unused"),
        csv: Default::default(),
    };
    let opts = PipelineOptions {
        workers: 1,
        memory_budget: 8,
        ..Default::default()
    };
    Shared {
        inputs: Inputs::open(&spec).unwrap(),
        spec,
        opts,
        control: Arc::new(TaskControl::default()),
        exchange: false,
        durable: None,
        first_seq: 0,
    }
}

/// The units of the file, as the feeder sends them, auto-ids from `first_id`.
fn units(shared: &Shared, first_id: Option<i64>) -> Vec<WorkUnit> {
    let Inputs::Parquet { file, .. } = &shared.inputs else {
        panic!("not a Parquet input");
    };
    assert_eq!(batch_bytes(&shared.opts), 1);
    file.units(1)
        .into_iter()
        .map(|unit| WorkUnit {
            first_id: first_id.map(|f| f + unit.first_row() as i64),
            rows: [
                unit.group_start + unit.rows.start,
                unit.group_start + unit.rows.end,
            ],
            work: unit.len(),
            kind: UnitKind::Parquet(ParquetWork { unit, chunks: None }),
        })
        .collect()
}

/// Steps the parser through `unit`: the batches of each step.
fn steps(parser: &mut Parser, shared: &Shared, unit: WorkUnit) -> Vec<Vec<Result<Routed, String>>> {
    parser.begin(unit);
    let mut out = Vec::new();
    while parser.busy() {
        let step = parser.step(shared);
        out.push(
            step.into_iter()
                .map(|r| r.map_err(|e| PipelineError::from(e).to_string()))
                .collect(),
        );
    }
    out
}

#[test]
fn a_unit_is_read_a_batch_a_step_with_its_auto_ids() {
    // 3 rows in one row group: n = 5, 6, 7; the key is auto-generated.
    let shared = shared("pass/auto_id");
    let mut parser = Parser::new(&shared, 0).unwrap();
    let mut units = units(&shared, Some(100));
    assert_eq!(units.len(), 1);
    let steps = steps(&mut parser, &shared, units.remove(0));
    assert_eq!(steps.len(), 3, "one row a step");
    let schema = &shared.spec.schema;
    for (i, step) in steps.iter().enumerate() {
        let [Ok(routed)] = step.as_slice() else {
            panic!("step {i}: {step:?}");
        };
        assert_eq!(routed.batch.len(), 1);
        let ColumnData::Int64(ids) = &routed.batch.columns[schema.primary_index()].data else {
            panic!("not an Int64 key");
        };
        assert_eq!(ids, &[100 + i as i64], "auto-id of row {i}");
        let row = row_to_json(schema, &routed.batch, 0, None);
        assert_eq!(row["n"], 5 + i as i64);
    }
    assert_eq!(
        shared
            .control
            .done
            .load(std::sync::atomic::Ordering::Relaxed),
        3
    );
}

#[test]
fn a_refused_row_in_a_later_batch_is_named_with_its_row_group() {
    // 10 rows in row groups of 3, 3, 3 and 1; row 7 (row group 2's second) has 1 float.
    let shared = shared("fail/dim_mismatch_in_third_row_group");
    let mut parser = Parser::new(&shared, 0).unwrap();
    let unit = units(&shared, None).remove(2);
    let steps = steps(&mut parser, &shared, unit);
    assert_eq!(steps.len(), 2, "row 6, then the refusal: {steps:?}");
    assert!(matches!(steps[0].as_slice(), [Ok(r)] if r.batch.len() == 1));
    let [Err(e)] = steps[1].as_slice() else {
        panic!("{:?}", steps[1]);
    };
    assert!(
        e.starts_with("data/parquet/fail/dim_mismatch_in_third_row_group/input.parquet: row 7 (row group 2), field \"v\": expected 2 floats, found 1"),
        "{e}"
    );
    assert!(shared.control.is_stopped());
}
