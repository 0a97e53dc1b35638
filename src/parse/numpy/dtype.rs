//! NPY `descr` strings: the whitelist of dtypes NumPy import takes (`docs/formats.md`, "Column-based NumPy").

use std::fmt;

use super::NpyError;

/// Longest accepted `S<n>`/`U<n>` width, in elements (bytes for `S`, code points for `U`).
pub const STRING_WIDTH_MAX: u64 = 1 << 24;

/// Byte order of a multi-byte element. `|` and no prefix mean native, taken as little-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// `<`: least significant byte first.
    Little,
    /// `>`: most significant byte first.
    Big,
}

/// An accepted NPY element type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// `b1`: one byte, 0 or 1.
    Bool,
    /// `u1`: unsigned byte (binary and half-precision vectors).
    U8,
    /// `i1`.
    I8,
    /// `i2`.
    I16(ByteOrder),
    /// `i4`.
    I32(ByteOrder),
    /// `i8`.
    I64(ByteOrder),
    /// `f4`.
    F32(ByteOrder),
    /// `f8`.
    F64(ByteOrder),
    /// `S<n>` / `a<n>`: `n` bytes, the value ends at the first NUL.
    Bytes(u64),
    /// `U<n>`: `n` UTF-32 code units in the given byte order.
    Unicode(u64, ByteOrder),
}

impl Dtype {
    /// Size of one element in bytes.
    pub fn itemsize(self) -> u64 {
        match self {
            Dtype::Bool | Dtype::U8 | Dtype::I8 => 1,
            Dtype::I16(_) => 2,
            Dtype::I32(_) | Dtype::F32(_) => 4,
            Dtype::I64(_) | Dtype::F64(_) => 8,
            Dtype::Bytes(n) => n,
            // Cannot overflow: n <= STRING_WIDTH_MAX.
            Dtype::Unicode(n, _) => n * 4,
        }
    }

    /// Byte order of the elements (little for single-byte types).
    pub fn byte_order(self) -> ByteOrder {
        match self {
            Dtype::I16(o)
            | Dtype::I32(o)
            | Dtype::I64(o)
            | Dtype::F32(o)
            | Dtype::F64(o)
            | Dtype::Unicode(_, o) => o,
            _ => ByteOrder::Little,
        }
    }

    /// Parses a header's `descr` string. `file` names the file in the error.
    pub fn parse(file: &str, descr: &str) -> Result<Dtype, NpyError> {
        use ByteOrder::{Big, Little};
        let refuse = |reason| NpyError::UnsupportedDtype {
            file: file.to_string(),
            descr: descr.to_string(),
            reason,
        };
        let named = match descr {
            "bool" => Some(Dtype::Bool),
            "uint8" => Some(Dtype::U8),
            "int8" => Some(Dtype::I8),
            "int16" => Some(Dtype::I16(Little)),
            "int32" => Some(Dtype::I32(Little)),
            "int64" => Some(Dtype::I64(Little)),
            "float32" => Some(Dtype::F32(Little)),
            "float64" => Some(Dtype::F64(Little)),
            _ => None,
        };
        if let Some(d) = named {
            return Ok(d);
        }
        let (order, rest) = match descr.as_bytes().first() {
            Some(b'<') => (Little, &descr[1..]),
            Some(b'>') => (Big, &descr[1..]),
            Some(b'|') => (Little, &descr[1..]),
            _ => (Little, descr),
        };
        let mut chars = rest.chars();
        let kind = chars.next();
        let digits = chars.as_str();
        let size = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse::<u64>().ok()
        } else {
            None
        };
        match (kind, size) {
            (Some('b'), Some(1)) => Ok(Dtype::Bool),
            (Some('u'), Some(1)) => Ok(Dtype::U8),
            (Some('u'), _) => Err(refuse(
                "unsigned integers wider than 8 bits match no field type (use i1/i2/i4/i8)",
            )),
            (Some('i'), Some(1)) => Ok(Dtype::I8),
            (Some('i'), Some(2)) => Ok(Dtype::I16(order)),
            (Some('i'), Some(4)) => Ok(Dtype::I32(order)),
            (Some('i'), Some(8)) => Ok(Dtype::I64(order)),
            (Some('f'), Some(4)) => Ok(Dtype::F32(order)),
            (Some('f'), Some(8)) => Ok(Dtype::F64(order)),
            (Some('f'), Some(2)) => Err(refuse(
                "float16 arrays match no field type (Float16Vector takes uint8 bytes, shape (rows, dim*2))",
            )),
            (Some('S' | 'a' | 'U'), Some(0)) => Err(refuse("zero-width strings hold no value")),
            (Some('S' | 'a' | 'U'), Some(n)) if n > STRING_WIDTH_MAX => {
                Err(refuse("strings wider than 16777216 elements are refused"))
            }
            (Some('S' | 'a'), Some(n)) => Ok(Dtype::Bytes(n)),
            (Some('U'), Some(n)) => Ok(Dtype::Unicode(n, order)),
            // pymilvus's BulkWriter saves a nullable field holding None this way.
            (Some('O'), _) => Err(refuse(
                "object arrays (pickled Python objects) cannot be read; save strings as S<n> or U<n>. \
                 pymilvus's BulkWriter writes one for a nullable field holding None: NumPy files \
                 cannot mark nulls (a nullable field imports from JSON, Parquet or CSV)",
            )),
            (Some('c'), _) => Err(refuse("complex numbers match no field type")),
            _ => Err(refuse(
                "NumPy import accepts b1, u1, i1, i2, i4, i8, f4, f8, S<n> and U<n>",
            )),
        }
    }
}

