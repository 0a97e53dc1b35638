//! Array of Struct values in the exact reader: a list of objects, each holding every struct
//! field once, each member read by the member's own conversion.

use super::convert::convert;
use super::lex::{Fault, Lexer};
use super::value::describe;
use crate::record::ColumnData;
use crate::schema::FieldSchema;
use crate::validate;

/// Reads the list of structs at the cursor; `elem` is the field's struct element schema
/// ([`validate::struct_element`]). Returns one column per member.
pub(super) fn structs(elem: &FieldSchema, lx: &mut Lexer<'_>) -> Result<Vec<ColumnData>, Fault> {
    let start = lx.pos;
    if lx.peek() != Some(b'[') {
        return Err(validate::wrong_type(elem, describe(lx.b, start)).into());
    }
    lx.pos += 1;
    let mut cols: Vec<ColumnData> = elem
        .struct_fields
        .iter()
        .map(|m| ColumnData::empty_for(m, 0))
        .collect();
    let mut seen = vec![false; cols.len()];
    let mut key = String::new();
    let mut n = 0;
    if lx.eat(b']') {
        return Ok(cols);
    }
    loop {
        if lx.peek() != Some(b'{') {
            return Err(validate::struct_not_object(elem, n, describe(lx.b, lx.pos)).into());
        }
        lx.pos += 1;
        seen.fill(false);
        if !lx.eat(b'}') {
            loop {
                let k = lx.key(&mut key)?;
                let m = match validate::struct_member_index(elem, k) {
                    Some(m) if !seen[m] => m,
                    _ => return Err(validate::struct_unknown_key(elem, n, k).into()),
                };
                seen[m] = true;
                lx.peek();
                convert(&elem.struct_fields[m], None, lx, &mut cols[m]).map_err(|f| match f {
                    Fault::Rule(v) => validate::struct_member_error(*v, n).into(),
                    syntax => syntax,
                })?;
                if !lx.more(b'}')? {
                    break;
                }
            }
        }
        if let Some(m) = seen.iter().position(|s| !s) {
            return Err(validate::struct_member_missing(elem, m, n).into());
        }
        n += 1;
        validate::array_capacity(elem, n)?;
        if !lx.more(b']')? {
            return Ok(cols);
        }
    }
}
