//! Filter text into tokens, each with its byte position: names, literals (numbers, strings,
//! booleans), comparison and arithmetic operators, the keywords (`and or not in like is
//! null`, any case; also `&& || !`), brackets and commas.

use serde_json::Value;

use super::{ArithOp, CmpOp};
use crate::query::QueryError;

/// One token of a filter.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Lit(Value),
    Op(CmpOp),
    Arith(ArithOp),
    And,
    Or,
    Not,
    In,
    Like,
    Is,
    Null,
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
}

impl Tok {
    /// The token as an error message names it.
    pub(super) fn describe(&self) -> String {
        match self {
            Tok::Ident(name) => format!("the name {name}"),
            Tok::Lit(v) => format!("the value {v}"),
            Tok::Op(op) => format!("'{}'", op.text()),
            Tok::Arith(op) => format!("'{}'", op.text()),
            Tok::And => "'and'".into(),
            Tok::Or => "'or'".into(),
            Tok::Not => "'not'".into(),
            Tok::In => "'in'".into(),
            Tok::Like => "'like'".into(),
            Tok::Is => "'is'".into(),
            Tok::Null => "'null'".into(),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::LBrack => "'['".into(),
            Tok::RBrack => "']'".into(),
            Tok::Comma => "','".into(),
        }
    }
}

/// A token and the byte where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Token {
    pub tok: Tok,
    pub at: usize,
}

pub(super) fn bad(what: impl Into<String>) -> QueryError {
    QueryError::BadFilter(what.into())
}

/// `at byte N: expected WHAT, found WHAT`.
pub(super) fn expected(at: usize, want: &str, found: &str) -> QueryError {
    bad(format!(
        "filter error at byte {at}: expected {want}, found {found}"
    ))
}

/// A quoted string starting at `i` (the quote): its text with `\"`, `\'`, `\\`, `\n`, `\t`
/// unescaped (other escapes, such as `\%` of `like`, kept), and its length in bytes.
fn string(s: &str, i: usize) -> Result<(String, usize), QueryError> {
    let quote = s.as_bytes()[i];
    let mut out = String::new();
    let mut chars = s[i + 1..].char_indices();
    while let Some((j, ch)) = chars.next() {
        match ch {
            c if c as u32 == u32::from(quote) => return Ok((out, j + 2)),
            '\\' => match chars.next() {
                Some((_, c @ ('"' | '\'' | '\\'))) => out.push(c),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, c)) => {
                    out.push('\\');
                    out.push(c);
                }
                None => break,
            },
            c => out.push(c),
        }
    }
    Err(expected(
        s.len(),
        &format!("the closing quote of the string opened at byte {i}"),
        "the end of the filter",
    ))
}

/// A number starting at `i`: digits, an optional fraction and an optional exponent.
fn number(s: &str, i: usize) -> Result<(Value, usize), QueryError> {
    let b = s.as_bytes();
    let digits = |mut j: usize| {
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let mut j = digits(i);
    let mut float = false;
    if j < b.len() && b[j] == b'.' {
        float = true;
        j = digits(j + 1);
    }
    if j < b.len() && (b[j] == b'e' || b[j] == b'E') {
        let mut k = j + 1;
        if k < b.len() && (b[k] == b'+' || b[k] == b'-') {
            k += 1;
        }
        if k < b.len() && b[k].is_ascii_digit() {
            float = true;
            j = digits(k);
        }
    }
    let text = &s[i..j];
    let v = if float {
        text.parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
    } else {
        text.parse::<i64>().ok().map(Value::from)
    };
    v.map(|v| (v, j - i))
        .ok_or_else(|| expected(i, "a number", &format!("\"{text}\"")))
}

pub(super) fn tokenize(s: &str) -> Result<Vec<Token>, QueryError> {
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
            b'+' => (Tok::Arith(ArithOp::Add), 1),
            b'-' => (Tok::Arith(ArithOp::Sub), 1),
            b'*' => (Tok::Arith(ArithOp::Mul), 1),
            b'/' => (Tok::Arith(ArithOp::Div), 1),
            b'%' => (Tok::Arith(ArithOp::Mod), 1),
            b'"' | b'\'' => {
                let (text, len) = string(s, i)?;
                (Tok::Lit(Value::String(text)), len)
            }
            b'0'..=b'9' | b'.' => {
                let (v, len) = number(s, i)?;
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
                    "like" => Tok::Like,
                    "is" => Tok::Is,
                    "null" => Tok::Null,
                    "true" => Tok::Lit(Value::Bool(true)),
                    "false" => Tok::Lit(Value::Bool(false)),
                    _ => Tok::Ident(word.to_string()),
                };
                (tok, len)
            }
            _ => {
                let ch = s[i..].chars().next().unwrap_or('?');
                return Err(expected(
                    i,
                    "a name, a value or an operator",
                    &format!("'{ch}'"),
                ));
            }
        };
        out.push(Token { tok, at: i });
        i += len;
    }
    Ok(out)
}
