#!/usr/bin/env bash
# Run one pytest stage of `make test` and judge its outcome strictly.
#
#   scripts/run_pytest.sh STAGE COMMAND [ARGS...]
#
# pytest's exit code 5 (no tests collected, or all deselected by -m) is a failure here, and so is
# a run that exits 0 without a single passed test (everything skipped): a stage that tests nothing
# must not look green. Any other exit code is passed on. Prints the stage's wall time.
set -euo pipefail
export PYTHONUNBUFFERED=1  # live progress through the tee below

if [ "$#" -lt 2 ]; then
    echo "usage: $0 STAGE COMMAND [ARGS...]" >&2
    exit 2
fi
stage=$1
shift

output=$(mktemp "${TMPDIR:-/tmp}/minxin-pytest-XXXXXX")
trap 'rm -f "$output"' EXIT

echo
echo "==> [$stage] $*"
started=$SECONDS
set +e
"$@" 2>&1 | tee "$output"
rc=${PIPESTATUS[0]}
set -e
elapsed=$((SECONDS - started))

if [ "$rc" -eq 5 ]; then
    echo "!!! [$stage] FAILED: no tests ran in $stage (pytest exit code 5: nothing collected or all deselected)" >&2
    exit 1
fi
if [ "$rc" -ne 0 ]; then
    echo "!!! [$stage] FAILED with exit code $rc after ${elapsed}s" >&2
    exit "$rc"
fi
# pytest's closing line, e.g. "12 passed, 2 skipped in 3.40s" (-q) or "=== 12 passed in 3.40s ===".
summary=$(grep -E '^=*[[:space:]]*[0-9]+ [a-z]+.* in [0-9.]+s' "$output" | tail -n 1 || true)
if ! grep -qE '(^|[^0-9])[1-9][0-9]* passed' <<<"$summary"; then
    echo "!!! [$stage] FAILED: no tests ran in $stage (none passed: '${summary:-no pytest summary line}')" >&2
    exit 1
fi
echo "==> [$stage] ok in ${elapsed}s"
