#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""`meson install` script: copy a built file into a directory under the install prefix.

  install_to.py FILE DIR      DIR relative to the prefix (DESTDIR honoured)

For the PE websocket.dll, which install: true would ship with the linker's own
import library (dlls/websocket/meson.build says why that one is wrong).
"""
import os
import shutil
import sys


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    target = os.path.join(os.environ["MESON_INSTALL_DESTDIR_PREFIX"], argv[2])
    print(f"Installing {argv[1]} to {target}")
    if os.environ.get("MESON_INSTALL_DRY_RUN"):
        return
    os.makedirs(target, exist_ok=True)
    shutil.copy2(argv[1], target)


if __name__ == "__main__":
    main(sys.argv)
