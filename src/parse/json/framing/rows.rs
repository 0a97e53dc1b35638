//! Rows inside a unit: the spans the row parser copies out and parses.

use super::scan::{is_line_ws, next_newline, skip_ws, trusted_value_end};
use super::{JsonFormat, Unit};

/// One row of a unit: the byte range of its value (no separator, no surrounding whitespace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowSpan {
    /// Offset of the value's first byte.
    pub start: usize,
    /// Offset just past the value.
    pub end: usize,
    /// 0-based row index in the file.
    pub row: u64,
    /// JSON Lines: 1-based line number; `None` for documents.
    pub line: Option<u64>,
}

/// JSON Lines: the next non-blank line at or after `pos` (a line start). Counts skipped
/// blank lines into `line`; returns the row's span (the line without surrounding
/// whitespace) and the start of the next line.
pub(super) fn next_line_row(
    bytes: &[u8],
    mut pos: usize,
    line: &mut u64,
) -> Option<((usize, usize), usize)> {
    loop {
        let rest = bytes.get(pos..)?;
        let p = pos + rest.iter().position(|&b| !is_line_ws(b))?;
        if bytes[p] == b'\n' {
            *line += 1;
            pos = p + 1;
            continue;
        }
        let nl = next_newline(bytes, p);
        let trimmed = bytes[p..nl]
            .iter()
            .rposition(|&b| !is_line_ws(b))
            .map_or(nl, |i| p + i + 1);
        return Some(((p, trimmed), (nl + 1).min(bytes.len())));
    }
}

/// The rows of `unit`, a unit a [`Framer`](super::Framer) returned for these `bytes` and `format`.
///
/// Scans the unit again (quickly: the framer has checked it). On bytes the unit was not
/// framed from, the spans are meaningless but nothing panics.
pub fn rows_in<'a>(bytes: &'a [u8], unit: &Unit, format: JsonFormat) -> RowSpans<'a> {
    let end = unit.end.min(bytes.len());
    RowSpans {
        bytes: bytes.get(..end).unwrap_or_default(),
        format,
        pos: unit.start,
        row: unit.first_row,
        left: unit.rows,
        line: unit.first_line.unwrap_or(1),
    }
}

/// Iterator over the [`RowSpan`]s of a unit; see [`rows_in`].
#[derive(Clone)]
pub struct RowSpans<'a> {
    /// The file up to the unit's end.
    bytes: &'a [u8],
    format: JsonFormat,
    pos: usize,
    row: u64,
    left: u64,
    line: u64,
}

impl std::fmt::Debug for RowSpans<'_> {
    /// Leaves out the bytes: a unit can be large.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowSpans")
            .field("format", &self.format)
            .field("pos", &self.pos)
            .field("row", &self.row)
            .field("left", &self.left)
            .finish_non_exhaustive()
    }
}

impl RowSpans<'_> {
    /// Document units: the offset and index of the next row, for a reader that finds where
    /// the row ends itself and then calls [`RowSpans::resume_at`]. (Calling `next` instead
    /// yields that row's span.) `None` after the unit's last row, and for JSON Lines.
    pub fn next_row_start(&mut self) -> Option<(usize, u64)> {
        if self.left == 0 || self.format != JsonFormat::Document {
            return None;
        }
        self.pos = self.document_row_start();
        Some((self.pos, self.row))
    }

    /// Document units: where the next row's value starts (past whitespace and a comma).
    fn document_row_start(&self) -> usize {
        let p = skip_ws(self.bytes, self.pos);
        if self.bytes.get(p) == Some(&b',') {
            skip_ws(self.bytes, p + 1)
        } else {
            p
        }
    }

    /// The row [`RowSpans::next_row_start`] returned ends at `end`; moves past it.
    pub fn resume_at(&mut self, end: usize) {
        self.pos = end;
        self.row += 1;
        self.left = self.left.saturating_sub(1);
    }

    /// The bytes of the file up to the unit's end.
    pub fn bytes(&self) -> &[u8] {
        self.bytes
    }
}

impl Iterator for RowSpans<'_> {
    type Item = RowSpan;

    fn next(&mut self) -> Option<RowSpan> {
        if self.left == 0 {
            return None;
        }
        let (start, end, line) = match self.format {
            JsonFormat::Document => {
                let p = self.document_row_start();
                let end = trusted_value_end(self.bytes, p)?;
                self.pos = end;
                (p, end, None)
            }
            JsonFormat::Lines => {
                let ((start, end), next) = next_line_row(self.bytes, self.pos, &mut self.line)?;
                self.pos = next;
                self.line += 1;
                (start, end, Some(self.line - 1))
            }
        };
        let span = RowSpan {
            start,
            end,
            row: self.row,
            line,
        };
        self.row += 1;
        self.left -= 1;
        Some(span)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, usize::try_from(self.left).ok())
    }
}
