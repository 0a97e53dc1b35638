//! `vecload collection infer FILE...`: prints the schema file inferred from data files
//! (`docs/cli.md`, "collection infer"), read under the storage root as import reads them;
//! what the rules had to guess goes to stderr as notes. Needs no data directory.

use std::process::ExitCode;

use anyhow::Result;
use vecload::engine::EngineOptions;
use vecload::parse::csv::CsvOptions;
use vecload::parse::infer::InferOptions;

use super::args::{Cli, CollectionCmd, Command};
use super::exit::Usage;
use super::output::print;

/// Runs `collection infer`.
pub(super) fn run(cli: &Cli, opts: &EngineOptions) -> Result<ExitCode> {
    let Command::Collection(CollectionCmd::Infer {
        name,
        sample_rows,
        sep,
        null_key,
        files,
    }) = &cli.command
    else {
        unreachable!("infer::run runs collection infer")
    };
    let csv =
        CsvOptions::new(sep.as_deref(), null_key.as_deref()).map_err(|e| Usage(e.to_string()))?;
    let infer = InferOptions {
        sample_rows: *sample_rows,
        csv,
    };
    let inferred = vecload::engine::infer_schema(&opts.storage, files, name.as_deref(), infer)?;
    if !cli.quiet {
        for note in &inferred.notes {
            let line = format!("note: {note}\n");
            let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        }
    }
    let file = inferred.schema.to_file_json();
    print(cli.json, &file, || {
        vec![serde_json::to_string_pretty(&file).unwrap_or_default()]
    })?;
    Ok(ExitCode::SUCCESS)
}
