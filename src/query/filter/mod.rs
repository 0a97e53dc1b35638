//! Filter expressions for `query --filter`, a subset of Milvus's boolean expressions:
//! comparisons (`== != < <= > >=`), `in [...]` / `not in [...]`, `and`/`or`/`not` (or
//! `&& || !`), parentheses. Fields are schema fields or dynamic keys; a missing value
//! compares false. Text is at most 64 KiB and parentheses nest at most 128 deep
//! ([`limits`]): `and`/`or` chains and `not` runs are parsed in loops, so the parser and
//! [`Filter::matches`] recurse only once per parenthesis level.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::QueryError;
use super::Snapshot;
use crate::record::row_to_json;
use crate::schema::limits;

mod lex;
mod parse;

use lex::tokenize;

/// A parsed filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Every one holds (`a and b and c`).
    And(Vec<Filter>),
    /// Any one holds (`a or b or c`).
    Or(Vec<Filter>),
    /// Does not hold.
    Not(Box<Filter>),
    /// `left op right`.
    Cmp(Operand, CmpOp, Operand),
    /// `operand in [values]`.
    In(Operand, Vec<Value>),
}

/// A field reference or a literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A field (schema or dynamic) by name, then keys into its JSON (`meta["a"]["b"]`).
    Field(String, Vec<String>),
    /// A literal value.
    Lit(Value),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Filter {
    /// Parses an expression such as `word_count > 10 and book_id in [101, 103]`.
    /// Refuses text over [`limits::MAX_FILTER_BYTES`] and parentheses nested deeper than
    /// [`limits::MAX_FILTER_DEPTH`] before any recursion.
    pub fn parse(text: &str) -> Result<Filter, QueryError> {
        limits::check(
            "filter length in bytes",
            text.len(),
            limits::MAX_FILTER_BYTES,
        )?;
        parse::tokens(tokenize(text)?)
    }

    /// Whether a row (field name -> value) matches.
    pub fn matches(&self, row: &Map<String, Value>) -> bool {
        match self {
            Filter::And(all) => all.iter().all(|f| f.matches(row)),
            Filter::Or(all) => all.iter().any(|f| f.matches(row)),
            Filter::Not(a) => !a.matches(row),
            leaf => leaf.leaf_matches(row),
        }
    }

    // Out of line, so the recursive `matches` frames stay small.
    #[inline(never)]
    fn leaf_matches(&self, row: &Map<String, Value>) -> bool {
        let get = |o: &Operand| -> Option<Value> {
            match o {
                Operand::Field(f, path) => path
                    .iter()
                    .try_fold(row.get(f)?, |v, k| v.get(k))
                    .cloned()
                    .filter(|v| !v.is_null()),
                Operand::Lit(v) => Some(v.clone()),
            }
        };
        match self {
            Filter::And(_) | Filter::Or(_) | Filter::Not(_) => self.matches(row),
            Filter::In(o, list) => {
                get(o).is_some_and(|v| list.iter().any(|x| compare(&v, x) == Some(Ordering::Equal)))
            }
            Filter::Cmp(l, op, r) => {
                let (Some(l), Some(r)) = (get(l), get(r)) else {
                    return false;
                };
                let Some(ord) = compare(&l, &r) else {
                    return *op == CmpOp::Ne;
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
        }
    }
}

fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => x.as_f64()?.partial_cmp(&y.as_f64()?),
        },
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => (a == b).then_some(Ordering::Equal),
    }
}

/// Rows matching `filter`, in segment order, at most `limit`.
pub fn filter_rows(
    snap: &Snapshot,
    filter: &Filter,
    output: Option<&[String]>,
    limit: usize,
) -> Result<Vec<Map<String, Value>>, QueryError> {
    let schema = &snap.schema;
    let mut out = Vec::new();
    for (_, path) in &snap.segments {
        for batch in crate::segment::read_batches(path)? {
            let batch = batch?;
            for row in 0..batch.len() {
                let full = row_to_json(schema, &batch, row, None);
                if filter.matches(&full) {
                    out.push(match output {
                        Some(_) => row_to_json(schema, &batch, row, output),
                        None => full,
                    });
                    if out.len() >= limit {
                        return Ok(out);
                    }
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
