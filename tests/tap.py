# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""TAP output for the Python test drivers that `meson test` runs with
protocol 'tap' (tests/interop, tests/faults)."""


class Tap:
    def __init__(self):
        self.count = 0
        self.failed = 0

    def result(self, ok, description, details=()):
        self.count += 1
        if not ok:
            self.failed += 1
        print(f"{'ok' if ok else 'not ok'} {self.count} - {description}", flush=True)
        if not ok:
            for line in details:
                for part in str(line).splitlines() or [""]:
                    print(f"# {part}", flush=True)
        return ok

    def note(self, text):
        print(f"# {text}", flush=True)

    def finish(self):
        print(f"1..{self.count}", flush=True)
        return 1 if self.failed else 0
