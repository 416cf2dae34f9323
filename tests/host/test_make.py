# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""The Makefile's bad-input contract: one line naming the problem, non-zero
exit, before anything is built."""
import os
import subprocess
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def make(*args):
    return subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=60)


class BadInput(unittest.TestCase):
    def one_line(self, p, status, words):
        self.assertEqual(p.returncode, status, p.stderr)
        self.assertEqual(p.stdout, "")
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        for w in words:
            self.assertIn(w, lines[0])

    def test_unknown_variant(self):
        for goal in ("vm", "test", "demo", "kernel"):
            with self.subTest(goal=goal):
                self.one_line(make("VARIANT=bogus", goal), 2,
                              ["unknown VARIANT 'bogus'", "kpkeys", "debug",
                               "vanilla"])

    def test_missing_run_file(self):
        self.one_line(make("vm", "RUN=/nonexistent/script.sh"), 2,
                      ["RUN file '/nonexistent/script.sh' not found"])

    def test_cmd_and_run_together(self):
        self.one_line(make("vm", "RUN=Makefile", "CMD=true"), 2,
                      ["CMD or RUN"])

    def test_missing_emulator(self):
        self.one_line(make("vm", "CMD=true", "QEMU=/nonexistent/qemu-system-aarch64"), 1,
                      ["emulator '/nonexistent/qemu-system-aarch64' not found", "QEMU"])

    def test_bad_timeout(self):
        for bad in ("-5", "abc", "0"):
            with self.subTest(bad=bad):
                self.one_line(make("vm", "CMD=true", f"VM_TIMEOUT={bad}"), 2,
                              ["VM_TIMEOUT"])

    def test_bad_bench_rounds(self):
        for bad in ("-1", "x", "0"):
            with self.subTest(bad=bad):
                self.one_line(make("bench", f"BENCH_ROUNDS={bad}"), 2,
                              ["BENCH_ROUNDS"])

    def test_missing_bench_compare(self):
        self.one_line(make("bench", "BENCH_COMPARE=/nonexistent/bench.json"), 2,
                      ["BENCH_COMPARE file '/nonexistent/bench.json' not found"])


class BenchArch(unittest.TestCase):
    def test_bench_boots_the_arch(self):
        # make -n: what make bench ARCH=x86_64 would run, nothing built
        p = make("-n", "bench", "ARCH=x86_64")
        self.assertEqual(p.returncode, 0, p.stderr)
        line = [ln for ln in p.stdout.splitlines() if "bench/bench.py" in ln]
        self.assertEqual(len(line), 1, p.stdout)
        for w in ("--arch x86_64", "build/bench-x86_64", "qemu-system-x86_64"):
            self.assertIn(w, p.stdout)

    def test_bench_timeout_is_the_archs_unless_given(self):
        # Without VM_TIMEOUT, bench.py sizes each boot from the ARCH's
        # BENCH_ROUND_SECS; with it, it is passed on.
        p = make("-n", "bench", "ARCH=x86_64")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("--timeout", p.stdout)
        p = make("-n", "bench", "ARCH=x86_64", "VM_TIMEOUT=1234")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("--timeout 1234", p.stdout)


if __name__ == "__main__":
    unittest.main()
