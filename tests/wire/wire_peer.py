# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The fuzzing peer of the wire conformance suite: a WebSocket endpoint on a
raw TCP socket that can put any bytes on the wire and records everything the
implementation under test sends back.

Standard library only.  One Peer is one connection, in either role:
  Peer.accept(listener)  the peer is the server (the tested program a client)
  Peer.connect(port)     the peer is the client (the tested program a server)
A thread reads and decodes what the other side sends; the case script sends
from the caller's thread, so a large echo never deadlocks against a large send.
"""
import base64
import hashlib
import os
import socket
import struct
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONTINUATION, OP_TEXT, OP_BINARY = 0x0, 0x1, 0x2
OP_CLOSE, OP_PING, OP_PONG = 0x8, 0x9, 0xA


def accept_value(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def mask_bytes(payload, key):
    """XOR with the 4-byte key, as one big-integer operation (fast for MiBs)."""
    if not payload:
        return b""
    n = len(payload)
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "little") ^ int.from_bytes(stream, "little")).to_bytes(n, "little")


def frame(opcode, payload=b"", fin=True, rsv=0, mask=None, length_form=None, length_value=None):
    """One frame's bytes.  mask: None (peer's role decides), False, True or a
    4-byte key.  length_form: None (minimal), 7, 16 or 64 bits, to write a
    non-minimal length on purpose; length_value overrides the length field."""
    head = bytes([(0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0xF)])
    n = len(payload) if length_value is None else length_value
    if length_form is None:
        length_form = 7 if n < 126 else 16 if n < 65536 else 64
    mask_bit = 0x80 if mask else 0
    if length_form == 7:
        head += bytes([mask_bit | n])
    elif length_form == 16:
        head += bytes([mask_bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack(">Q", n)
    if mask:
        key = mask if isinstance(mask, bytes) else os.urandom(4)
        return head + key + mask_bytes(payload, key)
    return head + payload


def close_payload(code=None, reason=b""):
    if code is None:
        return b""
    return struct.pack(">H", code) + reason


class Event:
    """One thing the implementation did: a frame it sent, or the end of TCP."""

    def __init__(self, kind, when, **fields):
        self.kind = kind
        self.when = when
        self.__dict__.update(fields)

    def __repr__(self):
        fields = {k: v for k, v in self.__dict__.items() if k not in ("kind", "when")}
        for k, v in fields.items():
            if isinstance(v, bytes) and len(v) > 40:
                fields[k] = v[:40] + b"...(%d bytes)" % len(v)
        return f"{self.kind}{fields}"


class ProtocolViolation(Exception):
    pass


class Peer:
    def __init__(self, sock, is_server, leftover=b""):
        self.sock = sock
        self.is_server = is_server
        self.start = time.monotonic()
        self.cond = threading.Condition()
        self.frames = []            # every frame received: Event("frame", ...)
        self.violations = []        # what the implementation got wrong on the wire
        self.tcp_closed_at = None   # when the implementation's side ended
        self.tcp_error = None
        self.closed_by_peer_at = None  # when this side closed the socket
        self.close_sent = None      # (code, reason) of the close handshake this side started
        self.close_sent_at = None
        self.bytes_received = 0
        self._in_message = False    # the reader is inside a fragmented message
        self._buffer = bytearray(leftover)
        self._send_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # ---- opening handshake -------------------------------------------------

    @staticmethod
    def _read_head(sock, deadline):
        data = b""
        while b"\r\n\r\n" not in data:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("connection closed during the opening handshake")
            data += chunk
            if len(data) > 65536:
                raise ConnectionError("opening handshake too long")
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        return lines[0], headers, rest

    @classmethod
    def accept(cls, listener, timeout):
        """Take the next connection and answer its upgrade request."""
        listener.settimeout(timeout)
        sock, _ = listener.accept()
        deadline = time.monotonic() + timeout
        request, headers, rest = cls._read_head(sock, deadline)
        key = headers.get("sec-websocket-key", [""])[0].encode()
        if not request.startswith("GET ") or not key:
            sock.close()
            raise ConnectionError(f"bad upgrade request: {request!r}")
        sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept_value(key) + b"\r\n\r\n")
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock, True, rest)

    @classmethod
    def connect(cls, port, timeout):
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16))
        sock.sendall(b"GET /wire HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     b"Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
                     % (port, key))
        status, headers, rest = cls._read_head(sock, time.monotonic() + timeout)
        if not status.startswith("HTTP/1.1 101") or \
                headers.get("sec-websocket-accept", [""])[0].encode() != accept_value(key):
            sock.close()
            raise ConnectionError(f"upgrade refused: {status!r}")
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return cls(sock, False, rest)

    # ---- reading -------------------------------------------------------------

    def _now(self):
        return time.monotonic() - self.start

    def _violation(self, text):
        self.violations.append(text)

    def _parse(self):
        """Decode every whole frame in the buffer."""
        buf = self._buffer
        while len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            n = b1 & 0x7F
            pos = 2
            if n == 126:
                if len(buf) < 4:
                    return
                n = struct.unpack_from(">H", buf, 2)[0]
                pos = 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n = struct.unpack_from(">Q", buf, 2)[0]
                pos = 10
            masked = bool(b1 & 0x80)
            if masked:
                pos += 4
            if len(buf) < pos + n:
                return
            payload = bytes(buf[pos:pos + n])
            if masked:
                payload = mask_bytes(payload, bytes(buf[pos - 4:pos]))
            del buf[:pos + n]
            opcode = b0 & 0xF
            fin = bool(b0 & 0x80)
            rsv = (b0 >> 4) & 7
            # What the implementation sends must itself be valid.
            if masked != self.is_server:
                self._violation(f"{'unmasked' if self.is_server else 'masked'} frame from the "
                                f"{'client' if self.is_server else 'server'}")
            if rsv:
                self._violation(f"RSV bits {rsv} set")
            if opcode not in (0, 1, 2, 8, 9, 10):
                self._violation(f"reserved opcode {opcode}")
            if opcode >= 8 and (not fin or n > 125):
                self._violation("fragmented or oversized control frame")
            elif opcode in (OP_TEXT, OP_BINARY):
                if self._in_message:
                    self._violation("new data frame inside a fragmented message")
                self._in_message = not fin
            elif opcode == OP_CONTINUATION:
                if not self._in_message:
                    self._violation("continuation frame without a message")
                self._in_message = not fin
            with self.cond:
                self.frames.append(Event("frame", self._now(), opcode=opcode, fin=fin, payload=payload))
                self.cond.notify_all()

    def _read_loop(self):
        self._parse()
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    break
                self.bytes_received += len(chunk)
                self._buffer += chunk
                self._parse()
        except OSError as e:
            if self.closed_by_peer_at is None:  # not of our own making
                self.tcp_error = e.strerror or str(e)
        with self.cond:
            if self._buffer:
                self._violation(f"{len(self._buffer)} bytes of an incomplete frame before the end")
            self.tcp_closed_at = self._now()
            self.cond.notify_all()

    # ---- what happened -------------------------------------------------------

    def messages(self):
        """Frames reassembled into the Autobahn-style event list: ("message",
        payload, binary), ("ping", payload), ("pong", payload); the close is
        reported by close_received(), not here.  Frames out of sequence were
        recorded as violations when they came; here they are skipped."""
        events, parts, kind = [], [], None
        with self.cond:
            frames = list(self.frames)
        for f in frames:
            if f.opcode == OP_CLOSE:
                break
            if f.opcode in (OP_PING, OP_PONG):
                events.append(("ping" if f.opcode == OP_PING else "pong", f.payload))
                continue
            if f.opcode in (OP_TEXT, OP_BINARY):
                parts, kind = [], f.opcode
            elif kind is None:
                continue
            parts.append(f.payload)
            if f.fin:
                events.append(("message", b"".join(parts), kind == OP_BINARY))
                parts, kind = [], None
        return events

    def close_received(self):
        """(code or None, reason, when) of the implementation's close frame, or None."""
        with self.cond:
            for f in self.frames:
                if f.opcode == OP_CLOSE:
                    if len(f.payload) >= 2:
                        return struct.unpack(">H", f.payload[:2])[0], f.payload[2:], f.when
                    return None, b"", f.when
        return None

    def wait(self, predicate, timeout):
        """Wait until predicate() (under the lock) or timeout; returns its value."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                value = predicate()
                remaining = deadline - time.monotonic()
                if value or remaining <= 0:
                    return value
                self.cond.wait(min(remaining, 0.05))

    def ended(self):
        """The implementation failed or closed: a close frame came or TCP ended."""
        return self.tcp_closed_at is not None or any(f.opcode == OP_CLOSE for f in self.frames)

    # ---- writing -------------------------------------------------------------

    def send_raw(self, data, chop=None, delay=0.0):
        """Put bytes on the wire, in pieces of chop bytes with delay between
        them; False if the connection is gone (that is not an error here: the
        implementation may rightly have failed the connection)."""
        pieces = [data] if not chop else [data[i:i + chop] for i in range(0, len(data), chop)]
        with self._send_lock:
            try:
                for i, piece in enumerate(pieces):
                    if i and delay:
                        time.sleep(delay)
                    self.sock.sendall(piece)
            except OSError:
                return False
        return True

    def send_frame(self, opcode, payload=b"", fin=True, rsv=0, chop=None, delay=0.0, **kw):
        kw.setdefault("mask", not self.is_server)
        return self.send_raw(frame(opcode, payload, fin=fin, rsv=rsv, **kw), chop, delay)

    def send_message(self, payload, binary=False, frame_size=None, chop=None, delay=0.0):
        """A message, in frames of frame_size bytes (None: one frame)."""
        first = OP_BINARY if binary else OP_TEXT
        if not frame_size or len(payload) <= frame_size:
            return self.send_frame(first, payload, chop=chop, delay=delay)
        data = bytearray()
        for i in range(0, len(payload), frame_size):
            part = payload[i:i + frame_size]
            data += frame(first if i == 0 else OP_CONTINUATION, part,
                          fin=i + frame_size >= len(payload), mask=not self.is_server)
        return self.send_raw(bytes(data), chop, delay)

    def send_close(self, code=1000, reason=b""):
        """Start (or answer) the closing handshake; code None: no body."""
        if self.close_sent is None:
            self.close_sent = (code, reason)
            self.close_sent_at = self._now()
        return self.send_frame(OP_CLOSE, close_payload(code, reason))

    def close_tcp(self):
        """End the connection from this side; noted as this side's doing only
        if the implementation had not ended it first."""
        if self.closed_by_peer_at is None and self.tcp_closed_at is None:
            self.closed_by_peer_at = self._now()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._reader.join(5)  # it sees the end, then the socket goes
        self.sock.close()

    def join(self, timeout):
        self._reader.join(timeout)
