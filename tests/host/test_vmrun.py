# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""scripts/vmrun.py against a fake emulator: archive, output, statuses."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
VMRUN = os.path.join(HERE, "..", "..", "scripts", "vmrun.py")
FAKE = os.path.join(HERE, "fake_qemu.py")


class VmRun(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        d = self.tmp.name
        self.kernel = os.path.join(d, "Image")
        self.base = os.path.join(d, "base.cpio.gz")
        open(self.kernel, "wb").write(b"kernel")
        open(self.base, "wb").write(b"BASE-IMAGE")
        self.log = os.path.join(d, "logs", "vm.log")

    def tearDown(self):
        self.tmp.cleanup()

    def run_vm(self, mode, *extra, status="0", timeout="30", qemu=FAKE,
               image=True):
        """vmrun.py on the fake emulator; IMAGE False: without --kernel
        and --initrd (EXTRA names the guest)."""
        env = dict(os.environ, FAKE_QEMU_MODE=mode, FAKE_QEMU_STATUS=status,
                   FAKE_QEMU_BASE=self.base)
        files = ["--kernel", self.kernel, "--initrd", self.base] if image else []
        return subprocess.run(
            [sys.executable, VMRUN, "--qemu", qemu, *files, "--log", self.log,
             "--timeout", timeout, *extra], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, stdin=subprocess.DEVNULL)

    def test_cmd_output_and_status(self):
        p = self.run_vm("ok", "--cmd", "uname -r; exit 3", status="3")
        self.assertEqual(p.returncode, 3, p.stderr)
        # The command text reached the guest through the appended archive;
        # kernel lines stay out of the output but are in the log.
        self.assertEqual(p.stdout, "ran: uname -r; exit 3\n"
                         "[    0.900000] a line from dmesg\n")
        self.assertIn("a kernel line in the middle", open(self.log).read())

    def test_run_file_is_shipped(self):
        script = os.path.join(self.tmp.name, "s.sh")
        open(script, "w").write("#!/bin/sh\necho hi\n")
        p = self.run_vm("ok", "--run", script)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("ran: #!/bin/sh", p.stdout)

    def test_icount_makes_guest_time_instructions(self):
        argv = os.path.join(self.tmp.name, "argv")
        os.environ["FAKE_QEMU_ARGV"] = argv
        try:
            p = self.run_vm("ok", "--cmd", "true", "--icount", "0")
            self.assertEqual(p.returncode, 0, p.stderr)
            args = open(argv).read().splitlines()
            i = args.index("-icount")
            self.assertEqual(args[i + 1], "shift=0,align=off,sleep=off")
            self.assertEqual(args[args.index("-seed") + 1], "1")
            self.run_vm("ok", "--cmd", "true")
            self.assertNotIn("-icount", open(argv).read().splitlines())
        finally:
            del os.environ["FAKE_QEMU_ARGV"]

    def test_bad_icount_is_one_line(self):
        p = self.run_vm("ok", "--cmd", "true", "--icount", "11")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1)
        self.assertIn("--icount 11", p.stderr)

    def test_status_file(self):
        sf = os.path.join(self.tmp.name, "st")
        self.run_vm("ok", "--cmd", "x", "--status-file", sf, status="7")
        self.assertEqual(open(sf).read().strip(), "7")

    def test_panic_fails_even_with_status_0(self):
        p = self.run_vm("panic", "--cmd", "true")
        self.assertEqual(p.returncode, 125)
        self.assertIn("kernel reported panic", p.stderr)
        # The report itself reaches stderr, not only the log's path.
        self.assertIn("vm: console| ", p.stderr)

    def test_warning_fails_even_with_status_0(self):
        p = self.run_vm("warn", "--cmd", "true")
        self.assertEqual(p.returncode, 125)
        self.assertIn("kernel reported WARNING", p.stderr)

    def test_timeout(self):
        p = self.run_vm("hang", "--cmd", "true", timeout="2")
        self.assertEqual(p.returncode, 124)
        self.assertIn("did not finish within 2 s", p.stderr)
        # Before QEMU is killed, the guest is asked for its CPUs'
        # backtraces and its blocked tasks; the log holds the answers.
        with open(self.log) as f:
            log = f.read()
        self.assertIn("sysrq: Show backtrace of all active CPUs", log)
        self.assertIn("sysrq: Show Blocked State", log)

    def test_guest_without_status(self):
        p = self.run_vm("crash", "--cmd", "true")
        self.assertEqual(p.returncode, 126)
        self.assertIn("without reporting an exit status", p.stderr)

    def test_missing_emulator_is_one_line(self):
        p = self.run_vm("ok", "--cmd", "true", qemu="/nonexistent/qemu")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn("emulator '/nonexistent/qemu' not found", p.stderr)

    def test_variant_boots_its_build(self):
        # --variant: the kernel and initramfs where the Makefile builds
        # them (scripts/archenv.py); a variant never built is one line
        p = self.run_vm("ok", "--arch", "x86_64", "--variant", "never-built",
                        "--cmd", "true", image=False)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertIn(os.path.join("build", "x86_64-never-built", "kernel",
                                   "arch/x86/boot/bzImage") + " not found",
                      p.stderr)

    def test_no_kernel_is_one_line(self):
        p = self.run_vm("ok", "--cmd", "true", image=False)
        self.assertEqual(p.returncode, 2)
        self.assertIn("give --variant, or --kernel and --initrd", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)

    def test_missing_run_file_is_one_line(self):
        p = self.run_vm("ok", "--run", "/nonexistent/script")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)

    def test_interactive_needs_a_terminal(self):
        p = self.run_vm("ok")
        self.assertEqual(p.returncode, 2)
        self.assertIn("needs a terminal", p.stderr)


if __name__ == "__main__":
    unittest.main()
