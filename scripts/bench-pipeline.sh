#!/usr/bin/env bash
# Generates (once) the inputs of Benchmarks/PipelineBenchmarks in OUTDIR:
#   mix.pcap     ~MIX_MB MiB (default 128) classic pcap: corpora/synth-mix-small's
#                records repeated with shifted timestamps (some port 111 traffic
#                among other UDP/TCP), for decode + connection tracking
#   nasty.pcap   ~NASTY_MB MiB (default 64): corpora/synth-nasty repeated the same
#                way (nearly every packet is port 111: calls, replies, TCP record
#                marking, broken messages), for the whole engine
# Usage: scripts/bench-pipeline.sh OUTDIR
set -euo pipefail
out=${1:?usage: bench-pipeline.sh OUTDIR}
mix_mb=${MIX_MB:-128}
nasty_mb=${NASTY_MB:-64}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"

# make NAME SOURCE.pcap MIB
make_input() {
  if [ ! -s "$out/$1" ]; then
    echo "bench-pipeline: generating $out/$1 ($3 MiB)" >&2
    python3 "$root/scripts/make-bench-pcap.py" "$2" "$out/.$1.tmp" $(($3 * 1024 * 1024))
    mv "$out/.$1.tmp" "$out/$1"
  fi
}

if [ ! -s "$out/mix.pcap" ]; then
  zstd -q -d -f -c "$root/corpora/synth-mix-small/trace.pcap.zst" > "$out/.mix-source.pcap"
  make_input mix.pcap "$out/.mix-source.pcap" "$mix_mb"
  rm -f "$out/.mix-source.pcap"
fi
make_input nasty.pcap "$root/corpora/synth-nasty/trace.pcap" "$nasty_mb"
