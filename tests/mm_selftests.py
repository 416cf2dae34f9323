#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""The kernel's mm selftests on the vanilla and on the hardened kernel.

    tests/mm_selftests.py [--arch x86_64] [--out DIR] [--qemu BIN]
                          [--mem SIZE] [--smp N] [--timeout S]

Boots ARCH's vanilla and kpkeys guests with the selftests built by
scripts/mm-selftests.sh (tests/mm-selftests.txt), runs them there
(tests/guest/mm-selftests.sh; on the hardened kernel under `kpkeys faults
--json`), and compares what every test reports: its exit status and each
result line (kselftest's "ok N ..." / "not ok N ...", userfaultfd's
"Testing ... done"). Writes DIR/table.txt and DIR/results.json (DIR:
build/ARCH-mm-selftests). Exit 0 when every test gave the same results on
both kernels, the hardened run saw no pkey fault and neither console
reported a problem; 1 otherwise; 2 on bad input.
"""
import argparse
import concurrent.futures
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import archenv  # noqa: E402
import guestlog  # noqa: E402

TAP = re.compile(r"^(ok|not ok) \d+ (.*?)\s*$")
UFFD = re.compile(r"^Testing (.*?)\.\.\. (done|skipped|failed)")
# Why a kselftest stopped early: ksft_exit_fail_msg()'s "Bail out!" line
# and ksft_finished()'s plan mismatch. Kept with the test so that a
# difference says why.
BAIL = re.compile(r"^(Bail out!|# Planned tests != run tests)\s*(.*?)\s*$")
TOTALS = re.compile(r"^# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) "
                    r"xpass:(\d+) skip:(\d+) error:(\d+)")
# Run-dependent parts of a result line: timings, iteration counts, and
# mrelease_test's child size (it doubles the child's memory until the reap
# wins the race with the child's exit, so the size it reports is timing).
NOISE = re.compile(r"\b\d+(\.\d+)?\s*(ns|us|ms|s|seconds)\b|\(iteration \d+\)|"
                   r"Extra pages \d+ \([\d.]+%\), extra thread faults \d+|"
                   r"\b\d+MB of memory allocations")


def parse(lines):
    """{name: {exit, secs, totals, results}} and the faults document
    (list of JSON objects, None when the run was not traced)."""
    tests, cur, faults, in_faults = {}, None, None, False
    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith("MMST begin "):
            cur = {"exit": None, "secs": None, "results": [],
                   "totals": [0] * 6, "bail": []}
            tests[line.split()[2]] = cur
        elif line.startswith("MMST end ") and cur is not None:
            f = line.split()
            cur["exit"] = int(f[4]) if len(f) > 4 and f[4].isdigit() else None
            cur["secs"] = float(f[5]) if len(f) > 5 else None
            cur = None
        elif line.startswith("MMST faults begin"):
            faults, in_faults = [], True
        elif line.startswith("MMST faults end"):
            in_faults = False
        elif in_faults and line.startswith("{"):
            try:
                faults.append(json.loads(line))
            except ValueError:
                faults.append({"type": "unparsable", "line": line[:200]})
        elif cur is not None:
            b = BAIL.match(line)
            if b:
                cur["bail"].append(" ".join(x for x in b.groups() if x))
                continue
            m = TOTALS.match(line)
            if m:
                cur["totals"] = [a + int(b) for a, b in
                                 zip(cur["totals"], m.groups())]
                continue
            m, u = TAP.match(line), UFFD.match(line)
            if m or u:
                status, desc = m.groups() if m else u.group(2, 1)
                cur["results"].append(f"{status}: {NOISE.sub('#', desc)}")
    return tests, faults


def fault_count(faults):
    """(faults seen, drops, fault records) from `kpkeys faults --json`."""
    if faults is None:
        return None, None, []
    summ = [d for d in faults if d.get("type") == "faults_summary"]
    recs = [d for d in faults if d.get("type") == "fault"]
    if not summ or not summ[-1].get("last"):
        return None, None, recs
    return (sum(d.get("faults", 0) for d in summ),
            sum(d.get("dropped", 0) for d in summ), recs)


def compare(names, van, hard):
    """Rows (name, baseline, hardened, same, why)."""
    rows = []
    for n in names:
        v, h = van.get(n), hard.get(n)
        if v is None or h is None or v["exit"] is None or h["exit"] is None:
            rows.append((n, v, h, False, "did not finish on "
                         f"{'the baseline' if not v or v['exit'] is None else 'hardened'}"))
            continue
        why = []
        if v["exit"] != h["exit"]:
            why.append(f"exit {v['exit']} vs {h['exit']}")
        if sorted(v["results"]) != sorted(h["results"]):
            only_v = sorted(set(v["results"]) - set(h["results"]))
            only_h = sorted(set(h["results"]) - set(v["results"]))
            why.append(f"baseline only {only_v[:2]}, hardened only {only_h[:2]}")
        for side, r in (("baseline", v), ("hardened", h)):
            if why and r.get("bail"):
                why.append(f"{side}: {r['bail'][0]}")
        rows.append((n, v, h, not why, "; ".join(why)))
    return rows


def cell(r):
    if r is None or r["exit"] is None:
        return "did not finish"
    p, f, xf, _, s, _ = r["totals"]
    res = r["results"]
    if not any(r["totals"]):
        p = sum(x.startswith(("ok", "done")) and "SKIP" not in x for x in res)
        f = sum(x.startswith(("not ok", "failed")) for x in res)
        s = sum("SKIP" in x or x.startswith("skipped") for x in res)
    return f"exit {r['exit']}, {p} pass {f} fail {s} skip" + \
        (f" {xf} xfail" if xf else "") + f", {r['secs']:.0f} s"


# Guest memory and the time limit of one boot (the guest script gives
# each test 5 minutes).
MEM = "3G"
TIMEOUT = 1800


def list_names():
    with open(os.path.join(ROOT, "tests", "mm-selftests.txt")) as f:
        return [ln.split()[0] for ln in f
                if ln.strip() and not ln.lstrip().startswith("#")]


# What the hardened run is compared with: (kernel variant, extra command
# line, label). `make mm-selftests` compares with the vanilla kernel;
# `make test` with the same hardened kernel booted kpkeys=off, which
# needs no second kernel build (the cold CI budget, README "Tests").
BASELINES = {
    "vanilla": ("vanilla", "", "vanilla"),
    "off": ("kpkeys", "kpkeys=off", "kpkeys=off"),
}


def boot(a, variant, out, name, append="", faults=False, only=None):
    """One guest boot running the selftests (only those named in the list
    ONLY, when given)."""
    log = os.path.join(out, f"{name}.log")
    cmd = "/usr/share/kpkeys/tests/mm-selftests.sh" + \
        (" --faults" if faults else "")
    if only:
        cmd = (f"grep -E '^({'|'.join(re.escape(n) for n in only)})[[:space:]]'"
               f" /usr/lib/kpkeys/mm-selftests/list > /run/mmst-list && "
               f"{cmd} /run/mmst-list")
    p = archenv.boot(a.arch, variant, log, mem=a.mem, smp=a.smp,
                     timeout=a.timeout, qemu=a.qemu, append=append, cmd=cmd,
                     add=[os.path.join(out, "mm-selftests.cpio.gz")])
    secs, lines = p.secs, p.lines
    problems = [f"{lab}: {ln.strip()}" for lab, ln in guestlog.problems(lines)]
    return p, secs, lines, problems


# At most this many differing tests are run again: more than that is not
# flakiness.
RERUN_MAX = 3


def both(a, boots, label):
    """Boot BOOTS ({key: boot()'s keyword arguments}) side by side;
    {key: run}."""
    # TCG runs each guest on one host thread (thread=single): two guests
    # side by side take the time of the longer one.
    with concurrent.futures.ThreadPoolExecutor(len(boots)) as ex:
        futs = {k: ex.submit(boot, a, **kw) for k, kw in boots.items()}
        booted = {k: f.result() for k, f in futs.items()}
    runs = {}
    for key in boots:
        p, secs, lines, problems = booted[key]
        tests, faults = parse(guestlog.command_output(lines)[0])
        runs[key] = {"label": label if key == "baseline" else "hardened",
                     "exit": p.returncode, "secs": round(secs),
                     "problems": problems, "tests": tests,
                     "faults": fault_count(faults)}
        print(f"mm-selftests: {runs[key]['label']}: {secs:.0f} s, exit "
              f"{p.returncode}" + (f", console: {problems[0]}" if problems
                                   else ""), flush=True)
    return runs


def rerun_rows(rows, again):
    """ROWS with the tests of AGAIN (compare() rows of a rerun) judged by
    the rerun: the same there is flaky, different there stays different
    with both reasons."""
    by = {r[0]: r for r in again}
    out = []
    for n, v, h, same, why in rows:
        r = by.get(n)
        if same or r is None:
            out.append((n, v, h, same, why))
        elif r[3]:
            out.append((n, v, h, True, f"flaky: {why} on the first run, "
                        "the same on a rerun"))
        else:
            out.append((n, v, h, False, f"{why}; on a rerun: {r[4]}"))
    return out


def merge_rerun(run_, again):
    """Fold a rerun boot into the first run's record: its exit status,
    console problems and pkey faults count too."""
    run_["exit"] = run_["exit"] or again["exit"]
    run_["problems"] += again["problems"]
    run_["secs"] += again["secs"]
    run_["rerun"] = again["tests"]
    (n1, d1, r1), (n2, d2, r2) = run_["faults"], again["faults"]
    run_["faults"] = ((None, None, r1 + r2) if n1 is None or n2 is None
                      else (n1 + n2, d1 + d2, r1 + r2))


def run(a, out, baseline="vanilla"):
    """Boot the baseline (BASELINES) and the hardened kernel of a.arch with
    the tests of tests/mm-selftests.txt and compare them. Returns (names,
    rows, runs, text): rows as compare() gives them, runs["baseline"] and
    runs["hardened"], the table."""
    variant, append, label = BASELINES[baseline]
    names = list_names()
    boots = {"baseline": dict(variant=variant, out=out, append=append,
                              name=f"baseline-{baseline}"),
             "hardened": dict(variant="kpkeys", out=out, name="hardened",
                              faults=True)}
    print(f"mm-selftests: {len(names)} tests on the hardened {a.arch} kernel "
          f"and on {label}, both at once", flush=True)
    runs = both(a, boots, label)
    rows = compare(names, runs["baseline"]["tests"], runs["hardened"]["tests"])
    differ = [r[0] for r in rows if not r[3]]
    if differ and len(differ) <= RERUN_MAX:
        # A difference that does not repeat is the test's own flakiness
        # (split_huge_page_test bails out with "No THP is allocated" now
        # and then on kpkeys=off: no free 2 MiB block for its THP after
        # the tests before it). Run the differing tests once more on both
        # kernels; the first run's difference stays in the table, and the
        # rerun's faults and console count like the first run's.
        print(f"mm-selftests: {', '.join(differ)} differed: running "
              f"{'it' if len(differ) == 1 else 'them'} again on both kernels",
              flush=True)
        re_boots = {k: {**kw, "name": kw["name"] + "-rerun", "only": differ}
                    for k, kw in boots.items()}
        again = both(a, re_boots, label)
        rows = rerun_rows(rows, compare(differ, again["baseline"]["tests"],
                                        again["hardened"]["tests"]))
        for key in runs:
            merge_rerun(runs[key], again[key])
    nf, drops, recs = runs["hardened"]["faults"]
    w = max(len(n) for n in names)
    text = [f"mm selftests, {a.arch}: {label} against hardened "
            "(kpkeys, hardened page tables, enforcing)", "",
            f"{'test':{w}}  {label:38}  {'hardened':38}  same"]
    for n, v, h, same, why in rows:
        text.append(f"{n:{w}}  {cell(v):38}  {cell(h):38}  "
                    f"{('yes' + (f' ({why})' if why else '')) if same else 'NO: ' + why}")
    text += ["", f"pkey faults over the hardened run (kpkeys faults): "
             f"{'not traced' if nf is None else nf}, dropped "
             f"{'-' if drops is None else drops}",
             f"boots: {label} {runs['baseline']['secs']} s, hardened "
             f"{runs['hardened']['secs']} s"]
    for rec in recs[:5]:
        text.append(f"  fault: {rec.get('ip_sym')} addr {rec.get('addr')} "
                    f"pkey {rec.get('pkey')} pgtable {rec.get('pgtable')}")
    with open(os.path.join(out, "table.txt"), "w") as f:
        f.write("\n".join(text) + "\n")
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"arch": a.arch, "baseline": label, "runs": runs,
                   "same": {n: same for n, _, _, same, _ in rows}}, f, indent=1)
    return names, rows, runs, text


def checks(rows, runs):
    """The verdict as (ok, name, reason) checks: one per test (the same
    results on both kernels), then zero pkey faults traced over the
    hardened run, then each boot finished with a clean console."""
    out = [(same, n, why) for n, _, _, same, why in rows]
    nf, drops, recs = runs["hardened"]["faults"]
    where = "; ".join(f"{r.get('ip_sym')} pkey {r.get('pkey')} pgtable "
                      f"{r.get('pgtable')}" for r in recs[:3])
    out.append((nf == 0 and drops == 0 and not recs, "zero-pkey-faults",
                "kpkeys faults did not report (no summary)" if nf is None
                else f"{nf} faults, {drops} dropped" + (f": {where}" if where else "")))
    for key in ("baseline", "hardened"):
        r = runs[key]
        out.append((r["exit"] == 0 and not r["problems"],
                    f"{key}-boot-clean",
                    f"{r['label']}: exit {r['exit']}" +
                    (f", console: {r['problems'][0]}" if r["problems"] else "")))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--arch", default="x86_64")
    ap.add_argument("--out")
    ap.add_argument("--qemu")
    ap.add_argument("--mem", default=MEM)
    ap.add_argument("--smp", default="2")
    ap.add_argument("--timeout", type=int, default=TIMEOUT)
    a = ap.parse_args()
    try:
        archenv.load(a.arch)
    except ValueError as e:
        print(f"mm-selftests: {e}", file=sys.stderr)
        return 2
    out = a.out or archenv.build_dir(ROOT, a.arch, "mm-selftests")
    names, rows, runs, text = run(a, out, "vanilla")
    print("\n".join(text))
    verdict = checks(rows, runs)
    bad = [n for ok, n, _ in verdict if not ok]
    nf = runs["hardened"]["faults"][0]
    print(f"mm-selftests: {'same results' if not bad else 'DIFFERENT or faulted'}"
          f" ({sum(1 for r in rows if r[3])} of {len(names)} tests the same, "
          f"{'?' if nf is None else nf} pkey faults"
          + (f"; failed: {', '.join(bad)}" if bad else "") + "); "
          f"{os.path.relpath(out, ROOT)}/table.txt")
    return 0 if not bad else 1


if __name__ == "__main__":
    sys.exit(main())
