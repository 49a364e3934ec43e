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
    mingw-w64 wine wine64 libwine-dev
    libcmocka-dev
    clang libclang-rt-14-dev valgrind
    python3-websockets nodejs node-ws
    libwslay-dev libboost-dev
"

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
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq -o Dpkg::Use-Pty=0 $missing >/dev/null
echo "setup: done"
