#!/usr/bin/python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A minimal echo server on Python `websockets` (asyncio; Debian's
python3-websockets, so run it with /usr/bin/python3): a peer to measure wsecho
against in load_bench.py and soak.py.  Echoes every message with its type;
answers a close with the same status.  No compression, messages up to 128 MiB,
no keepalive pings (a loaded client late with a pong must not be cut off).

  /usr/bin/python3 tools/bench/echo_python.py [--port N] [--host ADDRESS]

Prints "PORT n" on standard output once listening (--port 0: any free port).
"""
import argparse
import asyncio
import signal
import sys

import websockets


async def echo(ws, path=None):
    # A client dropping its connection is normal under load, not a failure.
    try:
        async for message in ws:
            await ws.send(message)
    except websockets.ConnectionClosed:
        pass


async def serve(host, port):
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set_result, None)
    async with websockets.serve(echo, host, port, compression=None, max_size=128 * 1024 * 1024,
                                ping_interval=None) as server:
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        await stop


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
