//! Reading imported rows back: get by primary key, filters and brute-force vector search,
//! over a [`Snapshot`] of a collection's visible segments. The engine takes the snapshot; this
//! layer knows nothing of the engine.

mod error;
mod filter;
mod search;

pub use error::QueryError;
pub use filter::{Filter, filter_rows};
pub use search::{Hit, Metric, SearchRequest, search};

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::record::{ColumnData, row_to_json};
use crate::schema::CollectionSchema;
use crate::schema::limits;

/// Refuses a search of more than 16384 query vectors (Milvus's `nq` cap), before any runs.
pub fn check_nq(nq: usize) -> Result<(), QueryError> {
    Ok(limits::check("nq (query vectors)", nq, limits::MAX_NQ)?)
}

/// A collection and the paths of its visible segments at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The collection's schema.
    pub schema: CollectionSchema,
    /// `(partition, segment path)` of every visible segment.
    pub segments: Vec<(String, PathBuf)>,
}

/// A primary-key value to look up.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    /// Int64 key.
    Int(i64),
    /// VarChar key.
    Str(String),
}

impl Key {
    /// Parses keys from `1,2,3` (Int64) or `a,b` (VarChar) for the collection's PK type.
    pub fn parse_list(text: &str, int_pk: bool) -> Result<Vec<Key>, QueryError> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                if int_pk {
                    s.parse()
                        .map(Key::Int)
                        .map_err(|_| QueryError::BadKey(s.to_string()))
                } else {
                    Ok(Key::Str(s.trim_matches('"').to_string()))
                }
            })
            .collect()
    }
}

/// Which rows a query returns.
#[derive(Debug, Clone, PartialEq)]
pub enum Select {
    /// Rows whose primary key is one of these (every stored copy).
    Ids(Vec<Key>),
    /// Rows matching a filter expression.
    Filter(Filter),
}

/// A query: which rows, which fields, how many.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRequest {
    /// Which rows.
    pub select: Select,
    /// Fields to return; every field when `None`.
    pub output: Option<Vec<String>>,
    /// Rows to return at most.
    pub limit: usize,
}

/// Runs `req` over the snapshot: rows in segment order, at most `req.limit` (itself at most
/// 16384, Milvus's query result window).
pub fn query(snap: &Snapshot, req: &QueryRequest) -> Result<Vec<Map<String, Value>>, QueryError> {
    limits::check("limit", req.limit, limits::MAX_QUERY_WINDOW)?;
    let output = req.output.as_deref();
    match &req.select {
        Select::Ids(keys) => get_by_ids(snap, keys, output, req.limit),
        Select::Filter(f) => filter_rows(snap, f, output, req.limit),
    }
}

/// Rows whose primary key is in `keys`, in segment order, at most `limit` of them.
/// Every stored copy is returned (Milvus accepts duplicate keys).
pub fn get_by_ids(
    snap: &Snapshot,
    keys: &[Key],
    output: Option<&[String]>,
    limit: usize,
) -> Result<Vec<Map<String, Value>>, QueryError> {
    let schema = &snap.schema;
    let pk = schema.primary_index();
    let mut out = Vec::new();
    for (_, path) in &snap.segments {
        let batch = crate::segment::read_all(path)?;
        let col = &batch.columns[pk].data;
        for row in 0..batch.len() {
            let hit = match col {
                ColumnData::Int64(v) => keys.contains(&Key::Int(v[row])),
                ColumnData::VarChar(v) => keys
                    .iter()
                    .any(|k| matches!(k, Key::Str(s) if *s == v[row])),
                _ => false,
            };
            if hit {
                out.push(row_to_json(schema, &batch, row, output));
                if out.len() >= limit {
                    return Ok(out);
                }
            }
        }
    }
    Ok(out)
}
