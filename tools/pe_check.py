#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check a built websocket.dll: machine, exports and imports.

  pe_check.py DLL SPEC {x86_64|i686}

Passes when the DLL is a PE image of the given machine, exports exactly the
functions of the spec file under their plain names, imports only Windows
system DLLs, and carries no Wine builtin marker (Wine would then load its own
stub instead).  image_errors() checks programs too (tests/windows).
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spec2def  # noqa: E402

MACHINES = {"x86_64": (0x8664, 0x20B), "i686": (0x14C, 0x10B)}
SYSTEM_DLLS = {"kernel32.dll", "ntdll.dll", "bcrypt.dll", "advapi32.dll", "msvcrt.dll", "ucrtbase.dll"}


class Image:
    def __init__(self, data):
        self.data = data
        if data[:2] != b"MZ":
            raise ValueError("no MZ header")
        pe = struct.unpack_from("<I", data, 0x3C)[0]
        if data[pe:pe + 4] != b"PE\0\0":
            raise ValueError("no PE signature")
        self.machine, nsections, _, _, _, opt_size, _ = struct.unpack_from("<HHIIIHH", data, pe + 4)
        opt = pe + 24
        self.magic = struct.unpack_from("<H", data, opt)[0]
        dirs = opt + (96 if self.magic == 0x10B else 112)
        self.dirs = [struct.unpack_from("<II", data, dirs + 8 * i) for i in range(2)]
        sec = opt + opt_size
        self.sections = []
        for i in range(nsections):
            vsize, va, rawsize, rawptr = struct.unpack_from("<IIII", data, sec + 40 * i + 8)
            self.sections.append((va, max(vsize, rawsize), rawptr))

    def offset(self, rva):
        for va, size, raw in self.sections:
            if va <= rva < va + size:
                return rva - va + raw
        raise ValueError(f"RVA {rva:#x} is in no section")

    def cstr(self, rva):
        off = self.offset(rva)
        return self.data[off:self.data.index(b"\0", off)].decode("ascii")

    def exports(self):
        rva, size = self.dirs[0]
        if not size:
            return []
        names, name_table = struct.unpack_from("<II", self.data, self.offset(rva) + 24)[0], \
            struct.unpack_from("<I", self.data, self.offset(rva) + 32)[0]
        return [self.cstr(struct.unpack_from("<I", self.data, self.offset(name_table) + 4 * i)[0])
                for i in range(names)]

    def imports(self):
        rva, size = self.dirs[1]
        result = []
        off = self.offset(rva) if size else None
        while off is not None:
            name_rva = struct.unpack_from("<I", self.data, off + 12)[0]
            if not name_rva:
                break
            result.append(self.cstr(name_rva))
            off += 20
        return result


def image_errors(image, arch, allowed=frozenset()):
    """What is wrong with the machine and the imports of an image for arch."""
    errors = []
    machine, magic = MACHINES[arch]
    if (image.machine, image.magic) != (machine, magic):
        errors.append(f"machine {image.machine:#x}/{image.magic:#x}, expected {machine:#x}/{magic:#x}")
    bad = [d for d in image.imports()
           if d.lower() not in SYSTEM_DLLS | allowed and not d.lower().startswith("api-ms-win-")]
    if bad:
        errors.append(f"imports non-system DLLs: {bad}")
    return errors


def main(argv):
    if len(argv) != 4 or argv[3] not in MACHINES:
        sys.exit(__doc__)
    with open(argv[1], "rb") as f:
        image = Image(f.read())
    expected = sorted(name for _, name, _, _ in spec2def.parse(argv[2]))
    errors = image_errors(image, argv[3])
    exports = sorted(image.exports())
    if exports != expected:
        errors.append(f"exports {exports}, expected {expected}")
    if image.data[0x40:0x40 + 17] in (b"Wine builtin DLL\0", b"Wine placeholder "):
        errors.append("carries Wine's builtin marker")
    print(f"{argv[1]}: {len(exports)} exports, imports {', '.join(image.imports())}")
    for e in errors:
        print("FAIL:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main(sys.argv)
