//! Reading imported rows back: get by primary key, filters and brute-force vector search,
//! over a [`Snapshot`] of a collection's visible segments. The engine takes the snapshot; this
//! layer knows nothing of the engine.

mod error;
mod filter;
mod scan;
mod search;

pub use error::QueryError;
pub use filter::{ArithOp, CmpOp, CompiledFilter, Contains, Filter, Operand, PathKey};
pub use search::{Hit, Metric, SearchRequest, search};

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::record::row_to_json;
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
    /// `(partition, segment path)` of every visible segment, oldest first (by task, then
    /// in the task's order): a later segment's row replaces an earlier one of the same key.
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
    /// Rows whose primary key is one of these.
    Ids(Vec<Key>),
    /// Rows matching a filter expression.
    Filter(Filter),
}

/// A query: which rows, which fields, which page, which partitions.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryRequest {
    /// Which rows.
    pub select: Select,
    /// Fields to return; every field when `None`.
    pub output: Option<Vec<String>>,
    /// Rows to return at most.
    pub limit: usize,
    /// Matching rows to skip first (`limit + offset` is at most 16384).
    pub offset: usize,
    /// Partitions to read; every partition when `None`. The engine refuses a missing one.
    pub partitions: Option<Vec<String>>,
}

impl QueryRequest {
    /// The first `limit` rows of `select`, every field, every partition.
    pub fn new(select: Select, limit: usize) -> Self {
        QueryRequest {
            select,
            output: None,
            limit,
            offset: 0,
            partitions: None,
        }
    }
}

/// Runs `req` over the snapshot: each primary key's newest row, if it matches; newest
/// block first, rows of a block in order; `offset` matching rows skipped, then at most
/// `limit` returned (`limit + offset` at most 16384, Milvus's query result window).
pub fn query(snap: &Snapshot, req: &QueryRequest) -> Result<Vec<Map<String, Value>>, QueryError> {
    limits::check(
        "limit + offset",
        req.limit.saturating_add(req.offset),
        limits::MAX_QUERY_WINDOW,
    )?;
    let schema = &snap.schema;
    let filter = match &req.select {
        Select::Ids(keys) => CompiledFilter::ids(schema, keys),
        Select::Filter(f) => f.compile(schema)?,
    };
    let mut out = Vec::new();
    if req.limit == 0 {
        return Ok(out);
    }
    let mut skip = req.offset;
    let output = req.output.as_deref();
    scan::scan(snap, req.partitions.as_deref(), |batch, newest| {
        let mask = filter.mask(batch);
        for (row, _) in newest
            .iter()
            .zip(&mask)
            .enumerate()
            .filter(|(_, (n, m))| **n && **m)
        {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            out.push(row_to_json(schema, batch, row, output));
            if out.len() >= req.limit {
                return Ok(false);
            }
        }
        Ok(true)
    })?;
    Ok(out)
}

/// How many stored rows of the selected partitions (all when `None`) match `filter`,
/// duplicates of a primary key included, as Milvus's `count(*)` counts them. No window cap:
/// only a number is returned.
pub fn count(
    snap: &Snapshot,
    filter: &Filter,
    partitions: Option<&[String]>,
) -> Result<u64, QueryError> {
    let filter = filter.compile(&snap.schema)?;
    let mut n = 0u64;
    scan::scan(snap, partitions, |batch, _newest| {
        n += filter.mask(batch).iter().filter(|m| **m).count() as u64;
        Ok(true)
    })?;
    Ok(n)
}

/// Rows whose primary key is in `keys` (each key's newest row), at most `limit` of them.
pub fn get_by_ids(
    snap: &Snapshot,
    keys: &[Key],
    output: Option<&[String]>,
    limit: usize,
) -> Result<Vec<Map<String, Value>>, QueryError> {
    let mut req = QueryRequest::new(Select::Ids(keys.to_vec()), limit);
    req.output = output.map(<[String]>::to_vec);
    query(snap, &req)
}

/// Rows matching `filter` (each key's newest row), at most `limit` of them.
pub fn filter_rows(
    snap: &Snapshot,
    filter: &Filter,
    output: Option<&[String]>,
    limit: usize,
) -> Result<Vec<Map<String, Value>>, QueryError> {
    let mut req = QueryRequest::new(Select::Filter(filter.clone()), limit);
    req.output = output.map(<[String]>::to_vec);
    query(snap, &req)
}

#[cfg(test)]
mod tests;
