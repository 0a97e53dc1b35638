//! The config file (`--config vecload.toml`, docs/config.md): every key is also a
//! flag, and flags win over the file.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;
use vecload::EngineOptions;

/// The whole file; unknown keys are refused so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    #[serde(default)]
    import: ImportSection,
    #[serde(default)]
    segment: SegmentSection,
    #[serde(default)]
    collection: CollectionSection,
    #[serde(default)]
    storage: StorageSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportSection {
    task_expiration_s: Option<u64>,
    task_retention_s: Option<u64>,
    max_pending_tasks: Option<usize>,
    max_file_size: Option<u64>,
    max_parallel_tasks: Option<usize>,
    workers: Option<usize>,
    memory_budget: Option<u64>,
    throttle_unit_ms: Option<u64>,
    unit_bytes: Option<usize>,
    json_parser: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentSection {
    max_size: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CollectionSection {
    default_partitions_with_key: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StorageSection {
    root: Option<String>,
    #[serde(default)]
    s3: S3Section,
}

/// S3 settings; read here, used by the object-storage root.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Section {
    /// Endpoint URL.
    pub endpoint: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Allow plain HTTP (loopback test servers).
    pub allow_http: Option<bool>,
}

impl ConfigFile {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("config file {}", path.display()))
    }

    /// The S3 settings.
    pub fn s3(&self) -> &S3Section {
        &self.storage.s3
    }

    /// `storage.root` (a directory or `s3://bucket[/prefix]`); the CLI builds the storage
    /// root from it with the S3 settings.
    pub fn storage_root(&self) -> Option<&str> {
        self.storage.root.as_deref()
    }

    /// Applies the file's values to `o`.
    pub fn apply(&self, o: &mut EngineOptions) -> Result<()> {
        let i = &self.import;
        let set = |dst: &mut u64, v: Option<u64>| {
            if let Some(v) = v {
                *dst = v;
            }
        };
        set(&mut o.import.task_expiration_s, i.task_expiration_s);
        set(&mut o.import.task_retention_s, i.task_retention_s);
        set(&mut o.import.max_file_size, i.max_file_size);
        set(&mut o.import.memory_budget, i.memory_budget);
        set(&mut o.import.throttle_unit_ms, i.throttle_unit_ms);
        set(&mut o.segment_max_size, self.segment.max_size);
        if let Some(v) = i.max_pending_tasks {
            o.import.max_pending_tasks = v;
        }
        if let Some(v) = i.max_parallel_tasks {
            o.import.max_parallel_tasks = v;
        }
        if let Some(v) = i.workers {
            o.import.workers = v;
        }
        if let Some(v) = &i.json_parser {
            o.import.json_parser = v.parse().map_err(anyhow::Error::msg)?;
        }
        if let Some(v) = i.unit_bytes {
            o.import.unit_bytes = v;
        }
        if let Some(v) = self.collection.default_partitions_with_key {
            o.default_partitions_with_key = v;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_apply_and_typos_are_refused() {
        let c: ConfigFile = toml::from_str(
            "[import]\nmax_pending_tasks = 3\ntask_expiration_s = 5\n[segment]\nmax_size = 1024\n",
        )
        .unwrap();
        let mut o = EngineOptions::default();
        c.apply(&mut o).unwrap();
        assert_eq!(
            (
                o.import.max_pending_tasks,
                o.import.task_expiration_s,
                o.segment_max_size
            ),
            (3, 5, 1024)
        );
        assert!(toml::from_str::<ConfigFile>("[import]\nmax_pending_task = 3\n").is_err());
    }
}
