//! Reading the records of one unit into columns: [`Cells`] splits each record into cells
//! (slices of the unit where no unquoting is needed, no I/O), each cell is read for its
//! column's field, and every rule is asked of the rule book. Cells holding JSON (vectors, arrays, sparse vectors, JSON, `$meta`) go
//! through the exact JSON reader's per-value converter, so they follow the rules of JSON
//! rows exactly.

use super::CsvOptions;
use super::cells::Cells;
use super::framer::CsvUnit;
use super::header::{CsvHeader, Slot};
use crate::location::RowLocation;
use crate::parse::json::exact::meta_members_text;
use crate::parse::json::{JsonRowConverter, json_number_to_f32, json_number_to_f64};
use crate::parse::{RejectSink, Rejected, raw_text};
use crate::record::{ColumnData, RowBatch};
use crate::schema::{CollectionSchema, DataType, FieldSchema};
use crate::validate::{self, RowError, Violation};

/// Converts CSV records into columns, enforcing the schema's rules. Make one per worker
/// and reuse it.
pub struct CsvRowConverter {
    json: JsonRowConverter,
    header: CsvHeader,
    opts: CsvOptions,
    cells: Cells,
    extra: Vec<(String, String)>,
    /// With `Some`, a bad record is kept here and reading goes on (`--on-error skip`).
    pub rejects: RejectSink,
}

impl CsvRowConverter {
    /// A converter for files with `header`; fails if a field's default value does not fit
    /// its type.
    pub fn new(
        schema: &CollectionSchema,
        header: CsvHeader,
        opts: CsvOptions,
    ) -> Result<Self, RowError> {
        Ok(CsvRowConverter {
            json: JsonRowConverter::new(schema)?,
            header,
            opts,
            cells: Cells::default(),
            extra: Vec::new(),
            rejects: None,
        })
    }

    /// Parses every record of `unit` (whose bytes are `bytes`) into `batch`. Stops at the
    /// first bad row and returns its error (`batch` then holds the rows before it), unless
    /// `self.rejects` collects bad records: then each goes there, with its text, and the
    /// records after it are read.
    pub fn parse_unit(
        &mut self,
        file: &str,
        bytes: &[u8],
        unit: &CsvUnit,
        batch: &mut RowBatch,
    ) -> Result<(), RowError> {
        let mut pos = 0;
        let mut row = unit.first_row;
        while let Some(at) = self.cells.read(bytes, self.opts.sep, &mut pos) {
            let before = batch.len();
            if let Err(v) = self.push_record(bytes, batch) {
                batch.truncate(before);
                let lines = memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64;
                let error = v.at(&RowLocation {
                    file: file.to_string(),
                    row,
                    byte: Some(unit.start + at as u64),
                    line: Some(unit.line + lines),
                    row_group: None,
                });
                match &mut self.rejects {
                    Some(rejects) => rejects.push(Rejected {
                        error,
                        raw: raw_text(bytes.get(at..pos).unwrap_or_default()),
                    }),
                    None => return Err(error),
                }
            }
            row += 1;
        }
        Ok(())
    }

    /// Appends the record just read (its cells in `self.cells`, over `bytes`) to `batch`.
    fn push_record(&mut self, bytes: &[u8], batch: &mut RowBatch) -> Result<(), Violation> {
        let width = self.header.columns.len();
        let n = self.cells.len();
        if n != width {
            return Err(validate::cell_count(width, n));
        }
        self.extra.clear();
        let mut meta = None;
        for k in 0..n {
            let cell = self.cells.get(bytes, k);
            match &self.header.columns[k] {
                Slot::Field(i) => push_cell(&self.json, &self.opts, *i, cell, batch)?,
                Slot::Meta if cell == self.opts.null_key.as_bytes() => {}
                Slot::Meta => meta = Some(meta_members_text(cell)?),
                Slot::Extra(name) => {
                    let text = String::from_utf8_lossy(cell);
                    let value = serde_json::to_string(&text).unwrap_or_default();
                    self.extra.push((name.clone(), value));
                }
                Slot::Skip => {}
            }
        }
        for &(i, how) in &self.header.missing {
            validate::fill(&mut batch.columns[i], how, self.json.default_of(i));
        }
        if let Some(out) = &mut batch.meta {
            out.push(validate::merge_meta(
                meta.unwrap_or_default(),
                &mut self.extra,
            )?);
        }
        Ok(())
    }
}

