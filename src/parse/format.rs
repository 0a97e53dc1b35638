//! What kind of import file a path names, and what task a unit's files make: the one place
//! that classifies files, asked by the request checks (engine) and by the pipeline's plan.
//!
//! A task reads either one row file (JSON, JSON Lines, Parquet or CSV) or
//! the `.npy` files of one column set. A new format adds a [`FileKind`] variant, its
//! extensions in [`FileKind::of`], and whether it is a row file or a column file.

use super::json::framing::{JsonFormat, format_for_path};

/// The kind of an import file, told by its extension (case-sensitive, as Milvus).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// `.json` (one document) or `.jsonl` / `.ndjson` (JSON Lines).
    Json(JsonFormat),
    /// `.npy`: one column of a NumPy column set.
    Npy,
    /// `.parquet`: a Parquet file (a task of its own).
    Parquet,
    /// `.csv`: rows under a header row.
    Csv,
}

/// The extensions [`FileKind::of`] knows, as error messages list them.
pub const EXTENSIONS: &str = ".json, .jsonl, .ndjson, .csv, .npy or .parquet";

impl FileKind {
    /// The kind of `path`, or `None` for an extension no reader takes.
    pub fn of(path: &str) -> Option<FileKind> {
        if let Some(format) = format_for_path(path) {
            Some(FileKind::Json(format))
        } else if path.ends_with(".npy") {
            Some(FileKind::Npy)
        } else if path.ends_with(".parquet") {
            Some(FileKind::Parquet)
        } else if path.ends_with(".csv") {
            Some(FileKind::Csv)
        } else {
            None
        }
    }

    /// Whether a file of this kind holds one column of a set (NumPy), rather than whole
    /// rows (a task of its own).
    pub fn is_column(self) -> bool {
        matches!(self, FileKind::Npy)
    }
}

/// The files of one task, classified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskFiles<'a> {
    /// One file holding whole rows.
    Rows {
        /// The file.
        file: &'a str,
        /// Its kind (never a column kind).
        kind: FileKind,
    },
    /// The column files of one set (NumPy), in the order given.
    Columns(&'a [String]),
}

/// Why a unit's files do not make a task.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilesError {
    /// No files.
    #[error("import request is empty: no files given")]
    Empty,
    /// An extension no reader takes.
    #[error("unsupported file type: \"{0}\" (expected {EXTENSIONS})")]
    Unsupported(String),
    /// More than one row file in one unit.
    #[error("a JSON, Parquet or CSV import takes one file per task, got {count}: {files:?}")]
    SeveralRowFiles {
        /// How many row files.
        count: usize,
        /// The unit's files.
        files: Vec<String>,
    },
    /// Row files and column files in one unit.
    #[error(
        "row files (JSON, Parquet, CSV) and NumPy files cannot be mixed in one task: {files:?}"
    )]
    Mixed {
        /// The unit's files.
        files: Vec<String>,
    },
}

/// Classifies the files of one unit (one task): one row file, or a set of column files.
pub fn classify(files: &[String]) -> Result<TaskFiles<'_>, FilesError> {
    let mut rows = Vec::new();
    let mut columns = 0;
    for f in files {
        match FileKind::of(f) {
            None => return Err(FilesError::Unsupported(f.clone())),
            Some(kind) if kind.is_column() => columns += 1,
            Some(kind) => rows.push((f.as_str(), kind)),
        }
    }
    match (rows.as_slice(), columns) {
        ([], 0) => Err(FilesError::Empty),
        ([], _) => Ok(TaskFiles::Columns(files)),
        ([(file, kind)], 0) => Ok(TaskFiles::Rows { file, kind: *kind }),
        ([_], _) => Err(FilesError::Mixed {
            files: files.to_vec(),
        }),
        (many, _) => Err(FilesError::SeveralRowFiles {
            count: many.len(),
            files: files.to_vec(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(files: &[&str]) -> Vec<String> {
        files.iter().map(|f| f.to_string()).collect()
    }

    #[test]
    fn kinds_come_from_the_extension() {
        assert_eq!(
            FileKind::of("a/b.json"),
            Some(FileKind::Json(JsonFormat::Document))
        );
        assert_eq!(
            FileKind::of("b.jsonl"),
            Some(FileKind::Json(JsonFormat::Lines))
        );
        assert_eq!(
            FileKind::of("b.ndjson"),
            Some(FileKind::Json(JsonFormat::Lines))
        );
        assert_eq!(FileKind::of("id.npy"), Some(FileKind::Npy));
        assert_eq!(FileKind::of("b/1.parquet"), Some(FileKind::Parquet));
        assert!(!FileKind::Parquet.is_column());
        assert_eq!(FileKind::of("1.csv"), Some(FileKind::Csv));
        assert!(!FileKind::Csv.is_column());
        for other in [
            "a.JSON",
            "a.npz",
            "a.txt",
            "json",
            "a.json.gz",
            "a.PARQUET",
            "a.CSV",
            "",
        ] {
            assert_eq!(FileKind::of(other), None, "{other}");
        }
        assert!(FileKind::Npy.is_column());
        assert!(!FileKind::Json(JsonFormat::Lines).is_column());
    }

    #[test]
    fn a_unit_is_one_row_file_or_a_column_set() {
        let one = unit(&["rows.jsonl"]);
        assert_eq!(
            classify(&one),
            Ok(TaskFiles::Rows {
                file: "rows.jsonl",
                kind: FileKind::Json(JsonFormat::Lines)
            })
        );
        let set = unit(&["id.npy", "vec.npy"]);
        assert_eq!(classify(&set), Ok(TaskFiles::Columns(&set)));
    }

    #[test]
    fn bad_units_are_refused_naming_the_fault() {
        assert_eq!(classify(&[]), Err(FilesError::Empty));
        let err = classify(&unit(&["id.npy", "notes.txt"])).unwrap_err();
        assert_eq!(err, FilesError::Unsupported("notes.txt".into()));
        assert!(
            err.to_string()
                .contains("unsupported file type: \"notes.txt\" (expected .json"),
            "{err}"
        );
        assert!(matches!(
            classify(&unit(&["a.json", "b.jsonl"])),
            Err(FilesError::SeveralRowFiles { count: 2, .. })
        ));
        assert!(matches!(
            classify(&unit(&["a.json", "id.npy"])),
            Err(FilesError::Mixed { .. })
        ));
        assert!(matches!(
            classify(&unit(&["1.parquet", "2.parquet"])),
            Err(FilesError::SeveralRowFiles { count: 2, .. })
        ));
        assert_eq!(
            classify(&unit(&["1.parquet"])),
            Ok(TaskFiles::Rows {
                file: "1.parquet",
                kind: FileKind::Parquet
            })
        );
        assert!(matches!(
            classify(&unit(&["id.npy", "a.json"])),
            Err(FilesError::Mixed { .. })
        ));
    }
}
