#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The wire conformance suite: the case catalogue (wire_cases.py) played by the
fuzzing peer (wire_peer.py) against wsecho, graded strictly, output in TAP.

  wire_suite.py --testee server|client --wsecho PROGRAM --build-dir DIR
                [--wsecho-args "ARGS"] [--name NAME] [--report DIR]
                [--cases PREFIX[,PREFIX...]] [--skip REASON]

server  `wsecho server` is tested; the peer connects once per case
client  `wsecho client ws://... --echo --connections N` is tested; the peer
        listens and takes one connection per case, in catalogue order
--wsecho-args adds options to wsecho's command line (buffer sizes, say).

Each case is OK, NON-STRICT or FAILED; only OK passes.  The report directory
(default BUILD/meson-logs/conformance-wire-NAME, NAME the testee by default) gets report.json (every case
with what was sent back, the close and the time taken) and summary.txt
(counts per section and result).  A PE wsecho.exe runs under Wine through
tools/exe_wrapper.py, the way `meson test` runs PE programs.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))
sys.path.insert(2, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools"))

from exe_wrapper import wrapper_for  # noqa: E402
from sanitizer_reports import sanitizer_reports  # noqa: E402
from wire_cases import CASES, Context  # noqa: E402
from wire_peer import Peer  # noqa: E402

SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
EXE_WRAPPER = os.path.join(SOURCE_ROOT, "tools", "exe_wrapper.py")
START_TIMEOUT = 90       # a Wine process, the first in a prefix above all, starts slowly
CONNECT_TIMEOUT = 30
CLOSE_TIMEOUT = 5        # for the closing handshake and the end of TCP after it
OK, NON_STRICT, FAILED = "OK", "NON-STRICT", "FAILED"


class Testee:
    """The wsecho process under test, restarted if it dies between cases."""

    def __init__(self, args, workdir):
        self.program = os.path.abspath(args.wsecho)
        self.build_dir = os.path.abspath(args.build_dir)
        self.wine = self.program.lower().endswith(".exe")
        # Wine for a PE build, qemu-user for the i686 Linux one.
        self.wrapped = bool(wrapper_for(self.build_dir))
        self.role = args.testee
        self.extra = args.wsecho_args.split() if args.wsecho_args else []
        self.workdir = workdir
        self.proc = None
        self.port = None
        self.runs = 0
        self.listener = None

    def argv(self, *args):
        if self.wrapped:
            return [sys.executable, EXE_WRAPPER, self.build_dir, self.program, *args]
        return [self.program, *args]

    def log_path(self):
        return os.path.join(self.workdir, f"wsecho-{self.runs}.err")

    def start(self, connections):
        self.runs += 1
        err = open(self.log_path(), "wb")
        if self.role == "server":
            argv = self.argv("server", "--port", "0", "--host", "127.0.0.1",
                             "--connections", str(connections), *self.extra)
        else:
            if self.listener is None:
                self.listener = socket.socket()
                self.listener.bind(("127.0.0.1", 0))
                self.listener.listen(8)
            port = self.listener.getsockname()[1]
            argv = self.argv("client", f"ws://127.0.0.1:{port}/wire", "--echo",
                             "--connections", str(connections), *self.extra)
        # Files, not pipes: a Wine process may leave a wineserver holding pipe ends.
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        if self.role == "server":
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and self.proc.poll() is None:
                with open(self.log_path(), "rb") as f:
                    found = re.search(rb"listening on 127\.0\.0\.1:(\d+)", f.read())
                if found:
                    self.port = int(found.group(1))
                    return True
                time.sleep(0.05)
            return False
        return True

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def open(self, remaining):
        """The peer's side of the next case's connection."""
        if not self.alive():
            if self.proc is not None:
                self.log_tail("wsecho exited; restarting it")
            if not self.start(remaining):
                raise ConnectionError("wsecho did not start")
        if self.role == "server":
            return Peer.connect(self.port, CONNECT_TIMEOUT)
        return Peer.accept(self.listener, START_TIMEOUT if self.runs == 1 else CONNECT_TIMEOUT)

    def log_tail(self, why):
        try:
            with open(self.log_path(), "rb") as f:
                tail = f.read()[-2000:].decode("utf-8", "replace")
        except OSError:
            tail = ""
        print(f"# {why}", flush=True)
        for line in tail.splitlines()[-15:]:
            print(f"#   {line}", flush=True)

    def stop(self):
        """Let wsecho end by itself after its last connection (so a sanitizer
        build runs its exit checks), then make sure it has ended."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.proc.wait(timeout=CLOSE_TIMEOUT * 2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        if self.listener is not None:
            self.listener.close()

    def sanitizer_reports(self):
        """The first lines of every AddressSanitizer, LeakSanitizer or
        UndefinedBehaviorSanitizer report wsecho wrote, in any of its runs."""
        found = []
        for run in range(1, self.runs + 1):
            found += sanitizer_reports(os.path.join(self.workdir, f"wsecho-{run}.err"), f"run {run}")
        return found


def finish_connection(peer, case, testee_role):
    """Drive the end of the connection as the case wants; return what happened."""
    matched = lambda: _classify(peer.messages(), case, peer) is not None  # noqa: E731
    if case.close.by_peer:
        # Once the events are there (or the testee has ended it) the peer closes.
        peer.wait(lambda: peer.ended() or matched(), case.timeout)
        if not peer.ended() and peer.close_sent is None:
            peer.send_close(1000)
    else:
        peer.wait(peer.ended, case.timeout)
        closed = peer.close_received()
        # A well-behaved endpoint answers the testee's close.
        if closed is not None and peer.close_sent is None and peer.tcp_closed_at is None:
            peer.send_close(closed[0] if closed[0] is not None else 1000)
    if peer.close_sent is not None:
        peer.wait(lambda: peer.close_received() is not None or peer.tcp_closed_at is not None, CLOSE_TIMEOUT)
    if not peer.ended():
        # The testee neither failed nor closed in time (graded so): drop it.
        peer.close_tcp()
    if testee_role == "client":
        # The server (this peer) ends TCP once the closing handshake is over
        # (a client that failed the connection may already have); a client
        # that has not even sent its close gets the time to.
        if peer.close_received() is None or peer.close_sent is None:
            peer.wait(lambda: peer.tcp_closed_at is not None, CLOSE_TIMEOUT)
        peer.close_tcp()
    else:
        # The server must end TCP itself.
        peer.wait(lambda: peer.tcp_closed_at is not None, CLOSE_TIMEOUT)
        peer.close_tcp()  # after the server's end: the client's half
    peer.join(CLOSE_TIMEOUT)


def _expected_lists(case, peer):
    return case.ok(peer.is_server) if callable(case.ok) else case.ok


def _classify(events, case, peer):
    if any(events == e for e in _expected_lists(case, peer)):
        return OK
    if any(events == e for e in case.non_strict):
        return NON_STRICT
    return None


def grade(case, peer, ctx, testee_role):
    """(result, reasons) for a finished connection."""
    reasons = []
    events = peer.messages()
    behaviour = _classify(events, case, peer) or FAILED
    if behaviour == FAILED:
        reasons.append(f"events {events!r} differ from every expected list")
    elif behaviour == NON_STRICT:
        reasons.append("the events match only a NON-STRICT list")
    if ctx.late:
        behaviour = FAILED if behaviour == FAILED else NON_STRICT
        reasons.append(ctx.late)
    closed = peer.close_received()
    close = OK
    their_first = closed is not None and (peer.close_sent is None or closed[2] < peer.close_sent_at)
    if case.close.by_peer:
        if their_first or (closed is None and peer.close_sent is None):
            close = FAILED
            reasons.append("the testee ended the connection; the peer was to close it")
        elif closed is None:
            close = FAILED
            reasons.append("no close frame came back for the peer's close")
    else:
        if peer.close_sent is not None and not their_first:
            close = FAILED
            reasons.append("the testee did not fail the connection")
    if closed is not None and closed[0] is not None and closed[0] not in case.close.codes:
        if not (case.close.by_peer and peer.close_sent and closed[0] == peer.close_sent[0]):
            close = FAILED
            reasons.append(f"close code {closed[0]}, expected {case.close.codes} or none")
    if closed is not None and closed[0] is None and case.close.by_peer and peer.close_sent \
            and peer.close_sent[0] is not None and case.close.clean:
        close = FAILED
        reasons.append("the close came back without the status the peer sent")
    if case.close.clean and (closed is None or peer.close_sent is None or peer.tcp_error):
        close = FAILED
        reasons.append("the connection did not end with a clean closing handshake"
                       + (f" ({peer.tcp_error})" if peer.tcp_error else ""))
    if testee_role == "server" and peer.closed_by_peer_at is not None:
        close = FAILED
        reasons.append("the server did not close the TCP connection; the peer had to")
    if peer.violations:
        close = FAILED
        reasons.extend(f"sent on the wire: {v}" for v in peer.violations)
    if close == FAILED:
        return FAILED, reasons
    return behaviour, reasons


def run_case(case, testee, remaining):
    started = time.monotonic()
    try:
        peer = testee.open(remaining)
    except (OSError, ConnectionError) as e:
        return {"result": FAILED, "reasons": [f"no connection: {e}"], "seconds": time.monotonic() - started}
    ctx = Context(peer)
    script_error = None
    try:
        case.script(peer, ctx)
    except Exception as e:  # a script bug is a suite failure, reported as such
        script_error = f"script raised {type(e).__name__}: {e}"
    finish_connection(peer, case, testee.role)
    result, reasons = grade(case, peer, ctx, testee.role)
    if script_error:
        result, reasons = FAILED, [script_error] + reasons
    closed = peer.close_received()
    return {
        "result": result,
        "reasons": reasons,
        "seconds": round(time.monotonic() - started, 4),
        "events": [_describe(e) for e in peer.messages()],
        "close": None if closed is None else {"code": closed[0], "reason": closed[1].decode("utf-8", "replace")},
        "tcp_closed_by": "testee" if peer.closed_by_peer_at is None else "peer",
        "bytes_received": peer.bytes_received,
    }


def _describe(event):
    kind, payload = event[0], event[1]
    out = {"kind": kind, "length": len(payload)}
    if kind == "message":
        out["binary"] = event[2]
    if len(payload) <= 64:
        out["payload_hex"] = payload.hex()
    return out


def write_reports(directory, testee, results, label):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "report.json"), "w") as f:
        json.dump({"testee": testee, "program": label, "cases": results}, f, indent=1)
    sections = {}
    for r in results:
        counts = sections.setdefault(r["section"], {OK: 0, NON_STRICT: 0, FAILED: 0})
        counts[r["result"]] += 1
    lines = [f"wire conformance: wsecho {testee} ({label})",
             f"{'section':<10}{'cases':>7}{OK:>7}{NON_STRICT:>12}{FAILED:>8}"]
    for s in sorted(sections):
        c = sections[s]
        lines.append(f"{s:<10}{sum(c.values()):>7}{c[OK]:>7}{c[NON_STRICT]:>12}{c[FAILED]:>8}")
    total = {k: sum(c[k] for c in sections.values()) for k in (OK, NON_STRICT, FAILED)}
    lines.append(f"{'all':<10}{sum(total.values()):>7}{total[OK]:>7}{total[NON_STRICT]:>12}{total[FAILED]:>8}")
    timed = [r for r in results if r.get("report_time")]
    if timed:
        lines.append(f"section 9 time: {sum(r['seconds'] for r in timed):.1f} s "
                     f"(slowest {max(timed, key=lambda r: r['seconds'])['id']}: "
                     f"{max(r['seconds'] for r in timed):.2f} s)")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(directory, "summary.txt"), "w") as f:
        f.write(text)
    return text


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--testee", choices=("server", "client"), required=True)
    parser.add_argument("--wsecho", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--wsecho-args")
    parser.add_argument("--name")
    parser.add_argument("--report")
    parser.add_argument("--cases", help="comma-separated id prefixes, e.g. 6.4,7")
    parser.add_argument("--skip")
    args = parser.parse_args()
    if args.skip:
        print(f"1..0 # SKIP {args.skip}")
        return 0
    cases = CASES
    if args.cases:
        prefixes = args.cases.split(",")
        cases = [c for c in CASES if any(c.id == p or c.id.startswith(p + ".") for p in prefixes)]
    name = args.name or args.testee
    report = args.report or os.path.join(args.build_dir, "meson-logs", f"conformance-wire-{name}")
    workdir = tempfile.mkdtemp(prefix="ws-wire-")
    testee = Testee(args, workdir)
    results = []
    failed = 0
    try:
        for n, case in enumerate(cases, 1):
            outcome = run_case(case, testee, len(cases) - n + 1)
            outcome.update(id=case.id, section=case.section, description=case.description,
                           expectation=case.expectation, report_time=case.report_time)
            results.append(outcome)
            ok = outcome["result"] == OK
            failed += not ok
            timing = f" ({outcome['seconds']:.2f} s)" if case.report_time else ""
            print(f"{'ok' if ok else 'not ok'} {n} - {case.id} {outcome['result']}{timing}: "
                  f"{case.description}", flush=True)
            if not ok:
                for reason in outcome["reasons"]:
                    print(f"#   {reason}", flush=True)
    finally:
        testee.stop()
    # A sanitizer build of wsecho reports memory errors, leaks and undefined
    # behaviour on its standard error: any report fails the suite.
    reports = testee.sanitizer_reports()
    n = len(results) + 1
    print(f"{'not ok' if reports else 'ok'} {n} - wsecho wrote no sanitizer report "
          f"in {testee.runs} run(s)", flush=True)
    for line in reports[:10]:
        print(f"#   {line}", flush=True)
    failed += bool(reports)
    label = " ".join([os.path.basename(testee.program)] + testee.extra)
    summary = write_reports(report, args.testee, results, label)
    for line in summary.splitlines():
        print(f"# {line}")
    print(f"# report: {os.path.join(report, 'report.json')}")
    print(f"1..{len(results) + 1}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
