# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""scripts/apply-series.sh on a scratch repository: good series apply in
order; a failing patch is named with its reject and leaves the tree clean."""
import os
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
APPLY = os.path.join(ROOT, "scripts", "apply-series.sh")
GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost"]


def git(repo, *args):
    return subprocess.run(GIT + ["-C", repo, *args], check=True,
                          stdout=subprocess.PIPE, text=True).stdout


class ApplySeries(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.repo = os.path.join(self.tmp.name, "tree")
        os.makedirs(self.repo)
        git(self.repo, "init", "-q")
        self.write("f.c", "one\ntwo\nthree\n")
        git(self.repo, "add", "f.c")
        git(self.repo, "commit", "-qm", "base")
        git(self.repo, "tag", "base")
        # Two patches made on a branch, exported with format-patch.
        self.write("f.c", "one\nTWO\nthree\n")
        git(self.repo, "commit", "-qam", "first change")
        self.write("f.c", "one\nTWO\nthree\nfour\n")
        git(self.repo, "commit", "-qam", "second change")
        out = git(self.repo, "format-patch", "-q", "-o", self.tmp.name, "base")
        self.patches = sorted(os.path.join(self.tmp.name, p)
                              for p in os.listdir(self.tmp.name) if p.endswith(".patch"))
        git(self.repo, "checkout", "-q", "--detach", "base")
        del out

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        with open(os.path.join(self.repo, name), "w") as f:
            f.write(text)

    def apply(self, *patches):
        return subprocess.run([APPLY, self.repo, "base", *patches],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)

    def test_series_applies_in_order(self):
        p = self.apply(*self.patches)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "2")
        self.assertEqual(open(os.path.join(self.repo, "f.c")).read(),
                         "one\nTWO\nthree\nfour\n")

    def test_reapply_resets_first(self):
        self.apply(*self.patches)
        p = self.apply(*self.patches)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_failing_patch_is_named_with_its_reject(self):
        # Applying only the second patch cannot work: its context is missing.
        p = self.apply(self.patches[1])
        self.assertEqual(p.returncode, 1)
        self.assertIn(f"patch {self.patches[1]} does not apply", p.stderr)
        self.assertIn("reject f.c.rej", p.stderr)
        self.assertIn("+four", p.stderr)
        # The tree is left clean at the base.
        self.assertEqual(git(self.repo, "status", "--porcelain"), "")
        self.assertEqual(open(os.path.join(self.repo, "f.c")).read(),
                         "one\ntwo\nthree\n")

    def test_failed_patch_leaves_no_ignored_files(self):
        # Like Debian's kernel tarball, the tree ignores every file; a patch
        # that creates a new (ignored) file and then fails must not leave
        # it behind, or the fixed series fails with "already exists".
        self.write(".gitignore", "*\n")
        git(self.repo, "add", "-f", ".gitignore")
        git(self.repo, "commit", "-qm", "ignore all")
        git(self.repo, "tag", "-f", "base")
        self.write("new.c", "new\n")
        git(self.repo, "add", "-f", "new.c")
        self.write("f.c", "one\ntwo\nthree\nfour\n")
        git(self.repo, "commit", "-qam", "new file")
        good = git(self.repo, "format-patch", "-1", "-o",
                   os.path.join(self.tmp.name, "good")).strip()
        bad = good.replace(".patch", ".bad.patch")
        # The same patch with a context line the tree does not have.
        with open(good) as f:
            text = f.read().replace(" three\n", " THREE\n")
        with open(bad, "w") as f:
            f.write(text)
        git(self.repo, "checkout", "-q", "--detach", "base")
        p = self.apply(bad)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.repo, "new.c")))
        p = self.apply(good)
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    unittest.main()
