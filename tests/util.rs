//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use vecload::source::LocalRoot;
use vecload::{Engine, EngineOptions};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Options that read files from the repository root, confined.
pub fn options() -> EngineOptions {
    let mut o = EngineOptions {
        storage: LocalRoot::confined(repo()).into(),
        ..EngineOptions::default()
    };
    o.import.workers = 2;
    o
}

/// An engine on a fresh data directory with the book collection and partition 2022.
pub fn book_engine(dir: &Path) -> Engine {
    let engine = Engine::open(dir, options()).unwrap();
    let schema = std::fs::read(repo().join("data/book/schema.json")).unwrap();
    engine.create_collection_from_json(&schema).unwrap();
    engine.create_partition("book", "2022").unwrap();
    engine
}

/// Every file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// Runs the `vecload` binary with `args` from the repository root.
pub fn vecload(data_dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vecload"))
        .current_dir(repo())
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .output()
        .unwrap()
}

/// Writes a book-schema JSON file of `rows` rows (ids from `first_id`) and returns its path.
pub fn write_book_rows(dir: &Path, name: &str, first_id: i64, rows: usize) -> PathBuf {
    let mut s = String::from("{\"rows\": [\n");
    for i in 0..rows {
        let id = first_id + i as i64;
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(&format!(
            "{{\"book_id\": {id}, \"word_count\": {}, \"book_intro\": [{}, {}], \"tag\": \"t{}\"}}",
            id % 1000,
            (i % 97) as f32 / 10.0,
            (i % 89) as f32 / 10.0,
            i % 7
        ));
    }
    s.push_str("\n]}\n");
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

/// Like [`vecload`], with extra environment variables.
pub fn vecload_env(data_dir: &Path, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vecload"));
    c.current_dir(repo())
        .arg("--data-dir")
        .arg(data_dir)
        .args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}
