#!/bin/sh
# Line and branch coverage of the module (dlls/websocket) by the native test
# suites and the committed fuzz corpora (replayed by the fuzz-corpus suite):
# gcc --coverage in build/coverage, reported by gcovr per file, with an HTML
# report in build/coverage/coverage/index.html.
#
#   sh tools/coverage.sh [--check]
#
#   --check           fail below 100 % of lines or 95 % of branches
#   COVERAGE_SUITES   the meson test suites run (default: unit api layout
#                     conformance fuzz-corpus)
#
# Lines that cannot run on this machine are marked in the source with
# GCOVR_EXCL_LINE / GCOVR_EXCL_START..STOP and a reason, and listed in the
# README ("Coverage").
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
cd "$(dirname "$0")/.."

mode=${1:-}
dir=build/coverage
suites=${COVERAGE_SUITES:-unit api layout conformance fuzz-corpus}

# -O0: every line and branch is where the source puts it.
# Atomic counters: the threads tests would otherwise garble them.
[ -f "$dir/build.ninja" ] || meson setup "$dir" -Db_coverage=true -Dbuildtype=debug \
    -Dc_args=-fprofile-update=atomic -Dcpp_args=-fprofile-update=atomic >/dev/null
ninja -j2 -C "$dir" >/dev/null
find "$dir" -name '*.gcda' -delete

set --
for suite in $suites; do
    set -- "$@" --suite "$suite"
done
meson test -C "$dir" --no-rebuild --num-processes 2 --timeout-multiplier 10 --print-errorlogs "$@" >"$dir/coverage-tests.log" 2>&1 || {
    tail -n 30 "$dir/coverage-tests.log"
    echo "coverage: a test failed; log $dir/coverage-tests.log"
    exit 1
}
grep -E '^(Ok|Fail):' "$dir/coverage-tests.log" | tr -s ' ' | paste -sd' ' | sed 's/^/coverage: tests: /'

mkdir -p "$dir/coverage"
# Branches gcc adds with no counterpart in the source (on lines without a
# decision of their own) are left out; every decision in the code counts.
set -- -r . --object-directory "$dir" --filter 'dlls/websocket/' --exclude-unreachable-branches \
    --html-details "$dir/coverage/index.html" --txt - --print-summary
[ "$mode" != --check ] || set -- "$@" --fail-under-line 100 --fail-under-branch 95
gcovr "$@"
echo "coverage: HTML report in $dir/coverage/index.html"
