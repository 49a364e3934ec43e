#!/bin/sh
# Set up, build every target, then a Windows program talks WebSocket through
# our websocket.dll under Wine: a local echo server (the Linux wsecho, on the
# ELF library) and the Windows wsecho.exe client (PE32+, under Wine) exchange a
# few lines over loopback.  Exits non-zero when the exchange failed.
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
cd "$(dirname "$0")/.."

sh tools/setup.sh
sh tools/build.sh

server=build/native/tools/wsecho/wsecho
client=build/x86_64/tools/wsecho/wsecho.exe
work=$(mktemp -d)
server_pid=""
cleanup() {
    [ -z "$server_pid" ] || kill -KILL "$server_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Port 0: the server takes any free loopback port and says which.
"$server" server --host 127.0.0.1 --port 0 --connections 1 2>"$work/server.err" &
server_pid=$!
port=""
for _ in $(seq 100); do
    port=$(sed -n 's/^wsecho: listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$work/server.err")
    [ -n "$port" ] && break
    sleep 0.1
done
if [ -z "$port" ]; then
    cat "$work/server.err"
    echo "demo: FAILED: the echo server did not start"
    exit 1
fi
url="ws://127.0.0.1:$port/demo"

printf '%s\n' "Hello from a Windows program" "running under Wine," \
    "talking WebSocket through websocket.dll." "UTF-8 too: ünïcødé €✓" > "$work/sent"

echo
echo "== echo server: $server (Linux, libwebsocket.so), $url"
echo "== client: $client (Windows x86_64) under Wine, sends its standard input:"
sed 's/^/   > /' "$work/sent"

status=0
WINEDEBUG=+loaddll timeout 120 python3 tools/exe_wrapper.py build/x86_64 "$client" client "$url" \
    <"$work/sent" >"$work/received" 2>"$work/client.err" || status=$?

echo "== and prints what came back:"
sed 's/^/   < /' "$work/received"
echo "== Wine loaded this websocket.dll (WINEDEBUG=+loaddll):"
grep -i 'loaddll.*websocket\.dll' "$work/client.err" | sed 's/^/   /' || true
echo "== client (exit status $status):"
grep '^wsecho:' "$work/client.err" | sed 's/^/   /' || true

# The server ends by itself after its one connection; status 0 = a clean close.
server_status=0
for _ in $(seq 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$server_pid" 2>/dev/null; then
    echo "demo: the server did not end after the connection; stopping it"
    kill -KILL "$server_pid"
fi
wait "$server_pid" || server_status=$?
server_pid=""
echo "== server (exit status $server_status):"
sed 's/^/   /' "$work/server.err"
echo

if [ "$status" -eq 0 ] && [ "$server_status" -eq 0 ] && cmp -s "$work/sent" "$work/received" \
        && grep -qi 'loaddll.*build\\\\x86_64\\\\tools\\\\wsecho\\\\websocket\.dll.*: native' "$work/client.err"; then
    echo "demo: OK: every line came back byte for byte, through the websocket.dll built here"
else
    echo "demo: FAILED"
    exit 1
fi
