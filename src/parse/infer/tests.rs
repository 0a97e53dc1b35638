//! Unit tests of the inference rules.
