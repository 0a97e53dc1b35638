//! List and binary Arrow arrays: dense vectors (`list<number>`, `fixed_size_list`,
//! `list<uint8>` or `binary` for bytes), Arrays (`list<element>`) and sparse vectors given
//! as `struct<indices, values>`.

use std::borrow::Cow;
use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::types::Float32Type;
use arrow_array::{
    Array, ArrayRef, BinaryArray, BinaryViewArray, FixedSizeBinaryArray, FixedSizeListArray,
    LargeBinaryArray, LargeListArray, ListArray,
};
use arrow_schema::DataType as Arrow;

use super::{Nums, Refusal, Target, append};
use crate::record::{Column, ColumnData};
use crate::schema::FieldSchema;
use crate::validate::{self, Violation};

/// The rows of a list array.
#[derive(Clone, Copy)]
pub(in crate::parse::parquet) enum Lists<'a> {
    Small(&'a ListArray),
    Large(&'a LargeListArray),
    Fixed(&'a FixedSizeListArray),
}

impl<'a> Lists<'a> {
    /// The rows of `a`, when it is a list.
    pub fn of(a: &'a ArrayRef) -> Option<Self> {
        let a = a.as_ref();
        if let Some(l) = a.as_list_opt::<i32>() {
            Some(Lists::Small(l))
        } else if let Some(l) = a.as_list_opt::<i64>() {
            Some(Lists::Large(l))
        } else {
            a.as_fixed_size_list_opt().map(Lists::Fixed)
        }
    }

    /// The elements of every row.
    pub fn values(&self) -> &'a ArrayRef {
        match self {
            Lists::Small(l) => l.values(),
            Lists::Large(l) => l.values(),
            Lists::Fixed(l) => l.values(),
        }
    }

    /// The elements of row `i`, as indexes into [`Lists::values`].
    #[inline]
    pub fn range(&self, i: usize) -> Range<usize> {
        match self {
            Lists::Small(l) => {
                let o = l.value_offsets();
                o[i] as usize..o[i + 1] as usize
            }
            Lists::Large(l) => {
                let o = l.value_offsets();
                o[i] as usize..o[i + 1] as usize
            }
            Lists::Fixed(l) => {
                let start = l.value_offset_at(i);
                start..start + l.value_length() as usize
            }
        }
    }

    fn is_null(&self, i: usize) -> bool {
        match self {
            Lists::Small(l) => l.is_null(i),
            Lists::Large(l) => l.is_null(i),
            Lists::Fixed(l) => l.is_null(i),
        }
    }
}

/// The values of a binary array.
pub(in crate::parse::parquet) enum Bytes<'a> {
    Small(&'a BinaryArray),
    Large(&'a LargeBinaryArray),
    View(&'a BinaryViewArray),
    Fixed(&'a FixedSizeBinaryArray),
}

impl<'a> Bytes<'a> {
    /// The values of `a`, when it holds bytes.
    pub fn of(a: &'a dyn Array) -> Option<Self> {
        if let Some(b) = a.as_binary_opt::<i32>() {
            Some(Bytes::Small(b))
        } else if let Some(b) = a.as_binary_opt::<i64>() {
            Some(Bytes::Large(b))
        } else if let Some(b) = a.as_binary_view_opt() {
            Some(Bytes::View(b))
        } else {
            a.as_fixed_size_binary_opt().map(Bytes::Fixed)
        }
    }

    /// Value `i`.
    #[inline]
    pub fn value(&self, i: usize) -> &'a [u8] {
        match self {
            Bytes::Small(b) => b.value(i),
            Bytes::Large(b) => b.value(i),
            Bytes::View(b) => b.value(i),
            Bytes::Fixed(b) => b.value(i),
        }
    }
}

/// Float vectors given as lists of float32 without nulls: each row's length checked, the
/// values copied at once and checked finite. `Ok(false)` when the array is not of that
/// shape (the general path then reads it).
pub(super) fn float_vectors(
    field: &FieldSchema,
    dim: usize,
    array: &ArrayRef,
    out: &mut Vec<f32>,
) -> Result<bool, Refusal> {
    let Some(lists) = Lists::of(array) else {
        return Ok(false);
    };
    let values = lists.values();
    if *values.data_type() != Arrow::Float32 || values.null_count() > 0 {
        return Ok(false);
    }
    let n = array.len();
    if n == 0 {
        return Ok(true);
    }
    for i in 0..n {
        let len = lists.range(i).len();
        validate::vector_len(field, dim, len).map_err(|v| (i, v))?;
    }
    let all = lists.range(0).start..lists.range(n - 1).end;
    let floats = &values.as_primitive::<Float32Type>().values()[all];
    let base = out.len();
    out.extend_from_slice(floats);
    if let Some(bad) = out[base..].iter().position(|x| !x.is_finite()) {
        let x = out[base + bad];
        out.truncate(base);
        validate::finite_f32(field, x, "vector element", || x.to_string())
            .map_err(|v| (bad / dim.max(1), v))?;
    }
    Ok(true)
}

/// Appends the dense vector in row `i` of `lists` to `out`.
pub(super) fn vector(
    field: &FieldSchema,
    lists: &Lists<'_>,
    i: usize,
    out: &mut ColumnData,
) -> Result<(), Violation> {
    let r = lists.range(i);
    let values = lists.values();
    let Some(nums) = Nums::of(values.as_ref()) else {
        return Err(validate::wrong_type(
            field,
            format!("a list of {}", values.data_type()),
        ));
    };
    let no_null = |j: usize| {
        if values.is_null(j) {
            Err(validate::wrong_element(field, "null"))
        } else {
            Ok(())
        }
    };
    match out {
        ColumnData::FloatVector { dim, values: v } => {
            validate::vector_len(field, *dim, r.len())?;
            for j in r {
                no_null(j)?;
                v.push(nums.element_f32(field, j, "vector element")?);
            }
        }
        ColumnData::BinaryVector { dim, bytes } => {
            validate::vector_len(field, *dim / 8, r.len())?;
            for j in r {
                no_null(j)?;
                bytes.push(validate::byte(field, nums.int(j), || nums.literal(j))?);
            }
        }
        ColumnData::Int8Vector { dim, values: v } => {
            validate::vector_len(field, *dim, r.len())?;
            for j in r {
                no_null(j)?;
                v.push(validate::int8_element(field, nums.int(j), || {
                    nums.literal(j)
                })?);
            }
        }
        ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
            if let Nums::U8(b) = nums {
                for j in r.clone() {
                    no_null(j)?;
                }
                return bytes_vector(field, &b[r], out);
            }
            validate::vector_len(field, *dim, r.len())?;
            for j in r {
                no_null(j)?;
                let x = nums.element_f32(field, j, "vector element")?;
                bits.push(validate::half(field, x, || nums.literal(j))?);
            }
        }
        _ => return Err(validate::wrong_type(field, "a list")),
    }
    Ok(())
}

/// Appends a vector given as bytes (`binary`, or `list<uint8>` for half floats): dim/8
/// bytes for a binary vector, dim*2 little-endian bytes for Float16/BFloat16.
pub(super) fn bytes_vector(
    field: &FieldSchema,
    b: &[u8],
    out: &mut ColumnData,
) -> Result<(), Violation> {
    match out {
        ColumnData::BinaryVector { bytes, .. } => {
            validate::vector_bytes(field, b.len())?;
            bytes.extend_from_slice(b);
        }
        ColumnData::Float16Vector { bits, .. } | ColumnData::BFloat16Vector { bits, .. } => {
            validate::vector_bytes(field, b.len())?;
            for pair in b.chunks_exact(2) {
                bits.push(validate::half_bits(
                    field,
                    u16::from_le_bytes([pair[0], pair[1]]),
                )?);
            }
        }
        _ => return Err(validate::wrong_type(field, format!("{} bytes", b.len()))),
    }
    Ok(())
}

/// The Array in row `i` of `lists`: its length checked against `max_capacity`, each
/// element by the element type's rules.
pub(super) fn array(t: &Target<'_>, lists: &Lists<'_>, i: usize) -> Result<ColumnData, Violation> {
    let field = t.field;
    let r = lists.range(i);
    validate::array_capacity(field, r.len())?;
    let elem = t
        .elem
        .map_or_else(|| Cow::Owned(validate::array_element(field)), Cow::Borrowed);
    let mut col = Column {
        data: ColumnData::empty_of(elem.data_type, 0, r.len()),
        validity: None,
    };
    let sub = lists.values().slice(r.start, r.len());
    let inner = Target {
        field: &elem,
        elem: None,
        default: None,
    };
    append(&inner, &sub, &mut col).map_err(|(_, v)| validate::array_element_error(v))?;
    Ok(col.data)
}

/// The sparse vector in row `i` of a `struct<indices, values>` column.
pub(super) fn sparse_pairs(
    field: &FieldSchema,
    indices: &Lists<'_>,
    values: &Lists<'_>,
    i: usize,
) -> Result<Vec<(u32, f32)>, Violation> {
    if indices.is_null(i) || values.is_null(i) {
        return Err(validate::wrong_type(field, "a struct with a null list"));
    }
    let (ri, rv) = (indices.range(i), values.range(i));
    validate::sparse_lengths(field, ri.len(), rv.len())?;
    let (iv, vv) = (indices.values(), values.values());
    let (Some(ni), Some(nv)) = (Nums::of(iv.as_ref()), Nums::of(vv.as_ref())) else {
        return Err(validate::wrong_type(
            field,
            "a struct of lists that are not numbers",
        ));
    };
    let mut pairs = Vec::with_capacity(ri.len());
    for (a, b) in ri.zip(rv) {
        if iv.is_null(a) || vv.is_null(b) {
            return Err(validate::wrong_element(field, "null"));
        }
        let index = validate::sparse_index(field, ni.int(a), || ni.literal(a))?;
        let x = nv.element_f32(field, b, "sparse value")?;
        pairs.push((index, validate::sparse_value(field, x)?));
    }
    validate::sparse_pairs(field, &mut pairs)?;
    Ok(pairs)
}
