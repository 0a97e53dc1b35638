//! A small parser for the Python literals an NPY header holds: a dict of strings, booleans,
//! non-negative integers, tuples and lists (what `ast.literal_eval` would take, minus floats,
//! bytes and sets, which no header uses).

/// Deepest nesting of brackets accepted (a structured dtype is a list of tuples).
const DEPTH_MAX: usize = 32;

/// A parsed Python literal.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    /// `'...'` or `"..."`.
    Str(String),
    /// A non-negative integer.
    Int(u64),
    /// `True` / `False`.
    Bool(bool),
    /// `None`.
    None,
    /// `(a, b)`, `(a,)`, `()`.
    Tuple(Vec<Lit>),
    /// `[a, b]`.
    List(Vec<Lit>),
    /// `{k: v}` (only at the top level).
    Dict(Vec<Entry>),
}

/// One `key: value` pair of a dict, with the value's source text for error messages.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The key.
    pub key: Lit,
    /// The value.
    pub value: Lit,
    /// The value as written.
    pub raw: String,
}

/// Parses `text` as one dict literal, surrounded by optional whitespace.
/// The error says what was expected and where (a character offset into the header).
pub(crate) fn parse_dict(text: &str) -> Result<Vec<Entry>, String> {
    let mut p = Parser { s: text, pos: 0 };
    p.skip_ws();
    if p.peek() != Some('{') {
        return Err(p.unexpected("'{' (the header must be a Python dict)"));
    }
    let entries = match p.value(0)? {
        Lit::Dict(entries) => entries,
        _ => return Err("the header must be a Python dict".into()),
    };
    p.skip_ws();
    if p.pos != text.len() {
        return Err(p.unexpected("the end of the header after the dict"));
    }
    Ok(entries)
}

