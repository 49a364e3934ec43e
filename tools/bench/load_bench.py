#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Load benchmark: wsecho (native and under Wine) and two peer echo servers
(Node ws, Python websockets) under the same load from tools/loadgen/loadgen.js,
in one run, as one Markdown table.  A benchmark, not a test.

  python3 tools/bench/load_bench.py [--quick] [--servers native,wine,node,python]
                                    [--cells 1x16,100x1k@4,...|wine] [--connections 1,100] [--sizes 16,1k]
                                    [--depth D] [--build-dir build]

Cells: 1, 100 and 1000 connections x 16 B, 1 KiB and 64 KiB binary messages;
8 messages in flight with one connection (one alone would measure round trips,
not the server), 1 per connection otherwise.  A cell written CxS@D has D in
flight; "--cells wine" is one connection at 16 B@1, 16 B@32, 1 KiB@8 and
64 KiB@4, the cells that compare wsecho.exe under Wine with wsecho natively.
Message counts are fixed per cell (MESSAGES, more for pipelines deeper than
8) so that a cell takes 2 to 4 s against a fast server on a 2-core machine;
wsecho.exe under Wine, many times slower, gets a tenth of them (at least
3,000); --quick runs a tenth of everything.  Each server runs all its cells in
turn, then is stopped; one that dies is started again for the next cell.

