# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The case catalogue of the wire conformance suite.

Sections follow the Autobahn testsuite's of the same numbers, with the same
intent; the cases are written here.  Every case has:
  - a script, run against a Peer (wire_peer.py) once the connection is open;
  - the events the implementation must produce for OK (reassembled messages,
    pings and pongs, in order), and optionally a list graded NON-STRICT;
  - what must happen to the connection: either the peer starts the closing
    handshake once the events are there and it must end cleanly, or the
    implementation must fail the connection itself, with a close code from
    a given set (or no close frame at all: RFC 6455 7.1.7 "Fail the WebSocket
    Connection" lets an endpoint that cannot tell the reason send none).

The implementation is an echo endpoint: every message comes back with its type.
"""
import functools
import struct
import time

from wire_peer import (OP_BINARY, OP_CLOSE, OP_CONTINUATION, OP_PING, OP_PONG, OP_TEXT,
                       close_payload, frame)

PROTOCOL_ERROR = [1002]
INVALID_PAYLOAD = [1007]
NORMAL = [1000]

# How long a fail-fast case waits for the implementation to fail before it
# sends the rest of the message (a NON-STRICT result if it fails only then).
FAIL_FAST_WAIT = 1.0
OCTET_DELAY = 0.001


class Close:
    """by_peer: the peer starts the closing handshake after the events
    (the implementation answers it); otherwise the implementation must fail
    the connection, its close code (if it sends one) in codes."""

    def __init__(self, by_peer, codes, clean):
        self.by_peer = by_peer
        self.codes = codes
        self.clean = clean


CLEAN_CLOSE = Close(True, NORMAL, True)
FAIL_PROTOCOL = Close(False, PROTOCOL_ERROR, False)
FAIL_UTF8 = Close(False, INVALID_PAYLOAD, False)


class Case:
    def __init__(self, id, description, expectation, script, ok, close,
                 non_strict=None, timeout=None, report_time=False):
        self.id = id
        self.section = int(id.split(".")[0])
        self.description = description
        self.expectation = expectation
        self.script = script
        self.ok = ok                      # acceptable event lists (or a function of the peer's role)
        self.non_strict = non_strict or []
        self.close = close
        # How long the runner waits for the events or the failure: short,
        # since a passing implementation answers in milliseconds (a failing
        # one must not make the suite crawl).
        self.timeout = timeout or (5.0 if close.by_peer else 3.0)
        self.report_time = report_time

    def sort_key(self):
        return tuple(int(p) for p in self.id.split("."))


class Context:
    """What a script may ask of the runner besides the peer."""

    def __init__(self, peer):
        self.peer = peer
        self.late = None  # why the result is at best NON-STRICT

    def fail_fast(self, what):
        """The implementation should fail right after what was sent: give it
        FAIL_FAST_WAIT; True if it has (the script then stops)."""
        if self.peer.wait(self.peer.ended, FAIL_FAST_WAIT):
            return True
        self.late = f"not failed within {FAIL_FAST_WAIT:g} s of {what}"
        return False


def msg(payload, binary=False):
    return ("message", payload, binary)


def pong(payload):
    return ("pong", payload)


CASES = []


def case(*args, **kw):
    CASES.append(Case(*args, **kw))


def octets(peer, data):
    return peer.send_raw(data, chop=1, delay=OCTET_DELAY)


def frames_of(peer, parts):
    """[(opcode, payload, fin[, rsv])] as one byte string, masked as the role needs."""
    data = b""
    for p in parts:
        opcode, payload, fin = p[:3]
        rsv = p[3] if len(p) > 3 else 0
        data += frame(opcode, payload, fin=fin, rsv=rsv, mask=not peer.is_server)
    return data


def send_parts(peer, parts, mode):
    """Frames in one write ('bulk'), one write per frame with a pause
    ('frames'), or one write per byte ('octets')."""
    if mode == "bulk":
        return peer.send_raw(frames_of(peer, parts))
    if mode == "frames":
        for i, p in enumerate(parts):
            if i:
                time.sleep(0.05)
            if not peer.send_raw(frames_of(peer, [p])):
                return False
        return True
    return octets(peer, frames_of(peer, parts))


# ---- 1 framing -------------------------------------------------------------

def _section1():
    sizes = [(0, None), (125, None), (126, None), (127, None), (128, None), (65535, None),
             (65536, None), (65536, 997), (1024, 1), (131073, None)]
    for sub, binary in ((1, False), (2, True)):
        for i, (n, chop) in enumerate(sizes, 1):
            payload = (b"\xfe" if binary else b"*") * n
            how = "in one write" if chop is None else "byte by byte" if chop == 1 else f"in writes of {chop} bytes"
            case(f"1.{sub}.{i}",
                 f"{'Binary' if binary else 'Text'} message of {n} bytes, {how}.",
                 "The same message echoed back; clean close.",
                 lambda p, c, payload=payload, binary=binary, chop=chop:
                     p.send_frame(OP_BINARY if binary else OP_TEXT, payload, chop=chop,
                                  delay=OCTET_DELAY if chop == 1 else 0),
                 [[msg(payload, binary)]], CLEAN_CLOSE)
    # Every length encoding, also the non-minimal ones RFC 6455 5.2 allows a
    # receiver to take (the DLL takes them: README, Behaviour).
    forms = [(7, 5), (16, 5), (64, 5), (16, 200), (64, 200), (64, 70000)]
    for i, (form, n) in enumerate(forms, 1):
        payload = bytes(range(256)) * (n // 256) + bytes(range(n % 256))
        case(f"1.3.{i}", f"Binary message of {n} bytes with a {form}-bit length field.",
             "The same message echoed back; clean close.",
             lambda p, c, payload=payload, form=form:
                 p.send_frame(OP_BINARY, payload, length_form=form),
             [[msg(payload, True)]], CLEAN_CLOSE)
    # Several frames in one write, and one frame split at every byte.
    many = [(OP_TEXT, b"message %d" % i, True) for i in range(20)]
    case("1.4.1", "Twenty text messages in one write.", "Twenty echoes in order; clean close.",
         lambda p, c: send_parts(p, many, "bulk"), [[msg(m[1]) for m in many]], CLEAN_CLOSE)
    case("1.4.2", "A text message split into two writes at every byte of the frame.",
         "Each echoed back; clean close.",
         lambda p, c: all(_split_everywhere(p, frame(OP_TEXT, b"split", mask=not p.is_server))),
         lambda peer_is_server: [[msg(b"split")] * (len(frame(OP_TEXT, b"split", mask=not peer_is_server)) - 1)],
         CLEAN_CLOSE)


def _split_everywhere(peer, data):
    """The frame split in two at each position, each sent and then echoed."""
    results = []
    for cut in range(1, len(data)):
        results.append(peer.send_raw(data[:cut]))
        time.sleep(0.002)
        results.append(peer.send_raw(data[cut:]))
        count = len(results) // 2
        peer.wait(lambda: sum(1 for f in peer.frames if f.opcode == OP_TEXT) >= count or peer.ended(), 5)
    return results


# ---- 2 pings and pongs -----------------------------------------------------

def _section2():
    case("2.1", "Ping without payload.", "A pong without payload; clean close.",
         lambda p, c: p.send_frame(OP_PING), [[pong(b"")]], CLEAN_CLOSE)
    case("2.2", "Ping with a small text payload.", "A pong with the same payload.",
         lambda p, c: p.send_frame(OP_PING, b"Hello, world!"), [[pong(b"Hello, world!")]], CLEAN_CLOSE)
    binary = b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff"
    case("2.3", "Ping with a small binary payload.", "A pong with the same payload.",
         lambda p, c: p.send_frame(OP_PING, binary), [[pong(binary)]], CLEAN_CLOSE)
    case("2.4", "Ping with 125 bytes of binary payload.", "A pong with the same payload.",
         lambda p, c: p.send_frame(OP_PING, b"\xfe" * 125), [[pong(b"\xfe" * 125)]], CLEAN_CLOSE)
    case("2.5", "Ping with 126 bytes of payload (over the control frame limit).",
         "The connection is failed (1002).",
         lambda p, c: p.send_frame(OP_PING, b"\xfe" * 126), [[]], FAIL_PROTOCOL)
    case("2.6", "Ping with 125 bytes of payload, sent byte by byte.", "A pong with the same payload.",
         lambda p, c: p.send_frame(OP_PING, b"\xfe" * 125, chop=1, delay=OCTET_DELAY),
         [[pong(b"\xfe" * 125)]], CLEAN_CLOSE)
    case("2.7", "Unsolicited pong without payload.", "Nothing; clean close.",
         lambda p, c: p.send_frame(OP_PONG), [[]], CLEAN_CLOSE)
    case("2.8", "Unsolicited pong with payload.", "Nothing; clean close.",
         lambda p, c: p.send_frame(OP_PONG, b"unsolicited pong payload"), [[]], CLEAN_CLOSE)
    case("2.9", "Unsolicited pong, then a ping.", "A pong for the ping only.",
         lambda p, c: p.send_raw(frames_of(p, [(OP_PONG, b"unsolicited pong payload", True),
                                              (OP_PING, b"ping payload", True)])),
         [[pong(b"ping payload")]], CLEAN_CLOSE)
    pings = [(OP_PING, b"payload-%d" % i, True) for i in range(10)]
    case("2.10", "Ten pings in one write.", "Ten pongs in order.",
         lambda p, c: send_parts(p, pings, "bulk"), [[pong(x[1]) for x in pings]], CLEAN_CLOSE)
    case("2.11", "Ten pings, byte by byte.", "Ten pongs in order.",
         lambda p, c: send_parts(p, pings, "octets"), [[pong(x[1]) for x in pings]], CLEAN_CLOSE)
    case("2.12", "A ping of 125 bytes with a 16-bit length field (non-minimal).",
         "The connection is failed (1002): a control frame's length must fit 7 bits.",
         lambda p, c: p.send_frame(OP_PING, b"x" * 125, length_form=16), [[]], FAIL_PROTOCOL)


# ---- 3 reserved bits -------------------------------------------------------

def _section3():
    hello = b"Hello, world!"
    case("3.1", "Text message with RSV = 1.", "The connection is failed (1002).",
         lambda p, c: p.send_frame(OP_TEXT, hello, rsv=1), [[]], FAIL_PROTOCOL)
    for n, rsv, mode in ((2, 2, "bulk"), (3, 3, "frames"), (4, 4, "octets")):
        parts = [(OP_TEXT, hello, True), (OP_TEXT, hello, True, rsv), (OP_PING, b"", True)]
        case(f"3.{n}", f"Text message, then one with RSV = {rsv}, then a ping ({mode}).",
             "The first echoed, then the connection is failed (1002) before the ping is answered.",
             lambda p, c, parts=parts, mode=mode: send_parts(p, parts, mode),
             [[msg(hello)]], FAIL_PROTOCOL, non_strict=[[]])
    case("3.5", "Binary message with RSV = 5.", "The connection is failed (1002).",
         lambda p, c: p.send_frame(OP_BINARY, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff", rsv=5), [[]], FAIL_PROTOCOL)
    case("3.6", "Ping with RSV = 6.", "The connection is failed (1002); no pong.",
         lambda p, c: p.send_frame(OP_PING, hello, rsv=6), [[]], FAIL_PROTOCOL)
    case("3.7", "Close with RSV = 7.", "The connection is failed (1002).",
         lambda p, c: p.send_frame(OP_CLOSE, close_payload(1000), rsv=7), [[]], FAIL_PROTOCOL)


# ---- 4 reserved opcodes ----------------------------------------------------

def _section4():
    hello = b"Hello, world!"
    for sub, opcodes in ((1, (3, 4, 5, 6, 7)), (2, (11, 12, 13, 14, 15))):
        for i, op in enumerate(opcodes, 1):
            payload = b"reserved opcode payload" if i in (2, 4) else b""
            if i in (3, 4, 5):
                parts = [(OP_TEXT, hello, True), (op, payload, True), (OP_PING, b"", True)]
                mode = {3: "bulk", 4: "frames", 5: "octets"}[i]
                case(f"4.{sub}.{i}", f"Text message, frame with reserved opcode {op}, ping ({mode}).",
                     "The text echoed, then the connection is failed (1002); no pong.",
                     lambda p, c, parts=parts, mode=mode: send_parts(p, parts, mode),
                     [[msg(hello)]], FAIL_PROTOCOL, non_strict=[[]])
            else:
                case(f"4.{sub}.{i}", f"Frame with reserved opcode {op}"
                     f"{' and a payload' if payload else ''}.", "The connection is failed (1002).",
                     lambda p, c, op=op, payload=payload: p.send_frame(op, payload), [[]], FAIL_PROTOCOL)


# ---- 5 fragmentation -------------------------------------------------------

def _section5():
    f1, f2 = b"fragment1", b"fragment2"
    case("5.1", "Ping in two fragments.", "The connection is failed (1002).",
         lambda p, c: send_parts(p, [(OP_PING, f1, False), (OP_CONTINUATION, f2, True)], "bulk"),
         [[]], FAIL_PROTOCOL)
    case("5.2", "Pong in two fragments.", "The connection is failed (1002).",
         lambda p, c: send_parts(p, [(OP_PONG, f1, False), (OP_CONTINUATION, f2, True)], "bulk"),
         [[]], FAIL_PROTOCOL)
    two = [(OP_TEXT, f1, False), (OP_CONTINUATION, f2, True)]
    for n, mode in ((3, "bulk"), (4, "frames"), (5, "octets")):
        case(f"5.{n}", f"Text message in two fragments ({mode}).", "The whole message echoed.",
             lambda p, c, mode=mode: send_parts(p, two, mode), [[msg(f1 + f2)]], CLEAN_CLOSE)
    ping_between = [(OP_TEXT, f1, False), (OP_PING, b"ping payload", True), (OP_CONTINUATION, f2, True)]
    for n, mode in ((6, "bulk"), (7, "frames"), (8, "octets")):
        case(f"5.{n}", f"Text message in two fragments with a ping between ({mode}).",
             "The pong first, then the whole message.",
             lambda p, c, mode=mode: send_parts(p, ping_between, mode),
             [[pong(b"ping payload"), msg(f1 + f2)]], CLEAN_CLOSE)
    hello = (OP_TEXT, b"Hello, world!", True)
    for n, fin, mode in ((9, True, "bulk"), (10, True, "frames"), (11, True, "octets"),
                         (12, False, "bulk"), (13, False, "frames"), (14, False, "octets")):
        parts = [(OP_CONTINUATION, b"non-continuation payload", fin), hello]
        case(f"5.{n}", f"Continuation frame (FIN = {int(fin)}) with nothing to continue, "
             f"then a text message ({mode}).", "The connection is failed (1002) at once.",
             lambda p, c, parts=parts, mode=mode: send_parts(p, parts, mode), [[]], FAIL_PROTOCOL)
    parts = [(OP_TEXT, f1, False), (OP_CONTINUATION, f2, True), (OP_CONTINUATION, b"fragment3", False),
             (OP_TEXT, b"fragment4", True)]
    case("5.15", "Text message in two fragments, then a continuation with nothing to continue.",
         "The message echoed, then the connection is failed (1002).",
         lambda p, c: send_parts(p, parts, "bulk"), [[msg(f1 + f2)]], FAIL_PROTOCOL, non_strict=[[]])
    for n, fin in ((16, False), (17, True)):
        seq = [(OP_CONTINUATION, f1, fin), (OP_TEXT, f2, False), (OP_CONTINUATION, b"fragment3", True)] * 2
        case(f"5.{n}", f"Continuation (FIN = {int(fin)}), text fragment, continuation; twice.",
             "The connection is failed (1002) at the first frame.",
             lambda p, c, seq=seq: send_parts(p, seq, "bulk"), [[]], FAIL_PROTOCOL)
    case("5.18", "Text fragment, then another text frame (not a continuation).",
         "The connection is failed (1002).",
         lambda p, c: send_parts(p, [(OP_TEXT, f1, False), (OP_TEXT, f2, True)], "bulk"), [[]], FAIL_PROTOCOL)
    frags = [b"fragment%d" % i for i in range(1, 6)]

    def five(p, c, mode):
        first = [(OP_TEXT, frags[0], False), (OP_CONTINUATION, frags[1], False),
                 (OP_PING, b"pongme 1!", True), (OP_CONTINUATION, frags[2], False)]
        rest = [(OP_CONTINUATION, frags[3], False), (OP_PING, b"pongme 2!", True),
                (OP_CONTINUATION, frags[4], True)]
        send_parts(p, first, mode)
        time.sleep(0.3)
        return send_parts(p, rest, mode)

    for n, mode in ((19, "frames"), (20, "octets")):
        case(f"5.{n}", f"Text message in five fragments with two pings between, a pause in the "
             f"middle ({mode}).", "Both pongs, then the whole message.",
             lambda p, c, mode=mode: five(p, c, mode),
             [[pong(b"pongme 1!"), pong(b"pongme 2!"), msg(b"".join(frags))]], CLEAN_CLOSE)


# ---- 6 UTF-8 ---------------------------------------------------------------

KOSME = "κόσμε".encode()
HELLO_UTF8 = "Hello-µ@ßöäüàá-UTF-8!!".encode()

# (bytes, valid): Markus Kuhn's UTF-8 decoder capability and stress test
# categories, each vector written out here.
UTF8_VECTORS = [
    # first and last sequences of each length
    (b"\x00", True), (b"\xc2\x80", True), (b"\xe0\xa0\x80", True), (b"\xf0\x90\x80\x80", True),
    (b"\x7f", True), (b"\xdf\xbf", True), (b"\xef\xbf\xbf", True), (b"\xf4\x8f\xbf\xbf", True),
    # other boundaries
    (b"\xed\x9f\xbf", True), (b"\xee\x80\x80", True), (b"\xef\xbf\xbd", True),
    (b"\xf4\x90\x80\x80", False),
    # five- and six-byte forms are not UTF-8
    (b"\xf8\x88\x80\x80\x80", False), (b"\xfc\x84\x80\x80\x80\x80", False),
    # unexpected continuation bytes
    (b"\x80", False), (b"\xbf", False), (b"\x80\xbf", False), (b"\x80\xbf\x80", False),
    (b"\x80\xbf\x80\xbf", False), (bytes(range(0x80, 0xc0)), False),
    # lonely start bytes followed by a space
    (b"\xc0 \xc1 \xdf ", False), (b"\xe0 \xef ", False), (b"\xf0 \xf7 ", False),
    (b"\xf8 \xfb ", False), (b"\xfc \xfd ", False),
    # sequences with the last byte missing
    (b"\xc0", False), (b"\xe0\x80", False), (b"\xf0\x80\x80", False),
    (b"\xdf", False), (b"\xef\xbf", False), (b"\xf7\xbf\xbf", False),
    (b"\xc0\xe0\x80\xf0\x80\x80\xdf\xef\xbf\xf7\xbf\xbf", False),
    # impossible bytes
    (b"\xfe", False), (b"\xff", False), (b"\xfe\xfe\xff\xff", False),
    # overlong forms
    (b"\xc0\xaf", False), (b"\xe0\x80\xaf", False), (b"\xf0\x80\x80\xaf", False),
    (b"\xc1\xbf", False), (b"\xe0\x9f\xbf", False), (b"\xf0\x8f\xbf\xbf", False),
    (b"\xc0\x80", False), (b"\xe0\x80\x80", False), (b"\xf0\x80\x80\x80", False),
    # UTF-16 surrogates, single and paired
    (b"\xed\xa0\x80", False), (b"\xed\xad\xbf", False), (b"\xed\xae\x80", False),
    (b"\xed\xaf\xbf", False), (b"\xed\xb0\x80", False), (b"\xed\xbe\x80", False),
    (b"\xed\xbf\xbf", False), (b"\xed\xa0\x80\xed\xb0\x80", False),
    (b"\xed\xaf\xbf\xed\xbf\xbf", False),
    # noncharacters are valid UTF-8
    (b"\xef\xbf\xbe", True), (b"\xef\xbf\xbf", True), (b"\xf4\x8f\xbf\xbe", True),
    (b"\xef\xb7\x90", True),
    # inside text
    (KOSME + b"\xed\xa0\x80edited", False), (KOSME, True), (HELLO_UTF8, True),
    ("\U0001f600 emoji and ASCII".encode(), True),
]


def _text_case(id, data, valid, how, script):
    if valid:
        case(id, f"Valid UTF-8 {data[:24].hex()}{'...' if len(data) > 24 else ''} {how}.",
             "The message echoed.", script, [[msg(data)]], CLEAN_CLOSE)
    else:
        case(id, f"Invalid UTF-8 {data[:24].hex()}{'...' if len(data) > 24 else ''} {how}.",
             "The connection is failed (1007).", script, [[]], FAIL_UTF8)


def _byte_frames(peer, data):
    """One frame per byte: the message fragmented at every position."""
    parts = [(OP_TEXT if i == 0 else OP_CONTINUATION, data[i:i + 1], i == len(data) - 1)
             for i in range(len(data))]
    return peer.send_raw(frames_of(peer, parts))


def _fail_fast(peer, ctx, head, tail, what):
    peer.send_raw(head)
    if ctx.fail_fast(what):
        return True
    return peer.send_raw(tail)


def _section6():
    case("6.1.1", "Text message of 0 bytes.", "Echoed.",
         lambda p, c: p.send_frame(OP_TEXT, b""), [[msg(b"")]], CLEAN_CLOSE)
    case("6.1.2", "Text message of three empty fragments.", "Echoed (empty).",
         lambda p, c: send_parts(p, [(OP_TEXT, b"", False), (OP_CONTINUATION, b"", False),
                                     (OP_CONTINUATION, b"", True)], "bulk"), [[msg(b"")]], CLEAN_CLOSE)
    case("6.1.3", "Text message of an empty, a full and an empty fragment.", "Echoed.",
         lambda p, c: send_parts(p, [(OP_TEXT, b"", False), (OP_CONTINUATION, b"middle frame payload", False),
                                     (OP_CONTINUATION, b"", True)], "bulk"),
         [[msg(b"middle frame payload")]], CLEAN_CLOSE)
    # 6.2: a valid message whole, in two fragments at every position, byte by byte.
    _text_case("6.2.1", HELLO_UTF8, True, "in one frame", lambda p, c: p.send_frame(OP_TEXT, HELLO_UTF8))
    for cut in range(1, len(HELLO_UTF8)):
        _text_case(f"6.2.{cut + 1}", HELLO_UTF8, True, f"in two fragments cut at byte {cut}",
                   lambda p, c, cut=cut: send_parts(p, [(OP_TEXT, HELLO_UTF8[:cut], False),
                                                      (OP_CONTINUATION, HELLO_UTF8[cut:], True)], "bulk"))
    n = len(HELLO_UTF8) + 1
    _text_case(f"6.2.{n}", HELLO_UTF8, True, "sent byte by byte",
               lambda p, c: octets(p, frame(OP_TEXT, HELLO_UTF8, mask=not p.is_server)))
    # 6.3: invalid text whole and byte by byte.
    bad = KOSME + b"\xed\xa0\x80edited"
    _text_case("6.3.1", bad, False, "in one frame", lambda p, c: p.send_frame(OP_TEXT, bad))
    _text_case("6.3.2", bad, False, "sent byte by byte",
               lambda p, c: octets(p, frame(OP_TEXT, bad, mask=not p.is_server)))
    # 6.4: fail fast: the implementation must fail as soon as the invalid
    # bytes arrive, before the message (or even the frame) is complete.
    def ff_frames(p, c, first, second, rest):
        head = frames_of(p, [(OP_TEXT, first, False), (OP_CONTINUATION, second, False)])
        tail = frames_of(p, [(OP_CONTINUATION, rest, True)])
        return _fail_fast(p, c, head, tail, "the fragment with the invalid bytes")

    def ff_chops(p, c, first, second, rest):
        data = frame(OP_TEXT, first + second + rest, mask=not p.is_server)
        cut = len(data) - len(rest)
        return _fail_fast(p, c, data[:cut], data[cut:], "the invalid bytes of an unfinished frame")

    fail_fast = [
        ("6.4.1", ff_frames, (KOSME, b"\xf4\x90\x80\x80", b"edited"), "fragments: valid, invalid, rest"),
        ("6.4.2", ff_frames, (KOSME + b"\xf4", b"\x90", b"\x80\x80edited"),
         "fragments, the invalid byte alone in the second"),
        ("6.4.3", ff_chops, (KOSME, b"\xf4\x90\x80\x80", b"edited"), "one frame in writes: valid, invalid, rest"),
        ("6.4.4", ff_chops, (KOSME + b"\xf4", b"\x90", b"\x80\x80edited"),
         "one frame in writes, the invalid byte alone in the second"),
    ]
    for id, fn, args, how in fail_fast:
        case(id, f"Invalid text message, {how}, with a pause of {FAIL_FAST_WAIT:g} s before the rest.",
             "The connection is failed (1007) before the rest is sent.",
             lambda p, c, fn=fn, args=args: fn(p, c, *args), [[]], FAIL_UTF8, non_strict=[[]])
    # 6.5: every prefix of a valid text: valid exactly at the character boundaries.
    for i in range(1, len(KOSME) + 1):
        prefix = KOSME[:i]
        _text_case(f"6.5.{i}", prefix, _valid(prefix), "(a prefix of κόσμε)",
                   lambda p, c, prefix=prefix: p.send_frame(OP_TEXT, prefix))
    # 6.6 onwards: the vectors whole (6.6) and fragmented at every position (6.7).
    for i, (data, valid) in enumerate(UTF8_VECTORS, 1):
        _text_case(f"6.6.{i}", data, valid, "in one frame", lambda p, c, data=data: p.send_frame(OP_TEXT, data))
        _text_case(f"6.7.{i}", data, valid, "in one fragment per byte",
                   lambda p, c, data=data: _byte_frames(p, data))
    # A sequence split between two TCP writes inside one frame, at every position.
    emoji = "a\U0001f600b".encode()
    for cut in range(1, len(emoji) + 6):
        def split_write(p, c, cut=cut):
            data = frame(OP_TEXT, emoji, mask=not p.is_server)
            at = len(data) - len(emoji) - 4 + cut  # inside the header for small cuts
            at = max(1, min(len(data) - 1, at))
            p.send_raw(data[:at])
            time.sleep(0.005)
            return p.send_raw(data[at:])
        _text_case(f"6.8.{cut}", emoji, True, f"in one frame split into two writes ({cut})", split_write)


def _valid(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


# ---- 7 close handling ------------------------------------------------------

def _section7():
    hello = b"Hello World!"
    case("7.1.1", "Text message, then the peer's close.", "Echo, then a clean close.",
         lambda p, c: p.send_frame(OP_TEXT, hello), [[msg(hello)]], CLEAN_CLOSE)

    def close_then(p, c, *parts):
        p.send_close(1000)
        return send_parts(p, list(parts), "bulk")

    case("7.1.2", "Close, then a second close.", "One close back, nothing more; clean.",
         lambda p, c: close_then(p, c, (OP_CLOSE, close_payload(1000), True)), [[]], CLEAN_CLOSE)
    case("7.1.3", "Close, then a ping.", "No pong; clean close.",
         lambda p, c: close_then(p, c, (OP_PING, b"payload", True)), [[]], CLEAN_CLOSE)
    case("7.1.4", "Close, then a text message.", "No echo; clean close.",
         lambda p, c: close_then(p, c, (OP_TEXT, hello, True)), [[]], CLEAN_CLOSE)

    def fragment_close_rest(p, c):
        send_parts(p, [(OP_TEXT, b"fragment1", False)], "bulk")
        return close_then(p, c, (OP_CONTINUATION, b"fragment2", True))

    case("7.1.5", "Text fragment, close, then the last fragment.", "No echo; clean close.",
         fragment_close_rest, [[]], CLEAN_CLOSE)
    big = b"BAsd7&jh23" * 26214

    def big_ping_close(p, c):
        p.send_raw(frames_of(p, [(OP_TEXT, big, True), (OP_PING, b"ping payload", True)]))
        p.send_close(1000)
        return True

    case("7.1.6", "A 256 KiB text message, a ping and a close in one go.",
         "The echo, the pong, then a clean close.",
         big_ping_close, [[msg(big), pong(b"ping payload")]], CLEAN_CLOSE)

    case("7.3.1", "Close without payload.", "A close back (empty or 1000); clean.",
         lambda p, c: p.send_close(None), [[]], Close(True, NORMAL, True))
    case("7.3.2", "Close with a payload of 1 byte.", "The connection is failed (1002).",
         lambda p, c: p.send_frame(OP_CLOSE, b"\x03"), [[]], FAIL_PROTOCOL)
    case("7.3.3", "Close with status 1000 and no reason.", "A close back; clean.",
         lambda p, c: p.send_close(1000), [[]], CLEAN_CLOSE)
    case("7.3.4", "Close with status 1000 and a reason.", "A close back; clean.",
         lambda p, c: p.send_close(1000, b"Hello World!"), [[]], CLEAN_CLOSE)
    case("7.3.5", "Close with status 1000 and a reason of 123 bytes.", "A close back; clean.",
         lambda p, c: p.send_close(1000, b"*" * 123), [[]], CLEAN_CLOSE)
    case("7.3.6", "Close with status 1000 and a reason of 124 bytes (payload over 125).",
         "The connection is failed (1002).",
         lambda p, c: p.send_frame(OP_CLOSE, close_payload(1000, b"*" * 124)), [[]], FAIL_PROTOCOL)
    case("7.5.1", "Close with status 1000 and a reason that is not UTF-8.",
         "The connection is failed (1007).",
         lambda p, c: p.send_frame(OP_CLOSE, close_payload(1000, KOSME + b"\xed\xa0\x80edited")),
         [[]], FAIL_UTF8)
    # 1012-1014 are registered with IANA since RFC 6455 and taken as valid (README, Behaviour).
    valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
             3000, 3999, 4000, 4999]
    for i, code in enumerate(valid, 1):
        case(f"7.7.{i}", f"Close with valid status {code}.", f"A close back with {code} or 1000; clean.",
             lambda p, c, code=code: p.send_close(code), [[]], Close(True, [1000, code], True))
    invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535]
    for i, code in enumerate(invalid, 1):
        case(f"7.9.{i}", f"Close with invalid status {code}.", "The connection is failed (1002).",
             lambda p, c, code=code: p.send_frame(OP_CLOSE, struct.pack(">H", code)), [[]], FAIL_PROTOCOL)


# ---- 9 limits --------------------------------------------------------------

def _section9():
    sizes = [64 << 10, 256 << 10, 1 << 20, 4 << 20, 8 << 20, 16 << 20]
    def echo_case(id, binary, what, payload, **send):
        case(id, f"{'Binary' if binary else 'Text'} message of {what}.", "Echoed; clean close.",
             lambda p, c: p.send_message(payload, binary, **send),
             [[msg(payload, binary)]], CLEAN_CLOSE, timeout=120, report_time=True)

    for sub, binary in ((1, False), (2, True)):
        for i, n in enumerate(sizes, 1):
            echo_case(f"9.{sub}.{i}", binary, f"{n} bytes", _payload(n, binary))
    frame_sizes = [64, 256, 1 << 10, 4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20, 4 << 20]
    for sub, binary in ((3, False), (4, True)):
        for i, fs in enumerate(frame_sizes, 1):
            echo_case(f"9.{sub}.{i}", binary, f"4 MiB in frames of {fs} bytes", _payload(4 << 20, binary),
                      frame_size=fs)
    chops = [64, 128, 256, 512, 1024, 2048]
    for sub, binary in ((5, False), (6, True)):
        for i, chop in enumerate(chops, 1):
            echo_case(f"9.{sub}.{i}", binary, f"1 MiB in TCP writes of {chop} bytes", _payload(1 << 20, binary),
                      chop=chop)
    counts = [0, 16, 64, 256, 1 << 10, 4 << 10]
    for sub, binary in ((7, False), (8, True)):
        for i, n in enumerate(counts, 1):
            payload = (b"\xfe" if binary else b"*") * n
            case(f"9.{sub}.{i}", f"1000 {'binary' if binary else 'text'} messages of {n} bytes, "
                 "each after the echo of the one before.", "1000 echoes; clean close.",
                 lambda p, c, payload=payload, binary=binary: _round_trips(p, payload, binary, 1000),
                 [[msg(payload, binary)] * 1000], CLEAN_CLOSE, timeout=120, report_time=True)


@functools.lru_cache(maxsize=None)  # cases of one size share one payload
def _payload(n, binary):
    if binary:
        return (bytes(range(256)) * (n // 256 + 1))[:n]
    # Mixed ASCII and multi-byte text, cut on a character boundary and padded.
    unit = "BAsd7&jh23 ünïcødé €✓ κόσμε \U0001f600 ".encode()
    data = (unit * (n // len(unit) + 1))[:n]
    while True:
        try:
            data.decode("utf-8")
            return data
        except UnicodeDecodeError:
            data = data[:-1]
            data += b"*" * (n - len(data))


def _round_trips(peer, payload, binary, count):
    opcode = OP_BINARY if binary else OP_TEXT
    for i in range(count):
        if not peer.send_frame(opcode, payload):
            return False
        want = i + 1
        if not peer.wait(lambda: sum(1 for f in peer.frames if f.fin and f.opcode in (OP_TEXT, OP_BINARY,
                                                                                    OP_CONTINUATION)) >= want
                         or peer.ended(), 10):
            return False
    return True


# ---- 10 auto-fragmentation -------------------------------------------------

def _section10():
    payload = _payload(65536, False)
    case("10.1.1", "Text message of 65536 bytes in frames of 1300 bytes.",
         "Echoed whole (however the implementation frames it); clean close.",
         lambda p, c: p.send_message(payload, False, frame_size=1300), [[msg(payload)]], CLEAN_CLOSE)
    for i, fs in enumerate((1, 7, 125, 126, 65535, 65536), 2):
        data = _payload(70000, True)
        case(f"10.1.{i}", f"Binary message of 70000 bytes in frames of {fs} bytes.",
             "Echoed whole; clean close.",
             lambda p, c, data=data, fs=fs: p.send_message(data, True, frame_size=fs),
             [[msg(data, True)]], CLEAN_CLOSE, timeout=60)


for _build in (_section1, _section2, _section3, _section4, _section5, _section6, _section7,
               _section9, _section10):
    _build()
CASES.sort(key=Case.sort_key)
