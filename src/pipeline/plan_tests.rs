//! Tests of [`Inputs::open`]: the plan a task's files give, and the errors of bad units.

use std::path::PathBuf;

use super::*;
use crate::source::LocalRoot;

const NPY: [&str; 4] = [
    "data/book/npy/book_id.npy",
    "data/book/npy/word_count.npy",
    "data/book/npy/book_intro.npy",
    "data/book/npy/$meta.npy",
];

fn schema() -> CollectionSchema {
    let bytes = std::fs::read("data/book/schema.json").unwrap();
    CollectionSchema::from_json(&bytes, 16).unwrap()
}

/// A task of `files`, read relative to the repository (tests run there).
fn spec(files: &[&str]) -> TaskSpec {
    TaskSpec {
        task_id: 1,
        schema: schema(),
        partitions: vec!["_default".into()],
        files: files.iter().map(|f| f.to_string()).collect(),
        root: LocalRoot::open(".").into(),
        out_dir: PathBuf::from("unused"),
        csv: Default::default(),
    }
}

fn open(files: &[&str]) -> Result<Inputs, PipelineError> {
    Inputs::open(&spec(files))
}

fn open_err(files: &[&str]) -> PipelineError {
    match open(files) {
        Ok(_) => panic!("{files:?} opened"),
        Err(e) => e,
    }
}

#[test]
fn a_json_file_is_one_document_input() {
    let Ok(Inputs::Json { file, body, format }) = open(&["data/book/book.json"]) else {
        panic!("not a JSON input");
    };
    assert_eq!(file, "data/book/book.json");
    assert_eq!(format, JsonFormat::Document);
    let len = std::fs::metadata("data/book/book.json").unwrap().len();
    assert_eq!(body.len(), len);
    let inputs = open(&["data/book/book.json"]).unwrap();
    assert_eq!(inputs.total_work(), len, "JSON work is counted in bytes");
}

#[test]
fn a_json_lines_file_is_a_lines_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.jsonl");
    std::fs::write(
        &path,
        "{\"book_id\": 1, \"word_count\": 2, \"book_intro\": [1, 2]}\n",
    )
    .unwrap();
    let path = path.display().to_string();
    let Ok(Inputs::Json { format, .. }) = open(&[&path]) else {
        panic!("not a JSON input");
    };
    assert_eq!(format, JsonFormat::Lines);
}

#[test]
fn npy_files_become_one_column_set_in_the_plan_order() {
    // Given in an order that is not the schema's.
    let files = [NPY[2], NPY[3], NPY[0], NPY[1]];
    let inputs = open(&files).unwrap();
    assert_eq!(inputs.total_work(), 5, "NPY work is counted in rows");
    let Inputs::Npy { plan, cols, meta } = inputs else {
        panic!("not an NPY input");
    };
    assert_eq!(plan.rows, 5);
    assert_eq!(plan.columns.len(), 3);
    assert_eq!(cols.len(), 3);
    for ((_, col), body) in plan.columns.iter().zip(&cols) {
        let len = std::fs::metadata(&col.file).unwrap().len();
        assert_eq!(body.len(), len, "{} is not where the plan has it", col.file);
    }
    let (Some(meta_plan), Some(meta)) = (&plan.meta, meta) else {
        panic!("$meta.npy not planned");
    };
    assert_eq!(meta_plan.file, NPY[3]);
    assert_eq!(meta.len(), std::fs::metadata(NPY[3]).unwrap().len());
}

#[test]
fn unknown_mixed_and_several_row_files_are_refused() {
    type Want = fn(&FilesError) -> bool;
    let cases: [(&[&str], Want); 5] = [
        (&[], |e| *e == FilesError::Empty),
        (&["data/book/schema.txt"], |e| {
            *e == FilesError::Unsupported("data/book/schema.txt".into())
        }),
        (
            &[NPY[0], "notes.md"],
            |e| matches!(e, FilesError::Unsupported(f) if f == "notes.md"),
        ),
        (&["data/book/book.json", NPY[0]], |e| {
            matches!(e, FilesError::Mixed { .. })
        }),
        (&["data/book/book.json", "data/book/book_props.json"], |e| {
            matches!(e, FilesError::SeveralRowFiles { count: 2, .. })
        }),
    ];
    for (files, want) in cases {
        match open_err(files) {
            PipelineError::Files(e) => assert!(want(&e), "{files:?}: {e}"),
            other => panic!("{files:?}: {other}"),
        }
    }
}

#[test]
fn a_missing_file_is_a_source_error() {
    match open_err(&["data/book/nope.json"]) {
        PipelineError::Source(e) => assert!(e.is_not_found(), "{e}"),
        other => panic!("{other}"),
    }
    match open_err(&[NPY[0], "data/book/npy/nope.npy"]) {
        PipelineError::Source(e) => assert!(e.is_not_found(), "{e}"),
        other => panic!("{other}"),
    }
}

#[test]
fn an_npy_set_without_a_field_is_refused_naming_it() {
    let err = open_err(&[NPY[0], NPY[2]]);
    assert!(matches!(err, PipelineError::Npy(_)), "{err}");
    assert!(err.to_string().contains("word_count"), "{err}");
}

#[test]
fn a_parquet_file_is_opened_and_checked() {
    let inputs = open(&["data/book/book.parquet"]).unwrap();
    assert_eq!(inputs.total_work(), 5, "Parquet work is counted in rows");
    let Inputs::Parquet { file, body } = inputs else {
        panic!("not a Parquet input");
    };
    assert_eq!(file.name(), "data/book/book.parquet");
    assert!(matches!(body, ParquetBody::Mapped { .. }));
    let e = open_err(&["data/parquet/fail/damaged_bad_magic/input.parquet"]);
    assert!(e.to_string().contains("bad magic"), "{e}");
}
