//! Data-driven tests over `data/numpy/{pass,fail}/*` (written by `tools/gen_npy.py`), and
//! an NPY writer shared by the unit tests.
//!
//! A case is a directory holding `schema.json` (`docs/formats.md`, "Schema file"), the `.npy` files of
//! one column set (in subdirectories too) and either `expected.json` (the rows, as
//! `row_to_json` prints them) or `error.txt` (substrings the error must contain, one a line).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{MAGIC, NpyFile, check_names, decode_meta_rows, decode_rows, parse_header, plan_set};
use crate::record::{ColumnData, RowBatch, row_to_json};
use crate::schema::CollectionSchema;

/// An NPY file of format `version` with `data` after a NumPy-style padded header.
pub(super) fn npy_v(
    version: u8,
    descr: &str,
    shape: &[u64],
    fortran: bool,
    data: &[u8],
) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
    let shape = match dims.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", dims.join(", ")),
    };
    let fortran = if fortran { "True" } else { "False" };
    let mut text =
        format!("{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}")
            .into_bytes();
    let len_bytes = if version == 1 { 2 } else { 4 };
    let unpadded = MAGIC.len() + 2 + len_bytes + text.len() + 1;
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
    out.extend_from_slice(data);
    out
}

/// A version 1.0 NPY file.
pub(super) fn npy(descr: &str, shape: &[u64], fortran: bool, data: &[u8]) -> Vec<u8> {
    npy_v(1, descr, shape, fortran, data)
}

fn case_dirs(kind: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/numpy")
        .join(kind);
    let mut dirs: Vec<PathBuf> = fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Data files of a case (everything but the case's own description), relative, sorted.
fn data_files(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let rel_name = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if path.is_dir() {
            data_files(&path, &rel_name, out);
        } else if !(rel.is_empty()
            && ["schema.json", "expected.json", "error.txt"].contains(&name.as_str()))
        {
            out.push((rel_name, path));
        }
    }
}

/// Plans and decodes a case's column set (in two row ranges, to exercise `byte_range`),
/// returning the rows as JSON objects (auto-id keys left out).
fn run_case(dir: &Path) -> Result<Vec<Value>, String> {
    let schema_bytes = fs::read(dir.join("schema.json")).unwrap();
    let schema = CollectionSchema::from_json(&schema_bytes, 16).unwrap();
    let mut paths = Vec::new();
    data_files(dir, "", &mut paths);
    let names: Vec<&str> = paths.iter().map(|(p, _)| p.as_str()).collect();
    check_names(&schema, &names).map_err(|e| e.to_string())?;
    let mut files = Vec::new();
    let mut contents = Vec::new();
    for (rel, path) in &paths {
        let bytes = fs::read(path).unwrap();
        let header = parse_header(rel, &bytes).map_err(|e| e.to_string())?;
        files.push(NpyFile {
            path: rel.clone(),
            header,
            len: bytes.len() as u64,
        });
        contents.push(bytes);
    }
    let bytes_of = |path: &str| &contents[paths.iter().position(|(p, _)| p == path).unwrap()];
    let plan = plan_set(&schema, &files).map_err(|e| e.to_string())?;
    let rows = plan.rows;
    let ranges = [0..rows / 2, rows / 2..rows];
    let mut batch = RowBatch::empty(&schema, rows as usize);
    for (index, column) in &plan.columns {
        let bytes = bytes_of(&column.file);
        for r in ranges.clone() {
            let range = column.byte_range(r.clone());
            let slice = &bytes[range.start as usize..range.end as usize];
            decode_rows(column, slice, r, &mut batch.columns[*index]).map_err(|e| e.to_string())?;
        }
    }
    let pk = schema.primary_index();
    if schema.is_auto_id_field(pk) {
        batch.columns[pk].data = ColumnData::Int64((0..rows as i64).collect());
    }
    if let Some(meta) = &mut batch.meta {
        match &plan.meta {
            Some(column) => {
                for r in ranges.clone() {
                    let range = column.byte_range(r.clone());
                    let bytes = &bytes_of(&column.file)[range.start as usize..range.end as usize];
                    decode_meta_rows(column, bytes, r, meta).map_err(|e| e.to_string())?;
                }
            }
            None => meta.resize(rows as usize, "{}".to_string()),
        }
    }
    Ok((0..rows as usize)
        .map(|r| {
            let mut row = row_to_json(&schema, &batch, r, None);
            if schema.is_auto_id_field(pk) {
                row.remove(&schema.fields[pk].name);
            }
            Value::Object(row)
        })
        .collect())
}

#[test]
fn pass_cases_decode_to_expected_rows() {
    let dirs = case_dirs("pass");
    assert!(dirs.len() >= 10, "only {} pass cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy();
        let expected: Value =
            serde_json::from_slice(&fs::read(dir.join("expected.json")).unwrap()).unwrap();
        match run_case(dir) {
            Ok(rows) if Value::Array(rows.clone()) == expected => {}
            Ok(rows) => failures.push(format!(
                "{name}: rows differ\n  got:      {}\n  expected: {expected}",
                Value::Array(rows)
            )),
            Err(e) => failures.push(format!("{name}: refused: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn fail_cases_give_their_errors() {
    let dirs = case_dirs("fail");
    assert!(dirs.len() >= 20, "only {} fail cases", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy();
        let wanted = fs::read_to_string(dir.join("error.txt")).unwrap();
        let wanted: Vec<&str> = wanted.lines().filter(|l| !l.is_empty()).collect();
        assert!(!wanted.is_empty(), "{name}: empty error.txt");
        match run_case(dir) {
            Ok(_) => failures.push(format!("{name}: accepted")),
            Err(e) => {
                for w in wanted.iter().filter(|w| !e.contains(**w)) {
                    failures.push(format!("{name}: error lacks {w:?}: {e}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
