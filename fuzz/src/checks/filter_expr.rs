//! `filter_expr`: `Filter::parse` on any text, then `compile` against a fixed schema (every
//! filterable type, dynamic fields on) and evaluation over a fixed block of four rows.
//!
//! Properties:
//! * nothing panics, on a 512 KiB stack (the depth cap holds: parsing, compiling and
//!   evaluating the deepest accepted filter fit);
//! * an accepted filter nests `and`/`or`/`not` at most 3 levels per parenthesis of the
//!   128 allowed, and arithmetic at most 128 deep;
//! * a compiled filter gives one mask entry per row, the same each time, and `not (...)`
//!   of it gives the complement.

use vecload::query::{Filter, Operand};
use vecload::record::{Column, ColumnData, RowBatch};
use vecload::schema::{CollectionSchema, DataType, FieldSchema};

/// The schema and block every input is evaluated over.
pub fn fixture() -> (CollectionSchema, RowBatch) {
    let f = FieldSchema::new;
    let mut id = f("id", DataType::Int64);
    id.is_primary = true;
    let mut a = f("a", DataType::Array);
    a.element_type = Some(DataType::Int64);
    let mut b = f("b", DataType::Bool);
    b.nullable = true;
    let mut v = f("v", DataType::FloatVector);
    v.dim = Some(2);
    let schema = CollectionSchema {
        name: "fuzz".into(),
        auto_id: false,
        enable_dynamic_field: true,
        fields: vec![
            id,
            f("n", DataType::Int32),
            f("x", DataType::Float),
            f("d", DataType::Double),
            b,
            f("s", DataType::VarChar),
            f("j", DataType::Json),
            a,
            f("t", DataType::Timestamptz),
            v,
        ],
        partitions_num: 0,
        shards_num: 1,
        functions: Vec::new(),
    };
    let col = |data| Column {
        data,
        validity: None,
    };
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let batch = RowBatch {
        columns: vec![
            col(ColumnData::Int64(vec![1, 2, -3, i64::MAX])),
            col(ColumnData::Int32(vec![0, 7, i32::MIN, 5])),
            col(ColumnData::Float(vec![0.5, f32::NAN, -1.0, 1e30])),
            col(ColumnData::Double(vec![0.0, -0.0, f64::INFINITY, 2.5])),
            Column {
                data: ColumnData::Bool(vec![true, false, false, true]),
                validity: Some(vec![true, true, false, true]),
            },
            col(ColumnData::VarChar(strs(&["", "a%b_", "héllo", "rose"]))),
            col(ColumnData::Json(strs(&[
                r#"{"k": 1, "l": [1, "a", [2]], "o": {"p": null}}"#,
                "null",
                "[1, 2, 3]",
                r#""text""#,
            ]))),
            col(ColumnData::Array(vec![
                ColumnData::Int64(vec![1, 2]),
                ColumnData::Int64(vec![]),
                ColumnData::Int64(vec![i64::MIN]),
                ColumnData::Int64(vec![3, 3, 3]),
            ])),
            col(ColumnData::Timestamptz(vec![
                0,
                -1,
                1_735_689_600_000_000,
                5,
            ])),
            col(ColumnData::FloatVector {
                dim: 2,
                values: vec![0.0; 8],
            }),
        ],
        meta: Some(strs(&[
            r#"{"m": 1, "q": "x"}"#,
            "{}",
            r#"{"m": [1, 2], "q": null}"#,
            r#"{"m": 2.5}"#,
        ])),
    };
    (schema, batch)
}

/// Parses, compiles and evaluates `data`, checking every property.
pub fn check(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.to_string();
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || check_text(&text))
        .expect("a thread")
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p));
}

fn check_text(text: &str) {
    let Ok(filter) = Filter::parse(text) else {
        return;
    };
    let (logic, arith) = depths(&filter);
    assert!(logic <= 3 * 128 + 3, "and/or/not nest {logic} deep");
    assert!(arith <= 128, "arithmetic nests {arith} deep");
    let (schema, batch) = fixture();
    let Ok(compiled) = filter.compile(&schema) else {
        return;
    };
    let mask = compiled.mask(&batch);
    assert_eq!(mask.len(), 4, "one mask entry per row");
    assert_eq!(compiled.mask(&batch), mask, "the same mask twice");
    if let Ok(not) = Filter::parse(&format!("not ({text})")) {
        let not = not.compile(&schema).expect("not (f) compiles when f does");
        let inverse: Vec<bool> = mask.iter().map(|b| !b).collect();
        assert_eq!(not.mask(&batch), inverse, "not (f) is the complement");
    }
}

/// How deep `and`/`or`/`not` nest, and how deep arithmetic nests, without recursion.
fn depths(f: &Filter) -> (usize, usize) {
    let (mut logic, mut arith) = (0, 0);
    let mut stack = vec![(f, 1)];
    let mut operands: Vec<(&Operand, usize)> = Vec::new();
    while let Some((f, d)) = stack.pop() {
        logic = logic.max(d);
        match f {
            Filter::And(all) | Filter::Or(all) => stack.extend(all.iter().map(|g| (g, d + 1))),
            Filter::Not(g) => stack.push((g, d + 1)),
            Filter::Cmp(a, _, b) => operands.extend([(a, 0), (b, 0)]),
            Filter::In(a, _)
            | Filter::Like(a, _)
            | Filter::IsNull(a)
            | Filter::Contains(_, a, _) => operands.push((a, 0)),
        }
    }
    while let Some((o, d)) = operands.pop() {
        arith = arith.max(d);
        match o {
            Operand::Arith(a, _, b) => operands.extend([(&**a, d + 1), (&**b, d + 1)]),
            Operand::Length(a) => operands.push((a, d + 1)),
            Operand::Field(..) | Operand::Lit(_) => {}
        }
    }
    (logic, arith)
}
