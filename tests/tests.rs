//! Integration tests: one binary, modules by capability.
#![allow(clippy::unwrap_used, missing_docs)]

mod book;
mod cli;
mod crash;
mod routing;
mod tasks;
mod util;
