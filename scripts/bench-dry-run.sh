#!/usr/bin/env bash
# scripts/bench-dry-run.sh [ROUNDS]: an import and a dry run (`import --dry-run`) of each
# format of the 1M x 128 bench set that `vecload bench-import` writes, alternating, ROUNDS
# rounds (default 3); prints the median wall seconds of each and their ratio. Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
V=$PWD/target/release/vecload
B=$PWD/target/bench-data/r1000000-d128
rounds=${1:-3}
[ -x "$V" ] && [ -f "$B/schema.json" ] || { echo "run: cargo build --release && $V bench-import --skip-peers" >&2; exit 2; }
out=$(mktemp)
base=$PWD/target/tmp/dry
for ((r = 1; r <= rounds; r++)); do
  for f in json jsonl npy parquet csv; do
    case $f in
      npy) files="$B/npy/id.npy $B/npy/word_count.npy $B/npy/title.npy $B/npy/vec.npy" ;;
      *) files=$B/bench.$f ;;
    esac
    for mode in import dry; do
      rm -rf "$base"; mkdir -p "$base"
      $V --data-dir "$base/data" collection create "$B/schema.json" >/dev/null
      flag=""; [ $mode = dry ] && flag=--dry-run
      t0=$(date +%s.%N)
      # shellcheck disable=SC2086
      $V --data-dir "$base/data" import -q $flag -c bench $files >/dev/null
      t1=$(date +%s.%N)
      echo "$f $mode $(echo "$t1 - $t0" | bc)" >>"$out"
    done
  done
done
rm -rf "$base"
python3 - "$out" <<'PY'
import sys, statistics
runs = {}
for line in open(sys.argv[1]):
    f, mode, s = line.split()
    runs.setdefault((f, mode), []).append(float(s))
print(f"{'format':8} {'import s':>9} {'dry run s':>10} {'dry/import':>11}")
for f in ["json", "jsonl", "npy", "parquet", "csv"]:
    i, d = statistics.median(runs[(f, "import")]), statistics.median(runs[(f, "dry")])
    print(f"{f:8} {i:9.3f} {d:10.3f} {d / i:11.2f}")
PY
rm -f "$out"
