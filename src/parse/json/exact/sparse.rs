//! Sparse float vectors: `{"indices": [...], "values": [...]}` or `{"<index>": value, ...}`,
//! read from the row's text; the rules are the rule book's.

use super::convert::float32;
use super::lex::{Fault, Lexer};
use super::value::{count_elements, describe};
use crate::schema::FieldSchema;
use crate::validate;

/// Reads the sparse vector at the cursor: (index, value) pairs sorted by index.
pub(super) fn sparse(lx: &mut Lexer<'_>, field: &FieldSchema) -> Result<Vec<(u32, f32)>, Fault> {
    let start = lx.pos;
    if lx.peek() != Some(b'{') {
        return Err(validate::wrong_type(field, describe(lx.b, start)).into());
    }
    // Members as (key, offset of the value); the last of a repeated key wins.
    let mut members: Vec<(String, usize)> = Vec::new();
    lx.pos += 1;
    if !lx.eat(b'}') {
        let mut buf = String::new();
        loop {
            let key = lx.key(&mut buf)?.to_string();
            lx.peek();
            let at = lx.pos;
            lx.skip_value(2)?;
            members.retain(|(k, _)| *k != key);
            members.push((key, at));
            if !lx.more(b'}')? {
                break;
            }
        }
    }
    let end = lx.pos;
    let b = lx.b;
    let value = |at: usize| -> Result<f32, Fault> {
        let f = float32(&mut Lexer { b, pos: at }, field, true)?;
        Ok(validate::sparse_value(field, f)?)
    };
    let get = |name: &str| members.iter().find(|(k, _)| k == name).map(|m| m.1);
    let lists = (get("indices"), get("values"));
    let mut pairs = Vec::with_capacity(members.len());
    if let (Some(i), Some(v)) = lists
        && members.len() == 2
        && b.get(i) == Some(&b'[')
        && b.get(v) == Some(&b'[')
    {
        let (ni, nv) = (count_elements(b, i), count_elements(b, v));
        validate::sparse_lengths(field, ni.unwrap_or(0), nv.unwrap_or(0))?;
        let (mut li, mut lv) = (Lexer { b, pos: i + 1 }, Lexer { b, pos: v + 1 });
        for k in 0..ni.unwrap_or(0) {
            if k > 0 {
                li.more(b']')?;
                lv.more(b']')?;
            }
            li.peek();
            let at = li.pos;
            lv.peek();
            let n = li.number().ok().and_then(|(d, _)| d.to_integer());
            let index = validate::sparse_index(field, n, || describe(b, at))?;
            pairs.push((index, value(lv.pos)?));
            lv.skip_value(3)?;
        }
    } else {
        for (k, at) in &members {
            pairs.push((validate::sparse_key(field, k)?, value(*at)?));
        }
    }
    lx.pos = end;
    validate::sparse_pairs(field, &mut pairs)?;
    Ok(pairs)
}
