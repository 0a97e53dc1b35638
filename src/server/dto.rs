//! Request bodies: parsed by hand from JSON so that a malformed body (1801) and a missing
//! parameter (1802) get Milvus's codes and name the key.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::{ApiError, code};
use crate::engine::TaskOptions;

/// A parsed JSON object body.
pub struct Body(pub Map<String, Value>);

impl Body {
    /// Parses the body; an empty body is an empty object.
    pub fn parse(bytes: &[u8]) -> Result<Body, ApiError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Body(Map::new()));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(m)) => Ok(Body(m)),
            Ok(other) => Err(ApiError::new(
                code::MALFORMED_JSON,
                format!(
                    "can only accept json format request, error: expected an object, found {other}"
                ),
            )),
            Err(e) => Err(ApiError::new(
                code::MALFORMED_JSON,
                format!("can only accept json format request, error: {e}"),
            )),
        }
    }

    fn wrong_type(key: &str, want: &str) -> ApiError {
        ApiError::new(
            code::MALFORMED_JSON,
            format!("can only accept json format request, error: \"{key}\" must be {want}"),
        )
    }

    /// A required string.
    pub fn str(&self, key: &str) -> Result<String, ApiError> {
        self.opt_str(key)?.ok_or_else(|| {
            ApiError::new(
                code::MISSING_PARAMETER,
                format!("missing required parameters, error: \"{key}\" is required"),
            )
        })
    }

    /// An optional string; `""` counts as absent (pymilvus sends empty partition names).
    pub fn opt_str(&self, key: &str) -> Result<Option<String>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Self::wrong_type(key, "a string")),
        }
    }

    /// An optional non-negative integer.
    pub fn opt_usize(&self, key: &str) -> Result<Option<usize>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(|n| Some(n as usize))
                .ok_or_else(|| Self::wrong_type(key, "a non-negative integer")),
            Some(_) => Err(Self::wrong_type(key, "a non-negative integer")),
        }
    }

    /// An optional list of strings.
    pub fn opt_strings(&self, key: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| Self::wrong_type(key, "a list of strings"))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(Self::wrong_type(key, "a list of strings")),
        }
    }

    /// The `files` of an import request: a list of units, each a list of paths.
    pub fn units(&self) -> Result<Vec<Vec<String>>, ApiError> {
        let files = self.0.get("files").ok_or_else(|| {
            ApiError::new(
                code::MISSING_PARAMETER,
                "missing required parameters, error: \"files\" is required",
            )
        })?;
        let Value::Array(units) = files else {
            return Err(Self::wrong_type("files", "a list of lists of paths"));
        };
        units
            .iter()
            .map(|u| match u {
                Value::Array(paths) => paths
                    .iter()
                    .map(|p| {
                        p.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| Self::wrong_type("files", "a list of lists of paths"))
                    })
                    .collect(),
                _ => Err(Self::wrong_type("files", "a list of lists of paths")),
            })
            .collect()
    }

    /// The `options` of an import request (a map of strings), read by the engine's
    /// [`TaskOptions::from_map`]: an unknown or unsupported option is refused (1100).
    pub fn import_options(&self, bucket: Option<&str>) -> Result<TaskOptions, ApiError> {
        let map = match self.0.get("options") {
            None | Some(Value::Null) => return Ok(TaskOptions::default()),
            Some(Value::Object(map)) => map,
            Some(_) => return Err(Self::wrong_type("options", "a map of strings")),
        };
        let mut strings = BTreeMap::new();
        for (key, value) in map {
            let Value::String(s) = value else {
                return Err(Self::wrong_type(&format!("options.{key}"), "a string"));
            };
            strings.insert(key.clone(), s.clone());
        }
        TaskOptions::from_map(&strings, bucket).map_err(|e| ApiError::from_engine(e, true))
    }

    /// Refuses a key outside `known` unless its value is empty (`""`, `null`, `[]`, `{}`):
    /// vecload never ignores what it was asked (pymilvus sends `clusterId`, `objectUrls`,
    /// `accessKey`... empty). `dbName` may be `"default"` (the one database), and `bucket`
    /// the storage root's bucket.
    pub fn check_keys(&self, known: &[&str], bucket: Option<&str>) -> Result<(), ApiError> {
        for (key, value) in &self.0 {
            let empty = match value {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                Value::Bool(_) | Value::Number(_) => false,
            };
            let ok = empty
                || known.contains(&key.as_str())
                || (key == "dbName" && value == "default")
                || (key == "bucket" && bucket.is_some_and(|b| value == b));
            if !ok {
                let why = match key.as_str() {
                    "dbName" => "vecload has one database, \"default\"".to_string(),
                    "bucket" => format!(
                        "only the storage root's bucket is read ({})",
                        bucket.map_or("a local directory".into(), |b| format!("\"{b}\""))
                    ),
                    _ => format!(
                        "vecload does not implement it here and accepts it only empty (known: {})",
                        known.join(", ")
                    ),
                };
                return Err(ApiError::new(
                    code::INVALID_PARAMETER,
                    format!("invalid parameter \"{key}\" = {value}: {why}"),
                ));
            }
        }
        Ok(())
    }

    /// A job id, given as a decimal string (Milvus) or a number.
    pub fn job_id(&self) -> Result<u64, ApiError> {
        match self.0.get("jobId") {
            None | Some(Value::Null) => Err(ApiError::new(
                code::MISSING_PARAMETER,
                "missing required parameters, error: \"jobId\" is required",
            )),
            Some(Value::String(s)) => s.trim().parse().map_err(|_| {
                ApiError::new(
                    code::IMPORT_FAILED,
                    format!("import job does not exist, jobID={s}"),
                )
            }),
            Some(Value::Number(n)) => n
                .as_u64()
                .ok_or_else(|| Self::wrong_type("jobId", "a job id")),
            Some(_) => Err(Self::wrong_type("jobId", "a string")),
        }
    }
}
