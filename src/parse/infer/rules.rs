//! The rules that make a field of what was seen of a column (`docs/cli.md`, "collection
//! infer"): constant-length numeric lists are vectors, other lists Arrays; integers Int64,
//! floats Double, strings VarChar of twice the longest (a power of two), objects JSON; a
//! format's own type wins where it has one; nulls or missing keys make a field nullable.

use super::InferError;
use super::seen::{Kind, Natural, Seen};
use crate::schema::{DataType, FieldSchema, limits};

/// The longest VarChar (Milvus's `max_length` limit), in UTF-8 bytes.
pub const VARCHAR_MAX: usize = 65535;

/// The longest Array (Milvus's `max_capacity` limit).
pub const CAPACITY_MAX: usize = 4096;

/// A field made from a column, and a note when a rule had to guess.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The field (never primary here).
    pub field: FieldSchema,
    /// What was guessed, for the user.
    pub note: Option<String>,
}

/// `max_length` for strings of at most `longest` bytes: twice that, rounded up to a power
/// of two, at most [`VARCHAR_MAX`] (and at least 1).
pub fn max_length(longest: usize) -> usize {
    longest
        .saturating_mul(2)
        .max(1)
        .checked_next_power_of_two()
        .unwrap_or(usize::MAX)
        .min(VARCHAR_MAX)
}

/// A VarChar field `name` for strings of at most `longest` bytes.
fn varchar(name: &str, longest: usize) -> Result<FieldSchema, InferError> {
    if longest > VARCHAR_MAX {
        return Err(InferError::Cannot {
            field: name.to_string(),
            why: format!(
                "it holds strings of {longest} bytes, longer than a VarChar's {VARCHAR_MAX}"
            ),
        });
    }
    let mut f = FieldSchema::new(name, DataType::VarChar);
    f.max_length = Some(max_length(longest));
    Ok(f)
}

/// The scalar type of a format's own type.
fn scalar_of(n: Natural) -> DataType {
    match n {
        Natural::Bool => DataType::Bool,
        Natural::Int8 => DataType::Int8,
        Natural::Int16 | Natural::UInt8 => DataType::Int16,
        Natural::Int32 | Natural::UInt16 => DataType::Int32,
        Natural::Int64 | Natural::UInt32 => DataType::Int64,
        Natural::Float16 | Natural::Float => DataType::Float,
        Natural::Double => DataType::Double,
        Natural::Timestamp => DataType::Timestamptz,
    }
}

/// Makes the field `name` of what was seen of it in a sample of `rows` rows.
pub fn decide(name: &str, seen: &Seen, rows: u64) -> Result<Decided, InferError> {
    let nullable = !seen.is_full(rows);
    let mut note = None;
    let kinds: Vec<Kind> = seen.kinds.keys().copied().collect();
    let mut field = match kinds.as_slice() {
        [] => match seen.natural {
            Some(n) => FieldSchema::new(name, scalar_of(n)),
            None => {
                note = Some(format!(
                    "field \"{name}\" holds only nulls in the sample: typed VarChar (nullable, \
                     max_length {VARCHAR_MAX}); edit the schema if it holds something else"
                ));
                varchar(name, VARCHAR_MAX)?
            }
        },
        [Kind::Bool] => FieldSchema::new(name, DataType::Bool),
        [Kind::Int] | [Kind::Int, Kind::Float] | [Kind::Float] => {
            let generic = if kinds.contains(&Kind::Float) {
                DataType::Double
            } else {
                DataType::Int64
            };
            let t = seen.natural.map_or(generic, scalar_of);
            FieldSchema::new(name, t)
        }
        [Kind::Str] if seen.natural == Some(Natural::Timestamp) => {
            FieldSchema::new(name, DataType::Timestamptz)
        }
        // Strings that all hold JSON objects (how Parquet, NumPy and CSV files hold JSON),
        // alone or beside objects.
        [Kind::Str] | [Kind::Str, Kind::Object] if seen.json_strs == seen.strs => {
            FieldSchema::new(name, DataType::Json)
        }
        [Kind::Str] => varchar(name, seen.str_max)?,
        [Kind::Object] => FieldSchema::new(name, DataType::Json),
        [Kind::List] => {
            let (f, guess) = list(name, seen, nullable)?;
            note = guess;
            f
        }
        _ if seen.text => varchar(name, seen.text_max)?,
        [a, b, ..] => {
            return Err(InferError::Mixed {
                field: name.to_string(),
                first: (a.name(), seen.kinds[a].clone()),
                second: (b.name(), seen.kinds[b].clone()),
            });
        }
    };
    field.nullable = nullable;
    Ok(Decided { field, note })
}

