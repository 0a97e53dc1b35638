//! What the processes of a cluster task say to each other on their control links (JSON,
//! one message a frame), and how process 0 puts the processes' shares together.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::runner::{segment_info, segment_ref};
use crate::ledger::SegmentRef;
use crate::pipeline::TaskOutput;
use crate::segment::SegmentInfo;

/// A control message.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum Message {
    /// Process 0 to the others: the task to run, as process 0 created it.
    Setup(Box<Setup>),
    /// A process to process 0: its share is done (`Ok`), or failed (`Err`: why).
    Report {
        /// What it wrote, or why it failed.
        result: Result<Share, String>,
    },
    /// Process 0 to the others: stop (a process failed or was lost).
    Stop {
        /// Why.
        reason: String,
    },
    /// Process 0 to the others: how the task ended.
    Outcome {
        /// Completed (else Failed).
        completed: bool,
        /// Rows committed.
        rows: u64,
        /// Why it failed (empty when completed).
        reason: String,
    },
}

impl Message {
    /// The message's frame.
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// A frame's message.
    pub fn decode(frame: &[u8]) -> Result<Message, String> {
        serde_json::from_slice(frame).map_err(|e| e.to_string())
    }
}

/// The task every process runs its share of, and how (process 0's settings win, so that
/// every process cuts the input alike).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Setup {
    /// The task id process 0 allocated.
    pub task: u64,
    /// The collection, and its id (a collection dropped and made again is not the same).
    pub collection: String,
    /// Its catalog id.
    pub collection_id: u64,
    /// The partition the task records (`""` for a partition-key collection).
    pub partition: String,
    /// The files, relative to the storage root.
    pub files: Vec<String>,
    /// The storage root the task recorded: every process must read from the same.
    pub root: Option<crate::ledger::StorageRoot>,
    /// CSV separator and null key, as the request gave them.
    pub sep: Option<String>,
    /// CSV null key.
    pub null_key: Option<String>,
    /// `--on-error skip` limits, when bad rows are skipped.
    pub skip: Option<Skip>,
    /// Workers per process.
    pub workers: usize,
    /// Work unit size in bytes.
    pub unit_bytes: usize,
    /// Memory budget of each process's share.
    pub memory_budget: u64,
    /// Segment roll-over size.
    pub segment_max_size: u64,
    /// simd-json first.
    pub simd_json: bool,
    /// Pause before each unit, ms.
    pub throttle_unit_ms: u64,
    /// The first auto-id of the task (auto-id collections); every process hands out ids from
    /// here in the same order.
    pub id_base: i64,
    /// Past the last auto-id reserved.
    pub id_end: i64,
    /// Processes in all.
    pub processes: usize,
}

/// The skip policy's limits.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Skip {
    /// More rejects than this fail the task (0: no limit).
    pub max_errors: u64,
    /// A larger share of rejects fails the task (0: no limit).
    pub max_error_ratio: f64,
    /// Rejects file bytes at most.
    pub max_bytes: u64,
}

/// What one process wrote: its segments (names inside its own folder), rows by partition,
/// rejects.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct Share {
    /// Segment files in the process's folder.
    pub segments: Vec<SegmentRef>,
    /// Their content CRCs ([`crate::segment::SegmentReader::content_crc`]), in the same
    /// order: process 0 reads each file's and compares.
    pub crcs: Vec<u32>,
    /// Rows by partition.
    pub partitions: BTreeMap<String, u64>,
    /// Rows written.
    pub rows: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Its rejects records (JSON Lines, by row).
    pub rejects: String,
}

