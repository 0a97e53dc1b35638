//! Parquet files for inference (`crate::parse::infer`): the footer checked and decoded as
//! import does, then the first rows read as Arrow arrays and recorded column by column,
//! each with its Arrow type as its own type (int32 an Int32, float32 lists a FloatVector,
//! uint8 lists a BinaryVector as Milvus's BulkWriter writes them, float16 lists a
//! Float16Vector).

use std::panic::{AssertUnwindSafe, catch_unwind};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::DataType as Arrow;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::file::read_meta;
use super::{FileBytes, ParquetError};
use crate::location::RowLocation;
use crate::parse::infer::seen::{Kind, Natural, Seen};
use crate::parse::infer::{InferError, Inference};
use crate::schema::META_FIELD;

/// Rows decoded at a time.
const BATCH_ROWS: usize = 4096;

/// Reads the first rows of the Parquet file `file` into `inf`.
pub fn observe(inf: &mut Inference, file: &str, bytes: &FileBytes) -> Result<(), InferError> {
    let meta = read_meta(file, bytes)?;
    let names: Vec<String> = (meta.schema().fields().iter())
        .map(|f| f.name().clone())
        .collect();
    // Every column, in file order, with its type: also when the file has no rows.
    for f in meta.schema().fields() {
        if let (Some(seen), Some((n, _))) = (inf.column(f.name()), natural(f.data_type())) {
            seen.natural(n);
        }
    }
    let sample = usize::try_from(inf.sample_rows()).unwrap_or(usize::MAX);
    let panicked = |p: Box<dyn std::any::Any + Send>| ParquetError::Panic {
        file: file.to_string(),
        row_group: None,
        message: super::read::panic_message(&p),
    };
    let damaged = |e: &dyn std::fmt::Display| ParquetError::damaged(file, None, None, e);
    let mut reader = catch_unwind(AssertUnwindSafe(|| {
        ParquetRecordBatchReaderBuilder::new_with_metadata(bytes.clone(), meta.clone())
            .with_batch_size(BATCH_ROWS)
            .with_limit(sample)
            .build()
    }))
    .map_err(panicked)?
    .map_err(|e| damaged(&e))?;
    let mut first_row = 0u64;
    loop {
        let batch = match catch_unwind(AssertUnwindSafe(|| reader.next())).map_err(panicked)? {
            None => break,
            Some(b) => b.map_err(|e| damaged(&e))?,
        };
        inf.add_rows(batch.num_rows() as u64);
        for (name, array) in names.iter().zip(batch.columns()) {
            if let Some(seen) = inf.column(name) {
                column(seen, name, array.as_ref(), file, first_row)?;
            }
        }
        first_row += batch.num_rows() as u64;
    }
    if names.iter().any(|n| n == META_FIELD) {
        inf.column(META_FIELD);
    }
    Ok(())
}

/// The format's own type of an Arrow scalar type, with the kind of its values.
fn natural(t: &Arrow) -> Option<(Natural, Kind)> {
    Some(match t {
        Arrow::Boolean => (Natural::Bool, Kind::Bool),
        Arrow::Int8 => (Natural::Int8, Kind::Int),
        Arrow::Int16 => (Natural::Int16, Kind::Int),
        Arrow::Int32 => (Natural::Int32, Kind::Int),
        Arrow::Int64 => (Natural::Int64, Kind::Int),
        Arrow::UInt8 => (Natural::UInt8, Kind::Int),
        Arrow::UInt16 => (Natural::UInt16, Kind::Int),
        Arrow::UInt32 | Arrow::UInt64 => (Natural::UInt32, Kind::Int),
        Arrow::Float16 => (Natural::Float16, Kind::Float),
        Arrow::Float32 => (Natural::Float, Kind::Float),
        Arrow::Float64 => (Natural::Double, Kind::Float),
        Arrow::Timestamp(..) => (Natural::Timestamp, Kind::Str),
        _ => return None,
    })
}

/// Where the rows of a batch are.
#[derive(Clone, Copy)]
struct Place<'a> {
    file: &'a str,
    /// The batch's first row in the file.
    first_row: u64,
}

impl Place<'_> {
    /// Row `r` of the batch.
    fn row(&self, r: usize) -> RowLocation {
        RowLocation::row(self.file, self.first_row + r as u64)
    }
}

