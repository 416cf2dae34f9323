# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""tests/workloads/jsoncheck.c, the guest's JSON checker and the field
extractor every guest check reads JSON with, built for the host here."""
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SRC = os.path.join(ROOT, "tests", "workloads", "jsoncheck.c")

DOCS = "\n".join([
    '{"type":"top","count":5,"w":{"count":0},'
    '"tasks":[{"pid":1,"comm":"init","count":3},{"pid":9,"comm":"mmwork","count":4},'
    '{"pid":10,"comm":"mmwork","count":6}],"s":"a\\"b","frames":["x","y"]}',
    ' {"type":"fault","pkey":15,"ret":0,"stack":["f+0x1","g+0x2"]}',
    '{"type":"fault","pkey":1,"ret":0,"stack":[]}',
]) + "\n"


class JsonCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.bin = os.path.join(cls.tmp, "jsoncheck")
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            raise AssertionError("no C compiler (make deps installs gcc)")
        subprocess.run([cc, "-O2", "-Wall", "-Werror", "-o", cls.bin, SRC],
                       check=True)
        cls.file = os.path.join(cls.tmp, "docs.json")
        with open(cls.file, "w") as f:
            f.write(DOCS)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def run_jc(self, *args, stdin=None):
        return subprocess.run([self.bin, *args], input=stdin, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def get(self, *args):
        p = self.run_jc(*args, self.file)
        return p.returncode, p.stdout.splitlines()

    def test_fields(self):
        self.assertEqual(self.get("-g", "count"), (0, ["5"]))
        self.assertEqual(self.get("-g", "w.count"), (0, ["0"]))
        self.assertEqual(self.get("-g", "s"), (0, ['a\\"b']))
        self.assertEqual(self.get("-g", "frames"), (0, ['["x","y"]']))
        # every document that has it, in order
        self.assertEqual(self.get("-g", "type"), (0, ["top", "fault", "fault"]))

    def test_arrays_and_filters(self):
        self.assertEqual(self.get("-g", "tasks[].count"), (0, ["3", "4", "6"]))
        self.assertEqual(self.get("-g", "tasks[].count", "-w", "comm=mmwork"),
                         (0, ["4", "6"]))
        self.assertEqual(self.get("-g", "tasks[].pid", "-w", "comm=mmwork",
                                  "-w", "count=6"), (0, ["10"]))
        self.assertEqual(self.get("-g", "stack[]", "-t", "fault"),
                         (0, ["f+0x1", "g+0x2"]))
        self.assertEqual(self.get("-g", "pkey", "-t", "fault", "-w", "pkey=15"),
                         (0, ["15"]))

    def test_nothing_matched_is_exit_1(self):
        for args in (("-g", "nope"), ("-g", "count", "-t", "fault"),
                     ("-g", "tasks[].count", "-w", "comm=none"),
                     ("-g", "count.x"), ("-g", "w[]")):
            p = self.run_jc(*args, self.file)
            self.assertEqual((p.returncode, p.stdout), (1, ""), args)
            self.assertIn("jsoncheck: no ", p.stderr)

    def test_bad_json_is_exit_1_on_stderr_with_g(self):
        p = self.run_jc("-g", "a", stdin='{"a":[1,2\n')
        self.assertEqual((p.returncode, p.stdout), (1, ""))
        self.assertIn("line 1, column", p.stderr)

    def test_check_mode(self):
        p = self.run_jc("-t", "fault", self.file)
        self.assertEqual((p.returncode, p.stdout),
                         (0, "jsoncheck: 3 documents, type fault\n"))
        # -t compares the type field, not text anywhere in the line
        p = self.run_jc("-t", "b", stdin='{"type":"a","x":"\\"type\\":\\"b\\""}\n')
        self.assertEqual(p.returncode, 1, p.stdout)

    def test_bad_usage_is_exit_2(self):
        for args in (("-w", "a=b"), ("-g",), ("-g", "a", "-w", "novalue"),
                     ("-g", "a", "-w", "=x"), ("-x",), ("f1", "f2")):
            p = self.run_jc(*args, stdin="{}\n")
            self.assertEqual(p.returncode, 2, args)
            self.assertIn("usage:", p.stderr)


if __name__ == "__main__":
    unittest.main()
