#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""make bench: the kpkeys cost table, in the guest, for three kernels.

Boots ARCH's guest (--arch, arm64 or x86_64) once per configuration,

  vanilla      Debian 6.12 without the series (VARIANT=vanilla)
  no-batching  kpkeys, hardened page tables, kpkeys.batching=off
  batching     kpkeys, hardened page tables, batching on (the default)

with the ARCH's kpkeys option (GUEST_KPKEYS in scripts/arch/ARCH.env:
kpkeys=mock on arm64, none on x86-64, where PKS is the default), runs
bench/guest.sh there (every case of the published table: fork and
munmap of 1 GiB with page-size and THP folios, test_vmalloc, a fork/exec
stand-in for kernbench) and writes to OUT (build/bench on arm64,
build/bench-ARCH otherwise):

  table.txt   the published table's layout: emulated time overhead against
              vanilla, then the counts per operation that explain it
  bench.json  everything: per configuration and case, the times of every
              round, the counters and the tool's summary, per-op figures
  bench.png   chart: emulated overhead and level switches per operation

Times come from QEMU's TCG. By default (--clock icount) the guest runs
under instruction counting, so its clock measures instructions executed
(1 ns = 1 instruction, all vCPUs together) and repeats from run to run
whatever the host's load; --clock wall gives the old emulated wall time,
which swings with the host. Neither is what a level switch (its register
write and barrier) costs on a real CPU: the counts are exact and are what
carries over to hardware, and --sync-ns N adds a stated model of it.
Each time figure is the mean of the rounds with its 95% confidence
interval (Student's t); a difference against vanilla that Welch's t-test
finds significant at 95% is marked (R) (slower) or (I) (faster).
Exit status: 0 done, 1 a boot or a case failed.
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import archenv  # noqa: E402
import guestlog  # noqa: E402


def configs_for(arch):
    """name, variant, kernel command line, label; the patched guest boots
    with the ARCH's GUEST_KPKEYS (kpkeys=mock on arm64, nothing on x86-64)."""
    kp = archenv.load(arch)["GUEST_KPKEYS"]
    return [
        ("vanilla", "vanilla", "", "vanilla 6.12"),
        ("no-batching", "kpkeys", " ".join(x for x in (kp, "kpkeys.batching=off") if x),
         "Without batching"),
        ("batching", "kpkeys", kp, "With batching"),
    ]


CONFIGS = configs_for("arm64")

# case id -> (benchmark, result class, unit of one operation)
CASES = {
    "kernbench": ("kernbench (stand-in)", "real time", "pipeline"),
    "fork-h0": ("micromm/fork", "fork: h:0", "fork"),
    "fork-h1": ("micromm/fork", "fork: h:1", "fork"),
    "munmap-h0": ("micromm/munmap", "munmap: h:0", "munmap"),
    "munmap-h1": ("micromm/munmap", "munmap: h:1", "munmap"),
    "fix-p1-h0": ("micromm/vmalloc", "fix_size_alloc_test: p:1, h:0", "loop"),
    "fix-p4-h0": ("micromm/vmalloc", "fix_size_alloc_test: p:4, h:0", "loop"),
    "fix-p16-h0": ("micromm/vmalloc", "fix_size_alloc_test: p:16, h:0", "loop"),
    "fix-p64-h0": ("micromm/vmalloc", "fix_size_alloc_test: p:64, h:0", "loop"),
    "fix-p256-h0": ("micromm/vmalloc", "fix_size_alloc_test: p:256, h:0", "loop"),
    "fix-p16-h1": ("micromm/vmalloc", "fix_size_alloc_test: p:16, h:1", "loop"),
    "fix-p64-h1": ("micromm/vmalloc", "fix_size_alloc_test: p:64, h:1", "loop"),
    "fix-p256-h1": ("micromm/vmalloc", "fix_size_alloc_test: p:256, h:1", "loop"),
    "random-p1-h0": ("micromm/vmalloc", "random_size_alloc_test: p:1, h:0", "loop"),
    "vm_map_ram-p1-h0": ("micromm/vmalloc", "vm_map_ram_test: p:1, h:0", "loop"),
    "fault-anon": ("page faults", "anonymous: 256M", "page"),
    "fault-cow": ("page faults", "COW after fork: 256M", "page"),
    "fault-file": ("page faults", "file (tmpfs): 256M", "page"),
    "mprotect-h0": ("mprotect/mremap", "mprotect: 256M", "mprotect"),
    "mremap-h0": ("mprotect/mremap", "mremap: 256M", "mremap"),
}

# icount shift: 2^ICOUNT_SHIFT ns of guest time per instruction
ICOUNT_SHIFT = 0

# Student's t, two-sided 95%, by degrees of freedom (a df between two
# entries takes the smaller one's, which is the larger t: conservative).
T975 = [(1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (5, 2.571),
        (6, 2.447), (7, 2.365), (8, 2.306), (9, 2.262), (10, 2.228),
        (12, 2.179), (15, 2.131), (20, 2.086), (30, 2.042), (60, 2.000),
        (120, 1.980)]


def t975(df):
    t = T975[0][1]
    for d, v in T975:
        if d <= df:
            t = v
    return t if df < 1e9 else 1.96


def mean_ci(xs):
    """Mean and its 95% confidence interval (None with one value)."""
    m = statistics.fmean(xs)
    if len(xs) < 2:
        return m, None
    h = t975(len(xs) - 1) * statistics.stdev(xs) / math.sqrt(len(xs))
    return m, [m - h, m + h]


def welch(a, b):
    """Is mean(b) != mean(a) at 95% (Welch's t-test)? None when either
    side has a single value; with no variance at all, any difference is."""
    if len(a) < 2 or len(b) < 2:
        return None
    va = statistics.variance(a) / len(a)
    vb = statistics.variance(b) / len(b)
    d = statistics.fmean(b) - statistics.fmean(a)
    if va + vb == 0:
        return d != 0
    den = (va * va / (len(a) - 1) if va else 0) + \
        (vb * vb / (len(b) - 1) if vb else 0)
    df = (va + vb) ** 2 / den
    return abs(d) / math.sqrt(va + vb) > t975(df)

# Per-operation counts, in table order: (key, column title). The syncs
# column is titled for arm64, where each sync is an ISB; see counts().
COUNTS = [
    ("switches", "switches"),
    ("syncs", "ISBs"),
    ("pgtable_writes", "pt writes"),
    ("batches", "lazy sect"),
    ("pgtable_allocs", "pt allocs"),
    ("set_memory_pkey", "smp calls"),
    ("tlb_flushes", "TLB flush"),
    ("splits", "splits"),
    ("windows", "windows"),
    ("unbatched", "unbatched"),
]


def counts(arch):
    """COUNTS with the syncs column named after ARCH's barrier."""
    return [(k, "syncs" if k == "syncs" and arch != "arm64" else t)
            for k, t in COUNTS]


def err(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def boot(a, name, variant, append):
    log = os.path.join(a.out, f"{name}.log")
    cmd = "/usr/share/kpkeys/bench/guest.sh " + (
        "--smoke --rounds 1" if a.smoke else f"--rounds {a.rounds}")
    p = archenv.boot(a.arch, variant, log, mem=a.mem, smp=a.smp,
                     timeout=a.timeout, qemu=a.qemu, append=append, cmd=cmd,
                     icount=ICOUNT_SHIFT if a.clock == "icount" else None)
    secs, lines = p.secs, p.lines
    out, status = guestlog.command_output(lines)
    problems = guestlog.problems(lines)
    cases = parse_output(out)
    for line in out:
        if line.startswith("bench:"):
            print(f"  [{name}] {line}", flush=True)
    ok = True
    if p.returncode != 0 or status != 0:
        err(f"[{name}] guest run failed (vmrun exit {p.returncode}, script "
            f"exit {status}): {p.stderr.strip()[-300:]}; see {log}")
        ok = False
    if problems:
        err(f"[{name}] the console shows {problems[0][0]}: "
            f"{problems[0][1].strip()}; see {log}")
        ok = False
    print(f"bench: [{name}] {len(cases)} cases in {secs:.0f} s", flush=True)
    return ok, cases, secs, kernel_of(out)


def parse_output(lines):
    """bench-case lines (with or without the console's "| " prefix)."""
    cases = {}
    for line in lines:
        line = line.strip()
        if line.startswith("| "):
            line = line[2:]
        if line.startswith("bench-case "):
            c = json.loads(line[len("bench-case "):])
            cases[c["case"]] = c
    return cases


def kernel_of(lines):
    for line in lines:
        line = line.strip().removeprefix("| ")
        if line.startswith("bench: kernel "):
            return line.split()[2].rstrip(",")
    return None


def per_op(case):
    """Counts per operation from the counted round (None when absent)."""
    c = case.get("counters") or {}
    ops = case["ops"]
    if not c:
        return {k: None for k, _ in COUNTS}
    keyed = c.get("pgtable_pages_keyed", 0)
    released = c.get("pgtable_pages_released", 0)
    # Kernels before the page-table page cache: one set_memory_pkey() call,
    # and so one kernel TLB range flush, per page keyed or released.
    smp = c.get("pgtable_pkey_calls", keyed + released)
    tool = case.get("tool") or {}
    # Every raise of the level has its restore: windows = switches / 2.
    # A lazy section raises once, and once more after each pause.
    windows = c.get("switches", 0) / 2
    batched = c.get("batches", 0) + c.get("batch_pauses", 0)
    v = {
        "switches": c.get("switches", 0),
        "syncs": c.get("syncs", 0),
        "pgtable_writes": c.get("pgtable_writes", 0),
        "batches": c.get("batches", 0),
        "pgtable_allocs": c.get("pgtable_allocs", keyed),
        "set_memory_pkey": smp,
        "tlb_flushes": smp,
        "splits": tool.get("splits"),
        "windows": windows,
        "unbatched": max(windows - batched, 0),
    }
    return {k: (None if x is None else x / ops) for k, x in v.items()}


def summarise(results, icount=False, model=None):
    """results[cfg][case] -> rows with means, confidence intervals,
    ratios to vanilla and their significance, and per-op counts. ICOUNT:
    the times are icount time, so also instructions per operation. MODEL
    (sync_ns, cpi, ghz): with icount, the modelled hardware time per
    operation, instructions * cpi / ghz + switches * sync_ns, and its
    ratio to vanilla's."""
    rows = []
    for cid, (bench, klass, unit) in CASES.items():
        if not any(cid in r for r in results.values()):
            continue
        row = {"case": cid, "benchmark": bench, "class": klass, "unit": unit,
               "configs": {}}
        base = None
        for cfg, _, _, _ in CONFIGS:
            c = results.get(cfg, {}).get(cid)
            if not c or not c["time_us"]:
                continue
            mean, ci = mean_ci(c["time_us"])
            d = {"time_us_median": statistics.median(c["time_us"]),
                 "time_us_mean": mean, "time_us_ci95": ci,
                 "time_us": c["time_us"],
                 "ops": c["ops"], "per_op": per_op(c),
                 "counters": c.get("counters"), "tool": c.get("tool"),
                 "batch": c.get("batch")}
            if icount:
                d["insn_per_op"] = mean * 1000 / 2 ** ICOUNT_SHIFT
            for extra in ("user_us", "system_us"):
                if extra in c:
                    d[extra] = c[extra]
                    d[extra + "_median"] = statistics.median(c[extra])
                    d[extra + "_mean"], d[extra + "_ci95"] = mean_ci(c[extra])
            if model and icount:
                sync_ns, cpi, ghz = model
                sw = (d["per_op"].get("switches") or 0) if cfg != "vanilla" else 0
                d["model_ns_per_op"] = d["insn_per_op"] * cpi / ghz + sw * sync_ns
            if cfg == "vanilla":
                base = d
            if base and base["time_us_mean"] > 0:
                d["time_ratio"] = mean / base["time_us_mean"]
                bci = base["time_us_ci95"]
                d["time_ratio_ci95"] = (
                    [ci[0] / bci[1], ci[1] / bci[0]]
                    if ci and bci and bci[0] > 0 else None)
                d["significant"] = (None if cfg == "vanilla" else
                                    welch(base["time_us"], c["time_us"]))
                for extra in ("user_us", "system_us"):
                    k = extra + "_mean"
                    if k in d and base.get(k):
                        name = extra.replace("_us", "")
                        d[name + "_ratio"] = d[k] / base[k]
                        d[name + "_significant"] = (
                            None if cfg == "vanilla" else
                            welch(base[extra], c[extra]))
                if "model_ns_per_op" in d and base.get("model_ns_per_op"):
                    d["model_ratio"] = d["model_ns_per_op"] / base["model_ns_per_op"]
            row["configs"][cfg] = d
        rows.append(row)
    return rows


def pct(ratio):
    return "n/a" if ratio is None else f"{(ratio - 1) * 100:+.2f}%"


def marked(d, key="time"):
    """A table 1 cell: (R)/(I) when significant at 95%, the overhead and,
    for the time, its confidence interval."""
    ratio = d.get(key + "_ratio")
    if ratio is None:
        return "n/a"
    sig = d.get("significant" if key == "time" else key + "_significant")
    mark = ("(R) " if ratio > 1 else "(I) ") if sig else ""
    ci = d.get("time_ratio_ci95") if key == "time" else None
    spread = (f" [{(ci[0] - 1) * 100:+.2f}, {(ci[1] - 1) * 100:+.2f}]"
              if ci else "")
    return f"{mark}{pct(ratio)}{spread}"


def num(x):
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def grid(header, body):
    w = [max(len(str(r[i])) for r in [header] + body) for i in range(len(header))]
    sep = "+" + "+".join("-" * (x + 2) for x in w) + "+"
    out = [sep, "| " + " | ".join(str(h).ljust(x) for h, x in zip(header, w)) + " |",
           sep.replace("-", "=")]
    prev = None
    for r in body:
        if prev is not None and r[0] and r[0] != prev:
            out.append(sep)
        if r[0]:
            prev = r[0]
        out.append("| " + " | ".join(str(c).ljust(x) for c, x in zip(r, w)) + " |")
    out.append(sep)
    return "\n".join(out)


def case_label(r):
    return "kernbench pipeline" if r["case"] == "kernbench" else r["class"]


def per_config(rows, key, fmt, cfgs, titles):
    """A grid of one figure (KEY, formatted by FMT) per case and
    configuration CFGS, the columns titled TITLES."""
    body = [[case_label(r)] + [fmt(r["configs"].get(k, {}).get(key))
                               for k in cfgs] for r in rows]
    return grid(["Case", *titles], body)


def table(rows, meta, arch="arm64"):
    sig = ("   Mean of the rounds; [lo, hi]: 95% confidence interval of the "
           "overhead; (R) slower, (I)",
           "   faster than vanilla, significant at 95% (Welch's t-test).")
    if meta["emulated"] and meta.get("clock") == "icount":
        lines = [f"kpkeys cost table: {meta['kernel']} under QEMU TCG "
                 f"({arch}, {meta['smp']} vCPU(s), {meta['mem']}), "
                 f"{meta['rounds']} timed round(s), instruction counting",
                 "",
                 f"1. Emulated instructions (QEMU -icount, {arch}: guest time "
                 "at 1 instruction per ns, all vCPUs),",
                 "   overhead against vanilla 6.12. Deterministic, but "
                 "EMULATED: it counts instructions, not",
                 "   what a level switch or a barrier costs on hardware; see "
                 "bench/README.md.", *sig, ""]
    elif meta["emulated"]:
        lines = [f"kpkeys cost table: {meta['kernel']} under QEMU TCG "
                 f"({arch}, {meta['smp']} vCPU(s), {meta['mem']}), "
                 f"{meta['rounds']} timed round(s), wall time",
                 "",
                 f"1. Emulated wall time (QEMU TCG, {arch}), overhead against "
                 "vanilla 6.12 (EMULATED and NOISY:",
                 "   TCG time swings with the host's load and says nothing "
                 "about what a level switch costs",
                 "   on hardware; see bench/README.md)", *sig, ""]
    else:
        lines = [f"kpkeys cost table: {meta['kernel']}, from logs of "
                 f"bench/guest.sh run on an {arch} machine", "",
                 "1. Wall time measured on that machine, overhead against "
                 "vanilla 6.12", *sig, ""]
    body = []
    last = None
    for r in rows:
        nb = r["configs"].get("no-batching", {})
        b = r["configs"].get("batching", {})
        name = r["benchmark"] if r["benchmark"] != last else ""
        last = r["benchmark"]
        body.append([name, r["class"], marked(nb), marked(b)])
        if r["case"] == "kernbench":
            for extra, label in (("system", "system time"), ("user", "user time")):
                body.append(["", label, marked(nb, extra), marked(b, extra)])
    lines.append(grid(["Benchmark", "Result Class", "Without batching",
                       "With batching"], body))
    lines += ["", "2. Counts per operation (exact; from the kernel's kpkeys "
              "counters, `kpkeys splits` and",
              "   `kpkeys batch`), without batching / with batching. An "
              "operation is one fork (with the",
              "   child's exit), one munmap, mprotect or mremap, one "
              "test_vmalloc loop iteration, one",
              "   kernbench pipeline, or one page of a fault case. "
              "\"windows\": raises of the level",
              "   (switches / 2); \"unbatched\": those no lazy-MMU section "
              "made (windows - lazy sections",
              "   - pauses); \"eff %\": batching effectiveness (kpkeys "
              "batch, over the whole counted command).", ""]
    body = []
    for r in rows:
        nbc = r["configs"].get("no-batching", {})
        bc = r["configs"].get("batching", {})
        nb, b = nbc.get("per_op") or {}, bc.get("per_op") or {}
        eff = (bc.get("batch") or {}).get("effectiveness_pct")
        body.append([case_label(r)] + [f"{num(nb.get(k))} / {num(b.get(k))}"
                               for k, _ in COUNTS] +
                    ["-" if eff is None else f"{eff:.1f}"])
    lines.append(grid(["Case"] + [t for _, t in counts(arch)] + ["eff %"], body))
    if meta.get("clock") == "icount":
        lines += ["", "3. Instructions per operation (QEMU icount, exact up to "
                  "the guest's own variation):",
                  "   vanilla / without batching / with batching", ""]
        lines.append(per_config(rows, "insn_per_op", num,
                                ("vanilla", "no-batching", "batching"),
                                ("vanilla", "without batching", "with batching")))
    model = meta.get("model")
    if model:
        lines += ["", f"4. MODEL, not a measurement: overhead on hardware "
                  f"where an instruction takes {model['cpi']:g} cycle(s) at "
                  f"{model['ghz']:g} GHz",
                  f"   and one level switch with its "
                  f"{'ISB' if arch == 'arm64' else 'sync (none on x86-64)'} "
                  f"costs {model['sync_ns']:g} ns "
                  "(BENCH_SYNC_NS): time = instructions * CPI / GHz +",
                  "   switches * BENCH_SYNC_NS, against vanilla's. Only as "
                  "good as its inputs; see bench/README.md.", ""]
        lines.append(per_config(rows, "model_ratio", pct,
                                ("no-batching", "batching"),
                                ("Without batching", "With batching")))
    return "\n".join(lines) + "\n"


def chart(rows, path, emulated=True, arch="arm64", clock="wall"):
    data = path + ".dat"
    with open(data, "w") as f:
        f.write("# case no-batching-overhead% batching-overhead% "
                "no-batching-switches batching-switches\n")
        for r in rows:
            nb = r["configs"].get("no-batching", {})
            b = r["configs"].get("batching", {})
            label = ("kernbench" if r["case"] == "kernbench" else
                     r["class"].replace("_alloc_test", "")
                     .replace("_test", "").replace(" ", ""))
            vals = [(x.get("time_ratio") or 1) * 100 - 100 for x in (nb, b)]
            sw = [(x.get("per_op") or {}).get("switches") or 0.1 for x in (nb, b)]
            f.write(f'"{label}" {vals[0]:.3f} {vals[1]:.3f} '
                    f'{max(sw[0], 0.1):.3f} {max(sw[1], 0.1):.3f}\n')
    mode = archenv.load(arch)["KPKEYS_MODE"]
    icount = emulated and clock == "icount"
    where = (f"emulated {'instructions' if icount else 'time'} (QEMU TCG, "
             f"{arch}, {mode} backend)" if emulated
             else f"measured on an {arch} machine")
    time_title = ("Emulated instruction overhead (%) -- QEMU icount, not a hardware cost"
                  if icount else
                  "Emulated wall-time overhead (%) -- TCG time, not a hardware cost"
                  if emulated else "Wall-time overhead (%)")
    script = f"""
set terminal pngcairo size 1400,1000 font ",10" noenhanced
set output "{path}"
set multiplot layout 2,1 title "kpkeys hardened page tables against vanilla 6.12: {where}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -35 scale 0 font ",8"
set grid ytics
set key top right
set title "{time_title}"
set ylabel "% over vanilla"
plot "{data}" using 2:xtic(1) title "without batching" lc rgb "#c0392b", \\
     "" using 3 title "with batching" lc rgb "#2471a3"
set title "kpkeys level switches per operation (log scale, exact)"
set ylabel "switches / op"
set logscale y
plot "{data}" using 4:xtic(1) title "without batching" lc rgb "#c0392b", \\
     "" using 5 title "with batching" lc rgb "#2471a3"
unset multiplot
"""
    p = subprocess.run(["gnuplot"], input=script, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0 or not os.path.exists(path):
        err(f"gnuplot failed: {p.stderr.strip()[-300:]}")
        return False
    return True


def compare(before, rows, arch="arm64"):
    """Markdown table: the batching configuration before (an earlier
    bench.json) and now, per case."""
    old = {r["case"]: r["configs"] for r in before["cases"]}
    keys = [("switches", "switches"), ("syncs", dict(counts(arch))["syncs"]),
            ("set_memory_pkey", "smp calls = TLB flushes")]
    head = ["case"] + [f"{t} before → after" for _, t in keys] + \
        ["emulated overhead before → after"]
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    for r in rows:
        b0 = (old.get(r["case"]) or {}).get("batching") or {}
        b1 = r["configs"].get("batching") or {}
        p0, p1 = b0.get("per_op") or {}, b1.get("per_op") or {}
        cells = [r["class"] if r["case"] != "kernbench" else "kernbench stand-in"]
        cells += [f"{num(p0.get(k))} → {num(p1.get(k))}" for k, _ in keys]
        cells.append(f"{pct(b0.get('time_ratio'))} → {pct(b1.get('time_ratio'))}")
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="arm64",
                    help="guest architecture: " + ", ".join(archenv.known()) +
                    " (scripts/arch/ARCH.env; default arm64)")
    ap.add_argument("--out", help="output directory (default build/bench "
                    "on arm64, build/bench-ARCH otherwise)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--smoke", action="store_true",
                    help="one small case per configuration (make test)")
    ap.add_argument("--qemu", help="emulator binary (default: the ARCH's)")
    ap.add_argument("--mem", default="3G")
    ap.add_argument("--smp", help="vCPUs (default: 1 with --clock icount, "
                    "2 with --clock wall; VM_SMP)")
    ap.add_argument("--timeout", type=int,
                    help="seconds per boot (default: 120 plus the ARCH's "
                    "BENCH_ROUND_SECS per round, at least 900; "
                    "scripts/arch/ARCH.env)")
    ap.add_argument("--clock", choices=("icount", "wall"), default="icount",
                    help="guest time: icount (default; QEMU instruction "
                    "counting, deterministic) or wall (emulated wall time, "
                    "noisy)")
    ap.add_argument("--sync-ns", type=float, metavar="N",
                    help="add the hardware model: one level switch with its "
                    "sync costs N ns (BENCH_SYNC_NS; needs --clock icount)")
    ap.add_argument("--cpi", type=float, default=1.0,
                    help="the model's cycles per instruction (default 1)")
    ap.add_argument("--ghz", type=float, default=2.5,
                    help="the model's clock in GHz (default 2.5)")
    ap.add_argument("--only", help="comma-separated configurations to boot")
    ap.add_argument("--compare", metavar="BENCH_JSON",
                    help="also write compare.md: the batching configuration "
                    "of an earlier bench.json against this run, per case")
    ap.add_argument("--logs", nargs="+", metavar="CONFIG=FILE",
                    help="no boots: read guest.sh's output, saved on a real "
                    "machine, for each configuration (vanilla, no-batching, "
                    "batching)")
    a = ap.parse_args()
    try:
        env = archenv.load(a.arch)
    except ValueError as e:
        err(f"--arch: {e}")
        return 2
    if a.rounds < 1:
        err(f"--rounds {a.rounds}: give at least 1 (BENCH_ROUNDS)")
        return 2
    if a.sync_ns is not None and (a.sync_ns < 0 or a.cpi <= 0 or a.ghz <= 0):
        err(f"--sync-ns {a.sync_ns:g} --cpi {a.cpi:g} --ghz {a.ghz:g}: give "
            "a cost of 0 ns or more and a positive CPI and clock "
            "(BENCH_SYNC_NS)")
        return 2
    if a.sync_ns is not None and (a.logs or a.clock != "icount"):
        err("--sync-ns models instruction counts: use it with --clock icount "
            "and without --logs (BENCH_SYNC_NS)")
        return 2
    if a.logs:
        a.clock = "wall"
    if a.smp is None:
        # Under icount every vCPU's instructions advance the one clock, in
        # turns the host's timing can shift: one vCPU keeps it exact.
        a.smp = "1" if a.clock == "icount" else "2"
    if a.timeout is None:
        a.timeout = max(900, 120 + (1 if a.smoke else a.rounds) *
                        int(env["BENCH_ROUND_SECS"]))
    elif a.timeout < 1:
        err(f"--timeout {a.timeout}: give a positive number of seconds (VM_TIMEOUT)")
        return 2
    if a.out is None:
        a.out = os.path.join(ROOT, "build", "bench" + (
            f"-{a.arch}" if env["BUILD_PREFIX"] else ""))
    os.makedirs(a.out, exist_ok=True)
    all_configs = configs_for(a.arch)
    configs = all_configs
    if a.only:
        want = a.only.split(",")
        configs = [c for c in all_configs if c[0] in want]

    t0 = time.monotonic()
    results, boots, kernels, ok = {}, {}, {}, True
    if a.logs:
        names = [c[0] for c in all_configs]
        for spec in a.logs:
            name, _, path = spec.partition("=")
            if name not in names or not path:
                err(f"--logs '{spec}': write CONFIG=FILE with CONFIG one of "
                    f"{', '.join(names)}")
                return 2
            try:
                with open(path, errors="replace") as f:
                    lines = f.readlines()
                results[name] = parse_output(lines)
                kernels[name] = kernel_of(lines)
            except OSError as e:
                err(f"--logs: cannot read '{path}': {e.strerror}; give "
                    "the file guest.sh's output was saved in")
                return 2
            if not results[name]:
                err(f"--logs: no 'bench-case' lines in '{path}'; save the "
                    "whole output of bench/guest.sh")
                return 1
            boots[name] = {"log": path, "ok": True}
        configs = [c for c in all_configs if c[0] in results]
    for name, variant, append, _ in ([] if a.logs else configs):
        print(f"bench: [{name}] booting {variant} with '{append}'", flush=True)
        good, cases, secs, kernels[name] = boot(a, name, variant, append)
        ok &= good
        results[name] = cases
        boots[name] = {"variant": variant, "cmdline": append,
                       "seconds": round(secs, 1), "ok": good}

    model = (None if a.sync_ns is None else
             {"sync_ns": a.sync_ns, "cpi": a.cpi, "ghz": a.ghz})
    rows = summarise(results, icount=a.clock == "icount",
                     model=model and (a.sync_ns, a.cpi, a.ghz))
    release = kernels.get("batching") or kernels.get("no-batching") or "unknown"
    meta = {"kernel": release, "kernels": kernels,
            "smp": a.smp, "mem": a.mem,
            "rounds": None if a.logs else 1 if a.smoke else a.rounds,
            "smoke": a.smoke,
            "time": (f"measured ({a.arch})" if a.logs else
                     f"emulated (QEMU TCG, {a.arch}), "
                     + ("instruction counting: 1 ns = "
                        f"{2 ** ICOUNT_SHIFT} instruction(s)"
                        if a.clock == "icount" else "wall time")),
            "clock": a.clock,
            "icount_shift": ICOUNT_SHIFT if a.clock == "icount" else None,
            "model": model,
            "emulated": not a.logs, "configs": boots,
            "seconds": round(time.monotonic() - t0, 1)}
    with open(os.path.join(a.out, "bench.json.tmp"), "w") as f:
        json.dump({"arch": a.arch, "meta": meta, "cases": rows}, f, indent=1)
    os.replace(os.path.join(a.out, "bench.json.tmp"),
               os.path.join(a.out, "bench.json"))
    text = table(rows, meta, a.arch)
    with open(os.path.join(a.out, "table.txt"), "w") as f:
        f.write(text)
    ok &= chart(rows, os.path.join(a.out, "bench.png"), meta["emulated"],
                a.arch, a.clock)
    if a.compare:
        try:
            with open(a.compare) as f:
                before = json.load(f)
        except (OSError, ValueError) as e:
            err(f"--compare: cannot read '{a.compare}': {e}; give a "
                "bench.json an earlier run wrote")
            return 2
        if before.get("arch", "arm64") != a.arch:
            err(f"--compare: '{a.compare}' was measured on "
                f"{before.get('arch', 'arm64')}, this run on {a.arch}")
        with open(os.path.join(a.out, "compare.md"), "w") as f:
            f.write(compare(before, rows, a.arch))
    print(text)
    missing = [(cfg, r["case"]) for r in rows for cfg, *_ in configs
               if cfg not in r["configs"]]
    if missing:
        err(f"no result for {', '.join(f'{c}:{k}' for c, k in missing[:5])}")
        ok = False
    rel = os.path.relpath(a.out, ROOT)
    print(f"bench: wrote {rel}/table.txt, {rel}/bench.json, {rel}/bench.png "
          f"in {meta['seconds']:.0f} s", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
