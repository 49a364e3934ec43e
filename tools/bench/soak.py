#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Soak: one echo server under a long, mixed load from tools/loadgen/loadgen.js
(random message sizes, clients that drop their connections without a close
and come back), its resident memory sampled every 10 s.  A benchmark, not a
test: it says whether memory stayed flat, it does not decide a build's fate.

  python3 tools/bench/soak.py [--server native|wine|node|python] [--minutes 10]
                              [--connections 200] [--sizes 0:1048576] [--abort-rate 0.01]
                              [--depth 1] [--build-dir build]

Prints the messages echoed, errors (a dropped connection is an abort, not an
error), aborts, and RSS over time: one row a minute, then min, max, first and
last; whether RSS stayed flat under load (the least-squares trend from minute
1 to the end moves less than 10 % of its mean: with random sizes one sample
is only what happens to be in flight) and whether it came back within 10 %
of where it was before the load once the connections closed.
Exit status 0 when there were no errors and memory stayed flat, 1 otherwise.
"""
import argparse
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import load_servers  # noqa: E402

SAMPLE_SECONDS = 10
FLAT_TOLERANCE = 0.10


def mib(kib):
    return f"{kib / 1024:.1f}" if kib is not None else "?"


def sample_near(samples, seconds):
    """The sample taken closest to seconds after the start."""
    return min(samples, key=lambda s: abs(s[0] - seconds)) if samples else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", choices=load_servers.SERVERS, default="native")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--sizes", default="0:1048576", help="MIN:MAX bytes, a random size per message")
    parser.add_argument("--abort-rate", type=float, default=0.01,
                        help="chance, after each echo, that the client drops the connection and reconnects")
    parser.add_argument("--depth", type=int, default=1, help="messages in flight per connection")
    parser.add_argument("--build-dir", default=os.path.join(load_servers.SOURCE_ROOT, "build"))
    args = parser.parse_args()
    if args.minutes <= 0 or args.connections < 1 or args.depth < 1 or not 0 <= args.abort_rate <= 1:
        parser.error("--minutes must be positive, --connections and --depth at least 1, --abort-rate in [0, 1]")
    if not re.fullmatch(r"\d+:\d+", args.sizes):
        parser.error("--sizes: expected MIN:MAX")

    load_servers.install_stop_signals()
    log = lambda text: print(f"soak: {text}", file=sys.stderr, flush=True)  # noqa: E731
    workdir = load_servers.workdir()
    server = load_servers.Server(args.server, os.path.abspath(args.build_dir), workdir)
    loadgen = load_servers.Loadgen()
    samples = []  # (seconds since the load started, RSS KiB)
    result = None
    code = None
    try:
        missing = server.missing()
        if missing:
            log(f"{server.label}: {missing}")
            return 1
        log(f"{server.label}: starting")
        why = server.start()
        if why:
            log(f"{server.label}: did not start: {why}")
            return 1
        log(f"{server.label}: {server.url()}, pid {server.pid} ({server.pid_how})")
        samples.append((0.0, load_servers.rss_kib(server.pid)))

        def on_tick(seconds):
            rss = load_servers.rss_kib(server.pid)
            samples.append((seconds, rss))
            if rss is None:
                log(f"{seconds / 60:.1f} min: the server is gone")

        seconds = args.minutes * 60
        log(f"{args.minutes:g} min, {args.connections} connections, sizes {args.sizes} B, "
            f"abort rate {args.abort_rate:g}, depth {args.depth}")
        result, code, stderr = loadgen.run(
            server.url("/soak"),
            ["--connections", args.connections, "--duration", seconds, "--sizes", args.sizes, "--binary",
             "--abort-rate", args.abort_rate, "--depth", args.depth, "--pid", server.pid, "--progress", 60],
            timeout=seconds + 600, progress_to_stderr=True, on_tick=on_tick, tick=SAMPLE_SECONDS)
        server_alive = server.alive()
    except KeyboardInterrupt:
        log("interrupted: stopping the server")
        return 130
    finally:
        loadgen.stop()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"# Soak: {server.label}, {args.minutes:g} min, {args.connections} connections, "
          f"sizes {args.sizes} B, abort rate {args.abort_rate:g}, depth {args.depth}")
    print()
    if result is None:
        print(f"loadgen failed (exit status {code})" + (": " + " | ".join(stderr) if stderr else ""))
        return 1
    errors = result["errors"] + result["connect_failures"]
    print(f"- messages echoed: {result['messages']:,} ({result['msgs_per_s']:,.0f} msgs/s, "
          f"{result['mb_per_s']:,.1f} MB/s, p99 {result['latency_us']['p99'] / 1000:.1f} ms)")
    print(f"- errors: {result['errors']}, connect failures: {result['connect_failures']}"
          + (" (must be 0)" if errors else ""))
    for reason in result["connect_failure_reasons"] + result["error_reasons"]:
        print(f"  - {reason}")
    print(f"- aborts (client drops without a close, then reconnects): {result['aborts']:,}")
    if not server_alive:
        print("- the server is gone at the end")

    print()
    print("| time (min:s) | RSS MiB |")
    print("|---:|---:|")
    if args.minutes < 3:
        shown = list(samples)  # a short run: every sample
    else:
        shown = []
        for minute in range(0, int(samples[-1][0] // 60) + 1 if samples else 0):
            near = sample_near(samples, minute * 60)
            if abs(near[0] - minute * 60) <= SAMPLE_SECONDS / 2 and near not in shown:
                shown.append(near)
        if samples and samples[-1] not in shown:
            shown.append(samples[-1])  # the last one taken under load
    for seconds, rss in shown:
        print(f"| {int(seconds // 60)}:{int(seconds % 60):02d} | {mib(rss)} |")
    after = (result.get("rss_kib") or {}).get("after")
    print(f"| after closing | {mib(after)} |")

    values = [rss for _, rss in samples if rss is not None]
    flat = False
    if values:
        print()
        print(f"RSS over {len(values)} samples every {SAMPLE_SECONDS} s: min {mib(min(values))} MiB, "
              f"max {mib(max(values))} MiB, first {mib(values[0])} MiB (before the load), last {mib(values[-1])} MiB")
        # Under random sizes one sample is whatever is in flight then: judge
        # the trend (a least-squares line from minute 1 on), not one sample.
        loaded = [(t, rss) for t, rss in samples if rss is not None and t >= 60]
        if len(loaded) >= 3:
            n = len(loaded)
            mean_t = sum(t for t, _ in loaded) / n
            mean_rss = sum(r for _, r in loaded) / n
            slope = (sum((t - mean_t) * (r - mean_rss) for t, r in loaded)
                     / sum((t - mean_t) ** 2 for t, _ in loaded))
            drift = slope * (loaded[-1][0] - loaded[0][0])
            flat = abs(drift) <= FLAT_TOLERANCE * mean_rss
            print(f"RSS {'stayed flat' if flat else 'did NOT stay flat'} under load: the trend from "
                  f"minute 1 to the end moves {drift / 1024:+.1f} MiB ({drift / mean_rss * 100:+.1f} % of the "
                  f"mean {mib(mean_rss)} MiB; tolerance {FLAT_TOLERANCE * 100:.0f} %)")
        else:
            print("(a run this short says little: too few samples after minute 1)")
        if after is not None:
            back = after <= values[0] * (1 + FLAT_TOLERANCE)
            flat = flat and back
            print(f"RSS after the connections closed: {mib(after)} MiB, "
                  f"{'within' if back else 'NOT within'} {FLAT_TOLERANCE * 100:.0f} % of {mib(values[0])} MiB before the load")
    return 0 if errors == 0 and flat and server_alive else 1


if __name__ == "__main__":
    sys.exit(main())
