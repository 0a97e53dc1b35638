//! The config file (`--config vecload.toml`): TOML whose keys are the library's config keys
//! (docs/config.md), in tables (`[import]`) or dotted (`import.workers = 4`). An unknown key
//! or a value of the wrong type is refused, naming the key.

use std::path::Path;

use anyhow::{Context, Result, bail};
use toml::{Table, Value};
use vecload::engine::{Setting, SettingError, ValueKind, settings};

use super::settings::Given;

/// Reads `path` into its keys and values, each checked against its key's type.
pub fn load(path: &Path) -> Result<Given> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading config file {}", path.display()))?;
    parse(&text).with_context(|| format!("config file {}", path.display()))
}

/// The keys and values of a config file's text.
pub fn parse(text: &str) -> Result<Given> {
    let table: Table = toml::from_str(text)?;
    let mut given = Vec::new();
    walk("", &table, &mut given)?;
    Ok(given)
}

/// Collects the values of `table`, whose keys start with `prefix`.
fn walk(prefix: &str, table: &Table, given: &mut Given) -> Result<()> {
    for (name, value) in table {
        let key = match prefix {
            "" => name.clone(),
            _ => format!("{prefix}.{name}"),
        };
        let section = format!("{key}.");
        match value {
            Value::Table(inner) if settings().any(|s| s.key().starts_with(&section)) => {
                walk(&key, inner, given)?;
            }
            _ => {
                let setting = (settings().find(|s| s.key() == key))
                    .ok_or_else(|| SettingError::UnknownKey(key.clone()))?;
                let text = text_of(setting, value)?;
                setting.check(&text)?;
                given.push((setting, text));
            }
        }
    }
    Ok(())
}

/// A TOML value as the text of a value of `setting`, if it has the key's type.
fn text_of(setting: &Setting, value: &Value) -> Result<String> {
    Ok(match (setting.kind(), value) {
        (ValueKind::Integer, Value::Integer(n)) => n.to_string(),
        (ValueKind::Bool, Value::Boolean(b)) => b.to_string(),
        (ValueKind::Text | ValueKind::Choice(_), Value::String(s)) => s.clone(),
        (ValueKind::Ratio, Value::Float(x)) => x.to_string(),
        (ValueKind::Ratio, Value::Integer(n)) => n.to_string(),
        (kind, value) => bail!(
            "config key `{}`: expected {}, found {}",
            setting.key(),
            kind.expected(),
            value.type_str()
        ),
    })
}
