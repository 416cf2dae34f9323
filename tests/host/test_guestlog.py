# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""Console log parsing: problem detection, command output, KTAP, results."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import guestlog  # noqa: E402

T = "[   12.345678] "


class Problems(unittest.TestCase):
    def labels(self, text):
        return [lab for lab, _ in guestlog.problems([T + text])]

    def test_each_report_kind_is_caught(self):
        cases = {
            "Kernel panic - not syncing: Fatal exception": "panic",
            "Internal error: Oops: 0000000096000004 [#1] PREEMPT SMP": "oops",
            "Unable to handle kernel paging request at virtual address 0": "oops",
            "kernel BUG at mm/memory.c:1234!": "BUG",
            "BUG: sleeping function called from invalid context at x.c:1": "BUG",
            "BUG: KASAN: slab-out-of-bounds in foo+0x1/0x2": "BUG",
            "WARNING: CPU: 0 PID: 1 at mm/memory.c:1 foo+0x1/0x2": "WARNING",
            "------------[ cut here ]------------": "WARNING",
            "WARNING: possible circular locking dependency detected": "WARNING",
            "inconsistent lock state": "lockdep",
            "==================================================================": None,
            "KASAN: null-ptr-deref in range [0x0-0x7]": "KASAN",
            "UBSAN: shift-out-of-bounds in lib/foo.c:1:2": "UBSAN",
            "rcu: INFO: rcu_preempt self-detected stall on CPU": "stall",
            "INFO: task kworker:1 blocked for more than 120 seconds.": "stall",
        }
        for text, want in cases.items():
            with self.subTest(text=text):
                self.assertEqual(self.labels(text), [want] if want else [])

    def test_clean_boot_lines_are_not_problems(self):
        for text in ("Booting Linux on physical CPU 0x0",
                     "CPU features: detected: Privileged Access Never",
                     "ok 1 list_test_list_init",
                     "# Totals: pass:68 fail:0 skip:0 total:68",
                     "test_vmalloc: Summary: fix_size_alloc_test passed: 1 failed: 0"):
            with self.subTest(text=text):
                self.assertEqual(self.labels(text), [])

    def test_userspace_lines_are_ignored(self):
        # Only kernel messages count: a command may print anything.
        self.assertEqual(guestlog.problems(["WARNING: CPU: 0 PID: 1 at x",
                                            "Kernel panic"]), [])

    def test_context_starts_before_the_first_problem(self):
        lines = [T + f"line {i}" for i in range(30)]
        lines[20] = T + "BUG: unable to handle page fault for address: 1"
        lines[22] = T + "Kernel panic - not syncing: Fatal exception"
        ctx = guestlog.problem_context(lines, before=3, after=5)
        self.assertEqual(ctx, lines[17:25])
        self.assertEqual(guestlog.problem_context(lines[:20]), [])


class CommandOutput(unittest.TestCase):
    def test_output_between_markers_without_kernel_lines(self):
        lines = [T + "boot", "<<<kp:begin>>>", "| 6.12.117-kpkeys",
                 T + "interleaved", "| second line", "|", "<<<kp:exit 3>>>",
                 "| after"]
        self.assertEqual(guestlog.command_output(lines),
                         (["6.12.117-kpkeys", "second line", ""], 3))

    def test_dmesg_output_is_output(self):
        # What `dmesg` prints looks like kernel messages; the prefix tells.
        lines = ["<<<kp:begin>>>", "| " + T + "from dmesg", T + "console",
                 "<<<kp:exit 0>>>"]
        self.assertEqual(guestlog.command_output(lines),
                         ([T + "from dmesg"], 0))

    def test_glued_kernel_message_cut_off(self):
        # The console wrote a kernel message before the line's newline.
        lines = ["<<<kp:begin>>>",
                 "| report[    2.097780] lkdtm: Performing direct entry",
                 "| " + T + "from dmesg", "| survived", "<<<kp:exit 0>>>"]
        self.assertEqual(guestlog.command_output(lines),
                         (["report", T + "from dmesg", "survived"], 0))

    def test_glued_problem_is_a_problem(self):
        lines = ["<<<kp:begin>>>", "| report[    2.097780] BUG: kernel NULL pointer dereference",
                 "| " + T + "WARNING: from dmesg, not the console", "<<<kp:exit 0>>>"]
        found = guestlog.problems(lines)
        self.assertEqual([lab for lab, _ in found], ["BUG"])

    def test_missing_exit_marker_gives_no_status(self):
        out, status = guestlog.command_output(["<<<kp:begin>>>", "| x"])
        self.assertEqual((out, status), (["x"], None))

    def test_no_begin_marker(self):
        self.assertEqual(guestlog.command_output([T + "x"]), ([], None))


