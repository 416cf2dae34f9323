# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""bench/bench.py without booting anything: it reads guest.sh output saved
in files (--logs, as on real hardware) and must compute medians, ratios to
vanilla and per-operation counts exactly, lay the table out like the
published one, write the JSON, the chart and the comparison, and refuse
bad input with one line and status 2."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BENCH = os.path.join(ROOT, "bench", "bench.py")


def case(name, ops, times, counters=None, tool=None, **extra):
    d = {"case": name, "ops": ops, "time_us": times,
         "counters": counters or {}, "tool": tool or {}}
    d.update(extra)
    return "bench-case " + json.dumps(d)


def kp_counters(switches, syncs, writes, batches, allocs, calls):
    return {"switches": switches, "syncs": syncs, "pgtable_writes": writes,
            "batches": batches, "pgtable_allocs": allocs,
            "pgtable_pkey_calls": calls, "pgtable_pages_keyed": allocs,
            "pgtable_pages_released": 0}


LOGS = {
    "vanilla": [
        "bench: kernel 6.12.117-vanilla, cmdline: x",
        case("fork-h0", 4, [100.0, 300.0, 200.0]),
        case("fix-p1-h0", 1000, [2.0, 2.0, 2.0]),
        case("kernbench", 10, [1000.0], user_us=[100.0], system_us=[400.0]),
    ],
    "no-batching": [
        "| bench: kernel 6.12.117-kpkeys, cmdline: x",
        "| " + case("fork-h0", 4, [400.0, 400.0, 400.0],
                    kp_counters(8000, 8000, 4000, 0, 40, 40),
                    {"calls": 40, "pages": 40, "failed": 0, "splits": 0,
                     "dropped": 0}),
        "| " + case("fix-p1-h0", 1000, [3.0, 3.0, 3.0],
                    kp_counters(6000, 6000, 3000, 0, 0, 0)),
        "| " + case("kernbench", 10, [1500.0], kp_counters(100, 100, 50, 0, 10, 10),
                    user_us=[100.0], system_us=[600.0]),
    ],
    "batching": [
        "bench: kernel 6.12.117-kpkeys, cmdline: x",
        case("fork-h0", 4, [250.0, 250.0, 250.0],
             kp_counters(80, 76, 4000, 20, 40, 2)),
        case("fix-p1-h0", 1000, [1.0, 1.0, 1.0],
             kp_counters(4000, 3000, 3000, 2000, 0, 0)),
        case("kernbench", 10, [1200.0], kp_counters(40, 40, 50, 10, 10, 0),
             user_us=[100.0], system_us=[500.0]),
    ],
}


