#!/usr/bin/env python3
# Copyright 2026 The websocket.dll authors
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The mingw-w64 SDK as its users get it: `meson install` a PE build into a
temporary prefix, compile sdk_program.c with nothing but the compiler and the
installed files (plain `CC prog.c -I<prefix>/include -L<prefix>/lib
-lwebsocket`), and run it under Wine against the installed DLL.

  sdk_check.py --build-dir DIR --cc CC --meson MESON --source sdk_program.c [--no-run REASON]

TAP output.  --no-run (i686: no 32-bit Wine here) stops after the link, which
still proves the installed import library resolves what a caller refers to.
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(1, os.path.join(SOURCE_ROOT, "tools"))
from exe_wrapper import wrapper_for  # noqa: E402
from pe_check import Image  # noqa: E402
from tap import Tap  # noqa: E402


def run(cmd, env=None):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=300)
    return done.returncode, done.stdout.decode("utf-8", "replace")


def install_dirs(meson, build_dir):
    """prefix, and bindir, libdir and includedir below it, as this build installs them."""
    code, out = run([meson, "introspect", build_dir, "--buildoptions"])
    if code:
        sys.exit(f"meson introspect failed:\n{out}")
    options = {o["name"]: o["value"] for o in json.loads(out)}
    return options["prefix"], {k: options[k] for k in ("bindir", "libdir", "includedir")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--cc", required=True)
    parser.add_argument("--meson", required=True)
    parser.add_argument("--source", required=True)
    parser.add_argument("--no-run")
    args = parser.parse_args()
    build_dir = os.path.abspath(args.build_dir)
    tap = Tap()

    with tempfile.TemporaryDirectory(prefix="websocket-sdk-") as tmp:
        destdir = os.path.join(tmp, "destdir")
        code, out = run([args.meson, "install", "-C", build_dir, "--no-rebuild", "--quiet", "--destdir", destdir])
        if not tap.result(code == 0, "meson install into a temporary prefix", [out]):
            return tap.finish()
        prefix, dirs = install_dirs(args.meson, build_dir)
        root = os.path.join(destdir, prefix.lstrip("/"))
        bindir, libdir, includedir = (os.path.join(root, dirs[k]) for k in ("bindir", "libdir", "includedir"))
        for path in (os.path.join(includedir, "websocket.h"), os.path.join(libdir, "libwebsocket.dll.a"),
                     os.path.join(bindir, "websocket.dll"), os.path.join(libdir, "pkgconfig", "websocket.pc")):
            tap.result(os.path.isfile(path), f"installed {os.path.relpath(path, destdir)}")
        stray = os.path.join(libdir, "websocket.dll.a")
        tap.result(not os.path.exists(stray), "the linker's own import library is not installed")

        # What a user's build system reads from the .pc file, wherever the prefix lies.
        env = dict(os.environ, PKG_CONFIG_LIBDIR=os.path.join(libdir, "pkgconfig"))
        code, out = run(["pkg-config", "--define-prefix", "--cflags", "--libs", "websocket"], env)
        wanted = [f"-I{includedir}", f"-L{libdir}", "-lwebsocket"]
        tap.result(code == 0 and out.split() == wanted, "pkg-config --cflags --libs websocket",
                   [f"got: {out.strip()}", f"expected: {' '.join(wanted)}"])

        # Only the installed files: a copy of the source, compiled outside the tree.
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        source = shutil.copy(args.source, work)
        program = os.path.join(bindir, "sdk_program.exe")  # beside the installed DLL, as Windows finds it
        cmd = [*shlex.split(args.cc), source, f"-I{includedir}", f"-L{libdir}", "-lwebsocket", "-o", program]
        code, out = run(cmd)
        if not tap.result(code == 0, "compile and link: " + " ".join(cmd), [out]):
            return tap.finish()
        with open(program, "rb") as f:
            imports = [name.lower() for name in Image(f.read()).imports()]
        tap.result("websocket.dll" in imports, "the program imports websocket.dll", [f"imports: {imports}"])

        if args.no_run:
            tap.note(f"not run: {args.no_run}")
            return tap.finish()
        env = dict(os.environ, WINEDEBUG="+loaddll")
        code, out = run(wrapper_for(build_dir) + [program], env)
        tap.result(code == 0 and "handshake and message OK" in out, "the program runs under Wine", [out])
        # Wine prints the path with doubled backslashes: Z:\\tmp\\...\\websocket.dll.
        loaded = ("z:" + os.path.join(bindir, "websocket.dll").replace("/", "\\")).lower()
        lines = [line.replace("\\\\", "\\").lower() for line in out.splitlines() if "websocket.dll" in line.lower()]
        tap.result(any(loaded in line and ": native" in line for line in lines),
                   "Wine loaded the installed websocket.dll", [f"expected {loaded}", *lines])
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
