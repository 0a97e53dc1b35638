//! The NPY header: magic, version, header length and the Python dict that describes the array.

use super::NpyError;
use super::dtype::Dtype;
use super::pylit::{self, Lit};

/// The first six bytes of every NPY file.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// Largest header length accepted, in bytes (NumPy itself refuses more than 10,000 by default).
pub const HEADER_LEN_MAX: u64 = 1 << 20;

/// Bytes needed to read the header length of any version (magic, version, 4-byte length).
pub const PREFIX_LEN_MAX: usize = 12;

/// A decoded NPY header.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyHeader {
    /// Format version (major, minor): (1, 0), (2, 0) or (3, 0).
    pub version: (u8, u8),
    /// The `descr` value as written.
    pub descr: String,
    /// The element type `descr` names.
    pub dtype: Dtype,
    /// Whether the data is stored column-major.
    pub fortran_order: bool,
    /// The array's shape.
    pub shape: Vec<u64>,
    /// Offset of the first data byte from the start of the file.
    pub data_offset: u64,
}

impl NpyHeader {
    /// Number of elements: the product of the shape (1 for a 0-d array).
    /// Never overflows: [`parse_header`] refuses shapes whose byte size does not fit in `u64`.
    pub fn elements(&self) -> u64 {
        self.shape.iter().product()
    }

    /// Length of the data section in bytes.
    pub fn data_len(&self) -> u64 {
        self.elements().saturating_mul(self.dtype.itemsize())
    }

    /// The shape as Python prints it: `()`, `(5,)`, `(5, 2)`.
    pub fn shape_text(&self) -> String {
        match self.shape.as_slice() {
            [one] => format!("({one},)"),
            dims => {
                let parts: Vec<String> = dims.iter().map(u64::to_string).collect();
                format!("({})", parts.join(", "))
            }
        }
    }
}

/// Version and header-text position read from the fixed prefix.
struct Prefix {
    version: (u8, u8),
    text_start: u64,
    data_offset: u64,
}

fn read_prefix(file: &str, prefix: &[u8]) -> Result<Option<Prefix>, NpyError> {
    let n = prefix.len().min(MAGIC.len());
    if prefix[..n] != MAGIC[..n] {
        return Err(NpyError::NotNpy {
            file: file.to_string(),
            found: prefix[..n].escape_ascii().to_string(),
        });
    }
    let [major, minor] = match prefix.get(6..8) {
        Some(&[major, minor]) => [major, minor],
        _ => return Ok(None),
    };
    let len_bytes = match (major, minor) {
        (1, 0) => 2,
        (2 | 3, 0) => 4,
        _ => {
            return Err(NpyError::UnsupportedVersion {
                file: file.to_string(),
                major,
                minor,
            });
        }
    };
    let Some(raw) = prefix.get(8..8 + len_bytes) else {
        return Ok(None);
    };
    let len = raw
        .iter()
        .rev()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    if len > HEADER_LEN_MAX {
        return Err(NpyError::HeaderTooLong {
            file: file.to_string(),
            len,
            max: HEADER_LEN_MAX,
        });
    }
    let text_start = 8 + len_bytes as u64;
    Ok(Some(Prefix {
        version: (major, minor),
        text_start,
        data_offset: text_start + len,
    }))
}

/// The data offset (the full header size) from the start of a file.
///
/// `prefix` is the file's first bytes; [`PREFIX_LEN_MAX`] (12) always suffice. Returns
/// `Ok(None)` when `prefix` is too short to tell. Errors carry an empty file name: add it
/// with [`NpyError::with_file`].
pub fn header_len(prefix: &[u8]) -> Result<Option<u64>, NpyError> {
    Ok(read_prefix("", prefix)?.map(|p| p.data_offset))
}

