//! Request bodies: parsed by hand from JSON so that a malformed body (1801) and a missing
//! parameter (1802) get Milvus's codes and name the key.

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

    /// The `options` of an import request that vecload reads: `sep` and `nullkey` (CSV),
    /// each a string. Other options are ignored, as before.
    pub fn import_options(&self) -> Result<TaskOptions, ApiError> {
        let mut opts = TaskOptions::default();
        let map = match self.0.get("options") {
            None | Some(Value::Null) => return Ok(opts),
            Some(Value::Object(map)) => map,
            Some(_) => return Err(Self::wrong_type("options", "a map of strings")),
        };
        let text = |key: &str| match map.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Self::wrong_type(&format!("options.{key}"), "a string")),
        };
        opts.sep = text("sep")?;
        opts.null_key = text("nullkey")?;
        Ok(opts)
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
