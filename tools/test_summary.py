#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Count the results of `meson test` in several build directories.

  test_summary.py BUILD_DIR...

Prints one line per build and a last line "N passed, N failed, N skipped";
exits 1 when a test failed or a build directory has no results.
"""
import json
import os
import sys

PASS = {"OK", "EXPECTEDFAIL"}
SKIP = {"SKIP"}


def main(dirs):
    total = {"passed": 0, "failed": 0, "skipped": 0}
    missing = False
    for d in dirs:
        path = os.path.join(d, "meson-logs", "testlog.json")
        if not os.path.exists(path):
            print(f"{d}: no test results")
            missing = True
            continue
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        with open(path, encoding="utf-8") as f:
            for line in f:
                result = json.loads(line)["result"]
                key = "passed" if result in PASS else "skipped" if result in SKIP else "failed"
                counts[key] += 1
        print(f"{d}: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
        for k in total:
            total[k] += counts[k]
    print(f"{total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    return 1 if total["failed"] or missing or not total["passed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
