//! A batch split by destination in one pass per column, values moved rather than cloned:
//! what routing does to every batch of a partition-key collection.

use super::{Column, ColumnData, RowBatch};

/// Moves each element of `src` to the slot `slots` gives it, in order.
fn scatter_vec<T>(src: Vec<T>, slots: &[usize], counts: &[usize]) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = counts.iter().map(|&c| Vec::with_capacity(c)).collect();
    for (v, &s) in src.into_iter().zip(slots) {
        out[s].push(v);
    }
    out
}

/// Copies each run of `width` elements of `src` (one row) to its row's slot.
fn scatter_rows<T: Copy>(
    src: &[T],
    width: usize,
    slots: &[usize],
    counts: &[usize],
) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = counts
        .iter()
        .map(|&c| Vec::with_capacity(c * width))
        .collect();
    if width > 0 {
        for (row, &s) in src.chunks_exact(width).zip(slots) {
            out[s].extend_from_slice(row);
        }
    }
    out
}

impl ColumnData {
    /// The values of each slot, in row order: `slots[row]` is the slot of row `row`, and
    /// `counts[slot]` the rows it gets.
    fn scatter(self, slots: &[usize], counts: &[usize]) -> Vec<ColumnData> {
        use ColumnData as C;
        fn each<T>(parts: Vec<T>, f: impl Fn(T) -> ColumnData) -> Vec<ColumnData> {
            parts.into_iter().map(f).collect()
        }
        match self {
            C::Bool(v) => each(scatter_vec(v, slots, counts), C::Bool),
            C::Int8(v) => each(scatter_vec(v, slots, counts), C::Int8),
            C::Int16(v) => each(scatter_vec(v, slots, counts), C::Int16),
            C::Int32(v) => each(scatter_vec(v, slots, counts), C::Int32),
            C::Int64(v) => each(scatter_vec(v, slots, counts), C::Int64),
            C::Float(v) => each(scatter_vec(v, slots, counts), C::Float),
            C::Double(v) => each(scatter_vec(v, slots, counts), C::Double),
            C::VarChar(v) => each(scatter_vec(v, slots, counts), C::VarChar),
            C::Json(v) => each(scatter_vec(v, slots, counts), C::Json),
            C::Array(v) => each(scatter_vec(v, slots, counts), C::Array),
            C::Geometry(v) => each(scatter_vec(v, slots, counts), C::Geometry),
            C::Timestamptz(v) => each(scatter_vec(v, slots, counts), C::Timestamptz),
            C::SparseFloatVector(v) => each(scatter_vec(v, slots, counts), C::SparseFloatVector),
            C::ArrayOfStruct(v) => each(scatter_vec(v, slots, counts), C::ArrayOfStruct),
            C::FloatVector { dim, values } => {
                each(scatter_rows(&values, dim, slots, counts), |values| {
                    C::FloatVector { dim, values }
                })
            }
            C::BinaryVector { dim, bytes } => {
                each(scatter_rows(&bytes, dim / 8, slots, counts), |bytes| {
                    C::BinaryVector { dim, bytes }
                })
            }
            C::Float16Vector { dim, bits } => {
                each(scatter_rows(&bits, dim, slots, counts), |bits| {
                    C::Float16Vector { dim, bits }
                })
            }
            C::BFloat16Vector { dim, bits } => {
                each(scatter_rows(&bits, dim, slots, counts), |bits| {
                    C::BFloat16Vector { dim, bits }
                })
            }
            C::Int8Vector { dim, values } => {
                each(scatter_rows(&values, dim, slots, counts), |values| {
                    C::Int8Vector { dim, values }
                })
            }
        }
    }
}

