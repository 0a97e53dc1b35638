//! Number rules: integers in their type's range, finite floats (32-bit, 64-bit, half
//! precision), bytes of binary vectors, Int8Vector elements; and the half and bfloat16 rounding they use.

use super::Violation;
use crate::schema::{DataType, FieldSchema};

/// Integer range: `n` (`None` when beyond even `i128`) must fit `field`'s integer type `T`;
/// `literal` gives the value's text for the message.
#[inline]
pub fn integer<T: TryFrom<i128>>(
    field: &FieldSchema,
    n: Option<i128>,
    literal: impl FnOnce() -> String,
) -> Result<T, Violation> {
    match n.map(T::try_from) {
        Some(Ok(v)) => Ok(v),
        _ => Err(out_of_range(field, literal())),
    }
}

#[cold]
fn out_of_range(field: &FieldSchema, literal: String) -> Violation {
    let t = field.data_type;
    let range = match t {
        DataType::Int8 => "-128..=127",
        DataType::Int16 => "-32768..=32767",
        DataType::Int32 => "-2^31..2^31",
        _ => "-2^63..2^63",
    };
    Violation::new(
        &field.name,
        format!("an {t} in {range}"),
        format!("{literal} (out of range)"),
    )
}

/// Finite floats: `x`, read as a 32-bit float for `field` (`what`: `Float`, `vector
/// element`, `sparse value`), must be finite; `literal` gives its text (from a 64-bit float
/// or a decimal too large for 32 bits, `x` is infinite).
#[inline]
pub fn finite_f32(
    field: &FieldSchema,
    x: f32,
    what: &str,
    literal: impl FnOnce() -> String,
) -> Result<f32, Violation> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(not_finite(field, 32, what, literal(), x.is_nan()))
    }
}

/// Finite floats: `x`, a Double of `field`, must be finite.
#[inline]
pub fn finite_f64(
    field: &FieldSchema,
    x: f64,
    literal: impl FnOnce() -> String,
) -> Result<f64, Violation> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(not_finite(field, 64, "Double", literal(), x.is_nan()))
    }
}

#[cold]
fn not_finite(field: &FieldSchema, bits: u32, what: &str, literal: String, nan: bool) -> Violation {
    let why = if nan { "not a number" } else { "out of range" };
    Violation::new(
        &field.name,
        format!("a finite {bits}-bit float ({what})"),
        format!("{literal} ({why})"),
    )
}

/// Finite half-precision elements: `x` of a Float16Vector or BFloat16Vector `field`, as
/// its 16 bits, rounded to nearest even; a value that overflows the type is refused.
#[inline]
pub fn half(
    field: &FieldSchema,
    x: f32,
    literal: impl FnOnce() -> String,
) -> Result<u16, Violation> {
    let (bits, back) = if field.data_type == DataType::BFloat16Vector {
        let b = f32_to_bf16(x);
        (b, f32::from_bits(u32::from(b) << 16))
    } else {
        let b = f32_to_f16(x);
        (b, crate::record::half_to_f32(b))
    };
    if back.is_finite() {
        Ok(bits)
    } else {
        Err(Violation::new(
            &field.name,
            format!("a value that fits {}", field.data_type),
            format!("{} (overflows)", literal()),
        ))
    }
}

/// Finite half-precision elements given as bits (NumPy `uint8` pairs): an exponent of all
/// ones (infinity or NaN) is refused.
#[inline]
pub fn half_bits(field: &FieldSchema, bits: u16) -> Result<u16, Violation> {
    let (exp, kind) = if field.data_type == DataType::BFloat16Vector {
        (0x7f80, "bfloat16")
    } else {
        (0x7c00, "float16")
    };
    if bits & exp != exp {
        return Ok(bits);
    }
    let what = match (bits & !exp & 0x7fff == 0, bits >> 15) {
        (true, 0) => "inf",
        (true, _) => "-inf",
        _ => "NaN",
    };
    Err(Violation::new(
        &field.name,
        format!("a finite {} element", field.data_type),
        format!("{kind} bits 0x{bits:04x} ({what})"),
    ))
}

/// Bytes of a binary vector: `n` (`None`: not an integer) must be in 0..=255; `found`
/// describes the value.
#[inline]
pub fn byte(
    field: &FieldSchema,
    n: Option<i128>,
    found: impl FnOnce() -> String,
) -> Result<u8, Violation> {
    match n.map(u8::try_from) {
        Some(Ok(b)) => Ok(b),
        _ => Err(Violation::new(&field.name, "uint8 values 0..=255", found())),
    }
}

/// Int8Vector elements: `n` (`None`: not an integer) must be in -128..=127; `found`
/// describes the value.
#[inline]
pub fn int8_element(
    field: &FieldSchema,
    n: Option<i128>,
    found: impl FnOnce() -> String,
) -> Result<i8, Violation> {
    match n.map(i8::try_from) {
        Some(Ok(v)) => Ok(v),
        _ => Err(Violation::new(&field.name, INT8_ELEMENT_WANT, found())),
    }
}

/// What an Int8Vector element must be, for messages.
pub const INT8_ELEMENT_WANT: &str = "integers in -128..=127 (Int8Vector elements)";

/// f32 to IEEE binary16 bits, rounding to nearest even; overflow gives infinity.
pub fn f32_to_f16(v: f32) -> u16 {
    let bits = v.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let man = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if man != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = man | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = m >> shift;
        let rem = m & ((1 << shift) - 1);
        let mid = 1 << (shift - 1);
        let round = rem > mid || (rem == mid && half & 1 == 1);
        return sign | (half as u16 + u16::from(round));
    }
    let half = ((e as u32) << 10) | (man >> 13);
    let rem = man & 0x1fff;
    let round = rem > 0x1000 || (rem == 0x1000 && half & 1 == 1);
    sign | (half + u32::from(round)) as u16
}

/// f32 to bfloat16 bits, rounding to nearest even.
pub fn f32_to_bf16(v: f32) -> u16 {
    let bits = v.to_bits();
    if v.is_nan() {
        return ((bits >> 16) | 0x40) as u16;
    }
    let round = 0x7fff + ((bits >> 16) & 1);
    ((bits + round) >> 16) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::half_to_f32;

    #[test]
    fn half_round_trips_representable_values() {
        for v in [
            0.0f32,
            1.0,
            -2.0,
            0.5,
            65504.0,
            6.1035156e-5,
            5.9604645e-8,
            1.5,
        ] {
            assert_eq!(half_to_f32(f32_to_f16(v)), v, "{v}");
        }
        assert_eq!(f32_to_f16(1.0), 0x3c00);
        assert_eq!(f32_to_f16(1e6), 0x7c00);
        assert_eq!(f32_to_f16(1.0 + 1.0 / 4096.0), 0x3c00); // ties to even
    }

    #[test]
    fn bfloat_rounds_to_nearest_even() {
        assert_eq!(f32_to_bf16(1.0), 0x3f80);
        assert_eq!(
            f32::from_bits(u32::from(f32_to_bf16(3.140625)) << 16),
            3.140625
        );
    }
}
