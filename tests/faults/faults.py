#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Fault injection against `wsecho server`: misbehaving peers over loopback,
output in TAP.

  faults.py --wsecho PROGRAM --build-dir DIR [--connections N] [--no-rss]
            [--warm-up] [--only NAME[,NAME...]] [--skip REASON]

Peers that reset TCP in the middle of a frame and of the handshake, stop
reading while the server has 64 MiB to send them, trickle the handshake one
byte a second, send garbage instead of HTTP or an upgrade request of 1 MiB,
vanish without a close frame, and N connections (default 1000) opened and
dropped at once; a server full at --max-connections (503); a stop request
(SIGINT) with peers that answer the 1001 close and one that does not.

After each fault: a new client is still echoed byte for byte; every
connection ends, and the server's counters (GET /.wsecho/stats) show every
handle it created deleted; its RSS comes back within 10 % of the baseline
(--no-rss where an allocator keeps freed memory on purpose, as AddressSanitizer
does); at the end it exits 0 on SIGINT, and a sanitized build wrote no report.

The baseline is the server's RSS when idle after one client.  --warm-up takes
it after a first round of N connections instead, for Wine: its heap keeps the
blocks a peak of connections freed for reuse and gives none back, so RSS
stays at that first peak (flat over later rounds) rather than going back.

