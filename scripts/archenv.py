# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""The facts of one guest architecture, from scripts/arch/ARCH.env (the
file the Makefile and scripts/archenv.sh read too)."""

import os
import sys

ARCH_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "arch")


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


def vmrun_argv(root, arch, variant, log, *, mem, smp, timeout, qemu=None,
               append="", cmd=None, add=(), icount=None):
    """The scripts/vmrun.py command line that boots ARCH's VARIANT guest
    (its kernel and initramfs under build/), with the initramfs fragments
    in ADD appended; QEMU None: the ARCH's emulator; ICOUNT: run under
    QEMU's instruction counting with that shift (vmrun.py --icount)."""
    env = load(arch)
    b = build_dir(root, arch, variant)
    argv = [sys.executable, os.path.join(root, "scripts", "vmrun.py"),
            "--arch", arch,
            "--kernel", os.path.join(b, "kernel", env["KIMAGE"]),
            "--initrd", os.path.join(b, "initramfs.cpio.gz"),
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
