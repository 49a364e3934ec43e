#!/bin/sh
# Configure (once) and build every target:
#   build/native   ELF shared and static library, cmocka and conformance tests
#   build/x86_64   websocket.dll PE32+ and its tests (run under Wine)
#   build/i686     websocket.dll PE32 (built and export-checked)
#   build/i686-linux  the ELF library and its tests as 32-bit programs (run under qemu-user)
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
cd "$(dirname "$0")/.."

configure() {
    dir=$1
    shift
    [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@"
}

configure build/native
configure build/x86_64 --cross-file tools/cross/x86_64-w64-mingw32.ini
configure build/i686 --cross-file tools/cross/i686-w64-mingw32.ini
configure build/i686-linux --cross-file tools/cross/i686-linux-gnu.ini

for target in native x86_64 i686 i686-linux; do
    ninja -C "build/$target"
done