/// Records one column of a batch whose first row is `first_row` of the file.
fn column(
    seen: &mut Seen,
    name: &str,
    a: &dyn Array,
    file: &str,
    first_row: u64,
) -> Result<(), InferError> {
    let at = Place { file, first_row };
    let t = a.data_type();
    match t {
        Arrow::Null => (0..a.len()).for_each(|_| seen.null()),
        Arrow::Int8 => ints(seen, a.as_primitive::<Int8Type>(), at),
        Arrow::Int16 => ints(seen, a.as_primitive::<Int16Type>(), at),
        Arrow::Int32 => ints(seen, a.as_primitive::<Int32Type>(), at),
        Arrow::Int64 => ints(seen, a.as_primitive::<Int64Type>(), at),
        Arrow::UInt8 => ints(seen, a.as_primitive::<UInt8Type>(), at),
        Arrow::UInt16 => ints(seen, a.as_primitive::<UInt16Type>(), at),
        Arrow::UInt32 => ints(seen, a.as_primitive::<UInt32Type>(), at),
        Arrow::UInt64 => ints(seen, a.as_primitive::<UInt64Type>(), at),
        Arrow::Utf8 | Arrow::LargeUtf8 | Arrow::Utf8View => {
            strings(a, |r, s| match s {
                Some(s) => seen.string(s, &|| at.row(r)),
                None => seen.null(),
            });
        }
        Arrow::List(_) | Arrow::LargeList(_) | Arrow::FixedSizeList(..) => {
            lists(seen, name, a, at)?;
        }
        Arrow::Binary | Arrow::LargeBinary | Arrow::FixedSizeBinary(_) => {
            // Bytes: a binary vector's, as a list of uint8.
            seen.lists.natural = Some(Natural::UInt8);
            for r in 0..a.len() {
                match binary_len(a, r) {
                    Some(n) => {
                        seen.kind(Kind::List, &|| at.row(r));
                        seen.lists.length(n);
                    }
                    None => seen.null(),
                }
            }
        }
        t => {
            let Some((_, kind)) = natural(t) else {
                return Err(InferError::Cannot {
                    field: name.to_string(),
                    why: format!("{file}: a column of Arrow type {t}, which no rule types"),
                });
            };
            for r in 0..a.len() {
                if a.is_null(r) {
                    seen.null();
                } else {
                    seen.kind(kind, &|| at.row(r));
                }
            }
        }
    }
    if let Some((n, _)) = natural(t) {
        seen.natural(n);
    }
    Ok(())
}

/// Records integers (values past `i64` count as integers no key can hold).
fn ints<T: ArrowPrimitiveType>(seen: &mut Seen, a: &arrow_array::PrimitiveArray<T>, at: Place<'_>)
where
    T::Native: TryInto<i64>,
{
    for r in 0..a.len() {
        if a.is_null(r) {
            seen.null();
            continue;
        }
        match a.value(r).try_into() {
            Ok(x) => seen.int(x, &|| at.row(r)),
            Err(_) => {
                seen.kind(Kind::Int, &|| at.row(r));
                seen.ints = None;
            }
        }
    }
}

/// Calls `f` with each row's string (`None` for a null) of a string array.
fn strings(a: &dyn Array, mut f: impl FnMut(usize, Option<&str>)) {
    let value = |r: usize| -> Option<&str> {
        if a.is_null(r) {
            return None;
        }
        match a.data_type() {
            Arrow::Utf8 => Some(a.as_string::<i32>().value(r)),
            Arrow::LargeUtf8 => Some(a.as_string::<i64>().value(r)),
            Arrow::Utf8View => Some(a.as_string_view().value(r)),
            _ => None,
        }
    };
    for r in 0..a.len() {
        f(r, value(r));
    }
}

/// The length of row `r` of a binary array, `None` for a null.
fn binary_len(a: &dyn Array, r: usize) -> Option<usize> {
    if a.is_null(r) {
        return None;
    }
    Some(match a.data_type() {
        Arrow::Binary => a.as_binary::<i32>().value(r).len(),
        Arrow::LargeBinary => a.as_binary::<i64>().value(r).len(),
        _ => a.as_fixed_size_binary().value_length() as usize,
    })
}

/// Records a list column: each row's length, and its elements' type (their strings'
/// lengths for lists of strings).
fn lists(seen: &mut Seen, name: &str, a: &dyn Array, at: Place<'_>) -> Result<(), InferError> {
    let (item, values, len): (&Arrow, _, Box<dyn Fn(usize) -> usize>) = match a.data_type() {
        Arrow::List(f) => {
            let l = a.as_list::<i32>();
            (
                f.data_type(),
                l.values().clone(),
                Box::new(move |r| l.value_length(r) as usize),
            )
        }
        Arrow::LargeList(f) => {
            let l = a.as_list::<i64>();
            (
                f.data_type(),
                l.values().clone(),
                Box::new(move |r| l.value_length(r) as usize),
            )
        }
        Arrow::FixedSizeList(f, n) => {
            let l = a.as_fixed_size_list();
            let n = *n as usize;
            (f.data_type(), l.values().clone(), Box::new(move |_| n))
        }
        _ => return Ok(()),
    };
    match natural(item) {
        Some((n, kind)) => {
            seen.lists.natural = Some(n);
            seen.lists.elems.entry(kind).or_insert_with(|| at.row(0));
        }
        None if matches!(item, Arrow::Utf8 | Arrow::LargeUtf8 | Arrow::Utf8View) => {
            let lists = &mut seen.lists;
            strings(values.as_ref(), |_, s| {
                if let Some(s) = s {
                    lists.str_max = lists.str_max.max(s.len());
                    lists.elems.entry(Kind::Str).or_insert_with(|| at.row(0));
                }
            });
        }
        None => {
            return Err(InferError::Cannot {
                field: name.to_string(),
                why: format!("lists of Arrow type {item}, which no rule types"),
            });
        }
    }
    for r in 0..a.len() {
        if a.is_null(r) {
            seen.null();
        } else {
            seen.kind(Kind::List, &|| at.row(r));
            seen.lists.length(len(r));
        }
    }
    Ok(())
}
