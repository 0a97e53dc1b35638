//! The query layer's error: a refused argument (key, filter, metric, vector) or a segment that
//! could not be read back.

use crate::schema::DataType;
use crate::schema::limits::LimitExceeded;
use crate::segment::SegmentError;

use super::Metric;

/// Why a query or a search was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// A primary key given for an Int64 primary key is not an integer.
    #[error("invalid query: \"{0}\" is not an Int64 primary key")]
    BadKey(String),
    /// The filter expression does not parse; the message says where.
    #[error("invalid query: {0}")]
    BadFilter(String),
    /// The metric name is not one of Milvus's.
    #[error("invalid query: unknown metric \"{0}\" (L2, IP, COSINE, HAMMING)")]
    UnknownMetric(String),
    /// The named field is not a dense vector field of the collection.
    #[error("invalid query: \"{0}\" is not a dense vector field")]
    NotVectorField(String),
    /// No field was named and the collection has several vector fields (or none).
    #[error("invalid query: the collection has several vector fields: name one with --field")]
    WhichVectorField,
    /// The query vector's length does not fit the field's dimension.
    #[error(
        "invalid query: field \"{field}\" has dim {dim}: the query vector needs {want} values, got {got}"
    )]
    VectorLength {
        /// The vector field.
        field: String,
        /// Its dimension.
        dim: usize,
        /// Values the query vector needs (dim, or dim / 8 bytes for binary vectors).
        want: usize,
        /// Values given.
        got: usize,
    },
    /// The metric does not fit the field's type (HAMMING is for binary vectors only).
    #[error("invalid query: metric {metric:?} does not fit {data_type}")]
    MetricMismatch {
        /// The metric asked for.
        metric: Metric,
        /// The field's type.
        data_type: DataType,
    },
    /// A request sizes something past Milvus's cap (filter length or depth, limit, topK).
    #[error("invalid query: {0}")]
    Limit(LimitExceeded),
    /// A segment could not be read back.
    #[error(transparent)]
    Segment(#[from] SegmentError),
}

impl From<LimitExceeded> for QueryError {
    fn from(l: LimitExceeded) -> Self {
        QueryError::Limit(l)
    }
}

impl QueryError {
    /// Whether the caller's arguments are at fault (as opposed to the stored data).
    pub fn is_invalid_argument(&self) -> bool {
        !matches!(self, QueryError::Segment(_))
    }
}
