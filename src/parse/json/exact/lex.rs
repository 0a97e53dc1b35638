//! A strict JSON lexer over one row's bytes (RFC 8259): whitespace, strings with their
//! escapes and UTF-8 checked, numbers by their literal text, literals, and skipping whole
//! values. It never allocates on the way through a valid row.

use crate::parse::json::float::{Decimal, scan_number};
use crate::validate::Violation;

/// How deep objects and arrays may nest (as the framer allows).
pub(super) const DEPTH_MAX: usize = 1024;

/// Why a row was refused while reading it.
#[derive(Debug)]
pub(super) enum Fault {
    /// The text is not JSON: the offset of the offending byte (in the lexer's bytes) and
    /// what should have been there.
    Syntax {
        /// Offset of the offending byte.
        at: usize,
        /// What the grammar wanted there.
        what: &'static str,
    },
    /// A rule of the rule book, broken.
    Rule(Box<Violation>),
}

impl From<Violation> for Fault {
    #[cold]
    fn from(v: Violation) -> Self {
        Fault::Rule(Box::new(v))
    }
}

/// A cursor over the bytes of one JSON text.
#[derive(Debug, Clone)]
pub(super) struct Lexer<'a> {
    /// The text.
    pub b: &'a [u8],
    /// The next byte to read.
    pub pos: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `b`.
    pub fn new(b: &'a [u8]) -> Self {
        Lexer { b, pos: 0 }
    }

    /// A syntax fault at `at`.
    pub fn syntax(&self, at: usize, what: &'static str) -> Fault {
        Fault::Syntax { at, what }
    }

    /// Skips whitespace and returns the next byte.
    #[inline]
    pub fn peek(&mut self) -> Option<u8> {
        while let Some(&c) = self.b.get(self.pos) {
            if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(c);
            }
            self.pos += 1;
        }
        None
    }

    /// Consumes `c` (after whitespace) if it is next.
    #[inline]
    pub fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.pos += usize::from(hit);
        hit
    }

    /// Consumes `c` (after whitespace) or fails saying `what` was expected.
    #[inline]
    pub fn expect(&mut self, c: u8, what: &'static str) -> Result<(), Fault> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.syntax(self.pos, what))
        }
    }

    /// After a member or element: `,` (true: another follows) or `close` (false).
    #[inline]
    pub fn more(&mut self, close: u8) -> Result<bool, Fault> {
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(false)
            }
            _ if close == b'}' => Err(self.syntax(self.pos, "',' or '}'")),
            _ => Err(self.syntax(self.pos, "',' or ']'")),
        }
    }

    /// Only whitespace may follow.
    pub fn end(&mut self) -> Result<(), Fault> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.syntax(self.pos, "the end of the value")),
        }
    }

    /// Reads a number at the cursor: its decimal and its literal text.
    #[inline]
    pub fn number(&mut self) -> Result<(Decimal, &'a [u8]), Fault> {
        let start = self.pos;
        let (d, end) = scan_number(self.b, start).map_err(|(at, what)| self.syntax(at, what))?;
        self.pos = end;
        Ok((d, &self.b[start..end]))
    }

    /// Reads `true`, `false` or `null` at the cursor and returns it.
    pub fn literal(&mut self) -> Result<&'static str, Fault> {
        let rest = &self.b[self.pos.min(self.b.len())..];
        for lit in ["true", "false", "null"] {
            if rest.starts_with(lit.as_bytes()) {
                self.pos += lit.len();
                return Ok(lit);
            }
        }
        Err(self.syntax(self.pos, "a JSON value"))
    }

    /// Reads a string at the cursor (which must be on its `"`): returns its text as
    /// written between the quotes, checked (UTF-8, escapes, no control characters), and
    /// whether it holds escapes (then [`unescape`] gives its value).
    #[inline]
    pub fn string(&mut self) -> Result<(&'a str, bool), Fault> {
        let b = self.b;
        let start = self.pos + 1;
        let mut p = start;
        let mut escaped = false;
        loop {
            while let Some(&c) = b.get(p) {
                if c == b'"' || c == b'\\' || c < 0x20 {
                    break;
                }
                p += 1;
            }
            match b.get(p) {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    p = self.escape(p)?;
                }
                Some(_) => return Err(self.syntax(p, "no control character in a string")),
                None => return Err(self.syntax(p, "'\"' closing the string")),
            }
        }
        let raw = std::str::from_utf8(&b[start..p])
            .map_err(|e| self.syntax(start + e.valid_up_to(), "valid UTF-8 in a string"))?;
        self.pos = p + 1;
        Ok((raw, escaped))
    }

    /// Checks the escape at `p` (a `\`); returns the offset just past it.
    fn escape(&self, p: usize) -> Result<usize, Fault> {
        match self.b.get(p + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(p + 2),
            Some(b'u') => {
                let unit = self.hex4(p + 2)?;
                match unit {
                    0xD800..=0xDBFF => {
                        let low = (self.b.get(p + 6..p + 8) == Some(b"\\u"))
                            .then(|| self.hex4(p + 8))
                            .transpose()?;
                        match low {
                            Some(0xDC00..=0xDFFF) => Ok(p + 12),
                            _ => Err(self.syntax(p, "a low surrogate after a high one")),
                        }
                    }
                    0xDC00..=0xDFFF => Err(self.syntax(p, "no lone low surrogate")),
                    _ => Ok(p + 6),
                }
            }
            _ => Err(self.syntax(p, "a valid escape")),
        }
    }

    fn hex4(&self, p: usize) -> Result<u32, Fault> {
        let digits = self.b.get(p..p + 4).unwrap_or_default();
        let text = std::str::from_utf8(digits).unwrap_or_default();
        match u32::from_str_radix(text, 16) {
            Ok(v) if digits.len() == 4 && digits.iter().all(u8::is_ascii_hexdigit) => Ok(v),
            _ => Err(self.syntax(p, "four hex digits after \\u")),
        }
    }

    /// Reads an object key and its `:`; returns the key's value (decoded into `buf` when
    /// it has escapes).
    #[inline]
    pub fn key<'s>(&mut self, buf: &'s mut String) -> Result<&'s str, Fault>
    where
        'a: 's,
    {
        if self.peek() != Some(b'"') {
            return Err(self.syntax(self.pos, "a key ('\"')"));
        }
        let (raw, escaped) = self.string()?;
        self.expect(b':', "':' after the key")?;
        if !escaped {
            return Ok(raw);
        }
        buf.clear();
        unescape(raw, buf);
        Ok(buf)
    }

    /// Skips one value of any kind, checking its syntax.
    pub fn skip_value(&mut self, depth: usize) -> Result<(), Fault> {
        if depth > DEPTH_MAX {
            return Err(self.syntax(self.pos, "less deeply nested values"));
        }
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            Some(open @ (b'{' | b'[')) => {
                self.pos += 1;
                let close = if open == b'{' { b'}' } else { b']' };
                if self.eat(close) {
                    return Ok(());
                }
                let mut key = String::new();
                loop {
                    if open == b'{' {
                        self.key(&mut key)?;
                    }
                    self.skip_value(depth + 1)?;
                    if !self.more(close)? {
                        return Ok(());
                    }
                }
            }
            _ => self.literal().map(drop),
        }
    }
}

/// Appends the value of `raw`, a string body the lexer checked, with escapes decoded.
pub(super) fn unescape(raw: &str, out: &mut String) {
    let mut rest = raw;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let e = rest.as_bytes().get(i + 1).copied().unwrap_or(b'\\');
        let mut next = i + 2;
        let c = match e {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hex = |at: usize| {
                    rest.get(at..at + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .unwrap_or(0xFFFD)
                };
                let mut unit = hex(i + 2);
                next = i + 6;
                if (0xD800..0xDC00).contains(&unit) {
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (hex(i + 8).wrapping_sub(0xDC00));
                    next = i + 12;
                }
                char::from_u32(unit).unwrap_or('\u{FFFD}')
            }
            other => char::from(other),
        };
        out.push(c);
        rest = rest.get(next..).unwrap_or_default();
    }
    out.push_str(rest);
}
