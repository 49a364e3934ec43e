#!/usr/bin/env python3
# Instructions per message through the exported API, counted by callgrind
# (repeatable whatever else the machine is doing, unlike a timing).
#
#   python3 tools/bench/api_instructions.py [--bench build/native/tools/bench]
#                                           [--size 16B] [--payload binary]
#
# Runs the bench's API cells of one size and payload (default and 64 KiB
# buffers, client->server and server->client) under callgrind and divides the
# instructions spent inside the exported functions (inclusive: the engine, the
# lock, the kernels) by the number of messages (WebSocketSend calls).
#
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import os
import re
import subprocess
import sys
import tempfile

EXPORTS = ("WebSocketSend", "WebSocketReceive", "WebSocketGetAction", "WebSocketCompleteAction",
           "websocket_complete_action")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bench", default=os.path.join(here, "..", "..", "build", "native", "tools", "bench"))
    parser.add_argument("--size", default="16B")
    parser.add_argument("--payload", default="binary")
    parser.add_argument("--direction", choices=("c2s", "s2c"), help="one direction only (default: both)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, args.bench, "--quick",
                        "--reps", "1", "--only", "api", "--size", args.size, "--payload", args.payload]
                       + (["--direction", args.direction] if args.direction else []),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        inclusive = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
                                   check=True, capture_output=True, text=True).stdout
        tree = subprocess.run(["callgrind_annotate", "--tree=caller", "--threshold=100", out],
                              check=True, capture_output=True, text=True).stdout

    def number(text):
        return int(text.replace(",", ""))

    total = 0
    per_function = {}
    for line in inclusive.splitlines():
        m = re.match(r"\s*([\d,]+)\s+\([^)]*\)\s+\S*:(\w+) \[", line)
        if m and m.group(2) in EXPORTS:
            per_function[m.group(2)] = per_function.get(m.group(2), 0) + number(m.group(1))
            total += number(m.group(1))
    sends = sum(number(m.group(1)) for m in re.finditer(r"=> \S*:WebSocketSend \(([\d,]+)x\)", tree))
    if not sends or not total:
        sys.exit("api_instructions: no WebSocketSend calls found in the profile")
    print(f"{args.size} {args.payload} {args.direction or 'c2s+s2c'}: {sends} messages, {total / sends:.0f} instructions per message "
          "in the exported functions")
    for name, count in sorted(per_function.items(), key=lambda item: -item[1]):
        print(f"  {name:26s} {count / sends:7.0f}")


if __name__ == "__main__":
    main()
