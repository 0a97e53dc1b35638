//! Unit tests of row decoding: every dtype in both byte orders, transposed files, value
//! checks with absolute row indexes, and misuse of the API.

use std::ops::Range;

use super::super::tests::{npy, npy_v};
use super::*;
use crate::parse::numpy::{check_column, parse_header};
use crate::record::Column;
use crate::schema::FieldSchema;

pub(super) fn field(data_type: DataType, dim: Option<usize>) -> FieldSchema {
    let mut f = FieldSchema::new("f", data_type);
    f.dim = dim;
    f
}

pub(super) fn plan_of(file: &[u8], f: &FieldSchema) -> ColumnPlan {
    let header = parse_header("f.npy", file).unwrap();
    check_column("f.npy", header, file.len() as u64, f).unwrap()
}

pub(super) fn slice<'a>(file: &'a [u8], plan: &ColumnPlan, rows: Range<u64>) -> &'a [u8] {
    let r = plan.byte_range(rows);
    &file[r.start as usize..r.end as usize]
}

/// Decodes all rows, and again in single-row pieces; both must agree.
pub(super) fn decode(file: &[u8], f: &FieldSchema) -> Result<ColumnData, NpyError> {
    let plan = plan_of(file, f);
    let mut whole = Column::empty_for(f, 0);
    decode_rows(
        &plan,
        slice(file, &plan, 0..plan.rows),
        0..plan.rows,
        &mut whole,
    )?;
    let mut pieces = Column::empty_for(f, 0);
    for r in 0..plan.rows {
        decode_rows(&plan, slice(file, &plan, r..r + 1), r..r + 1, &mut pieces)?;
    }
    assert_eq!(whole, pieces);
    Ok(whole.data)
}

pub(super) fn decode_err(file: &[u8], f: &FieldSchema, rows: Range<u64>) -> NpyError {
    let plan = plan_of(file, f);
    let mut out = Column::empty_for(f, 0);
    let e = decode_rows(&plan, slice(file, &plan, rows.clone()), rows, &mut out).unwrap_err();
    assert!(out.data.is_empty(), "out must be left as it was");
    e
}

pub(super) fn bytes_of<const N: usize>(values: impl IntoIterator<Item = [u8; N]>) -> Vec<u8> {
    values.into_iter().flatten().collect()
}

#[test]
fn integers_both_byte_orders() {
    let v16 = [1i16, -2, i16::MAX, i16::MIN];
    let v32 = [1i32, -2, i32::MAX, i32::MIN];
    let v64 = [1i64, -2, i64::MAX, i64::MIN];
    for big in [false, true] {
        let (p, n) = (if big { ">" } else { "<" }, v16.len() as u64);
        let enc16 = bytes_of(v16.map(|x| {
            if big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }));
        let enc32 = bytes_of(v32.map(|x| {
            if big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }));
        let enc64 = bytes_of(v64.map(|x| {
            if big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }));
        let got = decode(
            &npy(&format!("{p}i2"), &[n], false, &enc16),
            &field(DataType::Int16, None),
        );
        assert_eq!(got.unwrap(), ColumnData::Int16(v16.to_vec()));
        let got = decode(
            &npy(&format!("{p}i4"), &[n], false, &enc32),
            &field(DataType::Int32, None),
        );
        assert_eq!(got.unwrap(), ColumnData::Int32(v32.to_vec()));
        let got = decode(
            &npy(&format!("{p}i8"), &[n], false, &enc64),
            &field(DataType::Int64, None),
        );
        assert_eq!(got.unwrap(), ColumnData::Int64(v64.to_vec()));
    }
    let got = decode(
        &npy("|i1", &[3], false, &[0xff, 0x7f, 0x80]),
        &field(DataType::Int8, None),
    );
    assert_eq!(got.unwrap(), ColumnData::Int8(vec![-1, 127, -128]));
}

