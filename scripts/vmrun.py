#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""Boot the guest under QEMU and run one thing in it.

    vmrun.py [--arch arm64|x86_64] (--variant V | --kernel IMAGE --initrd
             base.cpio.gz) [--add F] [--cmd STR | --run FILE] [--append ARGS]
             [--mem SIZE] [--smp N] [--timeout S] [--log FILE]
             [--status-file FILE] [--console] [--icount SHIFT]

--variant V boots the ARCH's build of variant V (vanilla, kpkeys, debug):
its kernel image and initramfs under build/, where scripts/archenv.py says
they are (the paths the Makefile builds them at, from the same
scripts/arch/ARCH.env). --kernel and --initrd name other files.

The machine, CPU, console and emulator come from scripts/arch/ARCH.env:
QEMU's TCG with -cpu max on both (arm64 virt; x86-64 pc, never KVM, which
has no PKS).

--icount SHIFT runs the guest under QEMU's instruction counting
(-icount shift=SHIFT,align=off,sleep=off): its clocks advance 2^SHIFT ns
per instruction executed, summed over the vCPUs (which then share one
host thread), and jump over idle time, so guest time measures
instructions, not the host's load.

With --cmd or --run the guest runs it and powers off; the command's output
is printed (kernel messages left out; they are in the log) and its exit
status becomes ours. Without either, an interactive shell on the terminal.

