#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""Stand-in for qemu-system-aarch64 in host tests of scripts/vmrun.py.

Finds the per-run archive vmrun.py appended to the initramfs, and prints a
console transcript chosen by FAKE_QEMU_MODE:
  ok       boot lines, the command's text as output, exit status from
           FAKE_QEMU_STATUS (default 0)
  panic    like ok, plus a kernel panic after the command
  warn     like ok, plus a WARNING splat
  hang     prints the begin marker, then answers a serial break and a
           SysRq key on stdin (Ctrl-A b, then the key) with the kernel's
           "sysrq:" line, until stdin closes or 60 s pass
  crash    boot lines, then exits without an exit marker
With FAKE_QEMU_ARGV set, writes its arguments there, one per line.
"""
import gzip
import os
import sys
import time

args = sys.argv[1:]
if os.environ.get("FAKE_QEMU_ARGV"):
    with open(os.environ["FAKE_QEMU_ARGV"], "w") as f:
        f.write("\n".join(args) + "\n")
initrd = args[args.index("-initrd") + 1]
data = open(initrd, "rb").read()
base = open(os.environ["FAKE_QEMU_BASE"], "rb").read()
assert data.startswith(base), "initramfs does not start with the base image"
arch = gzip.decompress(data[len(base):])
files, off = {}, 0
while True:
    hdr = arch[off:off + 110]
    assert hdr[:6] == b"070701", "bad newc magic"
    size, namesize = int(hdr[54:62], 16), int(hdr[94:102], 16)
    name = arch[off + 110:off + 110 + namesize - 1].decode()
    off = (off + 110 + namesize + 3) & ~3
    if name == "TRAILER!!!":
        break
    files[name] = arch[off:off + size]
    off = (off + size + 3) & ~3

mode = os.environ.get("FAKE_QEMU_MODE", "ok")
out = sys.stdout
out.write("[    0.000000] Booting Linux on physical CPU 0x0000000000 [0x000f0510]\r\n")
out.write("[    0.512345] Run /init as init process\r\n")
if mode == "crash":
    out.write("[    0.600000] something went wrong\r\n")
    sys.exit(0)
out.write("<<<kp:begin>>>\r\n")
out.flush()
if mode == "hang":
    names = {"l": "Show backtrace of all active CPUs", "w": "Show Blocked State"}
    end, seen = time.monotonic() + 60, b""
    while time.monotonic() < end:
        byte = os.read(0, 1)
        if not byte:
            break
        seen += byte
        if seen[-3:-1] == b"\x01b":
            key = seen[-1:].decode()
            out.write(f"[   60.000000] sysrq: {names.get(key, key)}\r\n")
            out.flush()
    time.sleep(60)
payload = files.get("kp/cmd", files.get("kp/run", b"")).decode()
out.write(f"| ran: {payload}\r\n")
out.write("[    1.000000] a kernel line in the middle\r\n")
out.write("| [    0.900000] a line from dmesg\r\n")
if mode == "warn":
    out.write("[    1.100000] ------------[ cut here ]------------\r\n")
    out.write("[    1.100001] WARNING: CPU: 1 PID: 42 at mm/memory.c:123 foo+0x10/0x20\r\n")
if mode == "panic":
    out.write("[    1.200000] Kernel panic - not syncing: sysrq triggered crash\r\n")
    sys.exit(0)
out.write(f"<<<kp:exit {os.environ.get('FAKE_QEMU_STATUS', '0')}>>>\r\n")