A PE wsecho.exe runs under Wine through tools/exe_wrapper.py.  Everything is
bounded in time; only loopback addresses are used.
"""
import argparse
import base64
import hashlib
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
EXE_WRAPPER = os.path.join(SOURCE_ROOT, "tools", "exe_wrapper.py")
sys.path.insert(0, os.path.dirname(HERE))
from sanitizer_reports import sanitizer_reports  # noqa: E402
from tap import Tap  # noqa: E402
sys.path.insert(0, os.path.join(SOURCE_ROOT, "tools", "wsecho"))
from wsecho_stats import read_stats  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "wire"))
from wire_peer import mask_bytes  # noqa: E402

START_TIMEOUT = 90          # the first Wine process in a prefix starts slowly
SETTLE_TIMEOUT = 20         # for connections to end after a fault
HANDSHAKE_TIMEOUT = 3       # the server's --handshake-timeout in this test
RSS_SLACK = 0.10
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
HOST = "127.0.0.1"


# ---- a WebSocket client on raw sockets, written here: no library between the
# test and the bytes it sends ----

def frame(opcode, payload, fin=True, masked=True, claimed_length=None):
    length = len(payload) if claimed_length is None else claimed_length
    head = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if masked else 0
    if length < 126:
        head += bytes([bit | length])
    elif length < 65536:
        head += bytes([bit | 126]) + struct.pack(">H", length)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", length)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + mask_bytes(payload, key)


def upgrade_request(path="/", extra=b""):
    key = base64.b64encode(os.urandom(16))
    request = (b"GET " + path.encode() + b" HTTP/1.1\r\nHost: " + HOST.encode() + b"\r\n"
               b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key + b"\r\n"
               b"Sec-WebSocket-Version: 13\r\n" + extra + b"\r\n")
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    return request, accept


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def reset(sock):
    """Close with a TCP reset (linger 0), as a crashed peer's kernel does."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class Client:
    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def upgrade(self):
        request, accept = upgrade_request()
        self.sock.sendall(request)
        head, self.buffer = read_head(self.sock)
        lines = head.split(b"\r\n")
        if not lines[0].startswith(b"HTTP/1.1 101"):
            raise ConnectionError(f"no upgrade: {lines[0]!r}")
        if b"sec-websocket-accept: " + accept.lower() not in head.lower():
            raise ConnectionError("wrong Sec-WebSocket-Accept")
        return self

    def _need(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("connection closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def read_frame(self):
        b0, b1 = self._need(2)
        length = b1 & 0x7F
        if length == 126:
            length = struct.unpack(">H", self._need(2))[0]
        elif length == 127:
            length = struct.unpack(">Q", self._need(8))[0]
        if b1 & 0x80:
            raise ConnectionError("the server masked a frame")
        return b0 & 0x80, b0 & 0x0F, self._need(length)

    def read_message(self):
        """(opcode, payload) of the next whole message or control frame."""
        fin, opcode, payload = self.read_frame()
        while not fin and opcode < 8:
            fin, more_opcode, more = self.read_frame()
            if more_opcode >= 8:
                continue
            payload += more
        return opcode, payload

    def send(self, opcode, payload):
        self.sock.sendall(frame(opcode, payload))

    def close(self, status=1000):
        """The closing handshake: our close, the server's answer, its FIN."""
        self.send(8, struct.pack(">H", status))
        opcode, payload = self.read_message()
        ok = opcode == 8 and payload[:2] == struct.pack(">H", status)
        ok = ok and self.sock.recv(1) == b""
        self.sock.close()
        return ok


def echo_check(port, sizes=(0, 1, 125, 126, 65535, 65536, 300000)):
    """A new client: text and binary messages echoed byte for byte, then a clean close."""
    try:
        c = Client(port).upgrade()
        for size in sizes:
            for opcode, payload in ((1, b"x" * size), (2, os.urandom(size))):
                c.send(opcode, payload)
                if c.read_message() != (opcode, payload):
                    return False, f"the echo of {size} bytes (opcode {opcode}) differs"
        return c.close(), "the closing handshake"
    except (OSError, ConnectionError) as e:
        return False, f"echo failed: {e}"


# ---- the server under test ----

class Server:
    def __init__(self, args, workdir, name, extra=()):
        program = os.path.abspath(args.wsecho)
        self.wine = program.lower().endswith(".exe")
        argv = [program, "server", "--port", "0", "--host", HOST,
                "--handshake-timeout", str(HANDSHAKE_TIMEOUT), *extra]
        if self.wine:
            argv = [sys.executable, EXE_WRAPPER, os.path.abspath(args.build_dir), *argv]
        self.err_path = os.path.join(workdir, f"{name}.err")
        self.name = name
        with open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=err)
        self.port = None
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline and self.proc.poll() is None:
            found = re.search(rb"listening on 127\.0\.0\.1:(\d+)", self.log())
            if found:
                self.port = int(found.group(1))
                break
            time.sleep(0.05)

    def log(self):
        with open(self.err_path, "rb") as f:
            return f.read()

    def stats(self):
        values = read_stats(self.port)
        values["connections"] -= 1     # not counting the one asking
        return values

    def settle(self, timeout=SETTLE_TIMEOUT):
        """The stats once every connection ended (or the last seen)."""
        deadline = time.time() + timeout
        while True:
            stats = self.stats()
            if stats["connections"] == 0 or time.time() > deadline:
                return stats
            time.sleep(0.1)

    def stop(self, timeout=30, signalled=False):
        """SIGINT, as Ctrl-C (unless sent already: a second one ends the server
        at once); the exit status, or None if it did not exit."""
        if self.proc.poll() is None and not signalled:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# ---- the faults; each returns (ok, details) or raises ----

def fault_reset_mid_frame(server, n):
    c = Client(server.port).upgrade()
    c.sock.sendall(frame(2, os.urandom(1000))[:300])   # the header and part of the payload
    time.sleep(0.1)
    reset(c.sock)
    return True, ""


def fault_reset_mid_handshake(server, n):
    request, _ = upgrade_request()
    s = socket.create_connection((HOST, server.port), timeout=10)
    s.sendall(request[:len(request) // 2])
    time.sleep(0.1)
    reset(s)
    return True, ""


def fault_stop_reading(server, n):
    """64 MiB of messages to echo and a peer that never reads: the server
    must stop reading from it rather than hold all of it."""
    c = Client(server.port).upgrade()
    c.sock.settimeout(None)
    message = frame(2, os.urandom(1 << 20))
    sent = [0]

    def push():
        try:
            for _ in range(64):
                c.sock.sendall(message)
                sent[0] += 1
        except OSError:
            pass
    pusher = threading.Thread(target=push, daemon=True)
    pusher.start()
    # Wait until the pushing stalls: both directions' buffers are full.
    last, still = -1, 0
    for _ in range(300):
        time.sleep(0.1)
        if sent[0] == last:
            still += 1
            if still >= 20:
                break
        else:
            last, still = sent[0], 0
    rss_held = server.stats()["rss"]
    # Wake the blocked sender first: a socket closed under a thread blocked
    # in send() stays open until that send returns.
    c.sock.shutdown(socket.SHUT_RDWR)
    pusher.join(10)
    reset(c.sock)
    ok = sent[0] < 64
    return ok, (f"the peer pushed {sent[0]} MiB of 64 without reading; the server's RSS meanwhile "
                f"{rss_held / 2**20:.1f} MiB")


def fault_trickle(server, n):
    """One byte a second: dropped when --handshake-timeout runs out, while
    other clients are served."""
    request, _ = upgrade_request()
    s = socket.create_connection((HOST, server.port), timeout=30)
    start = time.time()
    dropped_after = None
    served_meanwhile = None
    for i, byte in enumerate(request):
        try:
            s.sendall(bytes([byte]))
        except OSError:
            dropped_after = time.time() - start
            break
        if i == 1:
            served_meanwhile = echo_check(server.port, sizes=(10,))[0]
        s.settimeout(1.0)
        try:
            if s.recv(1) == b"":
                dropped_after = time.time() - start
                break
        except socket.timeout:
            pass
        except OSError:
            dropped_after = time.time() - start
            break
    s.close()
    ok = (dropped_after is not None and HANDSHAKE_TIMEOUT - 0.5 <= dropped_after <= HANDSHAKE_TIMEOUT + 3
          and served_meanwhile)
    return ok, (f"dropped after {dropped_after if dropped_after is None else round(dropped_after, 1)} s "
                f"(--handshake-timeout {HANDSHAKE_TIMEOUT}); another client served meanwhile: {served_meanwhile}")


def expect_refusal(request, port, codes):
    s = socket.create_connection((HOST, port), timeout=10)
    answer = b""
    try:
        s.sendall(request)
    except OSError:
        pass                                    # refused before all of it went
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    except OSError:
        pass                                    # a reset after the answer
    s.close()
    status = answer.split(b"\r\n", 1)[0]
    return any(status.startswith(b"HTTP/1.1 " + code) for code in codes), f"answer: {status[:60]!r}"


def fault_garbage(server, n):
    ok1, d1 = expect_refusal(os.urandom(2000).replace(b"\r\n\r\n", b"") + b"\r\n\r\n", server.port, [b"400"])
    ok2, d2 = expect_refusal(b"\x16\x03\x01\x02\x00" + os.urandom(30000).replace(b"\r\n\r\n", b""),
                             server.port, [b"400"])
    return ok1 and ok2, f"garbage ending in CRLF CRLF: {d1}; 30 KB of garbage: {d2}"


def fault_huge_request(server, n):
    request, _ = upgrade_request(extra=b"X-Padding: " + b"a" * (1 << 20) + b"\r\n")
    return expect_refusal(request, server.port, [b"400"])


def fault_vanish(server, n):
    c = Client(server.port).upgrade()
    c.send(1, b"hello")
    ok = c.read_message() == (1, b"hello")
    c.sock.close()                               # a FIN, no close frame
    return ok, "echo before vanishing"


def fault_many(server, n):
    """n connections upgraded at once, then dropped at once: half reset, half FIN."""
    socks = []
    accepts = []
    for _ in range(n):
        s = socket.create_connection((HOST, server.port), timeout=60)
        request, accept = upgrade_request()
        s.sendall(request)
        socks.append(s)
        accepts.append(accept)
    upgraded = 0
    for s, accept in zip(socks, accepts):
        head, _ = read_head(s)
        upgraded += head.startswith(b"HTTP/1.1 101") and accept in head
    idle = server.stats()
    for i, s in enumerate(socks):
        if i % 2:
            reset(s)
        else:
            s.close()
    ok = upgraded == n and idle["connections"] == n
    before = server.baseline_stats
    per_rss = (idle["rss"] - before["rss"]) / n / 1024
    per_heap = (idle["heap_in_use"] - before["heap_in_use"]) / n / 1024
    return ok, (f"{upgraded} of {n} upgraded; {idle['connections']} open at the peak; "
                f"per idle connection: RSS {per_rss:.1f} KiB, heap in use {per_heap:.1f} KiB")


FAULTS = [
    ("reset-mid-frame", "a peer resets TCP in the middle of a frame", fault_reset_mid_frame),
    ("reset-mid-handshake", "a peer resets TCP in the middle of its upgrade request", fault_reset_mid_handshake),
    ("stop-reading", "a peer stops reading with 64 MiB to be echoed", fault_stop_reading),
    ("trickle", "a peer trickles its upgrade request one byte a second", fault_trickle),
    ("garbage", "a peer sends garbage instead of HTTP", fault_garbage),
    ("huge-request", "a peer sends an upgrade request of 1 MiB", fault_huge_request),
    ("vanish", "a peer vanishes without a close frame", fault_vanish),
    ("many", "connections opened and dropped at once", fault_many),
]


def check_recovered(tap, server, name, baseline, check_rss):
    stats = server.settle()
    ok, details = echo_check(server.port)
    tap.result(ok, f"{name}: a new client is echoed byte for byte", [details])
    stats = server.settle()
    open_handles = stats["handles_created"] - stats["handles_deleted"]
    tap.result(stats["connections"] == 0 and open_handles == 0,
               f"{name}: every connection ended and every handle was deleted "
               f"({stats['handles_created']} created)",
               [f"stats: {stats}"])
    if check_rss:
        rss = stats["rss"]
        deadline = time.time() + 5
        while rss > baseline * (1 + RSS_SLACK) and time.time() < deadline:
            time.sleep(0.25)                     # memory goes back as threads end
            rss = server.stats()["rss"]
        tap.result(rss <= baseline * (1 + RSS_SLACK),
                   f"{name}: RSS {rss / 2**20:.1f} MiB, within 10 % of the baseline {baseline / 2**20:.1f} MiB",
                   [f"{(rss / baseline - 1) * 100:+.1f} %"])


def run_faults(tap, args, workdir, only):
    server = Server(args, workdir, "server", ["--max-connections", str(args.connections + 16)])
    if not tap.result(server.port is not None, "the server started", [server.log()[-2000:]]):
        server.kill()
        return [server]
    # The baseline: idle, after a first client, with the allocator and the
    # thread machinery in use once (the first connection of a process sets
    # them up; that is not what a fault costs).
    echo_check(server.port)
    server.baseline_stats = server.settle()
    if args.warm_up:
        fault_many(server, args.connections)
        server.settle()
    baseline = server.settle()["rss"]
    tap.note(f"baseline RSS {baseline / 2**20:.1f} MiB")
    for name, description, fault in FAULTS:
        if only and name not in only:
            continue
        started = time.time()
        try:
            ok, details = fault(server, args.connections)
        except (OSError, ConnectionError, ValueError) as e:
            ok, details = False, f"{type(e).__name__}: {e}"
        label = f"{description} ({args.connections})" if name == "many" else description
        tap.result(ok, f"{name}: {label}", [details])
        tap.note(f"{name}: {details} [{time.time() - started:.1f} s]")
        check_recovered(tap, server, name, baseline, not args.no_rss)

    if not only or "stop" in only:
        # A stop request with three upgraded peers (two answer the 1001 close,
        # one does not) and one in the middle of its handshake.
        peers = [Client(server.port).upgrade() for _ in range(3)]
        half = socket.create_connection((HOST, server.port), timeout=10)
        half.sendall(upgrade_request()[0][:20])
        time.sleep(0.2)
        started = time.time()
        server.proc.send_signal(signal.SIGINT)
        closes = []
        for i, p in enumerate(peers):
            try:
                opcode, payload = p.read_message()
                closes.append((opcode, struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None))
                if i < 2:
                    p.send(8, payload[:2])
            except (OSError, ConnectionError) as e:
                closes.append(str(e))
        status = server.stop(timeout=30, signalled=True)
        took = time.time() - started
        tap.result(closes == [(8, 1001)] * 3, "stop: every upgraded peer got a close with 1001", [closes])
        tap.result(status == 0, f"stop: the server exited with status 0 in {took:.1f} s "
                   "(one peer never answered the close)", [f"status {status}", server.log()[-1500:]])
        for p in peers:
            p.sock.close()
        half.close()
    else:
        server.stop()
    return [server]


def run_full_server(tap, args, workdir):
    """--max-connections 4: the fifth peer gets 503, and a place freed is taken again."""
    server = Server(args, workdir, "full", ["--max-connections", "4"])
    if server.port is None:
        tap.result(False, "full: the server started", [server.log()[-2000:]])
        server.kill()
        return [server]
    peers = [Client(server.port).upgrade() for _ in range(4)]
    request, _ = upgrade_request()
    refused, details = expect_refusal(request, server.port, [b"503"])
    peers[0].close()
    peers = peers[1:]
    deadline = time.time() + 10
    taken = False
    while not taken and time.time() < deadline:
        try:
            peers.append(Client(server.port).upgrade())
            taken = True
        except (OSError, ConnectionError):
            time.sleep(0.1)
    tap.result(refused, "full: a fifth peer is answered 503 at --max-connections 4", [details])
    tap.result(taken, "full: the place a closed connection frees is taken again")
    for p in peers:
        p.close()
    status = server.stop()
    tap.result(status == 0, "full: exit status 0 on SIGINT", [f"status {status}"])
    return [server]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wsecho", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--no-rss", action="store_true")
    parser.add_argument("--warm-up", action="store_true")
    parser.add_argument("--only", default="")
    parser.add_argument("--skip")
    args = parser.parse_args()
    tap = Tap()
    if args.skip:
        print(f"1..0 # SKIP {args.skip}")
        return 0
    only = set(filter(None, args.only.split(",")))
    workdir = tempfile.mkdtemp(prefix="ws-faults-")
    servers = []
    try:
        servers += run_faults(tap, args, workdir, only)
        if not only or "full" in only:
            servers += run_full_server(tap, args, workdir)
    finally:
        for server in servers:
            server.kill()
    reports = []
    for server in servers:
        reports += sanitizer_reports(server.err_path, server.name)
    tap.result(not reports, "wsecho wrote no sanitizer report", reports[:10])
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
