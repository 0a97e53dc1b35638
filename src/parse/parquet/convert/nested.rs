//! Timestamptz from Arrow timestamps, and Array of Struct from `list<struct<...>>`: each
//! struct member read by the member's own conversion.

use std::borrow::Cow;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, StructArray};
use arrow_schema::{DataType as Arrow, TimeUnit};

use super::{Lists, Target, append};
use crate::record::{Column, ColumnData};
use crate::schema::FieldSchema;
use crate::validate::{self, Violation};

/// The values of an Arrow timestamp array (any unit; the time zone only labels them) and
/// how many make a second.
pub(in crate::parse::parquet) struct Timestamps<'a> {
    values: &'a [i64],
    per_second: i64,
}

impl<'a> Timestamps<'a> {
    /// The values of `a`, when it is a timestamp array.
    pub fn of(a: &'a dyn Array) -> Option<Self> {
        let Arrow::Timestamp(unit, _) = a.data_type() else {
            return None;
        };
        let (values, per_second): (&[i64], i64) = match unit {
            TimeUnit::Second => (a.as_primitive_opt::<TimestampSecondType>()?.values(), 1),
            TimeUnit::Millisecond => (
                a.as_primitive_opt::<TimestampMillisecondType>()?.values(),
                1_000,
            ),
            TimeUnit::Microsecond => (
                a.as_primitive_opt::<TimestampMicrosecondType>()?.values(),
                1_000_000,
            ),
            TimeUnit::Nanosecond => (
                a.as_primitive_opt::<TimestampNanosecondType>()?.values(),
                1_000_000_000,
            ),
        };
        Some(Timestamps { values, per_second })
    }

    /// Value `i` in microseconds, checked by the rule book.
    pub fn micros(&self, field: &FieldSchema, i: usize) -> Result<i64, Violation> {
        validate::timestamp_units(field, self.values[i], self.per_second)
    }
}

/// The struct array under a `list<struct<...>>` column.
pub(in crate::parse::parquet) fn struct_values<'a>(lists: &Lists<'a>) -> Option<&'a StructArray> {
    lists.values().as_struct_opt()
}

/// The list of structs in row `i`: its length checked against `max_capacity`, each
/// member by its own type's rules (named `field[member]`, with the struct's index).
pub(super) fn structs(
    t: &Target<'_>,
    lists: &Lists<'_>,
    i: usize,
) -> Result<Vec<ColumnData>, Violation> {
    let field = t.field;
    let r = lists.range(i);
    validate::array_capacity(field, r.len())?;
    let elem = t.elem.map_or_else(
        || Cow::Owned(validate::struct_element(field)),
        Cow::Borrowed,
    );
    let Some(st) = struct_values(lists) else {
        return Err(validate::wrong_type(field, "a list of non-structs"));
    };
    if let Some(j) = (r.start..r.end).find(|j| st.is_null(*j)) {
        return Err(validate::struct_not_object(&elem, j - r.start, "null"));
    }
    let mut out = Vec::with_capacity(elem.struct_fields.len());
    // `field` names the members as files do; `elem` as refusals do (`field[member]`).
    for (given, member) in field.struct_fields.iter().zip(&elem.struct_fields) {
        let Some(child) = st.column_by_name(&given.name) else {
            return Err(validate::struct_member_missing(&elem, out.len(), 0));
        };
        let mut col = Column {
            data: ColumnData::empty_for(member, r.len()),
            validity: None,
        };
        let sub = child.slice(r.start, r.len());
        let inner = Target {
            field: member,
            elem: None,
            default: None,
        };
        append(&inner, &sub, &mut col).map_err(|(j, v)| validate::struct_member_error(v, j))?;
        out.push(col.data);
    }
    Ok(out)
}
