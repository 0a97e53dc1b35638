//! Integration tests: one binary, modules by capability.
#![allow(clippy::unwrap_used, missing_docs)]

/// `cases!(pass { a, b })`: a module `pass` with one test per case, each calling the
/// enclosing module's `run_case("pass", "a")`, and `NAMES`, the cases as listed (checked
/// against the directories by `util::assert_cases_listed`).
macro_rules! cases {
    ($kind:ident { $($name:ident),* $(,)? }) => {
        mod $kind {
            /// The cases of this kind, as listed here.
            pub const NAMES: &[&str] = &[$(stringify!($name)),*];
            $(
                #[test]
                fn $name() {
                    super::run_case(stringify!($kind), stringify!($name));
                }
            )*
        }
    };
}

mod bench;
mod book;
mod check;
mod cli;
mod client_mode;
mod cluster;
mod conformance;
mod conventions;
mod corpus;
mod crash;
mod csv;
mod disk_full;
mod dry_run;
mod files;
mod grpc;
mod infer;
mod jobs;
mod json;
mod parquet;
mod progress;
mod query;
mod readonly;
mod rejects;
mod resume;
mod routing;
mod s3;
mod server;
mod task_root;
mod tasks;
mod util;
mod writer;
