//! Integration tests: one binary, modules by capability.
#![allow(clippy::unwrap_used, missing_docs)]

mod bench;
mod book;
mod cli;
mod conformance;
mod corpus;
mod crash;
mod csv;
mod jobs;
mod json;
mod parquet;
mod query;
mod routing;
mod s3;
mod server;
mod tasks;
mod util;
