//! Filter text into tokens: identifiers, literals (numbers, strings, booleans), comparison
//! operators, `and`/`or`/`not`/`in` (and `&& || !`), brackets and commas.

use serde_json::Value;

use super::CmpOp;
use crate::query::QueryError;

/// One token of a filter.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
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

pub(super) fn bad(what: impl Into<String>) -> QueryError {
    QueryError::BadFilter(what.into())
}

pub(super) fn tokenize(s: &str) -> Result<Vec<Tok>, QueryError> {
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
