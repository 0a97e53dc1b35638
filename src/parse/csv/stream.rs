//! Framing a CSV file that arrives in pieces (an object read in ranged chunks): the
//! [`Framer`] run over a window holding the bytes from the current unit's start to the end
//! of the last chunk pushed. Each unit leaves with its own copy of its bytes.
//!
//! ```
//! use vecload::parse::csv::{StreamFramer, StreamStep};
//!
//! let file = b"id,v\n1,\"[1.0,\n2.0]\"\n2,\"[3, 4]\"\n";
//! let mut framer = StreamFramer::new(b',');
//! let (mut chunks, mut rows) = (file.chunks(3), 0);
//! loop {
//!     match framer.next("a.csv", 1)? {
//!         StreamStep::Header(text, _) => assert_eq!(text, b"id,v"),
//!         StreamStep::Unit(unit, _) => rows += unit.rows,
//!         StreamStep::NeedMore => match chunks.next() {
//!             Some(chunk) => framer.push(chunk),
//!             None => framer.finish(),
//!         },
//!         StreamStep::Done => break,
//!     }
//! }
//! assert_eq!(rows, 2);
//! # Ok::<(), vecload::parse::csv::CsvError>(())
//! ```

use super::CsvError;
use super::framer::{CsvUnit, Framer, Step};

/// What [`StreamFramer::next`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamStep {
    /// The header record's bytes (newline excluded) and its line.
    Header(Vec<u8>, u64),
    /// A unit and its bytes (`bytes[0]` is at file offset `unit.start`).
    Unit(CsvUnit, Vec<u8>),
    /// Push the next chunk, or [`finish`](StreamFramer::finish).
    NeedMore,
    /// Every record was handed out.
    Done,
}

/// A [`Framer`] over pushed chunks.
#[derive(Debug)]
pub struct StreamFramer {
    framer: Framer,
    buf: Vec<u8>,
    base: u64,
    eof: bool,
}

impl StreamFramer {
    /// A framer at the start of a file separated by `sep`.
    pub fn new(sep: u8) -> Self {
        StreamFramer {
            framer: Framer::new(sep),
            buf: Vec::new(),
            base: 0,
            eof: false,
        }
    }

    /// Appends the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// Says no chunk follows.
    pub fn finish(&mut self) {
        self.eof = true;
    }

    /// Bytes held (the unit being framed).
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// File offset of the first byte held.
    pub fn window_start(&self) -> u64 {
        self.base
    }

    /// The next header, unit, or what is needed.
    pub fn next(&mut self, file: &str, target: usize) -> Result<StreamStep, CsvError> {
        let step = self
            .framer
            .next(file, &self.buf, self.base, self.eof, target)?;
        let slice = |s: &Self, start: u64, end: u64| {
            s.buf[(start - s.base) as usize..(end - s.base) as usize].to_vec()
        };
        let out = match step {
            Step::Header { start, end, line } => StreamStep::Header(slice(self, start, end), line),
            Step::Unit(unit) => {
                let bytes = slice(self, unit.start, unit.end);
                StreamStep::Unit(unit, bytes)
            }
            Step::NeedMore => return Ok(StreamStep::NeedMore),
            Step::Done => return Ok(StreamStep::Done),
        };
        let keep = self.framer.keep_from().max(self.base);
        self.buf.drain(..(keep - self.base) as usize);
        self.base = keep;
        Ok(out)
    }
}
