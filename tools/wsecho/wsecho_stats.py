# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The statistics page of `wsecho server` (GET /.wsecho/stats), for the
programs that watch a running server: tests/faults and tools/bench."""
import json
import socket

STATS_PATH = "/.wsecho/stats"


def read_stats(port, host="127.0.0.1", timeout=10):
    """The server's counters as a dict ("connections" counts this request's
    own connection too); raises OSError or ValueError."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(f"GET {STATS_PATH} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        answer = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200"):
        raise ValueError(f"stats: {head[:60]!r}")
    return json.loads(body)