KTAP = """KTAP version 1
1..2
    KTAP version 1
    # Subtest: alpha
    # module: alpha_test
    1..3
    ok 1 a_one
    not ok 2 a_two
    ok 3 a_three # SKIP no hardware
# alpha: pass:1 fail:1 skip:1 total:3
not ok 1 alpha
    KTAP version 1
    # Subtest: beta
    1..1
        KTAP version 1
        # Subtest: b_param
        ok 1 x
        ok 2 y
    # b_param: pass:2 fail:0 skip:0 total:2
    ok 1 b_param
ok 2 beta"""


class Ktap(unittest.TestCase):
    def lines(self, text):
        return [T + line for line in text.splitlines()]

    def test_cases_and_statuses(self):
        cases, errors = guestlog.ktap_results(self.lines(KTAP))
        self.assertEqual(cases, [("alpha", "a_one", "pass"),
                                 ("alpha", "a_two", "fail"),
                                 ("alpha", "a_three", "skip"),
                                 ("beta", "b_param", "pass")])
        self.assertEqual(errors, [])

    def test_suite_cut_short_is_an_error(self):
        text = "\n".join(KTAP.splitlines()[:8])   # stops after a_two
        cases, errors = guestlog.ktap_results(self.lines(text))
        self.assertEqual(len(cases), 2)
        self.assertTrue(any("planned 2, reported 1" in e for e in errors), errors)
        self.assertTrue(any("alpha: no result line" in e for e in errors), errors)

    def test_fewer_cases_than_planned_is_an_error(self):
        text = KTAP.replace("    ok 3 a_three # SKIP no hardware\n", "")
        _, errors = guestlog.ktap_results(self.lines(text))
        self.assertTrue(any("alpha: planned 3, reported 2" in e for e in errors),
                        errors)

    def test_a_suite_that_failed_before_its_cases_is_an_error(self):
        text = "KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: gamma\n" \
               "    1..4\nnot ok 1 gamma"
        cases, errors = guestlog.ktap_results(self.lines(text))
        self.assertEqual(cases, [])
        self.assertTrue(any("suite gamma: failed before any case ran" in e
                            for e in errors), errors)


SUITE = """KTAP version 1
1..2
  KTAP version 1
  # Subtest: t-base
  ok 1 mount-proc
  # [btf] missing
  not ok 2 btf # exit 1: missing
  ok 3 x # SKIP no POE
not ok 1 t-base
  KTAP version 1
  # Subtest: t-tool
  ok 1 tool-help
ok 2 t-tool"""


