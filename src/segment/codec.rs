//! The one place that chooses the segment encoding: bincode 1.3, fixed-width little-endian
//! integers, and a size limit plus a trailing-bytes check on every decode.
//!
//! Swapping the format (wincode, postcard...) means changing this file and
//! [`FORMAT_VERSION`](super::FORMAT_VERSION).

use bincode::Options;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::wire::WireBatch;
use crate::record::RowBatch;

/// The options every segment encode uses (no limit: the writer sizes blocks itself).
fn options() -> impl Options {
    bincode::options()
        .with_fixint_encoding()
        .with_little_endian()
}

/// Appends the encoding of `value` to `buf`.
pub(crate) fn encode_into<T: Serialize>(buf: &mut Vec<u8>, value: &T) -> bincode::Result<()> {
    options().serialize_into(buf, value)
}

/// Decodes `bytes`, which must hold exactly one value; reads at most `bytes.len()` bytes,
/// so a corrupt length cannot make the decoder allocate more than the input.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> bincode::Result<T> {
    options()
        .with_limit(bytes.len() as u64)
        .reject_trailing_bytes()
        .deserialize(bytes)
}

/// Decodes one block payload into a [`RowBatch`], through [`WireBatch`] so that nested
/// arrays are refused instead of recursed into.
pub(crate) fn decode_batch(bytes: &[u8]) -> bincode::Result<RowBatch> {
    decode::<WireBatch>(bytes).map(RowBatch::from)
}

/// The encoded length of `value`.
pub(crate) fn encoded_len<T: Serialize>(value: &T) -> bincode::Result<u64> {
    options().serialized_size(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixint_little_endian_and_strict_decode() {
        let mut buf = Vec::new();
        encode_into(&mut buf, &(1u32, String::from("ab"))).unwrap();
        assert_eq!(buf, [1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, b'a', b'b']);
        assert_eq!(encoded_len(&(1u32, "ab")).unwrap(), 14);
        let back: (u32, String) = decode(&buf).unwrap();
        assert_eq!(back, (1, "ab".into()));
        buf.push(0);
        assert!(
            decode::<(u32, String)>(&buf).is_err(),
            "trailing byte accepted"
        );
        // A length claiming far more than the input is refused, not allocated.
        let huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f];
        assert!(decode::<Vec<u8>>(&huge).is_err());
        assert!(decode::<String>(&huge).is_err());
    }
}
