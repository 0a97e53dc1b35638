//! `json_framing`: the JSON framer on any bytes, as a document and as JSON Lines.
//!
//! Properties:
//! * nothing panics; units are consecutive, non-empty, sized as documented, and `rows_in`
//!   gives exactly `unit.rows` spans that tile the unit;
//! * every unit size (0, 7, 64, 4096, unbounded) gives the same rows (spans, row indices,
//!   lines) and the same error; rows framed before an error are a prefix of the rows;
//! * documents agree with `serde_json`: a valid `[...]` or `{"rows": [...]}` document is
//!   framed into its elements; a framed document whose rows are all valid JSON is valid JSON;
//! * JSON Lines agree with a plain split on `\n`: the trimmed non-blank lines, numbered;
//! * `StreamFramer`, fed the file in chunks of 1, 5, 64 or all bytes, gives the rows and
//!   the error the framer gives on the whole file, at file offsets, each unit's bytes
//!   being the file's.

use serde_json::Value;
use vecload::parse::json::framing::{
    Framer, FramingError, JsonFormat, RowSpan, Step, StreamFramer, rows_in,
};

/// The unit sizes compared, in bytes.
pub const UNIT_SIZES: [usize; 5] = [0, 7, 64, 4096, usize::MAX];
/// The chunk sizes a streamed file arrives in, in bytes.
pub const CHUNK_SIZES: [usize; 4] = [1, 5, 64, usize::MAX];

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Frames `data` both ways and checks every property.
pub fn check(data: &[u8]) {
    for format in [JsonFormat::Document, JsonFormat::Lines] {
        let runs: Vec<Framed> = UNIT_SIZES
            .iter()
            .map(|&size| frame(data, format, size))
            .collect();
        let all = &runs[0]; // unit size 0: one row per unit, so the most rows before an error
        for (size, run) in UNIT_SIZES.iter().zip(&runs) {
            assert_eq!(
                run.error, all.error,
                "{format:?}: unit size {size} changes the error"
            );
            assert!(
                all.spans.starts_with(&run.spans),
                "{format:?}: unit size {size} changes the rows"
            );
            if run.error.is_none() {
                assert_eq!(
                    run.spans, all.spans,
                    "{format:?}: unit size {size} drops rows"
                );
            }
        }
        match format {
            JsonFormat::Document => agrees_with_serde(data, all),
            JsonFormat::Lines => agrees_with_split(data, all),
        }
        for (chunk, size) in CHUNK_SIZES.iter().zip([0, 64, 7, usize::MAX]) {
            let streamed = stream(data, format, *chunk, size);
            assert_eq!(
                streamed.error, all.error,
                "{format:?}: chunks of {chunk} change the error"
            );
            assert!(
                all.spans.starts_with(&streamed.spans),
                "{format:?}: chunks of {chunk} change the rows"
            );
            if streamed.error.is_none() {
                assert_eq!(
                    streamed.spans, all.spans,
                    "{format:?}: chunks of {chunk} drop rows"
                );
            }
        }
    }
}

/// The rows a framer gave, and the error that ended it, if any.
#[derive(Debug)]
pub struct Framed {
    /// Every row of every unit returned, in order.
    pub spans: Vec<RowSpan>,
    /// The error returned in place of a unit.
    pub error: Option<FramingError>,
}

/// Frames `data` into units of `size` bytes, checking each unit and its rows.
pub fn frame(data: &[u8], format: JsonFormat, size: usize) -> Framed {
    let mut framer = match Framer::new(data, format) {
        Ok(f) => f,
        Err(error) => {
            return Framed {
                spans: Vec::new(),
                error: Some(error),
            };
        }
    };
    let mut spans: Vec<RowSpan> = Vec::new();
    // The previous unit and its size, checked once we know it was not the last.
    let mut previous: Option<usize> = None;
    while let Some(next) = framer.next_unit(size) {
        let unit = match next {
            Ok(unit) => unit,
            Err(error) => {
                assert!(framer.next_unit(size).is_none(), "a unit after an error");
                return Framed {
                    spans,
                    error: Some(error),
                };
            }
        };
        if let Some(reached) = previous {
            assert!(reached >= size, "a unit ended before its size");
        }
        let first = spans.len();
        let prev_end = spans.last().map_or(0, |s| s.end);
        assert!(unit.rows >= 1, "empty unit {unit:?}");
        assert_eq!(unit.first_row, first as u64, "units are not consecutive");
        assert!(prev_end <= unit.start && unit.start < unit.end && unit.end <= data.len());
        spans.extend(rows_in(data, &unit, format));
        let rows = &spans[first..];
        assert_eq!(
            rows.len() as u64,
            unit.rows,
            "rows_in disagrees with {unit:?}"
        );
        assert_eq!(
            (rows[0].start, rows[rows.len() - 1].end),
            (unit.start, unit.end)
        );
        assert_eq!(rows[0].line, unit.first_line);
        let mut end = prev_end;
        for (k, span) in rows.iter().enumerate() {
            assert_eq!(span.row, unit.first_row + k as u64);
            assert!(
                end <= span.start && span.start < span.end,
                "bad span {span:?}"
            );
            if k + 1 < rows.len() {
                assert!(span.end - unit.start < size, "unit runs past its size");
            }
            match (format, span.line) {
                (JsonFormat::Document, None) => {}
                (JsonFormat::Lines, Some(line)) => assert!(line >= 1),
                _ => panic!("line number {:?} for {format:?}", span.line),
            }
            end = span.end;
        }
        previous = Some(unit.end - unit.start);
        assert_eq!(framer.rows(), spans.len() as u64);
    }
    assert_eq!(framer.offset(), data.len(), "framing ended before the end");
    assert!(framer.next_unit(size).is_none());
    Framed { spans, error: None }
}

