//! JSON framing: finds row boundaries in a JSON rows file so ranges of rows ("work units")
//! can be parsed in parallel, without parsing the file into one document.
//!
//! Three shapes are accepted (`docs/formats.md`, "Shapes"; strict): `{"rows": [ {row}, ...
//! ]}` with `rows` as the only key (compared ASCII case-insensitively), a bare list
//! `[ {row}, ... ]`, and JSON Lines (one value per line, blank lines skipped). A leading UTF-8 byte order mark is
//! skipped; trailing data, trailing commas and an empty file are refused; an empty list
//! gives zero rows. The root key is compared as written, so an escaped key such as
//! `"\u0072ows"` is refused (Go's decoder in Milvus would decode it first).
//!
//! The framer does no I/O and parses no row: it scans structure only (strings and escapes,
//! `{}` and `[]` nesting, newlines), in bounded memory, one unit at a time:
//!
//! ```
//! use vecload::parse::json::framing::{Framer, JsonFormat, rows_in};
//!
//! let bytes = br#"{"rows": [{"id": 1}, {"id": 2, "v": [0.5]}]}"#;
//! let mut framer = Framer::new(bytes, JsonFormat::Document)?;
//! while let Some(unit) = framer.next_unit(1 << 20) {
//!     let unit = unit?;
//!     for span in rows_in(bytes, &unit, JsonFormat::Document) {
//!         println!("row {}: {}", span.row, String::from_utf8_lossy(&bytes[span.start..span.end]));
//!     }
//! }
//! # Ok::<(), vecload::parse::json::framing::FramingError>(())
//! ```
//!
//! Rows are not required to be objects: any value (`5`, `"x"`, `[1]`) is framed as a row,
//! and the row parser rejects it as a bad row. That keeps a non-object row a row-level
//! error (data) rather than a file-level one. In JSON Lines, a row is the trimmed text of
//! its line; the framer checks nothing inside it.

mod error;
mod rows;
mod scan;
mod stream;
#[cfg(test)]
mod tests;

pub use error::{Found, FramingError};
pub use rows::{RowSpan, RowSpans, rows_in};
pub use scan::MAX_NESTING;
pub use stream::{OwnedUnit, Step, StreamFramer};

use rows::next_line_row;
use scan::{skip_ws, starts_value, value_end};

/// The UTF-8 byte order mark, skipped at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a file holds its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonFormat {
    /// One JSON document: `{"rows": [...]}` or a bare list `[...]`, told by the first token.
    Document,
    /// JSON Lines: one row per line.
    Lines,
}

/// The shape a [`Framer`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"rows": [...]}`.
    Wrapped,
    /// `[...]`.
    List,
    /// JSON Lines.
    Lines,
}

/// The format of a file from its extension, case-sensitively as Milvus: `.json` is a
/// document, `.jsonl` and `.ndjson` are JSON Lines; anything else is `None`.
pub fn format_for_path(path: &str) -> Option<JsonFormat> {
    if path.ends_with(".json") {
        Some(JsonFormat::Document)
    } else if path.ends_with(".jsonl") || path.ends_with(".ndjson") {
        Some(JsonFormat::Lines)
    } else {
        None
    }
}

/// A run of consecutive complete rows: the work one parser takes at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    /// Offset of the first row's first byte.
    pub start: usize,
    /// Offset just past the last row (separators between rows lie inside the range).
    pub end: usize,
    /// 0-based index of the first row in the file.
    pub first_row: u64,
    /// Number of rows in the unit (at least one).
    pub rows: u64,
    /// JSON Lines: 1-based line of the first row; `None` for documents.
    pub first_line: Option<u64>,
}

/// Where the framer stands between calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Document: just after `[`; a row or `]` comes next.
    Open,
    /// Document: just after the `,` at this offset; a row must come next.
    AfterComma(usize),
    /// JSON Lines: at the start of a line.
    Line,
    /// The end was checked, or an error was returned.
    Done,
}

/// Splits a JSON rows file into [`Unit`]s of whole rows, checking the structure around
/// them (wrapper, commas, closing brackets, trailing data) on the way.
pub struct Framer<'a> {
    bytes: &'a [u8],
    shape: Shape,
    state: State,
    /// Where scanning resumes.
    pos: usize,
    /// Index of the next row.
    row: u64,
    /// JSON Lines: 1-based line at `pos`.
    line: u64,
    /// Bracket stack for [`value_end`], reused across rows.
    stack: Vec<u8>,
    /// The bytes are a prefix of the file and more may follow ([`StreamFramer`]): whatever
    /// depends on what comes after the last byte is left for the next call.
    more: bool,
    /// The last call stopped because it needs bytes after the last one (only with `more`).
    starved: bool,
}

