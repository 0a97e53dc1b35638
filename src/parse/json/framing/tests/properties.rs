//! Properties: unit size never changes the rows; a cut file never frames a wrong row;
//! a mutated file gives the same outcome whatever the unit size.

use super::*;

/// A document file of random rows full of brackets, escapes and whitespace, with the span
/// of each row.
pub(super) fn generated_document(seed: u64, rows: usize, wrapped: bool) -> (Vec<u8>, Vec<RowSpan>) {
    const VALUES: [&str; 12] = [
        r#"{"id": 1, "v": [0.25, -1.5e-3, 7]}"#,
        r#"{"a\"}": "a\"}", "b": "\\\\"}"#,
        r#"{"s": "[{]}\\\"", "n": {"x": [[], {}, [{"y": "}"}]]}}"#,
        "{}",
        "{ }",
        r#"{"é": "ü\u00fc", "t": true, "z": null}"#,
        "5",
        r#""x,]""#,
        "[1, [2], {\"3\": []}]",
        "-0.0",
        "{\"k\":\n  [1,\r\n 2]\t}",
        r#"{"\\": "\\"}"#,
    ];
    const SEPS: [&str; 5] = ["", " ", "\n  ", "\r\n\t", " \n\n "];
    let mut rng = seed | 1;
    let mut next = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let mut out = if wrapped {
        b"\xEF\xBB\xBF{ \"Rows\":[".to_vec()
    } else {
        b"[".to_vec()
    };
    let mut spans = Vec::new();
    for row in 0..rows {
        if row > 0 {
            out.extend_from_slice(SEPS[next(5)].as_bytes());
            out.push(b',');
        }
        out.extend_from_slice(SEPS[next(5)].as_bytes());
        let start = out.len();
        out.extend_from_slice(VALUES[next(12)].as_bytes());
        spans.push(RowSpan {
            start,
            end: out.len(),
            row: row as u64,
            line: None,
        });
    }
    out.extend_from_slice(SEPS[next(5)].as_bytes());
    out.extend_from_slice(if wrapped { b"]\n}" } else { b"]" });
    (out, spans)
}

#[test]
fn every_unit_size_gives_the_same_rows() {
    for (seed, wrapped) in [(7, true), (11, false), (12345, true)] {
        let (bytes, want) = generated_document(seed, 60, wrapped);
        for target in 0..=bytes.len() + 1 {
            assert_eq!(
                frame(&bytes, DOC, target).unwrap(),
                want,
                "seed {seed} target {target}"
            );
        }
        let one = Framer::new(&bytes, DOC)
            .unwrap()
            .next_unit(usize::MAX)
            .unwrap()
            .unwrap();
        assert_eq!(one.rows, 60);
    }
}

#[test]
fn truncation_at_every_byte_is_an_error_and_never_a_wrong_row() {
    for wrapped in [true, false] {
        let (bytes, want) = generated_document(99, 12, wrapped);
        for len in 0..bytes.len() {
            let cut = &bytes[..len];
            for target in [0, 40, usize::MAX] {
                let mut rows = Vec::new();
                let error = match Framer::new(cut, DOC) {
                    Err(e) => Some(e),
                    Ok(mut framer) => loop {
                        match framer.next_unit(target) {
                            None => break None,
                            Some(Err(e)) => break Some(e),
                            Some(Ok(unit)) => rows.extend(rows_in(cut, &unit, DOC)),
                        }
                    },
                };
                assert!(error.is_some(), "cut at {len} framed");
                assert_eq!(rows[..], want[..rows.len()], "cut at {len}");
            }
        }
    }
}

#[test]
fn lines_every_unit_size_gives_the_same_rows() {
    const ROWS: [&str; 5] = [
        r#"{"id": 1, "v": [0.5, 2]}"#,
        "{}",
        r#"{"s": "a\"}\n"}"#,
        "7",
        "[{]",
    ];
    const ENDS: [&str; 5] = ["\n", "\r\n", "\n\n", " \t\r\n  \n", "\n\r\n\n"];
    let mut bytes = b"\n \n".to_vec();
    let mut want = Vec::new();
    let mut line = 3;
    for row in 0..40u64 {
        let start = bytes.len();
        bytes.extend_from_slice(ROWS[row as usize % 5].as_bytes());
        want.push(RowSpan {
            start,
            end: bytes.len(),
            row,
            line: Some(line),
        });
        let end = if row == 39 {
            ""
        } else {
            ENDS[(row as usize * 7) % 5]
        };
        bytes.extend_from_slice(end.as_bytes());
        line += end.matches('\n').count() as u64;
    }
    for target in 0..=bytes.len() + 1 {
        assert_eq!(
            frame(&bytes, LINES, target).unwrap(),
            want,
            "target {target}"
        );
    }
}

/// A mutated file never panics the framer, and unit size never changes the outcome: the same
/// rows, or the same error (which `frame` also checks against `rows_in` unit by unit).
#[test]
fn mutations_frame_the_same_for_every_unit_size() {
    const BYTES: &[u8] = b"\"\\{}[],: \nx5\xEF";
    let (original, _) = generated_document(3, 10, true);
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    for _ in 0..3000 {
        let mut bytes = original.clone();
        for _ in 0..1 + rng % 3 {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            let at = (rng >> 8) as usize % bytes.len();
            bytes[at] = BYTES[(rng >> 40) as usize % BYTES.len()];
        }
        for format in [DOC, LINES] {
            let whole = frame(&bytes, format, usize::MAX);
            assert_eq!(frame(&bytes, format, 0), whole);
            assert_eq!(frame(&bytes, format, 37), whole);
        }
    }
}
