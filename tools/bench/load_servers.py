# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The echo servers load_bench.py and soak.py put under load, and the load
generator they run against them (tools/loadgen/loadgen.js).  A module, not a
program: standard library only, any python3.

Servers, by name:
  native  build/native/tools/wsecho/wsecho server (ELF, libwebsocket.so)
  wine    build/x86_64/tools/wsecho/wsecho.exe server under Wine (tools/exe_wrapper.py)
  node    tools/bench/echo_node.js (Node's ws)
  python  tools/bench/echo_python.py (Python websockets, run with /usr/bin/python3)

Each listens on 127.0.0.1, port 0.  The pid whose memory is measured is the
process that holds the server side of a connection we open (found through
/proc/net/tcp and /proc/*/fd, wineserver left out).  Under Wine every socket
lives in wineserver, not in the program's process, so there it is the process
running wsecho.exe in the session the server was started in; for both wsecho
servers the pid is checked against the RSS wsecho reports of itself.
"""
import base64
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
LOADGEN = os.path.join(SOURCE_ROOT, "tools", "loadgen", "loadgen.js")
EXE_WRAPPER = os.path.join(SOURCE_ROOT, "tools", "exe_wrapper.py")
NODE_PATH = "/usr/share/nodejs"
# The first Wine process in a prefix sets the prefix up: tens of seconds.
WINE_START_TIMEOUT = 90
START_TIMEOUT = 30

sys.path.insert(0, os.path.join(SOURCE_ROOT, "tools", "wsecho"))
from wsecho_stats import read_stats  # noqa: E402

SERVERS = ["native", "wine", "node", "python"]
LABELS = {
    "native": "wsecho (native)",
    "wine": "wsecho.exe (Wine)",
    "node": "Node ws",
    "python": "Python websockets",
}
PEERS = ["node", "python"]


def node_env():
    env = dict(os.environ)
    env["NODE_PATH"] = NODE_PATH + (os.pathsep + env["NODE_PATH"] if env.get("NODE_PATH") else "")
    return env


def node_program():
    return shutil.which("node") or shutil.which("nodejs") or "/usr/bin/node"


def websockets_python():
    """Debian's python3, which has websockets; python3 first on PATH may not."""
    return "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def tail(path, lines=8):
    text = read_text(path).splitlines()
    return text[-lines:]


def rss_kib(pid):
    match = re.search(r"^VmRSS:\s+(\d+)\s+kB", read_text(f"/proc/{pid}/status"), re.M)
    return int(match.group(1)) if match else None


# ---- who holds a socket ----

def _socket_inodes(local_port, remote_port=None, state=None):
    """Inodes of the TCP sockets (v4 and v6) bound to local_port, optionally
    connected to remote_port, optionally in state (hex, e.g. '01' ESTABLISHED)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in read_text(table).splitlines()[1:]:
            fields = line.split()
            if len(fields) < 10:
                continue
            local, remote, st, inode = fields[1], fields[2], fields[3], fields[9]
            if int(local.rsplit(":", 1)[1], 16) != local_port:
                continue
            if remote_port is not None and int(remote.rsplit(":", 1)[1], 16) != remote_port:
                continue
            if state is not None and st.upper() != state:
                continue
            if inode != "0":
                inodes.add(inode)
    return inodes


def socket_owners(inodes):
    """Pids of the processes with an fd on one of these socket inodes, wineserver
    left out (it holds every socket of a Wine process too)."""
    targets = {f"socket:[{inode}]" for inode in inodes}
    owners = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        comm = read_text(f"/proc/{entry}/comm").strip()
        if comm.startswith("wineserver"):
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{entry}/fd/{fd}") in targets:
                    owners.add(int(entry))
                    break
            except OSError:
                continue
    return owners


class ProbeConnection:
    """A WebSocket connection made by hand (the handshake, then a close 1000),
    held open while we look for the process that holds its server side."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /probe HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           f"Sec-WebSocket-Version: 13\r\n\r\n").encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            answer += chunk
        if not answer.startswith(b"HTTP/1.1 101"):
            self.sock.close()
            raise OSError(f"probe handshake failed: {answer[:60]!r}")
        self.local_port = self.sock.getsockname()[1]

    def close(self):
        try:
            mask = os.urandom(4)
            status = (1000).to_bytes(2, "big")
            self.sock.sendall(bytes([0x88, 0x82]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(status)))
            # The server's close frame, then its end of the connection.
            while self.sock.recv(4096):
                pass
        except OSError:
            pass
        finally:
            self.sock.close()


def session_members(session, comm):
    """Pids in session whose command name is comm (as /proc truncates it)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = read_text(f"/proc/{entry}/stat")
        if ")" not in stat:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 1:].split()
        if len(fields) > 3 and fields[3] == str(session) and name == comm[:15] and fields[0] != "Z":
            found.append(int(entry))
    return found


def server_pid(port, started, program, tries=10):
    """The pid of the process serving port, and how it was found.

    First the one process (wineserver aside) holding the server side of a
    connection we open: the server's own process for native and peer servers.
    Under Wine only wineserver holds sockets, so then the process named like
    the program in the session we started it in."""
    try:
        probe = ProbeConnection(port)
    except OSError:
        probe = None
    if probe is not None:
        try:
            for _ in range(tries):
                owners = socket_owners(_socket_inodes(port, probe.local_port, "01"))
                if len(owners) == 1:
                    return owners.pop(), "holds the server side of a connection"
                time.sleep(0.05)
        finally:
            probe.close()
    members = session_members(started, os.path.basename(program))
    if len(members) == 1:
        return members[0], f"the {os.path.basename(program)} process of the server's session"
    return started, "the started process"


def self_reported_rss_kib(port):
    """The RSS wsecho reports of itself (GET /.wsecho/stats), or None."""
    try:
        return read_stats(port, timeout=5)["rss"] // 1024
    except (OSError, ValueError, KeyError):
        return None


# ---- servers ----

class Server:
    """One echo server process: start(), then port and pid; stop()."""

    def __init__(self, kind, build_root, workdir, max_connections=2000):
        self.kind = kind
        self.label = LABELS[kind]
        self.build_root = build_root
        self.workdir = workdir
        self.max_connections = max_connections
        self.proc = None
        self.port = None
        self.pid = None
        self.pid_how = None
        self.starts = 0

    def argv(self):
        wsecho_args = ["server", "--port", "0", "--host", "127.0.0.1",
                       "--max-connections", str(self.max_connections)]
        if self.kind == "native":
            return [os.path.join(self.build_root, "native", "tools", "wsecho", "wsecho")] + wsecho_args
        if self.kind == "wine":
            build = os.path.join(self.build_root, "x86_64")
            return [sys.executable, EXE_WRAPPER, build, os.path.join(build, "tools", "wsecho", "wsecho.exe")] + wsecho_args
        if self.kind == "node":
            return [node_program(), os.path.join(HERE, "echo_node.js"), "--port", "0"]
        return [websockets_python(), os.path.join(HERE, "echo_python.py"), "--port", "0"]

    def missing(self):
        """Why this server cannot run here, or None."""
        argv = self.argv()
        program = argv[3] if self.kind == "wine" else argv[0] if self.kind == "native" else argv[1]
        if not os.path.exists(program):
            return f"{program} not found (build it first)"
        if self.kind == "wine" and not shutil.which("wine") and not os.path.exists("/usr/lib/wine/wine64"):
            return "Wine is not installed"
        return None

    def start(self):
        """Starts the server; returns None when it listens, else why not."""
        self.starts += 1
        self.out_path = os.path.join(self.workdir, f"{self.kind}-{self.starts}.out")
        self.err_path = os.path.join(self.workdir, f"{self.kind}-{self.starts}.err")
        env = node_env() if self.kind == "node" else None
        # Files, not pipes: a Wine process may leave wineserver holding a pipe
        # end.  A session of its own: a Ctrl-C meant for us does not reach it
        # before we stop it ourselves.
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                         start_new_session=True)
        timeout = WINE_START_TIMEOUT if self.kind == "wine" else START_TIMEOUT
        deadline = time.monotonic() + timeout
        pattern, path = ((r"listening on 127\.0\.0\.1:(\d+)", self.err_path) if self.kind in ("native", "wine")
                         else (r"^PORT (\d+)$", self.out_path))
        while time.monotonic() < deadline:
            match = re.search(pattern, read_text(path), re.M)
            if match:
                self.port = int(match.group(1))
                break
            if self.proc.poll() is not None:
                return f"exited with status {self.proc.returncode}: " + " | ".join(tail(self.err_path, 3))
            time.sleep(0.05)
        else:
            self.stop()
            return f"not listening after {timeout} s"
        argv = self.argv()
        program = argv[3] if self.kind == "wine" else argv[0]
        self.pid, self.pid_how = server_pid(self.port, self.proc.pid, program)
        if self.kind in ("native", "wine"):
            # A check of the pid: wsecho's own figure must match what /proc says.
            own, seen = self_reported_rss_kib(self.port), rss_kib(self.pid)
            if own is not None and seen is not None:
                agrees = abs(own - seen) <= max(1024, own // 10)
                self.pid_how += f"; its own RSS report {'agrees' if agrees else 'DISAGREES'}" \
                                f" ({own} KiB, /proc: {seen} KiB)"
        return None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None and (self.pid is None or rss_kib(self.pid) is not None)

    def url(self, path="/"):
        return f"ws://127.0.0.1:{self.port}{path}"

    def stop(self):
        """SIGTERM (wsecho closes its connections and exits), then SIGKILL to
        the whole session if it lingers."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None


def workdir():
    return tempfile.mkdtemp(prefix="ws-load-")


# ---- the load generator ----

class Loadgen:
    """loadgen.js runs; the one in flight can be stopped from elsewhere (Ctrl-C)."""

    def __init__(self):
        self.proc = None

    def run(self, url, args, timeout, progress_to_stderr=False, on_tick=None, tick=10):
        """Runs loadgen --json; returns (result dict or None, exit status, last
        stderr lines).  on_tick(seconds since the start) is called every tick
        seconds while it runs."""
        argv = [node_program(), LOADGEN, url, "--json"] + [str(a) for a in args]
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=None if progress_to_stderr else err, env=node_env(),
                                         start_new_session=True)
            started = time.monotonic()
            try:
                code = None
                next_tick = tick
                while code is None:
                    left = timeout - (time.monotonic() - started)
                    if left <= 0:
                        raise subprocess.TimeoutExpired(argv, timeout)
                    wait = left if on_tick is None else max(0.01, min(left, next_tick - (time.monotonic() - started)))
                    try:
                        code = self.proc.wait(timeout=wait)
                    except subprocess.TimeoutExpired:
                        if on_tick is not None and time.monotonic() - started >= next_tick:
                            on_tick(time.monotonic() - started)
                            next_tick += tick
            except subprocess.TimeoutExpired:
                self.stop()
                code = None
            except BaseException:
                self.stop()  # Ctrl-C: it runs in a session of its own
                raise
            finally:
                self.proc = None
            out.seek(0)
            err.seek(0)
            text = out.read().decode("utf-8", "replace")
            errors = err.read().decode("utf-8", "replace").splitlines()[-5:]
        result = None
        for line in text.splitlines():
            if line.startswith("{"):
                try:
                    result = json.loads(line)
                except ValueError:
                    pass
        if code is None:
            errors.append(f"loadgen killed after {timeout:.0f} s")
        return result, code, errors

    def stop(self):
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            proc.wait()


def install_stop_signals():
    """SIGINT (also when started in the background, where it comes ignored),
    SIGTERM and SIGHUP raise KeyboardInterrupt, so every finally runs and
    every server we started is stopped."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
