//! Numeric columns: bools, floats (finite, and within float32 for narrowed vectors),
//! doubles and half-precision bit patterns (`docs/formats.md`, NumPy). A block is checked
//! at once (vectorized); the first value that breaks a rule is named by the rule book.

use super::{Src, arr};
use crate::parse::numpy::{ByteOrder, Dtype, NpyError};
use crate::schema::DataType;
use crate::validate;

/// Whether every value is finite (exponent not all ones): a max over the magnitude bits,
/// branch-free so that it vectorizes.
fn all_finite_f32(values: &[f32]) -> bool {
    values
        .iter()
        .fold(0u32, |m, x| m.max(x.to_bits() & 0x7fff_ffff))
        < 0x7f80_0000
}

/// Whether every value is finite; see [`all_finite_f32`].
fn all_finite_f64(values: &[f64]) -> bool {
    values
        .iter()
        .fold(0u64, |m, x| m.max(x.to_bits() & 0x7fff_ffff_ffff_ffff))
        < 0x7ff0_0000_0000_0000
}

pub(super) fn bools(src: &Src, v: &mut Vec<bool>) -> Result<(), NpyError> {
    let start = v.len();
    src.collect::<1, _>(v, |[b]| b != 0);
    if !src.transposed && src.bytes.iter().fold(true, |ok, b| ok & (*b <= 1)) {
        return Ok(());
    }
    let Some(idx) = (0..v.len() - start).find(|&i| src.elem::<1>(i)[0] > 1) else {
        return Ok(());
    };
    Err(NpyError::BadValue {
        loc: src.loc(idx),
        field: src.field(),
        expected: "a bool byte (0 or 1)",
        found: format!("byte 0x{:02x}", src.elem::<1>(idx)[0]),
    })
}

/// float32 values from `f4`, or from `f8` narrowed (vectors only).
pub(super) fn floats(src: &Src, v: &mut Vec<f32>) -> Result<(), NpyError> {
    let start = v.len();
    let ok = match src.plan.header.dtype {
        Dtype::F32(o) => by_order!(src.collect_checked(v, o, 4, |x: f32| x, all_finite_f32)),
        Dtype::F64(o) if src.plan.data_type == DataType::FloatVector => {
            by_order!(src.collect_checked(v, o, 8, |x: f64| x as f32, all_finite_f32))
        }
        _ => return Err(src.bad_dtype()),
    };
    if ok {
        return Ok(());
    }
    let idx = v[start..].iter().position(|x| !x.is_finite()).unwrap_or(0);
    let row = idx / src.width.max(1);
    let what = match src.plan.data_type {
        DataType::Float => "Float",
        _ => "vector element",
    };
    let shown = match src.plan.header.dtype {
        Dtype::F64(o) => {
            let b = src.elem::<8>(idx);
            let x = match o {
                ByteOrder::Little => f64::from_le_bytes(b),
                ByteOrder::Big => f64::from_be_bytes(b),
            };
            format!("{x:?}")
        }
        _ => format!("{:?}", v[start + idx]),
    };
    match validate::finite_f32(&src.schema, v[start + idx], what, || shown) {
        Ok(_) => Ok(()),
        Err(e) => Err(src.broken(row, e)),
    }
}

pub(super) fn doubles(src: &Src, v: &mut Vec<f64>) -> Result<(), NpyError> {
    let start = v.len();
    let ok = match src.plan.header.dtype {
        Dtype::F64(o) => by_order!(src.collect_checked(v, o, 8, |x: f64| x, all_finite_f64)),
        _ => return Err(src.bad_dtype()),
    };
    if ok {
        return Ok(());
    }
    let idx = v[start..].iter().position(|x| !x.is_finite()).unwrap_or(0);
    let x = v[start + idx];
    match validate::finite_f64(&src.schema, x, || format!("{x:?}")) {
        Ok(_) => Ok(()),
        Err(e) => Err(src.broken(idx, e)),
    }
}

/// Half-precision values as raw little-endian bits from `u1` rows of `dim * 2` bytes.
/// `exp_mask` is the exponent mask; all ones there means NaN or infinity, which the rule
/// book refuses.
pub(super) fn halves(src: &Src, v: &mut Vec<u16>, exp_mask: u16) -> Result<(), NpyError> {
    let start = v.len();
    if src.transposed {
        let first = src.first as usize;
        let at = |i: usize, j: usize| src.bytes[j * src.total + i];
        v.reserve(src.count * src.width / 2);
        for i in first..first + src.count {
            for k in 0..src.width / 2 {
                v.push(u16::from_le_bytes([at(i, 2 * k), at(i, 2 * k + 1)]));
            }
        }
    } else {
        v.extend(
            src.bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes(arr(c))),
        );
    }
    let Some(idx) = v[start..].iter().position(|b| b & exp_mask == exp_mask) else {
        return Ok(());
    };
    match validate::half_bits(&src.schema, v[start + idx]) {
        Ok(_) => Ok(()),
        Err(e) => Err(src.broken(idx / (src.width / 2).max(1), e)),
    }
}
