//! The streaming framer against the whole-file framer: at every chunk size, the same rows
//! (file offsets, row indices, lines) or the same error.

use super::properties::generated_document;
use super::*;

/// Frames `bytes` pushed `chunk` bytes at a time; returns the rows with file offsets.
fn stream(
    bytes: &[u8],
    format: JsonFormat,
    chunk: usize,
    target: usize,
) -> Result<Vec<RowSpan>, FramingError> {
    let mut framer = StreamFramer::new(format);
    let mut pieces = bytes.chunks(chunk.max(1));
    let mut rows = Vec::new();
    let mut held = 0;
    loop {
        match framer.next_unit(target)? {
            Step::Unit(owned) => {
                let spans: Vec<RowSpan> = rows_in(&owned.bytes, &owned.unit, format).collect();
                assert_eq!(spans.len() as u64, owned.unit.rows);
                assert_eq!(spans[0].row, owned.unit.first_row);
                assert_eq!(spans[0].line, owned.unit.first_line);
                assert_eq!(spans[0].start, 0);
                assert_eq!(spans[spans.len() - 1].end, owned.bytes.len());
                rows.extend(spans.into_iter().map(|s| RowSpan {
                    start: s.start + owned.base,
                    end: s.end + owned.base,
                    ..s
                }));
            }
            Step::NeedMore => match pieces.next() {
                Some(piece) => {
                    framer.push(piece);
                    held = held.max(framer.buffered());
                }
                None => framer.finish(),
            },
            Step::Done => break,
        }
    }
    assert_eq!(framer.next_unit(target), Ok(Step::Done), "fused");
    // The window never holds much more than a row and a chunk.
    let longest = rows.iter().map(|r| r.end - r.start).max().unwrap_or(0);
    assert!(held <= 2 * longest + 2 * chunk + 64, "held {held}");
    Ok(rows)
}

fn same_at_every_chunk_size(bytes: &[u8], format: JsonFormat, what: &str) {
    let whole = frame(bytes, format, usize::MAX);
    for chunk in [1, 2, 3, 5, 8, 13, 64, 1 << 20] {
        for target in [0, 50, usize::MAX] {
            assert_eq!(
                stream(bytes, format, chunk, target),
                whole,
                "{what}: chunk {chunk} target {target}"
            );
        }
    }
}

#[test]
fn documents_stream_to_the_same_rows() {
    for (seed, wrapped) in [(7, true), (11, false), (12345, true)] {
        let (bytes, want) = generated_document(seed, 40, wrapped);
        assert_eq!(frame(&bytes, DOC, 0).unwrap(), want);
        same_at_every_chunk_size(&bytes, DOC, &format!("seed {seed}"));
    }
}

#[test]
fn lines_stream_to_the_same_rows() {
    let text = "\n \n{\"id\": 1}\r\n\n{\"s\": \"a\\\"}\\n\"}\n7\n \t\r\n[{]\n{}";
    same_at_every_chunk_size(text.as_bytes(), LINES, "lines");
    same_at_every_chunk_size(format!("{text}\n\n").as_bytes(), LINES, "lines+nl");
    let (bytes, _) = generated_document(5, 10, true);
    same_at_every_chunk_size(&bytes, LINES, "document as lines");
}

#[test]
fn start_errors_and_edges_stream_the_same() {
    for text in [
        "",
        " \n ",
        "\u{FEFF}",
        "\u{FEFF}[]",
        "[]",
        "[ ]  ",
        "{\"rows\":[]}",
        "{\"rows\": [1]} x",
        "{\"row\": []}",
        "{\"rows\" []}",
        "{\"rows\": [1,]}",
        "[1 2]",
        "[1, 2",
        "[\"ab",
        "x",
        "{\"rows\": [1], \"b\": 2}",
        "[[[]]",
        "[{]}]",
        "\u{FEFF}{\"ROWS\":[{}]}\n",
        // A character a chunk may cut, where an error names it (data/crash/json_framing).
        "\u{d9916}",
        "\u{FEFF}{\"rows\": [1] \u{e9}}",
        "[1]\u{1F600}",
        "[1 \u{20AC}]",
    ] {
        same_at_every_chunk_size(text.as_bytes(), DOC, text);
        same_at_every_chunk_size(text.as_bytes(), LINES, text);
    }
}

#[test]
fn truncated_and_mutated_files_stream_the_same() {
    let (original, _) = generated_document(99, 8, true);
    for len in 0..original.len() {
        same_at_every_chunk_size(&original[..len], DOC, &format!("cut at {len}"));
    }
    const BYTES: &[u8] = b"\"\\{}[],: \nx5\xEF";
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..400 {
        let mut bytes = original.clone();
        for _ in 0..1 + rng % 3 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let at = (rng >> 8) as usize % bytes.len();
            bytes[at] = BYTES[(rng >> 40) as usize % BYTES.len()];
        }
        same_at_every_chunk_size(&bytes, DOC, "mutated");
        same_at_every_chunk_size(&bytes, LINES, "mutated lines");
    }
}
