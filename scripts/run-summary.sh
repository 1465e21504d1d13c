#!/usr/bin/env bash
# `make run`: replay the bundled corpus and print a summary.
# Until the `replay` command exists (connection-layer issue) this walks every
# bundled trace with the capture reader and prints what it found.
set -euo pipefail
BIN=${1:?usage: run-summary.sh RPCREPLAY_BIN}
cd "$(dirname "$0")/.."
traces=()
for d in corpora/*/; do
  for t in "$d"trace.pcap "$d"trace.pcapng "$d"trace.pcap.zst; do
    [ -f "$t" ] && traces+=("$t")
  done
done
if "$BIN" replay --help >/dev/null 2>&1; then
  out=rpcreplay-out
  for t in "${traces[@]}"; do
    name=$(basename "$(dirname "$t")")
    "$BIN" replay --out "$out/$name" "$t"
  done
  echo "logs written under $out/"
else
  echo "rpcreplay: 'replay' is not built yet; reading the bundled corpus instead"
  echo
  "$BIN" info "${traces[@]}"
fi
