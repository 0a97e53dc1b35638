//! The CSV reader's own tests: framing (mapped and streamed agree, quotes never split a
//! record), the header's checks, and cells read through the rule book.

use super::*;
use crate::record::{ColumnData, RowBatch};
use crate::schema::CollectionSchema;

fn frame_all(bytes: &[u8], target: usize) -> Result<(Vec<u8>, Vec<CsvUnit>), CsvError> {
    let mut f = Framer::new(b',');
    let mut header = Vec::new();
    let mut units = Vec::new();
    loop {
        match f.next("t.csv", bytes, 0, true, target)? {
            Step::Header { start, end, .. } => {
                header = bytes[start as usize..end as usize].to_vec();
            }
            Step::Unit(u) => units.push(u),
            Step::NeedMore => panic!("need more at the end of the file"),
            Step::Done => return Ok((header, units)),
        }
    }
}

fn stream_all(
    bytes: &[u8],
    chunk: usize,
    target: usize,
) -> Result<(Vec<u8>, Vec<CsvUnit>), CsvError> {
    let mut f = StreamFramer::new(b',');
    let mut chunks = bytes.chunks(chunk);
    let mut header = Vec::new();
    let mut units = Vec::new();
    loop {
        match f.next("t.csv", target)? {
            StreamStep::Header(h, _) => header = h,
            StreamStep::Unit(u, b) => {
                assert_eq!(b, &bytes[u.start as usize..u.end as usize]);
                units.push(u);
            }
            StreamStep::NeedMore => match chunks.next() {
                Some(c) => f.push(c),
                None => f.finish(),
            },
            StreamStep::Done => return Ok((header, units)),
        }
    }
}

const TRICKY: &[u8] = b"\xef\xbb\xbf\"id\",v,s\r\n1,\"[1,\n2]\",\"a \"\"quoted\"\", sep\"\r\n\n2,\"[3,4]\",x\"y\r\n\r\n3,\"[5,\r\n6]\",\"\"\n4,\"[7,8]\",last";

#[test]
fn units_end_at_record_ends_whatever_the_chunks() {
    let (header, whole) = frame_all(TRICKY, 1 << 20).unwrap();
    assert_eq!(header, b"\"id\",v,s\r");
    assert_eq!(whole.len(), 1);
    assert_eq!(
        (whole[0].rows, whole[0].first_row, whole[0].line),
        (4, 0, 2)
    );
    let (_, small) = frame_all(TRICKY, 1).unwrap();
    let rows: Vec<(u64, u64, u64)> = small
        .iter()
        .map(|u| (u.first_row, u.rows, u.line))
        .collect();
    assert_eq!(rows, [(0, 1, 2), (1, 1, 4), (2, 1, 6), (3, 1, 9)]);
    for chunk in [1, 2, 3, 7, 64] {
        for target in [1, 10, 1 << 20] {
            assert_eq!(
                stream_all(TRICKY, chunk, target).unwrap(),
                frame_all(TRICKY, target).unwrap(),
                "chunk {chunk}, target {target}"
            );
        }
    }
}

#[test]
fn an_unclosed_quote_names_where_it_opened() {
    let text = b"id,v\n1,\"[1, 2]\"\n2,\"[3,\n4]\n3,x\n";
    let err = frame_all(text, 1).unwrap_err();
    assert_eq!(
        err,
        CsvError::UnterminatedQuote {
            file: "t.csv".into(),
            line: 3,
            byte: 18
        }
    );
    assert!(err.to_string().contains("line 3 (byte 18)"), "{err}");
    assert_eq!(stream_all(text, 3, 1).unwrap_err(), err);
    assert!(matches!(
        frame_all(b"\n\r\n", 1),
        Err(CsvError::NoHeader { .. })
    ));
}

#[test]
fn separators_are_one_plain_ascii_byte() {
    assert_eq!(check_sep(";"), Ok(b';'));
    assert_eq!(check_sep("\t"), Ok(b'\t'));
    for bad in ["", ";;", "\"", "\n", "\r", "\0", "é"] {
        let err = check_sep(bad).unwrap_err();
        assert_eq!(err, CsvError::BadSep(bad.into()));
    }
    assert!(check_sep("ab").unwrap_err().to_string().contains("\"ab\""));
}

