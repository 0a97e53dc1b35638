//! Parsing the rows of one work unit: each row's text goes straight to the schema's
//! converter, which reads it once into the batch's columns.

use super::framing::{JsonFormat, Unit, rows_in};
use crate::location::RowLocation;
use crate::record::RowBatch;
use crate::validate::{JsonRowConverter, RowError};

/// Per-worker scratch space, reused for every unit: the location rows are reported at.
#[derive(Default)]
pub struct RowScratch {
    loc: Option<RowLocation>,
}

/// Parses every row of `unit` (a range of `bytes`, the whole file) into `batch`.
///
/// Stops at the first bad row and returns its error; `batch` then holds the rows before it.
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
    for span in rows_in(bytes, unit, format) {
        loc.row = span.row;
        loc.byte = Some(span.start as u64);
        loc.line = span.line;
        converter.push_row(&bytes[span.start..span.end], loc, batch)?;
    }
    Ok(())
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
}
