//! Parsing, type checks, evaluation over typed columns, error messages and the caps of
//! filter expressions.

use super::*;
use crate::record::{Column, ColumnData, RowBatch};
use crate::schema::{CollectionSchema, DataType, FieldSchema};
use serde_json::json;

fn field(name: &str, t: DataType) -> FieldSchema {
    FieldSchema::new(name, t)
}

/// Four rows of every filterable kind, and `$meta` when `dynamic`.
fn fixture(dynamic: bool) -> (CollectionSchema, RowBatch) {
    let mut id = field("id", DataType::Int64);
    id.is_primary = true;
    let mut tags = field("tags", DataType::Array);
    tags.element_type = Some(DataType::Int64);
    let mut flag = field("flag", DataType::Bool);
    flag.nullable = true;
    let mut vec = field("vec", DataType::FloatVector);
    vec.dim = Some(2);
    let schema = CollectionSchema {
        name: "books".into(),
        auto_id: false,
        enable_dynamic_field: dynamic,
        fields: vec![
            id,
            field("word_count", DataType::Int64),
            field("title", DataType::VarChar),
            field("price", DataType::Float),
            field("props", DataType::Json),
            tags,
            field("ts", DataType::Timestamptz),
            flag,
            vec,
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
    let day = 86_400_000_000i64;
    let batch = RowBatch {
        columns: vec![
            col(ColumnData::Int64(vec![1, 2, 3, 4])),
            col(ColumnData::Int64(vec![7, 20, 35, 7])),
            col(ColumnData::VarChar(strs(&[
                "rose", "Rosemary", "tulip", "a_b%",
            ]))),
            col(ColumnData::Float(vec![35.61, 1.5, 0.0, 10.0])),
            col(ColumnData::Json(strs(&[
                r#"{"year": 2017, "tags": ["a", "b"], "n": {"x": 1}}"#,
                r#"{"year": 2020, "tags": []}"#,
                "null",
                r#"{"year": 2017.0, "name": "x"}"#,
            ]))),
            col(ColumnData::Array(vec![
                ColumnData::Int64(vec![1, 2, 3]),
                ColumnData::Int64(vec![]),
                ColumnData::Int64(vec![4]),
                ColumnData::Int64(vec![2, 5]),
            ])),
            // 2025-01-01, -02, -03, -04 at midnight UTC.
            col(ColumnData::Timestamptz(
                (0..4).map(|d| 1_735_689_600_000_000 + d * day).collect(),
            )),
            Column {
                data: ColumnData::Bool(vec![true, false, false, true]),
                validity: Some(vec![true, true, false, true]),
            },
            col(ColumnData::FloatVector {
                dim: 2,
                values: vec![0.0; 8],
            }),
        ],
        meta: dynamic.then(|| {
            strs(&[
                r#"{"color": "red"}"#,
                r#"{"color": "blue", "size": 3}"#,
                "{}",
                r#"{"size": 5, "color": null}"#,
            ])
        }),
    };
    (schema, batch)
}

fn ids(expr: &str, dynamic: bool) -> Result<Vec<i64>, QueryError> {
    let (schema, batch) = fixture(dynamic);
    let mask = Filter::parse(expr)?.compile(&schema)?.mask(&batch);
    Ok((1..=4)
        .zip(mask)
        .filter(|(_, m)| *m)
        .map(|(i, _)| i)
        .collect())
}

fn err(expr: &str, dynamic: bool) -> String {
    match ids(expr, dynamic) {
        Ok(ids) => panic!("{expr} was accepted: {ids:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_milvus_grammar_evaluates_over_columns() {
    for (expr, want) in [
        ("word_count < 10", vec![1, 4]),
        ("word_count >= 10", vec![2, 3]),
        ("id in [1, 3] and title == 'rose'", vec![1]),
        ("id not in [1, 3]", vec![2, 4]),
        ("not (price > 30) || word_count == 7", vec![1, 2, 3, 4]),
        ("price > 35.6 && price < 35.62", vec![1]),
        ("price == 35.61", vec![1]),
        ("1 < id < 4", vec![2, 3]),
        ("4 >= id > 2", vec![3, 4]),
        ("id + 1 > 3", vec![3, 4]),
        ("id * 2 == 6", vec![3]),
        ("(id - 1) % 2 == 0", vec![1, 3]),
        ("word_count / 7 == 5", vec![3]),
        ("-id < -3", vec![4]),
        ("word_count > id * 10", vec![3]),
        ("title like 'Rose%'", vec![2]),
        ("title like '%e%'", vec![1, 2]),
        ("title like '_ulip'", vec![3]),
        (r"title like 'a\_b\%'", vec![4]),
        ("title like 'rose'", vec![1]),
        ("flag is null", vec![3]),
        ("flag is not null", vec![1, 2, 4]),
        ("flag", vec![1, 4]),
        ("not flag", vec![2, 3]),
        ("flag == false", vec![2]),
        ("props is null", vec![3]),
        ("props[\"year\"] == 2017", vec![1, 4]),
        ("props['year'] > 2017 or props[\"nope\"] == 1", vec![2]),
        ("props[\"n\"][\"x\"] == 1", vec![1]),
        ("props[\"tags\"][1] == 'b'", vec![1]),
        ("json_contains(props[\"tags\"], 'a')", vec![1]),
        ("json_contains_all(props[\"tags\"], ['a', 'b'])", vec![1]),
        ("JSON_CONTAINS_ANY(props[\"tags\"], ['z', 'b'])", vec![1]),
        ("array_length(props[\"tags\"]) == 0", vec![2]),
        ("array_contains(tags, 2)", vec![1, 4]),
        ("array_contains_all(tags, [2, 5])", vec![4]),
        ("array_contains_any(tags, [4, 5])", vec![3, 4]),
        ("array_length(tags) >= 2", vec![1, 4]),
        ("tags[0] == 2", vec![4]),
        ("tags[2] > 0", vec![1]),
        ("ts > ISO '2025-01-02T00:00:00Z'", vec![3, 4]),
        ("ts == '2025-01-02T08:00:00+08:00'", vec![2]),
        ("ts in ['2025-01-01', '2025-01-04T00:00:00Z']", vec![1, 4]),
        ("id in []", vec![]),
        ("id IN [2] AND NOT title LIKE 'x%'", vec![2]),
        ("((((id == 1))))", vec![1]),
        ("(id + 1) * 2 > 6 and (id == 3 or id == 4)", vec![3, 4]),
    ] {
        assert_eq!(ids(expr, false).unwrap(), want, "{expr}");
    }
}

#[test]
fn dynamic_fields_are_read_from_meta() {
    for (expr, want) in [
        ("color == 'red'", vec![1]),
        ("size > 2", vec![2, 4]),
        ("color is null", vec![3, 4]),
        ("$meta[\"size\"] == 5", vec![4]),
        ("color like 'b%' or size == 5", vec![2, 4]),
        ("nothing == 1", vec![]),
        ("nothing != 1", vec![]),
    ] {
        assert_eq!(ids(expr, true).unwrap(), want, "{expr}");
    }
}

#[test]
fn type_mismatches_and_unknown_fields_are_refused_by_name() {
    for (expr, want) in [
        (
            "id == \"x\"",
            "field id is Int64, the value \"x\" is a string",
        ),
        (
            "\"x\" == id",
            "field id is Int64, the value \"x\" is a string",
        ),
        (
            "title > 3",
            "field title is VarChar, the value 3 is a number",
        ),
        ("flag == 1", "field flag is Bool, the value 1 is a number"),
        (
            "id in [1, 'a']",
            "field id is Int64, the value \"a\" is a string",
        ),
        (
            "array_contains(tags, 'a')",
            "field tags[] is Int64, the value \"a\" is a string",
        ),
        ("ts > 5", "field ts is Timestamptz, the value 5 is a number"),
        ("ts > 'yesterday'", "not an ISO-8601 instant"),
        (
            "vec == 1",
            "field vec is FloatVector: it cannot be filtered",
        ),
        ("tags == 1", "compare an element (tags[0])"),
        (
            "word_count like 'a%'",
            "field word_count is Int64: 'like' needs",
        ),
        (
            "id == title",
            "field id is Int64 and field title is VarChar",
        ),
        (
            "title + 1 > 2",
            "arithmetic needs numbers: title is VarChar",
        ),
        ("id == null", "use 'id is null'"),
        ("id[0] == 1", "field id is Int64"),
        (
            "color == 'red'",
            "field color does not exist in collection books",
        ),
        (
            "array_contains(title, 'a')",
            "field title is VarChar: *_contains needs",
        ),
    ] {
        let e = err(expr, false);
        assert!(e.contains(want), "{expr}: {e}");
    }
}

#[test]
fn parse_errors_give_the_byte_and_what_was_expected() {
    for (expr, want) in [
        (
            "word_count >",
            "at byte 12: expected a field or a value, found the end of the filter",
        ),
        ("a in 3", "at byte 5: expected '[', found the value 3"),
        ("(a == 1", "at byte 7: expected ')', found the end"),
        (
            "a == 1 b",
            "at byte 7: expected 'and', 'or' or the end, found the name b",
        ),
        (
            "a = 1",
            "at byte 2: expected a name, a value or an operator, found '='",
        ),
        ("()", "at byte 1: expected a field or a value, found ')'"),
        (
            "(a == 1))",
            "at byte 8: expected 'and', 'or' or the end, found ')'",
        ),
        ("a == 1 and", "at byte 10: expected a field or a value"),
        ("not", "at byte 3: expected a field or a value"),
        (")", "at byte 0: expected a field or a value, found ')'"),
        (
            "(a == 1) (a == 1)",
            "at byte 9: expected 'and', 'or' or the end, found '('",
        ),
        ("a like 3", "at byte 7: expected a quoted pattern"),
        ("a is 3", "at byte 5: expected 'null', found the value 3"),
        ("a not like 'x'", "at byte 6: expected 'in' after 'not'"),
        (
            "a == 'x",
            "expected the closing quote of the string opened at byte 5",
        ),
        ("1 < a > 2", "a range is"),
        ("nope(a) == 1", "at byte 0: expected json_contains"),
        (
            "json_contains_all(a, 1)",
            "at byte 21: expected a list of values",
        ),
        (
            "a[x] == 1",
            "at byte 2: expected a quoted key or an index after a[",
        ),
    ] {
        let e = Filter::parse(expr).unwrap_err().to_string();
        assert!(e.contains(want), "{expr}: {e}");
        assert!(!e.contains("Some(") && !e.contains("Tok"), "{expr}: {e}");
    }
}

#[test]
fn precedence_and_flattening() {
    let p = |e: &str| Filter::parse(e).unwrap();
    let c = |n: i64| {
        Filter::Cmp(
            Operand::Field("a".into(), vec![]),
            CmpOp::Eq,
            Operand::Lit(json!(n)),
        )
    };
    assert_eq!(
        p("a == 1 or a == 2 and a == 3 or a == 4"),
        Filter::Or(vec![c(1), Filter::And(vec![c(2), c(3)]), c(4)])
    );
    assert_eq!(
        p("not a == 1 and (a == 2 or not not a == 3)"),
        Filter::And(vec![
            Filter::Not(Box::new(c(1))),
            Filter::Or(vec![c(2), c(3)])
        ])
    );
    assert_eq!(p("((a == 1))"), c(1));
    assert_eq!(
        p("not (a == 1 and a == 2)"),
        Filter::Not(Box::new(Filter::And(vec![c(1), c(2)])))
    );
    assert_eq!(
        p("a == 1 and a == 2 and a == 3"),
        Filter::And(vec![c(1), c(2), c(3)])
    );
    let field = |n: &str| Box::new(Operand::Field(n.into(), vec![]));
    assert_eq!(
        p("a + b * 2 == 1"),
        Filter::Cmp(
            Operand::Arith(
                field("a"),
                ArithOp::Add,
                Box::new(Operand::Arith(
                    field("b"),
                    ArithOp::Mul,
                    Box::new(Operand::Lit(json!(2)))
                ))
            ),
            CmpOp::Eq,
            Operand::Lit(json!(1))
        )
    );
}

/// `depth` levels, each a parenthesis holding `or`, `and` and `not`: the deepest
/// recursion an expression of that nesting can cause.
fn nested(depth: usize) -> String {
    let mut e = "id == 1".to_string();
    for _ in 0..depth {
        e = format!("not (id == 2 or {e} and id != 3)");
    }
    e
}

#[test]
fn nesting_and_length_are_capped_before_any_recursion() {
    let err = Filter::parse(&nested(129)).unwrap_err().to_string();
    assert!(
        err.contains("nesting depth must be at most 128, found 129"),
        "{err}"
    );
    let deep = format!("{}a == 1{}", "(".repeat(1150), ")".repeat(1150));
    let err = Filter::parse(&deep).unwrap_err().to_string();
    assert!(err.contains("found 1150"), "{err}");
    let lists = format!("json_contains(a, {}1{})", "[".repeat(129), "]".repeat(129));
    let err = Filter::parse(&lists).unwrap_err().to_string();
    assert!(err.contains("found 130"), "{err}");
    let long = format!("a in [{}1]", "1, ".repeat(64 * 1024 / 3));
    let err = Filter::parse(&long).unwrap_err().to_string();
    assert!(err.contains("must be at most 65536, found 65543"), "{err}");
}

/// The deepest allowed filter parses, compiles, evaluates and drops on a 512 KiB stack (a
/// quarter of a 2 MiB thread stack; a debug build needs about 2.5 KiB a level of nested
/// arithmetic, far less in release); so do long `and` chains, `not` runs, minus runs, long
/// sums (their tree depth is capped too) and nested lists.
#[test]
fn the_deepest_allowed_filter_needs_little_stack() {
    let run = move || {
        let (schema, batch) = fixture(false);
        let eval = |e: &str| {
            Filter::parse(e)
                .unwrap()
                .compile(&schema)
                .unwrap()
                .mask(&batch)
        };
        assert_eq!(eval(&nested(128)), [true, false, true, false]);
        let chain = vec!["id == 1"; 5000].join(" and ");
        assert_eq!(eval(&chain), [true, false, false, false]);
        let nots = format!("{}id == 1", "not ".repeat(16000));
        assert_eq!(eval(&nots), [true, false, false, false]);
        let minus = format!("{}id == 1", "-".repeat(16000));
        assert_eq!(eval(&minus), [true, false, false, false]);
        let arith = format!("{}id{} == 1", "(".repeat(127), ")".repeat(127));
        assert_eq!(eval(&arith), [true, false, false, false]);
        let arith = format!("{}id{} == 1", "(1 + ".repeat(127), ")".repeat(127));
        assert_eq!(eval(&arith), [false; 4]);
        let sum = format!("{}id == 128", "1 + ".repeat(127));
        assert_eq!(eval(&sum), [true, false, false, false]);
        let sum = format!("{}id == 129", "1 + ".repeat(128));
        assert!(
            Filter::parse(&sum)
                .unwrap_err()
                .to_string()
                .contains("found 129")
        );
        let lists = format!(
            "json_contains(props, {}1{})",
            "[".repeat(127),
            "]".repeat(127)
        );
        assert_eq!(eval(&lists), [false; 4]);
    };
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}