impl Share {
    /// A process's pipeline output as it reports it, with the content CRC of each segment it
    /// wrote (read back from its folder, `out.dir`).
    pub fn of(out: &TaskOutput) -> Result<Share, String> {
        let crcs = (out.segments.iter())
            .map(|s| {
                let path = out.dir.join(&s.file_name);
                crate::segment::read_content_crc(&path)
                    .map(|(_, crc)| crc)
                    .map_err(|e| format!("reading back {}: {e}", path.display()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Share {
            segments: out.segments.iter().map(segment_ref).collect(),
            crcs,
            partitions: out.partitions.clone(),
            rows: out.rows,
            rejected: out.rejected,
            rejects: String::from_utf8_lossy(&out.rejects).into_owned(),
        })
    }
}

/// The folder of process `process` inside the task's folder (`p<I>`).
pub(crate) fn process_folder(process: usize) -> String {
    format!("p{process}")
}

/// The task's output from every process's share (`shares[i]` is process `i`'s): segments
/// named by their folder inside `task_dir`, each checked there (it must be whole and hold
/// the rows its process reported: the data directory must be shared), rows and partitions
/// summed, rejects merged by row. The auto-id ranges are process 0's (every process handed
/// out the same).
pub(super) fn merge(
    shares: Vec<Share>,
    id_ranges: Vec<[i64; 2]>,
    task_dir: &Path,
) -> Result<TaskOutput, String> {
    let mut out = TaskOutput {
        id_ranges,
        dir: task_dir.to_path_buf(),
        ..TaskOutput::default()
    };
    let mut rejects: Vec<(u64, String)> = Vec::new();
    for (process, share) in shares.into_iter().enumerate() {
        if share.crcs.len() != share.segments.len() {
            return Err(format!(
                "process {process} reported {} segments and {} CRCs",
                share.segments.len(),
                share.crcs.len()
            ));
        }
        for (s, crc) in share.segments.into_iter().zip(share.crcs) {
            let name = format!("{}/{}", process_folder(process), s.file_name);
            let path = task_dir.join(&name);
            let size = std::fs::metadata(&path).map(|m| m.len()).ok();
            match crate::segment::read_content_crc(&path) {
                Ok((m, found))
                    if m.row_count == s.rows && size == Some(s.bytes) && found != crc =>
                {
                    return Err(format!(
                        "process {process} reported {name} with content CRC {crc:08x}, the data directory holds one with {found:08x}"
                    ));
                }
                Ok((m, _)) if m.row_count == s.rows && size == Some(s.bytes) => {}
                Ok((m, _)) if m.row_count == s.rows => {
                    return Err(format!(
                        "process {process} reported {name} of {} bytes, the data directory holds {size:?}",
                        s.bytes
                    ));
                }
                Ok((m, _)) => {
                    return Err(format!(
                        "process {process} reported {} rows in {name}, the data directory holds {}",
                        s.rows, m.row_count
                    ));
                }
                Err(e) => {
                    return Err(format!(
                        "process {process} reported {name}, which this process cannot read (is the data directory shared?): {e}"
                    ));
                }
            }
            out.segments.push(SegmentInfo {
                file_name: name,
                ..segment_info(&s)
            });
        }
        for (p, n) in share.partitions {
            *out.partitions.entry(p).or_default() += n;
        }
        out.rows += share.rows;
        out.rejected += share.rejected;
        for line in share.rejects.lines().filter(|l| !l.is_empty()) {
            let row = serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| v["row"].as_u64())
                .unwrap_or(u64::MAX);
            rejects.push((row, line.to_string()));
        }
    }
    rejects.sort_by_key(|(row, _)| *row);
    for (_, line) in rejects {
        out.rejects.extend_from_slice(line.as_bytes());
        out.rejects.push(b'\n');
    }
    out.segments.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_rejects_merge_by_row() {
        let m = Message::Report {
            result: Err("bad row".into()),
        };
        let back = Message::decode(&m.encode()).unwrap();
        assert!(matches!(back, Message::Report { result: Err(r) } if r == "bad row"));
        assert!(Message::decode(b"{\"kind\":\"nope\"}").is_err());
        let dir = tempfile::tempdir().unwrap();
        let share = |rows: &[u64]| Share {
            rejected: rows.len() as u64,
            rejects: rows.iter().map(|r| format!("{{\"row\":{r}}}\n")).collect(),
            ..Share::default()
        };
        let out = merge(vec![share(&[1, 7]), share(&[3])], vec![], dir.path()).unwrap();
        assert_eq!(out.rejected, 3);
        let text = String::from_utf8(out.rejects).unwrap();
        assert_eq!(text, "{\"row\":1}\n{\"row\":3}\n{\"row\":7}\n");
        // A segment the data directory does not hold is refused, naming the process.
        let mut missing = Share::default();
        missing.segments.push(SegmentRef {
            file_name: "s.seg".into(),
            rows: 1,
            bytes: 1,
            partition: "_default".into(),
            shard: 0,
        });
        missing.crcs.push(0);
        let e = merge(vec![Share::default(), missing], vec![], dir.path()).unwrap_err();
        assert!(e.contains("process 1") && e.contains("p1/s.seg"), "{e}");
    }

    /// A segment of the same rows and bytes but other values than the one its process
    /// reported (a data directory that is not shared, or a stale file) is found by its CRC.
    #[test]
    fn a_segment_is_checked_against_the_crc_its_process_reported() {
        use crate::segment::WriterOptions;
        use crate::segment::tests::fixtures::{all_types, write};
        let (wrote, shared) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let p1 = shared.path().join(process_folder(1));
        std::fs::create_dir(&p1).unwrap();
        let theirs = write(wrote.path(), WriterOptions::default(), &[all_types(10, 5)]);
        // The same file with one byte of its block changed and the block's CRC made to match
        // (as another version of the same size would be): rows, size and footer all agree.
        let name = theirs[0].file_name.clone();
        let mut bytes = std::fs::read(wrote.path().join(&name)).unwrap();
        let block = crate::segment::read_meta(&wrote.path().join(&name))
            .unwrap()
            .blocks[0];
        let at = block.offset as usize;
        let payload = at + 8..at + 8 + block.len as usize;
        bytes[payload.start + payload.len() / 2] ^= 0x5a;
        let crc = crc32fast::hash(&bytes[payload]);
        bytes[at + 4..at + 8].copy_from_slice(&crc.to_le_bytes());
        std::fs::write(p1.join(&name), &bytes).unwrap();
        let out = |dir: &Path| TaskOutput {
            segments: theirs.clone(),
            rows: 5,
            dir: dir.to_path_buf(),
            ..TaskOutput::default()
        };
        let reported = Share::of(&out(wrote.path())).unwrap();
        let e = merge(vec![Share::default(), reported], vec![], shared.path()).unwrap_err();
        assert!(e.contains("process 1") && e.contains("content CRC"), "{e}");
        let same = Share::of(&out(&p1)).unwrap();
        let merged = merge(vec![Share::default(), same], vec![], shared.path()).unwrap();
        assert_eq!(merged.rows, 5);
        assert_eq!(merged.segments[0].file_name, format!("p1/{name}"));
    }
}