class BenchFromLogs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="kpkeys-bench-test.")
        cls.logs = []
        for name, lines in LOGS.items():
            path = os.path.join(cls.tmp, f"{name}.txt")
            with open(path, "w") as f:
                f.write("\n".join(lines) + "\n")
            cls.logs.append(f"{name}={path}")
        cls.out = os.path.join(cls.tmp, "out")
        cls.p = cls.run_bench("--out", cls.out, "--logs", *cls.logs)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    @staticmethod
    def run_bench(*args):
        return subprocess.run([sys.executable, BENCH, *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)

    def doc(self):
        with open(os.path.join(self.out, "bench.json")) as f:
            return {r["case"]: r for r in json.load(f)["cases"]}

    def test_writes_table_json_png(self):
        self.assertEqual(self.p.returncode, 0, self.p.stderr)
        with open(os.path.join(self.out, "bench.png"), "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertTrue(os.path.getsize(os.path.join(self.out, "table.txt")))

    def test_medians_and_ratios(self):
        d = self.doc()
        fork = d["fork-h0"]["configs"]
        self.assertEqual(fork["vanilla"]["time_us_median"], 200.0)
        self.assertAlmostEqual(fork["no-batching"]["time_ratio"], 2.0)
        self.assertAlmostEqual(fork["batching"]["time_ratio"], 1.25)
        kb = d["kernbench"]["configs"]["batching"]
        self.assertAlmostEqual(kb["system_ratio"], 1.25)
        self.assertAlmostEqual(kb["user_ratio"], 1.0)

    def test_per_op_counts(self):
        d = self.doc()
        nb = d["fork-h0"]["configs"]["no-batching"]["per_op"]
        self.assertEqual(nb["switches"], 2000)
        self.assertEqual(nb["set_memory_pkey"], 10)
        self.assertEqual(nb["tlb_flushes"], 10)
        self.assertEqual(nb["splits"], 0)
        self.assertEqual(nb["windows"], 1000)
        self.assertEqual(nb["unbatched"], 1000)
        bf = d["fork-h0"]["configs"]["batching"]["per_op"]
        self.assertEqual(bf["windows"], 10)
        self.assertEqual(bf["unbatched"], 5)
        b = d["fix-p1-h0"]["configs"]["batching"]["per_op"]
        self.assertEqual(b["switches"], 4)
        self.assertEqual(b["syncs"], 3)
        self.assertEqual(b["batches"], 2)
        self.assertIsNone(b["splits"])  # no tool summary in that case
        van = d["fork-h0"]["configs"]["vanilla"]["per_op"]
        self.assertTrue(all(v is None for v in van.values()))

    def test_table_layout(self):
        with open(os.path.join(self.out, "table.txt")) as f:
            text = f.read()
        self.assertIn("| Benchmark", text)
        self.assertRegex(text, r"\| Without batching +\| With batching +\|")
        # measured, not emulated, when read from logs
        self.assertNotIn("EMULATED", text)
        row = [ln for ln in text.splitlines() if "fork: h:0" in ln][0]
        self.assertIn("+100.00%", row)
        self.assertIn("+25.00%", row)
        self.assertIn("kernbench (stand-in)", text)
        self.assertIn("system time", text)

    def test_significance_and_intervals(self):
        d = self.doc()
        fix = d["fix-p1-h0"]["configs"]
        # no variance on either side: any difference is significant
        self.assertTrue(fix["no-batching"]["significant"])
        self.assertTrue(fix["batching"]["significant"])
        self.assertEqual(fix["batching"]["time_ratio_ci95"], [0.5, 0.5])
        # vanilla's fork rounds spread 100..300: 400 is not significant
        fork = d["fork-h0"]["configs"]
        self.assertFalse(fork["no-batching"]["significant"])
        self.assertEqual(fork["vanilla"]["time_us_mean"], 200.0)
        lo, hi = fork["vanilla"]["time_us_ci95"]
        self.assertAlmostEqual(hi - 200.0, 4.303 * 100 / 3 ** 0.5, places=2)
        # one round: no interval, no verdict
        kb = d["kernbench"]["configs"]["batching"]
        self.assertIsNone(kb["significant"])
        self.assertIsNone(kb["time_us_ci95"])
        with open(os.path.join(self.out, "table.txt")) as f:
            text = f.read()
        row = [ln for ln in text.splitlines() if "p:1, h:0" in ln][0]
        self.assertIn("(R) +50.00% [+50.00, +50.00]", row)
        self.assertIn("(I) -50.00% [-50.00, -50.00]", row)
        row = [ln for ln in text.splitlines() if "fork: h:0" in ln][0]
        self.assertNotIn("(R)", row)

    def test_model_is_refused_without_icount(self):
        p = self.run_bench("--out", os.path.join(self.tmp, "bad"),
                           "--logs", *self.logs, "--sync-ns", "30")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        self.assertIn("--clock icount", p.stderr)
        p = self.run_bench("--out", os.path.join(self.tmp, "bad"),
                           "--sync-ns", "-1")
        self.assertEqual(p.returncode, 2)
        self.assertIn("BENCH_SYNC_NS", p.stderr)

    def test_model_and_instructions(self):
        sys.path.insert(0, os.path.join(ROOT, "bench"))
        import bench  # noqa: E402
        res = {}
        for name, lines in LOGS.items():
            res[name] = bench.parse_output(lines)
        rows = {r["case"]: r["configs"] for r in
                bench.summarise(res, icount=True, model=(100.0, 1.0, 2.0))}
        fork = rows["fork-h0"]
        # 200 us of icount time is 200000 instructions
        self.assertEqual(fork["vanilla"]["insn_per_op"], 200000)
        self.assertEqual(fork["vanilla"]["model_ns_per_op"], 100000)
        # 400000 instructions at 0.5 ns, plus 2000 switches at 100 ns
        self.assertEqual(fork["no-batching"]["model_ns_per_op"],
                         200000 + 200000)
        self.assertAlmostEqual(fork["no-batching"]["model_ratio"], 4.0)
        self.assertNotIn("model_ns_per_op",
                         bench.summarise(res)[0]["configs"]["vanilla"])

    def test_compare(self):
        p = self.run_bench("--out", os.path.join(self.tmp, "out2"),
                           "--logs", *self.logs, "--compare",
                           os.path.join(self.out, "bench.json"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(self.tmp, "out2", "compare.md")) as f:
            text = f.read()
        self.assertIn("| fork: h:0 | 20.0 → 20.0 |", text)

    def test_bad_logs_spec(self):
        p = self.run_bench("--out", os.path.join(self.tmp, "bad"),
                           "--logs", "bogus=/nonexistent")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        self.assertIn("CONFIG=FILE", p.stderr)

    def test_missing_log_file(self):
        p = self.run_bench("--out", os.path.join(self.tmp, "bad"),
                           "--logs", "batching=/nonexistent/log")
        self.assertEqual(p.returncode, 2)
        self.assertIn("cannot read '/nonexistent/log'", p.stderr)

    def test_log_without_cases(self):
        empty = os.path.join(self.tmp, "empty.txt")
        with open(empty, "w") as f:
            f.write("nothing here\n")
        p = self.run_bench("--out", os.path.join(self.tmp, "bad"),
                           "--logs", f"batching={empty}")
        self.assertEqual(p.returncode, 1)
        self.assertIn("no 'bench-case' lines", p.stderr)


if __name__ == "__main__":
    unittest.main()
