//! The benchmark rows: a seeded PRNG and the row generator that every format is written from.

use std::fmt::Write as _;

/// Printable ASCII that needs no escaping inside a JSON string (no `"` and no `\`).
const TITLE_CHARS: &[u8] =
    b" !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";

/// Shortest title, in characters.
pub const TITLE_MIN_CHARS: usize = 16;
/// Longest title, in characters (the width of the `<U48` NPY column).
pub const TITLE_MAX_CHARS: usize = 48;
/// `word_count` values are drawn from `0..WORD_COUNT_MAX`.
pub const WORD_COUNT_MAX: u64 = 100_000;

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny, fast PRNG whose whole state is one `u64`.
///
/// Not cryptographic; its only job is to make the same bytes on every machine and run.
#[derive(Debug, Clone)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`; the modulo bias is below 2^-40 for the ranges used here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// A float32 uniform in `[0, 1)`: 24 random bits scaled by 2^-24, so every value is exact.
    pub fn unit_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * (1.0 / (1u32 << 24) as f32)
    }
}

/// One row of the benchmark collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Row {
    /// Primary key: the row's index.
    pub id: i64,
    /// Uniform in `0..WORD_COUNT_MAX`.
    pub word_count: i64,
    /// 16 to 48 printable ASCII characters, none of them `"` or `\`.
    pub title: String,
    /// `dim` floats uniform in `[0, 1)`.
    pub vec: Vec<f32>,
}

impl Row {
    /// Appends the row as one JSON object (no whitespace, floats as the shortest float32
    /// text that reads back to the same value) to `out`.
    pub fn write_json(&self, out: &mut String) {
        // Writing into a String cannot fail.
        let _ = write!(
            out,
            "{{\"id\":{},\"word_count\":{},\"title\":\"{}\",\"vec\":[",
            self.id, self.word_count, self.title
        );
        for (i, v) in self.vec.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let _ = write!(out, "{v}");
        }
        out.push_str("]}");
    }

    /// Appends the row as one CSV record (`\n`-terminated) under [`CSV_HEADER`], as pandas'
    /// `to_csv(index=False)` writes pymilvus' frame: `vec` as JSON list text (`[a, b]`, the
    /// floats as the shortest float32 text) in a quoted cell, `title` quoted only when it
    /// holds the separator (titles never hold a quote or a line break).
    pub fn write_csv(&self, out: &mut String) {
        let q = if self.title.contains(',') { "\"" } else { "" };
        let _ = write!(
            out,
            "{},{},{q}{}{q},\"[",
            self.id, self.word_count, self.title
        );
        for (i, v) in self.vec.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{v}");
        }
        out.push_str("]\"\n");
    }
}

/// The header line of the CSV file.
pub const CSV_HEADER: &str = "id,word_count,title,vec\n";

/// Generates the rows of the data set in order: row `i` has `id = i`, and the random fields
/// come from one [`SplitMix64`] stream, so rows `0..n` are the same whatever `n` is.
#[derive(Debug, Clone)]
pub struct RowGen {
    rng: SplitMix64,
    dim: usize,
    next_id: i64,
}

impl RowGen {
    /// Rows of `dim`-float vectors from `seed`, starting at id 0.
    pub fn new(seed: u64, dim: usize) -> Self {
        RowGen {
            rng: SplitMix64::new(seed),
            dim,
            next_id: 0,
        }
    }

    /// Overwrites `row` with the next row (reusing its allocations).
    pub fn next_into(&mut self, row: &mut Row) {
        row.id = self.next_id;
        self.next_id += 1;
        row.word_count = self.rng.below(WORD_COUNT_MAX) as i64;
        let span = (TITLE_MAX_CHARS - TITLE_MIN_CHARS + 1) as u64;
        let len = TITLE_MIN_CHARS + self.rng.below(span) as usize;
        row.title.clear();
        for _ in 0..len {
            let c = TITLE_CHARS[self.rng.below(TITLE_CHARS.len() as u64) as usize];
            row.title.push(char::from(c));
        }
        row.vec.clear();
        row.vec.extend((0..self.dim).map(|_| self.rng.unit_f32()));
    }

    /// The next row, freshly allocated.
    pub fn next_row(&mut self) -> Row {
        let mut row = Row::default();
        self.next_into(&mut row);
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_rows_and_fields_in_range() {
        let mut a = RowGen::new(7, 16);
        let mut b = RowGen::new(7, 16);
        for i in 0..1000 {
            let (ra, rb) = (a.next_row(), b.next_row());
            assert_eq!(ra, rb);
            assert_eq!(ra.id, i);
            assert!((0..WORD_COUNT_MAX as i64).contains(&ra.word_count));
            assert!((TITLE_MIN_CHARS..=TITLE_MAX_CHARS).contains(&ra.title.len()));
            assert!(ra.title.bytes().all(|c| c.is_ascii_graphic() || c == b' '));
            assert!(!ra.title.contains(['"', '\\']));
            assert!(ra.vec.iter().all(|v| (0.0..1.0).contains(v)));
        }
        assert_ne!(RowGen::new(8, 16).next_row(), RowGen::new(7, 16).next_row());
    }

    #[test]
    fn json_row_reads_back_exactly() {
        let row = RowGen::new(1, 128).next_row();
        let mut text = String::new();
        row.write_json(&mut text);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["id"], 0);
        assert_eq!(v["title"], row.title.as_str());
        let floats: Vec<f32> = text
            .split_once("\"vec\":[")
            .unwrap()
            .1
            .trim_end_matches("]}")
            .split(',')
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(floats, row.vec);
    }

    #[test]
    fn csv_row_is_quoted_as_pandas_quotes_it() {
        let row = Row {
            id: 7,
            word_count: 3,
            title: "a, b".into(),
            vec: vec![0.5, 0.1, 0.0],
        };
        let mut text = String::new();
        row.write_csv(&mut text);
        assert_eq!(text, "7,3,\"a, b\",\"[0.5, 0.1, 0]\"\n");
        let plain = Row {
            title: "a b".into(),
            ..row
        };
        text.clear();
        plain.write_csv(&mut text);
        assert_eq!(text, "7,3,a b,\"[0.5, 0.1, 0]\"\n");
    }
}
