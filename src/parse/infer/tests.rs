//! Unit tests of the inference rules, on rows written here (the integration tests read
//! the seed's files and pymilvus's).

use serde_json::{Value, json};

use super::rules::max_length;
use super::*;

/// The schema file inferred from JSON Lines `text`, or the error's message.
fn lines(text: &str) -> Result<Value, String> {
    let mut inf = Inference::new(InferOptions::default());
    inf.json("t.jsonl", text.as_bytes(), JsonFormat::Lines)
        .map_err(|e| e.to_string())?;
    (inf.finish("t").map(|i| i.schema.to_file_json())).map_err(|e| e.to_string())
}

/// The field `name` of a schema file.
fn field<'a>(file: &'a Value, name: &str) -> &'a Value {
    let fields = file["schema"]["fields"].as_array().unwrap();
    fields.iter().find(|f| f["fieldName"] == name).unwrap()
}

#[test]
fn max_length_is_twice_the_longest_as_a_power_of_two() {
    assert_eq!(max_length(0), 1);
    assert_eq!(max_length(1), 2);
    assert_eq!(max_length(3), 8);
    assert_eq!(max_length(4), 8);
    assert_eq!(max_length(5), 16);
    assert_eq!(max_length(32768), 65535);
    assert_eq!(max_length(40000), 65535);
}

#[test]
fn each_kind_of_value_makes_its_type() {
    let file = lines(concat!(
        r#"{"id": 7, "v": [0.5, 1, 2], "f": 1.5, "n": 3, "b": true, "s": "héllo", "o": {"a": 1}, "a": [1, 2], "t": ["x", "yy"]}"#,
        "\n",
        r#"{"id": 8, "v": [0.5, 1, 2], "f": 2, "n": 4, "b": false, "s": "hi", "o": {"b": [2]}, "a": [3], "t": ["zzz"]}"#,
    ))
    .unwrap();
    assert_eq!(
        field(&file, "id"),
        &json!({"fieldName": "id", "dataType": "Int64", "isPrimary": true})
    );
    assert_eq!(field(&file, "v")["dataType"], "FloatVector");
    assert_eq!(field(&file, "v")["elementTypeParams"], json!({"dim": 3}));
    assert_eq!(field(&file, "f")["dataType"], "Double");
    assert_eq!(field(&file, "n")["dataType"], "Int64");
    assert_eq!(field(&file, "b")["dataType"], "Bool");
    // "héllo" is 6 bytes: 12, rounded up to 16.
    assert_eq!(
        field(&file, "s")["elementTypeParams"],
        json!({"max_length": 16})
    );
    assert_eq!(field(&file, "o")["dataType"], "JSON");
    assert_eq!(
        field(&file, "a"),
        &json!({"fieldName": "a", "dataType": "Array", "elementDataType": "Int64",
                "elementTypeParams": {"max_capacity": 2}})
    );
    assert_eq!(field(&file, "t")["elementDataType"], "VarChar");
    assert_eq!(
        field(&file, "t")["elementTypeParams"],
        json!({"max_capacity": 2, "max_length": 8})
    );
    assert_eq!(file["schema"]["autoId"], false);
    assert_eq!(file["schema"]["enableDynamicField"], false);
    assert_eq!(file["collectionName"], "t");
}

#[test]
fn nulls_and_missing_keys_make_fields_nullable() {
    let file = lines(
        "{\"k\": 1, \"x\": null, \"y\": 2, \"v\": [1, 2]}\n{\"k\": 2, \"x\": 5, \"v\": [3, 4]}",
    )
    .unwrap();
    assert_eq!(field(&file, "x")["nullable"], true);
    assert_eq!(field(&file, "y")["nullable"], true);
    assert!(field(&file, "k").get("nullable").is_none());
    // A vector cannot be null: a list column with a null is an Array.
    let file = lines("{\"k\": 1, \"w\": [1], \"v\": [1, 2]}\n{\"k\": 2, \"w\": [2], \"v\": null}")
        .unwrap();
    assert_eq!(field(&file, "v")["dataType"], "Array");
    assert_eq!(field(&file, "v")["nullable"], true);
}

#[test]
fn the_primary_key_is_id_else_the_first_unique_integer_else_an_auto_id() {
    let file =
        lines("{\"n\": 1, \"id\": \"a\", \"v\": [1]}\n{\"n\": 2, \"id\": \"b\", \"v\": [1]}")
            .unwrap();
    assert_eq!(field(&file, "id")["isPrimary"], true);
    assert_eq!(field(&file, "id")["dataType"], "VarChar");
    assert!(field(&file, "n").get("isPrimary").is_none());
    // `dup` repeats a value, `gap` has a null: `key` is the first unique integer column.
    let file = lines(concat!(
        "{\"dup\": 1, \"gap\": 1, \"key\": 10, \"v\": [1]}\n",
        "{\"dup\": 1, \"gap\": null, \"key\": 11, \"v\": [1]}"
    ))
    .unwrap();
    assert_eq!(field(&file, "key")["isPrimary"], true);
    assert!(field(&file, "dup").get("isPrimary").is_none());
    // None: an auto-id "id" first.
    let file = lines("{\"s\": \"a\", \"v\": [1]}\n{\"s\": \"a\", \"v\": [1]}").unwrap();
    assert_eq!(file["schema"]["autoId"], true);
    assert_eq!(
        file["schema"]["fields"][0],
        json!({"fieldName": "id", "dataType": "Int64", "isPrimary": true, "autoId": true})
    );
    // An "id" that cannot be a key is an error naming it.
    let err = lines("{\"id\": 1.5, \"v\": [1]}").unwrap_err();
    assert!(
        err.contains("field \"id\"") && err.contains("Double"),
        "{err}"
    );
    let err = lines("{\"id\": 1, \"v\": [1]}\n{\"id\": null, \"v\": [1]}").unwrap_err();
    assert!(err.contains("nulls"), "{err}");
}

