#!/usr/bin/env bash
# `make golden`: replay every corpus in both modes and compare with its goldens
# (GOLDEN.md rules, `rpcreplay diff`). Prints one row per corpus and mode with the
# verdict of each log; events.log vs events.txt is informational. A corpus passes
# when its four logs match in both modes. Exit status 1 if any run fails.
# Outputs are kept under ${GOLDEN_OUT:-.build/golden-out}/NAME/MODE for inspection
# (`rpcreplay diff --show 20 corpora/NAME/golden/MODE .build/golden-out/NAME/MODE`).
set -uo pipefail
BIN=${1:?usage: golden-scoreboard.sh RPCREPLAY_BIN}
cd "$(dirname "$0")/.."
OUT=${GOLDEN_OUT:-.build/golden-out}

verdict() {  # verdict DIFF_OUTPUT LABEL -> ok | DIFF(missing/extra) | -
  awk -v label="$2" '
    index($0, label) == 1 && /golden [0-9]+/ {
      for (i = 1; i <= NF; i++) { if ($i == "missing") m = $(i+1); if ($i == "extra") e = $(i+1) }
      print ($NF == "ok" ? "ok" : "DIFF(-" m "/+" e ")"); found = 1; exit
    }
    END { if (!found) print "-" }' <<<"$1"
}

runs_pass=0; runs=0; corpora_pass=0; corpora=0
printf '%-38s %-10s %-14s %-14s %-14s %-14s %-14s %s\n' corpus mode conn weird notice alarm events result
for d in corpora/*/; do
  name=$(basename "$d")
  [ -d "$d/golden" ] || continue
  trace=$(ls "$d"trace.* 2>/dev/null | head -n1)
  corpora=$((corpora+1)); both=1
  for mode in default nochecksum; do
    out="$OUT/$name/$mode"
    rm -rf "$out"; mkdir -p "$out"
    flags=(); [ "$mode" = nochecksum ] && flags=(--no-checksums)
    runs=$((runs+1))
    if ! "$BIN" replay --quiet --events --out "$out" "${flags[@]}" "$trace" 2>"$out.stderr"; then
      printf '%-38s %-10s replay failed: %s\n' "$name" "$mode" "$(tail -n1 "$out.stderr")"
      both=0; continue
    fi
    report=$("$BIN" diff --show 0 "$d/golden/$mode" "$out" 2>&1); status=$?
    result=FAIL; [ $status -eq 0 ] && { result=PASS; runs_pass=$((runs_pass+1)); } || both=0
    printf '%-38s %-10s %-14s %-14s %-14s %-14s %-14s %s\n' "$name" "$mode" \
      "$(verdict "$report" conn.log)" "$(verdict "$report" weird.log)" "$(verdict "$report" notice.log)" \
      "$(verdict "$report" alarm.log)" "$(verdict "$report" events)" "$result"
  done
  [ $both -eq 1 ] && corpora_pass=$((corpora_pass+1))
done
echo "$runs_pass of $runs runs pass; $corpora_pass of $corpora corpora pass in both modes (outputs in $OUT)"
[ "$runs_pass" -eq "$runs" ]
