//! The `vecload` command: parse arguments, run one command, exit with its status.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
