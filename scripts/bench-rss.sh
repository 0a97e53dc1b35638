#!/usr/bin/env bash
# Peak RSS of a ~2 GB JSON Lines import, as /usr/bin/time -v reports it (issue 5).
# Builds the bench data set (bench-import's generator), makes a 2 GB JSON Lines file from it,
# imports it once with the release binary and prints the task line and time -v's figures.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --quiet
bin=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/vecload
data=target/bench-data/r1000000-d128
[ -f "$data/manifest.json" ] || "$bin" bench-import --rows 1000000 --dim 128 --formats npy --skip-peers >/dev/null
big=target/bench-data/big-2g.jsonl
if [ ! -f "$big" ]; then
  cat "$data/bench.jsonl" > "$big"
  head -n 480000 "$data/bench.jsonl" >> "$big"   # duplicate keys are accepted, as in Milvus
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" --data-dir "$dir" collection create "$data/schema.json" >/dev/null
ls -l "$big"
/usr/bin/time -v "$bin" --data-dir "$dir" "$@" import -c bench "$big" 2> "$dir/time.txt"
grep -E "Maximum resident|Elapsed|User time|System time" "$dir/time.txt"
