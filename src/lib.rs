//! vecload: a bulk loader for vector collections.
//!
//! A file travels through the pipeline:
//!
//! ```text
//! source (mmap / object store) -> parse (JSON rows, NPY columns) -> validate
//!     -> route (shard, partition) -> segment (bincode, CRC) -> ledger + catalog commit
//! ```
//!
//! [`Engine`] is the facade the CLI and the server use.
//!
//! Cargo features, all on by default: `cli` (the `vecload` binary), `server` (the HTTP server,
//! `server`), `s3` (`s3://` storage roots in `source`). Without them the library is the engine
//! alone, reading local files.

pub mod catalog;
pub mod engine;
pub mod error;
pub mod fault;
pub(crate) mod fsutil;
pub mod ledger;
pub mod location;
pub mod parse;
pub mod pipeline;
pub mod query;
pub mod record;
pub mod route;
pub mod schema;
pub mod segment;
#[cfg(feature = "server")]
pub mod server;
pub mod source;
pub mod validate;

pub use engine::{
    Engine, EngineError, EngineOptions, ImportOptions, ImportRequest, JobState, JobView,
    JsonParser, TaskOptions,
};
pub use ledger::TaskId;
pub use location::RowLocation;