impl<'a> Framer<'a> {
    /// Checks the start of the file (byte order mark, then `{"rows": [` or `[` for a
    /// document, or at least one non-blank byte for JSON Lines) and positions the framer
    /// before the first row.
    pub fn new(bytes: &'a [u8], format: JsonFormat) -> Result<Self, FramingError> {
        let start = if bytes.starts_with(BOM) { BOM.len() } else { 0 };
        let first = skip_ws(bytes, start);
        if first == bytes.len() {
            return Err(FramingError::Empty);
        }
        let (shape, state, pos) = match format {
            JsonFormat::Lines => (Shape::Lines, State::Line, start),
            JsonFormat::Document => match bytes[first] {
                b'[' => (Shape::List, State::Open, first + 1),
                b'{' => (Shape::Wrapped, State::Open, open_wrapper(bytes, first + 1)?),
                _ => {
                    let found = Found::at(bytes, first);
                    return Err(FramingError::UnexpectedStart { byte: first, found });
                }
            },
        };
        Ok(Self {
            bytes,
            shape,
            state,
            pos,
            row: 0,
            line: 1,
            stack: Vec::new(),
            more: false,
            starved: false,
        })
    }

    /// The shape found at the start of the file.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// How many rows the units returned so far hold.
    pub fn rows(&self) -> u64 {
        self.row
    }

    /// How far framing has got, in bytes from the start of the file (for progress: the
    /// file length once the end has been checked).
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The next unit: consecutive complete rows spanning about `target_bytes` (at least one
    /// row; a unit ends at the first row whose end reaches `target_bytes` from its start).
    ///
    /// Returns `None` once the end of the rows has been checked (closing `]`, `}` and no
    /// trailing data). The last unit is returned only after that check: a file with a bad
    /// end gives an error in its place. After an error, returns `None`.
    pub fn next_unit(&mut self, target_bytes: usize) -> Option<Result<Unit, FramingError>> {
        self.starved = false;
        let result = match self.state {
            State::Done => return None,
            State::Line => Ok(self.next_lines(target_bytes)),
            State::Open | State::AfterComma(_) => self.next_document(target_bytes),
        };
        match result {
            Ok(Some(unit)) => Some(Ok(unit)),
            Ok(None) if self.starved => None,
            Ok(None) => {
                self.state = State::Done;
                self.pos = self.bytes.len();
                None
            }
            Err(e) => {
                self.state = State::Done;
                Some(Err(e))
            }
        }
    }

    fn next_document(&mut self, target: usize) -> Result<Option<Unit>, FramingError> {
        let bytes = self.bytes;
        let mut unit: Option<Unit> = None;
        // With `more`: the rows followed by a comma, which no later byte can change.
        let mut committed: Option<Unit> = None;
        let first_row = self.row;
        loop {
            let p = skip_ws(bytes, self.pos);
            match (bytes.get(p), self.state) {
                (Some(b']'), State::AfterComma(comma)) => {
                    let row = self.row.saturating_sub(1);
                    return Err(FramingError::TrailingComma { byte: comma, row });
                }
                (Some(b']'), _) if self.more => return Ok(self.starve(committed, first_row)),
                (Some(b']'), _) => return self.close(p + 1, unit),
                (None, _) if self.more => return Ok(self.starve(committed, first_row)),
                (Some(&b), _) if starts_value(b) => {}
                (_, state) => {
                    let expected = match state {
                        State::AfterComma(_) => "a row",
                        _ => "a row or ']'",
                    };
                    return Err(expected_at(bytes, p, "the rows list", expected));
                }
            }
            let end = match value_end(bytes, p, self.row, &mut self.stack) {
                Err(e) if self.more && e.is_at_end() => {
                    return Ok(self.starve(committed, first_row));
                }
                end => end?,
            };
            let unit = unit.get_or_insert(Unit {
                start: p,
                end,
                first_row: self.row,
                rows: 0,
                first_line: None,
            });
            unit.end = end;
            unit.rows += 1;
            self.row += 1;
            let q = skip_ws(bytes, end);
            match bytes.get(q) {
                Some(b',') => {
                    self.pos = q + 1;
                    self.state = State::AfterComma(q);
                    committed = Some(*unit);
                    if end - unit.start >= target {
                        return Ok(Some(*unit));
                    }
                }
                Some(b']') | None if self.more => return Ok(self.starve(committed, first_row)),
                Some(b']') => return self.close(q + 1, Some(*unit)),
                _ => {
                    return Err(match Found::at(bytes, q) {
                        Found::End => expected_at(bytes, q, "the rows list", "',' or ']'"),
                        found => FramingError::MissingComma {
                            byte: q,
                            row: self.row - 1,
                            found,
                        },
                    });
                }
            }
        }
    }

    /// Stops a call that needs bytes past the end (only with `more`): forgets the rows not
    /// followed by a comma (they are scanned again with more bytes) and returns the others.
    fn starve(&mut self, committed: Option<Unit>, first_row: u64) -> Option<Unit> {
        self.starved = true;
        self.row = committed.map_or(first_row, |u| u.first_row + u.rows);
        committed
    }

    /// Checks what follows the `]` closing the rows list (`after` is just past it).
    fn close(&mut self, after: usize, unit: Option<Unit>) -> Result<Option<Unit>, FramingError> {
        let bytes = self.bytes;
        let mut p = skip_ws(bytes, after);
        let mut what = "the rows list";
        if self.shape == Shape::Wrapped {
            match bytes.get(p) {
                Some(b'}') => {}
                Some(b',') => return Err(FramingError::ExtraRootKey { byte: p }),
                _ => return Err(expected_at(bytes, p, "the root object", "'}'")),
            }
            p = skip_ws(bytes, p + 1);
            what = "the root object";
        }
        if p < bytes.len() {
            let found = Found::at(bytes, p);
            return Err(FramingError::TrailingData {
                byte: p,
                after: what,
                found,
            });
        }
        self.state = State::Done;
        self.pos = bytes.len();
        Ok(unit)
    }

    fn next_lines(&mut self, target: usize) -> Option<Unit> {
        let bytes = self.bytes;
        let mut unit: Option<Unit> = None;
        loop {
            let line = self.line;
            let row = next_line_row(bytes, self.pos, &mut self.line);
            // With `more`, a line is a row only once its '\n' is here.
            let whole = |&(_, next): &(_, usize)| next > 0 && bytes[next - 1] == b'\n';
            let Some((span, next)) = row.filter(|r| !self.more || whole(r)) else {
                if self.more {
                    self.line = line;
                    self.starved = true;
                }
                break;
            };
            let unit = unit.get_or_insert(Unit {
                start: span.0,
                end: span.1,
                first_row: self.row,
                rows: 0,
                first_line: Some(self.line),
            });
            unit.end = span.1;
            unit.rows += 1;
            self.row += 1;
            self.line += 1;
            self.pos = next;
            if span.1 - unit.start >= target {
                return Some(*unit);
            }
        }
        unit
    }
}

impl std::fmt::Debug for Framer<'_> {
    /// Leaves out the bytes: a file can be gigabytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Framer")
            .field("len", &self.bytes.len())
            .field("shape", &self.shape)
            .field("state", &self.state)
            .field("pos", &self.pos)
            .field("row", &self.row)
            .field("line", &self.line)
            .field("more", &self.more)
            .finish_non_exhaustive()
    }
}