impl RowBatch {
    /// Splits the batch into `counts.len()` batches: row `row` goes to batch `slots[row]`,
    /// rows keep their order within each, and every value is moved, not cloned. `slots`
    /// has one entry per row, each below `counts.len()`, and `counts[s]` is how many rows
    /// name slot `s`.
    pub fn scatter(self, slots: &[usize], counts: &[usize]) -> Vec<RowBatch> {
        let n = counts.len();
        let mut out: Vec<RowBatch> = (0..n)
            .map(|_| RowBatch {
                columns: Vec::with_capacity(self.columns.len()),
                meta: None,
            })
            .collect();
        for column in self.columns {
            let validity = column
                .validity
                .map(|v| scatter_vec(v, slots, counts).into_iter().map(Some));
            let data = column.data.scatter(slots, counts);
            let validity: Vec<Option<Vec<bool>>> = match validity {
                Some(v) => v.collect(),
                None => vec![None; n],
            };
            for ((batch, data), validity) in out.iter_mut().zip(data).zip(validity) {
                batch.columns.push(Column { data, validity });
            }
        }
        if let Some(meta) = self.meta {
            for (batch, m) in out.iter_mut().zip(scatter_vec(meta, slots, counts)) {
                batch.meta = Some(m);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant, nullable and `$meta` included: scatter equals pushing row by row.
    #[test]
    fn scatter_equals_row_by_row_copies() {
        use ColumnData as C;
        let rows = 7;
        let columns = vec![
            C::Bool((0..rows).map(|i| i % 2 == 0).collect()),
            C::Int8((0..rows).map(|i| i as i8).collect()),
            C::Int16((0..rows).map(|i| i as i16).collect()),
            C::Int32((0..rows).map(|i| i as i32).collect()),
            C::Int64((0..rows).map(|i| i as i64 * 10).collect()),
            C::Float((0..rows).map(|i| i as f32).collect()),
            C::Double((0..rows).map(|i| i as f64).collect()),
            C::VarChar((0..rows).map(|i| format!("s{i}")).collect()),
            C::Json((0..rows).map(|i| format!("{{\"a\":{i}}}")).collect()),
            C::Array((0..rows).map(|i| C::Int32(vec![i as i32; i])).collect()),
            C::Geometry((0..rows).map(|i| format!("POINT ({i} 0)")).collect()),
            C::Timestamptz((0..rows).map(|i| i as i64).collect()),
            C::SparseFloatVector((0..rows).map(|i| vec![(i as u32, 1.0)]).collect()),
            C::ArrayOfStruct((0..rows).map(|i| vec![C::Int64(vec![i as i64])]).collect()),
            C::FloatVector {
                dim: 3,
                values: (0..rows * 3).map(|i| i as f32).collect(),
            },
            C::BinaryVector {
                dim: 16,
                bytes: (0..rows * 2).map(|i| i as u8).collect(),
            },
            C::Float16Vector {
                dim: 2,
                bits: (0..rows * 2).map(|i| i as u16).collect(),
            },
            C::BFloat16Vector {
                dim: 2,
                bits: (0..rows * 2).map(|i| i as u16 + 1).collect(),
            },
            C::Int8Vector {
                dim: 4,
                values: (0..rows * 4).map(|i| i as i8).collect(),
            },
        ];
        let batch = RowBatch {
            columns: columns
                .into_iter()
                .enumerate()
                .map(|(k, data)| Column {
                    data,
                    validity: (k % 3 == 0).then(|| (0..rows).map(|i| i % 3 != 1).collect()),
                })
                .collect(),
            meta: Some((0..rows).map(|i| format!("{{\"m\":{i}}}")).collect()),
        };
        let slots = [2, 0, 2, 2, 1, 0, 2];
        let counts = [2, 1, 4, 0];
        let mut want: Vec<RowBatch> = (0..counts.len())
            .map(|_| {
                let mut b = batch.clone();
                b.clear();
                b
            })
            .collect();
        for (row, &s) in slots.iter().enumerate() {
            assert!(want[s].push_row_from(&batch, row));
        }
        let got = batch.scatter(&slots, &counts);
        assert_eq!(got, want);
        assert_eq!(
            got.iter().map(RowBatch::len).collect::<Vec<_>>(),
            counts.to_vec()
        );
    }
}
