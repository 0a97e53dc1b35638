//! Row files for inference: JSON rows framed by import's framer (each row read as a JSON
//! value), CSV records split by import's framer and cell reader (each cell read as import
//! reads an untyped cell: a number, a boolean, a JSON list or object, else text).

use serde_json::Value;

use super::seen::{Kind, Seen};
use super::{InferError, Inference};
use crate::location::RowLocation;
use crate::parse::csv::{Cells, CsvOptions, Framer as CsvFramer, Step, header};
use crate::parse::json::framing::{Framer, JsonFormat, rows_in};
use crate::parse::json::json_number_to_f64;
use crate::validate::{self, Violation};

/// Bytes framed at a time.
const UNIT_BYTES: usize = 1 << 20;

/// Reads the first rows of a JSON rows file.
pub(super) fn json(
    inf: &mut Inference,
    file: &str,
    bytes: &[u8],
    format: JsonFormat,
) -> Result<(), InferError> {
    let framing = |error| InferError::Framing {
        file: file.to_string(),
        error,
    };
    let mut framer = Framer::new(bytes, format).map_err(framing)?;
    let sample = inf.sample_rows();
    let mut read = 0;
    'units: while read < sample {
        let Some(unit) = framer.next_unit(UNIT_BYTES) else {
            break;
        };
        let unit = unit.map_err(framing)?;
        for span in rows_in(bytes, &unit, format) {
            if read >= sample {
                break 'units;
            }
            let at = || RowLocation {
                file: file.to_string(),
                row: span.row,
                byte: Some(span.start as u64),
                line: span.line,
                row_group: None,
            };
            let text = &bytes[span.start..span.end];
            let row = match serde_json::from_slice::<Value>(text) {
                Ok(Value::Object(row)) => row,
                Ok(other) => {
                    let found = format!("{} ({})", kind_of(&other), excerpt(text));
                    return Err(Violation::new("", "a JSON object (a row)", found)
                        .at(&at())
                        .into());
                }
                Err(e) => {
                    let found = format!("invalid JSON: {e}");
                    return Err(Violation::new("", "a JSON object (a row)", found)
                        .at(&at())
                        .into());
                }
            };
            inf.add_rows(1);
            read += 1;
            for (key, value) in &row {
                if let Some(seen) = inf.column(key) {
                    seen.json(value, &at);
                }
            }
        }
    }
    Ok(())
}

/// What a value is, for messages.
fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The first 40 characters of `text`.
fn excerpt(text: &[u8]) -> String {
    let s = String::from_utf8_lossy(text);
    let short: String = s.chars().take(40).collect();
    if short.len() < s.len() {
        format!("{short}...")
    } else {
        short
    }
}

/// Reads the header and the first records of a CSV file.
pub(super) fn csv(
    inf: &mut Inference,
    file: &str,
    bytes: &[u8],
    opts: &CsvOptions,
) -> Result<(), InferError> {
    let mut framer = CsvFramer::new(opts.sep);
    let names: Vec<String> = match framer.next(file, bytes, 0, true, UNIT_BYTES)? {
        Step::Header { start, end, .. } => {
            header::cells(&bytes[start as usize..end as usize], opts.sep)
                .iter()
                .map(|c| String::from_utf8_lossy(c).into_owned())
                .collect()
        }
        _ => return Ok(()),
    };
    // A column named again: the last one wins, as import reads it.
    let last: Vec<bool> = (0..names.len())
        .map(|k| !names[k + 1..].contains(&names[k]))
        .collect();
    // Every column, in header order, also when the file has no rows.
    for (k, name) in names.iter().enumerate() {
        if last[k] {
            inf.column(name);
        }
    }
    let sample = inf.sample_rows();
    let (mut read, mut cells) = (0, Cells::default());
    'units: while read < sample {
        let unit = match framer.next(file, bytes, 0, true, UNIT_BYTES)? {
            Step::Unit(unit) => unit,
            _ => break,
        };
        let body = &bytes[unit.start as usize..unit.end as usize];
        let (mut pos, mut row) = (0, unit.first_row);
        while let Some(at) = cells.read(body, opts.sep, &mut pos) {
            if read >= sample {
                break 'units;
            }
            let lines = memchr::memchr_iter(b'\n', &body[..at]).count() as u64;
            let loc = || RowLocation {
                file: file.to_string(),
                row,
                byte: Some(unit.start + at as u64),
                line: Some(unit.line + lines),
                row_group: None,
            };
            if cells.len() != names.len() {
                return Err(validate::cell_count(names.len(), cells.len())
                    .at(&loc())
                    .into());
            }
            inf.add_rows(1);
            for (k, name) in names.iter().enumerate() {
                if !last[k] {
                    continue;
                }
                if let Some(seen) = inf.column(name) {
                    cell(seen, cells.get(body, k), &opts.null_key, &loc);
                }
            }
            read += 1;
            row += 1;
        }
    }
    Ok(())
}

/// Records one CSV cell: the null key is null; `true`/`false` (any case pandas writes) a
/// boolean; a number, a JSON list or a JSON object is read as such; anything else is text.
fn cell(seen: &mut Seen, cell: &[u8], null_key: &str, at: &dyn Fn() -> RowLocation) {
    seen.text = true;
    seen.text_max = seen.text_max.max(cell.len());
    if cell == null_key.as_bytes() {
        return seen.null();
    }
    match cell {
        b"true" | b"True" | b"TRUE" | b"false" | b"False" | b"FALSE" => {
            return seen.kind(Kind::Bool, at);
        }
        [b'[', ..] | [b'{', ..] => {
            if let Ok(v @ (Value::Array(_) | Value::Object(_))) = serde_json::from_slice(cell) {
                return seen.json(&v, at);
            }
        }
        [b'-' | b'+' | b'0'..=b'9', ..] => {
            let digits = cell.strip_prefix(b"-").or(cell.strip_prefix(b"+"));
            let digits = digits.unwrap_or(cell);
            if digits.iter().all(u8::is_ascii_digit) && !digits.is_empty() {
                let n = std::str::from_utf8(cell).ok().and_then(|s| s.parse().ok());
                return match n {
                    Some(n) => seen.int(n, at),
                    None => seen.kind(Kind::Float, at),
                };
            }
            if json_number_to_f64(cell).is_some_and(f64::is_finite) {
                return seen.kind(Kind::Float, at);
            }
        }
        _ => {}
    }
    seen.string(&String::from_utf8_lossy(cell), at);
}
