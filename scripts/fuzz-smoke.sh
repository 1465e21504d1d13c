#!/usr/bin/env bash
# Runs every libFuzzer binary found in a build directory for a fixed time.
#
#   scripts/fuzz-smoke.sh BUILD_DIR SECONDS
#
# A binary named FuzzXxx is fed its committed seed corpus Tests/FuzzSeeds/xxx/
# (name lower-cased), so a new fuzz target is picked up by adding its product
# and its seed directory; nothing here needs to change. New inputs libFuzzer
# discovers go to a scratch directory, never into the committed seeds.
# Crash, leak, timeout and out-of-memory inputs land in fuzz-artifacts/xxx/
# (gitignored); the script fails if any appears. Turn a finding into a
# regression test by copying it to Tests/FuzzRegressions/xxx/.
set -uo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
fi
build_dir=$(cd "$1" 2>/dev/null && pwd) || { echo "fuzz-smoke: no build directory $1" >&2; exit 2; }
seconds=$2
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# The Swift backtracer would catch the crash first, write no crash file and may hang.
export SWIFT_BACKTRACE=enable=no

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

found=0
failed=0
for binary in "$build_dir"/Fuzz*; do
  [ -f "$binary" ] && [ -x "$binary" ] || continue
  name=$(basename "$binary")
  target=$(echo "${name#Fuzz}" | tr '[:upper:]' '[:lower:]')
  seeds="Tests/FuzzSeeds/$target"
  if [ ! -d "$seeds" ]; then
    echo "fuzz-smoke: $name has no seed directory $seeds" >&2
    failed=1
    continue
  fi
  found=$((found + 1))
  artifacts="fuzz-artifacts/$target"
  mkdir -p "$artifacts" "$scratch/$target"
  echo "fuzz-smoke: $name for ${seconds}s on $seeds"
  "$binary" "$scratch/$target" "$seeds" \
    -max_total_time="$seconds" -use_value_profile=1 -max_len=65536 \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$scratch/$target.log" 2>&1
  status=$?
  grep -E '^(stat::|Done |INFO: (Loaded|seed corpus))' "$scratch/$target.log" | sed 's/^/  /'
  findings=$(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) -newer "$scratch" 2>/dev/null)
  if [ "$status" -ne 0 ] || [ -n "$findings" ]; then
    failed=1
    echo "fuzz-smoke: $name FAILED (exit $status)" >&2
    tail -40 "$scratch/$target.log" >&2
    [ -n "$findings" ] && echo "fuzz-smoke: artifacts:" $findings >&2
  fi
done

if [ "$found" -eq 0 ]; then
  echo "fuzz-smoke: no Fuzz* binaries in $build_dir (run make fuzz)" >&2
  exit 1
fi
exit $failed
