//! Damaged files are refused with the error that names what is wrong: every single-byte
//! change, every truncation, foreign files, and crafted files whose CRCs are right.

use std::fs;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use super::fixtures::{all_types_meta, small_segment};
use crate::segment::format::{HEADER_BYTES, SegmentFooter, TRAILER_BYTES, Trailer, header_bytes};
use crate::segment::{
    BlockRef, Inconsistency, Part, SegmentError, codec, read_all, read_batches, read_meta, verify,
};

/// Where byte `i` of the segment `summary` describes lies.
fn part_of(s: &crate::segment::SegmentSummary, i: u64) -> Part {
    let footer_start = s.file_bytes - TRAILER_BYTES - s.footer_bytes;
    if i < HEADER_BYTES {
        Part::Header
    } else if i >= s.file_bytes - TRAILER_BYTES {
        Part::Trailer
    } else if i >= footer_start {
        Part::Footer
    } else {
        let block = s.blocks.iter().position(|b| i < b.end());
        Part::Block(block.unwrap_or(usize::MAX))
    }
}

#[test]
fn every_single_byte_change_is_refused_with_the_right_error() {
    let dir = tempfile::tempdir().unwrap();
    let (path, good) = small_segment(dir.path());
    let summary = verify(&path).unwrap();
    assert!(summary.blocks.len() >= 3, "{summary}");
    let bad = dir.path().join("bad.vseg");
    fs::write(&bad, &good).unwrap();
    let mut file = fs::OpenOptions::new().write(true).open(&bad).unwrap();
    let mut put = |at: usize, byte: u8| {
        file.seek(SeekFrom::Start(at as u64)).unwrap();
        file.write_all(&[byte]).unwrap();
    };
    for (i, &byte) in good.iter().enumerate() {
        put(i, byte ^ 0x5a);
        let result = verify(&bad);
        put(i, byte);
        let err = result.expect_err(&format!("byte {i} changed, file accepted"));
        assert_eq!(err.path(), bad, "byte {i}: {err}");
        assert!(err.to_string().contains("bad.vseg"), "{err}");
        let i = i as u64;
        let part = part_of(&summary, i);
        let trailer_at = summary.file_bytes - TRAILER_BYTES;
        match (part, &err) {
            (
                Part::Header,
                SegmentError::BadMagic {
                    part: Part::Header, ..
                },
            ) if i < 8 => {}
            (Part::Header, SegmentError::UnsupportedVersion { .. }) if i >= 8 => {}
            (
                Part::Block(n),
                SegmentError::CrcMismatch {
                    part: Part::Block(m),
                    ..
                }
                | SegmentError::Inconsistent {
                    part: Part::Block(m),
                    problem: Inconsistency::BlockLength { .. },
                    ..
                },
            ) if n == *m => {}
            (
                Part::Footer,
                SegmentError::CrcMismatch {
                    part: Part::Footer, ..
                },
            ) => {}
            (Part::Trailer, SegmentError::MissingTrailer { .. }) if i >= trailer_at + 12 => {}
            (
                Part::Trailer,
                SegmentError::CrcMismatch {
                    part: Part::Footer, ..
                }
                | SegmentError::Inconsistent {
                    part: Part::Trailer,
                    problem: Inconsistency::FooterLength { .. },
                    ..
                },
            ) if i < trailer_at + 12 => {}
            _ => panic!("byte {i} in {part}: unexpected {err:?}"),
        }
    }
}

#[test]
fn every_truncation_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_, good) = small_segment(dir.path());
    let cut = dir.path().join("cut.vseg");
    fs::write(&cut, &good).unwrap();
    let file = fs::OpenOptions::new().write(true).open(&cut).unwrap();
    for len in (0..good.len()).rev() {
        file.set_len(len as u64).unwrap();
        let err = read_meta(&cut).expect_err("truncated file accepted");
        let len = len as u64;
        match err {
            SegmentError::Truncated {
                part: Part::Header,
                size,
                ..
            } if len < HEADER_BYTES => {
                assert_eq!(size, len)
            }
            SegmentError::Truncated {
                part: Part::Trailer,
                ..
            } if len < HEADER_BYTES + TRAILER_BYTES => {}
            SegmentError::MissingTrailer { .. } => {}
            other => panic!("cut at {len}: {other:?}"),
        }
    }
}

#[test]
fn a_foreign_file_is_not_a_segment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rows.json");
    fs::write(
        &path,
        br#"[{"id": 1, "vec": [0.1, 0.2]}, {"id": 2, "vec": [0.3, 0.4]}]"#,
    )
    .unwrap();
    match read_meta(&path) {
        Err(SegmentError::BadMagic {
            part: Part::Header,
            found,
            ..
        }) => {
            assert_eq!(&found, b"[{\"id\": ")
        }
        other => panic!("{other:?}"),
    }
    let missing = dir.path().join("missing.vseg");
    let err = read_all(&missing).unwrap_err();
    assert!(
        matches!(&err, SegmentError::Io { path, .. } if *path == missing),
        "{err:?}"
    );
}

