//! Writes the seed corpora under `fuzz/seeds/<target>/` from `data/` files and from
//! vecload's own writers (segments, ledger records), so fuzzing starts past every magic
//! number and checksum. Run from `fuzz/`: `cargo run --example make_seeds`, then fuzz with
//! `seeds/<target>` as an extra corpus folder and minimize into `corpus/<target>` with
//! `cargo fuzz cmin`.

use std::fs;
use std::path::{Path, PathBuf};

use vecload::ledger::{Ledger, SegmentRef, TaskState};
use vecload::record::{Column, ColumnData, RowBatch};
use vecload::schema::DataType;
use vecload::segment::{SegmentMeta, SegmentWriter, WriterOptions};
use vecload_fuzz::checks::json_rows::{SCHEMA_A, SCHEMA_B};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = fuzz.join("../data");
    let out = fuzz.join("seeds");
    let mut seeds = Seeds { out, count: 0 };
    json(&mut seeds, &data)?;
    npy(&mut seeds);
    schema(&mut seeds, &data)?;
    segments(&mut seeds)?;
    ledger(&mut seeds)?;
    println!("{} seed files under {}", seeds.count, seeds.out.display());
    Ok(())
}

struct Seeds {
    out: PathBuf,
    count: usize,
}

impl Seeds {
    fn add(&mut self, target: &str, name: &str, bytes: &[u8]) {
        let dir = self.out.join(target);
        fs::create_dir_all(&dir).expect("seed dir");
        fs::write(dir.join(name), bytes).expect("seed file");
        self.count += 1;
    }
}

/// Rows for both schemas of `json_rows`, plus the book files, each as a document and as
/// JSON Lines.
fn json(seeds: &mut Seeds, data: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let a_rows = [
        r#"{"id": 1, "i8": -5, "f": 0.5, "s": "abc", "j": {"k": [1, "x"]}, "a": [1, 2, 3], "v": [0.1, 0.2, 0.3], "b": [255, 0], "n": null, "extra": "dyn"}"#,
        r#"{"id": -9223372036854775808, "i8": 127, "f": 1e-45, "s": "ünï", "j": "{\"a\": 1}", "a": [], "v": [-1.5e3, 0, 3.4028234e38], "b": [1, 2], "n": 32767, "d": 2.5, "$meta": {"x": 1}}"#,
        r#"{"id": 3, "i8": 0, "f": 16777217, "s": "", "j": "[1,2]", "a": [2147483647, -2147483648, 0, 7], "v": [1, 2, 3], "b": [0, 0], "d": null, "k\"q": [{"z": null}]}"#,
    ];
    let b_rows = [
        r#"{"key": 5, "sp": {"indices": [1, 7], "values": [0.5, 0.25]}, "h": [1.5, -2], "bf": [0.1, 3], "tags": ["ab", "c"], "ok": true}"#,
        r#"{"key": -1, "sp": {"3": 0.5, "10": 1e-3}, "h": [65504, 6.1e-5], "bf": [-0.0, 1e38], "tags": [], "ok": null, "i32": -7}"#,
        r#"{"key": 9007199254740993, "sp": {}, "h": [0, 0], "bf": [0, 0], "tags": ["abcd", "", "x"]}"#,
    ];
    let bad_rows = [
        r#"{"id": 4, "i8": 128, "f": 0.5, "s": "abc", "j": {}, "a": [1], "v": [0.1, 0.2, 0.3], "b": [1, 2]}"#,
        r#"{"id": 5, "i8": 1, "f": 1e39, "s": "toolongstring", "j": "{", "a": [1, 2, 3, 4, 5], "v": [0.1, 0.2], "b": [256, 0]}"#,
        r#"{"key": 1, "sp": {"indices": [1, 1], "values": [0.5, 0.5]}, "h": [1e6, 0], "bf": [1, 2], "tags": ["abcde"]}"#,
        r#"[1, 2]"#,
        r#""row""#,
    ];
    for (name, rows) in [
        ("a", &a_rows[..]),
        ("b", &b_rows[..]),
        ("bad", &bad_rows[..]),
    ] {
        let list = format!("[\n  {}\n]\n", rows.join(",\n  "));
        let wrapped = format!("\u{feff}{{\"rows\": {list}}}");
        let lines = format!("{}\n", rows.join("\n\n"));
        for (kind, text) in [("list", &list), ("wrapped", &wrapped), ("lines", &lines)] {
            let file = format!("{name}-{kind}.json");
            seeds.add("json_rows", &file, text.as_bytes());
            seeds.add("json_framing", &file, text.as_bytes());
        }
    }
    for entry in walk(&data.join("book"))? {
        if entry.extension().is_some_and(|e| e == "json") {
            let bytes = fs::read(&entry)?;
            let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("x");
            seeds.add("json_framing", name, &bytes);
            seeds.add("json_rows", name, &bytes);
        }
    }
    let framing = [
        "[]",
        "{\"rows\": []}",
        "{ \"ROWS\" : [ 1 , \"a\\\"]\" , [ {} , [ ] ] , null ] }",
        "[{\"a\": \"\\\\\"}, -0.0e+1, true]",
        "[1,]",
        "{\"rows\": [1], \"x\": 2}",
        "{\"r\\u006fws\": [1]}",
        "[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]",
        "  \n\r\n{\"a\":1}\r\n  [2]  \n\n\"s\"\n",
    ];
    for (i, text) in framing.iter().enumerate() {
        seeds.add("json_framing", &format!("edge-{i}.json"), text.as_bytes());
    }
    // Numbers near f32 midpoints, limits and subnormals, long digit strings, non-numbers.
    let numbers = [
        "0",
        "-0",
        "1",
        "-1.5",
        "0.1",
        "1e10",
        "1E-5",
        "3.4028235e38",
        "3.4028236e38",
        "1.4e-45",
        "7.006492321624085e-46",
        "7.0064923216240854e-46",
        "1.0000000596046448",
        "1.00000005960464477539062500001",
        "16777217",
        "9007199254740993",
        "123456789012345678901234567890",
        "1e-400",
        "2.5e+3",
        "01",
        "1.",
        ".5",
        "-",
    ];
    for (i, text) in numbers.iter().enumerate() {
        seeds.add("json_float", &format!("n{i}"), text.as_bytes());
    }
    Ok(())
}

