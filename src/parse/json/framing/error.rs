//! Errors of the JSON framer: where (byte, row), what was expected and what was found.

use std::fmt;

/// What the framer found where it expected something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// A character (the UTF-8 sequence at that byte decoded).
    Char(char),
    /// A byte that does not start a valid UTF-8 character.
    Byte(u8),
    /// The end of the file.
    End,
}

impl Found {
    /// What is at `at` in `bytes`.
    pub fn at(bytes: &[u8], at: usize) -> Self {
        let Some(&b) = bytes.get(at) else {
            return Found::End;
        };
        let rest = bytes.get(at..bytes.len().min(at + 4)).unwrap_or_default();
        let valid = match std::str::from_utf8(rest) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default(),
        };
        valid.chars().next().map_or(Found::Byte(b), Found::Char)
    }
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Char(c) if c.is_control() => write!(f, "{:?}", c),
            Found::Char(c) => write!(f, "'{c}'"),
            Found::Byte(b) => write!(f, "byte 0x{b:02X} (not UTF-8)"),
            Found::End => f.write_str("end of file"),
        }
    }
}

/// Why a JSON rows file cannot be framed into rows. The caller adds the file name.
///
/// `byte` is a 0-based byte offset in the file. For row variants, `row` is the 0-based row
/// index, `byte` the offset of the row's first byte (as in [`crate::RowLocation`]) and `at`
/// the offset of the offending byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    /// The file has no bytes, or only whitespace (and a byte order mark).
    #[error("file is empty")]
    Empty,
    /// The first token is neither `{` nor `[`.
    #[error("byte {byte}: expected '{{' or '[' at the start of a JSON rows file, found {found}")]
    UnexpectedStart {
        /// Offset of the first token.
        byte: usize,
        /// What is there.
        found: Found,
    },
    /// The wrapper object is malformed: no key, no `:`, no `[`, no closing `}`.
    #[error("byte {byte}: expected {expected}, found {found}")]
    Expected {
        /// Offset of the unexpected token.
        byte: usize,
        /// What the framer expected.
        expected: &'static str,
        /// What is there.
        found: Found,
    },
    /// The wrapper object's key is not `rows` (compared ASCII case-insensitively).
    #[error("byte {byte}: the root key must be \"rows\", found \"{key}\"")]
    RootKey {
        /// Offset of the key's opening quote.
        byte: usize,
        /// The key as written (lossy UTF-8, escapes not decoded, at most 64 bytes).
        key: String,
    },
    /// The wrapper object has a key after `"rows": [...]`.
    #[error(
        "byte {byte}: the root object must hold only the key \"rows\", found ',' after the rows list"
    )]
    ExtraRootKey {
        /// Offset of the `,`.
        byte: usize,
    },
    /// Something other than whitespace follows the end of the rows.
    #[error("byte {byte}: unexpected data after {after}: {found}")]
    TrailingData {
        /// Offset of the first extra byte.
        byte: usize,
        /// "the rows list" or "the root object".
        after: &'static str,
        /// What is there.
        found: Found,
    },
    /// The file ends before the structure around the rows is closed.
    #[error("byte {byte}: file ends inside {within} (expected {expected})")]
    UnexpectedEnd {
        /// The file length.
        byte: usize,
        /// "the rows list" or "the root object".
        within: &'static str,
        /// What should have come.
        expected: &'static str,
    },
    /// A row is followed by something other than `,` or `]`.
    #[error("byte {byte}: expected ',' or ']' after row {row}, found {found}")]
    MissingComma {
        /// Offset of the unexpected token.
        byte: usize,
        /// The row it follows.
        row: u64,
        /// What is there.
        found: Found,
    },
    /// `,` directly before the `]` closing the rows list.
    #[error("byte {byte}: trailing comma after row {row} before ']'")]
    TrailingComma {
        /// Offset of the `,`.
        byte: usize,
        /// The row it follows.
        row: u64,
    },
    /// A string in a row is not closed before the end of the file.
    #[error("row {row} (byte {byte}): unterminated string opened at byte {at}")]
    UnterminatedString {
        /// 0-based row index.
        row: u64,
        /// Offset of the row's first byte.
        byte: usize,
        /// Offset of the string's opening quote.
        at: usize,
    },
    /// The file ends while brackets of a row are open.
    #[error(
        "row {row} (byte {byte}): file ends inside the row with {open} bracket(s) open (expected '{expected}')"
    )]
    UnterminatedRow {
        /// 0-based row index.
        row: u64,
        /// Offset of the row's first byte.
        byte: usize,
        /// How many `{` and `[` are open.
        open: usize,
        /// The bracket closing the innermost one.
        expected: char,
    },
    /// A `}` closes a `[` or a `]` closes a `{`.
    #[error(
        "row {row} (byte {byte}): unbalanced brackets: expected '{expected}' at byte {at}, found '{found}'"
    )]
    Mismatched {
        /// 0-based row index.
        row: u64,
        /// Offset of the row's first byte.
        byte: usize,
        /// Offset of the wrong bracket.
        at: usize,
        /// The bracket that would close the innermost open one.
        expected: char,
        /// The bracket found.
        found: char,
    },
    /// A row nests `{` and `[` deeper than [`super::MAX_NESTING`].
    #[error("row {row} (byte {byte}): nesting deeper than {max} levels at byte {at}", max = super::MAX_NESTING)]
    TooDeep {
        /// 0-based row index.
        row: u64,
        /// Offset of the row's first byte.
        byte: usize,
        /// Offset of the bracket that went too deep.
        at: usize,
    },
}

