#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The conformance program as it is run on Windows: alone, against the
system's websocket.dll.

  standalone.py --build-dir DIR --program websocket_test.exe --arch ARCH --dll websocket.dll
                [--no-run REASON]

It must import only system DLLs and websocket.dll, and have no websocket.dll
beside it.  Under Wine the "system's" DLL is ours when tools/install-wine.sh
has put it into the prefix's system32 and set the override: this runs the
program that way, in a prefix of its own (WS_WINEPREFIX_INSTALLED, default
~/.cache/websocket-dll/wine-ARCH-installed), with no override in the
environment, and checks that Wine loaded C:\\windows\\system32\\websocket.dll
as a native DLL and that every check passed.  TAP output.
"""
import argparse
import fcntl
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(1, os.path.join(SOURCE_ROOT, "tools"))
from pe_check import Image, image_errors  # noqa: E402
from tap import Tap  # noqa: E402

WINE = "/usr/lib/wine/wine64"
SUMMARY = re.compile(r"^[0-9a-f]+:websocket: (\d+) tests executed .*, (\d+) failures?\), (\d+) skipped\.$", re.M)


def default_prefix(arch):
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "websocket-dll", f"wine-{arch}-installed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--program", required=True)
    parser.add_argument("--arch", required=True)
    parser.add_argument("--dll", required=True)
    parser.add_argument("--no-run")
    args = parser.parse_args()
    program = os.path.abspath(args.program)
    tap = Tap()

    with open(program, "rb") as f:
        image = Image(f.read())
    errors = image_errors(image, args.arch, frozenset({"websocket.dll"}))
    tap.result(not errors, f"{args.arch} program importing only system DLLs and websocket.dll",
               [f"imports: {image.imports()}", *errors])
    beside = os.path.join(os.path.dirname(program), "websocket.dll")
    tap.result(not os.path.exists(beside), "no websocket.dll beside it", [beside])
    if args.no_run:
        tap.note(f"not run: {args.no_run}")
        return tap.finish()

    prefix = os.environ.get("WS_WINEPREFIX_INSTALLED") or default_prefix(args.arch)
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "WINEDLLOVERRIDES")}
    env.update(WINEPREFIX=prefix, WINEARCH="win64", WS_DLL64=os.path.abspath(args.dll), WS_DLL32="")
    with open(prefix + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # No Mono or Gecko prompt while the prefix is made.
        done = subprocess.run(["sh", os.path.join(SOURCE_ROOT, "tools", "install-wine.sh")],
                              env=dict(env, WINEDLLOVERRIDES="mscoree,mshtml="), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=240)
        out = done.stdout.decode("utf-8", "replace")
        if not tap.result(done.returncode == 0, "tools/install-wine.sh into " + prefix, [out]):
            return tap.finish()
        # The override comes from the registry install-wine.sh wrote, as for a user.
        env.update(WINEDEBUG="+loaddll", WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d")
        done = subprocess.run([WINE, program], cwd=os.path.dirname(program), env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=240)
    # msvcrt writes text mode: CR LF.
    stdout = done.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    stderr = done.stderr.decode("utf-8", "replace")

    loaded = [line for line in stderr.splitlines() if re.search(r"loaddll.*websocket\.dll", line, re.I)]
    tap.result(any(re.search(r'"C:\\\\windows\\\\system32\\\\websocket\.dll".*: native', line, re.I)
                   for line in loaded), "Wine loaded system32's websocket.dll, native", loaded or [stderr[-2000:]])
    tap.result(re.search(r"testing C:\\windows\\system32\\websocket\.dll on Wine", stdout, re.I) is not None,
               "the program names the DLL it tests", [stdout[:500]])
    summary = SUMMARY.search(stdout)
    tap.result(done.returncode == 0 and summary is not None and summary.group(2) == "0" and int(summary.group(1)) > 0,
               "every check passed", [f"exit status {done.returncode}", summary.group(0) if summary else stdout[-2000:]])
    tap.result(re.search(r"^\S+ choice: .*: as chosen in \d+ checks$", stdout, re.M) is not None
               and "DIFFERS" not in stdout and "not checked" not in stdout,
               "every choice reported as chosen", [line for line in stdout.splitlines() if "choice:" in line])
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