/// Frames `data` fed to a `StreamFramer` in chunks of `chunk` bytes, in units of `size`.
pub fn stream(data: &[u8], format: JsonFormat, chunk: usize, size: usize) -> Framed {
    let mut framer = StreamFramer::new(format);
    let mut chunks = data.chunks(chunk.max(1));
    let mut finished = false;
    let mut spans: Vec<RowSpan> = Vec::new();
    loop {
        match framer.next_unit(size) {
            Err(error) => {
                assert_eq!(
                    framer.next_unit(size),
                    Ok(Step::Done),
                    "a step after an error"
                );
                return Framed {
                    spans,
                    error: Some(error),
                };
            }
            Ok(Step::Unit(owned)) => {
                let end = owned.base + owned.bytes.len();
                assert_eq!(
                    data.get(owned.base..end),
                    Some(owned.bytes.as_slice()),
                    "a unit's bytes are not the file's"
                );
                assert_eq!(owned.unit.first_row, spans.len() as u64);
                let first = spans.len();
                spans.extend(rows_in(&owned.bytes, &owned.unit, format).map(|s| RowSpan {
                    start: s.start + owned.base,
                    end: s.end + owned.base,
                    ..s
                }));
                assert_eq!((spans.len() - first) as u64, owned.unit.rows);
            }
            Ok(Step::NeedMore) => match chunks.next() {
                Some(c) => framer.push(c),
                None => {
                    assert!(!finished, "more bytes wanted after the end of the file");
                    framer.finish();
                    finished = true;
                }
            },
            Ok(Step::Done) => {
                assert!(finished, "done before the end of the file was said");
                return Framed { spans, error: None };
            }
        }
    }
}

/// The elements of a rows document: a list, or an object whose only key is `rows`.
fn rows_of(v: &Value) -> Option<&Vec<Value>> {
    match v {
        Value::Array(rows) => Some(rows),
        Value::Object(m) if m.len() == 1 => match m.iter().next() {
            Some((k, Value::Array(rows))) if k.eq_ignore_ascii_case("rows") => Some(rows),
            _ => None,
        },
        _ => None,
    }
}

fn agrees_with_serde(data: &[u8], framed: &Framed) {
    let text = data.strip_prefix(BOM).unwrap_or(data);
    let whole = serde_json::from_slice::<Value>(text);
    if let Ok(doc) = &whole {
        match (rows_of(doc), &framed.error) {
            (Some(rows), None) => {
                assert_eq!(
                    framed.spans.len(),
                    rows.len(),
                    "row count differs from serde_json"
                );
                for (span, want) in framed.spans.iter().zip(rows) {
                    let got: Value = serde_json::from_slice(&data[span.start..span.end])
                        .unwrap_or_else(|e| panic!("row {} is not its JSON value: {e}", span.row));
                    assert_eq!(&got, want, "row {} differs from serde_json", span.row);
                }
            }
            // Refusals the framer makes on purpose: an escaped root key (compared as
            // written), or a repeated one (serde_json keeps the last).
            (Some(_), Some(FramingError::RootKey { .. } | FramingError::ExtraRootKey { .. }))
                if doc.is_object() => {}
            (Some(_), Some(e)) => panic!("a valid JSON rows document refused: {e}"),
            (None, None) => panic!("framed a JSON value that is not a rows document"),
            (None, Some(_)) => {}
        }
    }
    if framed.error.is_none() {
        let rows_valid = framed
            .spans
            .iter()
            .all(|s| serde_json::from_slice::<Value>(&data[s.start..s.end]).is_ok());
        if let (true, Err(e)) = (rows_valid, &whole) {
            // serde_json stops at 128 levels; the rows list adds one or two to a row's depth.
            assert!(
                e.to_string().contains("recursion limit"),
                "framed, and every row is JSON, but the document is not: {e}"
            );
        }
    }
}

fn agrees_with_split(data: &[u8], framed: &Framed) {
    let start = if data.starts_with(BOM) { BOM.len() } else { 0 };
    let mut want = Vec::new();
    let mut pos = start;
    for (i, line) in data[start..].split(|&b| b == b'\n').enumerate() {
        let ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
        if let (Some(a), Some(z)) = (
            line.iter().position(|b| !ws(b)),
            line.iter().rposition(|b| !ws(b)),
        ) {
            want.push(RowSpan {
                start: pos + a,
                end: pos + z + 1,
                row: want.len() as u64,
                line: Some(i as u64 + 1),
            });
        }
        pos += line.len() + 1;
    }
    if want.is_empty() {
        assert_eq!(framed.error, Some(FramingError::Empty));
    } else {
        assert_eq!(
            framed.error, None,
            "JSON Lines never fail once a row exists"
        );
        assert_eq!(
            framed.spans, want,
            "JSON Lines rows differ from a split on newlines"
        );
    }
}
