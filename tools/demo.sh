#!/bin/sh
# Set up, build every target and run the Windows conformance program against
# our websocket.dll under Wine, showing its results.
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
cd "$(dirname "$0")/.."

sh tools/setup.sh
sh tools/build.sh

echo "== websocket_test.exe under Wine, with WINEDEBUG=+loaddll to show which websocket.dll loads"
WINEDEBUG=+loaddll python3 tools/exe_wrapper.py build/x86_64 build/x86_64/tests/websocket_test.exe 2>&1 \
    | grep -iE "websocket|tests executed|Test "