The run fails, whatever the command returned, when the console shows a
panic, Oops, BUG, WARNING, lockdep, KASAN, UBSAN or stall report, or when the
guest does not finish in time. Exit statuses: the command's own; 124 on
timeout (after SysRq l and w have put the CPUs' backtraces and the
blocked tasks on the console); 125 when the kernel reported a problem;
126 when the guest stopped without reporting a status (crash or reboot);
2 for usage errors.
"""

import argparse
import gzip
import io
import os
import select
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import archenv  # noqa: E402
import guestlog  # noqa: E402

EXIT_TIMEOUT, EXIT_KERNEL, EXIT_NOSTATUS = 124, 125, 126


def err(msg):
    print(f"vm: {msg}", file=sys.stderr, flush=True)


# On a timeout: SysRq-l (a backtrace of every active CPU), then SysRq-w
# (tasks in uninterruptible sleep), each given up to SYSRQ_WAIT seconds to
# print, and less once the console has been quiet for SYSRQ_QUIET.
SYSRQ_ON_TIMEOUT = "lw"
SYSRQ_WAIT = 15
SYSRQ_QUIET = 3


def sysrq_key(proc, key):
    """A serial break and then KEY: the kernel's SysRq on a serial console
    (8250 and PL011 both take a break as the SysRq prefix)."""
    try:
        proc.stdin.write(b"\x01b")
        proc.stdin.flush()
        time.sleep(0.5)
        proc.stdin.write(key.encode())
        proc.stdin.flush()
    except (BrokenPipeError, OSError):
        pass


def newc(entries):
    """A newc cpio archive from (path, mode, data) entries."""
    buf = io.BytesIO()
    ino = 1000
    for name, mode, data in entries + [("TRAILER!!!", 0, b"")]:
        nb = name.encode() + b"\0"
        hdr = "070701" + "".join(f"{v:08x}" for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nb), 0))
        buf.write(hdr.encode() + nb)
        buf.write(b"\0" * (-buf.tell() % 4))
        buf.write(data)
        buf.write(b"\0" * (-buf.tell() % 4))
        ino += 1
    buf.write(b"\0" * (-buf.tell() % 512))
    return buf.getvalue()


def run_archive(cmd, run):
    entries = [("kp", 0o040755, b"")]
    if cmd is not None:
        entries.append(("kp/cmd", 0o100644, cmd.encode()))
    if run is not None:
        with open(run, "rb") as f:
            entries.append(("kp/run", 0o100755, f.read()))
    return gzip.compress(newc(entries), compresslevel=1)


def report(lines, log):
    found = guestlog.problems(lines)
    for label, line in found[:20]:
        err(f"kernel reported {label}: {line.strip()}")
    if found:
        for line in guestlog.problem_context(lines):
            err(f"console| {line.rstrip()}")
        err(f"{len(found)} kernel problem line(s); full console log: {log}")
    return bool(found)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", default="arm64")
    ap.add_argument("--qemu", help="emulator binary (default: the ARCH's)")
    ap.add_argument("--variant", help="boot build/.../VARIANT's kernel and initramfs")
    ap.add_argument("--kernel")
    ap.add_argument("--initrd")
    ap.add_argument("--cmd")
    ap.add_argument("--run")
    ap.add_argument("--add", action="append", default=[], metavar="CPIO_GZ",
                    help="an initramfs fragment appended to --initrd (repeatable)")
    ap.add_argument("--append", default="")
    ap.add_argument("--mem", default="1G")
    ap.add_argument("--smp", default="2")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--log", required=True)
    ap.add_argument("--icount", type=int, metavar="SHIFT",
                    help="deterministic guest time: 2^SHIFT ns per "
                    "instruction (QEMU -icount)")
    ap.add_argument("--status-file", help="write the exit status here too")
    ap.add_argument("--console", action="store_true",
                    help="echo the whole console, kernel messages included")
    a = ap.parse_args()
    if a.icount is not None and not 0 <= a.icount <= 10:
        print(f"vmrun: --icount {a.icount}: give a shift from 0 to 10 "
              "(2^SHIFT ns per instruction)", file=sys.stderr)
        return 2

    def finish(code):
        if a.status_file:
            with open(a.status_file, "w") as f:
                f.write(f"{code}\n")
        return code

    try:
        env = archenv.load(a.arch)
    except ValueError as e:
        err(str(e))
        return finish(2)
    if a.variant:
        b = archenv.build_dir(archenv.ROOT, a.arch, a.variant)
        a.kernel = a.kernel or os.path.join(b, "kernel", env["KIMAGE"])
        a.initrd = a.initrd or os.path.join(b, "initramfs.cpio.gz")
    if not a.kernel or not a.initrd:
        err("give --variant, or --kernel and --initrd")
        return finish(2)
    if a.cmd is not None and a.run is not None:
        err("give CMD or RUN, not both")
        return finish(2)
    if a.run is not None and not os.path.isfile(a.run):
        err(f"RUN file '{a.run}' not found; give the path of a script on the host")
        return finish(2)
    qemu = shutil.which(a.qemu or env["QEMU_BIN"])
    if not qemu:
        err(f"emulator '{a.qemu or env['QEMU_BIN']}' not found; run 'make deps' "
            f"(package {env['QEMU_PKG']}) or set QEMU=/path/to/{env['QEMU_BIN']}")
        return finish(1)
    for what, path in (("kernel image", a.kernel), ("initramfs", a.initrd),
                       *(("initramfs fragment", x) for x in a.add)):
        if not os.path.isfile(path):
            err(f"{what} {path} not found; build it with 'make kernel guest'")
            return finish(1)
    if a.timeout <= 0:
        err(f"VM_TIMEOUT must be a positive number of seconds, not {a.timeout}")
        return finish(2)

    interactive = a.cmd is None and a.run is None
    if interactive and not (sys.stdin.isatty() and sys.stdout.isatty()):
        err("an interactive shell needs a terminal; pass CMD='...' or "
            "RUN=script to run something without one")
        return finish(2)

    os.makedirs(os.path.dirname(os.path.abspath(a.log)), exist_ok=True)
    initrd = a.log + ".initrd"
    with open(a.initrd, "rb") as src, open(initrd, "wb") as dst:
        shutil.copyfileobj(src, dst)
        for extra in a.add:
            with open(extra, "rb") as f:
                shutil.copyfileobj(f, dst)
        dst.write(run_archive(a.cmd, a.run))

    append = " ".join(x for x in (f"console={env['CONSOLE']} panic=-1",
                                  a.append) if x)
    argv = [qemu, *env["QEMU_MACHINE"].split(),
            "-smp", str(a.smp), "-m", a.mem, "-no-reboot", "-nic", "none",
            "-kernel", a.kernel, "-initrd", initrd, "-append", append]
    if a.icount is not None:
        # With -icount TCG runs every vCPU in one thread by default.
        # -seed: the randomness QEMU hands the guest (RDRAND, the device
        # tree's rng-seed and kaslr-seed) repeats, and with it the
        # layouts it decides.
        argv += ["-icount", f"shift={a.icount},align=off,sleep=off",
                 "-seed", "1"]

    if interactive:
        argv += ["-display", "none",
                 "-chardev", f"stdio,id=con,mux=on,signal=off,logfile={a.log}",
                 "-serial", "chardev:con", "-mon", "chardev=con,mode=readline"]
        print("vm: interactive guest; Ctrl-A X quits QEMU, 'poweroff' ends "
              f"the guest. Console log: {a.log}", flush=True)
        rc = subprocess.call(argv)
        with open(a.log, errors="replace") as f:
            lines = [guestlog.clean(x) for x in f]
        os.unlink(initrd)
        if report(lines, a.log):
            return finish(EXIT_KERNEL)
        return finish(0 if rc == 0 else rc)

    # The console on a multiplexed stdio, so that a timeout can send the
    # guest a break (Ctrl-A b) and a SysRq key before QEMU is killed.
    argv += ["-display", "none", "-monitor", "none",
             "-chardev", "stdio,id=con,mux=on,signal=off",
             "-serial", "chardev:con"]
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + a.timeout
    lines, partial, inside, timed_out = [], b"", False, False
    sysrq, last_out = list(SYSRQ_ON_TIMEOUT), time.monotonic()
    with open(a.log, "wb") as log:
        fd = proc.stdout.fileno()
        while True:
            now = time.monotonic()
            left = deadline - now
            # Out of time: each SysRq key in turn, the next one once the
            # console has been quiet for a while (or the wait is up); QEMU
            # is killed after the last.
            if left <= 0 or (timed_out and now - last_out >= SYSRQ_QUIET):
                timed_out = True
                if not sysrq:
                    proc.kill()
                    break
                sysrq_key(proc, sysrq.pop(0))
                deadline = last_out = time.monotonic()
                deadline += SYSRQ_WAIT
                continue
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            last_out = time.monotonic()
            log.write(chunk)
            log.flush()
            partial += chunk
            *done, partial = partial.split(b"\n")
            for raw in done:
                line = guestlog.clean(raw.decode("utf-8", "replace"))
                lines.append(line)
                if a.console:
                    print(line, flush=True)
                    continue
                if not inside:
                    inside = guestlog.BEGIN in line
                elif guestlog.EXIT.search(line):
                    inside = False
                else:
                    text = guestlog.output_line(line)
                    if text is not None:
                        print(text, flush=True)
        if partial:
            lines.append(guestlog.clean(partial.decode("utf-8", "replace")))
    proc.wait()
    proc.stdin.close()
    os.unlink(initrd)

    _, status = guestlog.command_output(lines)
    bad = report(lines, a.log)
    if timed_out:
        err(f"guest did not finish within {a.timeout:g} s (VM_TIMEOUT); "
            f"console log: {a.log}")
        return finish(EXIT_TIMEOUT)
    if bad:
        return finish(EXIT_KERNEL)
    if status is None:
        tail = [x for x in lines if x.strip()][-5:]
        for x in tail:
            err(f"  {x}")
        err(f"guest stopped without reporting an exit status (QEMU exit "
            f"{proc.returncode}); console log: {a.log}")
        return finish(EXIT_NOSTATUS)
    return finish(status)


if __name__ == "__main__":
    sys.exit(main())
