#!/usr/bin/env bash
# Checks that the code under src/ keeps its layers: each module uses only the modules below
# it, each outside crate stays in the one module that owns it, and the library reads no
# environment variable. Prints one "file:line: what is wrong" line per finding; exits 1 if
# there is any. Comment lines are not read.
#
#   scripts/check-layers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Which modules each module of src/ may use directly (`crate::NAME`); it may also use what
# those may use, and so on down. A module missing here is an error: add it.
#   location <- schema <- record <- validate <- parse;  record <- {route, segment};
#   segment <- query;  {parse, route, segment, source} <- pipeline;
#   {pipeline, query, ledger, catalog, cluster} <- engine <- {cli, server}.
#   source knows bytes only; ledger knows no stage; fault and fsutil are the durable-write
#   helpers of the layers that write.
LAYERS='
location:
fault:
fsutil:
source:
cluster:
schema:   location
record:   schema
validate: record
parse:    validate
route:    record
segment:  record fault fsutil
query:    segment validate
ledger:   fault fsutil
catalog:  schema fault fsutil
pipeline: parse route segment source
engine:   pipeline query ledger catalog cluster
error:    engine
server:   engine
client:   engine
cli:      engine server client
'

# Outside crates and the modules that alone may name them (`milvus` is the milvus-sdk-rust
# crate: Milvus's generated gRPC protocol).
CRATES='
timely:       pipeline
axum:         server
tonic:        server
prost:        server
milvus:       server
tokio:        server source cli
object_store: source
reqwest:      source client
rustls:       source client
clap:         cli
anyhow:       cli
'

declare -A uses=()
while read -r mod deps; do
    [ -n "$mod" ] && uses[${mod%:}]="$deps"
done <<<"$LAYERS"

# " a b c ": every module `$1` may use, itself included.
below() {
    local seen=" $1 " queue=("$1") m d
    while [ ${#queue[@]} -gt 0 ]; do
        m=${queue[0]}
        queue=("${queue[@]:1}")
        for d in ${uses[$m]}; do
            if [[ $seen != *" $d "* ]]; then
                seen+="$d "
                queue+=("$d")
            fi
        done
    done
    echo "$seen"
}

# Sets `mod` to the module a file belongs to: src/NAME.rs or src/NAME/...; src/main.rs is
# the cli.
module_of() {
    mod=${1#src/}
    case $1 in
    src/main.rs) mod=cli ;;
    src/*/*) mod=${mod%%/*} ;;
    src/*.rs) mod=${mod%.rs} ;;
    *) mod= ;;
    esac
}

# Code lines of `src` matching an extended regex, as "file:line:text" (comments dropped).
code_grep() {
    grep -rnE --include='*.rs' "$1" src | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' || true
}

failures=0
fail() {
    echo "$1"
    failures=$((failures + 1))
}

# Every module must have a row.
for f in src/*.rs src/*/; do
    [ "$f" = src/lib.rs ] && continue
    module_of "$f"
    if [ -z "${uses[$mod]+set}" ]; then
        fail "${f%/}: module \"$mod\" is not in the layer table of scripts/check-layers.sh"
    fi
done

declare -A allowed_of=() shown_of=()
for m in "${!uses[@]}"; do
    allowed_of[$m]=$(below "$m")
    shown=${allowed_of[$m]/ $m / }
    shown=$(echo $shown)
    shown_of[$m]=${shown// /, }
done

# crate::NAME where NAME is not below the file's module.
while IFS=: read -r file line text; do
    module_of "$file"
    m=$mod
    [ -z "$m" ] || [ -z "${uses[$m]+set}" ] && continue
    rest=$text
    while [[ $rest =~ crate::([A-Za-z_][A-Za-z0-9_]*)(.*) ]]; do
        used=${BASH_REMATCH[1]}
        rest=${BASH_REMATCH[2]}
        if [[ $used =~ ^[A-Z] ]]; then
            fail "$file:$line: $m uses crate::$used, a re-export of the crate root: name its module"
        elif [ -n "${uses[$used]+set}" ] && [[ ${allowed_of[$m]} != *" $used "* ]]; then
            fail "$file:$line: $m imports $used, which is not below it ($m may use: ${shown_of[$m]:-nothing})"
        fi
    done
done < <(code_grep 'crate::' | grep -v '^src/lib.rs:')

# Outside crates named outside their module.
while read -r name owners; do
    [ -z "$name" ] && continue
    name=${name%:}
    while IFS=: read -r file line _; do
        module_of "$file"
        [[ " $owners " == *" $mod "* ]] && continue
        fail "$file:$line: $name is used in $mod; only ${owners// / and } may use it"
    done < <(code_grep "(^|[^A-Za-z0-9_])${name}::")
done <<<"$CRATES"

# The library reads no environment variable (env!/option_env! at build time are fine).
while IFS=: read -r file line _; do
    case $file in src/main.rs | src/cli/*) continue ;; esac
    fail "$file:$line: the library reads the environment: take the value as an option"
done < <(code_grep '(^|[^A-Za-z0-9_])env::(var|var_os|vars|vars_os)([^A-Za-z0-9_]|$)')

if [ $failures -gt 0 ]; then
    echo "check-layers: $failures finding(s)"
    exit 1
fi
echo "check-layers: ok"
