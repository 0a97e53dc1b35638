//! Numeric Arrow arrays read value by value: integers with their range checked by
//! [`validate::integer`], floats checked by [`validate::finite_f32`] and
//! [`validate::finite_f64`].

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float16Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type,
    UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::DataType as Arrow;

use crate::record::ColumnData;
use crate::schema::FieldSchema;
use crate::validate::{self, Violation};

type F16 = <Float16Type as ArrowPrimitiveType>::Native;

/// The values of a numeric array (nulls read as their placeholder; callers look at the
/// validity first).
#[derive(Clone, Copy)]
pub(in crate::parse::parquet) enum Nums<'a> {
    I8(&'a [i8]),
    I16(&'a [i16]),
    I32(&'a [i32]),
    I64(&'a [i64]),
    U8(&'a [u8]),
    U16(&'a [u16]),
    U32(&'a [u32]),
    U64(&'a [u64]),
    F16(&'a [F16]),
    F32(&'a [f32]),
    F64(&'a [f64]),
}

impl<'a> Nums<'a> {
    /// The values of `a`, when it is numeric.
    pub fn of(a: &'a dyn Array) -> Option<Self> {
        Some(match a.data_type() {
            Arrow::Int8 => Nums::I8(a.as_primitive_opt::<Int8Type>()?.values()),
            Arrow::Int16 => Nums::I16(a.as_primitive_opt::<Int16Type>()?.values()),
            Arrow::Int32 => Nums::I32(a.as_primitive_opt::<Int32Type>()?.values()),
            Arrow::Int64 => Nums::I64(a.as_primitive_opt::<Int64Type>()?.values()),
            Arrow::UInt8 => Nums::U8(a.as_primitive_opt::<UInt8Type>()?.values()),
            Arrow::UInt16 => Nums::U16(a.as_primitive_opt::<UInt16Type>()?.values()),
            Arrow::UInt32 => Nums::U32(a.as_primitive_opt::<UInt32Type>()?.values()),
            Arrow::UInt64 => Nums::U64(a.as_primitive_opt::<UInt64Type>()?.values()),
            Arrow::Float16 => Nums::F16(a.as_primitive_opt::<Float16Type>()?.values()),
            Arrow::Float32 => Nums::F32(a.as_primitive_opt::<Float32Type>()?.values()),
            Arrow::Float64 => Nums::F64(a.as_primitive_opt::<Float64Type>()?.values()),
            _ => return None,
        })
    }

    /// Value `i` as an integer, or `None` for a float type.
    #[inline]
    pub fn int(&self, i: usize) -> Option<i128> {
        Some(match self {
            Nums::I8(v) => i128::from(v[i]),
            Nums::I16(v) => i128::from(v[i]),
            Nums::I32(v) => i128::from(v[i]),
            Nums::I64(v) => i128::from(v[i]),
            Nums::U8(v) => i128::from(v[i]),
            Nums::U16(v) => i128::from(v[i]),
            Nums::U32(v) => i128::from(v[i]),
            Nums::U64(v) => i128::from(v[i]),
            Nums::F16(_) | Nums::F32(_) | Nums::F64(_) => return None,
        })
    }

    /// Value `i` as `f64` (exact for every type but 64-bit integers beyond 2^53).
    #[inline]
    pub fn f64(&self, i: usize) -> f64 {
        match self {
            Nums::F16(v) => f64::from(v[i].to_f32()),
            Nums::F32(v) => f64::from(v[i]),
            Nums::F64(v) => v[i],
            _ => self.int(i).map_or(0.0, |n| n as f64),
        }
    }

    /// Value `i` rounded to `f32` (a float64 beyond `f32`'s range becomes infinite).
    #[inline]
    pub fn f32(&self, i: usize) -> f32 {
        match self {
            Nums::F16(v) => v[i].to_f32(),
            Nums::F32(v) => v[i],
            _ => self.f64(i) as f32,
        }
    }

    /// Value `i` as text, for messages.
    pub fn literal(&self, i: usize) -> String {
        match (self, self.int(i)) {
            (_, Some(n)) => n.to_string(),
            (Nums::F64(v), None) => format!("{:?}", v[i]),
            (_, None) => format!("{:?}", self.f32(i)),
        }
    }

    /// A finite 32-bit float element `i` of a vector (or sparse value, `what`).
    #[inline]
    pub fn element_f32(&self, field: &FieldSchema, i: usize, what: &str) -> Result<f32, Violation> {
        validate::finite_f32(field, self.f32(i), what, || self.literal(i))
    }

    /// Appends value `i` to the scalar column `out` of `field`.
    pub fn push_scalar(
        &self,
        field: &FieldSchema,
        i: usize,
        out: &mut ColumnData,
    ) -> Result<(), Violation> {
        let int = || {
            self.int(i)
                .ok_or_else(|| validate::wrong_type(field, format!("float {}", self.literal(i))))
        };
        let lit = || self.literal(i);
        match out {
            ColumnData::Int8(c) => c.push(validate::integer(field, Some(int()?), lit)?),
            ColumnData::Int16(c) => c.push(validate::integer(field, Some(int()?), lit)?),
            ColumnData::Int32(c) => c.push(validate::integer(field, Some(int()?), lit)?),
            ColumnData::Int64(c) => c.push(validate::integer(field, Some(int()?), lit)?),
            ColumnData::Float(c) => c.push(validate::finite_f32(field, self.f32(i), "Float", lit)?),
            ColumnData::Double(c) => c.push(validate::finite_f64(field, self.f64(i), lit)?),
            ColumnData::Bool(c) => match self.int(i) {
                // Never reached: the file check takes only `bool` columns for Bool.
                Some(n @ 0..=1) => c.push(n == 1),
                _ => return Err(validate::wrong_type(field, self.literal(i))),
            },
            _ => {
                return Err(validate::wrong_type(
                    field,
                    format!("number {}", self.literal(i)),
                ));
            }
        }
        Ok(())
    }
}
