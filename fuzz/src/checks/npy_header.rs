//! `npy_header`: `parse_header` and `header_len` on any bytes.
//!
//! Properties:
//! * nothing panics; `header_len` of the first 12 bytes gives the data offset
//!   `parse_header` gives, and refuses what `parse_header` refuses for the prefix's sake;
//! * an accepted header's element count and byte size do not overflow;
//! * an accepted header written back in NumPy's canonical form (`{'descr': ...,
//!   'fortran_order': ..., 'shape': (...), }`, padded with spaces to a multiple of 64 bytes
//!   and ended by `\n`) parses to the same header, at the canonical data offset.

use vecload::parse::numpy::{
    HEADER_LEN_MAX, MAGIC, NpyError, NpyHeader, PREFIX_LEN_MAX, header_len, parse_header,
};

/// Parses `data` as the start of an NPY file and checks every property.
pub fn check(data: &[u8]) {
    let parsed = parse_header("fuzz.npy", data);
    let prefix = header_len(&data[..data.len().min(PREFIX_LEN_MAX)]);
    let header = match parsed {
        Ok(h) => h,
        Err(e) => {
            if let NpyError::NotNpy { .. }
            | NpyError::UnsupportedVersion { .. }
            | NpyError::HeaderTooLong { .. } = e
            {
                assert!(
                    prefix.is_err(),
                    "header_len accepts a prefix parse_header refuses"
                );
            }
            return;
        }
    };
    assert_eq!(
        prefix.ok().flatten(),
        Some(header.data_offset),
        "header_len disagrees with parse_header"
    );
    let bytes = header
        .shape
        .iter()
        .try_fold(header.dtype.itemsize(), |acc, d| acc.checked_mul(*d));
    assert!(bytes.is_some(), "accepted a shape whose size overflows");
    assert_eq!(bytes, Some(header.data_len()));
    assert!(header.data_offset <= 12 + HEADER_LEN_MAX);

    let Some(canonical) = canonical(&header) else {
        return; // does not fit a version 1.0 length field
    };
    let again = parse_header("fuzz.npy", &canonical)
        .unwrap_or_else(|e| panic!("canonical form of an accepted header refused: {e}"));
    let want = NpyHeader {
        data_offset: canonical.len() as u64,
        ..header
    };
    assert_eq!(again, want, "the canonical form parses to another header");
    assert_eq!(again.data_offset % 64, 0);
}

/// `header` written as NumPy writes it, at the same format version; `None` when the text is
/// too long for the version's length field.
pub fn canonical(header: &NpyHeader) -> Option<Vec<u8>> {
    let shape = match header.shape.as_slice() {
        [one] => format!("({one},)"),
        dims => {
            let parts: Vec<String> = dims.iter().map(u64::to_string).collect();
            format!("({})", parts.join(", "))
        }
    };
    let order = if header.fortran_order {
        "True"
    } else {
        "False"
    };
    let descr = py_str(&header.descr);
    let dict = format!("{{'descr': {descr}, 'fortran_order': {order}, 'shape': {shape}, }}");
    let len_bytes = if header.version.0 == 1 { 2 } else { 4 };
    let mut text = dict.into_bytes();
    let unpadded = MAGIC.len() + 2 + len_bytes + text.len() + 1;
    text.resize(text.len() + (64 - unpadded % 64) % 64, b' ');
    text.push(b'\n');
    let mut out = MAGIC.to_vec();
    out.extend([header.version.0, header.version.1]);
    if len_bytes == 2 {
        out.extend(u16::try_from(text.len()).ok()?.to_le_bytes());
    } else {
        out.extend(u32::try_from(text.len()).ok()?.to_le_bytes());
    }
    out.extend(text);
    Some(out)
}

/// A Python string literal for `s` (ASCII, escaped).
fn py_str(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('\'');
    out
}