#[test]
fn floats_both_byte_orders() {
    let v32 = [1.5f32, -0.1, f32::MAX, f32::MIN_POSITIVE];
    let v64 = [1.5f64, -0.1, f64::MAX, 5e-324];
    for big in [false, true] {
        let p = if big { ">" } else { "<" };
        let enc32 = bytes_of(v32.map(|x| {
            if big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }));
        let enc64 = bytes_of(v64.map(|x| {
            if big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }));
        let got = decode(
            &npy(&format!("{p}f4"), &[4], false, &enc32),
            &field(DataType::Float, None),
        );
        assert_eq!(got.unwrap(), ColumnData::Float(v32.to_vec()));
        let got = decode(
            &npy(&format!("{p}f8"), &[4], false, &enc64),
            &field(DataType::Double, None),
        );
        assert_eq!(got.unwrap(), ColumnData::Double(v64.to_vec()));
        // Vectors: f4 as is, f8 narrowed.
        let fv = field(DataType::FloatVector, Some(2));
        let got = decode(&npy(&format!("{p}f4"), &[2, 2], false, &enc32), &fv).unwrap();
        assert_eq!(
            got,
            ColumnData::FloatVector {
                dim: 2,
                values: v32.to_vec()
            }
        );
        let small = [0.5f64, -0.1, 3.25, 1e-3];
        let enc = bytes_of(small.map(|x| {
            if big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            }
        }));
        let got = decode(&npy(&format!("{p}f8"), &[2, 2], false, &enc), &fv).unwrap();
        let want: Vec<f32> = small.iter().map(|x| *x as f32).collect();
        assert_eq!(
            got,
            ColumnData::FloatVector {
                dim: 2,
                values: want
            }
        );
    }
}

#[test]
fn non_finite_floats_name_the_absolute_row() {
    let vals = [1.0f32, 2.0, 3.0, f32::NAN, 5.0];
    let file = npy("<f4", &[5], false, &bytes_of(vals.map(f32::to_le_bytes)));
    let e = decode_err(&file, &field(DataType::Float, None), 2..5);
    assert_eq!(
        e.to_string(),
        "f.npy: row 3, field \"f\": expected a finite 32-bit float (Float), found NaN (not a number)"
    );
    assert_eq!(e.row(), Some(3));

    let vals = [1.0f64, f64::NEG_INFINITY];
    let file = npy(">f8", &[2], false, &bytes_of(vals.map(f64::to_be_bytes)));
    let e = decode_err(&file, &field(DataType::Double, None), 0..2);
    assert_eq!(
        e.to_string(),
        "f.npy: row 1, field \"f\": expected a finite 64-bit float (Double), found -inf (out of range)"
    );

    let fv = field(DataType::FloatVector, Some(2));
    let vals = [1.0f32, 2.0, 3.0, 4.0, 5.0, f32::INFINITY];
    let file = npy("<f4", &[3, 2], false, &bytes_of(vals.map(f32::to_le_bytes)));
    let e = decode_err(&file, &fv, 1..3);
    assert_eq!(
        e.to_string(),
        "f.npy: row 2, field \"f\": expected a finite 32-bit float (vector element), found inf (out of range)"
    );

    let vals = [1.0f64, 2.0, 1e300, 4.0];
    let file = npy("<f8", &[2, 2], false, &bytes_of(vals.map(f64::to_le_bytes)));
    let e = decode_err(&file, &fv, 0..2);
    assert_eq!(
        e.to_string(),
        "f.npy: row 1, field \"f\": expected a finite 32-bit float (vector element), found 1e300 (out of range)"
    );
    let vals = [f64::NAN, 2.0, 3.0, 4.0];
    let file = npy("<f8", &[2, 2], false, &bytes_of(vals.map(f64::to_le_bytes)));
    let e = decode_err(&file, &fv, 0..2);
    assert!(
        matches!(&e, NpyError::Rule(r) if r.found == "NaN (not a number)"),
        "{e}"
    );
}

