//! The one thing commands talk to: the embedded engine (for writing), its read-only view, or
//! a server through [`vecload::client::Client`] (client mode). Each call answers in the same
//! shapes whichever it is, so the printing code is shared.

use anyhow::{Result, bail};
use serde_json::{Value, json};
use vecload::Engine;
use vecload::client::{Client, QueryBody, SearchBody, schema_of_describe};
use vecload::engine::Reader;
use vecload::ledger::TaskRecord;
use vecload::query::{self, Key};
use vecload::schema::{CollectionSchema, DataType};

use super::exit::Usage;

/// Where commands go.
pub enum Backend {
    /// Read-only commands without `--server`: the committed state, no lock.
    Reader(Reader),
    /// Write commands without `--server`: the data directory, locked.
    Engine(Engine),
    /// `--server URL`.
    Client(Client),
}

/// A query as the command line gives it.
pub struct QueryArgs<'a> {
    /// Comma-separated primary keys.
    pub ids: Option<&'a str>,
    /// A filter expression.
    pub filter: Option<&'a str>,
    /// Fields to return.
    pub output: Option<&'a [String]>,
    /// Rows at most.
    pub limit: usize,
    /// Matching rows to skip first.
    pub offset: usize,
    /// Partitions to read (every one when `None`).
    pub partitions: Option<&'a [String]>,
}

/// A search as the command line gives it.
pub struct SearchArgs<'a> {
    /// The query vector (JSON list).
    pub vector: &'a str,
    /// Vector field.
    pub field: Option<&'a str>,
    /// Hits at most.
    pub limit: usize,
    /// Metric name.
    pub metric: Option<&'a str>,
    /// Fields to return with each hit.
    pub output: Option<&'a [String]>,
    /// A filter expression the hits must match.
    pub filter: Option<&'a str>,
    /// Partitions to search (every one when `None`).
    pub partitions: Option<&'a [String]>,
}

/// Runs `$e` on the reader or the engine (same methods), `$c` on the client.
macro_rules! either {
    ($self:expr, $l:ident => $e:expr, $c:ident => $ce:expr) => {
        match $self {
            Backend::Reader($l) => $e,
            Backend::Engine($l) => $e,
            Backend::Client($c) => $ce,
        }
    };
}

impl Backend {
    /// The engine, for a write command (never the reader: `is_read_only` chose it).
    fn engine(&self) -> Result<&Engine> {
        match self {
            Backend::Engine(e) => Ok(e),
            _ => bail!("internal: a write command on the read-only view"),
        }
    }

    /// Collection names.
    pub fn list_collections(&self) -> Result<Vec<String>> {
        Ok(either!(self,
            l => l.list_collections().into_iter().map(|c| c.schema.name).collect(),
            c => c.list_collections()?))
    }

    /// A collection's schema and its partitions with their rows.
    pub fn describe(&self, name: &str) -> Result<(CollectionSchema, Vec<(String, u64)>)> {
        let col = match self {
            Backend::Client(_) => return Ok((self.schema(name)?, self.partitions(name)?)),
            Backend::Reader(r) => r.describe_collection(name)?,
            Backend::Engine(e) => e.describe_collection(name)?,
        };
        let parts = (col.partitions.iter())
            .map(|p| (p.name.clone(), p.rows()))
            .collect();
        Ok((col.schema, parts))
    }

    /// A collection's schema alone.
    pub fn schema(&self, name: &str) -> Result<CollectionSchema> {
        Ok(either!(self,
            l => l.describe_collection(name)?.schema,
            c => schema_of_describe(&c.describe_collection(name)?)?))
    }

    /// Partitions with their rows.
    pub fn partitions(&self, collection: &str) -> Result<Vec<(String, u64)>> {
        match self {
            Backend::Client(c) => (c.list_partitions(collection)?.into_iter())
                .map(|p| {
                    let n = c.count(collection, Some(&p))?;
                    Ok((p, n))
                })
                .collect(),
            _ => Ok(self.describe(collection)?.1),
        }
    }

    /// One task's JSON.
    pub fn task(&self, id: u64) -> Result<Value> {
        Ok(either!(self, l => l.get_bulk_insert_state(id)?.to_json(), c => c.task(id)?))
    }

    /// Tasks' JSON, oldest first, the newest `limit`.
    pub fn tasks(&self, collection: Option<&str>, limit: Option<usize>) -> Result<Vec<Value>> {
        Ok(either!(self,
            l => l.list_bulk_insert_tasks(collection, limit)?.iter().map(TaskRecord::to_json).collect(),
            c => c.tasks(collection, limit)?))
    }

