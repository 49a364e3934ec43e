#!/bin/sh
# Build the libFuzzer targets (tests/fuzz) in build/fuzz -- clang with
# AddressSanitizer and UndefinedBehaviorSanitizer -- and run each for a
# bounded time, two at a time.  Fails on any finding (crash, sanitizer report,
# leak, timeout, out-of-memory); prints the executions per target and writes
# build/fuzz/meson-logs/testlog.json so tools/test_summary.py counts them.
#
#   sh tools/fuzz.sh [TARGET...]   (default: every target)
#   sh tools/fuzz.sh --list        the targets' names
#
#   FUZZ_SECONDS   seconds per target (default 60; 0: run the corpus once, no
#                  new inputs)
#   FUZZ_RUNS      executions per target instead of a time
#   FUZZ_JOBS      targets run at once (default 2)
#   FUZZ_BUILD     build directory (default build/fuzz)
#   FUZZ_SANITIZE  sanitizers (default address,undefined; empty for none)
#
# The committed corpus in tests/fuzz/corpus/<target> (grown by
# tools/fuzz_campaign.sh) and the regression inputs in
# tests/fuzz/regressions/<target> are read, never written; the growing corpus
# lives in build/fuzz/corpus/<target>, crashes in build/fuzz/artifacts/.
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
cd "$(dirname "$0")/.."

all="fuzz_session fuzz_exchange fuzz_handshake fuzz_client_response fuzz_properties fuzz_frame_decoder fuzz_frame_oracle fuzz_utf8"
if [ "${1:-}" = --list ]; then
    echo "$all"
    exit 0
fi
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-2}
targets=${*:-$all}
dir=${FUZZ_BUILD:-build/fuzz}
sanitize=${FUZZ_SANITIZE-address,undefined}
if [ -n "${FUZZ_RUNS:-}" ]; then
    limit=-runs=$FUZZ_RUNS
elif [ "$seconds" = 0 ]; then
    limit=-runs=0
else
    limit=-max_total_time=$seconds
fi

[ -f "$dir/build.ninja" ] || CC=clang CXX=clang++ meson setup "$dir" \
    -Dfuzzing=true -Db_lundef=false ${sanitize:+-Db_sanitize=$sanitize}
# shellcheck disable=SC2046
ninja -j2 -C "$dir" $(for t in $targets; do echo "tests/fuzz/$t"; done)

mkdir -p "$dir/artifacts" "$dir/meson-logs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_one() {
    t=$1
    mkdir -p "$dir/corpus/$t"
    set -- "tests/fuzz/corpus/$t"
    [ ! -d "tests/fuzz/regressions/$t" ] || set -- "$@" "tests/fuzz/regressions/$t"
    rc=0
    "$dir/tests/fuzz/$t" "$limit" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t-" \
        "$dir/corpus/$t" "$@" >"$dir/$t.log" 2>&1 || rc=$?
    echo "$rc" >"$dir/$t.rc"
}

running=0
for t in $targets; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait

status=0
: >"$dir/meson-logs/testlog.json"
for t in $targets; do
    rc=$(cat "$dir/$t.rc")
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$t.log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$dir/$t.log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$dir/$t.log" | tail -1)
    if [ "$rc" = 0 ]; then
        result=OK
        echo "fuzz: $t: ${runs:-?} executions in ${secs:-?} s, ${cov:-cov: ?}, no findings"
    else
        result=FAIL
        status=1
        echo "fuzz: $t: FAILED (exit $rc) after ${runs:-?} executions; log $dir/$t.log"
        grep -E 'ERROR|runtime error|SUMMARY|Test unit written|deadly signal' "$dir/$t.log" | head -20
    fi
    printf '{"name": "%s", "result": "%s", "executions": %s}\n' "$t" "$result" "${runs:-0}" \
        >>"$dir/meson-logs/testlog.json"
done
exit $status
