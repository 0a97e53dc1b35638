//! Filter expressions as Milvus writes them (docs/filters.md): comparisons (`==`, `!=`,
//! `<`, `<=`, `>`, `>=`; chained `1 < a < 5`), arithmetic (`a + 1 > 3`), `in [...]` / `not in [...]`, `like`,
//! `is null` / `is not null`, `json_contains[_all|_any]`, `array_contains[_all|_any]`,
//! `array_length`, `and`/`or`/`not` (or `&& || !`), parentheses, JSON paths (`meta["a"][0]`)
//! and dynamic fields by name. [`Filter::parse`] reads the text; [`Filter::compile`] checks
//! it against a schema (fields, types) into a [`CompiledFilter`] that evaluates over a
//! segment's typed columns into a row mask. Text is at most 64 KiB and parentheses nest at
//! most 128 deep ([`limits`]): `and`/`or` chains and `not` runs are parsed in loops, so
//! parsing, compiling and evaluating recurse only once per parenthesis level.

use serde_json::Value;

use super::QueryError;
use crate::schema::limits;

mod compile;
mod eval;
mod fields;
mod lex;
mod parse;
mod pred;

pub use compile::CompiledFilter;

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
    /// `operand like "pattern"` (`%` any run, `_` one character, `\` escapes).
    Like(Operand, String),
    /// `operand is null`.
    IsNull(Operand),
    /// `json_contains(f, v)` / `array_contains(f, v)` and their `_all` / `_any` forms
    /// (`values` is then the list).
    Contains(Contains, Operand, Value),
}

/// Which `*_contains` function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contains {
    /// `json_contains` / `array_contains`: the value is an element.
    One,
    /// `*_contains_all`: every listed value is an element.
    All,
    /// `*_contains_any`: some listed value is an element.
    Any,
}

/// One step of a path into a JSON or Array value.
#[derive(Debug, Clone, PartialEq)]
pub enum PathKey {
    /// `["key"]`
    Key(String),
    /// `[0]`
    Index(usize),
}

/// Something a comparison reads: a field, a literal, arithmetic, `array_length(...)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A field (schema or dynamic) by name, then a path into its value (`meta["a"][0]`).
    Field(String, Vec<PathKey>),
    /// A literal value.
    Lit(Value),
    /// `left op right`.
    Arith(Box<Operand>, ArithOp, Box<Operand>),
    /// `array_length(field)`.
    Length(Box<Operand>),
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

impl CmpOp {
    fn text(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Arithmetic operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl ArithOp {
    fn text(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        }
    }
}

impl Filter {
    /// Parses an expression such as `word_count > 10 and book_id in [101, 103]`.
    /// Refuses text over [`limits::MAX_FILTER_BYTES`] and parentheses or brackets nested
    /// deeper than [`limits::MAX_FILTER_DEPTH`] before any recursion.
    pub fn parse(text: &str) -> Result<Filter, QueryError> {
        limits::check(
            "filter length in bytes",
            text.len(),
            limits::MAX_FILTER_BYTES,
        )?;
        parse::tokens(lex::tokenize(text)?, text.len())
    }
}

#[cfg(test)]
mod tests;
