#!/bin/sh
# Install what the build and the tests need on Debian 12.  Idempotent and
# non-interactive: packages already installed are left alone, and apt-get runs
# only when something is missing.
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu

PACKAGES="
    meson ninja-build pkg-config python3 g++
    mingw-w64 mingw-w64-tools wine wine64 libwine-dev
    libcmocka-dev
    clang libclang-rt-14-dev valgrind gcovr
    python3-websockets nodejs node-ws
    libwslay-dev libboost-dev
    qemu-user g++-multilib libcmocka-dev:i386
"

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

# build/i686-linux: 32-bit Linux programs, run under qemu-user, need the :i386
# libraries (cmocka, and the C library they pull in).
if ! dpkg --print-foreign-architectures | grep -qx i386; then
    echo "setup: adding the i386 architecture"
    $sudo dpkg --add-architecture i386
fi

missing=""
for package in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $package"
    fi
done

if [ -z "$missing" ]; then
    echo "setup: everything is installed"
    exit 0
fi

echo "setup: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# With i386 enabled, wine64 recommends wine32: never install it (the kernel
# cannot run it, and /usr/bin/wine would pick it over the 64-bit loader).
# shellcheck disable=SC2086
$sudo apt-get install -y -qq -o Dpkg::Use-Pty=0 $missing wine32:i386- >/dev/null
echo "setup: done"
