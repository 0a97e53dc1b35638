//! vecload: a bulk loader for vector collections.
//!
//! A file travels through the pipeline:
//!
//! ```text
//! source (mmap / object store) -> parse (JSON rows, NPY columns) -> validate
//!     -> route (shard, partition) -> segment (bincode, CRC) -> ledger + catalog commit
//! ```
//!
//! [`Engine`] is the facade the CLI and the server use:
//!
//! ```no_run
//! use vecload::{Engine, EngineOptions, ImportRequest};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let engine = Engine::open("vecload-data", EngineOptions::default())?;
//! engine.create_collection_from_json(&std::fs::read("data/book/schema.json")?)?;
//! engine.create_partition("book", "2022")?;
//! let id = engine.import(ImportRequest::new("book", ["data/book/book.json"]).partition("2022"))?;
//! let task = engine.wait(id, None)?; // Completed, or Failed with a reason naming row and field
//! println!("{:?}: {} rows", task.state, engine.count("book", None)?);
//! # Ok(())
//! # }
//! ```
//!
//! Cargo features, all on by default: `cli` (the `vecload` binary), `server` (the HTTP server,
//! `server`), `s3` (`s3://` storage roots in `source`), `client` (`client`, a blocking client of the REST API). Without them the library is the engine
//! alone, reading local files.

pub mod catalog;
#[cfg(feature = "client")]
pub mod client;
pub mod cluster;
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
    JsonParser, OnError, TaskOptions, UnitState, UnitView,
};
pub use ledger::TaskId;
pub use location::RowLocation;
