//! NumPy column sets for inference: each file's header gives its field's type (the dtype
//! and shape, as import matches them: `<f4` 2-D a FloatVector, `<i8` 1-D an Int64,
//! strings a VarChar...); the set is then checked by import's own [`plan_set`] and the
//! first rows decoded by import's decoder, for string lengths and unique integers.

use super::seen::{Kind, Natural, Seen};
use super::{InferError, Inference};
use crate::location::RowLocation;
use crate::parse::numpy::{
    ColumnPlan, Dtype, NpyError, NpyFile, NpyHeader, decode_rows, parse_header, plan_set,
};
use crate::record::{Column, ColumnData};
use crate::schema::{CollectionSchema, DataType, FieldSchema, META_FIELD};

/// Reads a column set: `(path, bytes)` of each file.
pub(super) fn set(inf: &mut Inference, files: &[(String, &[u8])]) -> Result<(), InferError> {
    let mut npy = Vec::with_capacity(files.len());
    let mut fields = Vec::new();
    let mut dynamic = false;
    for (path, bytes) in files {
        let header = parse_header(path, bytes)?;
        let name = path.rsplit('/').next().unwrap_or(path);
        let stem = (name.strip_suffix(".npy"))
            .filter(|s| !s.is_empty())
            .ok_or_else(|| NpyError::BadFileName { file: path.clone() })?;
        if stem == META_FIELD {
            dynamic = true;
        } else {
            fields.push(field_of(path, stem, &header)?);
        }
        npy.push(NpyFile {
            path: path.clone(),
            header,
            len: bytes.len() as u64,
        });
    }
    let schema = CollectionSchema {
        name: "infer".into(),
        auto_id: false,
        enable_dynamic_field: dynamic,
        fields,
        partitions_num: 16,
        shards_num: 1,
        functions: Vec::new(),
    };
    let plan = plan_set(&schema, &npy)?;
    let rows = plan.rows.min(inf.sample_rows());
    inf.add_rows(rows);
    if dynamic {
        inf.column(META_FIELD);
    }
    for (index, column) in &plan.columns {
        let field = &schema.fields[*index];
        let Some((_, bytes)) = files.iter().find(|(p, _)| *p == column.file) else {
            continue;
        };
        if let Some(seen) = inf.column(&field.name) {
            observe(seen, field, column, bytes, rows)?;
        }
    }
    Ok(())
}

/// The field a file makes, from its dtype and shape.
fn field_of(path: &str, stem: &str, header: &NpyHeader) -> Result<FieldSchema, InferError> {
    let cannot = |what: &str| InferError::Cannot {
        field: stem.to_string(),
        why: format!(
            "{path}: a {}-D array of {} {what}",
            header.shape.len(),
            header.descr
        ),
    };
    let (t, dim) = match (header.shape.as_slice(), header.dtype) {
        ([_], Dtype::Bool) => (DataType::Bool, None),
        ([_], Dtype::I8) => (DataType::Int8, None),
        ([_], Dtype::I16(_)) => (DataType::Int16, None),
        ([_], Dtype::I32(_)) => (DataType::Int32, None),
        ([_], Dtype::I64(_)) => (DataType::Int64, None),
        ([_], Dtype::F32(_)) => (DataType::Float, None),
        ([_], Dtype::F64(_)) => (DataType::Double, None),
        ([_], Dtype::Bytes(_) | Dtype::Unicode(..)) => (DataType::VarChar, None),
        ([_], Dtype::U8) => return Err(cannot("(1-D uint8 holds no Milvus scalar)")),
        ([_, w], Dtype::F32(_) | Dtype::F64(_)) => (DataType::FloatVector, Some(*w)),
        ([_, w], Dtype::U8) => (DataType::BinaryVector, Some(w.saturating_mul(8))),
        ([_, w], Dtype::I8) => (DataType::Int8Vector, Some(*w)),
        _ => {
            return Err(cannot(
                "(NumPy files hold 1-D scalars or strings, and 2-D float, uint8 or int8 vectors)",
            ));
        }
    };
    let mut f = FieldSchema::new(stem, t);
    f.dim = dim.map(|d| usize::try_from(d).unwrap_or(usize::MAX));
    Ok(f)
}

/// Records the first `rows` rows of one file.
fn observe(
    seen: &mut Seen,
    field: &FieldSchema,
    plan: &ColumnPlan,
    bytes: &[u8],
    rows: u64,
) -> Result<(), InferError> {
    let at = || RowLocation::row(plan.file.clone(), 0);
    let dtype = plan.header.dtype;
    if field.data_type.is_vector() {
        let width = plan.width as usize;
        seen.lists.natural = Some(match dtype {
            Dtype::U8 => Natural::UInt8,
            Dtype::I8 => Natural::Int8,
            Dtype::F64(_) => Natural::Double,
            _ => Natural::Float,
        });
        for _ in 0..rows {
            seen.kind(Kind::List, &at);
        }
        if rows > 0 {
            seen.lists.length(width);
        }
        return Ok(());
    }
    let range = plan.byte_range(0..rows);
    let body = bytes
        .get(range.start as usize..range.end as usize)
        .unwrap_or_default();
    let mut col = Column::empty_for(field, rows as usize);
    decode_rows(plan, body, 0..rows, &mut col)?;
    seen.int64_ok = matches!(dtype, Dtype::I64(_));
    let file = &plan.file;
    let at_row = |r: usize| move || RowLocation::row(file.clone(), r as u64);
    match &col.data {
        ColumnData::Bool(v) => {
            seen.natural(Natural::Bool);
            v.iter().for_each(|_| seen.kind(Kind::Bool, &at));
        }
        ColumnData::Int8(v) => ints(seen, Natural::Int8, v.iter().map(|&x| x.into()), file),
        ColumnData::Int16(v) => ints(seen, Natural::Int16, v.iter().map(|&x| x.into()), file),
        ColumnData::Int32(v) => ints(seen, Natural::Int32, v.iter().map(|&x| x.into()), file),
        ColumnData::Int64(v) => ints(seen, Natural::Int64, v.iter().copied(), file),
        ColumnData::Float(v) => {
            seen.natural(Natural::Float);
            v.iter().for_each(|_| seen.kind(Kind::Float, &at));
        }
        ColumnData::Double(v) => {
            seen.natural(Natural::Double);
            v.iter().for_each(|_| seen.kind(Kind::Float, &at));
        }
        ColumnData::VarChar(v) => {
            for (r, s) in v.iter().enumerate() {
                seen.string(s, &at_row(r));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Records integers read as `natural`.
fn ints(seen: &mut Seen, natural: Natural, values: impl Iterator<Item = i64>, file: &str) {
    seen.natural(natural);
    for (r, x) in values.enumerate() {
        seen.int(x, &|| RowLocation::row(file.to_string(), r as u64));
    }
}