    /// Visible rows.
    pub fn count(&self, collection: &str, partition: Option<&str>) -> Result<u64> {
        Ok(
            either!(self, l => l.count(collection, partition)?, c => c.count(collection, partition)?),
        )
    }

    /// Rows by primary key or filter.
    pub fn query(&self, collection: &str, q: &QueryArgs) -> Result<Vec<Value>> {
        let schema = self.schema(collection)?;
        let int_pk = schema.primary().data_type == DataType::Int64;
        if let Backend::Client(c) = self {
            let filter = match (q.ids, q.filter) {
                (Some(ids), None) => {
                    let keys: Vec<Value> = (Key::parse_list(ids, int_pk)?.into_iter())
                        .map(|k| match k {
                            Key::Int(n) => json!(n),
                            Key::Str(s) => json!(s),
                        })
                        .collect();
                    format!("{} in {}", schema.primary().name, Value::Array(keys))
                }
                (None, Some(expr)) => expr.to_string(),
                _ => return Err(Usage("give exactly one of --ids or --filter".into()).into()),
            };
            let body = QueryBody {
                collection: collection.to_string(),
                filter,
                output: q.output.map(<[String]>::to_vec),
                limit: q.limit,
                offset: q.offset,
                partitions: q.partitions.map(<[String]>::to_vec),
            };
            return Ok(c.query(&body)?);
        }
        let select = match (q.ids, q.filter) {
            (Some(ids), None) => query::Select::Ids(Key::parse_list(ids, int_pk)?),
            (None, Some(expr)) => query::Select::Filter(query::Filter::parse(expr)?),
            _ => return Err(Usage("give exactly one of --ids or --filter".into()).into()),
        };
        let req = query::QueryRequest {
            select,
            output: q.output.map(<[String]>::to_vec),
            limit: q.limit,
            offset: q.offset,
            partitions: q.partitions.map(<[String]>::to_vec),
        };
        let rows = either!(self, l => l.query(collection, &req)?, _c => unreachable!());
        Ok(rows.into_iter().map(Value::Object).collect())
    }

    /// Hits, best first, each `{"id", "distance", <fields>}`.
    pub fn search(&self, collection: &str, s: &SearchArgs) -> Result<Vec<Value>> {
        let vector: Vec<f32> = serde_json::from_str(s.vector)
            .map_err(|e| Usage(format!("--vector must be a JSON list of numbers: {e}")))?;
        if let Backend::Client(c) = self {
            let schema = self.schema(collection)?;
            let body = SearchBody {
                collection: collection.to_string(),
                vector,
                field: s.field.map(str::to_string),
                metric: s.metric.map(str::to_string),
                limit: s.limit,
                output: s.output.map(<[String]>::to_vec),
                filter: s.filter.map(str::to_string),
                partitions: s.partitions.map(<[String]>::to_vec),
            };
            return Ok(c.search(&body, &schema.primary().name)?);
        }
        let metric = s.metric.map(query::Metric::parse).transpose()?;
        let filter = s.filter.map(query::Filter::parse).transpose()?;
        let req = query::SearchRequest {
            field: s.field,
            vector: &vector,
            metric,
            limit: s.limit,
            output: s.output,
            filter: filter.as_ref(),
            partitions: s.partitions,
            ..Default::default()
        };
        let hits = either!(self, l => l.search(collection, &req)?, _c => unreachable!());
        Ok(hits
            .into_iter()
            .map(|h| {
                let mut m = serde_json::Map::new();
                m.insert("id".into(), h.id);
                m.insert("distance".into(), json!(h.distance));
                m.extend(h.fields);
                Value::Object(m)
            })
            .collect())
    }

    /// Creates a collection from a schema file's bytes; its name.
    pub fn create_collection(&self, schema: &[u8]) -> Result<String> {
        match self {
            Backend::Client(c) => Ok(c.create_collection(schema)?),
            _ => Ok(self.engine()?.create_collection_from_json(schema)?),
        }
    }

    /// Drops a collection.
    pub fn drop_collection(&self, name: &str) -> Result<()> {
        match self {
            Backend::Client(c) => Ok(c.drop_collection(name)?),
            _ => Ok(self.engine()?.drop_collection(name)?),
        }
    }

    /// Creates a partition.
    pub fn create_partition(&self, collection: &str, partition: &str) -> Result<()> {
        match self {
            Backend::Client(c) => Ok(c.create_partition(collection, partition)?),
            _ => Ok(self.engine()?.create_partition(collection, partition)?),
        }
    }

    /// Cancels a task (client mode: aborts its job); the task's JSON afterwards.
    pub fn cancel(&self, id: u64) -> Result<Value> {
        match self {
            Backend::Client(c) => Ok(c.cancel(id)?),
            _ => Ok(self.engine()?.cancel(id)?.to_json()),
        }
    }
}