/// An NPY file: prefix, dict padded to 64 bytes, then `data`.
fn npy_file(version: u8, dict: &str, data: &[u8]) -> Vec<u8> {
    let len_bytes = if version == 1 { 2 } else { 4 };
    let mut text = dict.as_bytes().to_vec();
    let unpadded = 8 + len_bytes + text.len() + 1;
    text.resize(text.len() + (64 - unpadded % 64) % 64, b' ');
    text.push(b'\n');
    let mut out = b"\x93NUMPY".to_vec();
    out.extend([version, 0]);
    if version == 1 {
        out.extend((text.len() as u16).to_le_bytes());
    } else {
        out.extend((text.len() as u32).to_le_bytes());
    }
    out.extend(text);
    out.extend(data);
    out
}

fn dict(descr: &str, fortran: bool, shape: &str) -> String {
    let f = if fortran { "True" } else { "False" };
    format!("{{'descr': '{descr}', 'fortran_order': {f}, 'shape': {shape}, }}")
}

/// Headers of every accepted dtype and version, and one valid file per field type of
/// `npy_column` (selector byte and split byte first).
fn npy(seeds: &mut Seeds) {
    let headers = [
        (1, dict("<f4", false, "(5, 2)")),
        (2, dict("|b1", true, "()")),
        (3, dict("<U3", false, "(0, 4)")),
        (1, dict(">i8", false, "(3,)")),
        (1, dict("S7", false, "(2,)")),
        (1, dict("float64", true, "(4, 4, 1)")),
        (
            1,
            "{\"shape\":(3,),\"fortran_order\":False,\"descr\":'\\x3ci2'}".into(),
        ),
        (1, dict("|u1", false, "(4294967296, 4294967295)")),
        (1, dict("<f8", false, "(4294967296, 4294967296)")),
        (
            1,
            "{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (2,)}".into(),
        ),
    ];
    for (i, (version, d)) in headers.iter().enumerate() {
        seeds.add(
            "npy_header",
            &format!("h{i}.npy"),
            &npy_file(*version, d, &[]),
        );
    }
    // (selector, descr, shape, data): selectors follow npy_column::FIELDS, 13 is $meta.
    let f32s = |v: &[f32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let u32s = |s: &str, width: usize| {
        let mut out = Vec::new();
        for w in s.split(',') {
            let mut cps: Vec<u32> = w.chars().map(u32::from).collect();
            cps.resize(width, 0);
            out.extend(cps.iter().flat_map(|c| c.to_le_bytes()));
        }
        out
    };
    let cases: Vec<(u8, &str, &str, Vec<u8>)> = vec![
        (0, "|b1", "(4,)", vec![0, 1, 1, 0]),
        (1, "|i1", "(3,)", vec![0x80, 0, 0x7f]),
        (2, ">i2", "(2,)", vec![1, 2, 0xff, 0xfe]),
        (3, "<i4", "(2,)", vec![1, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f]),
        (4, "<i8", "(1,)", vec![7, 0, 0, 0, 0, 0, 0, 0x80]),
        (5, "<f4", "(3,)", f32s(&[0.5, -1.0, 3.0e38])),
        (
            6,
            ">f8",
            "(2,)",
            [1.5f64.to_be_bytes(), (-0.0f64).to_be_bytes()].concat(),
        ),
        (7, "|S4", "(3,)", b"abc\0\xc3\xa9\0\0toolo".to_vec()),
        (7, "<U2", "(2,)", u32s("ab,\u{e9}", 2)),
        (8, "|S6", "(2,)", b"{\"a\":1[1, 2]".to_vec()),
        (9, "<f4", "(2, 3)", f32s(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
        (
            9,
            "<f8",
            "(1, 3)",
            [1.0f64, 1e300, 2.0]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect(),
        ),
        (10, "|u1", "(2, 2)", vec![1, 2, 3, 4]),
        (
            11,
            "|u1",
            "(2, 4)",
            vec![0, 0x3c, 0, 0xc0, 0xff, 0x7b, 1, 0],
        ),
        (12, "|u1", "(1, 4)", vec![0x80, 0x3f, 0x80, 0x7f]),
        (13, "<U8", "(2,)", u32s("{\"a\":1},{}", 8)),
    ];
    for (i, (selector, descr, shape, data)) in cases.into_iter().enumerate() {
        let file = npy_file(1, &dict(descr, false, shape), &data);
        let mut seed = vec![selector, 1];
        seed.extend(&file);
        seeds.add("npy_column", &format!("c{i}.bin"), &seed);
        if shape.contains(", ") {
            // The same bytes read column-major.
            let mut seed = vec![selector, 1];
            seed.extend(npy_file(2, &dict(descr, true, shape), &data));
            seeds.add("npy_column", &format!("c{i}-fortran.bin"), &seed);
        }
        // Fitting mode, with a shape the data does not fill.
        let mut seed = vec![selector | 0x80, 3];
        seed.extend(npy_file(
            1,
            &dict(descr, false, &shape.replacen('(', "(5", 1)),
            &data,
        ));
        seeds.add("npy_column", &format!("c{i}-fit.bin"), &seed);
    }
}

fn schema(seeds: &mut Seeds, data: &Path) -> Result<(), Box<dyn std::error::Error>> {
    seeds.add(
        "schema_file",
        "book.json",
        &fs::read(data.join("book/schema.json"))?,
    );
    seeds.add("schema_file", "a.json", SCHEMA_A.as_bytes());
    seeds.add("schema_file", "b.json", SCHEMA_B.as_bytes());
    let every_type = r#"{"collectionName": "_all", "schema": {"autoId": true, "enableDynamicField": true, "fields": [
 {"fieldName": "pk", "dataType": "Int64", "isPrimary": true, "autoId": true},
 {"fieldName": "b", "dataType": "Bool", "nullable": true, "defaultValue": false},
 {"fieldName": "i8", "dataType": "int8"}, {"fieldName": "i16", "dataType": "Int16"},
 {"fieldName": "i32", "dataType": "Int32", "defaultValue": -3},
 {"fieldName": "key", "dataType": "VarChar", "isPartitionKey": true, "elementTypeParams": {"max_length": "65535"}},
 {"fieldName": "f", "dataType": "Float"}, {"fieldName": "d", "dataType": "Double", "defaultValue": 1e-300},
 {"fieldName": "j", "dataType": "JSON", "nullable": true},
 {"fieldName": "a", "dataType": "Array", "elementDataType": "VarChar", "elementTypeParams": {"max_capacity": 4096, "max_length": 1}},
 {"fieldName": "fv", "dataType": "FloatVector", "elementTypeParams": {"dim": 32768, "index": "x"}},
 {"fieldName": "bv", "dataType": "BinaryVector", "elementTypeParams": {"dim": 8}},
 {"fieldName": "hv", "dataType": "Float16Vector", "elementTypeParams": {"dim": 1}},
 {"fieldName": "bfv", "dataType": "BFloat16Vector", "elementTypeParams": {"dim": 2}},
 {"fieldName": "sv", "dataType": "SparseFloatVector"}]},
 "params": {"partitionsNum": "64", "shardsNum": 2}}"#;
    seeds.add("schema_file", "every_type.json", every_type.as_bytes());
    Ok(())
}