class GuestResults(unittest.TestCase):
    """tests/guest/suite.sh's KTAP, as command_output() returns it."""

    def test_parse(self):
        res, errors = guestlog.guest_results(SUITE.splitlines())
        self.assertEqual(res, [("mount-proc", "pass", ""),
                               ("btf", "fail", "exit 1: missing"),
                               ("x", "skip", "no POE"),
                               ("tool-help", "pass", "")])
        self.assertEqual(errors, [])

    def test_kernel_message_glued_to_a_result(self):
        # the console interleaved a printk before the line's newline
        text = SUITE.replace("ok 1 mount-proc", "ok 1 mount-proc[    4.440679] lkdtm: FAIL: survived")
        text = text.replace("# exit 1: missing", "# exit 1: missing[   12.000001] other")
        text = text.replace("ok 2 t-tool", "ok 2 t-tool[   13.000000] late")
        res, errors = guestlog.guest_results(text.splitlines())
        self.assertEqual(res[:2], [("mount-proc", "pass", ""),
                                   ("btf", "fail", "exit 1: missing")])
        self.assertEqual(errors, [])

    def test_a_suite_that_died_in_a_file_is_an_error(self):
        lines = SUITE.splitlines()[:-1]     # t-tool's result line missing
        res, errors = guestlog.guest_results(lines)
        self.assertEqual(len(res), 4)
        self.assertEqual(errors, ["t-tool: no result line (the run stopped "
                                  "inside it)"])

    def test_a_suite_that_died_between_files_is_an_error(self):
        lines = SUITE.splitlines()[:9]      # after t-base's result
        _, errors = guestlog.guest_results(lines)
        self.assertEqual(errors, ["the run: planned 2, reported 1"])

    def test_no_ktap_is_an_error(self):
        res, errors = guestlog.guest_results(["sh: suite.sh: not found"])
        self.assertEqual((res, errors), ([], ["the suite printed no KTAP"]))


class ExpectedPkeyOops(unittest.TestCase):
    """The LKDTM boot: one pkey oops with the kpkeys lines passes, anything
    more or less fails."""
    OOPS = [
        "[    1.62] lkdtm: Performing direct entry KPKEYS_WRITE_TEST_PAGE",
        "[    1.62] kpkeys: pkey fault: write at 0xffff888000c28000 (pkey 15) at level DEFAULT (reg 0xbffffff8), syndrome 0x23, ip lkdtm_KPKEYS_WRITE_TEST_PAGE+0x5a/0xc0",
        "[    1.62] BUG: unable to handle page fault for address: ffff888000c28000",
        "[    1.62] #PF: supervisor write access in kernel mode",
        "[    1.62] #PF: error_code(0x0023) - protection keys violation",
        "[    1.62] #PF: kpkeys: pkey 15, level DEFAULT, PKRS 0xbffffff8",
        "[    1.62] Oops: Oops: 0023 [#1] PREEMPT SMP",
        "[    1.62] PKRS: bffffff8",
    ]

    def test_the_expected_oops_passes(self):
        ok, why = guestlog.expected_pkey_oops(self.OOPS)
        self.assertTrue(ok, why)
        self.assertEqual(why, "pkey 15, level DEFAULT, PKRS 0xbffffff8")

    def test_another_pkey_than_wanted_fails(self):
        self.assertTrue(guestlog.expected_pkey_oops(self.OOPS, 15)[0])
        ok, why = guestlog.expected_pkey_oops(self.OOPS, 1)
        self.assertFalse(ok)
        self.assertIn("want pkey 1", why)

    def test_no_oops_fails(self):
        ok, why = guestlog.expected_pkey_oops(self.OOPS[:1] + [
            "[    1.62] lkdtm: FAIL: survived write to a page keyed with the test pkey"])
        self.assertFalse(ok)
        self.assertIn("exactly one oops", why)

    def test_a_warning_besides_fails(self):
        ok, why = guestlog.expected_pkey_oops(
            self.OOPS + ["[    1.70] WARNING: CPU: 0 PID: 1 at mm/x.c:1 f+0x0/0x10"])
        self.assertFalse(ok)
        self.assertIn("WARNING", why)

    def test_second_oops_fails(self):
        ok, why = guestlog.expected_pkey_oops(
            self.OOPS + ["[    1.80] Oops: Oops: 0002 [#2] PREEMPT SMP"])
        self.assertFalse(ok)

    def test_oops_without_kpkeys_line_fails(self):
        ok, why = guestlog.expected_pkey_oops(
            [x for x in self.OOPS if "#PF: kpkeys" not in x])
        self.assertFalse(ok)
        self.assertIn("kpkeys: pkey N", why)

    def test_other_violation_fails(self):
        ok, why = guestlog.expected_pkey_oops(
            [x.replace("protection keys violation", "permissions violation")
             for x in self.OOPS])
        self.assertFalse(ok)


if __name__ == "__main__":
    unittest.main()
