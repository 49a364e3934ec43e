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

# One handle driven from several threads, under ThreadSanitizer (a race fails the test).
echo "== meson test: ThreadSanitizer"
[ -f build/tsan/build.ninja ] || meson setup build/tsan -Db_sanitize=thread -Db_lundef=false
ninja -C build/tsan tests/api_threads
meson test -C build/tsan --no-rebuild --print-errorlogs threads || status=1

python3 tools/test_summary.py build/native build/x86_64 build/i686 build/tsan || status=1
exit $status
