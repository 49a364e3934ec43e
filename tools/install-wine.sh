#!/bin/sh
# Install the built websocket.dll into a Wine prefix, so that every program in
# that prefix uses it instead of Wine's stub:
#   build/x86_64 websocket.dll  -> C:\windows\system32   (64-bit programs)
#   build/i686   websocket.dll  -> C:\windows\syswow64   (32-bit programs; when the
#                                  prefix has one, or system32 of a 32-bit prefix)
# and the DLL override websocket = native,builtin in HKCU\Software\Wine\DllOverrides.
#
#   sh tools/install-wine.sh              install into $WINEPREFIX (default ~/.wine)
#   sh tools/install-wine.sh --uninstall  remove the override and our files; Wine's
#                                          own websocket.dll comes back (wineboot -u)
#
# Build first (sh tools/build.sh).  The prefix is created when it does not exist.
# WS_DLL64 and WS_DLL32 name other DLL files to install (tests/windows does).
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
cd "$(dirname "$0")/.."

prefix=${WINEPREFIX:-$HOME/.wine}
export WINEPREFIX="$prefix"
export WINEDEBUG="${WINEDEBUG:--all}"
dll64=${WS_DLL64:-build/x86_64/dlls/websocket/websocket.dll}
dll32=${WS_DLL32:-build/i686/dlls/websocket/websocket.dll}
key='HKCU\Software\Wine\DllOverrides'

# The 64-bit loader runs both kinds of prefix' tools (Debian: wine64 package).
wine=""
for candidate in /usr/lib/wine/wine64 "$(command -v wine64 || true)" "$(command -v wine || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
        wine=$candidate
        break
    fi
done
[ -n "$wine" ] || { echo "install-wine: no Wine found (sh tools/setup.sh installs it)" >&2; exit 1; }
wineserver=$(dirname "$wine")/wineserver
[ -x "$wineserver" ] || wineserver=$(command -v wineserver || echo wineserver)

if [ ! -f "$prefix/system.reg" ]; then
    echo "install-wine: creating the Wine prefix $prefix"
    # No display needed, and no Mono or Gecko prompt.
    WINEDLLOVERRIDES="mscoree,mshtml=" "$wine" wineboot.exe -i >/dev/null 2>&1
    "$wineserver" -w
fi

windows="$prefix/drive_c/windows"
if grep -q '^#arch=win32' "$prefix/system.reg"; then
    # A 32-bit prefix: system32 holds the 32-bit DLLs.
    dir64=""
    dir32="$windows/system32"
else
    dir64="$windows/system32"
    dir32=""
    [ -d "$windows/syswow64" ] && dir32="$windows/syswow64"
fi

if [ "${1:-}" = "--uninstall" ]; then
    "$wine" reg delete "$key" /v websocket /f >/dev/null 2>&1 || true
    [ -z "$dir64" ] || rm -f "$dir64/websocket.dll"
    [ -z "$dir32" ] || rm -f "$dir32/websocket.dll"
    # Puts Wine's own files back where they are missing.
    "$wine" wineboot.exe -u >/dev/null 2>&1
    "$wineserver" -w
    echo "install-wine: removed from $prefix; Wine's websocket.dll is back"
    exit 0
fi
[ $# -eq 0 ] || { sed -n '2,14p' "$0" >&2; exit 2; }

if [ -n "$dir64" ] && [ ! -f "$dll64" ]; then
    echo "install-wine: $dll64 is missing: run sh tools/build.sh" >&2
    exit 1
fi
if [ -n "$dir32" ] && [ ! -f "$dll32" ]; then
    echo "install-wine: $dll32 is missing: run sh tools/build.sh (32-bit programs keep Wine's stub)" >&2
    [ -n "$dir64" ] || exit 1
    dir32=""
fi

echo "install-wine: installing into $prefix"
if [ -n "$dir64" ]; then
    cp "$dll64" "$dir64/websocket.dll"
    echo "  $dll64 -> $dir64/websocket.dll"
fi
if [ -n "$dir32" ]; then
    cp "$dll32" "$dir32/websocket.dll"
    echo "  $dll32 -> $dir32/websocket.dll"
fi

# Wine prefers its builtin DLL unless told otherwise.
"$wine" reg add "$key" /v websocket /t REG_SZ /d native,builtin /f >/dev/null
# The registry reaches user.reg when the wineserver exits.
"$wineserver" -w
echo "  $key: websocket = native,builtin"