#[test]
fn fortran_order_2d_is_transposed_not_scrambled() {
    // Row i, element j holds 10 * i + j; stored column-major.
    let (rows, dim) = (3u64, 4u64);
    let mut col_major = Vec::new();
    for j in 0..dim {
        for i in 0..rows {
            col_major.extend(((10 * i + j) as f32).to_le_bytes());
        }
    }
    let fv = field(DataType::FloatVector, Some(dim as usize));
    let file = npy("<f4", &[rows, dim], true, &col_major);
    let want: Vec<f32> = (0..rows)
        .flat_map(|i| (0..dim).map(move |j| (10 * i + j) as f32))
        .collect();
    let got = decode(&file, &fv).unwrap();
    assert_eq!(
        got,
        ColumnData::FloatVector {
            dim: 4,
            values: want.clone()
        }
    );
    let plan = plan_of(&file, &fv);
    let mut out = Column::empty_for(&fv, 0);
    decode_rows(&plan, slice(&file, &plan, 1..3), 1..3, &mut out).unwrap();
    assert_eq!(
        out.data,
        ColumnData::FloatVector {
            dim: 4,
            values: want[4..].to_vec()
        }
    );

    // A NaN at row 2, element 1 is reported at row 2.
    let mut bad = col_major.clone();
    let at = (rows as usize + 2) * 4;
    bad[at..at + 4].copy_from_slice(&f32::NAN.to_le_bytes());
    let e = decode_err(&npy("<f4", &[rows, dim], true, &bad), &fv, 0..3);
    assert_eq!(e.row(), Some(2));

    // Bytes: binary and half-precision vectors.
    let bv = field(DataType::BinaryVector, Some(16));
    let file = npy("|u1", &[3, 2], true, &[1, 2, 3, 4, 5, 6]);
    let got = decode(&file, &bv).unwrap();
    assert_eq!(
        got,
        ColumnData::BinaryVector {
            dim: 16,
            bytes: vec![1, 4, 2, 5, 3, 6]
        }
    );
    let hv = field(DataType::Float16Vector, Some(1));
    let file = npy("|u1", &[2, 2], true, &[0x00, 0x01, 0x3c, 0x40]);
    let got = decode(&file, &hv).unwrap();
    assert_eq!(
        got,
        ColumnData::Float16Vector {
            dim: 1,
            bits: vec![0x3c00, 0x4001]
        }
    );
}

#[test]
fn bools_and_binary_vectors() {
    let got = decode(
        &npy("|b1", &[3], false, &[1, 0, 1]),
        &field(DataType::Bool, None),
    );
    assert_eq!(got.unwrap(), ColumnData::Bool(vec![true, false, true]));
    let e = decode_err(
        &npy("|b1", &[3], false, &[1, 0, 2]),
        &field(DataType::Bool, None),
        0..3,
    );
    assert_eq!(
        e.to_string(),
        "f.npy: row 2, field \"f\": expected a bool byte (0 or 1), found byte 0x02"
    );
    let bv = field(DataType::BinaryVector, Some(16));
    let got = decode(&npy("|u1", &[2, 2], false, &[1, 2, 3, 4]), &bv).unwrap();
    assert_eq!(
        got,
        ColumnData::BinaryVector {
            dim: 16,
            bytes: vec![1, 2, 3, 4]
        }
    );
}

#[test]
fn half_precision_bits_and_non_finite_patterns() {
    let hv = field(DataType::Float16Vector, Some(2));
    let bits = [0x3c00u16, 0xc000, 0x0001, 0x7bff];
    let file = npy("|u1", &[2, 4], false, &bytes_of(bits.map(u16::to_le_bytes)));
    assert_eq!(
        decode(&file, &hv).unwrap(),
        ColumnData::Float16Vector {
            dim: 2,
            bits: bits.to_vec()
        }
    );
    let bad = [0x3c00u16, 0x3c00, 0x3c00, 0x7e00];
    let file = npy("|u1", &[2, 4], false, &bytes_of(bad.map(u16::to_le_bytes)));
    let e = decode_err(&file, &hv, 0..2);
    assert_eq!(
        e.to_string(),
        "f.npy: row 1, field \"f\": expected a finite Float16Vector element, found float16 bits 0x7e00 (NaN)"
    );
    let bf = field(DataType::BFloat16Vector, Some(2));
    let ok = [0x3f80u16, 0xc000, 0x7f7f, 0x0001];
    let file = npy("|u1", &[2, 4], false, &bytes_of(ok.map(u16::to_le_bytes)));
    assert_eq!(
        decode(&file, &bf).unwrap(),
        ColumnData::BFloat16Vector {
            dim: 2,
            bits: ok.to_vec()
        }
    );
    let bad = [0xff80u16, 0x3f80, 0x3f80, 0x3f80];
    let file = npy("|u1", &[2, 4], false, &bytes_of(bad.map(u16::to_le_bytes)));
    let e = decode_err(&file, &bf, 0..2);
    assert!(
        e.to_string().contains("row 0") && e.to_string().contains("0xff80 (-inf)"),
        "{e}"
    );
}

