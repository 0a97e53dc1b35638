//! An import's progress on stderr (a bar on a terminal, through a pty; 5 s lines otherwise;
//! nothing with `-q`) and the log subscriber (`serve`'s start as text or JSON).

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::conventions::{bin, book_dir, code};
use crate::util::{repo, vecload, write_book_rows};

#[test]
fn off_a_terminal_import_prints_a_progress_line_every_5_s_and_q_silences_it() {
    let dir = book_dir();
    let d = dir.path().join("d");
    let file = write_book_rows(dir.path(), "slow.json", 0, 4000);
    let slow = [
        "--import-unit-bytes",
        "8192",
        "--import-throttle-unit-ms",
        "250",
        "--import-workers",
        "1",
    ];
    let args = [&slow[..], &["import", "-c", "book", file.to_str().unwrap()]].concat();
    let o = vecload(&d, &args);
    assert_eq!(code(&o), 0, "{o:?}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("elapsed")).collect();
    assert!(!lines.is_empty(), "{stderr}");
    assert!(
        lines[0].starts_with("task 1 reading")
            && lines[0].contains("rows/s")
            && lines[0].contains("MB"),
        "{stderr}"
    );
    let args = [
        &slow[..],
        &["-q", "import", "-c", "book", file.to_str().unwrap()],
    ]
    .concat();
    let o = vecload(&d, &args);
    assert_eq!(code(&o), 0, "{o:?}");
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn serve_logs_its_start_as_text_or_json() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["text", "json"] {
        let mut child = bin()
            .arg("--data-dir")
            .arg(dir.path().join("d"))
            .args(["--log-format", format, "serve", "--listen", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Recovery's log line, the address line, then the start's log line.
        let mut r = BufReader::new(child.stderr.take().unwrap());
        let mut lines = Vec::new();
        while !lines
            .iter()
            .any(|l: &String| l.contains("\"serving\"") || l.contains("serving address="))
        {
            let mut l = String::new();
            if r.read_line(&mut l).unwrap() == 0 || lines.len() > 20 {
                break;
            }
            lines.push(l);
        }
        child.kill().unwrap();
        child.wait().unwrap();
        let first = lines
            .iter()
            .find(|l| l.starts_with("vecload: serving on"))
            .cloned();
        let first = first.unwrap_or_else(|| panic!("{lines:?}"));
        let second = lines.last().unwrap().clone();
        let logs: Vec<&String> = lines
            .iter()
            .filter(|l| !l.starts_with("vecload: serving on"))
            .collect();
        if format == "json" {
            for l in &logs {
                serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{e}: {l}"));
            }
        }
        let addr = first.trim().rsplit("http://").next().unwrap();
        if format == "json" {
            let v: Value = serde_json::from_str(&second).unwrap();
            assert_eq!(v["level"], "INFO");
            assert_eq!(v["fields"]["address"], addr);
            assert!(
                v["fields"]["data_dir"].as_str().unwrap().ends_with("/d"),
                "{v}"
            );
        } else {
            assert!(
                second.contains("INFO") && second.contains(&format!("address={addr}")),
                "{second}"
            );
            assert!(second.contains("storage="), "{second}");
        }
    }
}

/// Runs `vecload ARGS` with stderr on a pseudo-terminal (python's `pty`); what it drew.
fn through_a_pty(args: &[&str]) -> (i32, String) {
    let script = r#"
import os, subprocess, sys
master, slave = os.openpty()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE, stderr=slave)
os.close(slave)
drawn = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    drawn += chunk
p.wait()
sys.stdout.write(str(p.returncode) + "\n")
sys.stdout.write(drawn.decode("utf-8", "replace"))
"#;
    let o = Command::new(crate::server::python())
        .current_dir(repo())
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_vecload"))
        .args(args)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let (code, drawn) = out.split_once('\n').unwrap_or_else(|| panic!("{o:?}"));
    (code.trim().parse().unwrap(), drawn.to_string())
}

#[test]
fn on_a_terminal_import_draws_a_bar_and_q_draws_none() {
    let dir = book_dir();
    let d = dir.path().join("d");
    let d = d.to_str().unwrap();
    let file = write_book_rows(dir.path(), "slow.json", 0, 2000);
    let file = file.to_str().unwrap();
    let slow = [
        "--import-unit-bytes",
        "8192",
        "--import-throttle-unit-ms",
        "100",
        "--import-workers",
        "1",
    ];
    let (code, drawn) = through_a_pty(
        &[
            &["--data-dir", d],
            &slow[..],
            &["import", "-c", "book", file],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{drawn}");
    assert!(
        drawn.contains("task 1 reading")
            && drawn.contains("rows/s")
            && drawn.contains("ETA")
            && drawn.contains("=>"),
        "{drawn}"
    );
    assert!(drawn.contains('\r') || drawn.contains('\u{1b}'), "{drawn}");
    let (code, drawn) = through_a_pty(
        &[
            &["--data-dir", d, "-q"],
            &slow[..],
            &["import", "-c", "book", file],
        ]
        .concat(),
    );
    assert_eq!(code, 0, "{drawn}");
    assert!(drawn.is_empty(), "{drawn:?}");
}
