//! Tests of `column.rs`.

use super::super::header::parse_header;
use super::*;

fn header(dict: &str) -> NpyHeader {
    let mut text = dict.as_bytes().to_vec();
    text.push(b'\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((text.len() as u16).to_le_bytes());
    bytes.extend(text);
    parse_header("c.npy", &bytes).unwrap()
}

fn h(descr: &str, shape: &str, fortran: bool) -> NpyHeader {
    let f = if fortran { "True" } else { "False" };
    header(&format!(
        "{{'descr': '{descr}', 'fortran_order': {f}, 'shape': {shape}}}"
    ))
}

fn field(data_type: DataType, dim: Option<usize>) -> FieldSchema {
    let mut f = FieldSchema::new("v", data_type);
    f.dim = dim;
    f
}

fn check(descr: &str, shape: &str, f: &FieldSchema) -> Result<ColumnPlan, NpyError> {
    let hd = h(descr, shape, false);
    let len = hd.data_offset + hd.data_len();
    check_column("c.npy", hd, len, f)
}

#[test]
fn exact_scalar_types() {
    let pairs = [
        (DataType::Bool, "|b1"),
        (DataType::Int8, "|i1"),
        (DataType::Int16, ">i2"),
        (DataType::Int32, "<i4"),
        (DataType::Int64, "<i8"),
        (DataType::Float, ">f4"),
        (DataType::Double, "<f8"),
        (DataType::VarChar, "<U4"),
        (DataType::Json, "|S9"),
    ];
    for (i, (t, descr)) in pairs.iter().enumerate() {
        let p = check(descr, "(5,)", &field(*t, None)).unwrap();
        assert_eq!((p.rows, p.width, p.data_type), (5, 1, *t));
        for (j, (_, other)) in pairs.iter().enumerate() {
            let strings = i >= 7 && j >= 7;
            if i != j && !strings {
                let e = check(other, "(5,)", &field(*t, None)).unwrap_err();
                assert!(matches!(e, NpyError::DtypeMismatch { .. }), "{t} {other}");
            }
        }
    }
    let e = check("<i4", "(5,)", &field(DataType::Int64, None)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "c.npy: field \"v\": expected shape (rows,) of int64, found (5,) <i4"
    );
    let e = check("<i8", "(5, 1)", &field(DataType::Int64, None)).unwrap_err();
    assert!(matches!(e, NpyError::ShapeMismatch { .. }));
    assert!(check("<i8", "()", &field(DataType::Int64, None)).is_err());
}

#[test]
fn vector_widths() {
    let fv = field(DataType::FloatVector, Some(2));
    assert_eq!(check("<f4", "(5, 2)", &fv).unwrap().row_bytes(), 8);
    assert_eq!(check(">f8", "(5, 2)", &fv).unwrap().row_bytes(), 16);
    let e = check("<f4", "(5, 3)", &fv).unwrap_err();
    assert_eq!(
        e.to_string(),
        "c.npy: field \"v\": expected shape (rows, 2) of float32/float64, found (5, 3) <f4"
    );
    assert!(matches!(
        check("<f4", "(10,)", &fv),
        Err(NpyError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        check("<i4", "(5, 2)", &fv),
        Err(NpyError::DtypeMismatch { .. })
    ));
    let bv = field(DataType::BinaryVector, Some(16));
    assert_eq!(check("|u1", "(3, 2)", &bv).unwrap().width, 2);
    assert!(check("|u1", "(3, 16)", &bv).is_err());
    for t in [DataType::Float16Vector, DataType::BFloat16Vector] {
        let f = field(t, Some(4));
        assert_eq!(check("|u1", "(3, 8)", &f).unwrap().dim, 4);
        assert!(check("|u1", "(3, 4)", &f).is_err());
        assert!(check("<i2", "(3, 4)", &f).is_err());
    }
}

#[test]
fn refused_fields() {
    let mut f = field(DataType::Int64, None);
    f.nullable = true;
    let e = check("<i8", "(5,)", &f).unwrap_err();
    assert!(e.to_string().contains("nullable"), "{e}");
    for (t, dim) in [
        (DataType::FloatVector, None),
        (DataType::BinaryVector, Some(12)),
    ] {
        let e = check("|u1", "(5, 0)", &field(t, dim)).unwrap_err();
        assert!(e.to_string().contains("dim is missing"), "{e}");
    }
    for t in [DataType::Array, DataType::SparseFloatVector] {
        let e = check("<i8", "(5,)", &field(t, None)).unwrap_err();
        assert!(matches!(e, NpyError::UnsupportedField { .. }), "{e}");
    }
}

#[test]
fn data_size_must_match_file_length() {
    let f = field(DataType::Int64, None);
    let hd = h("<i8", "(5,)", false);
    let end = hd.data_offset + 40;
    let e = check_column("c.npy", hd.clone(), end - 1, &f).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "c.npy: truncated data: expected {end} bytes, found {}",
            end - 1
        )
    );
    let e = check_column("c.npy", hd.clone(), end + 3, &f).unwrap_err();
    assert!(e.to_string().starts_with("c.npy: 3 trailing bytes"), "{e}");
    assert!(check_column("c.npy", hd, end, &f).is_ok());
}

#[test]
fn byte_ranges() {
    let fv = field(DataType::FloatVector, Some(2));
    let plan = |hd: NpyHeader, f: &FieldSchema| {
        let len = hd.data_offset + hd.data_len();
        check_column("c.npy", hd, len, f).unwrap()
    };
    let p = plan(h("<f4", "(5, 2)", false), &fv);
    let off = p.header.data_offset;
    assert_eq!(p.byte_range(0..5), off..off + 40);
    assert_eq!(p.byte_range(1..3), off + 8..off + 24);
    assert_eq!(p.byte_range(4..9), off + 32..off + 40);
    assert_eq!(p.byte_range(7..9), off + 40..off + 40);
    let p = plan(h("<f4", "(5, 2)", true), &fv);
    let off = p.header.data_offset;
    assert!(p.is_transposed());
    assert_eq!(p.byte_range(1..3), off..off + 40);
    // A 1-D Fortran-order file is laid out as a C-order one.
    let p = plan(h("<i8", "(5,)", true), &field(DataType::Int64, None));
    let off = p.header.data_offset;
    assert!(!p.is_transposed());
    assert_eq!(p.byte_range(1..2), off + 8..off + 16);
}

#[test]
fn meta_column() {
    let hd = h("<U8", "(2,)", false);
    let len = hd.data_offset + 64;
    let p = check_meta_column("$meta.npy", hd, len).unwrap();
    assert!(p.is_meta);
    assert_eq!(p.field_name, "$meta");
    let hd = h("<i8", "(2,)", false);
    let e = check_meta_column("$meta.npy", hd, len).unwrap_err();
    assert!(e.to_string().contains("S<n>/U<n> strings"), "{e}");
}
