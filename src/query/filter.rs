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

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Lit(Value),
    Op(CmpOp),
    And,
    Or,
    Not,
    In,
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
}

fn bad(what: impl Into<String>) -> QueryError {
    QueryError::BadFilter(what.into())
}

fn tokenize(s: &str) -> Result<Vec<Tok>, QueryError> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let two = s.get(i..i + 2).unwrap_or("");
        let (tok, len) = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => (Tok::LParen, 1),
            b')' => (Tok::RParen, 1),
            b'[' => (Tok::LBrack, 1),
            b']' => (Tok::RBrack, 1),
            b',' => (Tok::Comma, 1),
            _ if two == "==" => (Tok::Op(CmpOp::Eq), 2),
            _ if two == "!=" => (Tok::Op(CmpOp::Ne), 2),
            _ if two == "<=" => (Tok::Op(CmpOp::Le), 2),
            _ if two == ">=" => (Tok::Op(CmpOp::Ge), 2),
            _ if two == "&&" => (Tok::And, 2),
            _ if two == "||" => (Tok::Or, 2),
            b'<' => (Tok::Op(CmpOp::Lt), 1),
            b'>' => (Tok::Op(CmpOp::Gt), 1),
            b'!' => (Tok::Not, 1),
            b'"' | b'\'' => {
                let end = s[i + 1..]
                    .find(c as char)
                    .ok_or_else(|| bad(format!("unterminated string at byte {i}")))?;
                (
                    Tok::Lit(Value::String(s[i + 1..i + 1 + end].to_string())),
                    end + 2,
                )
            }
            b'-' | b'0'..=b'9' | b'.' => {
                let len = s[i..]
                    .find(|ch: char| {
                        !(ch.is_ascii_digit() || matches!(ch, '-' | '+' | '.' | 'e' | 'E'))
                    })
                    .unwrap_or(s.len() - i);
                let text = &s[i..i + len];
                let v: Value = serde_json::from_str(text)
                    .map_err(|_| bad(format!("bad number \"{text}\" at byte {i}")))?;
                (Tok::Lit(v), len)
            }
            _ if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let len = s[i..]
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '$'))
                    .unwrap_or(s.len() - i);
                let word = &s[i..i + len];
                let tok = match word.to_ascii_lowercase().as_str() {
                    "and" => Tok::And,
                    "or" => Tok::Or,
                    "not" => Tok::Not,
                    "in" => Tok::In,
                    "true" => Tok::Lit(Value::Bool(true)),
                    "false" => Tok::Lit(Value::Bool(false)),
                    _ => Tok::Ident(word.to_string()),
                };
                (tok, len)
            }
            _ => {
                return Err(bad(format!(
                    "unexpected character '{}' at byte {i}",
                    c as char
                )));
            }
        };
        out.push(tok);
        i += len;
    }
    Ok(out)
}

fn expected_rparen(found: Option<Tok>) -> QueryError {
    bad(format!("expected ')', found {found:?}"))
}

/// An operator waiting on the parser's stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Not,
    And,
    Or,
    Open,
}

/// Wraps the top value in the `not`s on top of the stack (an even run cancels out).
fn apply_nots(ops: &mut Vec<Op>, vals: &mut [Filter]) {
    let mut odd = false;
    while ops.last() == Some(&Op::Not) {
        ops.pop();
        odd = !odd;
    }
    if odd && let Some(top) = vals.last_mut() {
        let f = std::mem::replace(top, Filter::And(Vec::new()));
        *top = match f {
            Filter::Not(inner) => *inner,
            f => Filter::Not(Box::new(f)),
        };
    }
}

