//! Checking one JSON row against the schema and appending it to a batch, reading the row's
//! text once, straight into the columns (no document tree is built).

use std::collections::HashMap;

use super::RowError;
use crate::location::RowLocation;
use crate::record::{Column, ColumnData, RowBatch};
use crate::schema::{CollectionSchema, DataType, FieldSchema, META_FIELD};

mod convert;
mod fault;
mod lex;
mod sparse;
mod value;

use convert::convert;
use fault::to_row_error;
use lex::{Fault, Lexer, rule, unescape};
use value::{canonical, check_json, describe, kind, members, sort_members, write_object};

/// What a key of a row names.
#[derive(Clone, Copy)]
enum Slot {
    /// A declared field, by index.
    Field(usize),
    /// `$meta` in a collection with dynamic fields.
    Meta,
    /// Anything else.
    Other,
}

/// Converts JSON rows into columns, enforcing the schema's rules.
///
/// Holds per-schema lookups and scratch space; make one per worker and reuse it.
pub struct JsonRowConverter {
    schema: CollectionSchema,
    by_name: HashMap<String, usize>,
    /// Element schema of each Array field.
    elems: Vec<Option<FieldSchema>>,
    /// A one-row column holding each field's default value, if it has one.
    defaults: Vec<Option<Column>>,
    seen: Vec<bool>,
    /// The slot of the k-th key of the last row: rows of a file repeat their key order.
    order: Vec<Slot>,
    key: String,
    /// The last key that named no field.
    other: String,
    /// Dynamic keys of the current row and their canonical values.
    extra: Vec<(String, String)>,
}

impl JsonRowConverter {
    /// The schema rows are checked against.
    pub fn schema(&self) -> &CollectionSchema {
        &self.schema
    }

    /// Prepares a converter; fails if a field's default value does not fit its type.
    pub fn new(schema: &CollectionSchema) -> Result<Self, RowError> {
        let by_name = schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        let elems: Vec<Option<FieldSchema>> = schema
            .fields
            .iter()
            .map(|f| {
                let et = f.element_type.filter(|_| f.data_type == DataType::Array)?;
                let mut e = FieldSchema::new(f.name.clone(), et);
                e.max_length = f.max_length;
                Some(e)
            })
            .collect();
        let mut defaults = Vec::with_capacity(schema.fields.len());
        let loc = RowLocation::row("schema", 0);
        for (f, elem) in schema.fields.iter().zip(&elems) {
            let Some(dv) = &f.default_value else {
                defaults.push(None);
                continue;
            };
            let text = serde_json::to_string(dv).unwrap_or_default();
            let mut data = ColumnData::empty_for(f, 1);
            let mut lx = Lexer::new(text.as_bytes());
            convert(f, elem.as_ref(), &mut lx, &mut data).map_err(|fault| {
                let mut e = to_row_error(fault, text.as_bytes(), &loc);
                e.expected = format!("a default value that is {}", e.expected);
                e
            })?;
            defaults.push(Some(Column {
                data,
                validity: None,
            }));
        }
        Ok(JsonRowConverter {
            schema: schema.clone(),
            by_name,
            elems,
            defaults,
            seen: vec![false; schema.fields.len()],
            order: Vec::new(),
            key: String::new(),
            other: String::new(),
            extra: Vec::new(),
        })
    }

    /// Checks `row`, the text of one row (at `loc`), and appends it to `batch`. On error
    /// `batch` is left as it was.
    pub fn push_row(
        &mut self,
        row: &[u8],
        loc: &RowLocation,
        batch: &mut RowBatch,
    ) -> Result<(), RowError> {
        let before = batch.len();
        match self.read_row(row, true, before, batch) {
            Ok(_) => Ok(()),
            Err(fault) => {
                batch.truncate(before);
                Err(to_row_error(fault, row, loc))
            }
        }
    }

