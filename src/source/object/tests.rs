//! Object roots on the in-memory store: key confinement, sizes, ranged reads, errors.

use super::*;
use crate::source::{Opened, Storage};

fn root() -> ObjectRoot {
    let root = ObjectRoot::in_memory("t").unwrap().child("books").unwrap();
    root.put("2022/a.json", b"[{\"id\": 1}]".to_vec()).unwrap();
    root
}

#[test]
fn urls_parse_into_bucket_and_prefix() {
    let c = S3Config::from_url("s3://books/2022/").unwrap();
    assert_eq!((c.bucket.as_str(), c.prefix.as_str()), ("books", "2022"));
    assert_eq!(S3Config::from_url("s3://books").unwrap().prefix, "");
    let secret = S3Config {
        secret_access_key: Some("hunter2".into()),
        ..c.clone()
    };
    assert!(!format!("{secret:?}").contains("hunter2"));
    for bad in ["books", "s3://", "s3:///x", "s3://b/../x", "http://b/x"] {
        assert!(
            matches!(S3Config::from_url(bad), Err(SourceError::BadRoot { .. })),
            "{bad}"
        );
    }
}

#[test]
fn keys_stay_under_the_prefix() {
    let root = root();
    assert_eq!(root.url(), "memory://t/books");
    assert_eq!(root.size("2022/a.json").unwrap(), 11);
    for bad in [
        "../secret.json",
        "2022/../../x.json",
        "/etc/passwd",
        "s3://other/a.json",
        "..",
    ] {
        let e = root.size(bad).unwrap_err();
        assert!(matches!(e, SourceError::Escapes { .. }), "{bad}: {e}");
        assert!(e.to_string().contains("memory://t/books"), "{e}");
    }
    for bad in ["", "a//b.json", "./a.json", "a/\u{1}.json"] {
        assert!(
            matches!(root.size(bad), Err(SourceError::BadPath { .. })),
            "{bad:?}"
        );
    }
}

#[test]
fn missing_objects_name_the_url() {
    let e = root().size("2022/b.json").unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(
        e.to_string(),
        "object not found: memory://t/books/2022/b.json"
    );
    let e = root().open("2022/b.json").unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[test]
fn ranged_reads_and_read_ahead() {
    let data: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let tuning = ReadTuning {
        chunk_bytes: 999,
        read_ahead: 3,
        attempts: 2,
    };
    let root = root().with_tuning(tuning);
    root.put("big.bin", data.clone()).unwrap();
    let storage = Storage::from(root);
    assert_eq!(storage.size("big.bin").unwrap(), 10_000);
    let Ok(Opened::Ranged(file)) = storage.open("big.bin") else {
        panic!("not ranged")
    };
    assert_eq!(file.name(), "memory://t/books/big.bin");
    assert_eq!(&file.read(5000..5010).unwrap()[..], &data[5000..5010]);
    let all: Vec<u8> = file.chunks().flat_map(|c| c.unwrap().to_vec()).collect();
    assert_eq!(all, data);
    // Dropping a read-ahead with reads in flight cancels them quietly.
    let mut chunks = file.chunks();
    assert_eq!(chunks.next().unwrap().unwrap().len(), 999);
    drop(chunks);
}

#[test]
fn blocking_calls_work_inside_another_runtime() {
    let root = root();
    let other = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let size = other.block_on(async { root.size("2022/a.json") });
    assert_eq!(size.unwrap(), 11);
}