/// Decodes the header at the start of `bytes`, which must hold at least the whole header
/// (it may hold more, such as the whole file). `file` names the file in errors.
pub fn parse_header(file: &str, bytes: &[u8]) -> Result<NpyHeader, NpyError> {
    let bad = |what: String| NpyError::BadHeader {
        file: file.to_string(),
        what,
    };
    let prefix = read_prefix(file, bytes)?.ok_or_else(|| NpyError::Truncated {
        file: file.to_string(),
        what: "header",
        expected: if bytes.get(6) == Some(&1) { 10 } else { 12 },
        found: bytes.len() as u64,
    })?;
    let text_bytes = usize::try_from(prefix.text_start)
        .ok()
        .zip(usize::try_from(prefix.data_offset).ok())
        .and_then(|(start, end)| bytes.get(start..end))
        .ok_or_else(|| NpyError::Truncated {
            file: file.to_string(),
            what: "header",
            expected: prefix.data_offset,
            found: bytes.len() as u64,
        })?;
    let text = if prefix.version.0 == 3 {
        std::str::from_utf8(text_bytes)
            .map_err(|e| bad(format!("version 3.0 header is not UTF-8: {e}")))?
            .to_string()
    } else {
        // Versions 1.0 and 2.0 are latin-1: each byte is one code point.
        text_bytes.iter().map(|&b| char::from(b)).collect()
    };
    let entries = pylit::parse_dict(&text).map_err(bad)?;

    let mut descr = None;
    let mut fortran_order = None;
    let mut shape = None;
    for entry in entries {
        let key = match &entry.key {
            Lit::Str(k) => k.as_str(),
            other => {
                return Err(bad(format!(
                    "keys must be strings, found {}",
                    pylit::describe(other)
                )));
            }
        };
        let slot = match key {
            "descr" => &mut descr,
            "fortran_order" => &mut fortran_order,
            "shape" => &mut shape,
            _ => {
                return Err(bad(format!(
                    "unexpected key '{key}' (expected descr, fortran_order, shape)"
                )));
            }
        };
        if slot.is_some() {
            return Err(bad(format!("key '{key}' appears twice")));
        }
        *slot = Some(entry);
    }
    let missing = |key: &str| bad(format!("missing key '{key}'"));
    let descr = descr.ok_or_else(|| missing("descr"))?;
    let fortran_order = fortran_order.ok_or_else(|| missing("fortran_order"))?;
    let shape = shape.ok_or_else(|| missing("shape"))?;

    let descr_text = match descr.value {
        Lit::Str(s) => s,
        Lit::List(_) => {
            return Err(NpyError::UnsupportedDtype {
                file: file.to_string(),
                descr: descr.raw,
                reason: "structured arrays (a list of named fields) are not supported; save one file per field",
            });
        }
        other => {
            return Err(bad(format!(
                "'descr' must be a string, found {}: {}",
                pylit::describe(&other),
                descr.raw
            )));
        }
    };
    let dtype = Dtype::parse(file, &descr_text)?;
    let fortran_order = match fortran_order.value {
        Lit::Bool(b) => b,
        other => {
            return Err(bad(format!(
                "'fortran_order' must be True or False, found {}: {}",
                pylit::describe(&other),
                fortran_order.raw
            )));
        }
    };
    let dims = match shape.value {
        Lit::Tuple(items) => items
            .into_iter()
            .map(|item| match item {
                Lit::Int(n) => Ok(n),
                other => Err(bad(format!(
                    "'shape' must hold integers, found {}: {}",
                    pylit::describe(&other),
                    shape.raw
                ))),
            })
            .collect::<Result<Vec<u64>, _>>()?,
        other => {
            return Err(bad(format!(
                "'shape' must be a tuple, found {}: {}",
                pylit::describe(&other),
                shape.raw
            )));
        }
    };
    let size = dims
        .iter()
        .try_fold(dtype.itemsize(), |acc, d| acc.checked_mul(*d));
    if size.is_none_or(|s| s.checked_add(prefix.data_offset).is_none()) {
        return Err(bad(format!(
            "shape {} of {descr_text} is too large: its size in bytes does not fit in 64 bits",
            shape.raw
        )));
    }
    Ok(NpyHeader {
        version: prefix.version,
        descr: descr_text,
        dtype,
        fortran_order,
        shape: dims,
        data_offset: prefix.data_offset,
    })
}

#[cfg(test)]
mod tests;
