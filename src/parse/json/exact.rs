//! Checking one JSON row against the schema and appending it to a batch, reading the row's
//! text once, straight into the columns (no document tree is built).

use std::collections::HashMap;

use crate::location::RowLocation;
use crate::record::{Column, ColumnData, RowBatch};
use crate::schema::{CollectionSchema, FieldSchema, META_FIELD};
use crate::validate::{self, RowError, Violation};

mod convert;
mod fault;
mod lex;
mod sparse;
mod structs;
mod text;
mod value;

use convert::convert;
use fault::to_row_error;
use lex::{Fault, Lexer, unescape};
pub(crate) use text::meta_members_text;
use value::{canonical, describe, members};

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

    /// Each field's default value as a one-row column (`None` for a field without one), as
    /// read and checked by [`JsonRowConverter::new`]: what other readers fill in too.
    pub fn defaults(&self) -> &[Option<Column>] {
        &self.defaults
    }

    /// Prepares a converter; fails if a field's default value does not fit its type.
    pub fn new(schema: &CollectionSchema) -> Result<Self, RowError> {
        let by_name = schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        let elems: Vec<Option<FieldSchema>> =
            schema.fields.iter().map(validate::nested_schema).collect();
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
            return Err(Violation::new("", "a JSON object (one row)", describe(row, at)).into());
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
            out.push(validate::merge_meta(
                meta.unwrap_or_default(),
                &mut self.extra,
            )?);
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
                if self.schema.is_generated(i) {
                    return Err(validate::auto_id_given(field, describe(lx.b, lx.pos)).into());
                }
                let col = &mut batch.columns[i];
                if self.seen[i] {
                    col.truncate(before); // a repeated key: the last one wins
                }
                self.seen[i] = true;
                let default = self.defaults[i].as_ref();
                if lx.b.get(lx.pos) == Some(&b'n') {
                    lx.literal()?;
                    validate::fill(col, validate::null(field, default.is_some())?, default);
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
            Slot::Other => return Err(validate::unknown_key(&self.other).into()),
        }
        Ok(())
    }

    /// Fills the fields the row left out: generated id, default, null, or an error.
    fn fill_missing(&self, batch: &mut RowBatch) -> Result<(), Fault> {
        for (i, seen) in self.seen.iter().enumerate() {
            if !seen {
                let default = self.defaults[i].as_ref();
                let how = validate::missing(&self.schema, i, default.is_some())?;
                validate::fill(&mut batch.columns[i], how, default);
            }
        }
        Ok(())
    }
}

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
            validate::json_object_text(&text)?;
            // The rule book checked the text: a syntax fault here would name offsets
            // inside the string, so it is said as the rule's.
            members(&mut Lexer::new(text.as_bytes()), 1, META_FIELD).map_err(|f| match f {
                Fault::Syntax { .. } => validate::meta_shape("a string that is not JSON").into(),
                rule => rule,
            })
        }
        _ => {
            lx.skip_value(1)?;
            Err(validate::meta_shape(describe(lx.b, start)).into())
        }
    }
}
