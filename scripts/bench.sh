#!/usr/bin/env bash
# `make bench`: throughput of the reader as ratios to same-run C baselines
# (bare libpcap loop, raw libzstd, memory walk) on a generated corpus. Reader
# probes only (--no-pipeline): `make bench-pipeline` times the replay pipeline.
# Usage: scripts/bench.sh RPCREPLAY_BIN
# Environment: BENCH_MB (default 1024) size of the generated pcap in MiB;
#              BENCH_REPEAT (default 5) repetitions, the median is reported;
#              BENCH_JSON=1 prints JSON instead of the table.
# Inputs are generated once and cached under .bench-data/<size>mb (gitignored).
set -euo pipefail
bin=${1:?usage: bench.sh RPCREPLAY_BIN}
root=$(cd "$(dirname "$0")/.." && pwd)
mb=${BENCH_MB:-1024}
data=$root/.bench-data/${mb}mb
BENCH_MB=$mb "$root/scripts/bench-data.sh" "$data" "$bin"
args=(--repeat "${BENCH_REPEAT:-5}" --no-pipeline)
[ "${BENCH_JSON:-0}" = 1 ] && args+=(--json)
exec "$bin" bench "${args[@]}" "$data/plain.pcap" "$data/single.pcap.zst" "$data/multi.pcap.zst"
