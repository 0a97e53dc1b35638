//! Tests of the framer: units, row spans and errors on whole files (streamed and property
//! tests in the submodules).

use super::*;

mod properties;
mod stream;

const DOC: JsonFormat = JsonFormat::Document;
const LINES: JsonFormat = JsonFormat::Lines;

/// Frames `bytes` with `target` and returns every row span, checking each unit agrees with
/// its rows (count, first row, first line, start and end).
fn frame(bytes: &[u8], format: JsonFormat, target: usize) -> Result<Vec<RowSpan>, FramingError> {
    let mut framer = Framer::new(bytes, format)?;
    let mut spans = Vec::new();
    while let Some(unit) = framer.next_unit(target) {
        let unit = unit?;
        let rows: Vec<RowSpan> = rows_in(bytes, &unit, format).collect();
        assert!(unit.rows >= 1);
        assert_eq!(rows.len() as u64, unit.rows, "{unit:?}");
        assert_eq!(rows[0].row, unit.first_row);
        assert_eq!(rows[0].line, unit.first_line);
        assert_eq!(
            (rows[0].start, rows[rows.len() - 1].end),
            (unit.start, unit.end)
        );
        spans.extend(rows);
    }
    assert_eq!(framer.next_unit(target), None, "fused after the end");
    assert_eq!(framer.rows(), spans.len() as u64);
    Ok(spans)
}

/// The text of each row.
fn texts(bytes: &[u8], format: JsonFormat) -> Result<Vec<String>, FramingError> {
    let spans = frame(bytes, format, 1)?;
    Ok(spans
        .iter()
        .map(|s| String::from_utf8_lossy(&bytes[s.start..s.end]).into_owned())
        .collect())
}

fn err(bytes: &[u8], format: JsonFormat) -> String {
    match frame(bytes, format, 1) {
        Ok(rows) => panic!("{:?} framed: {rows:?}", String::from_utf8_lossy(bytes)),
        Err(e) => e.to_string(),
    }
}

#[test]
fn shapes() {
    let rows = ["{\"a\": 1}", "{\"b\": [1, 2]}"];
    for text in [
        "{\"rows\": [{\"a\": 1}, {\"b\": [1, 2]}]}",
        "{ \"ROWS\" :\n[ {\"a\": 1} ,\n {\"b\": [1, 2]} ] }\n",
        "{\"RoWs\":[{\"a\": 1},{\"b\": [1, 2]}]}",
        "[{\"a\": 1}, {\"b\": [1, 2]}]",
        "\u{FEFF}\r\n\t[{\"a\": 1},{\"b\": [1, 2]}]  \n",
        "\u{FEFF}{\"rows\":[{\"a\": 1},{\"b\": [1, 2]}]}",
    ] {
        assert_eq!(texts(text.as_bytes(), DOC).unwrap(), rows, "{text}");
    }
    let shape = |t: &str, f| Framer::new(t.as_bytes(), f).unwrap().shape();
    assert_eq!(shape("{\"rows\":[]}", DOC), Shape::Wrapped);
    assert_eq!(shape(" []", DOC), Shape::List);
    assert_eq!(shape("[]", LINES), Shape::Lines);
}

#[test]
fn empty_lists_and_empty_files() {
    for text in [
        "[]",
        " [ ] ",
        "{\"rows\":[]}",
        "{ \"Rows\" : [\n] }\n",
        "\u{FEFF}[]",
    ] {
        assert_eq!(
            texts(text.as_bytes(), DOC).unwrap(),
            Vec::<String>::new(),
            "{text}"
        );
    }
    for text in ["", " \n\t\r\n", "\u{FEFF}", "\u{FEFF} \n"] {
        for f in [DOC, LINES] {
            assert_eq!(
                Framer::new(text.as_bytes(), f).unwrap_err(),
                FramingError::Empty
            );
        }
    }
    assert_eq!(FramingError::Empty.to_string(), "file is empty");
}