/// Formats a literal back as Python would print it (for messages).
pub(crate) fn describe(lit: &Lit) -> &'static str {
    match lit {
        Lit::Str(_) => "a string",
        Lit::Int(_) => "an integer",
        Lit::Bool(_) => "a boolean",
        Lit::None => "None",
        Lit::Tuple(_) => "a tuple",
        Lit::List(_) => "a list",
        Lit::Dict(_) => "a dict",
    }
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if !matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c') {
                break;
            }
            self.pos += 1;
        }
    }

    fn unexpected(&self, expected: &str) -> String {
        match self.peek() {
            Some(c) => format!("expected {expected} at offset {}, found {c:?}", self.pos),
            None => format!("expected {expected} at offset {}, found the end", self.pos),
        }
    }

    fn value(&mut self, depth: usize) -> Result<Lit, String> {
        if depth > DEPTH_MAX {
            return Err(format!(
                "nesting deeper than {DEPTH_MAX} at offset {}",
                self.pos
            ));
        }
        self.skip_ws();
        match self.peek() {
            Some(q @ ('\'' | '"')) => {
                self.pos += 1;
                self.string(q).map(Lit::Str)
            }
            Some('0'..='9') => self.int(),
            Some('(') => self.seq(')', depth),
            Some('[') => self.seq(']', depth),
            Some('{') if depth == 0 => self.dict(),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    self.pos += 1;
                }
                match &self.s[start..self.pos] {
                    "True" => Ok(Lit::Bool(true)),
                    "False" => Ok(Lit::Bool(false)),
                    "None" => Ok(Lit::None),
                    word => Err(format!("unexpected name {word:?} at offset {start}")),
                }
            }
            _ => Err(self.unexpected("a string, integer, True, False, tuple or list")),
        }
    }

    fn int(&mut self) -> Result<Lit, String> {
        let start = self.pos;
        let mut n: u64 = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(d)))
                .ok_or_else(|| format!("integer at offset {start} does not fit in 64 bits"))?;
            self.pos += 1;
        }
        if self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            return Err(self.unexpected("a non-negative integer"));
        }
        Ok(Lit::Int(n))
    }

    /// A string body after its opening quote `q`, with Python's common escapes.
    fn string(&mut self, q: char) -> Result<String, String> {
        let start = self.pos;
        let mut out = String::new();
        loop {
            match self.bump() {
                None | Some('\n') => {
                    return Err(format!("unterminated string at offset {}", start - 1));
                }
                Some(c) if c == q => return Ok(out),
                Some('\\') => {
                    let c = match self.bump() {
                        Some('\\') => '\\',
                        Some('\'') => '\'',
                        Some('"') => '"',
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some('r') => '\r',
                        Some('0') => '\0',
                        Some('x') => self.hex(2)?,
                        Some('u') => self.hex(4)?,
                        Some('U') => self.hex(8)?,
                        _ => return Err(format!("unsupported escape at offset {}", self.pos - 1)),
                    };
                    out.push(c);
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn hex(&mut self, n: usize) -> Result<char, String> {
        let start = self.pos;
        let digits = self.s.get(start..start + n).unwrap_or("");
        let code = (digits.len() == n && digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(digits, 16).ok())
            .flatten()
            .and_then(char::from_u32)
            .ok_or_else(|| format!("invalid escape at offset {start}"))?;
        self.pos += n;
        Ok(code)
    }

    /// A tuple or list after its opening bracket. `(x)` without a comma is just `x`.
    fn seq(&mut self, close: char, depth: usize) -> Result<Lit, String> {
        self.pos += 1;
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            self.skip_ws();
            if self.peek() == Some(close) {
                self.pos += 1;
                break;
            }
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(',') => {
                    self.pos += 1;
                    comma = true;
                }
                Some(c) if c == close => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(self.unexpected(&format!("',' or '{close}'"))),
            }
        }
        Ok(match (close, comma, items.len()) {
            (')', false, 1) => items.remove(0),
            (')', _, _) => Lit::Tuple(items),
            _ => Lit::List(items),
        })
    }

    fn dict(&mut self) -> Result<Lit, String> {
        self.pos += 1;
        let mut entries = Vec::new();
        loop {
            self.skip_ws();
            if self.peek() == Some('}') {
                self.pos += 1;
                return Ok(Lit::Dict(entries));
            }
            let key = self.value(1)?;
            self.skip_ws();
            if self.peek() != Some(':') {
                return Err(self.unexpected("':'"));
            }
            self.pos += 1;
            self.skip_ws();
            let start = self.pos;
            let value = self.value(1)?;
            let raw = self.s[start..self.pos].to_string();
            entries.push(Entry { key, value, raw });
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {}
                _ => return Err(self.unexpected("',' or '}'")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Lit {
        let entries = parse_dict(&format!("{{'k': {text}}}")).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].raw, text.trim());
        entries[0].value.clone()
    }

    #[test]
    fn values() {
        assert_eq!(one("'<f4'"), Lit::Str("<f4".into()));
        assert_eq!(one("\"<f4\""), Lit::Str("<f4".into()));
        assert_eq!(one("'a\\'b\\x41\\u00e9'"), Lit::Str("a'bAé".into()));
        assert_eq!(one("True"), Lit::Bool(true));
        assert_eq!(one("False"), Lit::Bool(false));
        assert_eq!(one("None"), Lit::None);
        assert_eq!(one("()"), Lit::Tuple(vec![]));
        assert_eq!(one("(3,)"), Lit::Tuple(vec![Lit::Int(3)]));
        assert_eq!(one("(3)"), Lit::Int(3));
        assert_eq!(
            one("( 5 , 2 , )"),
            Lit::Tuple(vec![Lit::Int(5), Lit::Int(2)])
        );
        assert_eq!(one("18446744073709551615"), Lit::Int(u64::MAX));
        assert_eq!(
            one("[('a', '<i4'), ('b', '<f8')]"),
            Lit::List(vec![
                Lit::Tuple(vec![Lit::Str("a".into()), Lit::Str("<i4".into())]),
                Lit::Tuple(vec![Lit::Str("b".into()), Lit::Str("<f8".into())]),
            ])
        );
    }

    #[test]
    fn dict_layouts() {
        let e = parse_dict("  {\n'a': 1 ,\"b\":(),}  \n").unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].key, Lit::Str("b".into()));
        assert!(parse_dict("{}").unwrap().is_empty());
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "[]",
            "{'a': 1",
            "{'a' 1}",
            "{'a': 1 'b': 2}",
            "{'a': 1} x",
            "{'a': 18446744073709551616}",
            "{'a': -1}",
            "{'a': 1.5}",
            "{'a': true}",
            "{'a': 'x}",
            "{'a': {'b': 1}}",
            "{'a': (1 2)}",
            "{'a': '\\q'}",
            "{'a': 0x10}",
            "{'a': '\\ud800'}",
        ] {
            assert!(parse_dict(bad).is_err(), "{bad:?} should be refused");
        }
        let deep = format!("{{'a': {}{}}}", "(".repeat(40), ")".repeat(40));
        assert!(parse_dict(&deep).unwrap_err().contains("nesting"));
        assert!(parse_dict("{'a': nan}").unwrap_err().contains("\"nan\""));
    }

    #[test]
    fn describes_values() {
        assert_eq!(describe(&Lit::List(vec![])), "a list");
        assert_eq!(describe(&Lit::Int(1)), "an integer");
    }
}
