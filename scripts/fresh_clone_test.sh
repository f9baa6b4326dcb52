#!/usr/bin/env bash
# Prove that a fresh clone works: clone this repository's HEAD into a temporary folder, create .venv
# there from the lock with no pip cache, and run `make test` (or the make targets given) in the clone.
#
#   scripts/fresh_clone_test.sh            # make test
#   scripts/fresh_clone_test.sh lint       # any other targets
#
# Only committed work is tested. CI (.ci/run) runs its tests this way. The folder is removed afterwards.
set -euo pipefail

source_repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/minxin-fresh-XXXXXX")
trap 'rm -rf "$work"' EXIT

git clone -q --no-hardlinks "$source_repo" "$work/minxin"
cd "$work/minxin"
echo "==> fresh clone of $(git rev-parse --short HEAD) in $work/minxin"
export PIP_NO_CACHE_DIR=1
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(test)
started=$SECONDS
make --no-print-directory "${targets[@]}"
echo "==> fresh clone: make ${targets[*]} passed in $((SECONDS - started))s"
