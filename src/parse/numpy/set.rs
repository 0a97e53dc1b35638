//! A column set: the `.npy` files of one import task, matched to the schema's fields and
//! checked together (names, dtypes, shapes, sizes, row counts) before any row is read.

use std::collections::BTreeMap;

use super::{ColumnPlan, NpyError, NpyHeader, check_column, check_meta_column};
use crate::schema::{CollectionSchema, META_FIELD};

/// One file of a column set, with its decoded header.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyFile {
    /// Path as the user gave it; the part after the last `/` names the field.
    pub path: String,
    /// The file's header.
    pub header: NpyHeader,
    /// The file's length in bytes.
    pub len: u64,
}

/// A checked column set.
#[derive(Debug, Clone, PartialEq)]
pub struct NpySetPlan {
    /// (index of the field in `schema.fields`, plan), in schema order.
    pub columns: Vec<(usize, ColumnPlan)>,
    /// `$meta.npy`, when given.
    pub meta: Option<ColumnPlan>,
    /// Rows in every file.
    pub rows: u64,
}

/// The field-naming part of a path: after the last `/`, without `.npy`.
fn stem(path: &str) -> Option<&str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".npy").filter(|s| !s.is_empty())
}

/// Which file (by index into the paths) each field gets, and which is `$meta.npy`.
struct Assignment {
    by_field: BTreeMap<usize, usize>,
    meta: Option<usize>,
}

fn assign<'a>(
    schema: &CollectionSchema,
    paths: impl Iterator<Item = &'a str> + Clone,
) -> Result<Assignment, NpyError> {
    let mut by_field = BTreeMap::new();
    let mut meta = None;
    for (i, path) in paths.clone().enumerate() {
        let stem = stem(path).ok_or_else(|| NpyError::BadFileName {
            file: path.to_string(),
        })?;
        let earlier = if stem == META_FIELD {
            if !schema.enable_dynamic_field {
                return Err(NpyError::MetaNotAllowed {
                    file: path.to_string(),
                });
            }
            meta.replace(i)
        } else {
            let (index, field) = schema.field(stem).ok_or_else(|| NpyError::UnknownFile {
                file: path.to_string(),
                stem: stem.to_string(),
            })?;
            if let Some(function) = &field.function {
                return Err(NpyError::FunctionOutputFile {
                    file: path.to_string(),
                    field: field.name.clone(),
                    function: function.clone(),
                });
            }
            if schema.is_generated(index) {
                return Err(NpyError::AutoIdFile {
                    file: path.to_string(),
                    field: field.name.clone(),
                });
            }
            by_field.insert(index, i)
        };
        if let Some(other) = earlier.and_then(|j| paths.clone().nth(j)) {
            return Err(NpyError::DuplicateFile {
                file: path.to_string(),
                field: stem.to_string(),
                other: other.to_string(),
            });
        }
    }
    for (index, field) in schema.fields.iter().enumerate() {
        if !schema.is_generated(index) && !by_field.contains_key(&index) {
            return Err(NpyError::MissingFile {
                file: format!("{}.npy", field.name),
                field: field.name.clone(),
                given: paths.map(str::to_string).collect(),
            });
        }
    }
    Ok(Assignment { by_field, meta })
}

/// Checks the file names of a column set before anything is read: each path is
/// `<field>.npy` for a field of `schema` (files matching no field are refused, where Milvus
/// 2.4+ ignores them), `$meta.npy` only with dynamic fields; no field has two files, the
/// auto-id primary key has none and every other field has one (`$meta.npy` is optional).
pub fn check_names(schema: &CollectionSchema, paths: &[&str]) -> Result<(), NpyError> {
    assign(schema, paths.iter().copied()).map(|_| ())
}