/// Rewrites the footer through `edit` and fixes the trailer's CRC, so only the checks
/// after the CRC can catch the change.
fn with_footer(bytes: &[u8], edit: impl FnOnce(&mut SegmentFooter)) -> Vec<u8> {
    let n = bytes.len();
    let tail: &[u8; 20] = bytes[n - 20..].try_into().unwrap();
    let trailer = Trailer::parse(Path::new("x"), tail).unwrap();
    let start = n - 20 - trailer.footer_len as usize;
    let mut footer: SegmentFooter = codec::decode(&bytes[start..n - 20]).unwrap();
    edit(&mut footer);
    let mut out = bytes[..start].to_vec();
    codec::encode_into(&mut out, &footer).unwrap();
    let footer_len = (out.len() - start) as u64;
    let footer_crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(
        &Trailer {
            footer_len,
            footer_crc,
        }
        .to_bytes(),
    );
    out
}

fn inconsistency(path: &Path) -> (Part, Inconsistency) {
    match verify(path) {
        Err(SegmentError::Inconsistent { part, problem, .. }) => (part, problem),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_footer_with_a_right_crc_is_still_checked_against_the_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let (_, good) = small_segment(dir.path());
    let path = dir.path().join("crafted.vseg");

    fs::write(&path, with_footer(&good, |_| {})).unwrap();
    verify(&path).unwrap();

    fs::write(&path, with_footer(&good, |f| f.row_count += 1)).unwrap();
    let (part, problem) = inconsistency(&path);
    assert_eq!(
        (part, problem),
        (
            Part::Footer,
            Inconsistency::RowCount {
                expected: 18,
                found: 17
            }
        )
    );

    fs::write(&path, with_footer(&good, |f| f.blocks[1].offset += 1)).unwrap();
    assert!(matches!(
        inconsistency(&path),
        (Part::Footer, Inconsistency::BlockOffset { .. })
    ));

    fs::write(
        &path,
        with_footer(&good, |f| {
            f.blocks.pop();
        }),
    )
    .unwrap();
    assert!(matches!(
        inconsistency(&path),
        (Part::Footer, Inconsistency::DataEnd { .. })
    ));

    let shift = |f: &mut SegmentFooter| {
        f.blocks[0].rows += 1;
        f.blocks[1].rows -= 1;
    };
    fs::write(&path, with_footer(&good, shift)).unwrap();
    assert!(read_meta(&path).is_ok(), "totals still add up");
    let (part, problem) = inconsistency(&path);
    assert_eq!(part, Part::Block(0));
    assert!(
        matches!(problem, Inconsistency::RowCount { .. }),
        "{problem:?}"
    );
    let mut batches = read_batches(&path).unwrap();
    assert!(batches.next().is_some_and(|b| b.is_err()));
    assert!(
        batches.next().is_none(),
        "iteration stops at the first error"
    );

    let retype = |f: &mut SegmentFooter| f.meta.fields[0].1 = crate::schema::DataType::Int32;
    fs::write(&path, with_footer(&good, retype)).unwrap();
    let (part, problem) = inconsistency(&path);
    assert_eq!(part, Part::Block(0));
    assert!(
        matches!(problem, Inconsistency::ColumnType { column: 0, .. }),
        "{problem:?}"
    );
}

#[test]
fn a_block_with_a_right_crc_that_does_not_decode_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut bytes) = small_segment(dir.path());
    let block = read_meta(&path).unwrap().blocks[0];
    let payload = (block.offset + 8) as usize..block.end() as usize;
    bytes[payload.clone()].fill(0xff);
    let crc = crc32fast::hash(&bytes[payload]);
    let at = block.offset as usize + 4;
    bytes[at..at + 4].copy_from_slice(&crc.to_le_bytes());
    fs::write(&path, &bytes).unwrap();
    match read_all(&path) {
        Err(SegmentError::Decode {
            part: Part::Block(0),
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
}

/// A well-framed one-block segment around `payload`, CRCs and index all correct.
fn handmade_segment(payload: &[u8]) -> Vec<u8> {
    let mut out = header_bytes().to_vec();
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    let footer = SegmentFooter {
        meta: all_types_meta(),
        row_count: 1,
        blocks: vec![BlockRef {
            offset: HEADER_BYTES,
            len: payload.len() as u64,
            rows: 1,
        }],
    };
    let start = out.len();
    codec::encode_into(&mut out, &footer).unwrap();
    let footer_len = (out.len() - start) as u64;
    let footer_crc = crc32fast::hash(&out[start..]);
    out.extend_from_slice(
        &Trailer {
            footer_len,
            footer_crc,
        }
        .to_bytes(),
    );
    out
}

#[test]
fn a_block_of_deeply_nested_arrays_is_refused_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let mut payload = 1u64.to_le_bytes().to_vec();
    for _ in 0..200_000 {
        payload.extend_from_slice(&9u32.to_le_bytes());
        payload.extend_from_slice(&1u64.to_le_bytes());
    }
    payload.extend_from_slice(&[0; 14]);
    let path = dir.path().join("nested.vseg");
    fs::write(&path, handmade_segment(&payload)).unwrap();
    match read_all(&path) {
        Err(SegmentError::Decode {
            part: Part::Block(0),
            source,
            ..
        }) => {
            assert_eq!(source.to_string(), "array elements cannot be arrays")
        }
        other => panic!("{other:?}"),
    }
}
