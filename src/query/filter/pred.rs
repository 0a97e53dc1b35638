//! The predicates of a filter (`a < 5`, `1 < a < 5`, `a in [...]`, `a like "x%"`, `a is
//! null`, `json_contains(...)`...) and the operands they compare: fields with JSON paths,
//! literals (`ISO '...'` for instants), arithmetic with `* / %` before `+ -`, and
//! `array_length(...)`. Recursion happens only at a parenthesis or bracket, whose depth the
//! parser capped first.

use serde_json::Value;

use super::lex::Tok;
use super::parse::Parser;
use super::{ArithOp, CmpOp, Contains, Filter, Operand, PathKey};
use crate::query::QueryError;
use crate::schema::limits;

const FUNCTIONS: &str = "json_contains, json_contains_all, json_contains_any, array_contains, \
                         array_contains_all, array_contains_any or array_length";

fn contains_kind(name: &str) -> Option<Contains> {
    match name.to_ascii_lowercase().as_str() {
        "json_contains" | "array_contains" => Some(Contains::One),
        "json_contains_all" | "array_contains_all" => Some(Contains::All),
        "json_contains_any" | "array_contains_any" => Some(Contains::Any),
        _ => None,
    }
}

fn ascending(op: CmpOp) -> bool {
    matches!(op, CmpOp::Lt | CmpOp::Le)
}

fn descending(op: CmpOp) -> bool {
    matches!(op, CmpOp::Gt | CmpOp::Ge)
}

