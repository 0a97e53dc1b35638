//! JSON rules: a JSON field's value (an object, or a string holding JSON) is valid JSON,
//! nests at most [`JSON_DEPTH_MAX`] deep and holds numbers within `f64`'s range (what reads
//! it back holds numbers as `f64`); `$meta` is an object (or a string holding one) and
//! merges with the row's undeclared keys, a key given in both being an error. Also the
//! writer of JSON strings, whose escapes every reader stores (as serde_json writes them).

use super::Violation;
use crate::schema::META_FIELD;

/// How deep arrays and objects may nest in a JSON value (a JSON field, `$meta`, a dynamic
/// key's value).
pub const JSON_DEPTH_MAX: usize = 100;

/// What a JSON field holds.
const JSON_WANT: &str = "a JSON object or a string holding JSON";
/// What `$meta` holds.
const META_WANT: &str = "a JSON object or a string holding one";

/// JSON depth: an array or object of `field`'s value opened at nesting level `depth`
/// (1 for the value itself).
#[inline]
pub fn json_depth(field: &str, depth: usize) -> Result<(), Violation> {
    if depth <= JSON_DEPTH_MAX {
        return Ok(());
    }
    Err(Violation::new(
        field,
        format!("JSON nested at most {JSON_DEPTH_MAX} levels deep"),
        format!("nesting deeper than {JSON_DEPTH_MAX} levels"),
    ))
}

/// JSON numbers: a number kept in a JSON value must be within `f64`'s range; `x` is its
/// value read as `f64`, `literal` its text.
#[inline]
pub fn json_number(field: &str, x: f64, literal: impl FnOnce() -> String) -> Result<(), Violation> {
    if x.is_finite() {
        return Ok(());
    }
    Err(Violation::new(
        field,
        "a number within the range of a 64-bit float",
        format!("number {}", literal()),
    ))
}

/// JSON validity: `text`, the string given for the JSON field `field`, must be one JSON
/// value within the depth and number rules.
pub fn json_text(field: &str, text: &str) -> Result<(), Violation> {
    parsed(field, text, JSON_WANT).map(drop)
}

/// `$meta` given as a string: `text` must hold a JSON object, within the JSON rules.
pub fn json_object_text(text: &str) -> Result<(), Violation> {
    match parsed(META_FIELD, text, META_WANT)? {
        serde_json::Value::Object(_) => Ok(()),
        other => Err(meta_shape(format!(
            "a string holding {}: '{}'",
            kind(&other),
            excerpt(text)
        ))),
    }
}

/// `$meta` given as something other than an object or a string; `found` describes it.
pub fn meta_shape(found: impl Into<String>) -> Violation {
    Violation::new(META_FIELD, META_WANT, found)
}

/// `$meta` merge: the members given in `$meta` (sorted by key, each once, values as JSON
/// text) and the row's dynamic keys `extra` (in row order; the last of a repeated key
/// wins) as one JSON object's text, keys sorted. A key in both is an error.
pub fn merge_meta(
    mut given: Vec<(String, String)>,
    extra: &mut Vec<(String, String)>,
) -> Result<String, Violation> {
    sort_members(extra);
    if let Some((k, _)) = extra
        .iter()
        .find(|(k, _)| given.binary_search_by(|m| m.0.as_str().cmp(k)).is_ok())
    {
        return Err(Violation::new(
            k,
            "each dynamic key once",
            format!("key \"{k}\" both in $meta and at the top level"),
        ));
    }
    given.append(extra);
    given.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::with_capacity(given.iter().map(|(k, v)| k.len() + v.len() + 4).sum());
    out.push('{');
    for (i, (k, v)) in given.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(k, &mut out);
        out.push(':');
        out.push_str(v);
    }
    out.push('}');
    Ok(out)
}

/// Appends `s` as a JSON string (quoted; `"`, `\` and control characters escaped), with
/// the escapes serde_json writes, so stored JSON text does not depend on the parser.
pub fn write_string(s: &str, out: &mut String) {
    out.push('"');
    let mut rest = s;
    while let Some(i) = rest.find(|c: char| c == '"' || c == '\\' || c < ' ') {
        out.push_str(&rest[..i]);
        match rest.as_bytes()[i] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0C => out.push_str("\\f"),
            c => out.push_str(&format!("\\u{:04x}", c)),
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out.push('"');
}

/// Sorts an object's members by key, keeping only the last of a repeated key (as Go's
/// decoder, which Milvus uses, does).
pub fn sort_members(members: &mut Vec<(String, String)>) {
    // A stable sort keeps repeats in row order; keep the last of each run.
    members.sort_by(|a, b| a.0.cmp(&b.0));
    let mut i = members.len();
    while i > 1 {
        i -= 1;
        if members[i - 1].0 == members[i].0 {
            members.remove(i - 1);
        }
    }
}

/// `text` parsed, or the violation saying why it is not JSON within the rules.
fn parsed(field: &str, text: &str, want: &str) -> Result<serde_json::Value, Violation> {
    if depth_of(text.as_bytes()) > JSON_DEPTH_MAX {
        return json_depth(field, JSON_DEPTH_MAX + 1).map(|()| serde_json::Value::Null);
    }
    // A full parse: serde_json refuses a number beyond f64's range, where skipping the
    // value (`IgnoredAny`) would accept it.
    serde_json::from_str(text).map_err(|e| {
        let found = format!("a string that is not JSON ({e}): '{}'", excerpt(text));
        Violation::new(field, want, found)
    })
}

/// `text` cut to at most 60 bytes (on a character boundary) for a message.
fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    if text.len() <= MAX {
        return text.to_string();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

/// The deepest nesting of arrays and objects in `b` (strings skipped).
fn depth_of(b: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0, false, false);
    for &c in b {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "a list",
        serde_json::Value::Object(_) => "an object",
    }
}
