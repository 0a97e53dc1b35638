//! Reading imported rows back: get by primary key, filters and brute-force vector search.

mod filter;
mod search;

pub use filter::{Filter, filter_rows};
pub use search::{Hit, Metric, SearchRequest, search};

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::catalog::Collection;
use crate::engine::EngineError;
use crate::record::{ColumnData, row_to_json};

/// A collection and the paths of its visible segments at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The collection.
    pub collection: Collection,
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
    pub fn parse_list(text: &str, int_pk: bool) -> Result<Vec<Key>, EngineError> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                if int_pk {
                    s.parse().map(Key::Int).map_err(|_| {
                        EngineError::InvalidQuery(format!("\"{s}\" is not an Int64 primary key"))
                    })
                } else {
                    Ok(Key::Str(s.trim_matches('"').to_string()))
                }
            })
            .collect()
    }
}

/// Rows whose primary key is in `keys`, in segment order, at most `limit` of them.
/// Every stored copy is returned (Milvus accepts duplicate keys).
pub fn get_by_ids(
    snap: &Snapshot,
    keys: &[Key],
    output: Option<&[String]>,
    limit: usize,
) -> Result<Vec<Map<String, Value>>, EngineError> {
    let schema = &snap.collection.schema;
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
