//! One value's JSON text, converted for one field: the entry the CSV reader uses for the
//! cells that hold JSON (vectors, arrays, sparse vectors, JSON fields, `$meta`), so those
//! cells follow exactly the rules of JSON rows.

use super::JsonRowConverter;
use super::convert::convert;
use super::lex::{Fault, Lexer};
use super::value::{describe, members};
use crate::record::Column;
use crate::schema::META_FIELD;
use crate::validate::{self, Violation};

/// What a syntax fault at `at` of `text` (one cell) found, for a message.
fn not_json(text: &[u8], at: usize, what: &str) -> String {
    let found = match text.get(at) {
        None => "the end of the cell".to_string(),
        Some(_) => {
            let s = String::from_utf8_lossy(&text[at..text.len().min(at + 4)]);
            format!("{:?}", s.chars().next().unwrap_or('?'))
        }
    };
    format!("a cell that is not JSON ({at} bytes in: expected {what}, found {found})")
}

impl JsonRowConverter {
    /// The default value of field `index` as a one-row column, when it has one.
    pub(crate) fn default_of(&self, index: usize) -> Option<&Column> {
        self.defaults.get(index).and_then(Option::as_ref)
    }

    /// Converts `text`, exactly one JSON value (whitespace around it allowed), for field
    /// `index` and appends it to `col` as a valid row. On error `col` may hold a partial
    /// value: the caller truncates the batch.
    pub(crate) fn push_value_text(
        &self,
        index: usize,
        text: &[u8],
        col: &mut Column,
    ) -> Result<(), Violation> {
        let field = &self.schema.fields[index];
        let mut lx = Lexer::new(text);
        let done = convert(field, self.elems[index].as_ref(), &mut lx, &mut col.data)
            .and_then(|()| lx.end());
        match done {
            Ok(()) => {
                if let Some(v) = &mut col.validity {
                    v.push(true);
                }
                Ok(())
            }
            Err(Fault::Rule(v)) => {
                // A syntax error later in the cell wins, as for a row.
                let mut whole = Lexer::new(text);
                match whole.skip_value(0).and_then(|()| whole.end()) {
                    Err(Fault::Syntax { at, what }) => {
                        Err(validate::wrong_type(field, not_json(text, at, what)))
                    }
                    _ => Err(*v),
                }
            }
            Err(Fault::Syntax { at, what }) => {
                Err(validate::wrong_type(field, not_json(text, at, what)))
            }
        }
    }
}

/// `text`, a `$meta` cell: one JSON object; returns its members sorted by key (values as
/// canonical JSON text), as a row's `$meta` object gives them.
pub(crate) fn meta_members_text(text: &[u8]) -> Result<Vec<(String, String)>, Violation> {
    let mut lx = Lexer::new(text);
    if lx.peek() != Some(b'{') {
        let at = lx.pos;
        return Err(match lx.skip_value(0).and_then(|()| lx.end()) {
            Err(Fault::Syntax { at, what }) => validate::meta_shape(not_json(text, at, what)),
            _ => validate::meta_shape(describe(text, at)),
        });
    }
    match members(&mut lx, 1, META_FIELD).and_then(|m| lx.end().map(|()| m)) {
        Ok(m) => Ok(m),
        Err(Fault::Rule(v)) => Err(*v),
        Err(Fault::Syntax { at, what }) => Err(validate::meta_shape(not_json(text, at, what))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ColumnData;
    use crate::schema::CollectionSchema;

    fn converter() -> JsonRowConverter {
        let text = r#"{"collectionName": "c", "schema": {"fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "v", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}},
            {"fieldName": "j", "dataType": "JSON", "nullable": true}]}}"#;
        let schema = CollectionSchema::from_json(text.as_bytes(), 1).unwrap();
        JsonRowConverter::new(&schema).unwrap()
    }

    #[test]
    fn a_cell_converts_as_a_row_value_does() {
        let conv = converter();
        let mut v = Column::empty_for(&conv.schema().fields[1], 1);
        conv.push_value_text(1, b" [1.5, 2] ", &mut v).unwrap();
        assert_eq!(
            v.data,
            ColumnData::FloatVector {
                dim: 2,
                values: vec![1.5, 2.0]
            }
        );
        let err = conv.push_value_text(1, b"[1.5]", &mut v).unwrap_err();
        assert_eq!(err.expected, "2 floats");
        let err = conv.push_value_text(1, b"[1.5, x]", &mut v).unwrap_err();
        assert!(
            err.found.starts_with("a cell that is not JSON (6 bytes in"),
            "{err}"
        );
        let mut j = Column::empty_for(&conv.schema().fields[2], 1);
        conv.push_value_text(2, br#"{"b": 1, "a": [true]}"#, &mut j)
            .unwrap();
        assert_eq!(
            j.data,
            ColumnData::Json(vec![r#"{"a":[true],"b":1}"#.into()])
        );
        assert_eq!(j.validity, Some(vec![true]));
    }

    #[test]
    fn a_meta_cell_is_one_object() {
        let m = meta_members_text(br#"{"z": 1, "a": "x"}"#).unwrap();
        assert_eq!(
            m,
            vec![("a".into(), "\"x\"".into()), ("z".into(), "1".into())]
        );
        for bad in [&b"[1]"[..], b"5", b"{\"a\": }", b"{} x"] {
            let err = meta_members_text(bad).unwrap_err();
            assert_eq!(err.field, META_FIELD, "{err}");
        }
    }
}
