//! Brute-force vector search over a snapshot's segments (exact k-NN, Milvus metric names).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use serde_json::{Map, Value};

use super::{QueryError, Snapshot};
use crate::record::{ColumnData, RowBatch, cell_to_json, half_to_f32, row_to_json};
use crate::schema::DataType;

/// Distance or similarity, with Milvus's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Squared Euclidean distance (Milvus reports L2 squared); smaller is better.
    L2,
    /// Inner product; larger is better.
    Ip,
    /// Cosine similarity; larger is better.
    Cosine,
    /// Differing bits of binary vectors; smaller is better.
    Hamming,
}

impl Metric {
    /// Parses `L2`, `IP`, `COSINE`, `HAMMING` (any case).
    pub fn parse(s: &str) -> Result<Metric, QueryError> {
        match s.to_ascii_uppercase().as_str() {
            "L2" => Ok(Metric::L2),
            "IP" => Ok(Metric::Ip),
            "COSINE" => Ok(Metric::Cosine),
            "HAMMING" => Ok(Metric::Hamming),
            _ => Err(QueryError::UnknownMetric(s.to_string())),
        }
    }

    fn smaller_is_better(self) -> bool {
        matches!(self, Metric::L2 | Metric::Hamming)
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Primary key.
    pub id: Value,
    /// Distance (or similarity for IP and COSINE).
    pub distance: f32,
    /// Requested output fields.
    pub fields: Map<String, Value>,
}

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchRequest<'a> {
    /// Vector field; the collection's only vector field when `None`.
    pub field: Option<&'a str>,
    /// Query vector (floats; byte values 0..=255 for binary vectors).
    pub vector: &'a [f32],
    /// Metric; L2 (HAMMING for binary vectors) when `None`.
    pub metric: Option<Metric>,
    /// Results to return.
    pub limit: usize,
    /// Output fields besides the primary key.
    pub output: Option<&'a [String]>,
}

struct Scored {
    key: f32,
    hit: Hit,
}

impl PartialEq for Scored {
    fn eq(&self, o: &Self) -> bool {
        self.key.total_cmp(&o.key) == Ordering::Equal
    }
}
impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Scored {
    fn cmp(&self, o: &Self) -> Ordering {
        self.key.total_cmp(&o.key)
    }
}

/// Exact k nearest rows to `req.vector`, best first; `req.limit` (topK) is at most 16384.
pub fn search(snap: &Snapshot, req: &SearchRequest<'_>) -> Result<Vec<Hit>, QueryError> {
    crate::schema::limits::check("limit (topK)", req.limit, crate::schema::limits::MAX_TOP_K)?;
    let schema = &snap.schema;
    let vector_fields: Vec<_> = schema
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.data_type.is_dense_vector() && f.function.is_none())
        .collect();
    let (index, field) = match req.field {
        Some(name) => schema
            .field(name)
            // A function's output is never stored (vecload does not run functions).
            .filter(|(_, f)| f.data_type.is_dense_vector() && f.function.is_none())
            .ok_or_else(|| QueryError::NotVectorField(name.to_string()))?,
        None => match vector_fields.as_slice() {
            [one] => *one,
            _ => return Err(QueryError::WhichVectorField),
        },
    };
    let dim = field.dim_or_zero();
    let binary = field.data_type == DataType::BinaryVector;
    let want = if binary { dim / 8 } else { dim };
    if req.vector.len() != want {
        return Err(QueryError::VectorLength {
            field: field.name.clone(),
            dim,
            want,
            got: req.vector.len(),
        });
    }
    let metric = (req
        .metric
        .or_else(|| field.index_metric().and_then(|m| Metric::parse(m).ok())))
    .unwrap_or(if binary { Metric::Hamming } else { Metric::L2 });
    if binary != (metric == Metric::Hamming) {
        return Err(QueryError::MetricMismatch {
            metric,
            data_type: field.data_type,
        });
    }
    let query_bytes: Vec<u8> = req.vector.iter().map(|v| *v as u8).collect();
    let mut heap: BinaryHeap<Scored> = BinaryHeap::new();
    let pk = schema.primary_index();
    for (_, path) in &snap.segments {
        for batch in crate::segment::read_batches(path)? {
            let batch = batch?;
            score_batch(
                &batch,
                index,
                pk,
                req,
                metric,
                &query_bytes,
                schema,
                &mut heap,
            );
        }
    }
    let mut hits: Vec<Scored> = heap.into_vec();
    hits.sort();
    Ok(hits.into_iter().map(|s| s.hit).collect())
}

