//! A compiled filter over one block of a segment: each node reads typed columns
//! ([`ColumnData`]) row by row and gives a row mask; JSON is parsed only for the JSON
//! column (or `$meta` key) a predicate names, never a whole row.

use std::cmp::Ordering;
use std::collections::HashSet;

use serde_json::Value;

use super::{ArithOp, CmpOp, Contains, PathKey};
use crate::record::{ColumnData, RowBatch, cell_to_json};

/// What a compiled operand reads.
#[derive(Debug, Clone)]
pub(super) enum Get {
    /// Column `index`, then a path into its JSON or Array value.
    Col(usize, Vec<PathKey>),
    /// `$meta`, then a path (its first key is the dynamic field).
    Meta(Vec<PathKey>),
    /// A constant.
    Lit(Value),
    Arith(Box<Get>, ArithOp, Box<Get>),
    Length(Box<Get>),
}

/// A set of literals, hashed where it can be (`id in [...]`, `--ids`).
#[derive(Debug, Clone, Default)]
pub(super) struct ValueSet {
    pub ints: HashSet<i64>,
    pub strs: HashSet<String>,
    pub others: Vec<Value>,
}

/// A compiled node: small (leaves are boxed), so recursion over it takes little stack.
#[derive(Debug, Clone)]
pub(super) enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Leaf(Box<Leaf>),
}

impl Node {
    pub(super) fn leaf(l: Leaf) -> Node {
        Node::Leaf(Box::new(l))
    }
}

/// A predicate.
#[derive(Debug, Clone)]
pub(super) enum Leaf {
    Cmp(Get, CmpOp, Get),
    In(Get, ValueSet),
    Like(Get, Vec<Pat>),
    IsNull(Get),
    Contains(Contains, Get, Vec<Value>),
}

/// One piece of a `like` pattern.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Pat {
    Any,
    One,
    Char(char),
}

/// One row's value of an operand.
enum Item<'a> {
    Missing,
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(&'a str),
    Ref(&'a Value),
    Owned(Value),
}

/// A comparable view of an [`Item`].
#[derive(Clone, Copy)]
enum Sc<'a> {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(&'a str),
    Other(&'a Value),
}

fn sc_of_value(v: &Value) -> Option<Sc<'_>> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => Sc::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Sc::Int(i),
            None => Sc::Float(n.as_f64()?),
        },
        Value::String(s) => Sc::Str(s),
        other => Sc::Other(other),
    })
}

impl Item<'_> {
    fn sc(&self) -> Option<Sc<'_>> {
        Some(match self {
            Item::Missing => return None,
            Item::Int(i) => Sc::Int(*i),
            Item::Float(f) => Sc::Float(*f),
            Item::Bool(b) => Sc::Bool(*b),
            Item::Str(s) => Sc::Str(s),
            Item::Ref(v) => return sc_of_value(v),
            Item::Owned(v) => return sc_of_value(v),
        })
    }
    fn value(&self) -> Option<&Value> {
        match self {
            Item::Ref(v) => Some(v),
            Item::Owned(v) => Some(v),
            _ => None,
        }
    }
}

fn compare(a: Sc<'_>, b: Sc<'_>) -> Option<Ordering> {
    match (a, b) {
        (Sc::Int(x), Sc::Int(y)) => Some(x.cmp(&y)),
        (Sc::Int(x), Sc::Float(y)) => (x as f64).partial_cmp(&y),
        (Sc::Float(x), Sc::Int(y)) => x.partial_cmp(&(y as f64)),
        (Sc::Float(x), Sc::Float(y)) => x.partial_cmp(&y),
        (Sc::Str(x), Sc::Str(y)) => Some(x.cmp(y)),
        (Sc::Bool(x), Sc::Bool(y)) => Some(x.cmp(&y)),
        (Sc::Other(x), Sc::Other(y)) => (x == y).then_some(Ordering::Equal),
        _ => None,
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (sc_of_value(a), sc_of_value(b)) {
        (Some(x), Some(y)) => compare(x, y) == Some(Ordering::Equal),
        _ => false,
    }
}

fn walk<'v>(mut v: &'v Value, path: &[PathKey]) -> Option<&'v Value> {
    for key in path {
        v = match key {
            PathKey::Key(k) => v.get(k)?,
            PathKey::Index(i) => v.get(*i)?,
        };
    }
    Some(v)
}

