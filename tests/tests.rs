//! Integration tests: one binary, modules by capability.

mod book;
mod cli;
mod crash;
mod routing;
mod tasks;
mod util;
