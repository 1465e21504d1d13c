#!/usr/bin/env bash
# `make bench-pipeline`: the replay pipeline stage by stage (`rpcreplay bench`),
# the figures and chart of the README's "Reading `rpcreplay bench` output".
#   1. rpc2.pcap (1024 MB, 2% RPC, seed 1) and its zstd copy (zstd -3 -T1):
#      stages, baselines, ratios, replay peak RSS; chart -> docs/bench-rpc2.svg
#   2. rpc30.pcap (256 MB, 30% RPC, seed 2): full pipeline on 1 shard vs 2
# Inputs are generated once with `rpcreplay corpus synth` into .bench-data/synth
# (gitignored). The machine is shared: run it once, not in a loop.
# Usage: scripts/bench-stages.sh RPCREPLAY_BIN
# Environment: BENCH_REPEAT (default 3) repetitions, the median is reported.
set -euo pipefail
bin=${1:?usage: bench-stages.sh RPCREPLAY_BIN}
root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/.bench-data/synth
repeat=${BENCH_REPEAT:-3}
mkdir -p "$data" "$root/docs"

# synth NAME MEGABYTES SEED SHARE
synth() {
  if [ ! -s "$data/$1" ]; then
    echo "bench-stages: generating $data/$1 ($2 MB, seed $3, RPC share $4)" >&2
    "$bin" corpus synth "$data/.tmp-$1" --megabytes "$2" --seed "$3" --rpc-share "$4" >&2
    mv "$data/.tmp-$1" "$data/$1"
  fi
}
synth rpc2.pcap 1024 1 0.02
synth rpc30.pcap 256 2 0.30
if [ ! -s "$data/rpc2.pcap.zst" ]; then
  echo "bench-stages: compressing $data/rpc2.pcap.zst (zstd -3 -T1)" >&2
  zstd -q -3 -T1 -f -c "$data/rpc2.pcap" > "$data/.tmp-rpc2.pcap.zst"
  mv "$data/.tmp-rpc2.pcap.zst" "$data/rpc2.pcap.zst"
fi

cd "$root"
set -x
"$bin" bench --repeat "$repeat" --chart docs/bench-rpc2.svg .bench-data/synth/rpc2.pcap .bench-data/synth/rpc2.pcap.zst
"$bin" bench --repeat "$repeat" --shards 1 --compare-shards 2 .bench-data/synth/rpc30.pcap
