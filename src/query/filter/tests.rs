//! Parsing, matching and the caps of filter expressions.

use super::*;
use serde_json::json;

#[test]
fn parses_and_matches() {
    let row = json!({"book_id": 103, "word_count": 7, "title": "x", "price": 35.61, "props": {"year": 2017}})
        .as_object()
        .unwrap()
        .clone();
    for (expr, want) in [
        ("word_count < 10", true),
        ("word_count >= 10", false),
        ("book_id in [101, 103] and title == 'x'", true),
        ("book_id not in [101, 103]", false),
        ("not (price > 30) || word_count == 7", true),
        ("missing == 1", false),
        ("price > 35.6 && price < 35.62", true),
        ("props[\"year\"] == 2017", true),
        ("props['year'] > 2017 or props[\"nope\"] == 1", false),
    ] {
        assert_eq!(Filter::parse(expr).unwrap().matches(&row), want, "{expr}");
    }
    for bad in [
        "word_count >",
        "a in 3",
        "(a == 1",
        "a == 1 b",
        "a = 1",
        "()",
        "(a == 1))",
        "a == 1 and",
        "not",
        ")",
        "(a == 1) (a == 1)",
    ] {
        assert!(Filter::parse(bad).is_err(), "{bad}");
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
}

/// `depth` levels, each a parenthesis holding `or`, `and` and `not`: the deepest
/// recursion an expression of that nesting can cause.
fn nested(depth: usize) -> String {
    let mut e = "a == 1".to_string();
    for _ in 0..depth {
        e = format!("not (a == 2 or {e} and a != 3)");
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
    let long = format!("a in [{}1]", "1, ".repeat(64 * 1024 / 3));
    let err = Filter::parse(&long).unwrap_err().to_string();
    assert!(err.contains("must be at most 65536, found 65543"), "{err}");
}

/// The deepest allowed filter parses, matches and drops on a 256 KiB stack (an eighth of
/// a 2 MiB thread stack; a debug build needs 64-128 KiB for it, the parser itself does not
/// recurse); so do long `and` chains and `not` runs, which do not nest.
#[test]
fn the_deepest_allowed_filter_needs_little_stack() {
    let row = json!({"a": 1}).as_object().unwrap().clone();
    let run = move || {
        let f = Filter::parse(&nested(128)).unwrap();
        assert!(f.matches(&row));
        let chain = vec!["a == 1"; 5000].join(" and ");
        assert!(Filter::parse(&chain).unwrap().matches(&row));
        let nots = format!("{}a == 1", "not ".repeat(16000));
        assert!(Filter::parse(&nots).unwrap().matches(&row));
    };
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}