fn column(data: ColumnData, validity: Option<Vec<bool>>) -> Column {
    Column { data, validity }
}

/// Segments written by `SegmentWriter`: raw files (mode 0), the same files framed (mode 1),
/// and round-trip inputs (mode 2).
fn segments(seeds: &mut Seeds) -> Result<(), Box<dyn std::error::Error>> {
    let batch = RowBatch {
        columns: vec![
            column(ColumnData::Int64(vec![1, 2, 3]), None),
            column(
                ColumnData::FloatVector {
                    dim: 2,
                    values: vec![0.5, 1.0, f32::NAN, -0.0, 3.0, 4.0],
                },
                None,
            ),
            column(
                ColumnData::VarChar(vec!["a".into(), "".into(), "ccc".into()]),
                Some(vec![true, false, true]),
            ),
            column(
                ColumnData::Array(vec![
                    ColumnData::Int32(vec![1, 2]),
                    ColumnData::Int32(vec![]),
                    ColumnData::Int32(vec![3]),
                ]),
                None,
            ),
            column(
                ColumnData::BinaryVector {
                    dim: 8,
                    bytes: vec![1, 2, 3],
                },
                None,
            ),
            column(
                ColumnData::SparseFloatVector(vec![
                    vec![(1, 0.5)],
                    vec![],
                    vec![(0, 1.0), (9, 2.0)],
                ]),
                None,
            ),
            column(
                ColumnData::Float16Vector {
                    dim: 1,
                    bits: vec![0x3c00, 0, 1],
                },
                None,
            ),
            column(
                ColumnData::Json(vec!["{}".into(), "1".into(), "null".into()]),
                None,
            ),
            column(
                ColumnData::Bool(vec![true, false, true]),
                Some(vec![true, true, false]),
            ),
        ],
        meta: Some(vec!["{}".into(), "{\"k\":1}".into(), "{}".into()]),
    };
    let fields: Vec<(String, DataType)> = [
        DataType::Int64,
        DataType::FloatVector,
        DataType::VarChar,
        DataType::Array,
        DataType::BinaryVector,
        DataType::SparseFloatVector,
        DataType::Float16Vector,
        DataType::Json,
        DataType::Bool,
    ]
    .iter()
    .enumerate()
    .map(|(i, t)| (format!("f{i}"), *t))
    .collect();
    for (name, block_bytes) in [("one_block", 1 << 20), ("per_row", 1)] {
        let dir = tempfile::tempdir()?;
        let meta = SegmentMeta {
            collection: "c".into(),
            partition: "p".into(),
            shard: 0,
            task_id: 1,
            fields: fields.clone(),
            has_meta: true,
        };
        let opts = WriterOptions {
            block_bytes,
            segment_max_size: 1 << 30,
        };
        let mut writer = SegmentWriter::new(dir.path(), 1, 0, 0, meta, opts);
        writer.add_batch(&batch)?;
        for info in writer.finish()? {
            let bytes = fs::read(dir.path().join(&info.file_name))?;
            let mut raw = vec![0u8];
            raw.extend(&bytes);
            seeds.add("segment_reader", &format!("raw-{name}.bin"), &raw);
            seeds.add(
                "segment_reader",
                &format!("framed-{name}.bin"),
                &framed(&bytes, &fields)?,
            );
        }
    }
    // Round trips: any bytes build batches; these pick each type at least once.
    for i in 0..15u8 {
        let mut seed = vec![2u8, 2, i, 1, 0, i.wrapping_mul(7), 3, 1, 1, 2];
        seed.extend((0..200u32).map(|k| (k * 37 + u32::from(i)) as u8));
        seeds.add("segment_reader", &format!("round-{i}.bin"), &seed);
    }
    Ok(())
}

