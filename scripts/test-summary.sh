#!/usr/bin/env bash
# Closing line of `make test`: the XCTest totals of the whole run, in the plain
# "N passed, N failed" form CI reads. Reached only when every step succeeded
# (make stops at the first failing step), so the fuzz smoke runs were clean too.
set -euo pipefail
log=${1:?usage: test-summary.sh XCTEST_LOG}
line=$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -n 1)
[ -n "$line" ] || { echo "test-summary: no XCTest totals in $log" >&2; exit 1; }
total=$(echo "$line" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
failed=$(echo "$line" | sed -E 's/.*with ([0-9]+) failures?.*/\1/')
echo "tests: $((total - failed)) passed, $failed failed"