/// A list column: a vector when every row holds a numeric list of one length (and none is
/// null), else an Array of the element type.
fn list(
    name: &str,
    seen: &Seen,
    nullable: bool,
) -> Result<(FieldSchema, Option<String>), InferError> {
    let lists = &seen.lists;
    let (shortest, longest) = lists.len.unwrap_or((0, 0));
    let elems: Vec<Kind> = lists.elems.keys().copied().collect();
    let elem = match (elems.as_slice(), lists.natural) {
        (_, Some(n)) => Some(n),
        ([], None) => None,
        ([Kind::Bool], None) => Some(Natural::Bool),
        ([Kind::Int], None) => Some(Natural::Int64),
        ([Kind::Int, Kind::Float] | [Kind::Float], None) => Some(Natural::Double),
        ([Kind::Str], None) => None,
        (other, None) => {
            let odd = other.iter().find(|k| !matches!(k, Kind::Int | Kind::Float));
            let at = odd.map(|k| format!(" ({})", lists.elems[k]));
            return Err(InferError::Cannot {
                field: name.to_string(),
                why: format!(
                    "its lists hold {}{}: only lists of numbers, strings or booleans are typed",
                    describe(other),
                    at.unwrap_or_default()
                ),
            });
        }
    };
    let numeric = elem.is_some_and(|n| !matches!(n, Natural::Bool | Natural::Timestamp));
    if numeric && !nullable && shortest == longest && longest > 0 {
        let (t, dim) = match elem {
            Some(Natural::UInt8) => (DataType::BinaryVector, longest * 8),
            Some(Natural::Int8) => (DataType::Int8Vector, longest),
            Some(Natural::Float16) => (DataType::Float16Vector, longest),
            _ => (DataType::FloatVector, longest),
        };
        if dim > limits::MAX_DIM {
            return Err(InferError::Cannot {
                field: name.to_string(),
                why: format!(
                    "its lists of {longest} numbers make a vector of dim {dim}, over the limit of {}",
                    limits::MAX_DIM
                ),
            });
        }
        let mut f = FieldSchema::new(name, t);
        f.dim = Some(dim);
        return Ok((f, None));
    }
    if longest > CAPACITY_MAX {
        return Err(InferError::Cannot {
            field: name.to_string(),
            why: format!(
                "its lists of up to {longest} elements (of varying length, or with nulls) make an \
                 Array longer than the limit of {CAPACITY_MAX}"
            ),
        });
    }
    let mut f = FieldSchema::new(name, DataType::Array);
    f.max_capacity = Some(longest.max(1));
    let mut note = None;
    match elem {
        Some(n) => f.element_type = Some(scalar_of(n)),
        None => {
            let element = varchar(name, lists.str_max)?;
            f.element_type = Some(DataType::VarChar);
            f.max_length = element.max_length;
            if elems.is_empty() {
                f.max_capacity = Some(CAPACITY_MAX);
                f.max_length = Some(VARCHAR_MAX);
                note = Some(format!(
                    "field \"{name}\" holds only empty lists in the sample: typed Array of \
                     VarChar (max_capacity {CAPACITY_MAX}, max_length {VARCHAR_MAX}); edit the \
                     schema if its elements are something else"
                ));
            }
        }
    }
    Ok((f, note))
}

/// `integers and objects` for messages.
fn describe(kinds: &[Kind]) -> String {
    let names: Vec<&str> = kinds
        .iter()
        .map(|k| match k {
            Kind::Bool => "booleans",
            Kind::Int => "integers",
            Kind::Float => "floats",
            Kind::Str => "strings",
            Kind::Object => "objects or nulls",
            Kind::List => "lists",
        })
        .collect();
    names.join(" and ")
}
