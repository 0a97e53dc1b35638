//! Reading a decoded batch under `--on-error skip`: the rows before a refused row are
//! converted, the refused row goes to the rejects with its values as a JSON object, and
//! conversion goes on after it. Arrow slices are views: nothing is decoded twice.

use arrow_array::ArrayRef;
use serde_json::{Map, Value};

use super::ParquetFile;
use super::convert::{self, Target};
use super::file::Source;
use crate::location::RowLocation;
use crate::parse::Rejected;
use crate::record::{RowBatch, field_cell_to_json};

impl ParquetFile {
    /// Converts the `n` rows of `arrays` into `batch`, each refused row into `rejects`
    /// (located by `loc(row in the batch)`) instead of failing the batch.
    pub(super) fn convert_skipping(
        &self,
        arrays: &[ArrayRef],
        n: usize,
        at: &dyn Fn(usize) -> usize,
        batch: &mut RowBatch,
        loc: &dyn Fn(usize) -> RowLocation,
        rejects: &mut Vec<Rejected>,
    ) {
        let mut start = 0;
        while start < n {
            // The rows from `start` to the earliest refused one convert; that one is
            // rejected. A retry over a shorter range finds an earlier refusal if a column
            // converted before the one that failed held one.
            let mut end = n;
            loop {
                let before = batch.len();
                let part: Vec<ArrayRef> = (arrays.iter())
                    .map(|a| a.slice(start, end - start))
                    .collect();
                match self.convert(&part, end - start, at, batch) {
                    Ok(()) => {
                        start = end;
                        break;
                    }
                    Err((row, v)) => {
                        batch.truncate(before);
                        if row > 0 {
                            end = start + row;
                            continue;
                        }
                        rejects.push(Rejected {
                            error: v.at(&loc(start)),
                            raw: self.row_values(arrays, at, start),
                        });
                        start += 1;
                        break;
                    }
                }
            }
        }
    }

    /// Row `row` of `arrays` as a JSON object of the fields read from the file: each value
    /// as the schema's type holds it, a value the rules refuse as the text the error gives.
    fn row_values(&self, arrays: &[ArrayRef], at: &dyn Fn(usize) -> usize, row: usize) -> String {
        let mut out = Map::new();
        let mut scratch = RowBatch::empty(&self.schema, 1);
        for (i, (source, col)) in self.sources.iter().zip(&mut scratch.columns).enumerate() {
            let Source::Column(c) = source else {
                continue;
            };
            let Some(array) = arrays.get(at(*c)) else {
                continue;
            };
            let field = &self.schema.fields[i];
            let target = Target {
                field,
                elem: self.nested[i].as_ref(),
                default: self.defaults[i].as_ref(),
            };
            let value = match convert::append(&target, &array.slice(row, 1), col) {
                Ok(()) if col.is_valid(0) => field_cell_to_json(field, &col.data, 0),
                Ok(()) => Value::Null,
                Err((_, v)) => Value::String(v.found),
            };
            out.insert(field.name.clone(), value);
        }
        Value::Object(out).to_string()
    }
}
