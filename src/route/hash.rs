//! Milvus-compatible hashes: MurmurHash3 x86_32 for Int64 keys, CRC-32 IEEE for VarChar keys.

use std::io::Cursor;

/// Milvus `Hash32Int64`: MurmurHash3 x86_32 (seed 0) of the 8 little-endian bytes of `v`,
/// masked to 31 bits.
pub fn hash_int64(v: i64) -> u32 {
    let bytes = v.to_le_bytes();
    // Reading from an in-memory cursor cannot fail; 0 is unreachable.
    murmur3::murmur3_32(&mut Cursor::new(&bytes[..]), 0).unwrap_or(0) & 0x7fff_ffff
}

/// Milvus `HashString2Uint32`: CRC-32 IEEE of the first 100 bytes of the UTF-8 string.
pub fn hash_varchar(s: &str) -> u32 {
    let b = s.as_bytes();
    crc32fast::hash(&b[..b.len().min(100)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Milvus's test vectors (some are listed in docs/formats.md, "Routing").
    #[test]
    fn int64_test_vectors() {
        let cases: [(i64, u32, u32, u32, u32); 12] = [
            (0, 1669671676, 12, 60, 0),
            (1, 1392991556, 4, 4, 0),
            (2, 1176478452, 4, 52, 0),
            (10, 1857498428, 1857498428 % 16, 1857498428 % 64, 0),
            (42, 1871679806, 14, 62, 0),
            (100, 1177227376, 0, 48, 0),
            (1000, 679959820, 679959820 % 16, 679959820 % 64, 0),
            (10000000000, 1151135, 1151135 % 16, 1151135 % 64, 1),
            (-1, 1651860712, 8, 40, 0),
            (1234567890123, 1740798302, 14, 30, 0),
            (i64::MAX, 40977599, 15, 63, 1),
            (i64::MIN, 1366273829, 5, 37, 1),
        ];
        for (key, hash, m16, m64, m2) in cases {
            let h = hash_int64(key);
            assert_eq!(h, hash, "key {key}");
            assert_eq!((h % 16, h % 64, h % 2), (m16, m64, m2), "key {key}");
        }
    }

    /// Milvus's test vectors (some are listed in docs/formats.md, "Routing").
    #[test]
    fn varchar_test_vectors() {
        let long = "x".repeat(150);
        let cases: [(&str, u32, u32, u32, u32); 8] = [
            ("", 0, 0, 0, 0),
            ("a", 3904355907, 3, 3, 1),
            ("abc", 891568578, 2, 2, 0),
            ("abcdef", 1267612143, 1267612143 % 16, 1267612143 % 64, 1),
            ("hello", 907060870, 6, 6, 0),
            ("tenant_1", 3873837707, 11, 11, 1),
            ("用户", 501916381, 13, 29, 1),
            (&long, 1577999759, 15, 15, 1),
        ];
        for (key, hash, m16, m64, m2) in cases {
            let h = hash_varchar(key);
            assert_eq!(h, hash, "key {key:?}");
            assert_eq!((h % 16, h % 64, h % 2), (m16, m64, m2), "key {key:?}");
        }
    }

    #[test]
    fn murmur_standard_vector() {
        let h = murmur3::murmur3_32(&mut Cursor::new(&b"hello"[..]), 0).unwrap();
        assert_eq!(h, 0x248b_fa47);
    }
}