impl FramingError {
    /// The byte offset the error points at: the row's first byte for row errors, `None` for
    /// [`FramingError::Empty`].
    pub fn byte(&self) -> Option<usize> {
        use FramingError::*;
        match *self {
            Empty => None,
            UnexpectedStart { byte, .. }
            | Expected { byte, .. }
            | RootKey { byte, .. }
            | ExtraRootKey { byte }
            | TrailingData { byte, .. }
            | UnexpectedEnd { byte, .. }
            | MissingComma { byte, .. }
            | TrailingComma { byte, .. }
            | UnterminatedString { byte, .. }
            | UnterminatedRow { byte, .. }
            | Mismatched { byte, .. }
            | TooDeep { byte, .. } => Some(byte),
        }
    }

    /// The 0-based index of the row the error is in (or follows, for separator errors).
    pub fn row(&self) -> Option<u64> {
        use FramingError::*;
        match *self {
            MissingComma { row, .. }
            | TrailingComma { row, .. }
            | UnterminatedString { row, .. }
            | UnterminatedRow { row, .. }
            | Mismatched { row, .. }
            | TooDeep { row, .. } => Some(row),
            _ => None,
        }
    }

    /// What the framer found at [`byte`](Self::byte), for the errors that name it.
    pub fn found(&self) -> Option<Found> {
        use FramingError::*;
        match *self {
            UnexpectedStart { found, .. }
            | Expected { found, .. }
            | TrailingData { found, .. }
            | MissingComma { found, .. } => Some(found),
            _ => None,
        }
    }

    /// Whether the error says the bytes ended too early (an empty file, an unclosed string,
    /// row or wrapper): on a prefix of a file, more bytes may resolve it.
    pub fn is_at_end(&self) -> bool {
        use FramingError::*;
        matches!(
            self,
            Empty | UnexpectedEnd { .. } | UnterminatedString { .. } | UnterminatedRow { .. }
        )
    }

    /// The same error with every offset moved by `base`: for bytes framed as a window that
    /// starts `base` bytes into the file.
    pub fn offset_by(self, base: usize) -> Self {
        use FramingError::*;
        match self {
            Empty => Empty,
            UnexpectedStart { byte, found } => UnexpectedStart {
                byte: byte + base,
                found,
            },
            Expected {
                byte,
                expected,
                found,
            } => Expected {
                byte: byte + base,
                expected,
                found,
            },
            RootKey { byte, key } => RootKey {
                byte: byte + base,
                key,
            },
            ExtraRootKey { byte } => ExtraRootKey { byte: byte + base },
            TrailingData { byte, after, found } => TrailingData {
                byte: byte + base,
                after,
                found,
            },
            UnexpectedEnd {
                byte,
                within,
                expected,
            } => UnexpectedEnd {
                byte: byte + base,
                within,
                expected,
            },
            MissingComma { byte, row, found } => MissingComma {
                byte: byte + base,
                row,
                found,
            },
            TrailingComma { byte, row } => TrailingComma {
                byte: byte + base,
                row,
            },
            UnterminatedString { row, byte, at } => UnterminatedString {
                row,
                byte: byte + base,
                at: at + base,
            },
            UnterminatedRow {
                row,
                byte,
                open,
                expected,
            } => UnterminatedRow {
                row,
                byte: byte + base,
                open,
                expected,
            },
            Mismatched {
                row,
                byte,
                at,
                expected,
                found,
            } => Mismatched {
                row,
                byte: byte + base,
                at: at + base,
                expected,
                found,
            },
            TooDeep { row, byte, at } => TooDeep {
                row,
                byte: byte + base,
                at: at + base,
            },
        }
    }
}
