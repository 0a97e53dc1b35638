//! The header row: which field (or `$meta`, or dynamic key) each column fills, and what the
//! fields it leaves out get, decided once per file by the rule book.

use std::collections::HashMap;

use super::CsvError;
use super::cells::Cells;
use crate::schema::{CollectionSchema, META_FIELD};
use crate::validate::{self, Fill, Violation};

/// What one column of the file fills.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slot {
    /// The schema's field at this index.
    Field(usize),
    /// `$meta`: a JSON object.
    Meta,
    /// A dynamic key (a column that names no field), kept in `$meta` as a string.
    Extra(String),
    /// A column named again later: the last one wins, as a repeated key in a JSON row.
    Skip,
}

/// A file's header, checked against the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvHeader {
    /// One slot per column, in file order.
    pub columns: Vec<Slot>,
    /// The fields no column names, and what each row gets for them.
    pub missing: Vec<(usize, Fill)>,
}

/// The cells of one record, `text` (its newline excluded).
pub(crate) fn cells(text: &[u8], sep: u8) -> Vec<Vec<u8>> {
    let text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
    let mut cells = Cells::default();
    if cells.read(text, sep, &mut 0).is_none() {
        return Vec::new();
    }
    (0..cells.len())
        .map(|k| cells.get(text, k).to_vec())
        .collect()
}

impl CsvHeader {
    /// Reads the header record `text` (at `line` of `file`) and checks it against `schema`:
    /// an auto-generated primary key may not be a column; a column that names no field is
    /// a dynamic key, refused without dynamic fields; a field no column names must be
    /// nullable, have a default, or be the auto-generated key.
    pub fn parse(
        file: &str,
        line: u64,
        text: &[u8],
        sep: u8,
        schema: &CollectionSchema,
    ) -> Result<CsvHeader, CsvError> {
        let refuse = |rule: Violation| CsvError::Header {
            file: file.to_string(),
            line,
            rule,
        };
        let by_name: HashMap<&str, usize> = schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.as_str(), i))
            .collect();
        let mut columns: Vec<Slot> = Vec::new();
        let mut named: HashMap<String, usize> = HashMap::new();
        for cell in cells(text, sep) {
            let name = String::from_utf8_lossy(&cell).into_owned();
            let slot = match by_name.get(name.as_str()) {
                Some(&i) if schema.is_generated(i) => {
                    let found = format!("a column \"{name}\" in the header");
                    return Err(refuse(validate::auto_id_given(&schema.fields[i], found)));
                }
                Some(&i) => Slot::Field(i),
                None if !schema.enable_dynamic_field => {
                    return Err(refuse(validate::unknown_key(&name)));
                }
                None if name == META_FIELD => Slot::Meta,
                None => Slot::Extra(name.clone()),
            };
            if let Some(earlier) = named.insert(name, columns.len()) {
                columns[earlier] = Slot::Skip;
            }
            columns.push(slot);
        }
        let mut missing = Vec::new();
        for (i, f) in schema.fields.iter().enumerate() {
            if !columns.contains(&Slot::Field(i)) {
                let how =
                    validate::missing(schema, i, f.default_value.is_some()).map_err(refuse)?;
                missing.push((i, how));
            }
        }
        Ok(CsvHeader { columns, missing })
    }
}
