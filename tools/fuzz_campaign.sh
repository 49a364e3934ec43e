#!/bin/sh
# A long fuzzing campaign that grows the committed corpus (tests/fuzz/corpus).
#
#   sh tools/fuzz_campaign.sh [TARGET...]      (default: every target)
#
#   FUZZ_RUNS      executions per target (default 10000000)
#   FUZZ_JOBS      targets run at once (default 2)
#
# The targets are built without sanitizers in build/fuzz-campaign (several
# times faster, so more inputs are tried), each runs FUZZ_RUNS inputs from the
# committed corpus into build/fuzz-campaign/corpus/<target>, and the result is
# merged and minimized (-merge=1: the smallest set of inputs keeping every
# feature) into tests/fuzz/corpus/<target>.  The merged corpus is then
# replayed under AddressSanitizer and UndefinedBehaviorSanitizer (build/fuzz)
# so nothing committed trips them.  Findings land in
# build/fuzz-campaign/artifacts; executions per target in
# build/fuzz-campaign/<target>.log.
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
cd "$(dirname "$0")/.."

runs=${FUZZ_RUNS:-10000000}
jobs=${FUZZ_JOBS:-2}
# shellcheck disable=SC2046
targets=${*:-$(sh tools/fuzz.sh --list)}
dir=build/fuzz-campaign

[ -f "$dir/build.ninja" ] || CC=clang CXX=clang++ meson setup "$dir" -Dfuzzing=true -Db_lundef=false
# shellcheck disable=SC2046
ninja -C "$dir" $(for t in $targets; do echo "tests/fuzz/$t"; done)
mkdir -p "$dir/artifacts"

grow() {
    t=$1
    mkdir -p "$dir/corpus/$t"
    set -- "tests/fuzz/corpus/$t"
    [ ! -d "tests/fuzz/regressions/$t" ] || set -- "$@" "tests/fuzz/regressions/$t"
    rc=0
    "$dir/tests/fuzz/$t" -runs="$runs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/$t-" "$dir/corpus/$t" "$@" >"$dir/$t.log" 2>&1 || rc=$?
    echo "$rc" >"$dir/$t.rc"
}

running=0
for t in $targets; do
    grow "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait

status=0
for t in $targets; do
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$t.log" | tail -1)
    if [ "$(cat "$dir/$t.rc")" != 0 ]; then
        echo "campaign: $t: FAILED after ${executed:-?} executions; log $dir/$t.log"
        status=1
        continue
    fi
    # Merge into an empty directory: only inputs that add a feature are kept.
    rm -rf "$dir/merged/$t"
    mkdir -p "$dir/merged/$t"
    "$dir/tests/fuzz/$t" -merge=1 "$dir/merged/$t" "tests/fuzz/corpus/$t" "$dir/corpus/$t" \
        >"$dir/$t.merge.log" 2>&1
    rm -rf "tests/fuzz/corpus/$t"
    cp -r "$dir/merged/$t" "tests/fuzz/corpus/$t"
    echo "campaign: $t: ${executed:-?} executions, corpus $(find "tests/fuzz/corpus/$t" -type f | wc -l) files," \
        "$(du -sk "tests/fuzz/corpus/$t" | cut -f1) KiB"
done

# The kept inputs, once each, under ASan and UBSan.
FUZZ_SECONDS=0 sh tools/fuzz.sh $targets || status=1
exit $status