impl Parser {
    fn expect(&mut self, tok: Tok, want: &str) -> Result<(), QueryError> {
        if self.peek() == Some(&tok) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.expected_at(self.pos, want))
        }
    }

    /// One predicate: a `*_contains` call, or an operand and what it is compared with.
    pub(super) fn predicate(&mut self) -> Result<Filter, QueryError> {
        if let Some(Tok::Ident(name)) = self.peek()
            && let Some(kind) = contains_kind(name)
            && self.toks.get(self.pos + 1).map(|t| &t.tok) == Some(&Tok::LParen)
        {
            self.pos += 2;
            let field = self.operand()?;
            self.expect(Tok::Comma, "','")?;
            let at = self.pos;
            let value = self.literal()?;
            if kind != Contains::One && !value.is_array() {
                return Err(self.expected_at(at, "a list of values"));
            }
            self.expect(Tok::RParen, "')'")?;
            return Ok(Filter::Contains(kind, field, value));
        }
        let left = self.operand()?;
        let at = self.pos;
        match self.next() {
            Some(Tok::Op(op)) => {
                let right = self.operand()?;
                let Some(Tok::Op(op2)) = self.peek().cloned() else {
                    return Ok(Filter::Cmp(left, op, right));
                };
                // `1 < a < 5`: a field between two bounds, both the same way round.
                let same_way =
                    (ascending(op) && ascending(op2)) || (descending(op) && descending(op2));
                if !same_way || !matches!(right, Operand::Field(..)) {
                    return Err(self.expected_at(
                        self.pos,
                        "'and', 'or' or the end (a range is `lower < field < upper` or `upper > field > lower`)",
                    ));
                }
                self.pos += 1;
                let third = self.operand()?;
                Ok(Filter::And(vec![
                    Filter::Cmp(left, op, right.clone()),
                    Filter::Cmp(right, op2, third),
                ]))
            }
            Some(Tok::In) => Ok(Filter::In(left, self.list()?)),
            Some(Tok::Not) => {
                self.expect(Tok::In, "'in' after 'not'")?;
                Ok(Filter::Not(Box::new(Filter::In(left, self.list()?))))
            }
            Some(Tok::Like) => match self.next() {
                Some(Tok::Lit(Value::String(p))) => Ok(Filter::Like(left, p)),
                _ => Err(self.expected_at(self.pos - 1, "a quoted pattern after 'like'")),
            },
            Some(Tok::Is) => {
                let not = self.peek() == Some(&Tok::Not);
                if not {
                    self.pos += 1;
                }
                self.expect(Tok::Null, "'null'")?;
                let f = Filter::IsNull(left);
                Ok(if not { Filter::Not(Box::new(f)) } else { f })
            }
            // A Bool field alone: `is_active` means `is_active == true`.
            None | Some(Tok::And | Tok::Or | Tok::RParen) if matches!(left, Operand::Field(..)) => {
                self.pos = at;
                Ok(Filter::Cmp(
                    left,
                    CmpOp::Eq,
                    Operand::Lit(Value::Bool(true)),
                ))
            }
            _ => Err(self.expected_at(
                at,
                "a comparison ('==', '!=', '<', '<=', '>', '>='), 'in', 'not in', 'like' or 'is'",
            )),
        }
    }

    /// An operand: atoms, unary minus, `+ - * / %` and parentheses, read with an operator
    /// stack (no recursion per parenthesis); the tree it builds is at most
    /// [`limits::MAX_FILTER_DEPTH`] deep.
    pub(super) fn operand(&mut self) -> Result<Operand, QueryError> {
        let mut vals: Vec<(Operand, usize)> = Vec::new();
        let mut ops: Vec<AOp> = Vec::new();
        let mut open = 0usize;
        loop {
            loop {
                match self.peek() {
                    Some(Tok::Arith(ArithOp::Sub)) => {
                        // A run of minuses: an even one cancels out.
                        if ops.last() == Some(&AOp::Neg) {
                            ops.pop();
                        } else {
                            ops.push(AOp::Neg);
                        }
                    }
                    Some(Tok::LParen) => {
                        ops.push(AOp::Open);
                        open += 1;
                    }
                    _ => break,
                }
                self.pos += 1;
            }
            vals.push((self.atom()?, 1));
            loop {
                match self.peek().cloned() {
                    Some(Tok::Arith(op)) => {
                        self.pos += 1;
                        reduce_arith(&mut ops, &mut vals, prec(op))?;
                        ops.push(AOp::Bin(op));
                        break;
                    }
                    Some(Tok::RParen) if open > 0 => {
                        self.pos += 1;
                        reduce_arith(&mut ops, &mut vals, 0)?;
                        ops.pop(); // the matching `(`
                        open -= 1;
                    }
                    _ if open > 0 => return Err(self.expected_at(self.pos, "')'")),
                    _ => {
                        reduce_arith(&mut ops, &mut vals, 0)?;
                        return vals
                            .pop()
                            .map(|(o, _)| o)
                            .ok_or_else(|| self.expected_at(self.pos, "a field or a value"));
                    }
                }
            }
        }
    }

    /// A field with its path, `array_length(...)`, a literal or a list.
    fn atom(&mut self) -> Result<Operand, QueryError> {
        let at = self.pos;
        match self.next() {
            Some(Tok::Ident(name)) if self.peek() == Some(&Tok::LParen) => {
                if !name.eq_ignore_ascii_case("array_length") {
                    let want = if contains_kind(&name).is_some() {
                        "a comparison's operand (a *_contains call is a whole condition)"
                    } else {
                        FUNCTIONS
                    };
                    return Err(self.expected_at(at, want));
                }
                self.pos += 1;
                let inner = self.operand()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(Operand::Length(Box::new(inner)))
            }
            Some(Tok::Ident(name))
                if name.eq_ignore_ascii_case("iso")
                    && matches!(self.peek(), Some(Tok::Lit(Value::String(_)))) =>
            {
                self.pos = at;
                Ok(Operand::Lit(self.literal()?))
            }
            Some(Tok::Ident(name)) => {
                let mut path = Vec::new();
                while self.peek() == Some(&Tok::LBrack) {
                    let key = match self.toks.get(self.pos + 1).map(|t| &t.tok) {
                        Some(Tok::Lit(Value::String(k))) => PathKey::Key(k.clone()),
                        Some(Tok::Lit(Value::Number(n))) if n.as_u64().is_some() => {
                            PathKey::Index(n.as_u64().unwrap_or(0) as usize)
                        }
                        _ => {
                            return Err(self.expected_at(
                                self.pos + 1,
                                &format!("a quoted key or an index after {name}["),
                            ));
                        }
                    };
                    self.pos += 2;
                    self.expect(Tok::RBrack, "']'")?;
                    path.push(key);
                }
                Ok(Operand::Field(name, path))
            }
            Some(Tok::Lit(v)) => Ok(Operand::Lit(v)),
            // Refused when compiled, with a pointer to `is null`.
            Some(Tok::Null) => Ok(Operand::Lit(Value::Null)),
            Some(Tok::LBrack) => {
                self.pos = at;
                Ok(Operand::Lit(Value::Array(self.list()?)))
            }
            _ => Err(self.expected_at(at, "a field or a value")),
        }
    }

    /// A literal: a value, `-number`, `ISO 'instant'`, `null` or a list of literals.
    fn literal(&mut self) -> Result<Value, QueryError> {
        let at = self.pos;
        let minus = self.peek() == Some(&Tok::Arith(ArithOp::Sub));
        if minus {
            self.pos += 1;
        }
        match (minus, self.next()) {
            (true, Some(Tok::Lit(v))) if v.is_number() => Ok(negated(&v)),
            (false, Some(Tok::Lit(v))) => Ok(v),
            (false, Some(Tok::Null)) => Ok(Value::Null),
            (false, Some(Tok::Ident(name))) if name.eq_ignore_ascii_case("iso") => {
                match self.next() {
                    Some(Tok::Lit(v @ Value::String(_))) => Ok(v),
                    _ => Err(self.expected_at(self.pos - 1, "a quoted instant after ISO")),
                }
            }
            (false, Some(Tok::LBrack)) => {
                self.pos -= 1;
                Ok(Value::Array(self.list()?))
            }
            _ => Err(self.expected_at(at, "a value")),
        }
    }

    /// `[v, v, ...]`.
    fn list(&mut self) -> Result<Vec<Value>, QueryError> {
        self.expect(Tok::LBrack, "'['")?;
        let mut out = Vec::new();
        if self.peek() == Some(&Tok::RBrack) {
            self.pos += 1;
            return Ok(out);
        }
        loop {
            out.push(self.literal()?);
            match self.next() {
                Some(Tok::Comma) => {}
                Some(Tok::RBrack) => return Ok(out),
                _ => return Err(self.expected_at(self.pos - 1, "',' or ']'")),
            }
        }
    }
}

