#!/bin/sh
# Show Wine's own limits on the paths that lead to websocket.dll (README,
# "Wine's own limits"): runs build/x86_64/tools/wine_limits_probe.exe under
# Wine with the default WINEDEBUG (fixme and err on) and prints what it said
# and the Wine messages that tell these limits apart from this DLL's.
# Build first (sh tools/build.sh).  Not a test: it exits 0 whatever Wine does.
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
cd "$(dirname "$0")/.."

probe=build/x86_64/tools/wine_limits_probe.exe
[ -f "$probe" ] || { echo "wine-limits: $probe is missing: run sh tools/build.sh" >&2; exit 1; }

run() {
    echo "== probe $*"
    # An empty WINEDEBUG: Wine's default channels, fixme included.  A stub's
    # abort starts winedbg, whose dump is left out.
    WINEDEBUG= WINEDLLOVERRIDES="winedbg.exe=d" timeout 120 python3 tools/exe_wrapper.py build/x86_64 "$probe" "$@" 2>&1 \
        | grep -E '^probe:|fixme:(http|winhttp)|unimplemented function' | grep -v '^wine: Unimplemented' || true
}

run version
run server
run winhttp
run stub HttpCancelHttpRequest
run stub HttpSendResponseEntityBody
