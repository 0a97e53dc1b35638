#!/usr/bin/env bash
# Builds vecload's fuzz targets on stable Rust (libFuzzer without a sanitizer, with debug
# assertions and overflow checks) and runs each target once over its corpus, fuzz/corpus/<t>,
# and its crash reproductions, data/crash/<t> (libFuzzer -runs=0: replay, no fuzzing).
# Fails if a build fails or any input breaks a property. Installs cargo-fuzz if missing.
# -malloc_limit_mb=512: one allocation over 512 MiB is a finding (libFuzzer checks it only
# when a sanitizer installs its malloc hooks; -rss_limit_mb holds without one).
#
#   scripts/fuzz-replay.sh              every target
#   scripts/fuzz-replay.sh npy_header   some targets
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export CARGO_TERM_COLOR=never

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz-replay: installing cargo-fuzz 0.13.2"
    cargo install cargo-fuzz --version 0.13.2 --locked
fi

cd fuzz
# cargo fuzz has no --locked: check that fuzz/Cargo.lock needs no change before building.
cargo metadata --locked --format-version 1 >/dev/null

if [ $# -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

cargo fuzz build --sanitizer none --debug-assertions
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
    dirs=("corpus/$t")
    if [ -d "$repo/data/crash/$t" ]; then dirs+=("$repo/data/crash/$t"); fi
    echo "fuzz-replay: $t: ${dirs[*]}"
    if ! cargo fuzz run --sanitizer none --debug-assertions "$t" "${dirs[@]}" -- \
        -runs=0 -rss_limit_mb=2048 -malloc_limit_mb=512 >"$log" 2>&1; then
        grep -vE "^ +[0-9]+: |^ +at " "$log" | tail -30
        echo "fuzz-replay: $t FAILED (the input is saved under fuzz/artifacts/$t/)"
        exit 1
    fi
    grep -E "INITED" "$log" || true
done
echo "fuzz-replay: ${#targets[@]} targets replayed"
