//! Unit tests of NPY header decoding: versions, dict layouts, truncation and refusals.

use super::*;
use crate::parse::numpy::ByteOrder;

/// An NPY prefix + header for `dict`, padded as NumPy does.
fn npy(version: u8, dict: &str) -> Vec<u8> {
    let len_bytes = if version == 1 { 2 } else { 4 };
    let mut text = dict.as_bytes().to_vec();
    let unpadded = 8 + len_bytes + text.len() + 1;
    text.resize(text.len() + (64 - unpadded % 64) % 64, b' ');
    text.push(b'\n');
    let mut out = MAGIC.to_vec();
    out.extend([version, 0]);
    if version == 1 {
        out.extend((text.len() as u16).to_le_bytes());
    } else {
        out.extend((text.len() as u32).to_le_bytes());
    }
    out.extend(text);
    out
}

fn parse(version: u8, dict: &str) -> Result<NpyHeader, NpyError> {
    parse_header("t.npy", &npy(version, dict))
}

fn bad(version: u8, dict: &str) -> String {
    let e = parse(version, dict).unwrap_err();
    e.to_string()
}

#[test]
fn numpy_layout_all_versions() {
    for v in [1, 2, 3] {
        let bytes = npy(
            v,
            "{'descr': '<f4', 'fortran_order': False, 'shape': (5, 2), }",
        );
        let h = parse_header("t.npy", &bytes).unwrap();
        assert_eq!(h.version, (v, 0));
        assert_eq!(h.dtype, Dtype::F32(ByteOrder::Little));
        assert_eq!(h.descr, "<f4");
        assert!(!h.fortran_order);
        assert_eq!(h.shape, vec![5, 2]);
        assert_eq!(h.data_offset, bytes.len() as u64);
        assert_eq!(h.data_offset % 64, 0);
        assert_eq!(h.data_len(), 40);
        assert_eq!(header_len(&bytes[..12]).unwrap(), Some(h.data_offset));
    }
}

#[test]
fn dict_variants() {
    let h = parse(1, r#"{"shape":(3,),"fortran_order":True,"descr":">i8"}"#).unwrap();
    assert_eq!(h.shape, vec![3]);
    assert!(h.fortran_order);
    assert_eq!(h.dtype, Dtype::I64(ByteOrder::Big));
    assert_eq!(h.shape_text(), "(3,)");
    let h = parse(
        2,
        "{ 'fortran_order' : False ,\n 'shape' : ( ) , 'descr' : '|b1' , }",
    )
    .unwrap();
    assert_eq!(h.shape, Vec::<u64>::new());
    assert_eq!(h.shape_text(), "()");
    assert_eq!(h.elements(), 1);
    let h = parse(
        3,
        "{'descr': 'U3', 'fortran_order': False, 'shape': (0, 4)}",
    )
    .unwrap();
    assert_eq!(h.shape_text(), "(0, 4)");
    assert_eq!(h.data_len(), 0);
}

#[test]
fn header_len_needs_enough_bytes() {
    let bytes = npy(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,)}");
    for n in 0..12 {
        assert_eq!(header_len(&bytes[..n]).unwrap(), None, "{n} bytes");
    }
    let v1 = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,)}");
    assert_eq!(header_len(&v1[..9]).unwrap(), None);
    let offset = parse_header("t.npy", &v1).unwrap().data_offset;
    assert_eq!(header_len(&v1[..10]).unwrap(), Some(offset));
    assert!(matches!(
        header_len(b"\x93NUMPZ"),
        Err(NpyError::NotNpy { .. })
    ));
    assert!(header_len(b"PK\x03").is_err());
    let e = header_len(b"\x93NUMPY\x04\x00")
        .unwrap_err()
        .with_file("x.npy");
    assert_eq!(
        e.to_string(),
        "x.npy: NPY format version 4.0 is not supported (expected 1.0, 2.0 or 3.0)"
    );
    assert!(header_len(b"\x93NUMPY\x01\x01").is_err());
    let huge = [MAGIC.as_slice(), &[2, 0], &(2u32 << 20).to_le_bytes()].concat();
    assert!(matches!(
        header_len(&huge),
        Err(NpyError::HeaderTooLong { len: 2_097_152, .. })
    ));
}

#[test]
fn truncated_headers() {
    let bytes = npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,)}");
    for n in [0, 5, 9, 20, 63] {
        let e = parse_header("t.npy", &bytes[..n]).unwrap_err();
        assert!(
            matches!(e, NpyError::Truncated { what: "header", .. }),
            "{n}: {e}"
        );
    }
    assert!(parse_header("t.npy", b"GIF89a....").is_err());
}

#[test]
fn v3_is_utf8_and_v1_is_latin1() {
    let mut bytes = npy(
        3,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), 'x': 'é'}",
    );
    assert!(
        parse_header("t.npy", &bytes)
            .unwrap_err()
            .to_string()
            .contains("'x'")
    );
    let at = bytes.iter().position(|&b| b == 0xc3).unwrap();
    bytes[at] = 0xff;
    assert!(bad_bytes(&bytes).contains("not UTF-8"));
    let mut v1 = npy(
        1,
        "{'descr': '<f4', 'fortran_order': False, 'shape': (5,), 'x': 'e'}",
    );
    let at = v1.iter().rposition(|&b| b == b'e').unwrap();
    v1[at] = 0xe9;
    assert!(bad_bytes(&v1).contains("unexpected key 'x'"));
}

fn bad_bytes(bytes: &[u8]) -> String {
    parse_header("t.npy", bytes).unwrap_err().to_string()
}

#[test]
fn refusals() {
    let e = bad(1, "{'descr': '<f4', 'fortran_order': False}");
    assert_eq!(e, "t.npy: invalid NPY header: missing key 'shape'");
    assert!(
        bad(
            1,
            "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}"
        )
        .contains("twice")
    );
    assert!(bad(1, "{'descr': '<f4', 'fortran_order': 0, 'shape': ()}").contains("True or False"));
    assert!(
        bad(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}")
            .contains("must be a tuple")
    );
    assert!(
        bad(1, "{'descr': '<f4', 'fortran_order': False, 'shape': [3]}")
            .contains("must be a tuple")
    );
    assert!(
        bad(
            1,
            "{'descr': '<f4', 'fortran_order': False, 'shape': ('a',)}"
        )
        .contains("integers")
    );
    assert!(
        bad(1, "{'descr': 4, 'fortran_order': False, 'shape': ()}").contains("must be a string")
    );
    assert!(bad(1, "{1: 4}").contains("keys must be strings"));
    assert!(
        bad(
            1,
            "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"
        )
        .contains("offset")
    );
    let e = bad(
        1,
        "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2,)}",
    );
    assert!(
        e.contains("dtype '[('a', '<i4')]' is not supported: structured"),
        "{e}"
    );
    let e = bad(1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,)}");
    assert!(e.contains("dtype '|O'"), "{e}");
    let e = bad(
        1,
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
    );
    assert!(e.contains("too large"), "{e}");
    let e = bad(
        1,
        "{'descr': 'S16777216', 'fortran_order': False, 'shape': (1099511627776,)}",
    );
    assert!(e.contains("too large"), "{e}");
    assert!(
        parse(
            1,
            "{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967295)}"
        )
        .is_ok()
    );
}
