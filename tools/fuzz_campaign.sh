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

# The runs themselves: tools/fuzz.sh with a count instead of a time.
status=0
FUZZ_BUILD=$dir FUZZ_SANITIZE= FUZZ_RUNS=$runs FUZZ_JOBS=$jobs sh tools/fuzz.sh $targets || status=1

for t in $targets; do
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/$t.log" | tail -1)
    [ "$(cat "$dir/$t.rc")" = 0 ] || continue
    # Merge into an empty directory: only inputs that add a feature are kept.
    rm -rf "$dir/merged/$t"
    mkdir -p "$dir/merged/$t"
    "$dir/tests/fuzz/$t" -merge=1 "$dir/merged/$t" "tests/fuzz/corpus/$t" "$dir/corpus/$t" \
        >"$dir/$t.merge.log" 2>&1
    rm -rf "tests/fuzz/corpus/$t"
    cp -r "$dir/merged/$t" "tests/fuzz/corpus/$t"
    echo "campaign: $t: ${executed:-?} executions, corpus $(find "tests/fuzz/corpus/$t" -type f | wc -l) files," \
        "$(cat "tests/fuzz/corpus/$t"/* | wc -c) bytes"
done

# The kept inputs, once each, under ASan and UBSan.
FUZZ_SECONDS=0 sh tools/fuzz.sh $targets || status=1
exit $status
