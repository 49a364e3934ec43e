#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The command that runs a build's host programs: the exe_wrapper of the cross
file the build directory was set up with (Wine for the PE builds), or nothing
for a native build.  The cross file stays the one place that says how.

  exe_wrapper.py BUILD_DIR PROGRAM [ARGS...]   run PROGRAM the way `meson test` would
"""
import ast
import configparser
import os
import sys


def wrapper_for(build_dir):
    cmd_line = configparser.ConfigParser()
    cmd_line.read(os.path.join(build_dir, "meson-private", "cmd_line.txt"))
    cross_files = ast.literal_eval(cmd_line.get("properties", "cross_file", fallback="[]"))
    wrapper = []
    for path in cross_files:
        machine = configparser.ConfigParser()
        machine.read(path)
        if machine.has_option("binaries", "exe_wrapper"):
            value = ast.literal_eval(machine.get("binaries", "exe_wrapper"))
            wrapper = [value] if isinstance(value, str) else list(value)
    return wrapper


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd = wrapper_for(sys.argv[1]) + sys.argv[2:]
    os.execvp(cmd[0], cmd)