    /// Reads the row object that `text` starts with (whatever follows it is not looked
    /// at), appends it to `batch` and returns its length: one pass over the row, for a
    /// caller whose framer has already checked where rows end. On error `batch` is left as
    /// it was and the error is only a hint: the caller should cut the row out and call
    /// [`JsonRowConverter::push_row`], whose message names the fault precisely.
    pub fn push_row_prefix(
        &mut self,
        text: &[u8],
        loc: &RowLocation,
        batch: &mut RowBatch,
    ) -> Result<usize, RowError> {
        let before = batch.len();
        match self.read_row(text, false, before, batch) {
            Ok(len) => Ok(len),
            Err(fault) => {
                batch.truncate(before);
                Err(to_row_error(fault, text, loc))
            }
        }
    }

    /// Reads one row object at the start of `row`; `whole`: nothing may follow it. Returns
    /// the offset just past the object.
    fn read_row(
        &mut self,
        row: &[u8],
        whole: bool,
        before: usize,
        batch: &mut RowBatch,
    ) -> Result<usize, Fault> {
        let mut lx = Lexer::new(row);
        if lx.peek() != Some(b'{') {
            let at = lx.pos;
            lx.skip_value(0)?;
            lx.end()?;
            return Err(rule("", "a JSON object (one row)", describe(row, at)));
        }
        lx.pos += 1;
        self.seen.iter_mut().for_each(|s| *s = false);
        self.extra.clear();
        let mut meta: Option<Vec<(String, String)>> = None;
        let mut k = 0;
        if !lx.eat(b'}') {
            loop {
                let slot = self.slot(&mut lx, k)?;
                self.read_value(slot, &mut lx, &mut meta, before, batch)?;
                k += 1;
                if !lx.more(b'}')? {
                    break;
                }
            }
        }
        let len = lx.pos;
        if whole {
            lx.end()?;
        }
        self.fill_missing(batch)?;
        if let Some(out) = &mut batch.meta {
            out.push(merge_meta(meta.unwrap_or_default(), &mut self.extra)?);
        }
        Ok(len)
    }

    /// Reads the `k`-th key of the row (and its `:`) and tells what it names.
    #[inline]
    fn slot(&mut self, lx: &mut Lexer<'_>, k: usize) -> Result<Slot, Fault> {
        let key = lx.key(&mut self.key)?;
        let fields = &self.schema.fields;
        if let Some(Slot::Field(i)) = self.order.get(k)
            && fields[*i].name == key
        {
            return Ok(Slot::Field(*i));
        }
        let slot = match self.by_name.get(key) {
            Some(&i) => Slot::Field(i),
            None if key == META_FIELD && self.schema.enable_dynamic_field => Slot::Meta,
            None => {
                self.other.clear();
                self.other.push_str(key);
                Slot::Other
            }
        };
        if let Slot::Field(_) = slot {
            if self.order.len() <= k {
                self.order.resize(k + 1, Slot::Other);
            }
            self.order[k] = slot;
        }
        Ok(slot)
    }

    fn read_value(
        &mut self,
        slot: Slot,
        lx: &mut Lexer<'_>,
        meta: &mut Option<Vec<(String, String)>>,
        before: usize,
        batch: &mut RowBatch,
    ) -> Result<(), Fault> {
        lx.peek();
        match slot {
            Slot::Field(i) => {
                let field = &self.schema.fields[i];
                if self.schema.is_auto_id_field(i) {
                    return Err(rule(
                        &field.name,
                        "no value (the primary key is auto-generated)",
                        describe(lx.b, lx.pos),
                    ));
                }
                let col = &mut batch.columns[i];
                if self.seen[i] {
                    col.truncate(before); // a repeated key: the last one wins
                }
                self.seen[i] = true;
                let default = self.defaults[i].as_ref();
                if lx.b.get(lx.pos) == Some(&b'n') && (default.is_some() || field.nullable) {
                    lx.literal()?;
                    match default {
                        Some(d) => _ = col.push_from(d, 0),
                        None => push_null(col),
                    }
                    return Ok(());
                }
                convert(field, self.elems[i].as_ref(), lx, &mut col.data)?;
                if let Some(v) = &mut col.validity {
                    v.push(true);
                }
            }
            Slot::Meta => *meta = Some(meta_object(lx)?),
            Slot::Other if self.schema.enable_dynamic_field => {
                let mut value = String::new();
                canonical(lx, &mut value, 1, &self.other)?;
                self.extra.push((self.other.clone(), value));
            }
            Slot::Other => {
                return Err(rule(
                    &self.other,
                    "only fields of the schema (the collection has no dynamic field)",
                    format!("unknown field \"{}\"", self.other),
                ));
            }
        }
        Ok(())
    }

