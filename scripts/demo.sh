#!/usr/bin/env bash
# The main job on the embedded engine: create the seed's "book" collection in a fresh data
# directory, import data/book/book.json into partition 2022, print the task and the count.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
vl() { cargo run --release --locked --quiet -- --data-dir target/demo-data "$@"; }
rm -rf target/demo-data
vl collection create data/book/schema.json
vl partition create book 2022
vl --json import -c book -p 2022 data/book/book.json
echo "count: $(vl count book)"
