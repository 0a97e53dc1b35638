//! Framing a file that arrives in pieces (an object read in ranged chunks): the same
//! [`Framer`] run over a window of the file and resumed as bytes arrive.
//!
//! ```
//! use vecload::parse::json::framing::{JsonFormat, Step, StreamFramer};
//!
//! let file = br#"{"rows": [{"id": 1}, {"id": 2}]}"#;
//! let mut framer = StreamFramer::new(JsonFormat::Document);
//! let mut chunks = file.chunks(5);
//! let mut rows = 0;
//! loop {
//!     match framer.next_unit(1 << 20)? {
//!         Step::Unit(owned) => rows += owned.unit.rows,
//!         Step::NeedMore => match chunks.next() {
//!             Some(chunk) => framer.push(chunk),
//!             None => framer.finish(),
//!         },
//!         Step::Done => break,
//!     }
//! }
//! assert_eq!(rows, 2);
//! # Ok::<(), vecload::parse::json::framing::FramingError>(())
//! ```
//!
//! Only the row being scanned is kept between chunks: the window holds the bytes from the
//! first row not yet handed out to the end of the last chunk pushed. Rows, units' row
//! indices, line numbers and error offsets are those of the whole file.

use super::{BOM, Found, Framer, FramingError, JsonFormat, Shape, State, Unit};

/// A unit cut from a streamed file, with its own copy of the unit's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedUnit {
    /// The unit. `start` and `end` are offsets into [`bytes`](Self::bytes) (`0` and its
    /// length); `first_row` and `first_line` are the file's.
    pub unit: Unit,
    /// The unit's bytes: its rows and the separators between them.
    pub bytes: Vec<u8>,
    /// Offset in the file of `bytes[0]`: add it to offsets into `bytes` for file offsets.
    pub base: usize,
}

/// What [`StreamFramer::next_unit`] has to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// The next unit of rows.
    Unit(OwnedUnit),
    /// No whole row is left in the bytes pushed so far: push more, or call
    /// [`finish`](StreamFramer::finish) at the end of the file.
    NeedMore,
    /// The end of the rows was checked; nothing follows.
    Done,
}

/// Where a [`Framer`] stands, kept while the window's bytes change.
#[derive(Debug, Clone)]
struct Cursor {
    shape: Shape,
    state: State,
    pos: usize,
    row: u64,
    line: u64,
    stack: Vec<u8>,
}

impl Cursor {
    fn of(f: Framer<'_>) -> Self {
        Cursor {
            shape: f.shape,
            state: f.state,
            pos: f.pos,
            row: f.row,
            line: f.line,
            stack: f.stack,
        }
    }

    fn framer(self, bytes: &[u8], more: bool) -> Framer<'_> {
        Framer {
            bytes,
            shape: self.shape,
            state: self.state,
            pos: self.pos,
            row: self.row,
            line: self.line,
            stack: self.stack,
            more,
            starved: false,
        }
    }
}

/// Frames a JSON rows file pushed in pieces of any size, with the checks and results of
/// [`Framer`] on the whole file (the property tests compare the two at every chunk size).
pub struct StreamFramer {
    format: JsonFormat,
    /// The window: file bytes from `base` on.
    buf: Vec<u8>,
    base: usize,
    /// `None` until the start of the file has been checked.
    cursor: Option<Cursor>,
    /// [`finish`](Self::finish) was called: the window reaches the end of the file.
    eof: bool,
    done: bool,
}

impl StreamFramer {
    /// A framer at the start of a file of `format`; no bytes yet.
    pub fn new(format: JsonFormat) -> Self {
        StreamFramer {
            format,
            buf: Vec::new(),
            base: 0,
            cursor: None,
            eof: false,
            done: false,
        }
    }

    /// Appends the next bytes of the file, first dropping the bytes already handed out.
    pub fn push(&mut self, bytes: &[u8]) {
        self.compact();
        self.buf.extend_from_slice(bytes);
    }

    /// Says the file has no more bytes.
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// Bytes held: the row being scanned and what follows it.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Offset in the file of the first byte held.
    pub fn window_start(&self) -> usize {
        self.base
    }

    /// The next unit of about `target_bytes` (see [`Framer::next_unit`]), or what is
    /// needed to cut one. Error offsets are file offsets. After an error or
    /// [`Step::Done`], returns [`Step::Done`].
    pub fn next_unit(&mut self, target_bytes: usize) -> Result<Step, FramingError> {
        if self.done {
            return Ok(Step::Done);
        }
        let more = !self.eof;
        let cursor = match self.cursor.take() {
            Some(c) => c,
            // A byte order mark may be cut: wait for its length.
            None if more && self.buf.len() < BOM.len() => return Ok(Step::NeedMore),
            None => match Framer::new(&self.buf, self.format) {
                Ok(f) => Cursor::of(f),
                Err(e) if more && (e.is_at_end() || cut_character(&e, self.buf.len())) => {
                    return Ok(Step::NeedMore);
                }
                Err(e) => return Err(self.fail(e)),
            },
        };
        // Kept to step back when an error may be a character cut by the window's end.
        let before = more.then(|| cursor.clone());
        let mut framer = cursor.framer(&self.buf, more);
        let next = framer.next_unit(target_bytes);
        let starved = framer.starved;
        self.cursor = Some(Cursor::of(framer));
        if let (Some(Err(e)), Some(before)) = (&next, before)
            && cut_character(e, self.buf.len())
        {
            self.cursor = Some(before);
            return Ok(Step::NeedMore);
        }
        match next {
            Some(Ok(u)) => {
                let bytes = self.buf[u.start..u.end].to_vec();
                let base = self.base + u.start;
                let unit = Unit {
                    start: 0,
                    end: bytes.len(),
                    ..u
                };
                Ok(Step::Unit(OwnedUnit { unit, bytes, base }))
            }
            Some(Err(e)) => Err(self.fail(e)),
            None if starved => Ok(Step::NeedMore),
            None => {
                self.done = true;
                self.buf = Vec::new();
                Ok(Step::Done)
            }
        }
    }

    fn fail(&mut self, e: FramingError) -> FramingError {
        self.done = true;
        e.offset_by(self.base)
    }

    /// Drops the bytes before the cursor (keeping a pending comma, which an error may name).
    fn compact(&mut self) {
        let Some(c) = &mut self.cursor else { return };
        let keep = match c.state {
            State::AfterComma(comma) => comma.min(c.pos),
            _ => c.pos,
        }
        .min(self.buf.len());
        if keep == 0 {
            return;
        }
        self.buf.drain(..keep);
        self.base += keep;
        c.pos -= keep;
        if let State::AfterComma(comma) = &mut c.state {
            *comma -= keep;
        }
    }
}

/// Whether `e`, met in a window of `window_len` bytes that more bytes will follow, names a
/// non-UTF-8 byte within a character's length of the window's end: it may be the start of
/// a character cut by the chunk, which the whole file would report as that character (or
/// pass), so the error waits for more bytes.
fn cut_character(e: &FramingError, window_len: usize) -> bool {
    matches!(e.found(), Some(Found::Byte(b)) if b >= 0x80)
        && e.byte().is_some_and(|at| window_len.saturating_sub(at) < 4)
}

impl std::fmt::Debug for StreamFramer {
    /// Leaves out the bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamFramer")
            .field("format", &self.format)
            .field("base", &self.base)
            .field("buffered", &self.buf.len())
            .field("cursor", &self.cursor)
            .field("eof", &self.eof)
            .field("done", &self.done)
            .finish()
    }
}