    /// Fills the fields the row left out: generated id, default, null, or an error.
    fn fill_missing(&self, batch: &mut RowBatch) -> Result<(), Fault> {
        for (i, field) in self.schema.fields.iter().enumerate() {
            if self.seen[i] {
                continue;
            }
            let col = &mut batch.columns[i];
            if self.schema.is_auto_id_field(i) {
                col.data.push_placeholder(); // filled with generated ids after parsing
                if let Some(v) = &mut col.validity {
                    v.push(true);
                }
            } else if let Some(default) = &self.defaults[i] {
                col.push_from(default, 0);
            } else if field.nullable {
                push_null(col);
            } else {
                let label = type_label(field);
                let a = if label.starts_with(['A', 'I']) {
                    "an"
                } else {
                    "a"
                };
                return Err(rule(
                    &field.name,
                    format!("{a} {label} value"),
                    "no value (the field is missing)",
                ));
            }
        }
        Ok(())
    }
}

fn push_null(col: &mut Column) {
    col.data.push_placeholder();
    if let Some(v) = &mut col.validity {
        v.push(false);
    }
}

const META_WANT: &str = "a JSON object or a string holding one";

/// Reads `$meta`: an object, or a string holding one; returns its sorted members.
fn meta_object(lx: &mut Lexer<'_>) -> Result<Vec<(String, String)>, Fault> {
    let start = lx.pos;
    match lx.b.get(start) {
        Some(b'{') => members(lx, 1, META_FIELD),
        Some(b'"') => {
            let (raw, escaped) = lx.string()?;
            let mut text = String::new();
            if escaped {
                unescape(raw, &mut text);
            } else {
                text.push_str(raw);
            }
            if let Err(e) = check_json(&text) {
                return Err(rule(
                    META_FIELD,
                    META_WANT,
                    format!("a string that is not JSON ({e})"),
                ));
            }
            let mut inner = Lexer::new(text.as_bytes());
            if inner.peek() != Some(b'{') {
                let found = format!("a string holding {}", kind(text.as_bytes(), 0));
                return Err(rule(META_FIELD, META_WANT, found));
            }
            members(&mut inner, 1, META_FIELD)
                .map_err(|_| rule(META_FIELD, META_WANT, "a string that is not JSON"))
        }
        _ => {
            lx.skip_value(1)?;
            Err(rule(META_FIELD, META_WANT, describe(lx.b, start)))
        }
    }
}

/// `$meta`'s text: the given members and the row's dynamic keys, sorted; a key in both is
/// an error.
fn merge_meta(
    mut merged: Vec<(String, String)>,
    extra: &mut Vec<(String, String)>,
) -> Result<String, Fault> {
    sort_members(extra);
    if let Some((k, _)) = extra
        .iter()
        .find(|(k, _)| merged.binary_search_by(|m| m.0.as_str().cmp(k)).is_ok())
    {
        return Err(rule(
            k,
            "each dynamic key once",
            format!("key \"{k}\" both in $meta and at the top level"),
        ));
    }
    merged.append(extra);
    merged.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    write_object(&merged, &mut out);
    Ok(out)
}

fn type_label(field: &FieldSchema) -> String {
    match (field.data_type, field.dim, field.element_type) {
        (t, Some(dim), _) if t.is_dense_vector() => format!("{t}({dim})"),
        (DataType::Array, _, Some(et)) => format!("Array<{et}>"),
        (t, _, _) => t.to_string(),
    }
}
