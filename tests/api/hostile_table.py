#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The README's hostile-input table must be the catalogue's own.

  hostile_table.py README PROGRAM            check (exit 1 and a diff if not)
  hostile_table.py README PROGRAM --write    put the program's table in README

The table sits between the two marker comments below in README.md.  In a
cross build (i686 under qemu) `meson test` names the host's runner in
MESON_EXE_WRAPPER; the program runs through it.
"""
import difflib
import os
import shlex
import subprocess
import sys

BEGIN = "<!-- hostile-input table: tests/api/hostile_table.py --write -->"
END = "<!-- end of hostile-input table -->"


def main():
    readme, program = sys.argv[1], sys.argv[2]
    wrapper = shlex.split(os.environ.get("MESON_EXE_WRAPPER", ""))
    table = subprocess.run(wrapper + [program, "--markdown"], check=True, capture_output=True, text=True).stdout
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        sys.exit(f"{readme}: no hostile-input table markers")
    head, rest = text.split(BEGIN, 1)
    current, tail = rest.split(END, 1)
    wanted = "\n" + table + "\n"
    if len(sys.argv) > 3 and sys.argv[3] == "--write":
        with open(readme, "w", encoding="utf-8") as f:
            f.write(head + BEGIN + wanted + END + tail)
        return 0
    if current != wanted:
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), wanted.splitlines(True),
                                                   "README.md", "catalogue"))
        print("the README's table differs from the catalogue: run tests/api/hostile_table.py --write")
        return 1
    print(f"README table matches the catalogue ({table.count(chr(10)) - 2} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
