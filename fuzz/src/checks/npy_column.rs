//! `npy_column`: an NPY file of any bytes checked against a field (`check_column` or
//! `check_meta_column`) and decoded (`decode_rows` or `decode_meta_rows`).
//!
//! Input: a selector byte (low bits: the field type; bit 7: fit the data section to the
//! header's declared size instead of taking the bytes as they are), a split byte, then
//! the file.
//!
//! Properties:
//! * nothing panics; an accepted plan's byte ranges lie inside the file;
//! * decoding all rows gives one value per row, or an error; JSON and `$meta` values read
//!   back with `serde_json` (`$meta` as objects);
//! * decoding `0..k` then `k..rows` into the same column gives the same column as decoding
//!   `0..rows` at once, or the same (first) error; a failed decode leaves the column as it was.

use std::ops::Range;

use vecload::parse::numpy::{
    ColumnPlan, NpyError, check_column, check_meta_column, decode_meta_rows, decode_rows,
    parse_header,
};
use vecload::record::Column;
use vecload::schema::{DataType, FieldSchema};

/// The field types tried; index `FIELDS.len()` stands for `$meta.npy`.
pub const FIELDS: [(DataType, Option<usize>); 14] = [
    (DataType::Bool, None),
    (DataType::Int8, None),
    (DataType::Int16, None),
    (DataType::Int32, None),
    (DataType::Int64, None),
    (DataType::Float, None),
    (DataType::Double, None),
    (DataType::VarChar, None),
    (DataType::Json, None),
    (DataType::FloatVector, Some(3)),
    (DataType::BinaryVector, Some(16)),
    (DataType::Float16Vector, Some(2)),
    (DataType::BFloat16Vector, Some(2)),
    (DataType::Int8Vector, Some(3)),
];

/// `max_length` of the VarChar field, in bytes.
pub const VARCHAR_MAX: usize = 5;
/// Largest declared data section the fitting mode builds, in bytes.
const FIT_MAX: u64 = 1 << 20;

/// The field a selector byte picks, or `None` for `$meta`.
pub fn field_for(selector: u8) -> Option<FieldSchema> {
    let (data_type, dim) = *FIELDS.get(usize::from(selector & 0x7f) % (FIELDS.len() + 1))?;
    let mut field = FieldSchema::new("col", data_type);
    field.dim = dim;
    if data_type == DataType::VarChar {
        field.max_length = Some(VARCHAR_MAX);
    }
    Some(field)
}

/// Checks and decodes the file in `data` (after the selector and split bytes).
pub fn check(data: &[u8]) {
    let [selector, split, ..] = *data else {
        return;
    };
    let raw = &data[2..];
    let field = field_for(selector);
    let Ok(header) = parse_header("col.npy", raw) else {
        return;
    };
    let fitted;
    let file = if selector & 0x80 != 0 {
        if header.data_len() > FIT_MAX {
            return;
        }
        let (head, tail) = raw.split_at(header.data_offset as usize);
        let mut bytes = head.to_vec();
        let want = header.data_len() as usize;
        bytes.extend(tail.iter().copied().chain(std::iter::repeat(0)).take(want));
        fitted = bytes;
        fitted.as_slice()
    } else {
        raw
    };
    let len = file.len() as u64;
    let plan = match &field {
        Some(f) => check_column("col.npy", header, len, f),
        None => check_meta_column("col.npy", header, len),
    };
    let Ok(plan) = plan else {
        return;
    };
    let rows = plan.rows;
    let full = plan.byte_range(0..rows);
    assert!(
        full.start <= full.end && full.end <= len,
        "byte range outside the file"
    );
    assert_eq!(full.end, len, "the data section does not end the file");

    let whole = decode(
        &plan,
        field.as_ref(),
        file,
        std::slice::from_ref(&(0..rows)),
    );
    if let Ok(col) = &whole {
        assert_eq!(col.rows, rows as usize, "decoded row count");
        json_reads_back(col);
    }
    let splits: Vec<u64> = if rows <= 8 {
        (0..=rows).collect()
    } else {
        vec![u64::from(split) % (rows + 1), rows / 2]
    };
    for k in splits {
        let halves = decode(&plan, field.as_ref(), file, &[0..k, k..rows]);
        assert!(
            halves == whole,
            "decoding at split {k} differs from decoding at once"
        );
    }
}

/// JSON values and `$meta` objects are JSON that `serde_json` reads back (as the query
/// output does), not only JSON by grammar.
fn json_reads_back(col: &Decoded) {
    use serde_json::Value;
    if let Some(vecload::record::ColumnData::Json(values)) = col.column.as_ref().map(|c| &c.data) {
        for v in values {
            let read = serde_json::from_str::<Value>(v);
            assert!(
                read.is_ok(),
                "JSON value {v:?} does not read back: {read:?}"
            );
        }
    }
    for m in &col.meta {
        let read = serde_json::from_str::<Value>(m);
        assert!(
            matches!(read, Ok(Value::Object(_))),
            "$meta {m:?} does not read back: {read:?}"
        );
    }
}

/// A decoded column (or `$meta` strings) and its row count.
#[derive(Debug, PartialEq)]
pub struct Decoded {
    column: Option<Column>,
    meta: Vec<String>,
    rows: usize,
}

/// Decodes `ranges` one after the other into one column; the first error ends it.
fn decode(
    plan: &ColumnPlan,
    field: Option<&FieldSchema>,
    file: &[u8],
    ranges: &[Range<u64>],
) -> Result<Decoded, NpyError> {
    let mut out = Decoded {
        column: field.map(|f| Column::empty_for(f, 0)),
        meta: Vec::new(),
        rows: 0,
    };
    for rows in ranges {
        let range = plan.byte_range(rows.clone());
        assert!(range.start <= range.end && range.end <= file.len() as u64);
        let bytes = &file[range.start as usize..range.end as usize];
        let before = (out.column.clone(), out.meta.clone());
        let result = match &mut out.column {
            Some(col) => decode_rows(plan, bytes, rows.clone(), col),
            None => decode_meta_rows(plan, bytes, rows.clone(), &mut out.meta),
        };
        if let Err(e) = result {
            assert!(
                (out.column.clone(), out.meta.clone()) == before,
                "a failed decode changed the column"
            );
            return Err(e);
        }
        out.rows += (rows.end - rows.start) as usize;
        let held = match &out.column {
            Some(col) => super::column_rows(col),
            None => out.meta.len(),
        };
        assert_eq!(held, out.rows, "decoded rows");
    }
    Ok(out)
}
