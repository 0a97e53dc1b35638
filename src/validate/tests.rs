//! The rule book's rules, one test each: what passes, and the one error of what breaks it.

use super::*;
use crate::schema::{CollectionSchema, DataType, FieldSchema};

fn field(t: DataType) -> FieldSchema {
    FieldSchema::new("f", t)
}

fn schema() -> CollectionSchema {
    let text = r#"{"collectionName": "c", "schema": {"autoId": true, "fields": [
        {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        {"fieldName": "n", "dataType": "Int32", "nullable": true},
        {"fieldName": "d", "dataType": "Int32", "defaultValue": 7},
        {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}]}}"#;
    CollectionSchema::from_json(text.as_bytes(), 1).unwrap()
}

#[test]
fn presence_fills_generated_default_null_or_refuses() {
    let s = schema();
    assert_eq!(missing(&s, 0, false), Ok(Fill::Generated));
    assert_eq!(missing(&s, 1, false), Ok(Fill::Null));
    assert_eq!(missing(&s, 2, true), Ok(Fill::Default));
    let v = missing(&s, 3, false).unwrap_err();
    assert_eq!(v.field, "v");
    assert_eq!(v.expected, "a FloatVector(4) value");
    assert_eq!(v.found, "no value (the field is missing)");
    assert_eq!(null(&s.fields[1], false), Ok(Fill::Null));
    assert_eq!(null(&s.fields[2], true), Ok(Fill::Default));
    let v = null(&s.fields[3], false).unwrap_err();
    assert_eq!(
        (v.expected.as_str(), v.found.as_str()),
        ("a list of 4 floats", "null")
    );
    assert!(
        auto_id_given(&s.fields[0], "integer 5")
            .expected
            .contains("auto-generated")
    );
    assert_eq!(unknown_key("x").found, "unknown field \"x\"");
}

#[test]
fn integers_fit_their_type() {
    let f = field(DataType::Int8);
    assert_eq!(integer::<i8>(&f, Some(-128), String::new), Ok(-128));
    let v = integer::<i8>(&f, Some(128), || "128".into()).unwrap_err();
    assert_eq!(v.expected, "an Int8 in -128..=127");
    assert_eq!(v.found, "128 (out of range)");
    let f = field(DataType::Int64);
    let v = integer::<i64>(&f, None, || "1e40".into()).unwrap_err();
    assert_eq!(v.found, "1e40 (out of range)");
    assert_eq!(wrong_type(&f, "number 1.5").expected, "an integer (Int64)");
}

#[test]
fn floats_are_finite() {
    let f = field(DataType::Float);
    assert_eq!(finite_f32(&f, 1.5, "Float", String::new), Ok(1.5));
    let v = finite_f32(&f, f32::INFINITY, "Float", || "1e39".into()).unwrap_err();
    assert_eq!(v.expected, "a finite 32-bit float (Float)");
    assert_eq!(v.found, "1e39 (out of range)");
    let v = finite_f32(&f, f32::NAN, "Float", || "NaN".into()).unwrap_err();
    assert_eq!(v.found, "NaN (not a number)");
    let d = field(DataType::Double);
    assert!(finite_f64(&d, f64::NEG_INFINITY, || "-inf".into()).is_err());
    let mut h = field(DataType::Float16Vector);
    assert_eq!(half(&h, 1.0, String::new), Ok(0x3c00));
    assert_eq!(
        half(&h, 1e6, || "1e6".into()).unwrap_err().found,
        "1e6 (overflows)"
    );
    assert_eq!(
        half_bits(&h, 0x7e00).unwrap_err().found,
        "float16 bits 0x7e00 (NaN)"
    );
    h.data_type = DataType::BFloat16Vector;
    assert_eq!(half(&h, 1e6, String::new).map(|_| ()), Ok(()));
    assert_eq!(
        half_bits(&h, 0xff80).unwrap_err().found,
        "bfloat16 bits 0xff80 (-inf)"
    );
    let b = field(DataType::BinaryVector);
    assert_eq!(byte(&b, Some(255), String::new), Ok(255));
    assert!(byte(&b, Some(256), || "integer 256".into()).is_err());
}

#[test]
fn int8_vector_elements_are_integers_in_range() {
    let mut f = field(DataType::Int8Vector);
    f.dim = Some(2);
    assert_eq!(int8_element(&f, Some(-128), String::new), Ok(-128));
    assert_eq!(int8_element(&f, Some(127), String::new), Ok(127));
    let v = int8_element(&f, Some(128), || "128".into()).unwrap_err();
    assert_eq!(
        (v.expected.as_str(), v.found.as_str()),
        ("integers in -128..=127 (Int8Vector elements)", "128")
    );
    assert!(int8_element(&f, None, || "1.5".into()).is_err());
    assert_eq!(wrong_element(&f, "x").expected, INT8_ELEMENT_WANT);
    let v = vector_len(&f, 2, 3).unwrap_err();
    assert_eq!(
        (v.expected.as_str(), v.found.as_str()),
        ("2 integers (int8)", "3")
    );
}

#[test]
fn varchar_counts_utf8_bytes() {
    let mut f = field(DataType::VarChar);
    f.max_length = Some(4);
    assert!(varchar(&f, "abcd").is_ok());
    let v = varchar(&f, "ééé").unwrap_err();
    assert_eq!(v.expected, "at most 4 UTF-8 bytes (max_length)");
    assert_eq!(v.found, "6 bytes");
}

