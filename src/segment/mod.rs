//! Segment files: the on-disk format, the writer and the reader.
