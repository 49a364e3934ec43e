#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""WINEDEBUG=+websocket traces every call in Wine's form; -all silences the channel.

  trace_check.py BUILD_DIR PROGRAM

PE programs run under the build's exe_wrapper (Wine), as `meson test` runs them.
PROGRAM is tests/trace/trace_calls.c, which calls every export once.
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from exe_wrapper import wrapper_for  # noqa: E402

NULL = r"(\(nil\)|0+|0x0+)"
EXPECTED = {
    # function: the start of its argument list as traced
    "WebSocketGetGlobalProperty": r"5, ",
    "WebSocketCreateClientHandle": NULL + r", 0, ",
    "WebSocketCreateServerHandle": NULL + r", 0, ",
    "WebSocketBeginClientHandshake": r"\S+, \S+, 1, " + NULL + r", 0, ",
    "WebSocketBeginServerHandshake": r"\S+, \"chat\", " + NULL + r", 0, ",
    "WebSocketEndClientHandshake": r"\S+, \S+, 4, ",
    "WebSocketEndServerHandshake": r"\S+\n",
    "WebSocketSend": r"\S+, 0x80000000, ",
    "WebSocketReceive": r"\S+, " + NULL + ", " + NULL + r"\n",
    "WebSocketGetAction": r"\S+, 1, ",
    "WebSocketCompleteAction": r"\S+, \S+, 0\n",
    "WebSocketAbortHandle": r"\S+\n",
    "WebSocketDeleteHandle": r"\S+\n",
}
RESULT = re.compile(r"^([0-9a-f]{4,}:)+trace:websocket:WebSocketSend returning 0\n", re.M)


def run(cmd, winedebug):
    env = dict(os.environ)
    env["WINEDEBUG"] = winedebug
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return done.returncode, done.stderr.decode("utf-8", "replace")


def main(argv):
    wrapper = wrapper_for(argv[1])
    if argv[2].endswith(".exe") and not wrapper and os.name != "nt":
        print("no exe_wrapper to run a PE program here: skipped")
        return 77
    cmd = wrapper + argv[2:]
    failures = 0

    _, log = run(cmd, "+websocket")
    for function, args in EXPECTED.items():
        pattern = re.compile(r"^([0-9a-f]{4,}:)+trace:websocket:" + function + " " + args, re.M)
        if not pattern.search(log):
            print(f"FAIL: no trace line for {function} matching {pattern.pattern}")
            failures += 1
    if not RESULT.search(log):
        print("FAIL: no result line for WebSocketSend")
        failures += 1

    _, log = run(cmd, "-all")
    if ":websocket:" in log:
        print("FAIL: WINEDEBUG=-all still printed:\n" + log)
        failures += 1

    # Nothing at all by default: no fixme or err is left on these paths.
    _, log = run(cmd, "")
    if ":websocket:" in log:
        print("FAIL: printed without +websocket:\n" + log)
        failures += 1

    print(f"trace: {len(EXPECTED) + 3 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
