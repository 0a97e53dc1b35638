//! Fast path tests of `row.rs`.

use super::*;
use crate::parse::json::framing::{Framer, format_for_path};
use crate::schema::CollectionSchema;

/// Every row of every `data/json/pass` case that the simd-json path accepts converts to
/// exactly what the exact reader makes of it; and the fast path takes most rows.
#[test]
fn simd_json_path_agrees_with_the_exact_reader() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/json/pass");
    let (mut fast_rows, mut all_rows) = (0, 0);
    for case in std::fs::read_dir(&root).unwrap().flatten() {
        let schema = std::fs::read(case.path().join("schema.json")).unwrap();
        let schema = CollectionSchema::from_json(&schema, 16).unwrap();
        let input = std::fs::read_dir(case.path())
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.file_stem().is_some_and(|s| s == "input"))
            .unwrap();
        let format = format_for_path(&input.to_string_lossy()).unwrap();
        let bytes = std::fs::read(&input).unwrap();
        let mut exact = JsonRowConverter::new(&schema).unwrap();
        let mut fast = SimdRowConverter::new(&schema).unwrap();
        let mut framer = Framer::new(&bytes, format).unwrap();
        while let Some(unit) = framer.next_unit(1 << 20) {
            for span in rows_in(&bytes, &unit.unwrap(), format) {
                let loc = RowLocation::row("x", span.row);
                let row = &bytes[span.start..span.end];
                let mut want = RowBatch::empty(&schema, 1);
                exact.push_row(row, &loc, &mut want).unwrap();
                let mut text = row.to_vec();
                all_rows += 1;
                let Ok(value) = simd_json::to_borrowed_value(&mut text) else {
                    continue;
                };
                let mut got = RowBatch::empty(&schema, 1);
                if fast.push_row(&value, &loc, &mut got).is_ok() {
                    fast_rows += 1;
                    let (g, w) = (
                        crate::record::row_to_json(&schema, &got, 0, None),
                        crate::record::row_to_json(&schema, &want, 0, None),
                    );
                    assert_eq!(g, w, "{}: row {}", case.path().display(), span.row);
                }
            }
        }
    }
    assert!(
        fast_rows * 2 > all_rows,
        "the fast path took only {fast_rows} of {all_rows} rows"
    );
}

/// Rows fuzzing found the two paths to differ on (data/crash/json_rows/): the fast path
/// declines them or converts them exactly as the exact reader does.
#[test]
fn fast_path_declines_what_it_cannot_store_exactly() {
    let schema = r#"{"collectionName": "c", "schema": {"enableDynamicField": true,
        "fields": [{"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        {"fieldName": "sp", "dataType": "SparseFloatVector"},
        {"fieldName": "j", "dataType": "JSON"}]}}"#;
    let schema = CollectionSchema::from_json(schema.as_bytes(), 1).unwrap();
    let accepted = [
        r#"{"id": 1, "sp": {"5": 0.5}, "j": {"x": 1.50, "y": 1E2}}"#,
        r#"{"id": 1, "sp": {}, "j": {}, "k": [2.0]}"#,
        r#"{"id": 1, "sp": {}, "j": {}, "$meta": {"k": 0.10}}"#,
        r#"{"id": 1, "sp": {}, "j": {}, "$meta": "{\"k\": 0.10}"}"#,
        r#"{"id": 1, "sp": {}, "j": {"x": [1, -2, 18446744073709551615]}}"#,
        r#"{"id": 1, "sp": {"3": -0}, "j": {"x": -0}, "k": -0}"#,
        r#"{"id": 1, "sp": {"3": 0}, "j": {"x": [0, -0.0]}}"#,
        // Nested keys of a $meta string are sorted as those of an object.
        r#"{"id": 1, "sp": {}, "j": {}, "$meta": "{\"b\": {\"y\": 1, \"x\": 2}}"}"#,
    ];
    let deep = |n: usize| "[".repeat(n) + &"]".repeat(n);
    let max = crate::validate::JSON_DEPTH_MAX;
    let deep_ok = format!(
        r#"{{"id": 1, "sp": {{}}, "j": {{"a": {}}}, "k": {}}}"#,
        deep(max - 1),
        deep(max)
    );
    let deep_field = format!(r#"{{"id": 1, "sp": {{}}, "j": {{"a": {}}}}}"#, deep(max));
    let deep_key = format!(
        r#"{{"id": 1, "sp": {{}}, "j": {{}}, "k": {}}}"#,
        deep(max + 1)
    );
    // Over 32 keys, simd-json drops all but the last of a repeated key.
    let keys: String = (0..40).map(|i| format!(", \"k{i}\": {i}")).collect();
    let repeated = format!(r#"{{"id": 1, "sp": {{}}, "j": 5, "j": {{}}{keys}}}"#);
    let refused = [
        deep_field.as_str(),
        deep_key.as_str(),
        repeated.as_str(),
        r#"{"id": 1, "sp": {"+5": 0.5}, "j": {}}"#,
        r#"{"id": 1, "sp": {}, "j": "{\"x\": 1e400}"}"#,
        r#"{"id": 1, "sp": {}, "j": {}, "k": -1e999}"#,
    ];
    let rows = accepted.map(|r| (r, true)).into_iter();
    let rows = rows.chain([(deep_ok.as_str(), true)]);
    let rows = rows.chain(refused.map(|r| (r, false)));
    let mut exact = JsonRowConverter::new(&schema).unwrap();
    let mut fast = SimdRowConverter::new(&schema).unwrap();
    for (row, ok) in rows {
        let loc = RowLocation::row("x", 0);
        let mut want = RowBatch::empty(&schema, 1);
        assert_eq!(
            exact.push_row(row.as_bytes(), &loc, &mut want).is_ok(),
            ok,
            "{row}"
        );
        let mut text = row.as_bytes().to_vec();
        let Ok(value) = simd_json::to_borrowed_value(&mut text) else {
            continue;
        };
        let mut got = RowBatch::empty(&schema, 1);
        if fast.push_row(&value, &loc, &mut got).is_ok() {
            assert!(
                ok,
                "{row}: the fast path takes a row the exact reader refuses"
            );
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{row}");
        }
    }
}
