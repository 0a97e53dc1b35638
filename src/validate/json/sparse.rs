//! Sparse float vectors: `{"indices": [...], "values": [...]}` or `{"<index>": value, ...}`.

use super::convert::float32;
use super::lex::{Fault, Lexer, rule};
use super::value::{count_elements, describe};
use crate::schema::FieldSchema;

const WANT: &str =
    "a sparse vector: {\"indices\": [...], \"values\": [...]} or {\"<index>\": value}";

/// Reads the sparse vector at the cursor: (index, value) pairs sorted by index, indices
/// below 2^32-1 and distinct, values finite and non-negative.
pub(super) fn sparse(lx: &mut Lexer<'_>, field: &FieldSchema) -> Result<Vec<(u32, f32)>, Fault> {
    let start = lx.pos;
    if lx.peek() != Some(b'{') {
        return Err(rule(&field.name, WANT, describe(lx.b, start)));
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
        let f = float32(&mut Lexer { b, pos: at }, field, "sparse value")?;
        if f < 0.0 {
            return Err(rule(
                &field.name,
                "non-negative sparse values",
                f.to_string(),
            ));
        }
        Ok(f)
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
        if ni != nv {
            return Err(rule(
                &field.name,
                "as many values as indices",
                format!("{} indices, {} values", ni.unwrap_or(0), nv.unwrap_or(0)),
            ));
        }
        let (mut li, mut lv) = (Lexer { b, pos: i + 1 }, Lexer { b, pos: v + 1 });
        for k in 0..ni.unwrap_or(0) {
            if k > 0 {
                li.more(b']')?;
                lv.more(b']')?;
            }
            li.peek();
            let at = li.pos;
            lv.peek();
            let index = li
                .number()
                .ok()
                .and_then(|(d, _)| d.to_integer())
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n != u32::MAX)
                .ok_or_else(|| rule(&field.name, "sparse indices in 0..2^32-1", describe(b, at)))?;
            pairs.push((index, value(lv.pos)?));
            lv.skip_value(3)?;
        }
    } else {
        for (k, at) in &members {
            let index = Some(k.as_str())
                .filter(|k| !k.is_empty() && k.bytes().all(|c| c.is_ascii_digit()))
                .and_then(|k| k.parse::<u32>().ok())
                .filter(|n| *n != u32::MAX)
                .ok_or_else(|| rule(&field.name, WANT, format!("key \"{k}\"")))?;
            pairs.push((index, value(*at)?));
        }
    }
    lx.pos = end;
    pairs.sort_by_key(|p| p.0);
    if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(rule(
            &field.name,
            "distinct sparse indices",
            "a repeated index",
        ));
    }
    Ok(pairs)
}