/// Combines the `and`s (and for `or` or the end, also the `or`s) on top of the stack.
fn reduce(ops: &mut Vec<Op>, vals: &mut Vec<Filter>, incoming: Op) {
    while let Some(&op) = ops.last() {
        if !(op == Op::And || (op == Op::Or && incoming == Op::Or)) {
            return;
        }
        ops.pop();
        let (Some(right), Some(left)) = (vals.pop(), vals.pop()) else {
            return;
        };
        vals.push(match (op, left) {
            (Op::And, Filter::And(mut all)) | (Op::Or, Filter::Or(mut all)) => {
                all.push(right);
                if op == Op::And {
                    Filter::And(all)
                } else {
                    Filter::Or(all)
                }
            }
            (Op::And, left) => Filter::And(vec![left, right]),
            (_, left) => Filter::Or(vec![left, right]),
        });
    }
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    /// The whole expression, without recursion: operators wait on a stack and combine as
    /// precedence (`not` > `and` > `or`) and parentheses say. `and`/`or` chains become one
    /// list; a run of `not`s is one `Not` or none.
    fn expr(&mut self) -> Result<Filter, QueryError> {
        let mut ops: Vec<Op> = Vec::new();
        let mut vals: Vec<Filter> = Vec::new();
        loop {
            // An operand: `not`s and `(`s, then a comparison.
            match self.peek() {
                Some(Tok::Not) => {
                    self.pos += 1;
                    ops.push(Op::Not);
                    continue;
                }
                Some(Tok::LParen) => {
                    self.pos += 1;
                    ops.push(Op::Open);
                    continue;
                }
                _ => vals.push(self.cmp()?),
            }
            // Then closing parentheses, and an operator or the end.
            loop {
                apply_nots(&mut ops, &mut vals);
                let binary = match self.peek() {
                    Some(Tok::And) => Some(Op::And),
                    Some(Tok::Or) => Some(Op::Or),
                    Some(Tok::RParen) if ops.contains(&Op::Open) => None,
                    _ => {
                        reduce(&mut ops, &mut vals, Op::Or);
                        return match (ops.pop(), vals.pop()) {
                            (None, Some(f)) if vals.is_empty() => Ok(f),
                            _ => Err(expected_rparen(self.peek().cloned())),
                        };
                    }
                };
                self.pos += 1;
                match binary {
                    Some(op) => {
                        reduce(&mut ops, &mut vals, op);
                        ops.push(op);
                        break;
                    }
                    None => {
                        reduce(&mut ops, &mut vals, Op::Or);
                        ops.pop(); // the matching `(`
                    }
                }
            }
        }
    }
    fn operand(&mut self) -> Result<Operand, QueryError> {
        match self.next() {
            Some(Tok::Ident(name)) => {
                let mut path = Vec::new();
                while self.peek() == Some(&Tok::LBrack) {
                    match (self.toks.get(self.pos + 1), self.toks.get(self.pos + 2)) {
                        (Some(Tok::Lit(Value::String(k))), Some(Tok::RBrack)) => {
                            path.push(k.clone());
                            self.pos += 3;
                        }
                        _ => return Err(bad(format!("expected [\"key\"] after {name}"))),
                    }
                }
                Ok(Operand::Field(name, path))
            }
            Some(Tok::Lit(v)) => Ok(Operand::Lit(v)),
            other => Err(bad(format!("expected a field or a value, found {other:?}"))),
        }
    }
    fn cmp(&mut self) -> Result<Filter, QueryError> {
        let left = self.operand()?;
        match self.next() {
            Some(Tok::Op(op)) => Ok(Filter::Cmp(left, op, self.operand()?)),
            Some(Tok::In) => Ok(Filter::In(left, self.list()?)),
            Some(Tok::Not) if self.peek() == Some(&Tok::In) => {
                self.pos += 1;
                Ok(Filter::Not(Box::new(Filter::In(left, self.list()?))))
            }
            other => Err(bad(format!(
                "expected a comparison or 'in', found {other:?}"
            ))),
        }
    }
    fn list(&mut self) -> Result<Vec<Value>, QueryError> {
        if self.next() != Some(Tok::LBrack) {
            return Err(bad("expected '[' after 'in'"));
        }
        let mut out = Vec::new();
        loop {
            match self.next() {
                Some(Tok::RBrack) if out.is_empty() => return Ok(out),
                Some(Tok::Lit(v)) => out.push(v),
                other => {
                    return Err(bad(format!(
                        "expected a value in the list, found {other:?}"
                    )));
                }
            }
            match self.next() {
                Some(Tok::Comma) => {}
                Some(Tok::RBrack) => return Ok(out),
                other => return Err(bad(format!("expected ',' or ']', found {other:?}"))),
            }
        }
    }
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
        let toks = tokenize(text)?;
        let mut depth = 0usize;
        let mut deepest = 0usize;
        for t in &toks {
            match t {
                Tok::LParen => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                Tok::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        limits::check("filter nesting depth", deepest, limits::MAX_FILTER_DEPTH)?;
        let mut p = Parser { toks, pos: 0 };
        let f = p.expr()?;
        if p.pos != p.toks.len() {
            return Err(bad(format!(
                "unexpected {:?} after the expression",
                p.toks[p.pos]
            )));
        }
        Ok(f)
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
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_matches() {
        let row = json!({"book_id": 103, "word_count": 7, "title": "x", "price": 35.61, "props": {"year": 2017}})
            .as_object()
            .unwrap()
            .clone();
        for (expr, want) in [
            ("word_count < 10", true),
            ("word_count >= 10", false),
            ("book_id in [101, 103] and title == 'x'", true),
            ("book_id not in [101, 103]", false),
            ("not (price > 30) || word_count == 7", true),
            ("missing == 1", false),
            ("price > 35.6 && price < 35.62", true),
            ("props[\"year\"] == 2017", true),
            ("props['year'] > 2017 or props[\"nope\"] == 1", false),
        ] {
            assert_eq!(Filter::parse(expr).unwrap().matches(&row), want, "{expr}");
        }
        for bad in [
            "word_count >",
            "a in 3",
            "(a == 1",
            "a == 1 b",
            "a = 1",
            "()",
            "(a == 1))",
            "a == 1 and",
            "not",
            ")",
            "(a == 1) (a == 1)",
        ] {
            assert!(Filter::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn precedence_and_flattening() {
        let p = |e: &str| Filter::parse(e).unwrap();
        let c = |n: i64| {
            Filter::Cmp(
                Operand::Field("a".into(), vec![]),
                CmpOp::Eq,
                Operand::Lit(json!(n)),
            )
        };
        assert_eq!(
            p("a == 1 or a == 2 and a == 3 or a == 4"),
            Filter::Or(vec![c(1), Filter::And(vec![c(2), c(3)]), c(4)])
        );
        assert_eq!(
            p("not a == 1 and (a == 2 or not not a == 3)"),
            Filter::And(vec![
                Filter::Not(Box::new(c(1))),
                Filter::Or(vec![c(2), c(3)])
            ])
        );
        assert_eq!(p("((a == 1))"), c(1));
        assert_eq!(
            p("not (a == 1 and a == 2)"),
            Filter::Not(Box::new(Filter::And(vec![c(1), c(2)])))
        );
        assert_eq!(
            p("a == 1 and a == 2 and a == 3"),
            Filter::And(vec![c(1), c(2), c(3)])
        );
    }

    /// `depth` levels, each a parenthesis holding `or`, `and` and `not`: the deepest
    /// recursion an expression of that nesting can cause.
    fn nested(depth: usize) -> String {
        let mut e = "a == 1".to_string();
        for _ in 0..depth {
            e = format!("not (a == 2 or {e} and a != 3)");
        }
        e
    }

    #[test]
    fn nesting_and_length_are_capped_before_any_recursion() {
        let err = Filter::parse(&nested(129)).unwrap_err().to_string();
        assert!(
            err.contains("nesting depth must be at most 128, found 129"),
            "{err}"
        );
        let deep = format!("{}a == 1{}", "(".repeat(1150), ")".repeat(1150));
        let err = Filter::parse(&deep).unwrap_err().to_string();
        assert!(err.contains("found 1150"), "{err}");
        let long = format!("a in [{}1]", "1, ".repeat(64 * 1024 / 3));
        let err = Filter::parse(&long).unwrap_err().to_string();
        assert!(err.contains("must be at most 65536, found 65543"), "{err}");
    }

    /// The deepest allowed filter parses, matches and drops on a 256 KiB stack (an eighth of
    /// a 2 MiB thread stack; a debug build needs 64-128 KiB for it, the parser itself does not
    /// recurse); so do long `and` chains and `not` runs, which do not nest.
    #[test]
    fn the_deepest_allowed_filter_needs_little_stack() {
        let row = json!({"a": 1}).as_object().unwrap().clone();
        let run = move || {
            let f = Filter::parse(&nested(128)).unwrap();
            assert!(f.matches(&row));
            let chain = vec!["a == 1"; 5000].join(" and ");
            assert!(Filter::parse(&chain).unwrap().matches(&row));
            let nots = format!("{}a == 1", "not ".repeat(16000));
            assert!(Filter::parse(&nots).unwrap().matches(&row));
        };
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(run)
            .unwrap()
            .join()
            .unwrap();
    }
}