#[allow(clippy::too_many_arguments)]
fn score_batch(
    batch: &RowBatch,
    index: usize,
    pk: usize,
    req: &SearchRequest<'_>,
    metric: Metric,
    query_bytes: &[u8],
    schema: &crate::schema::CollectionSchema,
    heap: &mut BinaryHeap<Scored>,
) {
    let col = &batch.columns[index].data;
    for row in 0..batch.len() {
        let distance = match col {
            ColumnData::FloatVector { dim, values } => {
                float_metric(metric, req.vector, &values[row * dim..(row + 1) * dim])
            }
            ColumnData::Float16Vector { dim, bits } | ColumnData::BFloat16Vector { dim, bits } => {
                let bf16 = matches!(col, ColumnData::BFloat16Vector { .. });
                let v: Vec<f32> = bits[row * dim..(row + 1) * dim]
                    .iter()
                    .map(|b| {
                        if bf16 {
                            f32::from_bits(u32::from(*b) << 16)
                        } else {
                            half_to_f32(*b)
                        }
                    })
                    .collect();
                float_metric(metric, req.vector, &v)
            }
            ColumnData::Int8Vector { dim, values } => {
                let v: Vec<f32> = values[row * dim..(row + 1) * dim]
                    .iter()
                    .map(|x| f32::from(*x))
                    .collect();
                float_metric(metric, req.vector, &v)
            }
            ColumnData::BinaryVector { dim, bytes } => {
                let w = dim / 8;
                bytes[row * w..(row + 1) * w]
                    .iter()
                    .zip(query_bytes)
                    .map(|(a, b)| (a ^ b).count_ones())
                    .sum::<u32>() as f32
            }
            _ => continue,
        };
        // The heap keeps the worst kept result on top.
        let key = if metric.smaller_is_better() {
            distance
        } else {
            -distance
        };
        if heap.len() >= req.limit && heap.peek().is_some_and(|w| w.key <= key) {
            continue;
        }
        let mut fields = match req.output {
            Some(out) => row_to_json(schema, batch, row, Some(out)),
            None => Map::new(),
        };
        let id = fields
            .remove(&schema.primary().name)
            .unwrap_or_else(|| cell_to_json(&batch.columns[pk].data, row));
        heap.push(Scored {
            key,
            hit: Hit {
                id,
                distance,
                fields,
            },
        });
        if heap.len() > req.limit {
            heap.pop();
        }
    }
}

fn float_metric(metric: Metric, q: &[f32], v: &[f32]) -> f32 {
    match metric {
        Metric::L2 => q.iter().zip(v).map(|(a, b)| (a - b) * (a - b)).sum(),
        Metric::Ip => q.iter().zip(v).map(|(a, b)| a * b).sum(),
        Metric::Cosine => {
            let dot: f32 = q.iter().zip(v).map(|(a, b)| a * b).sum();
            let nq: f32 = q.iter().map(|a| a * a).sum::<f32>().sqrt();
            let nv: f32 = v.iter().map(|a| a * a).sum::<f32>().sqrt();
            if nq == 0.0 || nv == 0.0 {
                0.0
            } else {
                dot / (nq * nv)
            }
        }
        Metric::Hamming => f32::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics() {
        assert_eq!(float_metric(Metric::L2, &[1.0, 2.0], &[1.0, 4.0]), 4.0);
        assert_eq!(float_metric(Metric::Ip, &[1.0, 2.0], &[3.0, 4.0]), 11.0);
        assert!((float_metric(Metric::Cosine, &[1.0, 0.0], &[2.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(Metric::parse("cosine").is_ok() && Metric::parse("x").is_err());
    }
}
