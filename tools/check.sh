#!/bin/sh
# Set up, build every target and run every test; the last line counts them all.
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
cd "$(dirname "$0")/.."

sh tools/setup.sh
sh tools/build.sh

status=0
for target in native x86_64 i686; do
    echo "== meson test: $target"
    meson test -C "build/$target" --print-errorlogs --num-processes 2 || status=1
done

# The i686 code executed: unit, api, conformance, interop and wire suites as
# 32-bit Linux programs under qemu-i386 (the fault-injection suite's thousand
# connections would take minutes there).
echo "== meson test: i686-linux (qemu-i386)"
meson test -C build/i686-linux --print-errorlogs --num-processes 2 --no-suite faults || status=1

# One handle driven from several threads, the handle table closing handles
# while other threads call on them, and the wsecho server's threads under the
# fault injection, under ThreadSanitizer (a race fails the test).
echo "== meson test: ThreadSanitizer"
[ -f build/tsan/build.ninja ] || meson setup build/tsan -Db_sanitize=thread -Db_lundef=false
ninja -C build/tsan tests/api_threads tests/api_call_races tests/unit_handle_table tests/lock_test tools/wsecho/wsecho
meson test -C build/tsan --no-rebuild --print-errorlogs threads call_races handle_table lock faults || status=1

# The whole native suite under AddressSanitizer and UndefinedBehaviorSanitizer
# (gcc), wsecho included for the interop and wire suites: a report fails the
# test (wsecho's are looked for in its standard error, leaks at its exit).
echo "== meson test: AddressSanitizer + UndefinedBehaviorSanitizer"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
[ -f build/asan/build.ninja ] || meson setup build/asan -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build/asan
meson test -C build/asan --print-errorlogs --num-processes 2 || status=1

# Valgrind memcheck over the api tests (the threads test too: valgrind runs
# its threads one at a time, ThreadSanitizer above looks for races) and the
# conformance program (14.7 million checks, about 20 s under valgrind).
echo "== valgrind memcheck"
mkdir -p build/valgrind/meson-logs
: >build/valgrind/meson-logs/testlog.json
programs="api_hresult api_allocations api_out_of_memory api_regressions api_hostile api_hostile_catalogue api_threads api_call_races websocket_test"
for program in $programs; do
    result=OK
    valgrind -q --error-exitcode=1 --leak-check=full --log-file="build/valgrind/$program.log" \
        "build/native/tests/$program" >"build/valgrind/$program.out" 2>&1 || result=FAIL
    echo "valgrind: $program: $result"
    if [ "$result" != OK ]; then
        status=1
        tail -n 30 "build/valgrind/$program.log" "build/valgrind/$program.out"
    fi
    printf '{"name": "valgrind-%s", "result": "%s"}\n' "$program" "$result" >>build/valgrind/meson-logs/testlog.json
done

# libFuzzer targets (tests/fuzz), FUZZ_SECONDS each, two at a time, from the
# committed corpus.
echo "== fuzz"
sh tools/fuzz.sh || status=1

# Line and branch coverage of the module: every line, 95 % of branches.
echo "== coverage"
sh tools/coverage.sh --check || status=1

python3 tools/test_summary.py build/native build/x86_64 build/i686 build/i686-linux build/tsan \
    build/asan build/valgrind build/fuzz || status=1
exit $status
