//! Tokens into a [`Filter`]: `and`/`or` chains and runs of `not` on an operator stack (no
//! recursion), one level of recursion per parenthesis, comparisons and `in [...]` lists.

use serde_json::Value;

use super::lex::{Tok, bad};
use super::{Filter, Operand};
use crate::query::QueryError;
use crate::schema::limits;

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

/// A whole filter from its tokens: parentheses nested at most [`limits::MAX_FILTER_DEPTH`]
/// deep (counted before any recursion), nothing left over.
pub(super) fn tokens(toks: Vec<Tok>) -> Result<Filter, QueryError> {
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
