#!/usr/bin/env bash
# Rebuilds corpora/variants/: reader-test variants of the corpora, made only with
# RPCReplay's own tools (`rpcreplay corpus convert|pack`) plus head/dd for the
# damaged ones. Output is deterministic for a given libzstd version.
#
# usage: scripts/make-variants.sh [path/to/rpcreplay]
#        (default: $RPCREPLAY_BIN, else .build/debug/rpcreplay)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${RPCREPLAY_BIN:-.build/debug/rpcreplay}}
C=corpora
V=corpora/variants
[ -x "$BIN" ] || { echo "no rpcreplay binary at $BIN (run swift build)" >&2; exit 1; }
mkdir -p "$V"

# Overwrites COUNT bytes at OFFSET of FILE with each byte XOR 0xff.
flip_bytes() {
  local file=$1 offset=$2 count=$3 bytes="" b
  for b in $(od -An -v -tu1 -j "$offset" -N "$count" "$file"); do
    bytes+=$(printf '\\%03o' $((b ^ 255)))
  done
  printf "$bytes" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
}

# Reads field NAME (e.g. compressed_offset) of frame INDEX from `corpus pack` output.
frame_field() {
  local listing=$1 index=$2 name=$3
  awk -v f="frame $index:" -v k="$name" 'index($0, f) == 1 {
    for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' <<<"$listing"
}

# Classic pcap: nanosecond magic, big-endian, both.
"$BIN" corpus convert $C/zeek-mount-base/trace.pcap $V/zeek-mount-base.nano.pcap --precision nano
"$BIN" corpus convert $C/zeek-rpc-portmap-sadmind/trace.pcap $V/zeek-rpc-portmap-sadmind.big.pcap --byte-order big
"$BIN" corpus convert $C/rpcbind-v34-rpcbind/trace.pcap $V/rpcbind-v34-rpcbind.big-nano.pcap --byte-order big --precision nano

# pcapng, two interfaces (if_tsresol 6 and 9), packets alternating between them.
"$BIN" corpus convert $C/zeek-nfs-write/trace.pcap $V/zeek-nfs-write.two-interfaces.pcapng --format pcapng --interfaces 2
"$BIN" corpus convert $C/rpcbind-rpcinfo-client/trace.pcap $V/rpcbind-rpcinfo-client.two-interfaces-big.pcapng \
  --format pcapng --interfaces 2 --byte-order big

# Multi-frame zstd, frames ending on record (pcapng: block) boundaries.
"$BIN" corpus pack $C/synth-mix-small/trace.pcap.zst $V/synth-mix-small.multiframe.pcap.zst --frame-mib 1 --level 19
"$BIN" corpus pack $C/zeek-portmapper-many-unanswered-calls/trace.pcapng \
  $V/zeek-portmapper-many-unanswered-calls.multiframe.pcapng.zst --frame-mib 0.05 --level 19
nasty=$("$BIN" corpus pack $C/synth-nasty/trace.pcap $V/synth-nasty.multiframe.pcap.zst --frame-mib 0.03 --level 19)
echo "$nasty"

# Truncated: cut inside a record (byte 9832 starts a 230-byte record) and inside a block.
head -c 10000 $C/zeek-nfs-write/trace.pcap > $V/zeek-nfs-write.truncated.pcap
head -c 100000 $C/zeek-portmapper-many-unanswered-calls/trace.pcapng > $V/zeek-portmapper-many-unanswered-calls.truncated.pcapng

# Damaged zstd, all from synth-nasty.multiframe.pcap.zst; frame 0 stays intact.
f1_offset=$(frame_field "$nasty" 1 compressed_offset)
f1_bytes=$(frame_field "$nasty" 1 compressed_bytes)
f1_header=$(frame_field "$nasty" 1 header_bytes)
f2_offset=$(frame_field "$nasty" 2 compressed_offset)
# (a) frame 1's first block header set to 0xffffff: block type 3 is reserved, so
#     libzstd rejects the frame before producing any of its bytes.
cp $V/synth-nasty.multiframe.pcap.zst $V/synth-nasty.corrupt-block.pcap.zst
printf '\377\377\377' | dd of=$V/synth-nasty.corrupt-block.pcap.zst bs=1 seek=$((f1_offset + f1_header)) conv=notrunc status=none
# (b) frame 1's XXH64 content checksum (its last 4 bytes) inverted: every byte
#     decodes, the frame fails only at its end.
cp $V/synth-nasty.multiframe.pcap.zst $V/synth-nasty.corrupt-checksum.pcap.zst
flip_bytes $V/synth-nasty.corrupt-checksum.pcap.zst $((f1_offset + f1_bytes - 4)) 4
# (c) cut in the middle of frame 2.
head -c $((f2_offset + 1000)) $V/synth-nasty.multiframe.pcap.zst > $V/synth-nasty.truncated.pcap.zst

ls -l $V
