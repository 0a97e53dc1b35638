//! What inference saw of one column: the kinds of its values (each with where it was first
//! seen), nulls, the longest string, list lengths and element kinds, whether its integers
//! are unique, and the format's own type where it has one. Every reader feeds this one
//! record; [`super::rules`] turns it into a field.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use crate::location::RowLocation;

/// What a value is, as inference tells values apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// `true` / `false`.
    Bool,
    /// An integer within `i64`.
    Int,
    /// Any other number.
    Float,
    /// A string.
    Str,
    /// A JSON object.
    Object,
    /// A list.
    List,
}

impl Kind {
    /// The kind for messages: `an integer`, `a list`...
    pub fn name(self) -> &'static str {
        match self {
            Kind::Bool => "a boolean",
            Kind::Int => "an integer",
            Kind::Float => "a float",
            Kind::Str => "a string",
            Kind::Object => "an object",
            Kind::List => "a list",
        }
    }
}

/// A format's own type for a column's values or a list's elements (Parquet's Arrow types,
/// NumPy's dtypes): what the rules use where the values alone would say less.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Natural {
    /// bool.
    Bool,
    /// int8.
    Int8,
    /// int16.
    Int16,
    /// int32.
    Int32,
    /// int64.
    Int64,
    /// uint8 (bytes: binary vectors as Milvus's BulkWriter writes them).
    UInt8,
    /// uint16.
    UInt16,
    /// uint32 or uint64.
    UInt32,
    /// float16.
    Float16,
    /// float32.
    Float,
    /// float64.
    Double,
    /// A timestamp (Arrow).
    Timestamp,
}

/// Kinds with where each was first seen.
pub type Kinds = BTreeMap<Kind, RowLocation>;

/// What was seen of the lists of a column.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    /// Shortest and longest list (`None` before the first list).
    pub len: Option<(usize, usize)>,
    /// Kinds of the elements.
    pub elems: Kinds,
    /// The format's type of the elements.
    pub natural: Option<Natural>,
    /// Longest string element, in UTF-8 bytes.
    pub str_max: usize,
}

impl Lists {
    /// Records a list of `len` elements.
    pub fn length(&mut self, len: usize) {
        self.len = Some(match self.len {
            None => (len, len),
            Some((lo, hi)) => (lo.min(len), hi.max(len)),
        });
    }
}

/// What was seen of one column.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Rows that hold the column (a value or a null); rows of the sample that lack it are
    /// missing keys, counted as nulls.
    pub present: u64,
    /// Nulls among them.
    pub nulls: u64,
    /// Kinds of its values.
    pub kinds: Kinds,
    /// The format's type of its values; `mixed` once two files disagree.
    pub natural: Option<Natural>,
    /// Two files gave the column different types of their own.
    pub natural_mixed: bool,
    /// Longest string value, in UTF-8 bytes.
    pub str_max: usize,
    /// Strings seen, and how many of them hold a JSON object.
    pub strs: u64,
    /// Strings holding a JSON object.
    pub json_strs: u64,
    /// Lists.
    pub lists: Lists,
    /// The integers seen, while each was seen once (`None` once one repeats).
    pub ints: Option<HashSet<i64>>,
    /// The values are text cells (CSV): mixed kinds make a VarChar of the longest cell.
    pub text: bool,
    /// Longest cell of a text column, in bytes.
    pub text_max: usize,
    /// The format can give the values as Int64 (not so for a NumPy int32 file): the column
    /// may be the primary key.
    pub int64_ok: bool,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            present: 0,
            nulls: 0,
            kinds: Kinds::new(),
            natural: None,
            natural_mixed: false,
            str_max: 0,
            strs: 0,
            json_strs: 0,
            lists: Lists::default(),
            ints: Some(HashSet::new()),
            text: false,
            text_max: 0,
            int64_ok: true,
        }
    }
}

impl Seen {
    /// Records the format's own type of the column (once per file).
    pub fn natural(&mut self, n: Natural) {
        match self.natural {
            None if !self.natural_mixed => self.natural = Some(n),
            Some(m) if m != n => {
                self.natural = None;
                self.natural_mixed = true;
            }
            _ => {}
        }
    }

    /// Records a value of `kind`; `at` says where, asked only for a kind not seen before.
    pub fn kind(&mut self, kind: Kind, at: &dyn Fn() -> RowLocation) {
        self.present += 1;
        self.kinds.entry(kind).or_insert_with(at);
    }

    /// Records a null.
    pub fn null(&mut self) {
        self.present += 1;
        self.nulls += 1;
    }

    /// Records an integer (its uniqueness decides the primary key).
    pub fn int(&mut self, n: i64, at: &dyn Fn() -> RowLocation) {
        self.kind(Kind::Int, at);
        if let Some(set) = &mut self.ints
            && !set.insert(n)
        {
            self.ints = None;
        }
    }

    /// Records a string.
    pub fn string(&mut self, s: &str, at: &dyn Fn() -> RowLocation) {
        self.kind(Kind::Str, at);
        self.str_max = self.str_max.max(s.len());
        self.strs += 1;
        if holds_object(s) {
            self.json_strs += 1;
        }
    }

    /// Records a JSON value (a JSON row's, or a CSV cell holding a list or an object).
    pub fn json(&mut self, v: &Value, at: &dyn Fn() -> RowLocation) {
        match v {
            Value::Null => self.null(),
            Value::Bool(_) => self.kind(Kind::Bool, at),
            Value::Number(n) => match n.as_i64() {
                Some(i) => self.int(i, at),
                None => self.kind(Kind::Float, at),
            },
            Value::String(s) => self.string(s, at),
            Value::Object(_) => self.kind(Kind::Object, at),
            Value::Array(items) => {
                self.kind(Kind::List, at);
                self.lists.length(items.len());
                for item in items {
                    let kind = match item {
                        Value::Bool(_) => Kind::Bool,
                        Value::Number(n) if n.is_i64() => Kind::Int,
                        Value::Number(_) => Kind::Float,
                        Value::String(s) => {
                            self.lists.str_max = self.lists.str_max.max(s.len());
                            Kind::Str
                        }
                        Value::Object(_) | Value::Null => Kind::Object,
                        Value::Array(_) => Kind::List,
                    };
                    self.lists.elems.entry(kind).or_insert_with(at);
                }
            }
        }
    }

    /// Whether every row of a sample of `rows` holds a value (no null, no missing key).
    pub fn is_full(&self, rows: u64) -> bool {
        self.nulls == 0 && self.present >= rows
    }
}

/// Whether `s` is the text of a JSON object.
pub fn holds_object(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with('{') && serde_json::from_str::<Value>(t).is_ok_and(|v| v.is_object())
}
