//! NPY column files: header decoding, dtype matching and column decoding.