#[test]
fn api_misuse_is_an_error_not_a_panic() {
    let f = field(DataType::Int64, None);
    let file = npy("<i8", &[3], false, &[0; 24]);
    let plan = plan_of(&file, &f);
    let mut out = Column::empty_for(&f, 0);
    let e = decode_rows(&plan, &file[..8], 0..3, &mut out).unwrap_err();
    assert_eq!(
        e.to_string(),
        "f.npy: expected 24 bytes for the rows asked, got 8"
    );
    let e = decode_rows(&plan, &[], 2..5, &mut out).unwrap_err();
    assert_eq!(
        e.to_string(),
        "f.npy: rows 2..5 asked, but the file has 3 rows"
    );
    #[allow(clippy::reversed_empty_ranges)]
    let backwards = 2..1;
    assert!(decode_rows(&plan, &[], backwards, &mut out).is_err());
    let mut wrong = Column::empty_for(&field(DataType::Int32, None), 0);
    let e = decode_rows(&plan, slice(&file, &plan, 0..3), 0..3, &mut wrong).unwrap_err();
    assert_eq!(
        e.to_string(),
        "f.npy: field \"f\": output column must be Int64 from int64, found Int32"
    );
    let fv = field(DataType::FloatVector, Some(2));
    let vfile = npy("<f4", &[1, 2], false, &[0; 8]);
    let vplan = plan_of(&vfile, &fv);
    let mut other_dim = Column::empty_for(&field(DataType::FloatVector, Some(3)), 0);
    assert!(decode_rows(&vplan, slice(&vfile, &vplan, 0..1), 0..1, &mut other_dim).is_err());
    // Empty row ranges decode nothing.
    decode_rows(&plan, slice(&file, &plan, 1..1), 1..1, &mut out).unwrap();
    assert!(out.data.is_empty());
}

#[test]
fn validity_grows_with_rows_and_versions_agree() {
    let f = field(DataType::Int64, None);
    let data = bytes_of([7i64, 8].map(i64::to_le_bytes));
    for v in [1, 2, 3] {
        let file = npy_v(v, "<i8", &[2], false, &data);
        assert_eq!(decode(&file, &f).unwrap(), ColumnData::Int64(vec![7, 8]));
    }
    let file = npy("<i8", &[2], false, &data);
    let plan = plan_of(&file, &f);
    let mut out = Column::empty_for(&f, 0);
    out.validity = Some(vec![]);
    decode_rows(&plan, slice(&file, &plan, 0..2), 0..2, &mut out).unwrap();
    assert_eq!(out.validity, Some(vec![true, true]));
}

/// Column-major bytes of a row-major `rows x width` matrix of `size`-byte elements.
fn transpose(data: &[u8], rows: usize, width: usize, size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for j in 0..width {
        for i in 0..rows {
            let at = (i * width + j) * size;
            out.extend_from_slice(&data[at..at + size]);
        }
    }
    out
}

#[test]
fn fortran_and_c_order_agree_on_every_row_range() {
    for (rows, dim) in [(1usize, 1usize), (1, 5), (5, 1), (7, 3)] {
        let cases = [
            (field(DataType::FloatVector, Some(dim)), "<f4", dim, 4),
            (field(DataType::FloatVector, Some(dim)), ">f8", dim, 8),
            (field(DataType::BinaryVector, Some(dim * 8)), "|u1", dim, 1),
            (field(DataType::Float16Vector, Some(dim)), "|u1", dim * 2, 1),
        ];
        for (f, descr, width, size) in cases {
            // Small integers as f4/f8 bytes, or any bytes below the f16 NaN exponent.
            let data: Vec<u8> = (0..rows * width)
                .flat_map(|k| match (descr, size) {
                    ("<f4", _) => (k as f32).to_le_bytes().to_vec(),
                    (">f8", _) => (k as f64).to_be_bytes().to_vec(),
                    _ => vec![(k % 120) as u8],
                })
                .collect();
            let shape = [rows as u64, width as u64];
            let c_file = npy(descr, &shape, false, &data);
            let f_file = npy(descr, &shape, true, &transpose(&data, rows, width, size));
            let (c_plan, f_plan) = (plan_of(&c_file, &f), plan_of(&f_file, &f));
            for a in 0..=rows as u64 {
                for b in a..=rows as u64 {
                    let mut c_out = Column::empty_for(&f, 0);
                    let mut f_out = Column::empty_for(&f, 0);
                    decode_rows(&c_plan, slice(&c_file, &c_plan, a..b), a..b, &mut c_out).unwrap();
                    decode_rows(&f_plan, slice(&f_file, &f_plan, a..b), a..b, &mut f_out).unwrap();
                    assert_eq!(c_out, f_out, "{descr} {rows}x{width} rows {a}..{b}");
                    assert_eq!(c_out.data.len(), (b - a) as usize);
                }
            }
        }
    }
}