Per cell and server: messages per second, payload MB/s (one direction), p99
latency, server RSS per connection ((RSS with all connections open - RSS
before) / connections), errors, and msgs/s over the best peer's (Node,
Python) in the same cell.
"""
import argparse
import datetime
import os
import platform
import re
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_servers  # noqa: E402
from load_servers import LABELS, PEERS, SERVERS  # noqa: E402

CONNECTIONS = [1, 100, 1000]
SIZES = [16, 1024, 65536]
# Messages per cell, all connections together: measured so that a cell takes
# 2 to 4 s against wsecho (native) and Node ws on a 2-core machine (AMD EPYC);
# Python websockets takes up to twice that.
MESSAGES = {
    (1, 16): 130000, (1, 1024): 120000, (1, 65536): 8000,
    (100, 16): 60000, (100, 1024): 50000, (100, 65536): 6000,
    (1000, 16): 50000, (1000, 1024): 40000, (1000, 65536): 6000,
}
# wsecho.exe under Wine echoes 10 to 15 times fewer messages a second than
# the others: a tenth of the messages keeps its cells to seconds too.
SERVER_SCALE = {"wine": 0.1}
# Per connection, at least this many: a connection must do more than open.
MIN_PER_CONNECTION = 2
# Under Wine, at least this many in a cell: a tenth of a one-connection
# 64 KiB cell (800) ends in a third of a second, when buffers are still
# growing and the first pages of the heap being touched.
MIN_SCALED = 3000


WINE_CELLS = "1x16@1,1x16@32,1x1k@8,1x64k@4"


def depth_for(cell, override=None):
    """A cell is (connections, size, depth or None)."""
    return cell[2] or override or (8 if cell[0] == 1 else 1)


def parse_size(text):
    match = re.fullmatch(r"(\d+)\s*(k|kib|m|mib|b)?", text.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"bad size '{text}' (e.g. 16, 1k, 64k)")
    unit = {None: 1, "b": 1, "k": 1024, "kib": 1024, "m": 1 << 20, "mib": 1 << 20}[match.group(2)]
    return int(match.group(1)) * unit


def size_name(size):
    if size >= 1 << 20 and size % (1 << 20) == 0:
        return f"{size >> 20} MiB"
    if size >= 1024 and size % 1024 == 0:
        return f"{size >> 10} KiB"
    return f"{size} B"


def parse_cells(text):
    if text.strip() == "wine":
        text = WINE_CELLS
    cells = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d+)\s*[x×]\s*([^@\s]+)\s*(?:@\s*(\d+)\s*)?", part)
        if not match or match.group(3) == "0":
            raise argparse.ArgumentTypeError(f"bad cell '{part}' (CONNECTIONSxSIZE[@DEPTH], e.g. 100x1k@4)")
        cells.append((int(match.group(1)), parse_size(match.group(2)),
                      int(match.group(3)) if match.group(3) else None))
    return cells


def messages_for(cell, kind, quick):
    """Messages per connection."""
    connections, size = cell[:2]
    total = MESSAGES.get((connections, size))
    if total is None:
        # A cell outside the table: about as many bytes as its neighbours.
        total = max(2000, min(150000, int(4e8 / max(size, 4096))))
    # Deeper pipelines echo faster: more messages keep such a cell as long.
    total = int(total * max(1, (cell[2] or 0) / 8))
    if kind in SERVER_SCALE:
        total = min(total, max(MIN_SCALED, int(total * SERVER_SCALE[kind])))
    if quick:
        total //= 10
    return max(MIN_PER_CONNECTION, total // connections)


# ---- the machine ----

def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = re.sub(r"\s+", " ", line.split(":", 1)[1].strip())
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def wine_version():
    wine = shutil.which("wine")
    if not wine:
        return "not installed"
    try:
        out = subprocess.run([wine, "--version"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             timeout=30).stdout.decode().strip()
        return out or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def node_version():
    try:
        return subprocess.run([load_servers.node_program(), "--version"], stdout=subprocess.PIPE,
                              timeout=30).stdout.decode().strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"


# ---- one cell ----

class Outcome:
    def __init__(self, server, cell, messages):
        self.server = server
        self.cell = cell
        self.messages = messages
        self.result = None
        self.failure = None  # short text for the table
        self.details = []    # longer lines for the notes under it

    @property
    def rate(self):
        if self.result is None or self.failure:
            return None
        return self.result["msgs_per_s"]


def run_cell(server, cell, messages, depth, loadgen, log):
    connections, size = cell[:2]
    outcome = Outcome(server.kind, cell, messages)
    args = ["--connections", connections, "--messages", messages, "--size", size, "--binary",
            "--depth", depth, "--pid", server.pid]
    # Generous: connecting 1000 clients to a slow server is not measured but takes time.
    result, code, stderr = loadgen.run(server.url(), args, timeout=600)
    outcome.result = result
    died = not server.alive()
    if result is None:
        outcome.failure = "loadgen failed" if not died else "server died"
        outcome.details += stderr
    elif result["errors"] or result["connect_failures"]:
        outcome.failure = None  # the figures stand; the errors column says the rest
        outcome.details += result["connect_failure_reasons"] + result["error_reasons"]
    if died:
        status = server.proc.poll() if server.proc else None
        outcome.failure = outcome.failure or "server died"
        outcome.details.append(f"server exited (status {status}); its last words: "
                               + " | ".join(load_servers.tail(server.err_path, 3)))
    if result is not None:
        log(f"{server.label}: {connections} x {size_name(size)}: {result['msgs_per_s']:,.0f} msgs/s, "
            f"p99 {result['latency_us']['p99'] / 1000:.2f} ms, {result['seconds']:.1f} s, "
            f"{result['errors']} errors, {result['connect_failures']} connect failures"
            + (" (server died)" if died else ""))
    else:
        log(f"{server.label}: {connections} x {size_name(size)}: {outcome.failure}: {' | '.join(stderr[-2:])}")
    return outcome


# ---- the table ----

def fmt_rate(value):
    return f"{value:,.0f}"


def fmt_latency(us):
    if us >= 1e6:
        return f"{us / 1e6:.2f} s"
    if us >= 1000:
        return f"{us / 1000:.1f} ms" if us >= 10000 else f"{us / 1000:.2f} ms"
    return f"{us:.0f} µs"


def rss_per_connection(result):
    rss = result.get("rss_kib") or {}
    if rss.get("before") is None or rss.get("loaded") is None or not result["connections_open"]:
        return "?"
    per = (rss["loaded"] - rss["before"]) / result["connections_open"]
    if abs(per) < 0.05:
        per = 0.0  # not "-0.0": a garbage collector may give back a little
    return f"{per:,.1f} KiB" if abs(per) < 100 else f"{per:,.0f} KiB"


def table(outcomes, cells, servers):
    by_key = {(o.server, o.cell): o for o in outcomes}
    lines = ["| connections | size | depth | messages | server | msgs/s | MB/s | p99 | RSS/connection | errors "
             "| vs best peer | vs wsecho (native) |",
             "|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    notes = []
    for cell in cells:
        peer_rates = [by_key[(p, cell)].rate for p in PEERS if (p, cell) in by_key and by_key[(p, cell)].rate]
        best_peer = max(peer_rates) if peer_rates else None
        native = by_key.get(("native", cell))
        native_rate = native.rate if native else None
        for kind in servers:
            o = by_key.get((kind, cell))
            if o is None:
                continue
            connections, size = cell[:2]
            head = f"| {connections} | {size_name(size)} | {o.depth} | {o.messages * connections:,} | {LABELS[kind]} "
            mark = ""
            if o.details:
                notes.append((len(notes) + 1, f"{LABELS[kind]}, {connections} x {size_name(size)}", o.details))
                mark = f" [{len(notes)}]"
            r = o.result
            if r is None:
                lines.append(head + f"| {o.failure or 'not run'}{mark} | | | | | | |")
                continue
            errors = r["errors"] + r["connect_failures"]
            error_text = f"{r['errors']}" + (f" + {r['connect_failures']} connect" if r["connect_failures"] else "")
            rate = fmt_rate(r["msgs_per_s"]) + (f" ({o.failure})" if o.failure else "")
            ratio = f"{r['msgs_per_s'] / best_peer:.2f}×" if best_peer and not o.failure else "—"
            to_native = f"{r['msgs_per_s'] / native_rate:.2f}×" if native_rate and not o.failure else "—"
            lines.append(head + f"| {rate} | {r['mb_per_s']:,.1f} | {fmt_latency(r['latency_us']['p99'])} "
                         f"| {rss_per_connection(r)} | {error_text}{mark if errors or o.failure else ''} | {ratio} "
                         f"| {to_native} |")
    return lines, notes


# ---- the floor: a bare TCP echo (tools/bench/tcp_echo.c) ----

def floor_rate(build_dir, wine, cell, depth, messages):
    """msgs/s of the bare TCP echo server, native or under Wine, against the
    native tcp_echo client (messages per connection); None if it did not run."""
    native = os.path.join(build_dir, "native", "tools", "tcp_echo")
    program = os.path.join(build_dir, "x86_64", "tools", "tcp_echo.exe") if wine else native
    if not (os.path.exists(native) and os.path.exists(program)):
        return None
    argv = [program, "server"]
    if wine:
        argv = [sys.executable, load_servers.EXE_WRAPPER, os.path.join(build_dir, "x86_64"), *argv]
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        line = server.stdout.readline().decode(errors="replace").strip()
        match = re.fullmatch(r"PORT (\d+)", line)
        if not match:
            return None
        connections, size = cell[:2]
        client = subprocess.run([native, "client", match.group(1), str(connections), str(size), str(depth),
                                 str(messages)], capture_output=True, text=True, timeout=600)
        found = re.search(r": (\d+) msgs/s$", client.stdout.strip())
        return float(found.group(1)) if client.returncode == 0 and found else None
    except (OSError, subprocess.TimeoutExpired):
        return None
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def floor_table(build_dir, cells, depth_override, quick, log):
    lines = ["| connections | size | depth | bare TCP echo, native | bare TCP echo, Wine | Wine / native |",
             "|---:|---:|---:|---:|---:|---:|"]
    for cell in cells:
        depth = depth_for(cell, depth_override)
        rates = []
        for wine in (False, True):
            messages = messages_for(cell, "wine" if wine else "native", quick)
            rates.append(floor_rate(build_dir, wine, cell, depth, messages))
            log(f"bare TCP echo{' under Wine' if wine else ''}: {cell[0]} x {size_name(cell[1])}: "
                + (f"{rates[-1]:,.0f} msgs/s" if rates[-1] else "did not run"))
        text = [fmt_rate(r) if r else "—" for r in rates]
        ratio = f"{rates[1] / rates[0]:.2f}×" if all(rates) else "—"
        lines.append(f"| {cell[0]} | {size_name(cell[1])} | {depth} | {text[0]} | {text[1]} | {ratio} |")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a tenth of the messages")
    parser.add_argument("--servers", default=",".join(SERVERS),
                        help=f"comma-separated subset of {','.join(SERVERS)} (default: all)")
    parser.add_argument("--cells", type=parse_cells, help="CONNECTIONSxSIZE[@DEPTH],... (e.g. 1x16,100x1k@4), or wine: " + WINE_CELLS)
    parser.add_argument("--connections", help="comma-separated connection counts (default 1,100,1000)")
    parser.add_argument("--sizes", help="comma-separated message sizes (default 16,1k,64k)")
    parser.add_argument("--depth", type=int, help="messages in flight per connection in every cell")
    parser.add_argument("--floor", action="store_true",
                        help="also the bare TCP echo (tools/bench/tcp_echo), native and under Wine")
    parser.add_argument("--build-dir", default=os.path.join(load_servers.SOURCE_ROOT, "build"),
                        help="holds native/ and x86_64/ (default: build)")
    args = parser.parse_args()

    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    for s in servers:
        if s not in SERVERS:
            parser.error(f"unknown server '{s}' (known: {', '.join(SERVERS)})")
    try:
        connections = [int(c) for c in args.connections.split(",")] if args.connections else CONNECTIONS
        sizes = [parse_size(s) for s in args.sizes.split(",")] if args.sizes else SIZES
    except (ValueError, argparse.ArgumentTypeError) as err:
        parser.error(str(err))
    if any(c < 1 for c in connections):
        parser.error("connection counts must be at least 1")
    if args.depth is not None and args.depth < 1:
        parser.error("--depth must be at least 1")
    cells = args.cells or [(c, s, None) for c in connections for s in sizes]

    load_servers.install_stop_signals()
    log = lambda text: print(f"load_bench: {text}", file=sys.stderr, flush=True)  # noqa: E731
    workdir = load_servers.workdir()
    loadgen = load_servers.Loadgen()
    outcomes = []
    pids = []
    started_at = datetime.datetime.now(datetime.timezone.utc)
    server = None
    interrupted = False
    try:
        for kind in servers:
            server = load_servers.Server(kind, os.path.abspath(args.build_dir), workdir)
            missing = server.missing()
            failure = missing and f"not run: {missing}"
            for cell in cells:
                depth = depth_for(cell, args.depth)
                messages = messages_for(cell, kind, args.quick)
                if failure is None and not server.alive():
                    log(f"{server.label}: starting")
                    why = server.start()
                    if why:
                        failure = f"did not start: {why}"
                        log(f"{server.label}: {failure}")
                    else:
                        pids.append(f"{server.label}: pid {server.pid} ({server.pid_how})")
                if failure:
                    o = Outcome(kind, cell, messages)
                    o.failure = failure.split(":")[0]
                    o.details = [failure]
                else:
                    o = run_cell(server, cell, messages, depth, loadgen, log)
                o.depth = depth
                outcomes.append(o)
            server.stop()
            server = None
        floor = floor_table(os.path.abspath(args.build_dir), cells, args.depth, args.quick, log) if args.floor else []
    except KeyboardInterrupt:
        interrupted = True
        floor = []
        log("interrupted: stopping the servers")
    finally:
        loadgen.stop()
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    lines, notes = table(outcomes, cells, servers)
    print("# Load benchmark: echo servers under tools/loadgen/loadgen.js")
    print()
    print(f"- date: {started_at:%Y-%m-%d %H:%M} UTC")
    print(f"- machine: {machine()}")
    print(f"- Wine: {wine_version()}; Node: {node_version()}")
    print("- load: binary messages, each echo checked byte for byte; messages in flight per connection: "
          + "as in the depth column (a cell's own @D, else --depth, else 8 with one connection and 1 otherwise)"
          + "; messages: all connections together (a tenth under Wine, at least 3,000)"
          + ("; --quick (a tenth of the messages)" if args.quick else ""))
    print("- RSS/connection: (server RSS with every connection open - RSS before) / connections")
    for line in pids:
        print(f"- server {line}")
    print()
    for line in lines:
        print(line)
    if notes:
        print()
        for number, where, details in notes:
            print(f"[{number}] {where}: " + "; ".join(details[:3]))
    if floor:
        print()
        print("The floor: tools/bench/tcp_echo, a blocking TCP echo with a thread per connection and no")
        print("WebSocket work, against its own native client, same cells (message counts per connection as above):")
        print()
        for line in floor:
            print(line)
    if interrupted:
        print("\n(interrupted: the table is incomplete)")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
