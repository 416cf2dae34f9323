# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""scripts/ktap.py, the one reader of KTAP: KUnit's (4-space nesting),
the guest suite's and the C unit tests' (2-space nesting)."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import ktap  # noqa: E402

UNIT = """KTAP version 1
1..2
  KTAP version 1
  # Subtest: hist
  ok 1 a
  # b: 3 != 4
  not ok 2 b
not ok 1 hist
# hist: 1 of 2 checks failed
  KTAP version 1
  # Subtest: json
  ok 1 c
ok 2 json"""


def statuses(root):
    return [("/".join(p), t.status, t.diag) for p, t in root.leaves()]


class Parse(unittest.TestCase):
    def test_groups_and_checks(self):
        root, errors = ktap.parse(UNIT.splitlines())
        self.assertEqual(errors, [])
        self.assertEqual(root.plan, 2)
        self.assertEqual([(t.name, t.status) for t in root.children],
                         [("hist", "fail"), ("json", "pass")])
        self.assertEqual(statuses(root), [("hist/a", "pass", ""),
                                          ("hist/b", "fail", ""),
                                          ("json/c", "pass", "")])

    def test_directives(self):
        root, errors = ktap.parse([
            "KTAP version 1", "1..4", "ok 1 x # SKIP no POE",
            "ok 2 y # skip lower case", "not ok 3 z # exit 1: why",
            "ok 4 - dash # rcode=0"])
        self.assertEqual(errors, [])
        self.assertEqual(statuses(root), [("x", "skip", "no POE"),
                                          ("y", "skip", "lower case"),
                                          ("z", "fail", "exit 1: why"),
                                          ("dash", "pass", "rcode=0")])

    def test_subtest_line_before_the_version_line(self):
        # older KUnit: "# Subtest:" first, then the nested version line
        root, errors = ktap.parse([
            "TAP version 14", "1..1", "    # Subtest: s",
            "    KTAP version 1", "    1..1", "    ok 1 c", "ok 1 s"])
        self.assertEqual(errors, [])
        self.assertEqual(statuses(root), [("s/c", "pass", "")])

    def test_text_before_the_version_and_noise_between_is_ignored(self):
        root, errors = ktap.parse([
            "ok 7 not ours", "KTAP version 1", "1..1", "random text",
            "  KTAP version 1", "  # Subtest: f", "okay then",
            "  ok 1 c", "    stray indented line", "ok 1 f"])
        self.assertEqual(errors, [])
        self.assertEqual(statuses(root), [("f/c", "pass", "")])

    def test_unfinished_subtests_are_kept_and_named(self):
        root, errors = ktap.parse([
            "KTAP version 1", "1..2", "  KTAP version 1", "  # Subtest: f",
            "  ok 1 c", "    KTAP version 1", "    # Subtest: g",
            "    ok 1 d", "ok 1 f"])
        self.assertEqual(errors, ["g: no result line (the run stopped inside it)",
                                  "the run: planned 2, reported 1"])
        self.assertEqual(statuses(root), [("f/c", "pass", ""),
                                          ("f/g/d", "pass", "")])

    def test_a_nested_plan_that_is_not_met(self):
        _, errors = ktap.parse([
            "KTAP version 1", "1..1", "  KTAP version 1", "  # Subtest: f",
            "  1..3", "  ok 1 c", "ok 1 f"])
        self.assertEqual(errors, ["f: planned 3, reported 1"])

    def test_no_ktap(self):
        self.assertEqual(ktap.parse(["ok 1 x", "1..1"]), (None, []))


if __name__ == "__main__":
    unittest.main()
