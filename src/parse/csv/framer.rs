//! Cutting a CSV file into work units at record boundaries, in one pass, quote-aware: a
//! newline inside a quoted field never ends a record. The quoting follows the parser's
//! (csv-core's) exactly, so the records the framer counts are the records the parser reads:
//! a quote opens a quoted field only at the start of a field; `""` inside one is a quote;
//! anything after the closing quote is part of the field.
//!
//! The framer works over a window of the file (the whole map, or the bytes streamed so far)
//! and resumes where it stopped: [`Framer::next`] says "header", "unit", "need more" or
//! "done". Blank lines (empty, or a lone `\r`) are not records.

use memchr::memchr2;

use super::CsvError;

const BOM: &[u8] = b"\xef\xbb\xbf";

/// One work unit: whole records of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvUnit {
    /// File offset of the unit's first byte (just after the previous unit or the header).
    pub start: u64,
    /// File offset just past the unit's last record (and its newline).
    pub end: u64,
    /// 0-based index of the unit's first data row in the file (the header is not a row).
    pub first_row: u64,
    /// Data rows in the unit (at least one).
    pub rows: u64,
    /// 1-based line of the unit's first byte.
    pub line: u64,
}

/// What [`Framer::next`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The header record: file offsets of its bytes (newline excluded), and its line.
    Header {
        /// Offset of its first byte (after a byte-order mark).
        start: u64,
        /// Offset just past it, newline excluded.
        end: u64,
        /// Its 1-based line.
        line: u64,
    },
    /// A unit of data rows.
    Unit(CsvUnit),
    /// The window ends inside a record: push more bytes (or say it is the end).
    NeedMore,
    /// Every record was handed out.
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quote {
    /// Outside quotes.
    Out,
    /// Inside a quoted field.
    In,
    /// Just after a quote inside a quoted field: `"` again is an escaped quote.
    After,
}

/// A record found by the scanner.
struct Record {
    start: u64,
    /// Just past its newline (or the end of the file).
    end: u64,
    line: u64,
    blank: bool,
}

/// The framer of one file. Offsets are the file's; a window given to [`Framer::next`] must
/// hold the file from (at most) the start of the record the framer stands in.
#[derive(Debug, Clone)]
pub struct Framer {
    sep: u8,
    pos: u64,
    line: u64,
    quote: Quote,
    record_start: u64,
    record_line: u64,
    /// Where the current quoted field opened: offset and line.
    opened: (u64, u64),
    header_done: bool,
    unit_start: u64,
    unit_line: u64,
    unit_first_row: u64,
    unit_rows: u64,
    next_row: u64,
}

impl Framer {
    /// A framer at the start of a file separated by `sep`.
    pub fn new(sep: u8) -> Self {
        Framer {
            sep,
            pos: 0,
            line: 1,
            quote: Quote::Out,
            record_start: 0,
            record_line: 1,
            opened: (0, 1),
            header_done: false,
            unit_start: 0,
            unit_line: 1,
            unit_first_row: 0,
            unit_rows: 0,
            next_row: 0,
        }
    }

    /// The offset from which the framer still needs the file's bytes: a streaming caller
    /// may drop what comes before it.
    pub fn keep_from(&self) -> u64 {
        self.unit_start.min(self.record_start)
    }

    /// The next header, unit, or what is needed. `window` holds the file from offset `base`
    /// (at most [`keep_from`](Self::keep_from)); `eof`: the window reaches the end of the
    /// file. A unit ends at the first record end at least `target` bytes past its start.
    pub fn next(
        &mut self,
        file: &str,
        window: &[u8],
        base: u64,
        eof: bool,
        target: usize,
    ) -> Result<Step, CsvError> {
        let unterminated = |(byte, line)| CsvError::UnterminatedQuote {
            file: file.to_string(),
            line,
            byte,
        };
        while !self.header_done {
            match self.record(window, base, eof).map_err(unterminated)? {
                None if eof => {
                    return Err(CsvError::NoHeader {
                        file: file.to_string(),
                    });
                }
                None => return Ok(Step::NeedMore),
                Some(r) if r.blank => {}
                Some(r) => {
                    self.header_done = true;
                    self.unit_start = r.end;
                    self.unit_line = self.line;
                    let text = &window[(r.start - base) as usize..(r.end - base) as usize];
                    let text = text.strip_suffix(b"\n").unwrap_or(text);
                    return Ok(Step::Header {
                        start: r.start,
                        end: r.start + text.len() as u64,
                        line: r.line,
                    });
                }
            }
        }
        loop {
            match self.record(window, base, eof).map_err(unterminated)? {
                None if !eof => return Ok(Step::NeedMore),
                None if self.unit_rows > 0 => return Ok(Step::Unit(self.cut(self.pos))),
                None => return Ok(Step::Done),
                Some(r) => {
                    if !r.blank {
                        if self.unit_rows == 0 {
                            self.unit_first_row = self.next_row;
                        }
                        self.unit_rows += 1;
                        self.next_row += 1;
                    }
                    if self.unit_rows > 0 && r.end - self.unit_start >= target as u64 {
                        return Ok(Step::Unit(self.cut(r.end)));
                    }
                }
            }
        }
    }

