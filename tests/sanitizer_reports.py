# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Sanitizer reports in a program's standard error, for the drivers that run
wsecho (tests/interop, tests/wire, tests/faults): a sanitized build reports
memory errors, leaks, undefined behaviour and data races there, and any
report fails the suite."""
import re

# What AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer and
# ThreadSanitizer print.
SANITIZER_REPORT = re.compile(r"ERROR: (Address|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer")


def sanitizer_reports(path, label):
    """The first lines of every report in the file at path, each as one line
    starting with label."""
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []
    return [f"{label}: " + " | ".join(lines[i:i + 6])
            for i, line in enumerate(lines) if SANITIZER_REPORT.search(line)]
