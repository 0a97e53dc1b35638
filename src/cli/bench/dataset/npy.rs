//! Writing the data set as NPY columns (format 1.0), one row at a time.

use std::io::{self, Write};

use super::rows::{Row, TITLE_MAX_CHARS};

/// NPY header alignment NumPy uses (the data starts on a 64-byte boundary).
const HEADER_ALIGN: usize = 64;

/// The complete NPY 1.0 header (magic, version, length, dict, padding, newline) for a
/// little-endian C-order array of `descr` with `shape`.
pub fn npy_header(descr: &str, shape: &[u64]) -> Vec<u8> {
    let shape_text = match shape {
        [one] => format!("({one},)"),
        dims => {
            let parts: Vec<String> = dims.iter().map(u64::to_string).collect();
            format!("({})", parts.join(", "))
        }
    };
    let mut dict =
        format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}");
    // magic (6) + version (2) + length (2) + dict + '\n', padded with spaces to the alignment.
    let unpadded = 10 + dict.len() + 1;
    let padded = unpadded.div_ceil(HEADER_ALIGN) * HEADER_ALIGN;
    dict.extend(std::iter::repeat_n(' ', padded - unpadded));
    dict.push('\n');
    let mut out = Vec::with_capacity(padded);
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    // The dict is a few dozen bytes, far below the 1.0 format's u16 limit.
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out
}

/// The four column files of the data set (`id`, `word_count`, `title`, `vec`), fed one row
/// at a time. Each writer should be buffered.
pub struct NpyColumns<W: Write> {
    id: W,
    word_count: W,
    title: W,
    vec: W,
    /// Reused encoding buffer for the wide columns.
    scratch: Vec<u8>,
}

/// File names of the columns, in the order [`NpyColumns::new`] takes their writers.
pub const NPY_FILES: [&str; 4] = ["id.npy", "word_count.npy", "title.npy", "vec.npy"];

impl<W: Write> NpyColumns<W> {
    /// Writes the headers for `rows` rows of `dim`-float vectors; the writers are in the
    /// order of [`NPY_FILES`].
    pub fn new(writers: [W; 4], rows: u64, dim: usize) -> io::Result<Self> {
        let [mut id, mut word_count, mut title, mut vec] = writers;
        id.write_all(&npy_header("<i8", &[rows]))?;
        word_count.write_all(&npy_header("<i8", &[rows]))?;
        title.write_all(&npy_header(&format!("<U{TITLE_MAX_CHARS}"), &[rows]))?;
        vec.write_all(&npy_header("<f4", &[rows, dim as u64]))?;
        Ok(NpyColumns {
            id,
            word_count,
            title,
            vec,
            scratch: Vec::new(),
        })
    }

    /// Appends one row to every column.
    pub fn push(&mut self, row: &Row) -> io::Result<()> {
        self.id.write_all(&row.id.to_le_bytes())?;
        self.word_count.write_all(&row.word_count.to_le_bytes())?;
        self.scratch.clear();
        for c in row.title.chars().chain(std::iter::repeat('\0')) {
            if self.scratch.len() == TITLE_MAX_CHARS * 4 {
                break;
            }
            self.scratch.extend_from_slice(&u32::from(c).to_le_bytes());
        }
        self.title.write_all(&self.scratch)?;
        self.scratch.clear();
        for v in &row.vec {
            self.scratch.extend_from_slice(&v.to_le_bytes());
        }
        self.vec.write_all(&self.scratch)
    }

    /// Flushes and returns the writers, in the order of [`NPY_FILES`].
    pub fn finish(mut self) -> io::Result<[W; 4]> {
        for w in [
            &mut self.id,
            &mut self.word_count,
            &mut self.title,
            &mut self.vec,
        ] {
            w.flush()?;
        }
        Ok([self.id, self.word_count, self.title, self.vec])
    }
}

#[cfg(test)]
mod tests {
    use super::super::rows::RowGen;
    use super::*;
    use vecload::parse::numpy::parse_header;

    #[test]
    fn headers_are_aligned_and_read_back() {
        for (descr, shape) in [("<i8", vec![5u64]), ("<f4", vec![1_000_000, 128])] {
            let h = npy_header(descr, &shape);
            assert_eq!(h.len() % HEADER_ALIGN, 0);
            assert_eq!(h.last(), Some(&b'\n'));
            let parsed = parse_header("x.npy", &h).unwrap();
            assert_eq!(parsed.shape, shape);
            assert_eq!(parsed.descr, descr);
            assert_eq!(parsed.data_offset, h.len() as u64);
        }
    }

    #[test]
    fn columns_have_the_sizes_their_headers_say() {
        let mut g = RowGen::new(3, 4);
        let mut cols = NpyColumns::new(std::array::from_fn(|_| Vec::new()), 10, 4).unwrap();
        let rows: Vec<Row> = (0..10).map(|_| g.next_row()).collect();
        for r in &rows {
            cols.push(r).unwrap();
        }
        let [id, wc, title, vec] = cols.finish().unwrap();
        for (bytes, item) in [
            (&id, 8),
            (&wc, 8),
            (&title, 4 * TITLE_MAX_CHARS),
            (&vec, 16),
        ] {
            let h = parse_header("x.npy", bytes).unwrap();
            assert_eq!(bytes.len() as u64, h.data_offset + 10 * item as u64);
        }
        let h = parse_header("title.npy", &title).unwrap();
        let first = &title[h.data_offset as usize..][..4 * TITLE_MAX_CHARS];
        let text: String = first
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .take_while(|&u| u != 0)
            .filter_map(char::from_u32)
            .collect();
        assert_eq!(text, rows[0].title);
    }
}
