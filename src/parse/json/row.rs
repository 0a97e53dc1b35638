//! Parsing the rows of one work unit. By default the exact reader ([`JsonRowConverter`])
//! reads each row's text once, straight into the columns; in a document it also finds where
//! each row ends, so the unit is scanned once. With simd-json chosen, simd-json parses each
//! row (into a reused buffer, as it parses in place) and [`SimdRowConverter`] appends it; a
//! row that path declines goes, as text, to the exact reader, which accepts it or names the
//! precise error. Both leave the batch unchanged when they refuse a row.

use simd_json::Buffers;

use super::framing::{JsonFormat, Unit, rows_in};
use super::{JsonRowConverter, SimdRowConverter};
use crate::location::RowLocation;
use crate::parse::{RejectSink, Rejected, raw_text};
use crate::record::RowBatch;
use crate::validate::RowError;

/// Per-worker scratch space, reused for every unit.
#[derive(Default)]
pub struct RowScratch {
    loc: Option<RowLocation>,
    fast: Option<SimdRowConverter>,
    text: Vec<u8>,
    buffers: Option<Buffers>,
    /// Rows taken by the fast path and by the exact reader (for tests and tuning).
    pub counts: [u64; 2],
    /// With `Some`, a bad row is kept here and parsing goes on (`--on-error skip`);
    /// with `None` (the default) the first bad row ends the unit.
    pub rejects: RejectSink,
    simd_json: bool,
}

impl RowScratch {
    /// Scratch space; `simd_json` puts simd-json in front of the exact reader.
    pub fn new(simd_json: bool) -> Self {
        RowScratch {
            simd_json,
            ..RowScratch::default()
        }
    }
}

/// Parses every row of `unit` (a range of `bytes`, the whole file) into `batch`.
///
/// Stops at the first bad row and returns its error (`batch` then holds the rows before
/// it), unless `scratch.rejects` collects bad rows: then each goes there, with its text, and
/// the rows after it are read.
pub fn parse_unit(
    file: &str,
    bytes: &[u8],
    format: JsonFormat,
    unit: &Unit,
    converter: &mut JsonRowConverter,
    scratch: &mut RowScratch,
    batch: &mut RowBatch,
) -> Result<(), RowError> {
    let loc = match &mut scratch.loc {
        Some(loc) if loc.file == file => loc,
        slot => slot.insert(RowLocation::row(file, 0)),
    };
    if scratch.fast.is_none() && scratch.simd_json {
        scratch.fast = SimdRowConverter::new(converter.schema()).ok();
    }
    let mut spans = rows_in(bytes, unit, format);
    if scratch.fast.is_none() {
        // The exact reader finds each document row's end itself: one pass over the row.
        while let Some((start, row)) = spans.next_row_start() {
            loc.row = row;
            loc.byte = Some(start as u64);
            loc.line = None;
            let text = spans.bytes().get(start..).unwrap_or_default();
            scratch.counts[1] += 1;
            match converter.push_row_prefix(text, loc, batch) {
                Ok(len) => spans.resume_at(start + len),
                // Cut the row out to name its fault exactly (or accept it: the framer
                // checked the row's extent, so this is the row either way).
                Err(hint) => match spans.next() {
                    Some(span) => {
                        let row = &bytes[span.start..span.end];
                        if let Err(e) = converter.push_row(row, loc, batch) {
                            reject(&mut scratch.rejects, e, row)?;
                        }
                    }
                    None => return Err(hint),
                },
            }
        }
    }
    for span in spans {
        loc.row = span.row;
        loc.byte = Some(span.start as u64);
        loc.line = span.line;
        let row = &bytes[span.start..span.end];
        if let Some(fast) = &mut scratch.fast {
            scratch.text.clear();
            scratch.text.extend_from_slice(row);
            let buffers = scratch
                .buffers
                .get_or_insert_with(|| Buffers::new(row.len()));
            if let Ok(value) = simd_json::to_borrowed_value_with_buffers(&mut scratch.text, buffers)
                && fast.push_row(&value, loc, batch).is_ok()
            {
                scratch.counts[0] += 1;
                continue;
            }
        }
        scratch.counts[1] += 1;
        if let Err(e) = converter.push_row(row, loc, batch) {
            reject(&mut scratch.rejects, e, row)?;
        }
    }
    Ok(())
}

/// Keeps a refused row in `sink` (skip), or returns its error (abort).
fn reject(sink: &mut RejectSink, error: RowError, row: &[u8]) -> Result<(), RowError> {
    match sink {
        Some(rejects) => {
            rejects.push(Rejected {
                error,
                raw: raw_text(row),
            });
            Ok(())
        }
        None => Err(error),
    }
}

#[cfg(test)]
mod tests {
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
            let got =
                std::iter::once(f[row]).chain(values[row * DIM..(row + 1) * DIM].iter().copied());
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
        let bytes = b"{\"id\": 1, \"f\": 1, \"v\": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}\n\n{\"id\": 2}\n";
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
}

#[cfg(test)]
mod fast_path_tests {
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
}
