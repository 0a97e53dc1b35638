//! Tokens into a [`Filter`]: `and`/`or` chains and runs of `not` on an operator stack (no
//! recursion), one level of recursion per parenthesis; the predicates themselves are
//! `pred.rs`'s.

use super::Filter;
use super::lex::{Tok, Token, expected};
use crate::query::QueryError;
use crate::schema::limits;

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

/// The tokens and a cursor; `end` is the text's length, the position of "the end".
pub(super) struct Parser {
    pub toks: Vec<Token>,
    pub pos: usize,
    pub end: usize,
}

impl Parser {
    pub fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }
    pub fn next(&mut self) -> Option<Tok> {
        let t = self.peek().cloned();
        self.pos += 1;
        t
    }
    /// The byte where token `i` starts (the text's end past the last token).
    pub fn at(&self, i: usize) -> usize {
        self.toks.get(i).map_or(self.end, |t| t.at)
    }
    /// `expected WANT, found <the token at i>` at token `i`.
    pub fn expected_at(&self, i: usize, want: &str) -> QueryError {
        let found = self
            .toks
            .get(i)
            .map_or("the end of the filter".to_string(), |t| t.tok.describe());
        expected(self.at(i), want, &found)
    }
    /// Whether a `(` at the cursor opens an operand (`(a + 1) > 3`) rather than a group.
    fn opens_operand(&mut self) -> bool {
        let save = self.pos;
        let operand = self.operand().is_ok()
            && matches!(
                self.peek(),
                Some(Tok::Op(_) | Tok::In | Tok::Like | Tok::Is | Tok::Not)
            );
        self.pos = save;
        operand
    }
    /// The whole expression, without recursion: operators wait on a stack and combine as
    /// precedence (`not` > `and` > `or`) and parentheses say. `and`/`or` chains become one
    /// list; a run of `not`s is one `Not` or none.
    fn expr(&mut self) -> Result<Filter, QueryError> {
        let mut ops: Vec<Op> = Vec::new();
        let mut vals: Vec<Filter> = Vec::new();
        loop {
            // An operand: `not`s and `(`s, then a predicate.
            match self.peek().cloned() {
                Some(Tok::Not) => {
                    self.pos += 1;
                    ops.push(Op::Not);
                    continue;
                }
                Some(Tok::LParen) if !self.opens_operand() => {
                    self.pos += 1;
                    ops.push(Op::Open);
                    continue;
                }
                _ => vals.push(self.predicate()?),
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
                            (Some(Op::Open), _) => Err(self.expected_at(self.pos, "')'")),
                            _ => Err(self.expected_at(self.pos, "'and', 'or' or the end")),
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
}

/// A whole filter from its tokens: parentheses and brackets nested at most
/// [`limits::MAX_FILTER_DEPTH`] deep (counted before any recursion), nothing left over.
pub(super) fn tokens(toks: Vec<Token>, end: usize) -> Result<Filter, QueryError> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for t in &toks {
        match t.tok {
            Tok::LParen | Tok::LBrack => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            Tok::RParen | Tok::RBrack => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    limits::check("filter nesting depth", deepest, limits::MAX_FILTER_DEPTH)?;
    let mut p = Parser { toks, pos: 0, end };
    let f = p.expr()?;
    if p.pos < p.toks.len() {
        return Err(p.expected_at(p.pos, "'and', 'or' or the end"));
    }
    Ok(f)
}