/// A written segment as a framed input (mode 1): field types, `$meta`, then each block's
/// rows, length and payload, read from the file's footer through the public reader.
fn framed(
    bytes: &[u8],
    fields: &[(String, DataType)],
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("s.vseg");
    fs::write(&path, bytes)?;
    let summary = vecload::segment::read_meta(&path)?;
    let mut out = vec![1u8, fields.len() as u8];
    for (_, t) in fields {
        out.push(DataType::ALL.iter().position(|x| x == t).unwrap_or(0) as u8);
    }
    out.push(u8::from(summary.meta.has_meta));
    out.push(summary.blocks.len() as u8);
    for b in &summary.blocks {
        out.push(b.rows as u8);
        out.extend((b.len as u16).to_le_bytes());
        let start = (b.offset + 8) as usize;
        out.extend(&bytes[start..start + b.len as usize]);
    }
    Ok(out)
}

/// Task records and counters written by the ledger itself, in several states.
fn ledger(seeds: &mut Seeds) -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let mut l = Ledger::open(dir.path())?;
    for _ in 0..7 {
        l.create(
            "book",
            "2022",
            vec!["a.json".into(), "b/c.npy".into()],
            Some(4),
            1_795_492_800,
        )?;
    }
    let ids = l.alloc_ids(10)?;
    l.transition(7, TaskState::Started, None)?;
    l.update(7, |t| {
        t.row_count = 10;
        t.progress = 45;
        t.start_time = Some(1_795_492_801);
        t.id_ranges = vec![[ids.start, ids.end]];
        t.persist_cost = Some(0.1 + 0.2);
        t.segments = vec![SegmentRef {
            file_name: "t00000007-w0-p0-s0-0000.vseg".into(),
            rows: 10,
            bytes: 999,
            partition: "2022".into(),
            shard: 1,
        }];
    })?;
    let task_path = dir.path().join("tasks/000000000007.json");
    let mut seed = vec![0u8];
    seed.extend(fs::read(&task_path)?);
    seeds.add("ledger_replay", "task-started.json", &seed);
    l.transition(7, TaskState::Failed, Some("bad row; \"quoted\" \u{1F600}"))?;
    let mut seed = vec![0u8];
    seed.extend(fs::read(&task_path)?);
    seeds.add("ledger_replay", "task-failed.json", &seed);
    let mut seed = vec![1u8];
    seed.extend(fs::read(dir.path().join("counters.json"))?);
    seeds.add("ledger_replay", "counters.json", &seed);
    let mut seed = vec![3u8];
    seed.extend(fs::read(dir.path().join("counters.json"))?);
    seeds.add("ledger_replay", "counters-alone.json", &seed);
    Ok(())
}

fn walk(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}