#[test]
fn meta_turns_on_dynamic_fields_and_strings_of_objects_are_json() {
    let file =
        lines("{\"id\": 1, \"v\": [1], \"$meta\": {\"a\": 1}, \"j\": \"{\\\"x\\\": 1}\"}").unwrap();
    assert_eq!(file["schema"]["enableDynamicField"], true);
    assert_eq!(file["schema"]["fields"].as_array().unwrap().len(), 3);
    assert_eq!(field(&file, "j")["dataType"], "JSON");
}

#[test]
fn what_no_rule_types_is_an_error_naming_the_field_and_where() {
    let err = lines("{\"id\": 1, \"m\": 5}\n{\"id\": 2, \"m\": \"x\"}").unwrap_err();
    assert!(
        err.contains("field \"m\"") && err.contains("t.jsonl: row 1 (line 2, byte"),
        "{err}"
    );
    let err = lines("{\"id\": 1, \"m\": [{\"a\": 1}]}").unwrap_err();
    assert!(err.contains("field \"m\" cannot be typed"), "{err}");
    let err = lines("{\"id\": 1}\n[1]").unwrap_err();
    assert!(
        err.contains("t.jsonl: row 1 (line 2, byte 10)") && err.contains("a JSON object"),
        "{err}"
    );
    let err = lines("").unwrap_err();
    assert!(err.contains("t.jsonl"), "{err}");
}

#[test]
fn only_nulls_make_a_nullable_varchar_with_a_note() {
    let mut inf = Inference::new(InferOptions::default());
    let text = "{\"id\": 1, \"v\": [1], \"x\": null}";
    inf.json("t.jsonl", text.as_bytes(), JsonFormat::Lines)
        .unwrap();
    let got = inf.finish("t").unwrap();
    let x = got.schema.field("x").unwrap().1;
    assert_eq!(x.data_type, DataType::VarChar);
    assert!(x.nullable);
    assert_eq!(x.max_length, Some(rules::VARCHAR_MAX));
    assert!(
        got.notes[0].contains("\"x\" holds only nulls"),
        "{:?}",
        got.notes
    );
}

#[test]
fn the_sample_is_the_first_rows_of_each_file() {
    let mut inf = Inference::new(InferOptions {
        sample_rows: 1,
        ..InferOptions::default()
    });
    // The second row, past the sample, would make "s" nullable and longer.
    let text = "{\"id\": 1, \"v\": [1], \"s\": \"ab\"}\n{\"id\": 2, \"v\": [1], \"s\": null}";
    inf.json("t.jsonl", text.as_bytes(), JsonFormat::Lines)
        .unwrap();
    let s = inf.finish("t").unwrap().schema;
    let s = s.field("s").unwrap().1;
    assert!(!s.nullable);
    assert_eq!(s.max_length, Some(4));
}

#[test]
fn csv_cells_read_as_import_reads_them() {
    let text = "id,v,n,f,b,s,j,e\n1,\"[1, 2]\",3,1.5,True,x,\"{\"\"a\"\": 1}\",\n2,\"[3, 4]\",-4,2,False,12,\"{}\",\n";
    let mut inf = Inference::new(InferOptions::default());
    inf.csv("t.csv", text.as_bytes()).unwrap();
    let file = inf.finish("t").unwrap().schema.to_file_json();
    assert_eq!(field(&file, "id")["isPrimary"], true);
    assert_eq!(field(&file, "v")["dataType"], "FloatVector");
    assert_eq!(field(&file, "n")["dataType"], "Int64");
    assert_eq!(field(&file, "f")["dataType"], "Double");
    assert_eq!(field(&file, "b")["dataType"], "Bool");
    // Text and a number mixed: text (as the cell's characters).
    assert_eq!(field(&file, "s")["dataType"], "VarChar");
    assert_eq!(field(&file, "j")["dataType"], "JSON");
    assert_eq!(field(&file, "e")["nullable"], true);
    let mut inf = Inference::new(InferOptions::default());
    let err = inf.csv("t.csv", b"a,b\n1,2\n3\n").unwrap_err().to_string();
    assert!(
        err.contains("t.csv: row 1 (line 3") && err.contains("2 cells"),
        "{err}"
    );
}

#[test]
fn files_merge_by_column_name() {
    let mut inf = Inference::new(InferOptions::default());
    inf.json(
        "a.json",
        br#"[{"id": 1, "v": [1, 2], "x": 1}]"#,
        JsonFormat::Document,
    )
    .unwrap();
    inf.json(
        "b.json",
        br#"{"rows": [{"id": 2, "v": [3, 4], "x": 2.5, "y": "s"}]}"#,
        JsonFormat::Document,
    )
    .unwrap();
    let s = inf.finish("ab").unwrap().schema;
    assert_eq!(s.field("x").unwrap().1.data_type, DataType::Double);
    assert!(s.field("y").unwrap().1.nullable);
    assert!(s.field("id").unwrap().1.is_primary);
}
