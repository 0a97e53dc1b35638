//! Files that change under an import (issue 14, defects 6 to 8): a symlink swapped in while
//! files are opened, a file truncated mid-import, a FIFO in the storage root.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use vecload::source::{LocalRoot, Opened, SourceError};

use crate::util::{repo, write_book_rows};

/// The bytes of an opened file, whichever way it was opened.
fn contents(opened: &Opened) -> Vec<u8> {
    match opened {
        Opened::Mapped(m) => m.bytes().to_vec(),
        Opened::Ranged(r) => r.read(0..r.len()).unwrap().to_vec(),
    }
}

/// `vecload` with `args`, its storage root `storage`, started and not waited for.
fn spawn_vecload(data_dir: &Path, storage: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_vecload"))
        .current_dir(repo())
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--storage")
        .arg(storage)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits up to `limit` for `child`; kills it and fails the test if it is still running.
fn wait_at_most(mut child: Child, limit: Duration, what: &str) -> std::process::Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{what}: still running after {limit:?} (killed); stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Opens `fifo` for writing without blocking: a reader stuck in its open goes on.
fn unblock(fifo: &Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = (std::fs::OpenOptions::new())
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(fifo);
}

/// A data directory with the book collection, made by the binary.
fn book_data_dir(data: &Path) {
    let out = crate::util::vecload(data, &["collection", "create", "data/book/schema.json"]);
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn a_symlink_swapped_in_is_never_followed_out_of_the_root() {
    let root_dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.json");
    std::fs::write(&secret, b"OUTSIDE").unwrap();
    let root = root_dir.path().to_path_buf();
    std::fs::write(root.join("swap.json"), b"INSIDE").unwrap();

    // Swaps swap.json between a regular file and a symlink out of the root, each swap one
    // atomic rename, until told to stop.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (root, stop) = (root.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut swaps = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                std::fs::write(root.join(".file"), b"INSIDE").unwrap();
                std::fs::rename(root.join(".file"), root.join("swap.json")).unwrap();
                let _ = std::fs::remove_file(root.join(".link"));
                std::os::unix::fs::symlink(&secret, root.join(".link")).unwrap();
                std::fs::rename(root.join(".link"), root.join("swap.json")).unwrap();
                swaps += 1;
            }
            swaps
        })
    };
    let confined = LocalRoot::confined(&root);
    let (mut inside, mut refused, mut leaked) = (0, 0, 0);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(3) {
        match confined.open_file("swap.json") {
            Ok(opened) => match &contents(&opened)[..] {
                b"INSIDE" => inside += 1,
                b"OUTSIDE" => leaked += 1,
                other => panic!("unexpected contents {other:?}"),
            },
            Err(e @ SourceError::Escapes { .. }) => {
                assert!(
                    e.to_string()
                        .contains("\"swap.json\" escapes the storage root"),
                    "{e}"
                );
                refused += 1;
            }
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let swaps = swapper.join().unwrap();
    eprintln!("swaps {swaps}: opened inside {inside}, refused {refused}, leaked {leaked}");
    assert_eq!(leaked, 0, "read a file outside the root {leaked} times");
    assert!(
        inside > 0 && refused > 0,
        "inside {inside}, refused {refused}"
    );
}

#[test]
#[allow(unsafe_code)] // mkfifo
fn a_fifo_is_refused_at_once() {
    let root = tempfile::tempdir().unwrap();
    let fifo = root.path().join("fifo.json");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: `c` is a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);

    // The library: refused without blocking, naming the file and what it is.
    let (tx, rx) = std::sync::mpsc::channel();
    let confined = LocalRoot::confined(root.path());
    std::thread::spawn(move || {
        let _ = tx.send(confined.open_file("fifo.json").map(|_| ()));
    });
    let got = rx.recv_timeout(Duration::from_secs(5));
    let Ok(Err(e)) = got else {
        unblock(&fifo);
        panic!("opening a FIFO did not fail at once: {got:?}");
    };
    assert!(
        e.to_string()
            .contains("fifo.json is not a regular file (a FIFO)"),
        "{e}"
    );

    // The binary: the import is refused, the command ends.
    let data = tempfile::tempdir().unwrap();
    book_data_dir(data.path());
    let child = spawn_vecload(
        data.path(),
        root.path(),
        &["import", "-c", "book", "fifo.json"],
    );
    let out = wait_at_most(child, Duration::from_secs(20), "import of a FIFO");
    unblock(&fifo);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a regular file (a FIFO)"), "{err}");
}

#[test]
fn a_file_truncated_mid_import_fails_its_task_and_the_process_lives() {
    let root = tempfile::tempdir().unwrap();
    let file = write_book_rows(root.path(), "big.json", 0, 4000);
    let size = std::fs::metadata(&file).unwrap().len();
    let data = tempfile::tempdir().unwrap();
    book_data_dir(data.path());
    // Small units read one by one with a pause before each: the file is cut while most of
    // its units are still to be read.
    let child = spawn_vecload(
        data.path(),
        root.path(),
        &[
            "--import-unit-bytes",
            "8192",
            "--import-throttle-unit-ms",
            "40",
            "--import-workers",
            "1",
            "import",
            "-c",
            "book",
            "big.json",
        ],
    );
    std::thread::sleep(Duration::from_millis(600));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .unwrap()
        .set_len(4096)
        .unwrap();
    let out = wait_at_most(child, Duration::from_secs(60), "import of a truncated file");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), None, "killed by a signal: {out:?}");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "big.json changed during import (size {size} -> 4096 bytes)"
        )),
        "{err}"
    );
    // Nothing of the failed task is visible.
    let count = crate::util::vecload(data.path(), &["count", "book"]);
    assert_eq!(String::from_utf8_lossy(&count.stdout).trim(), "0");
}

#[test]
fn the_engine_with_guarded_maps_fails_the_task_of_a_truncated_file_and_goes_on() {
    let root = tempfile::tempdir().unwrap();
    let file = write_book_rows(root.path(), "big.json", 0, 4000);
    let size = std::fs::metadata(&file).unwrap().len();
    write_book_rows(root.path(), "good.json", 10_000, 7);
    let data = tempfile::tempdir().unwrap();
    let mut opts = vecload::EngineOptions {
        storage: LocalRoot::confined(root.path()).into(),
        guard_maps: true,
        ..vecload::EngineOptions::default()
    };
    opts.import.workers = 1;
    opts.import.unit_bytes = 8192;
    opts.import.throttle_unit_ms = 40;
    let engine = vecload::Engine::open(data.path(), opts).unwrap();
    let schema = std::fs::read(repo().join("data/book/schema.json")).unwrap();
    engine.create_collection_from_json(&schema).unwrap();
    let id = engine
        .import(vecload::ImportRequest::new("book", ["big.json"]))
        .unwrap();
    std::thread::sleep(Duration::from_millis(600));
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file)
        .unwrap()
        .set_len(100)
        .unwrap();
    let task = engine.wait(id, Some(Duration::from_secs(60))).unwrap();
    assert_eq!(task.state.to_string(), "FailedAndCleaned", "{task:?}");
    assert_eq!(
        task.failed_reason,
        format!("big.json changed during import (size {size} -> 100 bytes)")
    );
    // This process, and the engine, go on.
    let id = engine
        .import(vecload::ImportRequest::new("book", ["good.json"]))
        .unwrap();
    let task = engine.wait(id, Some(Duration::from_secs(60))).unwrap();
    assert_eq!(task.state.to_string(), "Completed", "{task:?}");
    assert_eq!(engine.count("book", None).unwrap(), 7);
}