#[test]
fn arrays_check_elements_and_capacity() {
    let mut f = field(DataType::Array);
    f.element_type = Some(DataType::VarChar);
    f.max_length = Some(3);
    f.max_capacity = Some(2);
    let e = array_element(&f);
    assert_eq!((e.data_type, e.max_length), (DataType::VarChar, Some(3)));
    assert!(array_capacity(&f, 2).is_ok());
    assert_eq!(array_capacity(&f, 3).unwrap_err().found, "3 elements");
    let v = array_element_error(varchar(&e, "long").unwrap_err());
    assert_eq!(
        v.expected,
        "array elements that are at most 3 UTF-8 bytes (max_length)"
    );
}

#[test]
fn vectors_given_as_bytes_have_their_byte_counts() {
    let mut b = field(DataType::BinaryVector);
    b.dim = Some(16);
    assert!(vector_bytes(&b, 2).is_ok());
    let v = vector_bytes(&b, 3).unwrap_err();
    assert_eq!(
        (v.expected.as_str(), v.found.as_str()),
        ("2 bytes (dim/8)", "3 bytes")
    );
    let mut h = field(DataType::Float16Vector);
    h.dim = Some(4);
    assert!(vector_bytes(&h, 8).is_ok());
    let v = vector_bytes(&h, 7).unwrap_err();
    assert_eq!(v.expected, "8 bytes (dim*2, two per element)");
}

#[test]
fn vectors_have_their_dims_and_sparse_rules() {
    let mut f = field(DataType::FloatVector);
    f.dim = Some(4);
    assert!(vector_len(&f, 4, 4).is_ok());
    let v = vector_len(&f, 4, 3).unwrap_err();
    assert_eq!((v.expected.as_str(), v.found.as_str()), ("4 floats", "3"));
    let s = field(DataType::SparseFloatVector);
    assert_eq!(sparse_index(&s, Some(3), String::new), Ok(3));
    assert!(sparse_index(&s, Some(i128::from(u32::MAX)), String::new).is_err());
    assert_eq!(sparse_key(&s, "12"), Ok(12));
    assert!(sparse_key(&s, "+5").is_err() && sparse_key(&s, "").is_err());
    assert!(sparse_value(&s, -0.5).is_err());
    assert!(sparse_lengths(&s, 2, 3).is_err());
    let mut pairs = vec![(5, 0.5), (1, 0.25)];
    assert!(sparse_pairs(&s, &mut pairs).is_ok());
    assert_eq!(pairs, [(1, 0.25), (5, 0.5)]);
    let v = sparse_pairs(&s, &mut [(1, 0.5), (1, 0.25)]).unwrap_err();
    assert_eq!(v.expected, "distinct sparse indices");
}

#[test]
fn json_is_valid_shallow_and_within_f64() {
    assert!(json_text("j", r#"{"a": [1, "x", null]}"#).is_ok());
    assert!(json_text("j", "[1,]").is_err());
    assert!(json_text("j", "1e400").is_err());
    let deep = "[".repeat(JSON_DEPTH_MAX + 1) + &"]".repeat(JSON_DEPTH_MAX + 1);
    let v = json_text("j", &deep).unwrap_err();
    assert!(v.expected.contains("nested at most"), "{v}");
    // Brackets inside strings do not nest.
    let text = format!("[\"{}\"]", "[".repeat(JSON_DEPTH_MAX + 5));
    assert!(json_text("j", &text).is_ok());
    assert!(json_depth("j", JSON_DEPTH_MAX).is_ok());
    assert!(json_number("j", f64::INFINITY, || "1e999".into()).is_err());
    assert!(json_object_text(r#"{"k": 1}"#).is_ok());
    let v = json_object_text("[1]").unwrap_err();
    assert_eq!(
        (v.field.as_str(), v.found.as_str()),
        ("$meta", "a string holding a list: '[1]'")
    );
}

#[test]
fn meta_merges_sorted_and_refuses_a_key_twice() {
    let given = vec![
        ("a".to_string(), "1".to_string()),
        ("c".into(), "\"x\"".into()),
    ];
    let mut extra = vec![("b".to_string(), "2".to_string()), ("b".into(), "3".into())];
    assert_eq!(
        merge_meta(given.clone(), &mut extra),
        Ok(r#"{"a":1,"b":3,"c":"x"}"#.to_string())
    );
    let mut extra = vec![("k\n".to_string(), "true".to_string())];
    assert_eq!(
        merge_meta(Vec::new(), &mut extra),
        Ok(r#"{"k\n":true}"#.into())
    );
    let mut extra = vec![("c".to_string(), "0".to_string())];
    let v = merge_meta(given, &mut extra).unwrap_err();
    assert_eq!(v.field, "c");
    assert!(v.found.contains("both in $meta and at the top level"));
}

#[test]
fn violations_become_row_errors_at_a_location() {
    let loc = crate::location::RowLocation::row("a.json", 3);
    let e = Violation::new("f", "x", "y").at(&loc);
    assert_eq!(
        e.to_string(),
        "a.json: row 3, field \"f\": expected x, found y"
    );
}

#[test]
fn a_csv_record_has_one_cell_per_header_column() {
    let v = cell_count(3, 2);
    assert_eq!(v.field, "");
    assert_eq!(v.expected, "3 cells, one per header column");
    assert_eq!(v.found, "2 cells");
}