    /// Ends the current unit at `end` (a record end) and starts the next there.
    fn cut(&mut self, end: u64) -> CsvUnit {
        let unit = CsvUnit {
            start: self.unit_start,
            end,
            first_row: self.unit_first_row,
            rows: self.unit_rows,
            line: self.unit_line,
        };
        self.unit_start = end;
        self.unit_line = self.line;
        self.unit_rows = 0;
        unit
    }

    /// Scans to the end of the next record; `None` when the window ends first (or, at the
    /// end of the file, when no record is left). Err: where an unclosed quote opened.
    fn record(
        &mut self,
        window: &[u8],
        base: u64,
        eof: bool,
    ) -> Result<Option<Record>, (u64, u64)> {
        let len = window.len();
        if self.pos == 0 && !eof && len < BOM.len() && BOM.starts_with(window) {
            return Ok(None); // a byte-order mark may be arriving
        }
        if self.pos == 0 && (len >= BOM.len() || eof) && window.starts_with(BOM) {
            self.pos = BOM.len() as u64;
            self.record_start = self.pos;
        }
        loop {
            let i = (self.pos - base) as usize;
            if i >= len {
                if !eof {
                    return Ok(None);
                }
                if self.quote == Quote::In {
                    return Err(self.opened);
                }
                if self.pos == self.record_start {
                    return Ok(None);
                }
                return Ok(Some(self.finish(window, base, self.pos)));
            }
            match self.quote {
                Quote::After => {
                    if window[i] == b'"' {
                        self.quote = Quote::In;
                        self.pos += 1;
                    } else {
                        self.quote = Quote::Out;
                    }
                }
                Quote::In => match memchr2(b'"', b'\n', &window[i..]) {
                    None => self.pos = base + len as u64,
                    Some(k) => {
                        self.pos += k as u64 + 1;
                        if window[i + k] == b'\n' {
                            self.line += 1;
                        } else {
                            self.quote = Quote::After;
                        }
                    }
                },
                Quote::Out => match memchr2(b'"', b'\n', &window[i..]) {
                    None => self.pos = base + len as u64,
                    Some(k) => {
                        let p = i + k;
                        self.pos = base + p as u64 + 1;
                        if window[p] == b'\n' {
                            self.line += 1;
                            return Ok(Some(self.finish(window, base, self.pos)));
                        }
                        // A quote opens a quoted field only at a field's start.
                        if base + p as u64 == self.record_start || window[p - 1] == self.sep {
                            self.quote = Quote::In;
                            self.opened = (base + p as u64, self.line);
                        }
                    }
                },
            }
        }
    }

    /// The record from `record_start` to `end`; the next starts there.
    fn finish(&mut self, window: &[u8], base: u64, end: u64) -> Record {
        let text = &window[(self.record_start - base) as usize..(end - base) as usize];
        let record = Record {
            start: self.record_start,
            end,
            line: self.record_line,
            blank: is_blank(text),
        };
        self.quote = Quote::Out;
        self.record_start = end;
        self.record_line = self.line;
        record
    }
}

/// Whether a record's raw bytes (its newline included or not) are a blank line: nothing,
/// or a lone carriage return.
pub(crate) fn is_blank(raw: &[u8]) -> bool {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    raw.is_empty() || raw == b"\r"
}