/// Parses `"rows" : [` after the root `{` (`from` is just past it); returns the offset
/// just past the `[`.
fn open_wrapper(bytes: &[u8], from: usize) -> Result<usize, FramingError> {
    const WITHIN: &str = "the root object";
    let q = skip_ws(bytes, from);
    if bytes.get(q) != Some(&b'"') {
        return Err(expected_at(bytes, q, WITHIN, "the key \"rows\""));
    }
    let Some(key_end) = scan::string_end(bytes, q + 1) else {
        return Err(expected_at(
            bytes,
            bytes.len(),
            WITHIN,
            "'\"' closing the root key",
        ));
    };
    let key = &bytes[q + 1..key_end - 1];
    if !key.eq_ignore_ascii_case(b"rows") {
        let shown = &key[..key.len().min(64)];
        let key = String::from_utf8_lossy(shown).into_owned();
        return Err(FramingError::RootKey { byte: q, key });
    }
    let colon = skip_ws(bytes, key_end);
    if bytes.get(colon) != Some(&b':') {
        return Err(expected_at(bytes, colon, WITHIN, "':' after the root key"));
    }
    let open = skip_ws(bytes, colon + 1);
    if bytes.get(open) != Some(&b'[') {
        return Err(expected_at(
            bytes,
            open,
            WITHIN,
            "'[' opening the rows list",
        ));
    }
    Ok(open + 1)
}

/// `Expected` at `at`, or `UnexpectedEnd` when the file ends there.
fn expected_at(
    bytes: &[u8],
    at: usize,
    within: &'static str,
    expected: &'static str,
) -> FramingError {
    match Found::at(bytes, at) {
        Found::End => FramingError::UnexpectedEnd {
            byte: bytes.len(),
            within,
            expected,
        },
        found => FramingError::Expected {
            byte: at,
            expected,
            found,
        },
    }
}