impl fmt::Display for Dtype {
    /// The NumPy name: `bool`, `int64`, `float32`, `S10`, `U10`...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dtype::Bool => f.write_str("bool"),
            Dtype::U8 => f.write_str("uint8"),
            Dtype::I8 => f.write_str("int8"),
            Dtype::I16(_) => f.write_str("int16"),
            Dtype::I32(_) => f.write_str("int32"),
            Dtype::I64(_) => f.write_str("int64"),
            Dtype::F32(_) => f.write_str("float32"),
            Dtype::F64(_) => f.write_str("float64"),
            Dtype::Bytes(n) => write!(f, "S{n}"),
            Dtype::Unicode(n, _) => write!(f, "U{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ByteOrder::{Big, Little};
    use super::*;

    fn ok(descr: &str) -> Dtype {
        Dtype::parse("a.npy", descr).unwrap()
    }

    fn refused(descr: &str) -> String {
        let e = Dtype::parse("a.npy", descr).unwrap_err();
        assert!(matches!(e, NpyError::UnsupportedDtype { .. }), "{e:?}");
        e.to_string()
    }

    #[test]
    fn whitelist_with_every_prefix() {
        for d in ["b1", "<b1", "|b1", "bool"] {
            assert_eq!(ok(d), Dtype::Bool, "{d}");
        }
        for d in ["u1", "<u1", "|u1", "uint8"] {
            assert_eq!(ok(d), Dtype::U8, "{d}");
        }
        for d in ["i1", "<i1", "|i1", ">i1", "int8"] {
            assert_eq!(ok(d), Dtype::I8, "{d}");
        }
        type Make = fn(ByteOrder) -> Dtype;
        let cases: [(&str, Make, &str); 5] = [
            ("i2", Dtype::I16, "int16"),
            ("i4", Dtype::I32, "int32"),
            ("i8", Dtype::I64, "int64"),
            ("f4", Dtype::F32, "float32"),
            ("f8", Dtype::F64, "float64"),
        ];
        for (code, make, name) in cases {
            assert_eq!(ok(code), make(Little));
            assert_eq!(ok(&format!("<{code}")), make(Little));
            assert_eq!(ok(&format!("|{code}")), make(Little));
            assert_eq!(ok(&format!(">{code}")), make(Big));
            assert_eq!(ok(name), make(Little));
            assert_eq!(make(Big).to_string(), name);
        }
    }

    #[test]
    fn strings_and_sizes() {
        assert_eq!(ok("S7"), Dtype::Bytes(7));
        assert_eq!(ok("|S7"), Dtype::Bytes(7));
        assert_eq!(ok("a3"), Dtype::Bytes(3));
        assert_eq!(ok("<U5"), Dtype::Unicode(5, Little));
        assert_eq!(ok(">U5"), Dtype::Unicode(5, Big));
        assert_eq!(ok("U5"), Dtype::Unicode(5, Little));
        assert_eq!(ok(">U5").itemsize(), 20);
        assert_eq!(ok(">U5").byte_order(), Big);
        assert_eq!(ok("<f8").itemsize(), 8);
        assert_eq!(ok("S7").to_string(), "S7");
    }

    #[test]
    fn refusals_name_the_descr() {
        assert!(refused("<f2").contains("a.npy: dtype '<f2' is not supported: float16"));
        assert!(refused("|O").contains("object arrays"));
        assert!(refused("<c8").contains("complex"));
        for d in ["<u2", "<u4", ">u8", "uint16"] {
            refused(d);
        }
        for d in [
            "", "<", "i", "i3", "<i16", "=i4", "f16", "<M8[ns]", "V8", "S0", "S-1",
        ] {
            refused(d);
        }
        refused("U99999999999999999999999");
        refused("S16777217");
        assert_eq!(ok("S16777216"), Dtype::Bytes(STRING_WIDTH_MAX));
    }
}
