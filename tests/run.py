#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""make test: every test, one result line each, then `N passed, N failed`.

1. Host unit tests (tests/host/test_*.py, unittest).
2. Guest boots, one per kpkeys mode. arm64: mock with the whole suite;
   off, default, rodata=on, kpkeys.batching=off and
   kpkeys.hardened_pgtables=off with the kpkeys checks; VARIANT=debug with
   everything. x86-64 (PKS enforced by QEMU's TCG): pks with the whole
   suite, off with the kpkeys checks, and LKDTM's KPKEYS_WRITE_TEST_PAGE,
   whose oops is the expected result. Every KUnit case (KTAP from the
   console), every check of tests/guest/suite.sh, plus "the console shows
   no panic/Oops/BUG/WARNING/lockdep/KASAN" and "the suite ran to its end"
   as results of their own, labelled with the boot.
3. make bench's smoke variant (arm64 kpkeys only): one small case per
   configuration (vanilla, no batching, batching), and checks of the
   figures it wrote.
4. Host-driven guest checks of the `make vm` contract, per architecture.
"""

import argparse
import json
import os
import subprocess
import sys
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import archenv  # noqa: E402
import guestlog  # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests"))
import mm_selftests as mm  # noqa: E402

results = []  # (status, name, reason)
# Console lines shown for a guest that timed out or stopped without status.
TAIL_LINES = 40


def record(status, name, reason=""):
    results.append((status, name, reason))
    tag = {"pass": "PASS", "fail": "FAIL", "skip": "SKIP"}[status]
    print(f"{tag} {name}" + (f": {reason}" if reason else ""), flush=True)


def show_console(lines):
    """Print the console around a failure's first problem line, so that a
    CI log holds the report and its trace, not only the path to a log the
    clean clone takes with it."""
    for line in lines:
        print(f"     | {line.rstrip()}", flush=True)


class Recorder(unittest.TextTestResult):
    def addSuccess(self, test):
        super().addSuccess(test)
        record("pass", f"host:{test.id().split('.', 1)[1]}")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        record("fail", f"host:{test.id().split('.', 1)[1]}",
               self._exc_info_to_string(err, test).strip().splitlines()[-1])

    def addError(self, test, err):
        super().addError(test, err)
        record("fail", f"host:{test.id().split('.', 1)[1]}",
               self._exc_info_to_string(err, test).strip().splitlines()[-1])

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        record("skip", f"host:{test.id().split('.', 1)[1]}", reason)


def host_tests():
    print("== host unit tests", flush=True)
    suite = unittest.defaultTestLoader.discover(
        os.path.join(ROOT, "tests", "host"), top_level_dir=os.path.join(ROOT, "tests", "host"))
    if suite.countTestCases() == 0:
        record("fail", "host:discovery", "no host unit tests found")
        return
    with open(os.devnull, "w") as devnull:
        unittest.TextTestRunner(stream=devnull, resultclass=Recorder,
                                verbosity=0).run(suite)


def vmrun(a, log, cmd=None, append="", timeout=None, variant=None):
    """Boot VARIANT (default: --variant) with LOG under its logs/."""
    variant = variant or a.variant
    return archenv.boot(
        a.arch, variant,
        os.path.join(archenv.build_dir(ROOT, a.arch, variant), "logs", log),
        mem=a.mem or archenv.load(a.arch)["GUEST_MEM"], smp=a.smp,
        timeout=timeout or a.timeout, qemu=a.qemu,
        append=" ".join(x for x in (a.kcmdline, append) if x), cmd=cmd)


def guest_boot(a, label, append, tests=(), variant=None, kunit=True):
    """One boot: KUnit (as filtered by `append`; none if not `kunit`) and
    the guest suite."""
    if a.arch != "arm64":
        label = f"{a.arch}-{label}"
    print(f"== guest boot [{label}]: {a.arch} {variant or a.variant}, {append}",
          flush=True)
    p = vmrun(a, f"test-{label}.log",
              cmd=" ".join(["/usr/share/kpkeys/tests/suite.sh", *tests]),
              append=append, variant=variant)
    log, lines = p.log, p.lines
    print(f"   {p.secs:.0f} s, exit {p.returncode}, log "
          f"{os.path.relpath(log, ROOT)}", flush=True)

    cases, errors = guestlog.ktap_results(lines)
    if not kunit:
        if cases:
            record("fail", f"kunit[{label}]:none", "KUnit ran on a boot "
                   "that asked for none: it would judge this mode wrongly")
        cases, errors = [], []
    elif not cases:
        record("fail", f"kunit[{label}]:ran", "no KUnit results on the console")
    for suite, case, status in cases:
        record(status, f"kunit[{label}]:{suite}.{case}")
    for e in errors:
        record("fail", f"kunit[{label}]:complete", e)

    out, status = guestlog.command_output(lines)
    checks, errors = guestlog.guest_results(out)
    for name, st, reason in checks:
        record(st, f"guest[{label}]:{name}", reason)
    if errors:
        record("fail", f"guest[{label}]:suite-complete",
               f"{'; '.join(errors[:3])} ({len(checks)} checks reported, "
               f"exit {status}); see {log}")
    else:
        record("pass", f"guest[{label}]:suite-complete")

    found = guestlog.problems(lines)
    if found:
        record("fail", f"guest[{label}]:console-clean",
               "; ".join(f"{lab}: {ln.strip()}" for lab, ln in found[:3]))
        show_console(guestlog.problem_context(lines))
    elif p.returncode in (124, 126):
        record("fail", f"guest[{label}]:console-clean",
               p.stderr.strip().splitlines()[-1])
        # Where the guest stopped: its last console lines, in the CI log.
        show_console([x for x in lines if x.strip()][-TAIL_LINES:])
    else:
        record("pass", f"guest[{label}]:console-clean")


def guest_suites(a):
    if a.variant == "vanilla":
        guest_boot(a, "vanilla", "kunit.enable=1")
        return
    if a.arch == "x86_64":
        return guest_suites_x86(a)
    # The full suite with the mock backend (no emulator has POE), then the
    # kpkeys checks under every other mode the documentation promises.
    guest_boot(a, "mock", "kpkeys=mock kunit.enable=1")
    only_kpkeys = "kunit.enable=1 kunit.filter_glob=kpkeys*"
    kpkeys_tests = ["t-kpkeys.sh", "t-pgtables.sh", "t-trace.sh", "t-tool.sh",
                    "t-report.sh"]
    guest_boot(a, "off", f"kpkeys=off {only_kpkeys}", kpkeys_tests)
    guest_boot(a, "default", only_kpkeys, kpkeys_tests)
    # rodata=on maps the linear map with blocks: set_memory_pkey() must
    # refuse cleanly, and hardened page tables stay off.
    guest_boot(a, "rodata-on", f"kpkeys=mock rodata=on {only_kpkeys}",
               kpkeys_tests)
    # Hardened page tables without batching (two switches per write), and
    # turned off on the command line.
    guest_boot(a, "no-batching", f"kpkeys=mock kpkeys.batching=off "
               f"{only_kpkeys}", kpkeys_tests)
    guest_boot(a, "pgtables-off", f"kpkeys=mock kpkeys.hardened_pgtables=off "
               f"{only_kpkeys}", kpkeys_tests)
    # Everything again under lockdep, DEBUG_ATOMIC_SLEEP, DEBUG_PREEMPT and
    # KASAN: a report from any of them fails guest[debug]:console-clean.
    guest_boot(a, "debug", "kpkeys=mock kunit.enable=1", variant="debug")


def guest_suites_x86(a):
    """x86-64: QEMU's TCG enforces PKS, so these boots prove protection.
    Their checks fail, not skip, when the mode is not pks."""
    # kpkeys=mock is arm64's: refused with one line, pks stays (the
    # default without it is checked through make vm below).
    guest_boot(a, "pks", "kpkeys=mock kunit.enable=1")
    only_kpkeys = "kunit.enable=1 kunit.filter_glob=kpkeys*"
    kpkeys_tests = ["t-kpkeys.sh", "t-pgtables.sh", "t-trace.sh", "t-tool.sh",
                    "t-pks.sh", "t-report.sh"]
    guest_boot(a, "off", f"kpkeys=off {only_kpkeys}", kpkeys_tests)
    # Hardened page tables (on above) under every paging layout: with
    # page-table isolation forced on (a user PGD per mm), and on 4-level
    # paging without it; then without batching, and turned off.
    guest_boot(a, "pti-on", f"pti=on {only_kpkeys}", kpkeys_tests)
    guest_boot(a, "no5lvl", f"no5lvl pti=off {only_kpkeys}", kpkeys_tests)
    # ... with a kpkeys.enforce value that is not a mode: refused with one
    # line, and t-pks.sh finds the writes stopped.
    guest_boot(a, "no-batching", f"kpkeys.batching=off kpkeys.enforce=bogus "
               f"{only_kpkeys}", kpkeys_tests)
    guest_boot(a, "pgtables-off", f"kpkeys.hardened_pgtables=off {only_kpkeys}",
               kpkeys_tests)
    # Report-only mode: the writes that oops below go through, reported.
    # No KUnit: its PKS cases expect their writes stopped.
    guest_boot(a, "report", "kpkeys.enforce=report",
               ["t-kpkeys.sh", "t-report.sh"], kunit=False)
    lkdtm_boot(a)
    # A live PTE of a kernel mapping, written from the default level: the
    # page-table pkey (1) stops it.
    lkdtm_boot(a, "KPKEYS_WRITE_PGTABLE", "lkdtm-pgtable", want_pkey=1)
    if a.variant == "kpkeys":
        mm_selftests(a)


def mm_selftests(a):
    """The kernel's own mm selftests (tests/mm-selftests.txt) on the
    hardened x86-64 kernel and on the same kernel booted kpkeys=off: each
    test must report the same results on both, `kpkeys faults` must see no
    pkey fault over the hardened run, and both consoles must be clean
    (tests/mm_selftests.py). `make mm-selftests` compares with the vanilla
    kernel instead; here that would cost a second x86-64 kernel build,
    which the cold CI budget has no room for."""
    print(f"== mm selftests [{a.arch}]: kpkeys=off against hardened", flush=True)
    out = archenv.build_dir(ROOT, a.arch, "mm-selftests")
    if not os.path.exists(os.path.join(out, "mm-selftests.cpio.gz")):
        record("fail", f"mm[{a.arch}]:built", f"no {out}/mm-selftests.cpio.gz:"
               f" run scripts/mm-selftests.sh with ARCH={a.arch}")
        return
    b = argparse.Namespace(arch=a.arch, qemu=a.qemu, smp=a.smp,
                           mem=a.mem or mm.MEM, timeout=mm.TIMEOUT)
    names, rows, runs, text = mm.run(b, out, "off")
    print("\n".join("   " + x for x in text), flush=True)
    for ok, name, why in mm.checks(rows, runs):
        record("pass" if ok else "fail", f"mm[{a.arch}]:{name}", why)


def lkdtm_boot(a, test="KPKEYS_WRITE_TEST_PAGE", label="lkdtm", want_pkey=None):
    """An LKDTM kpkeys crash test under PKS: the write must oops with the
    protection-key violation and the kpkeys line (naming want_pkey, if
    given), and nothing else may be reported. The oops is the pass."""
    label = f"{a.arch}-{label}"
    print(f"== guest boot [{label}]: {test}", flush=True)
    # `kpkeys faults --json` runs at the moment of the write: the fault
    # must reach it, decoded, with the writer on the stack. The write runs
    # in a child shell, which the oops ends.
    p = vmrun(
        a, f"test-{label}.log", timeout=300,
        cmd="kpkeys faults --json > /run/f.json 2> /run/f.err & fp=$!; "
            "i=0; until grep -q tracing /run/f.err; do i=$((i+1)); "
            "[ $i -lt 300 ] || break; sleep 0.1; done; "
            f"sh -c 'echo {test} > /sys/kernel/debug/provoke-crash/DIRECT; "
            "echo lkdtm-survived'; kill -INT $fp; wait $fp; "
            "echo \"faults-exit $?\"; cat /run/f.json /run/f.err")
    log, lines = p.log, p.lines
    print(f"   {p.secs:.0f} s, exit {p.returncode}, log "
          f"{os.path.relpath(log, ROOT)}", flush=True)
    ok, why = guestlog.expected_pkey_oops(lines, want_pkey)
    record("pass" if ok else "fail", f"guest[{label}]:pkey-oops-reported", why)
    out, status = guestlog.command_output(lines)
    docs = []
    for x in out:
        if x.startswith("{"):
            try:
                docs.append(json.loads(x))
            except ValueError:
                pass
    faults = [d for d in docs if d.get("type") == "fault"]
    summ = [d for d in docs if d.get("type") == "faults_summary"]
    writer = f"lkdtm_{test}"
    pgtable = test == "KPKEYS_WRITE_PGTABLE"
    f0 = faults[0] if faults else {}
    seen = [f0.get("ip_sym") or ""] + list(f0.get("stack") or [])
    ok = (len(faults) == 1 and "faults-exit 0" in out and
          f0.get("access") == "write" and f0.get("action") == "oops" and
          f0.get("pgtable") is pgtable and
          (want_pkey is None or f0.get("pkey") == want_pkey) and
          any(writer in fr for fr in seen) and
          bool(summ) and summ[-1].get("last") and summ[-1].get("dropped") == 0)
    record("pass" if ok else "fail", f"guest[{label}]:kpkeys-faults-shows-it",
           "" if ok else f"want one write fault, action oops (page-table flag "
           f"{pgtable}) naming {writer} from `kpkeys faults --json`, "
           f"got {len(faults)}: {json.dumps(f0)[:300]}; "
           f"{[x for x in out if not x.startswith('{')][-3:]}")
    # The oops ends the shell that wrote: nothing after the write runs.
    survived = "lkdtm-survived" in out or any("FAIL: survived" in x for x in lines)
    record("fail" if survived or status is None else "pass",
           f"guest[{label}]:write-stopped",
           "the write went through (LKDTM: FAIL: survived)" if survived else
           "" if status is not None else f"the guest reported no status; see {log}")


def make_vm(a, *args):
    """`make -s vm ARGS` for the variant under test, output captured."""
    return subprocess.run(["make", "-s", "--no-print-directory", "vm",
                           f"ARCH={a.arch}", f"VARIANT={a.variant}",
                           *([f"QEMU={a.qemu}"] if a.qemu else []), *args],
                          cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def vm_stderr(p):
    """What a failed make vm said that explains it: the problems the kernel
    reported (the console around them is printed, see show_console()),
    else the end of stderr."""
    found = [l.strip() for l in p.stderr.splitlines() if "kernel reported" in l]
    if not found:
        return p.stderr.strip()[-200:]
    show_console(x for x in p.stderr.splitlines() if "console|" in x)
    return "; ".join(l[:200] for l in found[:3])


def vm_contract(a):
    print(f"== make vm contract ({a.arch})", flush=True)
    tag = "" if a.arch == "arm64" else f"[{a.arch}]"
    release = open(os.path.join(archenv.build_dir(ROOT, a.arch, a.variant),
                                "kernel.release")).read().strip()
    # Through make itself: the exit status must survive make.
    t0 = time.monotonic()
    p = make_vm(a, "CMD=s=3; uname -r; exit $s")
    out = p.stdout.strip().splitlines()
    if p.returncode == 3 and release in out:
        record("pass", f"vm{tag}:cmd-output-and-exit-status",
               f"{time.monotonic() - t0:.0f} s")
    else:
        record("fail", f"vm{tag}:cmd-output-and-exit-status",
               f"want '{release}' and exit 3 from 'uname -r; exit $s', got exit {p.returncode}, "
               f"output {out[-3:]}, stderr {vm_stderr(p)}")

    # RUN: a host script copied into the guest and run there.
    script = os.path.join(ROOT, "build", "test-run-script.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\necho \"run-script on $(uname -m)\"\nexit 7\n")
    p = make_vm(a, f"RUN={script}")
    want = f"run-script on {archenv.load(a.arch)['UNAME_M']}"
    if p.returncode == 7 and want in p.stdout:
        record("pass", f"vm{tag}:run-file-output-and-exit-status")
    else:
        record("fail", f"vm{tag}:run-file-output-and-exit-status",
               f"want '{want}' and exit 7, got exit "
               f"{p.returncode}, output {p.stdout.strip()[-200:]!r}, "
               f"stderr {vm_stderr(p)}")

    # A kernel panic must fail the run even though the command "ran".
    p = vmrun(a, "test-panic.log", cmd="echo c > /proc/sysrq-trigger",
              timeout=120)
    if p.returncode == 125 and "kernel reported panic" in p.stderr:
        record("pass", f"vm{tag}:panic-fails-the-run")
    else:
        record("fail", f"vm{tag}:panic-fails-the-run",
               f"want exit 125 and a panic report, got {p.returncode}: "
               f"{vm_stderr(p)}")

    # A guest that hangs: the run times out (124), the last line the
    # command printed is out (not held back), and the console has the
    # SysRq reports vmrun.py asks for before it kills QEMU.
    p = vmrun(a, "test-hang.log",
              cmd="echo last-line-before-hang; sleep 100000", timeout=25)
    log, console = p.log, "\n".join(p.lines)
    got = [x for x in ("sysrq: Show backtrace of all active CPUs",
                       "sysrq: Show Blocked State") if x in console]
    if (p.returncode == 124 and "last-line-before-hang" in p.stdout.split()
            and len(got) == 2):
        record("pass", f"vm{tag}:hang-shows-last-line-and-sysrq")
    else:
        record("fail", f"vm{tag}:hang-shows-last-line-and-sysrq",
               f"want exit 124, the line and 2 SysRq reports; got exit "
               f"{p.returncode}, output {p.stdout.strip()[-100:]!r}, SysRq "
               f"{got}; see {log}")

    if a.arch == "x86_64" and a.variant != "vanilla":
        # The mode, through make: pks by default, off on request.
        for extra, want in (((), "pks"), (("KCMDLINE=kpkeys=off",), "off")):
            p = make_vm(a, "CMD=cat /sys/kernel/kpkeys/mode", *extra)
            got = p.stdout.strip().splitlines()
            name = f"vm{tag}:mode-{want}" + ("-by-default" if not extra else "")
            record("pass" if p.returncode == 0 and got == [want] else "fail",
                   name, "" if got == [want] else
                   f"want '{want}', got exit {p.returncode}, {got[-3:]}, "
                   f"stderr {vm_stderr(p)}")
    if a.arch == a.arches[0]:
        p = make_vm(a, "ARCH=bogus")
        err = p.stderr.strip().splitlines()
        record("pass" if p.returncode == 2 and len(err) == 1 and "ARCH" in err[0]
               else "fail", "vm:unknown-arch-refused",
               f"exit {p.returncode}, stderr {err}")


def bench_smoke(a):
    """make bench's smoke variant: one small case per configuration, then
    checks that the figures it wrote say what the design promises."""
    print("== bench smoke (bench/bench.py --smoke)", flush=True)
    out = os.path.join(ROOT, "build", "bench-smoke")
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "bench.py"),
                        "--smoke", "--out", out,
                        *(["--qemu", a.qemu] if a.qemu else []),
                        "--mem", "1G"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    files = [os.path.join(out, f) for f in ("table.txt", "bench.json", "bench.png")]
    missing = [os.path.basename(f) for f in files
               if not os.path.exists(f) or os.path.getsize(f) == 0]
    if p.returncode == 0 and not missing:
        with open(files[2], "rb") as f:
            png = f.read(8) == b"\x89PNG\r\n\x1a\n"
        record("pass" if png else "fail", "bench:smoke-writes-table-json-png",
               f"{time.monotonic() - t0:.0f} s" if png else "bench.png is not a PNG")
    else:
        record("fail", "bench:smoke-writes-table-json-png",
               f"exit {p.returncode}, missing {missing}: "
               f"{p.stdout.strip().splitlines()[-1:]}")
        return
    with open(files[1]) as f:
        doc = json.load(f)
    rows = {r["case"]: r["configs"] for r in doc["cases"]}

    def check(name, ok, why):
        record("pass" if ok else "fail", f"bench:{name}", "" if ok else why)

    for case in ("fork-h0", "fault-anon", "fix-p4-h0", "kernbench"):
        cfgs = rows.get(case, {})
        check(f"smoke-{case}-three-configs",
              set(cfgs) == {"vanilla", "no-batching", "batching"} and
              all(c.get("time_us_median", 0) > 0 for c in cfgs.values()) and
              all("time_ratio" in c for c in cfgs.values()),
              f"want a time and a ratio to vanilla for each configuration, "
              f"got {sorted(cfgs)}")
    fork = rows.get("fork-h0", {})
    nb = (fork.get("no-batching") or {}).get("per_op") or {}
    b = (fork.get("batching") or {}).get("per_op") or {}
    van = (fork.get("vanilla") or {}).get("per_op") or {}
    check("smoke-vanilla-has-no-kpkeys-counts",
          bool(van) and all(v is None for v in van.values()),
          f"vanilla per-op counts should be absent, got {van}")
    check("smoke-fork-unbatched-two-switches-per-write",
          bool(nb) and nb["switches"] >= 2 * nb["pgtable_writes"] > 0,
          f"no-batching fork: {nb.get('switches')} switches for "
          f"{nb.get('pgtable_writes')} writes")
    check("smoke-fork-batched-two-switches-per-section",
          bool(b) and b["batches"] > 0 and
          b["switches"] * 20 < nb.get("switches", 0),
          f"batching fork: {b.get('switches')} switches, "
          f"{b.get('batches')} lazy sections, against "
          f"{nb.get('switches')} unbatched")
    check("smoke-fork-table-pkey-calls-amortized",
          bool(b) and b["pgtable_allocs"] > 0 and
          b["set_memory_pkey"] * 1000 <= 50 * b["pgtable_allocs"],
          f"batching fork: {b.get('set_memory_pkey')} set_memory_pkey() "
          f"calls for {b.get('pgtable_allocs')} table pages (goal <= 50 "
          f"per 1000)")
    vm = rows.get("fix-p4-h0", {})
    vnb = (vm.get("no-batching") or {}).get("per_op") or {}
    vb = (vm.get("batching") or {}).get("per_op") or {}
    check("smoke-vmalloc-batched",
          bool(vb) and vb["batches"] >= 1.9 and
          vb["switches"] * 2 < vnb.get("switches", 0),
          f"vmalloc p:4 loop: {vb.get('switches')} switches in "
          f"{vb.get('batches')} lazy sections with batching, "
          f"{vnb.get('switches')} without")
    # The fault case: one operation is one page; an anonymous fault writes
    # at least its PTE, unbatched that is 2 switches per write, and kpkeys
    # batch reported on the run.
    fa = rows.get("fault-anon", {})
    fnb = (fa.get("no-batching") or {}).get("per_op") or {}
    fb = fa.get("batching") or {}
    check("smoke-fault-anon-per-page-counts",
          bool(fnb) and fnb["pgtable_writes"] >= 1 and
          fnb["switches"] >= 2 * fnb["pgtable_writes"] and
          fa.get("vanilla", {}).get("ops") == 2 * 4096,
          f"anonymous faults on 16 MiB: {fnb.get('pgtable_writes')} writes "
          f"and {fnb.get('switches')} switches per page without batching, "
          f"{fa.get('vanilla', {}).get('ops')} pages (want 8192)")
    eff = (fb.get("batch") or {}).get("effectiveness_pct")
    check("smoke-fault-anon-batch-report",
          isinstance(eff, (int, float)) and 0 <= eff <= 100 and
          (fb.get("per_op") or {}).get("unbatched") is not None,
          f"batching: kpkeys batch effectiveness {eff!r}, unbatched "
          f"{(fb.get('per_op') or {}).get('unbatched')!r} per page")
    # Under instruction counting every figure is an instruction count.
    check("smoke-icount-clock",
          doc["meta"].get("clock") == "icount" and
          all(c.get("insn_per_op", 0) > 0 for r in rows.values()
              for c in r.values()),
          f"clock {doc['meta'].get('clock')!r}; want icount with "
          "instructions per operation in every case")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--arches", default="arm64 x86_64",
                    help="guest architectures to boot, in order")
    ap.add_argument("--variant", default="kpkeys")
    ap.add_argument("--qemu", help="emulator (default: the ARCH's; only "
                    "with a single ARCH)")
    ap.add_argument("--mem", help="guest memory (default: the ARCH's)")
    ap.add_argument("--smp", default="2")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--kcmdline", default="")
    ap.add_argument("--status-file")
    ap.add_argument("--host-only", action="store_true")
    a = ap.parse_args()

    a.arches = a.arches.split()
    for arch in a.arches:
        try:
            archenv.load(arch)
        except ValueError as e:
            print(f"test: {e}", file=sys.stderr)
            return 2
    if a.qemu and len(a.arches) > 1:
        print("test: QEMU names one emulator; give ARCH too", file=sys.stderr)
        return 2
    host_tests()
    if not a.host_only:
        for arch in a.arches:
            a.arch = arch
            guest_suites(a)
            if a.variant == "kpkeys" and arch == "arm64":
                bench_smoke(a)
            vm_contract(a)

    npass = sum(1 for r in results if r[0] == "pass")
    nfail = sum(1 for r in results if r[0] == "fail")
    nskip = sum(1 for r in results if r[0] == "skip")
    if nfail:
        print("\nFailed:")
        for st, name, reason in results:
            if st == "fail":
                print(f"  {name}: {reason}")
    rc = 0 if nfail == 0 and npass > 0 else 1
    if a.status_file:
        with open(a.status_file, "w") as f:
            f.write(f"{rc}\n")
    print(f"{npass} passed, {nfail} failed" + (f", {nskip} skipped" if nskip else ""),
          flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
