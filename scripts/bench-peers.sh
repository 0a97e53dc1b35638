#!/usr/bin/env bash
# The end-to-end benchmark with its peers: puts DuckDB (PyPI `duckdb`) in a venv under
# target/ (once), then runs `vecload bench-import` with that venv first on PATH.
#   ./scripts/bench-peers.sh                      # 1,000,000 rows x 128, every format
#   ./scripts/bench-peers.sh --rows 20000         # any bench-import flag
set -euo pipefail
cd "$(dirname "$0")/.."
# Cargo's target directory, wherever CARGO_TARGET_DIR or a .cargo/config.toml puts it.
target=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
venv="$target/bench-venv"
if ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet duckdb
fi
cargo build --release --locked
# A private copy of the binary: a rebuild during the run must not change what is measured.
bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
cp "$target/release/vecload" "$bin/vecload"
PATH="$(cd "$venv/bin" && pwd):$PATH" "$bin/vecload" bench-import "$@"