fn schema(dynamic: bool) -> CollectionSchema {
    let text = format!(
        r#"{{"collectionName": "c", "schema": {{"enableDynamicField": {dynamic}, "fields": [
        {{"fieldName": "id", "dataType": "Int64", "isPrimary": true}},
        {{"fieldName": "b", "dataType": "Bool"}},
        {{"fieldName": "f", "dataType": "Float"}},
        {{"fieldName": "s", "dataType": "VarChar", "elementTypeParams": {{"max_length": 4}}}},
        {{"fieldName": "n", "dataType": "Int8", "nullable": true}},
        {{"fieldName": "d", "dataType": "Int16", "defaultValue": 7}},
        {{"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {{"dim": 2}}}}]}}}}"#
    );
    CollectionSchema::from_json(text.as_bytes(), 1).unwrap()
}

#[test]
fn the_header_maps_columns_and_refuses_what_rows_cannot_fill() {
    let s = schema(true);
    let h = CsvHeader::parse("t.csv", 1, b"v,id,x,$meta,b,f,s,x", b',', &s).unwrap();
    assert_eq!(
        h.columns,
        [
            Slot::Field(6),
            Slot::Field(0),
            Slot::Skip,
            Slot::Meta,
            Slot::Field(1),
            Slot::Field(2),
            Slot::Field(3),
            Slot::Extra("x".into())
        ]
    );
    assert_eq!(h.missing.iter().map(|m| m.0).collect::<Vec<_>>(), [4, 5]);
    let err = CsvHeader::parse("t.csv", 1, b"id,b,f,s", b',', &s).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("t.csv: header (line 1), field \"v\"")
            || err.to_string().contains("field \"v\""),
        "{err}"
    );
    let err = CsvHeader::parse("t.csv", 2, b"id,b,f,s,v,x", b',', &schema(false)).unwrap_err();
    assert!(err.to_string().contains("unknown field \"x\""), "{err}");
}

fn parse(
    s: &CollectionSchema,
    text: &[u8],
    opts: CsvOptions,
) -> (RowBatch, Result<(), crate::validate::RowError>) {
    let mut f = Framer::new(opts.sep);
    let mut batch = RowBatch::empty(s, 0);
    let mut conv = None;
    loop {
        match f.next("t.csv", text, 0, true, 1 << 20).unwrap() {
            Step::Header { start, end, line } => {
                let h = CsvHeader::parse(
                    "t.csv",
                    line,
                    &text[start as usize..end as usize],
                    opts.sep,
                    s,
                )
                .unwrap();
                conv = Some(CsvRowConverter::new(s, h, opts.clone()).unwrap());
            }
            Step::Unit(u) => {
                let bytes = &text[u.start as usize..u.end as usize];
                if let Err(e) = conv
                    .as_mut()
                    .unwrap()
                    .parse_unit("t.csv", bytes, &u, &mut batch)
                {
                    return (batch, Err(e));
                }
            }
            _ => return (batch, Ok(())),
        }
    }
}

#[test]
fn cells_are_read_by_type_and_null_key() {
    let s = schema(true);
    let text = b"id;b;f;s;n;v;x\n1;True;1.5;;NULL;[1, 2];\n2;f;-2;ab;NULL;\"[3,4]\";y\r\n3;1;NaN;x;1;[1,2];z\n";
    let opts = CsvOptions::new(Some(";"), Some("NULL")).unwrap();
    let (batch, r) = parse(&s, text, opts);
    let err = r.unwrap_err();
    assert_eq!(err.location.to_string(), "t.csv: row 2 (line 4, byte 66)");
    assert_eq!(err.field, "f");
    assert!(err.found.contains("not a number"), "{err}");
    assert_eq!(batch.len(), 2);
    assert_eq!(batch.columns[1].data, ColumnData::Bool(vec![true, false]));
    assert_eq!(
        batch.columns[3].data,
        ColumnData::VarChar(vec!["".into(), "ab".into()])
    );
    assert_eq!(batch.columns[4].validity, Some(vec![false, false]));
    assert_eq!(batch.columns[5].data, ColumnData::Int16(vec![7, 7]));
    assert_eq!(
        batch.meta,
        Some(vec![r#"{"x":""}"#.into(), r#"{"x":"y"}"#.into()])
    );
}

#[test]
fn bad_cells_name_the_rule_row_and_line() {
    let s = schema(false);
    let cases: &[(&[u8], &str, &str)] = &[
        (b"1,maybe,1,a,,\"[1,2]\"", "b", "cell \"maybe\""),
        (b"1,true,1,abcde,,\"[1,2]\"", "s", "5 bytes"),
        (b"1,true,1,a,300,\"[1,2]\"", "n", "300 (out of range)"),
        (b"1,true,1,a,1.5,\"[1,2]\"", "n", "cell \"1.5\""),
        (b"1,true,1,a,,\"[1,2,3]\"", "v", "3"),
        (b"1,true,1,a,,\"[1,2]\",9", "", "7 cells"),
        (b",true,1,a,,\"[1,2]\"", "id", "null"),
        (b"1,true,1e39,a,,\"[1,2]\"", "f", "out of range"),
        (b"1,true,1,a,,\"[1,x]\"", "v", "not JSON"),
    ];
    for (row, field, found) in cases {
        let mut text = b"id,b,f,s,n,v\n\"0\",false,0,z,,\"[0,0]\"\n".to_vec();
        text.extend_from_slice(row);
        let (batch, r) = parse(&s, &text, CsvOptions::default());
        let err = r.unwrap_err();
        assert_eq!(err.field, *field, "{err}");
        assert!(err.found.contains(found), "{err}");
        assert_eq!(
            err.location.to_string(),
            "t.csv: row 1 (line 3, byte 36)",
            "{err}"
        );
        assert_eq!(batch.len(), 1);
    }
}

/// A csv-core reader as the parser's was: the oracle the framer and [`Cells`] are
/// compared with.
fn csv_core_reader(sep: u8) -> csv_core::Reader {
    csv_core::ReaderBuilder::new()
        .delimiter(sep)
        .terminator(csv_core::Terminator::Any(b'\n'))
        .build()
}

/// The records csv-core reads in `body` (after the header), blank lines left out, each as
/// its cells (one `\r` dropped from the last, as Go's reader does).
fn csv_core_records(body: &[u8], sep: u8) -> Vec<Vec<Vec<u8>>> {
    let mut rdr = csv_core_reader(sep);
    let (mut out, mut ends) = (vec![0u8; body.len() + 1], vec![0usize; body.len() + 2]);
    let (mut pos, mut records) = (0, Vec::new());
    loop {
        let start = pos;
        let (mut o, mut e) = (0, 0);
        let done = loop {
            let (res, i, no, ne) = rdr.read_record(&body[pos..], &mut out[o..], &mut ends[e..]);
            (pos, o, e) = (pos + i, o + no, e + ne);
            match res {
                csv_core::ReadRecordResult::Record => break false,
                csv_core::ReadRecordResult::End => break true,
                _ => {}
            }
        };
        if done {
            return records;
        }
        let lead = body[start..pos].iter().take_while(|&&b| b == b'\n').count();
        if framer::is_blank(&body[start + lead..pos]) {
            continue;
        }
        let mut cells: Vec<Vec<u8>> = Vec::new();
        let mut from = 0;
        for &end in &ends[..e] {
            cells.push(out[from..end].to_vec());
            from = end;
        }
        if let Some(last) = cells.last_mut()
            && last.last() == Some(&b'\r')
        {
            last.pop();
        }
        records.push(cells);
    }
}

/// Records csv-core reads in `body` (after the header), blank lines left out.
fn csv_core_rows(body: &[u8]) -> u64 {
    csv_core_records(body, b',').len() as u64
}

/// A xorshift generator of random text over `alphabet`.
fn random_texts(alphabet: &'static [u8], max: u64) -> impl FnMut() -> Vec<u8> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    move || {
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let len = next() % max;
        (0..len)
            .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
            .collect()
    }
}

/// On random text, [`Cells`] reads the records and cells csv-core reads.
#[test]
fn cells_are_the_cells_csv_core_reads() {
    let mut text = random_texts(b"a;,\"\n\r x", 48);
    let mut quoted = 0;
    for _ in 0..20_000 {
        let text = text();
        for sep in [b',', b';'] {
            let mut cells = cells::Cells::default();
            let (mut pos, mut records): (usize, Vec<Vec<Vec<u8>>>) = (0, Vec::new());
            while cells.read(&text, sep, &mut pos).is_some() {
                records.push(
                    (0..cells.len())
                        .map(|k| cells.get(&text, k).to_vec())
                        .collect(),
                );
            }
            assert_eq!(pos, text.len());
            let want = csv_core_records(&text, sep);
            assert_eq!(records, want, "{:?}", String::from_utf8_lossy(&text));
        }
        quoted += usize::from(text.windows(2).any(|w| w == b"\"\""));
    }
    assert!(quoted > 1000, "{quoted}");
}

/// On random text of separators, quotes and line ends, the framer counts the records
/// csv-core reads, mapped and streamed alike.
#[test]
fn the_framer_counts_the_records_the_parser_reads() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let alphabet = b"a,\"\n\r x";
    let mut checked = 0;
    for _ in 0..3000 {
        let len = (next() % 40) as usize;
        let mut text = b"h\n".to_vec();
        text.extend((0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]));
        let Ok((_, units)) = frame_all(&text, (next() % 8) as usize) else {
            continue;
        };
        checked += 1;
        let rows: u64 = units.iter().map(|u| u.rows).sum();
        assert_eq!(
            rows,
            csv_core_rows(&text[2..]),
            "{:?}",
            String::from_utf8_lossy(&text)
        );
        let mut next_row = 0;
        for u in &units {
            assert_eq!(u.first_row, next_row);
            next_row += u.rows;
            let body = &text[u.start as usize..u.end as usize];
            assert_eq!(
                csv_core_rows(body),
                u.rows,
                "{:?}",
                String::from_utf8_lossy(&text)
            );
        }
        assert_eq!(
            stream_all(&text, 3, 5).map(|r| r.1.iter().map(|u| u.rows).sum::<u64>()),
            Ok(rows)
        );
    }
    assert!(checked > 1000, "{checked}");
}
