#!/usr/bin/env bash
# `make golden`: replay every corpus in both modes and compare with its goldens.
set -uo pipefail
BIN=${1:?usage: golden-scoreboard.sh RPCREPLAY_BIN}
cd "$(dirname "$0")/.."
if ! "$BIN" replay --help >/dev/null 2>&1; then
  echo "make golden: 'rpcreplay replay' does not exist yet (connection-layer issue)."
  echo "It needs: replay (conn.log, weird.log), the RPC/portmapper analyzers (events.log),"
  echo "and the policy (notice.log, alarm.log). Goldens waiting to be matched:"
  for g in corpora/*/golden/*/; do
    printf '  %-60s' "$g"
    for f in conn.log weird.log notice.log alarm.log; do
      printf ' %s=%s' "${f%.log}" "$(wc -l < "$g$f" 2>/dev/null || echo 0)"
    done
    echo
  done
  exit 0
fi
pass=0; fail=0
printf '%-40s %-11s %s\n' corpus mode result
for d in corpora/*/; do
  name=$(basename "$d")
  [ -d "$d/golden" ] || continue
  trace=$(ls "$d"trace.* 2>/dev/null | head -n1)
  for mode in default nochecksum; do
    out=$(mktemp -d)
    flags=(); [ "$mode" = nochecksum ] && flags=(--no-checksums)
    if "$BIN" replay --quiet --out "$out" "${flags[@]}" "$trace" >/dev/null 2>&1 \
       && "$BIN" diff "$d/golden/$mode" "$out" >/dev/null 2>&1; then
      printf '%-40s %-11s %s\n' "$name" "$mode" PASS; pass=$((pass+1))
    else
      printf '%-40s %-11s %s\n' "$name" "$mode" FAIL; fail=$((fail+1))
    fi
    rm -rf "$out"
  done
done
echo "$pass passed, $fail failed"