fn json_at(text: &str, path: &[PathKey]) -> Item<'static> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => walk(&v, path).map_or(Item::Missing, |v| Item::Owned(v.clone())),
        Err(_) => Item::Missing,
    }
}

fn cell<'a>(data: &'a ColumnData, row: usize, path: &[PathKey]) -> Item<'a> {
    match (data, path) {
        (ColumnData::Bool(v), []) => Item::Bool(v[row]),
        (ColumnData::Int8(v), []) => Item::Int(i64::from(v[row])),
        (ColumnData::Int16(v), []) => Item::Int(i64::from(v[row])),
        (ColumnData::Int32(v), []) => Item::Int(i64::from(v[row])),
        (ColumnData::Int64(v), []) | (ColumnData::Timestamptz(v), []) => Item::Int(v[row]),
        (ColumnData::Float(v), []) => Item::Float(f64::from(v[row])),
        (ColumnData::Double(v), []) => Item::Float(v[row]),
        (ColumnData::VarChar(v), []) => Item::Str(&v[row]),
        (ColumnData::Json(v), path) => json_at(&v[row], path),
        (ColumnData::Array(_), []) => Item::Owned(cell_to_json(data, row)),
        (ColumnData::Array(v), [PathKey::Index(i), rest @ ..]) if *i < v[row].len() => {
            cell(&v[row], *i, rest)
        }
        _ => Item::Missing,
    }
}

fn arith(a: Sc<'_>, op: ArithOp, b: Sc<'_>) -> Item<'static> {
    let int = |a: i64, b: i64| match op {
        ArithOp::Add => a.checked_add(b),
        ArithOp::Sub => a.checked_sub(b),
        ArithOp::Mul => a.checked_mul(b),
        ArithOp::Div => a.checked_div(b),
        ArithOp::Mod => a.checked_rem(b),
    };
    let float = |a: f64, b: f64| match op {
        ArithOp::Add => a + b,
        ArithOp::Sub => a - b,
        ArithOp::Mul => a * b,
        ArithOp::Div => a / b,
        ArithOp::Mod => a % b,
    };
    match (a, b) {
        (Sc::Int(x), Sc::Int(y)) => int(x, y).map_or(Item::Missing, Item::Int),
        (Sc::Int(x), Sc::Float(y)) => Item::Float(float(x as f64, y)),
        (Sc::Float(x), Sc::Int(y)) => Item::Float(float(x, y as f64)),
        (Sc::Float(x), Sc::Float(y)) => Item::Float(float(x, y)),
        _ => Item::Missing,
    }
}

impl Get {
    fn get<'a>(&'a self, batch: &'a RowBatch, row: usize) -> Item<'a> {
        match self {
            Get::Col(index, path) => {
                let col = &batch.columns[*index];
                if !col.is_valid(row) {
                    return Item::Missing;
                }
                cell(&col.data, row, path)
            }
            Get::Meta(path) => match &batch.meta {
                Some(meta) => json_at(&meta[row], path),
                None => Item::Missing,
            },
            Get::Lit(v) => Item::Ref(v),
            Get::Arith(a, op, b) => {
                let (a, b) = (a.get(batch, row), b.get(batch, row));
                match (a.sc(), b.sc()) {
                    (Some(x), Some(y)) => arith(x, *op, y),
                    _ => Item::Missing,
                }
            }
            Get::Length(inner) => match inner.get(batch, row).value() {
                Some(Value::Array(a)) => Item::Int(a.len() as i64),
                _ => Item::Missing,
            },
        }
    }
}

