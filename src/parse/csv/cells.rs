//! Splitting one record into its cells, reading quotes exactly as csv-core does (the tests
//! compare the two): a quote opens a quoted field only at a field's start; `""` inside one
//! is a quote; anything after the closing quote is part of the field; records end at `\n`,
//! and one `\r` before it is removed from the last cell (as Go's reader does). A cell that
//! needs no unquoting (no doubled quote, nothing after its closing quote) is handed out as
//! a slice of the input: no copy, no byte-by-byte pass, cell ends found by `memchr`. Only
//! the other cells are built, in a scratch buffer. Blank lines (empty, or a lone `\r`) are
//! not records.

use memchr::{memchr, memchr2};

/// Where a cell's bytes are: a range of the input, or of the scratch buffer.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    owned: bool,
}

impl Span {
    fn input(start: usize, end: usize) -> Self {
        Span {
            start,
            end,
            owned: false,
        }
    }
}

/// How a quoted cell ended.
struct Quoted {
    span: Span,
    /// Offset of the separator or `\n` after the cell, or the input's length.
    next: usize,
    /// The cell was the record's last, and its `\r` is already left out.
    cr_done: bool,
}

/// The cells of the last record read. Reuse one per worker: nothing is allocated per
/// record once its buffers have grown.
///
/// ```
/// use vecload::parse::csv::Cells;
///
/// let unit = b"1,\"[1.5, 2]\",\"say \"\"hi\"\"\"\r\n\r\n2,x\"y,\n";
/// let (mut cells, mut pos, mut rows) = (Cells::default(), 0, Vec::new());
/// while let Some(_start) = cells.read(unit, b',', &mut pos) {
///     rows.push((0..cells.len()).map(|k| cells.get(unit, k).to_vec()).collect::<Vec<_>>());
/// }
/// let want: [&[&[u8]]; 2] = [&[b"1", b"[1.5, 2]", b"say \"hi\""], &[b"2", b"x\"y", b""]];
/// assert_eq!(rows, want);
/// ```
#[derive(Debug, Default)]
pub struct Cells {
    spans: Vec<Span>,
    scratch: Vec<u8>,
}

impl Cells {
    /// Reads the record at `*pos` of `bytes` (blank lines before it skipped), moving `*pos`
    /// past it (and its `\n`). Returns the offset of its first byte, or `None` when only
    /// blank lines are left.
    pub fn read(&mut self, bytes: &[u8], sep: u8, pos: &mut usize) -> Option<usize> {
        loop {
            let start = *pos;
            match bytes.get(start..)? {
                [] => return None,
                [b'\n', ..] => *pos += 1,
                [b'\r', b'\n', ..] => *pos += 2,
                [b'\r'] => *pos += 1,
                _ => {
                    *pos = self.split(bytes, sep, start);
                    return Some(start);
                }
            }
        }
    }

    /// How many cells the record has.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the record has no cell (never after a successful [`read`](Self::read)).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Cell `k` of the record read from `bytes`.
    pub fn get<'a>(&'a self, bytes: &'a [u8], k: usize) -> &'a [u8] {
        let s = self.spans[k];
        let from = if s.owned { &self.scratch[..] } else { bytes };
        from.get(s.start..s.end).unwrap_or_default()
    }

    /// Splits the record starting at `p`; returns the offset past it.
    fn split(&mut self, bytes: &[u8], sep: u8, mut p: usize) -> usize {
        self.spans.clear();
        self.scratch.clear();
        let len = bytes.len();
        loop {
            let q = if bytes.get(p) == Some(&b'"') {
                self.quoted(bytes, sep, p + 1)
            } else {
                let end = memchr2(sep, b'\n', &bytes[p..]).map_or(len, |k| p + k);
                Quoted {
                    span: Span::input(p, end),
                    next: end,
                    cr_done: false,
                }
            };
            self.spans.push(q.span);
            match bytes.get(q.next) {
                Some(&b) if b == sep => p = q.next + 1,
                end => {
                    if !q.cr_done {
                        self.drop_cr(bytes);
                    }
                    return if end.is_some() { q.next + 1 } else { len };
                }
            }
        }
    }

    /// The last cell loses one trailing `\r`.
    fn drop_cr(&mut self, bytes: &[u8]) {
        if let Some(last) = self.spans.last_mut() {
            let from = if last.owned { &self.scratch[..] } else { bytes };
            if last.end > last.start && from.get(last.end - 1) == Some(&b'\r') {
                last.end -= 1;
            }
        }
    }

    /// A quoted cell whose text starts at `p` (just past the opening quote).
    fn quoted(&mut self, bytes: &[u8], sep: u8, p: usize) -> Quoted {
        let len = bytes.len();
        let mut from = p;
        // Where the cell starts in `scratch`, once it has to be built there.
        let mut built: Option<usize> = None;
        loop {
            let Some(q) = memchr(b'"', &bytes[from..]).map(|k| from + k) else {
                // Never closed (the framer refuses such a file): the rest is the cell.
                return self.ends(bytes, built, p, from, len, len);
            };
            match bytes.get(q + 1) {
                Some(b'"') => {
                    // `""`: one quote, kept by building the cell.
                    built.get_or_insert(self.scratch.len());
                    self.scratch.extend_from_slice(&bytes[from..=q]);
                    from = q + 2;
                }
                None => return self.ends(bytes, built, p, from, q, len),
                Some(&b) if b == sep || b == b'\n' => {
                    return self.ends(bytes, built, p, from, q, q + 1);
                }
                Some(b'\r') if matches!(bytes.get(q + 2), None | Some(b'\n')) => {
                    let mut out = self.ends(bytes, built, p, from, q, q + 2);
                    out.cr_done = true;
                    return out;
                }
                Some(_) => {
                    // Text after the closing quote belongs to the cell, quotes included.
                    let start = *built.get_or_insert(self.scratch.len());
                    self.scratch.extend_from_slice(&bytes[from..q]);
                    let rest = q + 1;
                    let end = memchr2(sep, b'\n', &bytes[rest..]).map_or(len, |k| rest + k);
                    self.scratch.extend_from_slice(&bytes[rest..end]);
                    return Quoted {
                        span: Span {
                            start,
                            end: self.scratch.len(),
                            owned: true,
                        },
                        next: end,
                        cr_done: false,
                    };
                }
            }
        }
    }

    /// The quoted cell whose remaining text is `bytes[from..text_end]`, followed by `next`.
    fn ends(
        &mut self,
        bytes: &[u8],
        built: Option<usize>,
        p: usize,
        from: usize,
        text_end: usize,
        next: usize,
    ) -> Quoted {
        let span = match built {
            None => Span::input(p, text_end),
            Some(start) => {
                self.scratch.extend_from_slice(&bytes[from..text_end]);
                Span {
                    start,
                    end: self.scratch.len(),
                    owned: true,
                }
            }
        };
        Quoted {
            span,
            next,
            cr_done: false,
        }
    }
}
