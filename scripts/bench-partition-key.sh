#!/usr/bin/env bash
# The cost of a partition key (issue 17): the bench data set's JSON Lines file imported into
# the bench collection as it is, and into the same collection with `word_count` as its
# partition key (16 partitions), alternately, N times each (default 3); prints each run's wall
# seconds, CPU seconds and peak RSS, the medians and the ratio key / no key.
#   ./scripts/bench-partition-key.sh                       # 1,000,000 rows x 128, 3 runs each
#   ./scripts/bench-partition-key.sh --rows 4000000 --runs 3 --format csv --import-workers 2
# Flags it does not know are passed on to `vecload import` (config flags).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=1000000 dim=128 runs=3 format=jsonl pass=()
while [ $# -gt 0 ]; do
    case $1 in
        --rows) rows=$2; shift 2 ;;
        --dim) dim=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --format) format=$2; shift 2 ;;
        *) pass+=("$1"); shift ;;
    esac
done
cargo build --release --locked --quiet
target=$(cargo metadata --format-version 1 --no-deps --locked |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
# A private copy of the binary: a rebuild during the run must not change what is measured.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/vecload
cp "$target/release/vecload" "$bin"
data=target/bench-data/r$rows-d$dim
[ -f "$data/manifest.json" ] ||
    "$bin" bench-import --rows "$rows" --dim "$dim" --formats "$format" --skip-peers >/dev/null
case $format in
    json) file=$data/bench.json ;; jsonl) file=$data/bench.jsonl ;;
    parquet) file=$data/bench.parquet ;; csv) file=$data/bench.csv ;;
    *) echo "--format: json, jsonl, parquet or csv" >&2; exit 2 ;;
esac
python3 - "$data/schema.json" "$tmp/keyed.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
for f in s["schema"]["fields"]:
    if f["fieldName"] == "word_count":
        f["isPartitionKey"] = True
s.setdefault("params", {})["partitionsNum"] = 16
json.dump(s, open(sys.argv[2], "w"))
EOF
cat "$file" > /dev/null   # warm page cache, as bench-import does
for i in $(seq "$runs"); do
    for kind in plain keyed; do
        dir=$tmp/d-$kind-$i
        schema=$data/schema.json
        [ $kind = keyed ] && schema=$tmp/keyed.json
        "$bin" --data-dir "$dir" collection create "$schema" >/dev/null
        /usr/bin/time -f "%e %U %S %M" -o "$tmp/t" "$bin" --data-dir "$dir" -q "${pass[@]}" \
            import -c bench "$file" >/dev/null
        read -r wall user sys rss < "$tmp/t"
        echo "$kind $i wall_s=$wall cpu_s=$(python3 -c "print(round($user+$sys,2))") peak_rss_mib=$((rss / 1024))" |
            tee -a "$tmp/runs"
        rm -rf "$dir"
    done
done
python3 - "$tmp/runs" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    kind, _, *kv = line.split()
    runs.setdefault(kind, []).append({k: float(v) for k, v in (x.split("=") for x in kv)})
med = {k: {m: statistics.median(r[m] for r in rs) for m in rs[0]} for k, rs in runs.items()}
for k, m in med.items():
    print(f"median {k}: " + " ".join(f"{a}={b:g}" for a, b in m.items()))
ratios = [k["wall_s"] / p["wall_s"] for p, k in zip(runs["plain"], runs["keyed"])]
print("keyed / plain wall time: median %.3fx (runs: %s)"
      % (statistics.median(ratios), ", ".join("%.3f" % r for r in ratios)))
EOF
