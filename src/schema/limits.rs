//! Milvus's caps on everything a request sizes (docs/http-api.md, "Limits"), in one table,
//! and the error that names a broken one. The schema, query and engine layers check them, so
//! the CLI, REST and gRPC front ends refuse the same requests the same way.

/// `params.partitionsNum` of a partition-key collection (Milvus `maxPartitionNum`).
pub const MAX_PARTITIONS_NUM: usize = 1024;
/// Partitions of one collection, `_default` included.
pub const MAX_PARTITIONS_PER_COLLECTION: usize = 1024;
/// Top-level fields of one collection (Milvus `maxFieldNum`).
pub const MAX_FIELDS: usize = 64;
/// Top-level vector fields of one collection (Milvus 2.5 `maxVectorFieldNum`); vectors inside
/// an Array of Struct field are not counted.
pub const MAX_VECTOR_FIELDS: usize = 4;
/// Dimension of a vector field (Milvus `maxDimension`).
pub const MAX_DIM: usize = 32768;
/// Collections in one data directory (Milvus `maxCollectionNum`).
pub const MAX_COLLECTIONS: usize = 65536;
/// `limit + offset` of a query (Milvus `maxQueryResultWindow`).
pub const MAX_QUERY_WINDOW: usize = 16384;
/// `limit` (topK) of a search (Milvus `topKLimit`).
pub const MAX_TOP_K: usize = 16384;
/// Query vectors of one search request (Milvus `maxNQ`).
pub const MAX_NQ: usize = 16384;
/// Units (tasks) of one import request (Milvus `maxFilesPerImportReq`).
pub const MAX_IMPORT_UNITS: usize = 1024;
/// Bytes of a filter expression.
pub const MAX_FILTER_BYTES: usize = 64 * 1024;
/// Parenthesis nesting of a filter expression. Parsing and matching recurse once per level
/// (a few hundred bytes of stack each); 128 levels take a few tens of KiB, far below a 2 MiB
/// thread stack (see the `filter` tests).
pub const MAX_FILTER_DEPTH: usize = 128;

/// A request sizes something past its cap: names the parameter, the limit and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{param} must be at most {limit}, found {found}")]
pub struct LimitExceeded {
    /// The parameter as the user wrote it (`partitionsNum`, `limit + offset`...).
    pub param: String,
    /// The cap.
    pub limit: usize,
    /// The value given.
    pub found: usize,
}

// Not `#[from]` (which would make it a `source`): the layers' messages already hold it, and
// error chains would say it twice.
impl From<LimitExceeded> for super::SchemaError {
    fn from(l: LimitExceeded) -> Self {
        super::SchemaError::Limit(l)
    }
}

/// `Err` when `found > limit`.
pub fn check(param: impl Into<String>, found: usize, limit: usize) -> Result<(), LimitExceeded> {
    if found > limit {
        return Err(LimitExceeded {
            param: param.into(),
            limit,
            found,
        });
    }
    Ok(())
}

impl super::CollectionSchema {
    /// The caps a schema must keep: `partitionsNum`, top-level fields, top-level vector
    /// fields and each vector field's `dim` (struct members included).
    pub fn check_limits(&self) -> Result<(), LimitExceeded> {
        check("partitionsNum", self.partitions_num, MAX_PARTITIONS_NUM)?;
        check("fields per collection", self.fields.len(), MAX_FIELDS)?;
        let vectors = self
            .fields
            .iter()
            .filter(|f| f.data_type.is_vector())
            .count();
        check("vector fields per collection", vectors, MAX_VECTOR_FIELDS)?;
        let members = self.fields.iter().flat_map(|f| &f.struct_fields);
        for f in self.fields.iter().chain(members) {
            check(
                format!("dim of field \"{}\"", f.name),
                f.dim_or_zero(),
                MAX_DIM,
            )?;
        }
        Ok(())
    }
}
