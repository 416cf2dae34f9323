# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""tests/mm_selftests.py: parsing the guest's selftest output and
comparing the vanilla run with the hardened one."""
import argparse
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import mm_selftests as mm  # noqa: E402

VANILLA = """\
MMST begin mremap_test
TAP version 13
ok 1 mremap 4k # 1234 ns
ok 2 expand (iteration 3)
not ok 3 something known bad
# Totals: pass:2 fail:1 xfail:0 xpass:0 skip:0 error:0
MMST end mremap_test exit 1 3.5 s
MMST begin uffd-unit-tests
Testing UFFDIO_API (with syscall)... done
Testing wp-fork on hugetlb... skipped [reason: memory allocation failed]
MMST end uffd-unit-tests exit 0 9.0 s
"""
FAULTS_NONE = """\
MMST faults begin
{"type":"faults_summary","interval_s":1.2,"faults":0,"dropped":0,"last":true}
MMST faults end exit 0
"""
FAULT = """\
MMST faults begin
{"type":"fault","ip_sym":"native_set_pte+0x9","addr":"0xffff888001000","pkey":1,"pgtable":true}
{"type":"faults_summary","interval_s":1.2,"faults":1,"dropped":0,"last":true}
MMST faults end exit 0
"""


def parse(text):
    return mm.parse(text.splitlines(True))


class Parse(unittest.TestCase):
    def test_results_exit_and_totals(self):
        tests, faults = parse(VANILLA)
        self.assertIsNone(faults)
        t = tests["mremap_test"]
        self.assertEqual((t["exit"], t["secs"]), (1, 3.5))
        self.assertEqual(t["totals"], [2, 1, 0, 0, 0, 0])
        # Timings and iteration counts do not count as a difference.
        self.assertEqual(t["results"], ["ok: mremap 4k # #", "ok: expand #",
                                        "not ok: something known bad"])
        self.assertEqual(tests["uffd-unit-tests"]["results"],
                         ["done: UFFDIO_API (with syscall)",
                          "skipped: wp-fork on hugetlb"])

    def test_unfinished_test_has_no_exit(self):
        tests, _ = parse("MMST begin cow\nok 1 x\n")
        self.assertIsNone(tests["cow"]["exit"])

    def test_faults(self):
        self.assertEqual(mm.fault_count(parse(FAULTS_NONE)[1]), (0, 0, []))
        n, d, recs = mm.fault_count(parse(FAULT)[1])
        self.assertEqual((n, d, len(recs)), (1, 0, 1))
        # A tool that never printed its last summary counts as unknown.
        self.assertEqual(mm.fault_count([])[:2], (None, None))


class Compare(unittest.TestCase):
    names = ["mremap_test", "uffd-unit-tests"]

    def test_same_runs_compare_equal(self):
        v, _ = parse(VANILLA)
        h, _ = parse(VANILLA.replace("1234 ns", "99 ns").replace("3.5 s", "8 s"))
        self.assertTrue(all(r[3] for r in mm.compare(self.names, v, h)))

    def test_mrelease_child_size_is_timing(self):
        # mrelease_test doubles its child until the reap beats the exit:
        # the size it reports is timing, the pass or fail is the result.
        line = ("MMST begin mrelease_test\n"
                "ok 1 Success reaping a child with %s\n"
                "MMST end mrelease_test exit 0 1.0 s\n")
        v, _ = parse(line % "4MB of memory allocations")
        h, _ = parse(line % "1MB of memory allocations")
        self.assertTrue(mm.compare(["mrelease_test"], v, h)[0][3])
        h, _ = parse(line.replace("ok 1", "not ok 1") % "1MB of memory allocations")
        self.assertFalse(mm.compare(["mrelease_test"], v, h)[0][3])

    def test_a_changed_result_is_a_difference(self):
        v, _ = parse(VANILLA)
        h, _ = parse(VANILLA.replace("ok 2 expand", "not ok 2 expand"))
        rows = {r[0]: r for r in mm.compare(self.names, v, h)}
        self.assertFalse(rows["mremap_test"][3])
        self.assertIn("hardened only ['not ok: expand #']", rows["mremap_test"][4])
        self.assertTrue(rows["uffd-unit-tests"][3])

    def test_exit_status_and_missing_test(self):
        v, _ = parse(VANILLA)
        h, _ = parse(VANILLA.replace("exit 0 9.0 s", "exit 1 9.0 s")
                     .replace("MMST end mremap_test exit 1 3.5 s\n", ""))
        rows = {r[0]: r for r in mm.compare(self.names, v, h)}
        self.assertEqual(rows["uffd-unit-tests"][4], "exit 0 vs 1")
        self.assertEqual(rows["mremap_test"][4], "did not finish on hardened")

    def test_a_difference_says_why_the_test_stopped(self):
        # kselftest's "Bail out!" line is the reason a test exited early.
        v, _ = parse("MMST begin split_huge_page_test\nok 1 a\n"
                     "Bail out! Unable to umount /tmp/thp_split_x\n"
                     "MMST end split_huge_page_test exit 1 2.0 s\n")
        h, _ = parse("MMST begin split_huge_page_test\nok 1 a\nok 2 b\n"
                     "MMST end split_huge_page_test exit 0 2.0 s\n")
        why = mm.compare(["split_huge_page_test"], v, h)[0][4]
        self.assertIn("exit 1 vs 0", why)
        self.assertIn("baseline: Bail out! Unable to umount /tmp/thp_split_x", why)
        # The same bail on both kernels is no difference.
        self.assertTrue(mm.compare(["split_huge_page_test"], v, v)[0][3])


SHPT = "MMST begin split_huge_page_test\nok 1 a\n%sMMST end split_huge_page_test exit %d 2.0 s\n"
GOOD = SHPT % ("ok 2 file-backed\n", 0)
BAD = SHPT % ("Bail out! Error occurred\n", 1)
COW = "MMST begin cow\nok 1 c\nMMST end cow exit 0 1.0 s\n"


class Rerun(unittest.TestCase):
    """A test that differs is run again on both kernels: the same there
    is flaky (reported, not failed); different again fails; the rerun's
    pkey faults and console count."""

    def run_with(self, first, again):
        calls = []

        def both(a, boots, label):
            texts = first if not calls else again
            calls.append({k: kw.get("only") for k, kw in boots.items()})
            runs = {}
            for key, text in texts.items():
                tests, faults = parse(text)
                runs[key] = {"label": key, "exit": 0, "secs": 1,
                             "problems": [], "tests": tests,
                             "faults": (mm.fault_count(faults)
                                        if key == "hardened" else
                                        (None, None, []))}
            return runs

        saved = mm.both, mm.list_names
        mm.both, mm.list_names = both, lambda: ["cow", "split_huge_page_test"]
        try:
            with tempfile.TemporaryDirectory() as d:
                a = argparse.Namespace(arch="x86_64")
                names, rows, runs, text = mm.run(a, d, "off")
        finally:
            mm.both, mm.list_names = saved
        return calls, {ok_n: (ok, why) for ok, ok_n, why in
                       mm.checks(rows, runs)}, text

    def test_flaky_difference_passes_and_is_reported(self):
        calls, verdict, text = self.run_with(
            {"baseline": COW + BAD, "hardened": COW + GOOD + FAULTS_NONE},
            {"baseline": GOOD, "hardened": GOOD + FAULTS_NONE})
        # Only the differing test runs again, on both kernels.
        self.assertEqual(calls[1], {"baseline": ["split_huge_page_test"],
                                    "hardened": ["split_huge_page_test"]})
        self.assertTrue(all(ok for ok, _ in verdict.values()), verdict)
        self.assertIn("flaky", verdict["split_huge_page_test"][1])
        self.assertIn("Bail out! Error occurred", "\n".join(text))

    def test_a_difference_that_repeats_fails(self):
        calls, verdict, _ = self.run_with(
            {"baseline": COW + GOOD, "hardened": COW + BAD + FAULTS_NONE},
            {"baseline": GOOD, "hardened": BAD + FAULTS_NONE})
        self.assertEqual(len(calls), 2)
        ok, why = verdict["split_huge_page_test"]
        self.assertFalse(ok)
        self.assertIn("on a rerun: exit 0 vs 1", why)
        self.assertTrue(verdict["cow"][0])

    def test_a_fault_in_the_rerun_fails(self):
        _, verdict, _ = self.run_with(
            {"baseline": COW + BAD, "hardened": COW + GOOD + FAULTS_NONE},
            {"baseline": GOOD, "hardened": GOOD + FAULT})
        self.assertTrue(verdict["split_huge_page_test"][0])
        self.assertFalse(verdict["zero-pkey-faults"][0])

    def test_no_rerun_when_all_agree(self):
        calls, verdict, _ = self.run_with(
            {"baseline": COW + GOOD, "hardened": COW + GOOD + FAULTS_NONE}, None)
        self.assertEqual(len(calls), 1)
        self.assertTrue(all(ok for ok, _ in verdict.values()))


if __name__ == "__main__":
    unittest.main()
