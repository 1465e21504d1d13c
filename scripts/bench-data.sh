#!/usr/bin/env bash
# Generates (once) the inputs of `make bench` and the Benchmarks/ package in OUTDIR:
#   plain.pcap        ~BENCH_MB MiB classic pcap: the records of
#                     corpora/synth-mix-small repeated with shifted timestamps
#   single.pcap.zst   the same bytes as one zstd frame (zstd -3 -T1)
#   multi.pcap.zst    the same bytes as independent ~16 MiB zstd frames, which a
#                     reader can decompress in parallel
# Usage: scripts/bench-data.sh OUTDIR [RPCREPLAY_BIN]
# With a binary whose `corpus pack` works, multi.pcap.zst is packed by it
# (frames end on record boundaries); otherwise 16 MiB pieces are compressed
# separately and concatenated (frames then split records, which the reader
# must handle anyway). A fallback copy is redone once `corpus pack` exists.
set -euo pipefail
out=${1:?usage: bench-data.sh OUTDIR [RPCREPLAY_BIN]}
bin=${2:-}
mb=${BENCH_MB:-1024}
root=$(cd "$(dirname "$0")/.." && pwd)
source_zst=$root/corpora/synth-mix-small/trace.pcap.zst
mkdir -p "$out"

if [ ! -s "$out/plain.pcap" ]; then
  echo "bench-data: generating $out/plain.pcap (${mb} MiB)" >&2
  zstd -q -d -c "$source_zst" > "$out/.source.pcap"
  python3 "$root/scripts/make-bench-pcap.py" "$out/.source.pcap" "$out/.plain.tmp" $((mb * 1024 * 1024))
  mv "$out/.plain.tmp" "$out/plain.pcap"
  rm -f "$out/.source.pcap" "$out/single.pcap.zst" "$out/multi.pcap.zst" "$out/multi.method"
fi

if [ ! -s "$out/single.pcap.zst" ]; then
  echo "bench-data: compressing $out/single.pcap.zst (one frame)" >&2
  zstd -q -3 -T1 -f -c "$out/plain.pcap" > "$out/.single.tmp"
  mv "$out/.single.tmp" "$out/single.pcap.zst"
fi

can_pack=no
# Ask the help text: an unknown subcommand may still exit 0 with the top-level help.
if [ -n "$bin" ] && "$bin" corpus pack --help 2>/dev/null | grep -q -- --frame-mib; then can_pack=yes; fi
method=$(cat "$out/multi.method" 2>/dev/null || true)
if [ ! -s "$out/multi.pcap.zst" ] || { [ "$can_pack" = yes ] && [ "$method" != pack ]; }; then
  rm -f "$out/.multi.tmp"
  if [ "$can_pack" = yes ]; then
    echo "bench-data: packing $out/multi.pcap.zst with '$bin corpus pack' (16 MiB frames)" >&2
    "$bin" corpus pack "$out/plain.pcap" "$out/.multi.tmp" --frame-mib 16 --level 3 >/dev/null
    method=pack
  else
    echo "bench-data: compressing $out/multi.pcap.zst as separate 16 MiB frames" >&2
    pieces=$(mktemp -d "${TMPDIR:-/tmp}/rpcreplay-pieces-XXXXXX")
    split -b 16M -a 4 "$out/plain.pcap" "$pieces/p"
    for piece in "$pieces"/p*; do zstd -q -3 -T1 -c "$piece" >> "$out/.multi.tmp"; done
    rm -rf "$pieces"
    method=split
  fi
  mv "$out/.multi.tmp" "$out/multi.pcap.zst"
  echo "$method" > "$out/multi.method"
fi