/// Matches `files` to the fields of `schema` and checks the set before any row is read:
/// the names ([`check_names`]), each file against its field ([`check_column`]: dtype,
/// shape, size), and that all files have the same number of rows.
pub fn plan_set(schema: &CollectionSchema, files: &[NpyFile]) -> Result<NpySetPlan, NpyError> {
    let Assignment { by_field, meta } = assign(schema, files.iter().map(|f| f.path.as_str()))?;
    let columns = by_field
        .into_iter()
        .map(|(index, i)| {
            let f = &files[i];
            check_column(&f.path, f.header.clone(), f.len, &schema.fields[index])
                .map(|plan| (index, plan))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let meta = meta
        .map(|i| &files[i])
        .map(|f| check_meta_column(&f.path, f.header.clone(), f.len))
        .transpose()?;

    let mut plans = columns.iter().map(|(_, p)| p).chain(meta.as_ref());
    let rows = match plans.next() {
        Some(first) => {
            for p in plans {
                if p.rows != first.rows {
                    return Err(NpyError::RowCountMismatch {
                        file: p.file.clone(),
                        rows: p.rows,
                        other_file: first.file.clone(),
                        other_rows: first.rows,
                    });
                }
            }
            first.rows
        }
        None => 0,
    };
    Ok(NpySetPlan {
        columns,
        meta,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::numpy::parse_header;

    const BOOK: &str = r#"{"collectionName": "book",
        "schema": {"autoId": false, "enableDynamicField": true, "fields": [
            {"fieldName": "book_id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "word_count", "dataType": "Int64"},
            {"fieldName": "book_intro", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}]}}"#;

    fn schema(auto_id: bool, dynamic: bool) -> CollectionSchema {
        let text = BOOK
            .replace("\"autoId\": false", &format!("\"autoId\": {auto_id}"))
            .replace(
                "\"enableDynamicField\": true",
                &format!("\"enableDynamicField\": {dynamic}"),
            );
        CollectionSchema::from_json(text.as_bytes(), 16).unwrap()
    }

    fn file(path: &str, descr: &str, shape: &str) -> NpyFile {
        let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}\n");
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend((dict.len() as u16).to_le_bytes());
        bytes.extend(dict.as_bytes());
        let header = parse_header(path, &bytes).unwrap();
        let len = header.data_offset + header.data_len();
        NpyFile {
            path: path.to_string(),
            header,
            len,
        }
    }

    fn book(rows: u64) -> Vec<NpyFile> {
        vec![
            file("d/book_intro.npy", "<f4", &format!("({rows}, 2)")),
            file("d/book_id.npy", "<i8", &format!("({rows},)")),
            file("d/word_count.npy", "<i8", &format!("({rows},)")),
        ]
    }

    fn err(schema: &CollectionSchema, files: &[NpyFile]) -> String {
        plan_set(schema, files).unwrap_err().to_string()
    }

    #[test]
    fn book_set_in_schema_order() {
        let mut files = book(5);
        files.push(file("d/$meta.npy", "<U40", "(5,)"));
        let plan = plan_set(&schema(false, true), &files).unwrap();
        assert_eq!(plan.rows, 5);
        let order: Vec<_> = plan
            .columns
            .iter()
            .map(|(i, p)| (*i, p.field_name.as_str()))
            .collect();
        assert_eq!(
            order,
            [(0, "book_id"), (1, "word_count"), (2, "book_intro")]
        );
        assert!(plan.meta.unwrap().is_meta);
        // $meta is optional.
        assert!(
            plan_set(&schema(false, true), &book(5))
                .unwrap()
                .meta
                .is_none()
        );
    }

    #[test]
    fn names_are_checked() {
        let s = schema(false, true);
        let mut files = book(5);
        files.push(file("x/title.npy", "<i8", "(5,)"));
        assert_eq!(
            err(&s, &files),
            "x/title.npy: no field named \"title\" in the collection"
        );
        let mut files = book(5);
        files.push(file("x/book_id.npy", "<i8", "(5,)"));
        assert_eq!(
            err(&s, &files),
            "x/book_id.npy: a second file for field \"book_id\" (the first is d/book_id.npy)"
        );
        let e = plan_set(&s, &book(5)[..2]).unwrap_err();
        assert!(
            matches!(&e, NpyError::MissingFile { field, .. } if field == "word_count"),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            "word_count.npy: missing: field \"word_count\" needs this file \
             (files given: d/book_intro.npy, d/book_id.npy)"
        );
        let mut files = book(5);
        files.push(file("d/$meta.npy", "<U40", "(5,)"));
        assert!(err(&schema(false, false), &files).contains("enableDynamicField is false"));
        files[3].path = "d/book_id.NPY".into();
        assert!(err(&s, &files).contains("<field>.npy"));
        files[3].path = "d/.npy".into();
        assert!(err(&s, &files).contains("<field>.npy"));
    }

    #[test]
    fn auto_id_pk_takes_no_file() {
        let s = schema(true, false);
        let e = err(&s, &book(5));
        assert!(
            e.starts_with("d/book_id.npy: field \"book_id\" is an auto-id primary key"),
            "{e}"
        );
        let files: Vec<_> = book(5)
            .into_iter()
            .filter(|f| !f.path.ends_with("book_id.npy"))
            .collect();
        let plan = plan_set(&s, &files).unwrap();
        assert_eq!(plan.columns.len(), 2);
        assert_eq!(plan.columns[0].0, 1);
    }

    #[test]
    fn row_counts_must_agree() {
        let s = schema(false, true);
        let mut files = book(5);
        files[2] = file("d/word_count.npy", "<i8", "(4,)");
        let e = plan_set(&s, &files).unwrap_err();
        assert_eq!(
            e,
            NpyError::RowCountMismatch {
                file: "d/word_count.npy".into(),
                rows: 4,
                other_file: "d/book_id.npy".into(),
                other_rows: 5,
            }
        );
        assert_eq!(
            e.to_string(),
            "d/word_count.npy: 4 rows, but d/book_id.npy has 5 rows"
        );
        let mut files = book(5);
        files.push(file("d/$meta.npy", "<U40", "(6,)"));
        assert!(err(&s, &files).starts_with("d/$meta.npy: 6 rows"));
    }

    #[test]
    fn columns_are_checked_before_rows() {
        let s = schema(false, true);
        let mut files = book(5);
        files[0] = file("d/book_intro.npy", "<f4", "(5, 3)");
        assert_eq!(
            err(&s, &files),
            "d/book_intro.npy: field \"book_intro\": expected shape (rows, 2) of float32/float64, \
             found (5, 3) <f4"
        );
        files[0] = file("d/book_intro.npy", "<f4", "(5, 2)");
        files[0].len += 1;
        assert!(err(&s, &files).contains("1 trailing bytes"));
    }
}