/// What a cell holds, for messages: `cell "abc"` (at most 40 characters).
fn found(cell: &[u8]) -> String {
    if cell.is_empty() {
        return "an empty cell".into();
    }
    let s = String::from_utf8_lossy(cell);
    let short: String = s.chars().take(40).collect();
    let dots = if short.len() < s.len() { "..." } else { "" };
    format!("cell \"{short}{dots}\"")
}

fn literal(cell: &[u8]) -> String {
    String::from_utf8_lossy(cell).into_owned()
}

/// Go's `strconv.ParseBool`, as Milvus reads a Bool cell.
fn parse_bool(cell: &[u8]) -> Option<bool> {
    match cell {
        b"1" | b"t" | b"T" | b"TRUE" | b"true" | b"True" => Some(true),
        b"0" | b"f" | b"F" | b"FALSE" | b"false" | b"False" => Some(false),
        _ => None,
    }
}

/// A base-10 integer cell (an optional sign, digits), in `T`'s range.
fn int<T: TryFrom<i128>>(field: &FieldSchema, cell: &[u8]) -> Result<T, Violation> {
    let digits = cell
        .strip_prefix(b"-")
        .or_else(|| cell.strip_prefix(b"+"))
        .unwrap_or(cell);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(validate::wrong_type(field, found(cell)));
    }
    let n = std::str::from_utf8(cell)
        .ok()
        .and_then(|s| s.parse::<i128>().ok());
    validate::integer(field, n, || literal(cell))
}

/// A float cell: a JSON number (correctly rounded, the rows' fast path), or any form Go's
/// `ParseFloat` reads (`+1.5`, `.5`, `NaN`, `Inf`), which the finite rule then judges.
fn float<T: std::str::FromStr>(cell: &[u8], json: fn(&[u8]) -> Option<T>) -> Option<T> {
    json(cell).or_else(|| std::str::from_utf8(cell).ok()?.parse().ok())
}

/// Reads `cell` for field `i` and appends it to its column (a null for the null key).
fn push_cell(
    json: &JsonRowConverter,
    opts: &CsvOptions,
    i: usize,
    cell: &[u8],
    batch: &mut RowBatch,
) -> Result<(), Violation> {
    let field = &json.schema().fields[i];
    let default = json.default_of(i);
    let col = &mut batch.columns[i];
    // The null key is null, except in a VarChar that takes no null (pandas writes "" as
    // an empty cell, the default null key): there it is the string itself.
    if cell == opts.null_key.as_bytes()
        && (field.nullable || default.is_some() || field.data_type != DataType::VarChar)
    {
        validate::fill(col, validate::null(field, default.is_some())?, default);
        return Ok(());
    }
    match &mut col.data {
        ColumnData::Bool(c) => {
            c.push(parse_bool(cell).ok_or_else(|| validate::wrong_type(field, found(cell)))?)
        }
        ColumnData::Int8(c) => c.push(int(field, cell)?),
        ColumnData::Int16(c) => c.push(int(field, cell)?),
        ColumnData::Int32(c) => c.push(int(field, cell)?),
        ColumnData::Int64(c) => c.push(int(field, cell)?),
        ColumnData::Float(c) => {
            let x = float(cell, json_number_to_f32)
                .ok_or_else(|| validate::wrong_type(field, found(cell)))?;
            c.push(validate::finite_f32(field, x, "Float", || literal(cell))?);
        }
        ColumnData::Double(c) => {
            let x = float(cell, json_number_to_f64)
                .ok_or_else(|| validate::wrong_type(field, found(cell)))?;
            c.push(validate::finite_f64(field, x, || literal(cell))?);
        }
        ColumnData::VarChar(c) => {
            let s = std::str::from_utf8(cell)
                .map_err(|_| validate::wrong_type(field, "a cell that is not UTF-8"))?;
            validate::varchar(field, s)?;
            c.push(s.to_string());
        }
        ColumnData::Geometry(c) => {
            let s = std::str::from_utf8(cell)
                .map_err(|_| validate::wrong_type(field, "a cell that is not UTF-8"))?;
            c.push(validate::geometry(field, s)?);
        }
        ColumnData::Timestamptz(c) => {
            let s = std::str::from_utf8(cell)
                .map_err(|_| validate::wrong_type(field, "a cell that is not UTF-8"))?;
            c.push(validate::timestamptz(field, s)?);
        }
        _ => return json.push_value_text(i, cell, col),
    }
    if let Some(v) = &mut col.validity {
        v.push(true);
    }
    Ok(())
}
