#!/usr/bin/python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Interop peer on Python `websockets` (Debian's python3-websockets, 10.x):
the other end of wsecho in tests/interop/interop.py.

  peer_python.py server                  listen on 127.0.0.1, any free port
  peer_python.py client SCENARIO URL [ARG...]

The server prints "PORT n", then one "RESULT {json}" line per connection,
chosen by the request path:
  /echo                    (wsecho client --echo) sends every test message,
                           checks each echo, pings, closes with 4000 "server bye"
  /lines?status=S&reason=R&lines=N
                           (wsecho client reading stdin) pings and echoes each
                           message until the client's close, checks it got N
                           messages, every pong, and the close carries S and R
  /nosub                   accepts without a subprotocol, waits for the end
  /reject                  answers 404 instead of 101
The client prints one RESULT line:
  full URL                 offers superchat, chat; expects chat; the whole
                           exchange; closes with 4003 "client bye"
  nosub URL                no subprotocol; one message; closes with 1000
  server-close URL S R     one message, then expects the server's close S R
A RESULT is {"name": ..., "ok": bool, "errors": [...]}.
"""
import asyncio
import http
import json
import random
import sys
import urllib.parse

import websockets

SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20]
TIMEOUT = 30
# Each unit is 10 bytes of UTF-8 (1 + 2 + 3 + 4), so chunk edges fall inside characters.
UNIT = "a\u00e9\u20ac\U0001F600"


def text_of(size):
    return UNIT * (size // 10) + "z" * (size % 10)


def binary_of(size, seed):
    return random.Random(seed).randbytes(size)


class Checks:
    def __init__(self, name):
        self.name = name
        self.errors = []

    def check(self, condition, message):
        if not condition:
            self.errors.append(message)
        return condition

    def report(self):
        line = json.dumps({"name": self.name, "ok": not self.errors, "errors": self.errors})
        print("RESULT " + line, flush=True)


def describe(value):
    kind = "text" if isinstance(value, str) else "binary"
    length = len(value.encode() if isinstance(value, str) else value)
    return f"{kind} of {length} bytes"


async def expect_echo(ws, sent, checks, what):
    got = await asyncio.wait_for(ws.recv(), TIMEOUT)
    checks.check(type(got) is type(sent), f"{what}: sent {describe(sent)}, got {describe(got)}")
    checks.check(got == sent, f"{what}: the echo differs ({describe(got)})")


async def exchange(ws, checks):
    """Everything a peer sends and checks, whichever side it is."""
    for text in (True, False):
        for size in SIZES:
            message = text_of(size) if text else binary_of(size, size)
            await ws.send(message)
            await expect_echo(ws, message, checks, describe(message))

    # A fragmented text message with a ping between its frames; websockets
    # ends it with an empty final frame.
    pongs = []

    async def text_fragments():
        yield "Hel"
        yield "lo, "
        pongs.append(await ws.ping(b"inside"))
        yield "w\u00f6rld "
        yield "\u20ac\U0001F600"

    await ws.send(text_fragments())
    await expect_echo(ws, "Hello, w\u00f6rld \u20ac\U0001F600", checks, "fragmented text")
    await asyncio.wait_for(pongs[0], TIMEOUT)

    parts = [binary_of(70000, 1), b"", b"\x01", binary_of(5000, 2)]
    await ws.send(parts)
    await expect_echo(ws, b"".join(parts), checks, "fragmented binary")

    # A ping with a payload: the future resolves only on a pong with the same payload.
    waiter = await ws.ping(b"ping-42")
    await asyncio.wait_for(waiter, TIMEOUT)

    # An unsolicited pong must change nothing.
    await ws.pong(b"unsolicited")
    await ws.send("after pong")
    await expect_echo(ws, "after pong", checks, "message after an unsolicited pong")


async def guarded(checks, body):
    try:
        await asyncio.wait_for(body(), 3 * TIMEOUT)
    except Exception as error:  # every failure becomes a RESULT, never a hang
        checks.check(False, f"{type(error).__name__}: {error}")
    checks.report()


# ---- server ----

async def serve_echo(ws, checks):
    checks.check(ws.subprotocol == "chat", f"subprotocol {ws.subprotocol!r}, expected 'chat'")
    await exchange(ws, checks)
    await asyncio.wait_for(ws.close(4000, "server bye"), TIMEOUT)
    checks.check((ws.close_code, ws.close_reason) == (4000, "server bye"),
                 f"close answered with {ws.close_code} {ws.close_reason!r}")


async def serve_lines(ws, checks, query):
    status = int(query.get("status", ["1000"])[0])
    reason = query.get("reason", [""])[0]
    lines = int(query.get("lines", ["0"])[0])
    count = 0
    pongs = []
    while True:
        try:
            message = await ws.recv()
        except websockets.ConnectionClosed:
            break
        count += 1
        try:
            # A ping ahead of each echo: the client answers it from its
            # receiving thread while its other thread sends.
            pongs.append(await ws.ping(f"line {count}".encode()))
            await ws.send(message)
        except websockets.ConnectionClosed:
            pass  # the client's close came first: nothing more may be sent
    await ws.wait_closed()
    checks.check((ws.close_code, ws.close_reason) == (status, reason),
                 f"client closed with {ws.close_code} {ws.close_reason!r}, expected {status} {reason!r}")
    checks.check(count == lines, f"{count} messages received, expected {lines}")
    answered = sum(1 for p in pongs if p.done() and not p.cancelled() and p.exception() is None)
    checks.check(answered == len(pongs), f"{answered} of {len(pongs)} pings answered")


async def serve_nosub(ws, checks):
    checks.check(ws.subprotocol is None, f"subprotocol {ws.subprotocol!r}")
    await asyncio.wait_for(ws.wait_closed(), TIMEOUT)


async def handler(ws, path=None):
    url = urllib.parse.urlsplit(ws.path)
    checks = Checks("server " + url.path)
    if url.path == "/echo":
        body = lambda: serve_echo(ws, checks)
    elif url.path == "/lines":
        body = lambda: serve_lines(ws, checks, urllib.parse.parse_qs(url.query))
    elif url.path == "/nosub":
        body = lambda: serve_nosub(ws, checks)
    else:
        checks.check(False, f"unknown path {ws.path}")
        body = ws.close
    await guarded(checks, body)


async def process_request(path, headers):
    if urllib.parse.urlsplit(path).path == "/reject":
        print("RESULT " + json.dumps({"name": "server /reject", "ok": True, "errors": []}), flush=True)
        return http.HTTPStatus.NOT_FOUND, [("Content-Type", "text/plain")], b"not here\n"
    return None


async def run_server():
    async with websockets.serve(handler, "127.0.0.1", 0, subprotocols=["chat"], max_size=None,
                                ping_interval=None, process_request=process_request) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"PORT {port}", flush=True)
        await asyncio.Future()


# ---- client ----

async def client_full(url, checks):
    async with websockets.connect(url, subprotocols=["superchat", "chat"], max_size=None,
                                  ping_interval=None) as ws:
        checks.check(ws.subprotocol == "chat", f"subprotocol {ws.subprotocol!r}, expected 'chat'")
        await exchange(ws, checks)
        await asyncio.wait_for(ws.close(4003, "client bye"), TIMEOUT)
        checks.check((ws.close_code, ws.close_reason) == (4003, "client bye"),
                     f"close answered with {ws.close_code} {ws.close_reason!r}")


async def client_nosub(url, checks):
    async with websockets.connect(url, max_size=None, ping_interval=None) as ws:
        checks.check(ws.subprotocol is None, f"subprotocol {ws.subprotocol!r}, expected none")
        await ws.send("one")
        await expect_echo(ws, "one", checks, "one message")
        await asyncio.wait_for(ws.close(), TIMEOUT)
        checks.check(ws.close_code == 1000, f"close answered with {ws.close_code}")


async def client_server_close(url, checks, status, reason):
    async with websockets.connect(url, max_size=None, ping_interval=None) as ws:
        await ws.send("trigger")
        await expect_echo(ws, "trigger", checks, "one message")
        await asyncio.wait_for(ws.wait_closed(), TIMEOUT)
        checks.check((ws.close_code, ws.close_reason) == (int(status), reason),
                     f"server closed with {ws.close_code} {ws.close_reason!r}, "
                     f"expected {status} {reason!r}")


async def run_client(scenario, url, args):
    checks = Checks("client " + scenario)
    bodies = {"full": client_full, "nosub": client_nosub, "server-close": client_server_close}
    await guarded(checks, lambda: bodies[scenario](url, checks, *args))
    return not checks.errors


def main(argv):
    if len(argv) >= 2 and argv[1] == "server":
        asyncio.run(run_server())
        return 0
    if len(argv) >= 4 and argv[1] == "client":
        return 0 if asyncio.run(run_client(argv[2], argv[3], argv[4:])) else 1
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
