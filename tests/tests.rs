//! Integration tests: one binary, modules by capability.

mod book;
mod cli;
mod json;
mod util;
