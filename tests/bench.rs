//! `vecload bench-import`: a tiny data set imported in every format (JSON, JSON Lines, NPY,
//! Parquet, CSV) through the CLI.

use serde_json::Value;

use crate::util::vecload;

#[test]
fn bench_import_prints_rows_per_second_for_every_format_and_reuses_its_data() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bench");
    let dir_arg = dir.to_str().unwrap();
    let args = [
        "bench-import",
        "--rows",
        "2000",
        "--dim",
        "8",
        "--skip-peers",
        "--dir",
        dir_arg,
    ];
    let out = vecload(&tmp.path().join("unused"), &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("generated"), "{stdout}");
    let header = stdout.lines().find(|l| l.starts_with("format")).unwrap();
    assert!(header.contains("rows/s") && header.contains("peak RSS MiB"));
    for format in ["json", "jsonl", "npy", "parquet", "csv"] {
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(format))
            .unwrap_or_else(|| panic!("no line for {format} in\n{stdout}"));
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(cols[1], "2000", "{line}");
        let rows_per_s: f64 = cols[4].parse().unwrap();
        assert!(rows_per_s > 0.0, "{line}");
        assert_eq!(cols.last(), Some(&"Completed"), "{line}");
    }

    // Second run: the data set is reused, and --json gives the same figures as JSON.
    let mut json_args = vec!["--json"];
    json_args.extend(args);
    let out = vecload(&tmp.path().join("unused"), &json_args);
    assert!(out.status.success());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["generated"], false);
    let results = report["results"].as_array().unwrap();
    let formats: Vec<&str> = results
        .iter()
        .map(|r| r["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["json", "jsonl", "npy", "parquet", "csv"]);
    for r in results {
        assert_eq!(r["state"], "Completed");
        assert_eq!(r["rows"], 2000);
        assert!(r["rows_per_s"].as_f64().unwrap() > 0.0);
        assert!(r["peak_rss_mib"].as_f64().unwrap() > 0.0);
    }
    for peer in ["duckdb", "duckdb_parquet", "duckdb_csv", "cp_sync"] {
        assert_eq!(report["peers"][peer]["status"], "skipped", "{peer}");
    }
    let ratio = report["ratios"]["parquet_rows_per_s_over_npy"].as_f64();
    assert!(ratio.is_some_and(|x| x > 0.0), "{}", report["ratios"]);
    // Scratch data directories are removed after a completed import.
    let runs = std::fs::read_dir(dir.join("runs")).unwrap().count();
    assert_eq!(runs, 0);
}
