#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turn a Wine .spec file into the export list a linker wants.

  spec2def.py def    SPEC OUT [--i386]  .def to link the DLL with (exports renamed to their
                                        implementation where the spec names one)
  spec2def.py implib SPEC OUT [--i386]  .def for the import library (the export names only)
  spec2def.py map    SPEC OUT           GNU ld version script for the ELF library

On i386, stdcall symbols are decorated _Name@N; the linker's --kill-at (and
dlltool's) keeps the exports themselves undecorated, as Windows has them.
  spec2def.py list SPEC                the exported names, one per line

The spec stays the one list of exports; every other list is made from it.
"""
import re
import sys

ARG_SIZE_I386 = {"ptr": 4, "long": 4, "str": 4, "wstr": 4, "int64": 8, "double": 8, "float": 4}
LINE = re.compile(r"^\s*(@|\d+)\s+(stdcall|cdecl)\s+((?:-\S+\s+)*)(\w+)\s*\(([^)]*)\)\s*(\S+)?\s*$")


def parse(path):
    exports = []
    with open(path, encoding="ascii") as f:
        for lineno, raw in enumerate(f, 1):
            text = raw.split("#", 1)[0].strip()
            if not text:
                continue
            m = LINE.match(text)
            if not m:
                sys.exit(f"{path}:{lineno}: cannot parse: {text}")
            _, conv, _, name, args, impl = m.groups()
            args = args.split()
            for a in args:
                if a not in ARG_SIZE_I386:
                    sys.exit(f"{path}:{lineno}: unknown argument type {a}")
            exports.append((conv, name, args, impl or name))
    return exports


def decorate(symbol, conv, args, i386):
    if i386 and conv == "stdcall":
        return f"{symbol}@{sum(ARG_SIZE_I386[a] for a in args)}"
    return symbol


def write_def(exports, out, i386, for_implib):
    lines = ["LIBRARY websocket.dll", "EXPORTS"]
    for conv, name, args, impl in exports:
        if for_implib or impl == name:
            lines.append(f"    {decorate(name, conv, args, i386)}")
        else:
            lines.append(f"    {name}={decorate(impl, conv, args, i386)}")
    out.write("\n".join(lines) + "\n")


def write_map(exports, out):
    names = "".join(f"    {name};\n" for _, name, _, _ in exports)
    out.write("{\n  global:\n" + names + "  local:\n    *;\n};\n")


def main(argv):
    if len(argv) < 3 or argv[1] not in ("def", "implib", "map", "list"):
        sys.exit(__doc__)
    exports = parse(argv[2])
    if argv[1] == "list":
        for _, name, _, _ in exports:
            print(name)
        return
    with open(argv[3], "w", encoding="ascii") as out:
        if argv[1] in ("def", "implib"):
            write_def(exports, out, "--i386" in argv[4:], argv[1] == "implib")
        else:
            write_map(exports, out)


if __name__ == "__main__":
    main(sys.argv)
