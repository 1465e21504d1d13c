#!/usr/bin/env bash
# `make run`: replay every bundled corpus (default mode, events included) into
# rpcreplay-out/NAME/ and print each run's one-line summary.
set -euo pipefail
BIN=${1:?usage: run-summary.sh RPCREPLAY_BIN}
cd "$(dirname "$0")/.."
out=rpcreplay-out
for d in corpora/*/; do
  for t in "$d"trace.pcap "$d"trace.pcapng "$d"trace.pcap.zst; do
    [ -f "$t" ] || continue
    name=$(basename "$d")
    # The summary line goes to stderr; the reference's own warnings (UDP
    # `bad port number`) are counted rather than printed here.
    summary=$("$BIN" replay --events --out "$out/$name" "$t" 2>&1 >/dev/null | tee "$out.$name.stderr" | grep '^rpcreplay: ' || true)
    warnings=$(grep -c 'internal warning' "$out.$name.stderr" || true)
    rm -f "$out.$name.stderr"
    printf '%-38s %s%s\n' "$name" "${summary#rpcreplay: }" "$([ "$warnings" -gt 0 ] && echo ", $warnings stderr warnings")"
  done
done
echo "logs written under $out/ (conn.log weird.log notice.log alarm.log events.log per corpus)"
