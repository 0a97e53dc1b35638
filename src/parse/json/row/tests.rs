//! Tests of `row.rs`.

use super::*;
use crate::parse::json::framing::Framer;
use crate::record::ColumnData;
use crate::schema::CollectionSchema;

const DIM: usize = 16;

fn schema() -> CollectionSchema {
    let text = r#"{"collectionName": "c", "schema": {"fields": [
        {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        {"fieldName": "f", "dataType": "Float"},
        {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 16}}]}}"#;
    CollectionSchema::from_json(text.as_bytes(), 1).unwrap()
}

/// Float texts of many shapes: shortest f32 (plain and `e`), uniform [0, 1), random
/// digits with and without exponents, signs, long mantissas.
fn literal(state: &mut u64) -> String {
    let mut next = || {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        *state
    };
    let r = next();
    let text = match r % 6 {
        0 => f32::from_bits(next() as u32).to_string(),
        1 => format!("{:e}", f32::from_bits(next() as u32)),
        2 => ((next() >> 40) as f32 / (1u64 << 24) as f32).to_string(),
        3 => format!("{}.{}", next() % 1000, next()),
        4 => format!("{}e{}", next() % 100_000_000, (next() % 90) as i64 - 60),
        _ => format!("-0.{:019}{}", next() % 10_000_000_000_000_000_000, next()),
    };
    let ok = text.parse::<f32>().is_ok_and(f32::is_finite);
    if ok { text } else { "0.5".into() }
}

#[test]
fn every_float_of_a_corpus_reads_as_std_parses_it() {
    let mut state = 0x9e37_79b9_7f4a_7c15;
    let mut text = String::new();
    let mut want: Vec<Vec<String>> = Vec::new();
    for id in 0..3000 {
        let lits: Vec<String> = (0..=DIM).map(|_| literal(&mut state)).collect();
        text.push_str(&format!(
            "{{\"id\": {id}, \"f\": {}, \"v\": [{}]}}\n",
            lits[0],
            lits[1..].join(", ")
        ));
        want.push(lits);
    }
    let bytes = text.as_bytes();
    let schema = schema();
    let mut conv = JsonRowConverter::new(&schema).unwrap();
    let mut scratch = RowScratch::default();
    let mut batch = RowBatch::empty(&schema, 0);
    let mut framer = Framer::new(bytes, JsonFormat::Lines).unwrap();
    while let Some(unit) = framer.next_unit(64 << 10) {
        let unit = unit.unwrap();
        parse_unit(
            "c.jsonl",
            bytes,
            JsonFormat::Lines,
            &unit,
            &mut conv,
            &mut scratch,
            &mut batch,
        )
        .unwrap();
    }
    let (ColumnData::Float(f), ColumnData::FloatVector { values, .. }) =
        (&batch.columns[1].data, &batch.columns[2].data)
    else {
        panic!("column types");
    };
    assert_eq!(f.len(), want.len());
    for (row, lits) in want.iter().enumerate() {
        let got = std::iter::once(f[row]).chain(values[row * DIM..(row + 1) * DIM].iter().copied());
        for (lit, g) in lits.iter().zip(got) {
            let w: f32 = lit.parse().unwrap();
            assert_eq!(
                g.to_bits(),
                w.to_bits(),
                "row {row}: {lit} read as {g:e}, std: {w:e}"
            );
        }
    }
}

#[test]
fn errors_carry_the_row_line_and_byte() {
    let bytes =
        b"{\"id\": 1, \"f\": 1, \"v\": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}\n\n{\"id\": 2}\n";
    let schema = schema();
    let mut conv = JsonRowConverter::new(&schema).unwrap();
    let mut batch = RowBatch::empty(&schema, 0);
    let mut framer = Framer::new(bytes, JsonFormat::Lines).unwrap();
    let unit = framer.next_unit(1 << 20).unwrap().unwrap();
    let mut scratch = RowScratch::default();
    let err = parse_unit(
        "c.jsonl",
        bytes,
        JsonFormat::Lines,
        &unit,
        &mut conv,
        &mut scratch,
        &mut batch,
    )
    .unwrap_err();
    assert_eq!(err.location.to_string(), "c.jsonl: row 1 (line 3, byte 66)");
    assert_eq!(err.field, "f");
    assert_eq!(batch.len(), 1, "the good row stays, the bad one is gone");
}

/// Document rows read in one pass (the reader finds each row's end) give the batch the
/// row spans give, and a bad row the error its span gives.
#[test]
fn one_pass_document_rows_equal_the_spans_rows() {
    let v = "[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,0.5e-3]";
    let good = format!(
        "{{\"rows\": [ {{\"id\": 1, \"f\": 1.5, \"v\": {v}}} ,\n{{\"v\": {v}, \"f\": 2, \"id\": 2}},{{\"id\":3,\"f\":-0.0,\"v\":{v}}}\n]}}"
    );
    let bad = good.replace("\"f\": 2,", "\"f\": \"2\",");
    let schema = schema();
    let run = |text: &str, spans_only: bool| {
        let bytes = text.as_bytes();
        let mut conv = JsonRowConverter::new(&schema).unwrap();
        let mut batch = RowBatch::empty(&schema, 0);
        let mut framer = Framer::new(bytes, JsonFormat::Document).unwrap();
        let unit = framer.next_unit(1 << 20).unwrap().unwrap();
        let result = if spans_only {
            let mut loc = RowLocation::row("c.json", 0);
            rows_in(bytes, &unit, JsonFormat::Document).try_for_each(|span| {
                loc.row = span.row;
                loc.byte = Some(span.start as u64);
                conv.push_row(&bytes[span.start..span.end], &loc, &mut batch)
            })
        } else {
            let mut scratch = RowScratch::new(false);
            let r = parse_unit(
                "c.json",
                bytes,
                JsonFormat::Document,
                &unit,
                &mut conv,
                &mut scratch,
                &mut batch,
            );
            assert_eq!(scratch.counts[1], if r.is_ok() { 3 } else { 2 });
            r
        };
        (result.map_err(|e| e.to_string()), format!("{batch:?}"))
    };
    let one_pass = run(&good, false);
    assert!(one_pass.0.is_ok());
    assert!(one_pass.1.contains("0.0005"), "{}", one_pass.1);
    assert_eq!(one_pass, run(&good, true));
    let (err, _) = run(&bad, false);
    let err = err.unwrap_err();
    assert!(
        err.contains("row 1 (byte 84)") && err.contains("\"f\""),
        "{err}"
    );
    assert_eq!(Err(err), run(&bad, true).0);
}