/// An arithmetic operator waiting on the operand parser's stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AOp {
    Bin(ArithOp),
    Neg,
    Open,
}

fn prec(op: ArithOp) -> u8 {
    match op {
        ArithOp::Add | ArithOp::Sub => 1,
        ArithOp::Mul | ArithOp::Div | ArithOp::Mod => 2,
    }
}

/// Applies the operators on top of the stack that bind at least as tightly as `min`
/// (unary minus tightest; 0 applies all down to a `(`). Each value carries its depth.
fn reduce_arith(
    ops: &mut Vec<AOp>,
    vals: &mut Vec<(Operand, usize)>,
    min: u8,
) -> Result<(), QueryError> {
    while let Some(&op) = ops.last() {
        let (left, right, op, depth) = match op {
            AOp::Open => return Ok(()),
            AOp::Neg => {
                let Some((v, d)) = vals.pop() else {
                    return Ok(());
                };
                ops.pop();
                if let Operand::Lit(n) = &v
                    && n.is_number()
                {
                    vals.push((Operand::Lit(negated(n)), d));
                    continue;
                }
                (Operand::Lit(Value::from(0)), v, ArithOp::Sub, d + 1)
            }
            AOp::Bin(b) if prec(b) >= min => {
                ops.pop();
                let (Some((r, dr)), Some((l, dl))) = (vals.pop(), vals.pop()) else {
                    return Ok(());
                };
                (l, r, b, dl.max(dr) + 1)
            }
            AOp::Bin(_) => return Ok(()),
        };
        limits::check("filter nesting depth", depth, limits::MAX_FILTER_DEPTH)?;
        vals.push((Operand::Arith(Box::new(left), op, Box::new(right)), depth));
    }
    Ok(())
}

fn negated(v: &Value) -> Value {
    match (v.as_i64(), v.as_f64()) {
        (Some(i), _) if i != i64::MIN => Value::from(-i),
        (_, Some(f)) => serde_json::Number::from_f64(-f).map_or(Value::Null, Value::Number),
        _ => v.clone(),
    }
}
