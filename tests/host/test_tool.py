# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""The kpkeys command on the host: the C unit tests of its pure parts
(tests/unit/tool_unit.c, one test per group), and the command-line contract
of the native binary on a kernel without kpkeys: exit 0 for help and
version, 2 with one line for usage errors, 1 with one line when the kernel
or the privileges are missing, and nothing on stdout when it fails."""
import os
import re
import shutil
import string
import subprocess
import sys
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import ktap  # noqa: E402
TOOLS = os.path.join(ROOT, "build", "tools")
UNIT = os.path.join(TOOLS, "kpkeys-unit")
KPKEYS = os.path.join(TOOLS, "kpkeys")
# A subcommand is tools/cmd_NAME.c (with bpf/NAME.bpf.c).
SOURCE_COMMANDS = sorted(f[4:-2] for f in os.listdir(os.path.join(ROOT, "tools"))
                         if f.startswith("cmd_") and f.endswith(".c"))

_built = {}


def build(path, always=False):
    """Build PATH with make when missing (ALWAYS: let make decide, for what
    does not need a kernel). Returns None, or why it could not be built."""
    if path in _built:
        return _built[path]
    err = None
    if always or not os.path.exists(path):
        p = subprocess.run(["make", "-s", "--no-print-directory", path],
                           cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=1800)
        if p.returncode != 0 or not os.path.exists(path):
            err = (f"make -s {os.path.relpath(path, ROOT)} failed (exit "
                   f"{p.returncode}):\n{p.stdout[-2000:]}")
    _built[path] = err
    return err


def run(argv, timeout=60):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout, cwd=ROOT)


class UnitGroups(unittest.TestCase):
    """tests/unit/tool_unit.c, one group per test."""

    def group(self, name):
        err = build(UNIT, always=True)
        if err:
            self.fail(err)
        p = run([UNIT, name])
        root, errors = ktap.parse(p.stdout.splitlines())
        self.assertIsNotNone(root, f"kpkeys-unit {name} printed no KTAP:\n"
                             f"{p.stdout[-2000:]}\nstderr: {p.stderr[-1000:]}")
        checks = [leaf for _, leaf in root.leaves()]
        failed = [f"{c.name}: {c.status}" for c in checks if c.status != "pass"]
        self.assertEqual((p.returncode, errors, failed), (0, [], []),
                         f"kpkeys-unit {name}:\n"
                         + "\n".join(p.stdout.splitlines()[-10:])
                         + (f"\nstderr: {p.stderr.strip()[-1000:]}"
                            if p.stderr.strip() else ""))
        self.assertEqual([t.name for t in root.children], [name])
        self.assertTrue(root.children[0].children,
                        f"kpkeys-unit {name} ran no checks:\n{p.stdout}")

    def test_hist(self):
        self.group("hist")

    def test_ksyms(self):
        self.group("ksyms")

    def test_json(self):
        self.group("json")

    def test_args(self):
        self.group("args")

    def test_decode(self):
        self.group("decode")

    def test_rows(self):
        self.group("rows")

    def test_abi(self):
        self.group("abi")


def kernel_has_kpkeys_events():
    try:
        with open("/sys/kernel/btf/vmlinux", "rb") as f:
            return b"btf_trace_kpkeys_switch\0" in f.read()
    except OSError:
        return False


def cap_eff():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


_commands = []


def help_commands():
    """The subcommands `kpkeys help` lists, in its order."""
    if not _commands:
        out = run([KPKEYS, "help"]).stdout
        block = out.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
        _commands.extend(ln.split()[0] for ln in block.splitlines())
    return _commands


def listed_options(text, header="Options:"):
    """The options a --help lists under HEADER, each by its short form
    (its long one when it has none)."""
    if f"\n{header}\n" not in text:
        return set()
    block = text.split(f"\n{header}\n", 1)[1].split("\n\n", 1)[0]
    return {m.group(1) or m.group(2) for m in
            re.finditer(r"(?m)^  (?:(-\w), |    )(--[\w-]+)", block)}


class Cli(unittest.TestCase):
    """The native binary on this host (no kpkeys in its kernel)."""

    def setUp(self):
        err = build(KPKEYS)
        if err:
            self.fail(err)

    def kpkeys(self, *args, prefix=()):
        return run([*prefix, KPKEYS, *args])

    def one_line(self, p, status, words, prefix="kpkeys"):
        what = f"exit {p.returncode}, stdout {p.stdout[:300]!r}, stderr {p.stderr!r}"
        self.assertEqual(p.returncode, status, what)
        self.assertEqual(p.stdout, "", what)
        lines = p.stderr.splitlines()
        self.assertEqual(len(lines), 1, what)
        self.assertTrue(lines[0].startswith(prefix), what)
        for w in words:
            self.assertIn(w, lines[0], what)
        return lines[0]

    def test_help_lists_commands(self):
        p = self.kpkeys("help")
        self.assertEqual(p.returncode, 0, p.stderr)
        # every tools/cmd_NAME.c is in the command table, and nothing else
        self.assertEqual(sorted(help_commands()), SOURCE_COMMANDS,
                         "kpkeys help against tools/cmd_*.c")
        for c in help_commands():
            self.assertRegex(p.stdout, rf"(?m)^  {c} +\S", f"'{c}' has no summary")
        self.assertIn("Examples:", p.stdout)

    def test_help_options_are_the_accepted_ones(self):
        """Each command takes exactly the options its --help lists, besides
        the common ones: every letter is tried, and every long-only option
        any command lists."""
        helps = {c: self.kpkeys(c, "--help").stdout for c in help_commands()}
        long_only = {o for t in helps.values() for o in listed_options(t)
                     if o.startswith("--")}
        for c, text in helps.items():
            common = listed_options(text, "Common options:")
            self.assertIn("-d", common, f"{c} --help lists no common options")
            taken = set()
            for opt in [f"-{x}" for x in string.ascii_letters] + sorted(long_only):
                # "--help" ends parsing, or is the value of an option that takes one
                p = self.kpkeys(c, opt, "--help")
                if p.returncode == 0 or not re.search(
                        r"unknown option|does not apply", p.stderr):
                    taken.add(opt)
            self.assertEqual(taken - common, listed_options(text),
                             f"options {c} takes, against its --help")

    def test_help_command(self):
        for argv in (["help", "top"], ["top", "--help"], ["top", "-h"]):
            with self.subTest(argv=argv):
                p = self.kpkeys(*argv)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stderr, "")
                self.assertTrue(p.stdout.startswith("Usage: kpkeys top "), p.stdout[:200])
                self.assertIn("Examples:", p.stdout)

    def test_every_command_help(self):
        for c in help_commands():
            with self.subTest(command=c):
                p = self.kpkeys(c, "--help")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertTrue(p.stdout.startswith(f"Usage: kpkeys {c} "),
                                p.stdout[:200])
                # its own examples, before the common options
                ex = p.stdout.split("Examples:", 1)
                self.assertEqual(len(ex), 2, f"no Examples: in {c} --help")
                self.assertRegex(ex[1].split("Common options:")[0],
                                 rf"kpkeys {c}\b")

    def test_no_arguments(self):
        p = self.kpkeys()
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertIn("Usage: kpkeys", p.stderr)

    def test_unknown_command(self):
        self.one_line(self.kpkeys("bogus"), 2, ["'bogus'"], prefix="kpkeys: ")
        self.one_line(self.kpkeys("help", "bogus"), 2, ["'bogus'"],
                      prefix="kpkeys: ")

    def test_usage_errors(self):
        cases = [
            (["top", "-1"], ["bad interval '-1'"]),
            (["top", "abc"], ["bad interval 'abc'"]),
            (["top", "0"], ["bad interval '0'"]),
            (["top", "1", "0"], ["bad count '0'"]),
            (["top", "1", "2", "3"], ["unexpected argument '3'"]),
            (["top", "-p", "999999999"], ["999999999"]),
            (["top", "-p", "abc"], ["bad PID 'abc'"]),
            (["top", "-C", "99999"], ["'99999'"]),
            (["top", "-d", "0"], ["bad duration '0'"]),
            (["top", "-d"], ["'-d' needs a value"]),
            (["top", "-x"], ["unknown option '-x'"]),
            (["top", "--bogus"], ["unknown option '--bogus'"]),
            (["top", "--sort", "bogus"], ["unknown sort key 'bogus'"]),
            (["isb", "-f"], ["'-f' does not apply to isb"]),
            (["audit", "-f", "--json"], ["pick one"]),
        ]
        for argv, words in cases:
            with self.subTest(argv=argv):
                self.one_line(self.kpkeys(*argv), 2, words,
                              prefix=f"kpkeys {argv[0]}: ")

    def test_kernel_without_kpkeys(self):
        if os.geteuid() != 0:
            self.skipTest("not root: the privilege check comes first")
        if kernel_has_kpkeys_events():
            self.skipTest("this host's kernel has the kpkeys trace events")
        p = self.kpkeys("top", "--json", "-d", "1")
        line = self.one_line(p, 1, [], prefix="kpkeys top: ")
        self.assertTrue(
            ("no trace event kpkeys:kpkeys_switch" in line
             and "tracepoints series" in line) or "has no BTF" in line, line)

    def test_unprivileged(self):
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if not setpriv:
                self.skipTest("root without setpriv: cannot drop privileges")
            prefix = [setpriv, "--reuid=65534", "--regid=65534",
                      "--clear-groups", "--inh-caps=-all"]
        elif cap_eff() & ((1 << 21) | (1 << 38) | (1 << 39)):
            self.skipTest("not root but with CAP_SYS_ADMIN, CAP_PERFMON or CAP_BPF")
        else:
            prefix = []
        p = self.kpkeys("top", "-d", "1", prefix=prefix)
        line = self.one_line(p, 1, ["root"], prefix="kpkeys top: ")
        self.assertRegex(line, r"permission denied.*root")

    def test_version(self):
        p = self.kpkeys("version")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^kpkeys \S+ \(libbpf v?[0-9.]+\)\n$")


if __name__ == "__main__":
    unittest.main()
