#!/usr/bin/env bash
# scripts/bench-cluster.sh FORMAT TAG: one run each of 1 process x 1 worker, 1 process x 2 workers, 2 processes x 1 worker
# and 2 processes x 2 (import --cluster on 127.0.0.1) on the 1M x 128 bench file written by
# `vecload bench-import`; wall seconds appended to target/tmp/cl-TAG.txt
set -u
cd "$(dirname "$0")/.."; V=$PWD/target/release/vecload
B=$PWD/target/bench-data/r1000000-d128
f=$1; tag=$2
case $f in npy) files="$B/npy/id.npy $B/npy/word_count.npy $B/npy/title.npy $B/npy/vec.npy";; *) files=$B/bench.$f;; esac
base=$PWD/target/tmp/cl
run() { # name cmd...
  local d=$base/$1; rm -rf $d; mkdir -p $d
  $V --data-dir $d/data collection create $B/schema.json >/dev/null
  local t0=$(date +%s.%N)
  shift; "$@"
  local t1=$(date +%s.%N)
  echo "$f $name $(echo "$t1 - $t0" | bc)" >> target/tmp/cl-$tag.txt
  rm -rf $d
}
name=p1w1; run p1w1 bash -c "$V --data-dir $base/p1w1/data --import-workers 1 import -c bench $files -q"
name=p1w2; run p1w2 bash -c "$V --data-dir $base/p1w2/data --import-workers 2 import -c bench $files -q"
p=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
q=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
printf "127.0.0.1:$p\n127.0.0.1:$q\n" > $base-hosts.txt
name=p2w1; run p2w1 bash -c "$V --data-dir $base/p2w1/data --import-workers 1 import -c bench $files -q --cluster $base-hosts.txt --process 1 & $V --data-dir $base/p2w1/data --import-workers 1 import -c bench $files -q --cluster $base-hosts.txt --process 0; wait"
name=p2w2; run p2w2 bash -c "$V --data-dir $base/p2w2/data --import-workers 2 import -c bench $files -q --cluster $base-hosts.txt --process 1 & $V --data-dir $base/p2w2/data --import-workers 2 import -c bench $files -q --cluster $base-hosts.txt --process 0; wait"