fn holds(op: CmpOp, a: &Item<'_>, b: &Item<'_>) -> bool {
    let (Some(a), Some(b)) = (a.sc(), b.sc()) else {
        return false;
    };
    let Some(ord) = compare(a, b) else {
        // Values of different kinds (in JSON) differ.
        return op == CmpOp::Ne;
    };
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

impl ValueSet {
    pub(super) fn insert(&mut self, v: Value) {
        match &v {
            Value::Number(n) if n.as_i64().is_some() => {
                self.ints.insert(n.as_i64().unwrap_or_default());
            }
            Value::String(s) => {
                self.strs.insert(s.clone());
            }
            _ => self.others.push(v),
        }
    }
    fn contains(&self, item: &Item<'_>) -> bool {
        let Some(x) = item.sc() else {
            return false;
        };
        let hashed = match x {
            Sc::Int(i) => self.ints.contains(&i),
            Sc::Float(f) => f.fract() == 0.0 && self.ints.contains(&(f as i64)),
            Sc::Str(s) => self.strs.contains(s),
            _ => false,
        };
        hashed
            || self
                .others
                .iter()
                .any(|v| sc_of_value(v).is_some_and(|y| compare(x, y) == Some(Ordering::Equal)))
    }
}

/// Whether `text` matches a `like` pattern (`%` any run, `_` one character): the greedy
/// wildcard match, backtracking only to the last `%` (time `O(text * pattern)`).
pub(super) fn like(text: &str, pat: &[Pat]) -> bool {
    let t: Vec<char> = text.chars().collect();
    let (mut ti, mut pi) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match pat.get(pi) {
            Some(Pat::Any) => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(Pat::One) => {
                ti += 1;
                pi += 1;
            }
            Some(Pat::Char(c)) if *c == t[ti] => {
                ti += 1;
                pi += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat[pi.min(pat.len())..].iter().all(|p| *p == Pat::Any)
}

fn contains(kind: Contains, item: &Item<'_>, values: &[Value]) -> bool {
    let Some(Value::Array(elems)) = item.value() else {
        return false;
    };
    let has = |v: &Value| elems.iter().any(|e| values_equal(e, v));
    match kind {
        Contains::One | Contains::Any => values.iter().any(has),
        Contains::All => values.iter().all(has),
    }
}

fn rows_where(rows: usize, f: impl Fn(usize) -> bool) -> Vec<bool> {
    (0..rows).map(f).collect()
}

impl Node {
    /// The rows of `batch` (of `rows` rows) this node holds for.
    pub(super) fn mask(&self, batch: &RowBatch, rows: usize) -> Vec<bool> {
        match self {
            Node::And(all) | Node::Or(all) => {
                let and = matches!(self, Node::And(_));
                let mut out = vec![and; rows];
                for n in all {
                    // Nothing left to change: every row already decided.
                    if out.iter().all(|b| *b != and) {
                        break;
                    }
                    for (o, m) in out.iter_mut().zip(n.mask(batch, rows)) {
                        *o = if and { *o && m } else { *o || m };
                    }
                }
                out
            }
            Node::Not(n) => {
                let mut m = n.mask(batch, rows);
                m.iter_mut().for_each(|b| *b = !*b);
                m
            }
            Node::Leaf(leaf) => leaf.mask(batch, rows),
        }
    }
}

impl Leaf {
    // Out of line, so the recursive `mask` frames stay small.
    #[inline(never)]
    fn mask(&self, batch: &RowBatch, rows: usize) -> Vec<bool> {
        match self {
            Leaf::Cmp(a, op, b) => {
                rows_where(rows, |r| holds(*op, &a.get(batch, r), &b.get(batch, r)))
            }
            Leaf::In(a, set) => rows_where(rows, |r| set.contains(&a.get(batch, r))),
            Leaf::Like(a, pat) => rows_where(rows, |r| match a.get(batch, r).sc() {
                Some(Sc::Str(s)) => like(s, pat),
                _ => false,
            }),
            Leaf::IsNull(a) => rows_where(rows, |r| a.get(batch, r).sc().is_none()),
            Leaf::Contains(kind, a, values) => {
                rows_where(rows, |r| contains(*kind, &a.get(batch, r), values))
            }
        }
    }
}
