# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""The facts of one guest architecture, from scripts/arch/ARCH.env (the
file the Makefile and scripts/archenv.sh read too)."""

import os
import subprocess
import sys
import time

import guestlog

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCH_DIR = os.path.join(ROOT, "scripts", "arch")


def known():
    return sorted(f[:-4] for f in os.listdir(ARCH_DIR) if f.endswith(".env"))


def load(arch):
    """A dict of ARCH.env's keys, or ValueError naming the known ones."""
    path = os.path.join(ARCH_DIR, f"{arch}.env")
    if not os.path.isfile(path):
        raise ValueError(f"unknown ARCH '{arch}'; use one of: {' '.join(known())}")
    env = {"ARCH": arch}
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            key, _, value = line.partition("=")
            env[key] = value
    return env


def build_dir(root, arch, variant):
    """build/VARIANT for arm64, build/ARCH-VARIANT for the others."""
    return os.path.join(root, "build", load(arch)["BUILD_PREFIX"] + variant)


def vmrun_argv(arch, variant, log, *, mem, smp, timeout, qemu=None,
               append="", cmd=None, add=(), icount=None):
    """The scripts/vmrun.py command line that boots ARCH's VARIANT guest
    (vmrun.py --variant: its kernel and initramfs under build/), with the
    initramfs fragments in ADD appended; QEMU None: the ARCH's emulator;
    ICOUNT: run under QEMU's instruction counting with that shift
    (vmrun.py --icount)."""
    argv = [sys.executable, os.path.join(ROOT, "scripts", "vmrun.py"),
            "--arch", arch, "--variant", variant,
            *(x for f in add for x in ("--add", f)),
            "--mem", mem, "--smp", str(smp), "--timeout", str(timeout),
            "--log", log, "--append", append]
    if qemu:
        argv += ["--qemu", qemu]
    if icount is not None:
        argv += ["--icount", str(icount)]
    if cmd is not None:
        argv += ["--cmd", cmd]
    return argv


class Boot:
    """One finished guest boot: returncode, stdout and stderr of
    vmrun.py, the secs it took, and the console log's LINES
    (guestlog.clean())."""

    def __init__(self, proc, secs, log):
        self.returncode, self.stderr = proc.returncode, proc.stderr
        self.stdout, self.secs, self.log = proc.stdout, secs, log
        self.lines = []
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                self.lines = [guestlog.clean(x) for x in f]


def boot(arch, variant, log, **kw):
    """Boot ARCH's VARIANT guest (under this tree's build/) through
    scripts/vmrun.py, the one way the harness boots (make test, make
    bench, make mm-selftests; make vm and make demo call vmrun.py with
    --variant too). KW: vmrun_argv's."""
    argv = vmrun_argv(arch, variant, log, **kw)
    t0 = time.monotonic()
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, errors="replace")
    return Boot(p, time.monotonic() - t0, log)