#[test]
fn nested_values_and_strings_with_brackets() {
    let rows = [
        r#"{"a\"}": "a\"}", "b": "\\\\", "c": "[{]}", "d": {"e": [[], {}, [{"f": "}"}]]}}"#,
        r#"{"s": "\\", "t": "\\\"", "u": "é\u00e9 ]"}"#,
        r#"{"v": [0.5, -1e-7, 3.4028235e38]}"#,
    ];
    let text = format!("{{\"rows\": [{}]}}", rows.join(",\n  "));
    assert_eq!(texts(text.as_bytes(), DOC).unwrap(), rows);
}

#[test]
fn non_object_rows_are_framed_for_the_row_parser() {
    let text = br#"[5, "x]", [1, {"a": 2}], true, null, -0.5e3, {}]"#;
    let rows = [
        "5",
        "\"x]\"",
        "[1, {\"a\": 2}]",
        "true",
        "null",
        "-0.5e3",
        "{}",
    ];
    assert_eq!(texts(text, DOC).unwrap(), rows);
}

#[test]
fn start_and_wrapper_errors() {
    let cases: [(&[u8], &str); 14] = [
        (
            b"x",
            "byte 0: expected '{' or '[' at the start of a JSON rows file, found 'x'",
        ),
        (
            b"  \"rows\"",
            "byte 2: expected '{' or '[' at the start of a JSON rows file, found '\"'",
        ),
        (
            "\u{FEFF}é".as_bytes(),
            "byte 3: expected '{' or '[' at the start of a JSON rows file, found 'é'",
        ),
        (
            b"\xFF[]",
            "byte 0: expected '{' or '[' at the start of a JSON rows file, found byte 0xFF (not UTF-8)",
        ),
        (
            br#"{"data": []}"#,
            r#"byte 1: the root key must be "rows", found "data""#,
        ),
        (
            br#"{"rowsx": []}"#,
            r#"byte 1: the root key must be "rows", found "rowsx""#,
        ),
        (
            br#"{"\u0072ows": []}"#,
            r#"byte 1: the root key must be "rows", found "\u0072ows""#,
        ),
        (b"{}", "byte 1: expected the key \"rows\", found '}'"),
        (
            br#"{"rows" []}"#,
            "byte 8: expected ':' after the root key, found '['",
        ),
        (
            br#"{"rows": {}}"#,
            "byte 9: expected '[' opening the rows list, found '{'",
        ),
        (
            br#"{"rows": "#,
            "byte 9: file ends inside the root object (expected '[' opening the rows list)",
        ),
        (
            br#"{"ro"#,
            "byte 4: file ends inside the root object (expected '\"' closing the root key)",
        ),
        (
            br#"{"rows": [], "x": 1}"#,
            "byte 11: the root object must hold only the key \"rows\", found ',' after the rows list",
        ),
        (br#"{"rows": [] ]"#, "byte 12: expected '}', found ']'"),
    ];
    for (text, want) in cases {
        assert_eq!(err(text, DOC), want, "{}", String::from_utf8_lossy(text));
    }
}

#[test]
fn row_list_errors() {
    let cases: [(&str, &str); 14] = [
        ("[{}]x", "byte 4: unexpected data after the rows list: 'x'"),
        ("[{}] ,", "byte 5: unexpected data after the rows list: ','"),
        ("[] []", "byte 3: unexpected data after the rows list: '['"),
        (
            "{\"rows\":[{}]} {}",
            "byte 14: unexpected data after the root object: '{'",
        ),
        ("[{}, {},]", "byte 7: trailing comma after row 1 before ']'"),
        (
            "[{} {}]",
            "byte 4: expected ',' or ']' after row 0, found '{'",
        ),
        (
            "[1 2]",
            "byte 3: expected ',' or ']' after row 0, found '2'",
        ),
        ("[{}}", "byte 3: expected ',' or ']' after row 0, found '}'"),
        ("[,{}]", "byte 1: expected a row or ']', found ','"),
        ("[{},,{}]", "byte 4: expected a row, found ','"),
        (
            "[{}, {\"a\": \"b}]",
            "row 1 (byte 5): unterminated string opened at byte 11",
        ),
        (
            "[{}, {\"a\": [1}]",
            "row 1 (byte 5): unbalanced brackets: expected ']' at byte 13, found '}'",
        ),
        (
            "[{}, {\"a\": [1]]",
            "row 1 (byte 5): unbalanced brackets: expected '}' at byte 14, found ']'",
        ),
        (
            "[{}, {\"a\": [1]",
            "row 1 (byte 5): file ends inside the row with 1 bracket(s) open (expected '}')",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(text.as_bytes(), DOC), want, "{text}");
    }
    assert_eq!(
        err(b"[{},", DOC),
        "byte 4: file ends inside the rows list (expected a row)"
    );
    assert_eq!(
        err(b"[{}", DOC),
        "byte 3: file ends inside the rows list (expected ',' or ']')"
    );
    assert_eq!(
        err(b"[", DOC),
        "byte 1: file ends inside the rows list (expected a row or ']')"
    );
    let deep = format!("[{}{}]", "[".repeat(MAX_NESTING), "]".repeat(MAX_NESTING));
    assert_eq!(texts(deep.as_bytes(), DOC).unwrap().len(), 1);
    let deeper = format!(
        "[{}{}]",
        "[".repeat(MAX_NESTING + 1),
        "]".repeat(MAX_NESTING + 1)
    );
    let e = frame(deeper.as_bytes(), DOC, 1).unwrap_err();
    assert_eq!(
        e,
        FramingError::TooDeep {
            row: 0,
            byte: 1,
            at: 1 + MAX_NESTING
        }
    );
    assert_eq!((e.row(), e.byte()), (Some(0), Some(1)));
}

#[test]
fn lines_blank_lines_crlf_and_line_numbers() {
    let text = "\u{FEFF}{\"a\": 1}\r\n\r\n  \n\t{\"b\": \"x\"} \t\r\n[1]\n\n{\"c\": {}}";
    let spans = frame(text.as_bytes(), LINES, 1).unwrap();
    let got: Vec<(&str, u64, Option<u64>)> = spans
        .iter()
        .map(|s| (&text[s.start..s.end], s.row, s.line))
        .collect();
    assert_eq!(
        got,
        [
            ("{\"a\": 1}", 0, Some(1)),
            ("{\"b\": \"x\"}", 1, Some(4)),
            ("[1]", 2, Some(5)),
            ("{\"c\": {}}", 3, Some(7))
        ]
    );
    assert_eq!(texts(b"\n\n{}\n\n", LINES).unwrap(), ["{}"]);
    assert_eq!(frame(b"\n\n{}\n", LINES, 0).unwrap()[0].line, Some(3));
}

#[test]
fn offset_and_debug() {
    let bytes = b"[{}, {}, {}] ";
    let mut framer = Framer::new(bytes, DOC).unwrap();
    assert_eq!(framer.offset(), 1);
    framer.next_unit(0).unwrap().unwrap();
    assert_eq!(framer.offset(), 4);
    assert!(format!("{framer:?}").starts_with("Framer { len: 13, shape: List,"));
    framer.next_unit(usize::MAX).unwrap().unwrap();
    assert_eq!((framer.offset(), framer.rows()), (13, 3));
}

#[test]
fn formats_from_paths() {
    assert_eq!(format_for_path("a/b.json"), Some(DOC));
    assert_eq!(format_for_path("b.jsonl"), Some(LINES));
    assert_eq!(format_for_path("b.ndjson"), Some(LINES));
    assert_eq!(format_for_path("b.JSON"), None);
    assert_eq!(format_for_path("b.npy"), None);
}

#[test]
fn rows_in_on_foreign_bytes_does_not_panic() {
    let bytes = b"[{\"a\": [1, 2]}, {\"b\": 3}]";
    let mut framer = Framer::new(bytes, DOC).unwrap();
    let unit = framer.next_unit(usize::MAX).unwrap().unwrap();
    for len in 0..bytes.len() {
        for f in [DOC, LINES] {
            assert!(rows_in(&bytes[..len], &unit, f).count() <= 2);
            assert!(rows_in(b"}}}]]\"\\", &unit, f).count() <= 2);
        }
    }
}
