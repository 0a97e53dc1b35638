//! Rows refused under `--on-error skip`: the rule a row broke and the row as it was read,
//! for the task's rejects file.

use crate::validate::RowError;

/// The first bytes of a row's text a rejects record keeps.
pub const REJECT_RAW_MAX: usize = 4096;

/// A row refused under the skip policy: why (with its exact location) and the row as it
/// was read: its text (first [`REJECT_RAW_MAX`] bytes) for the row formats, its values as
/// a JSON object for NumPy and Parquet.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// The rule the row broke, where.
    pub error: RowError,
    /// The row as read.
    pub raw: String,
}

/// Collects the rows a parser refuses when the task skips bad rows; a parser without one
/// stops at the first bad row.
pub type RejectSink = Option<Vec<Rejected>>;

/// `bytes` as text for a rejects record: the first [`REJECT_RAW_MAX`] bytes (cut at a
/// character boundary), invalid UTF-8 replaced, the line end dropped.
pub fn raw_text(bytes: &[u8]) -> String {
    let mut end = bytes.len().min(REJECT_RAW_MAX);
    if end < bytes.len() {
        // Back to the start of a UTF-8 character.
        while end > 0 && bytes.get(end).is_some_and(|b| b & 0xC0 == 0x80) {
            end -= 1;
        }
    }
    let mut text = &bytes[..end];
    while let [rest @ .., b'\n' | b'\r'] = text {
        text = rest;
    }
    String::from_utf8_lossy(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_text_is_capped_at_a_character_and_drops_the_line_end() {
        assert_eq!(raw_text(b"{\"a\": 1}\r\n"), "{\"a\": 1}");
        let long = "é".repeat(REJECT_RAW_MAX);
        let text = raw_text(long.as_bytes());
        assert_eq!(text.len(), REJECT_RAW_MAX);
        assert!(text.chars().all(|c| c == 'é'));
        let odd = format!("x{long}");
        let text = raw_text(odd.as_bytes());
        assert_eq!(text.len(), REJECT_RAW_MAX - 1);
        assert_eq!(raw_text(b"a\xffb"), "a\u{fffd}b");
    }
}
