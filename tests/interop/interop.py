#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Interop tests: wsecho (tools/wsecho, built on our websocket.dll) against real
WebSocket peers over loopback, output in TAP.

  interop.py --case CASE --wsecho PROGRAM --build-dir DIR [--skip REASON]

CASE is PEER-ROLE: PEER is python (Debian's python3-websockets, run with
/usr/bin/python3) or node (Debian's node-ws); ROLE is the peer's role:
  server  our client against the peer's server (peer_*.py/js server):
          `wsecho client --echo` gets text and binary messages of 0 to 1 MiB,
          fragmented messages, pings and the server's close; `wsecho client`
          sends standard input and starts the close; a 404 instead of 101 and
          a subprotocol the server did not choose must fail
  client  the peer's client against `wsecho server` (two servers: one that
          echoes, one that starts the close after one message); the python
          case also sends bad requests (400, 426)

A PE wsecho.exe runs under Wine through tools/exe_wrapper.py, as `meson test`
runs PE programs.  Servers listen on 127.0.0.1 port 0 (any free port), every
process is started and stopped here, every wait is bounded.
"""
import argparse
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
EXE_WRAPPER = os.path.join(SOURCE_ROOT, "tools", "exe_wrapper.py")
# A Wine process can take a while to start, the first one in a prefix much longer.
PROCESS_TIMEOUT = 90
NODE_PATH = "/usr/share/nodejs"

sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(1, os.path.join(SOURCE_ROOT, "tools"))
from exe_wrapper import wrapper_for  # noqa: E402
from sanitizer_reports import sanitizer_reports  # noqa: E402
from tap import Tap  # noqa: E402


class Processes:
    """Every process started here, so none outlives the test."""

    def __init__(self):
        self.started = []
        self.workdir = tempfile.mkdtemp(prefix="ws-interop-")

    def start(self, argv, name, stdin_pipe=False, env=None, capture_stdout_pipe=False):
        out_path = os.path.join(self.workdir, f"{name}.out")
        err_path = os.path.join(self.workdir, f"{name}.err")
        stdin = subprocess.PIPE if stdin_pipe else subprocess.DEVNULL
        # Files, not pipes, for what a process writes: a Wine process may leave
        # a wineserver holding inherited pipe ends open.
        stdout = subprocess.PIPE if capture_stdout_pipe else open(out_path, "wb")
        stderr = open(err_path, "wb")
        proc = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=stderr, env=env)
        proc.name = name
        proc.argv = list(argv)
        proc.out_path = out_path
        proc.err_path = err_path
        self.started.append(proc)
        return proc

    @staticmethod
    def wait(proc, timeout=PROCESS_TIMEOUT):
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return None

    def sanitizer_reports(self, program):
        """The first lines of every sanitizer report a process running program wrote."""
        found = []
        for proc in self.started:
            if program in proc.argv:
                found += sanitizer_reports(proc.err_path, proc.name)
        return found

    def stop_all(self):
        for proc in self.started:
            if proc.poll() is None:
                proc.kill()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass

    def cleanup(self):
        self.stop_all()
        shutil.rmtree(self.workdir, ignore_errors=True)


def read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def tail(path, lines=40):
    text = read_file(path).decode("utf-8", "replace").splitlines()
    if len(text) > lines:
        text = [f"... {len(text) - lines} lines before"] + text[-lines:]
    return [f"{os.path.basename(path)}: {line}" for line in text]


# ---- peers ----

def websockets_python():
    """An interpreter that has `websockets`: Debian's, not whatever python3 is first on PATH."""
    for candidate in ("/usr/bin/python3", sys.executable):
        if candidate and os.path.exists(candidate):
            rc = subprocess.run([candidate, "-c", "import websockets"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, timeout=60).returncode
            if rc == 0:
                return candidate
    return None


def node_env():
    env = dict(os.environ)
    env["NODE_PATH"] = NODE_PATH + (os.pathsep + env["NODE_PATH"] if env.get("NODE_PATH") else "")
    return env


def node_available():
    node = shutil.which("node") or shutil.which("nodejs")
    if not node:
        return None
    rc = subprocess.run([node, "-e", "require('ws')"], env=node_env(), stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL, timeout=60).returncode
    return node if rc == 0 else None


class Peer:
    """A peer_python.py / peer_node.js process: PORT and RESULT lines on stdout."""

    def __init__(self, kind):
        self.kind = kind
        if kind == "python":
            self.interpreter = websockets_python()
            self.script = os.path.join(HERE, "peer_python.py")
            self.env = None
        else:
            self.interpreter = node_available()
            self.script = os.path.join(HERE, "peer_node.js")
            self.env = node_env()

    def missing(self):
        if self.interpreter:
            return None
        if self.kind == "python":
            return "no python3 with the websockets module (Debian: python3-websockets; run tools/setup.sh)"
        return "no node with the ws module (Debian: nodejs node-ws; run tools/setup.sh)"

    def argv(self, *args):
        return [self.interpreter, self.script, *args]


class LineReader:
    """The lines a process writes to a pipe, gathered by a thread."""

    def __init__(self, proc):
        self.lines = queue.Queue()
        self.thread = threading.Thread(target=self._run, args=(proc.stdout,), daemon=True)
        self.thread.start()

    def _run(self, pipe):
        for raw in pipe:
            self.lines.put(raw.decode("utf-8", "replace").rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, pattern, timeout=PROCESS_TIMEOUT):
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            match = re.match(pattern, line)
            if match:
                return match


def collect_results(reader, names, timeout=PROCESS_TIMEOUT):
    """RESULT lines from a peer, by name, until every name in names came."""
    results = {}
    deadline = time.monotonic() + timeout
    while not all(name in results for name in names):
        match = reader.wait_for(r"RESULT (.*)$", max(0.1, deadline - time.monotonic()))
        if not match:
            break
        result = json.loads(match.group(1))
        results[result["name"]] = result
    return results


def peer_result(tap, results, name, description, logs):
    result = results.get(name)
    if result is None:
        return tap.result(False, description, [f"no result from the peer for {name}"] + logs)
    return tap.result(result["ok"], description, result["errors"] + logs)


# ---- wsecho ----

class Wsecho:
    def __init__(self, program, build_dir):
        self.program = os.path.abspath(program)
        self.wine = self.program.lower().endswith(".exe")
        self.build_dir = os.path.abspath(build_dir)
        # Wine for a PE build, qemu-user for the i686 Linux one.
        self.wrapped = bool(wrapper_for(self.build_dir))

    def argv(self, *args):
        if self.wrapped:
            return [sys.executable, EXE_WRAPPER, self.build_dir, self.program, *args]
        return [self.program, *args]


def wait_listening(proc, timeout=PROCESS_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(rb"listening on 127\.0\.0\.1:(\d+)", read_file(proc.err_path))
        if match:
            return int(match.group(1))
        if proc.poll() is not None:
            return None
        time.sleep(0.05)
    return None


def raw_http(port, request, timeout=30):
    """Send request bytes, return everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return data
            data += chunk


# ---- our client against the peer's server ----

LINES = ["hello", "", "w\u00f6rld \u20ac\U0001F600", "x" * 70000, "last line"]


def case_peer_server(tap, procs, peer, wsecho):
    server = procs.start(peer.argv("server"), f"{peer.kind}-server", env=peer.env, capture_stdout_pipe=True)
    reader = LineReader(server)
    match = reader.wait_for(r"PORT (\d+)$", 30)
    if not tap.result(match is not None, f"{peer.kind} server started", tail(server.err_path)):
        return
    base = f"ws://127.0.0.1:{match.group(1)}"

    # All four clients at once: the peer serves connections concurrently, and
    # Wine's start-up time is paid once, not four times.
    echo = procs.start(wsecho.argv("client", f"{base}/echo", "--echo", "--subprotocol", "superchat",
                                   "--subprotocol", "chat"), "client-echo")
    lines = procs.start(wsecho.argv("client", f"{base}/lines?status=4001&reason=client%20bye&lines={len(LINES)}",
                                    "--close-status", "4001", "--close-reason", "client bye"),
                        "client-lines", stdin_pipe=True)
    reject = procs.start(wsecho.argv("client", f"{base}/reject"), "client-reject")
    nosub = procs.start(wsecho.argv("client", f"{base}/nosub", "--subprotocol", "nosuch"), "client-nosub")
    # Typed lines: the end of input (and with it the client's close) comes only
    # once every echo is printed, as when a person types; a peer may otherwise
    # answer the close before echoing the last lines.
    expected = "".join(line + "\n" for line in LINES).encode()
    try:
        lines.stdin.write(expected)
        lines.stdin.flush()
        deadline = time.monotonic() + PROCESS_TIMEOUT
        while read_file(lines.out_path) != expected and time.monotonic() < deadline and lines.poll() is None:
            time.sleep(0.05)
    finally:
        lines.stdin.close()
    codes = {proc.name: procs.wait(proc) for proc in (echo, lines, reject, nosub)}
    results = collect_results(reader, ["server /echo", "server /lines", "server /reject", "server /nosub"], 30)
    peer_logs = tail(server.err_path)

    # --echo: everything the peer sends comes back; the peer closes.
    err = read_file(echo.err_path).decode("utf-8", "replace")
    logs = tail(echo.err_path) + peer_logs
    tap.result(codes["client-echo"] == 0, f"wsecho client --echo against {peer.kind}: exit status 0 "
               f"(got {codes['client-echo']})", logs)
    tap.result("(subprotocol: chat)" in err,
               f"wsecho client --echo against {peer.kind}: offered superchat, chat; {peer.kind} chose chat", logs)
    peer_result(tap, results, "server /echo",
                f"{peer.kind} server: text and binary echoes of 0, 1, 125, 126, 65535, 65536, 1 MiB bytes "
                f"byte-exact, fragmented text and binary, pings answered, its close 4000 'server bye' "
                f"answered with the same", logs)
    tap.result('close received: 4000 "server bye"' in err,
               f"wsecho client --echo against {peer.kind}: saw the server's close 4000 'server bye'", logs)

    # Lines from stdin; our client starts the close.
    out = read_file(lines.out_path).decode("utf-8", "replace")
    err = read_file(lines.err_path).decode("utf-8", "replace")
    logs = tail(lines.err_path) + peer_logs
    tap.result(codes["client-lines"] == 0, f"wsecho client (stdin) against {peer.kind}: exit status 0 after "
               f"the close handshake it started (got {codes['client-lines']})", logs)
    tap.result(out == "".join(line + "\n" for line in LINES),
               f"wsecho client (stdin) against {peer.kind}: printed each echo on its own line, byte-exact",
               [f"stdout: {out[:200]!r}"] + logs)
    peer_result(tap, results, "server /lines",
                f"{peer.kind} server: got all {len(LINES)} lines as text, its pings answered while the client "
                f"was sending, the client's close 4001 'client bye'",
                logs)
    tap.result('close received: 4001 "client bye"' in err,
               f"wsecho client (stdin) against {peer.kind}: its close 4001 'client bye' was answered", logs)

    # Not 101: the client must fail and say why.
    err = read_file(reject.err_path).decode("utf-8", "replace")
    tap.result(codes["client-reject"] not in (0, None) and "HTTP/1.1 404" in err,
               f"wsecho client against {peer.kind}: a 404 instead of 101 fails the connection "
               f"(exit {codes['client-reject']})", tail(reject.err_path) + peer_logs)

    # A subprotocol the server did not choose: EndClientHandshake's documented error.
    err = read_file(nosub.err_path).decode("utf-8", "replace")
    tap.result(codes["client-nosub"] not in (0, None) and "0x83760004 (E_SUBPROTOCOL_NOT_SUPPORTED)" in err,
               f"wsecho client against {peer.kind}: no subprotocol chosen from 'nosuch' fails with "
               f"E_SUBPROTOCOL_NOT_SUPPORTED", tail(nosub.err_path) + peer_logs)


# ---- the peer's client against our server ----

def case_peer_client(tap, procs, peer, wsecho, raw_checks):
    connections = 2 + (3 if raw_checks else 0)
    echo_server = procs.start(wsecho.argv("server", "--port", "0", "--subprotocol", "chat",
                                          "--connections", str(connections)), "server-echo")
    close_server = procs.start(wsecho.argv("server", "--port", "0", "--close-after", "1", "--close-status",
                                           "4002", "--close-reason", "server bye", "--connections", "1"),
                               "server-close")
    echo_port = wait_listening(echo_server)
    close_port = wait_listening(close_server)
    if not tap.result(echo_port is not None and close_port is not None, "wsecho servers listening",
                      tail(echo_server.err_path) + tail(close_server.err_path)):
        return

    full = procs.start(peer.argv("client", "full", f"ws://127.0.0.1:{echo_port}/"), f"{peer.kind}-full",
                       env=peer.env)
    server_close = procs.start(peer.argv("client", "server-close", f"ws://127.0.0.1:{close_port}/", "4002",
                                         "server bye"), f"{peer.kind}-server-close", env=peer.env)
    procs.wait(full)
    nosub = procs.start(peer.argv("client", "nosub", f"ws://127.0.0.1:{echo_port}/chat"), f"{peer.kind}-nosub",
                        env=peer.env)
    procs.wait(nosub)
    procs.wait(server_close)

    def result_of(proc):
        match = re.search(r"^RESULT (.*)$", read_file(proc.out_path).decode("utf-8", "replace"), re.M)
        return {json.loads(match.group(1))["name"]: json.loads(match.group(1))} if match else {}

    echo_logs = tail(echo_server.err_path)
    peer_result(tap, result_of(full), "client full",
                f"{peer.kind} client against wsecho server: offered superchat, chat and got chat; text and binary "
                f"echoes of 0, 1, 125, 126, 65535, 65536, 1 MiB bytes byte-exact; fragmented text and binary; "
                f"pings answered; its close 4003 'client bye' answered with the same",
                tail(full.err_path) + echo_logs)
    peer_result(tap, result_of(nosub), "client nosub",
                f"{peer.kind} client against wsecho server: no subprotocol offered, none chosen; close 1000",
                tail(nosub.err_path) + echo_logs)
    peer_result(tap, result_of(server_close), "client server-close",
                f"{peer.kind} client against wsecho server --close-after 1: saw the server's close 4002 'server bye'",
                tail(server_close.err_path) + tail(close_server.err_path))

    if raw_checks:
        answer = raw_http(echo_port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        tap.result(answer.startswith(b"HTTP/1.1 400 "), "wsecho server: a GET without the upgrade headers gets 400",
                   [f"answer: {answer[:200]!r}"] + echo_logs)
        answer = raw_http(echo_port, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                     b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                     b"Sec-WebSocket-Version: 8\r\n\r\n")
        tap.result(answer.startswith(b"HTTP/1.1 426 ") and b"Sec-WebSocket-Version: 13\r\n" in answer,
                   "wsecho server: Sec-WebSocket-Version 8 gets 426 with Sec-WebSocket-Version: 13",
                   [f"answer: {answer[:300]!r}"] + echo_logs)
        answer = raw_http(echo_port, b"HELLO\r\n\r\n")
        tap.result(answer.startswith(b"HTTP/1.1 400 "), "wsecho server: a malformed request gets 400",
                   [f"answer: {answer[:200]!r}"] + echo_logs)

    # Both servers end by themselves after their connections: status 0 when
    # every upgraded connection ended with a clean close handshake.
    for server, what in ((echo_server, "echo server"), (close_server, "--close-after server")):
        code = procs.wait(server, 30)
        tap.result(code == 0, f"wsecho {what}: served its connections one at a time, each closed cleanly, "
                   f"exit status 0 (got {code})", tail(server.err_path))
    err = read_file(echo_server.err_path).decode("utf-8", "replace")
    tap.result('close received: 4003 "client bye"' in err and "(subprotocol: chat)" in err,
               f"wsecho server: chose chat for {peer.kind} and saw its close 4003 'client bye'", echo_logs)
    err = read_file(close_server.err_path).decode("utf-8", "replace")
    tap.result('sending close: 4002 "server bye"' in err and 'close received: 4002 "server bye"' in err,
               f"wsecho server --close-after 1: its close 4002 'server bye' was answered by {peer.kind}",
               tail(close_server.err_path))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", required=True,
                        choices=["python-server", "node-server", "python-client", "node-client"])
    parser.add_argument("--wsecho", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--skip")
    args = parser.parse_args()
    if args.skip:
        print(f"1..0 # SKIP {args.skip}")
        return 0

    tap = Tap()
    kind, role = args.case.split("-")
    peer = Peer(kind)
    wsecho = Wsecho(args.wsecho, args.build_dir)
    tap.note(f"wsecho: {wsecho.program}{' under Wine' if wsecho.wine else ''}; peer: {kind} {role}")
    if not tap.result(peer.missing() is None, f"{kind} peer available", [peer.missing()]):
        return tap.finish()

    procs = Processes()
    started = time.monotonic()
    try:
        if role == "server":
            case_peer_server(tap, procs, peer, wsecho)
        else:
            case_peer_client(tap, procs, peer, wsecho, raw_checks=(kind == "python"))
    except Exception as error:  # a crash of the driver is a failure, not a hang
        tap.result(False, "the test driver ran to the end", [f"{type(error).__name__}: {error}"])
    finally:
        procs.stop_all()
        # A sanitizer build of wsecho reports on its standard error, also in
        # the runs that are meant to fail: any report fails the case.
        reports = procs.sanitizer_reports(wsecho.program)
        tap.result(not reports, "wsecho wrote no sanitizer report", reports[:10])
        procs.cleanup()
    tap.note(f"{time.monotonic() - started:.1f} s")
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
