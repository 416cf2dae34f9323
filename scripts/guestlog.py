# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""Reading a guest's serial console log.

The console carries two streams: kernel messages (printk, prefixed with a
"[ seconds]" timestamp because the config has PRINTK_TIME) and the output of
what /init ran, framed by markers that guest/init prints:

    <<<kp:begin>>>        the command starts
    | text                one line the command printed
    <<<kp:exit N>>>       the command returned N

Everything here is pure text processing so that host unit tests can feed it
fixtures.
"""

import re

import ktap

KERNEL_LINE = re.compile(r"^\[\s*\d+\.\d+\] ?(.*)$")
BEGIN = "<<<kp:begin>>>"
EXIT = re.compile(r"<<<kp:exit (\d+)>>>")
PREFIX = "| "

# Kernel messages that make a run fail even when every scripted check passed.
# Each entry: (label, regex applied to the message text after the timestamp).
PROBLEMS = [
    ("panic", re.compile(r"Kernel panic")),
    ("oops", re.compile(r"Internal error: |\bOops\b|Unable to handle kernel")),
    ("BUG", re.compile(r"kernel BUG at|\bBUG: ")),
    ("WARNING", re.compile(r"WARNING: |-+\[ cut here \]-+")),
    ("lockdep", re.compile(r"possible (recursive|circular) locking|"
                           r"inconsistent lock state|lock held when returning|"
                           r"suspicious RCU usage|DEBUG_LOCKS_WARN_ON")),
    ("KASAN", re.compile(r"KASAN: ")),
    ("UBSAN", re.compile(r"UBSAN: ")),
    ("stall", re.compile(r"detected stalls? on CPU|self-detected stall|"
                         r"blocked for more than \d+ seconds")),
    ("fault", re.compile(r"general protection fault|Bad mode in|"
                         r"SError Interrupt")),
]


def clean(line):
    """Strip the serial console's carriage returns."""
    return line.replace("\r", "").rstrip("\n")


def kernel_message(line):
    """The text of a kernel console line, or None for userspace output."""
    m = KERNEL_LINE.match(line)
    return m.group(1) if m else None


def _glued_message(line):
    """The kernel message glued onto a line of the command's output, or
    None (see GLUED_KMSG)."""
    if not line.startswith(PREFIX):
        return None
    m = GLUED_KMSG.search(line, len(PREFIX) + 1)
    return line[m.end():] if m else None


def console_message(line):
    """The kernel message on a console line, on its own or glued onto the
    command's output; None if there is none."""
    msg = kernel_message(line)
    return msg if msg is not None else _glued_message(line)


def _problem_lines(lines):
    """(index, label, line) of each problem line, in console order."""
    for i, line in enumerate(lines):
        msg = console_message(line)
        if msg is None:
            continue
        for label, rx in PROBLEMS:
            if rx.search(msg):
                yield i, label, line
                break


def problems(lines):
    """Kernel messages reporting a panic, Oops, BUG, WARNING, lockdep, KASAN,
    UBSAN or stall report. Returns a list of (label, line)."""
    return [(label, line) for _, label, line in _problem_lines(lines)]


def problem_context(lines, before=8, after=40):
    """The console lines around the first problem line (the report and its
    trace, which the problem lines alone do not show), or [] if none."""
    for i, _, _ in _problem_lines(lines):
        return lines[max(0, i - before):i + after]
    return []


# A kernel message the serial console wrote into the middle of a line of
# the command's output ("| report[    2.097780] lkdtm: ...", the newline
# after it): not at the start of the text, where `dmesg` output has one.
GLUED_KMSG = re.compile(r"\[\s*\d+\.\d{6}\] ")


def output_line(line):
    """The command's own text on a console line between the markers, or
    None for a kernel message. A kernel message glued onto the text is
    cut off (the console log keeps it)."""
    if line.startswith(PREFIX) or line == PREFIX.rstrip():
        text = line[len(PREFIX):]
        m = GLUED_KMSG.search(text, 1)
        return text[:m.start()] if m else text
    return None if kernel_message(line) is not None else line


def command_output(lines):
    """(output lines, exit status or None) of the command the guest ran.
    Kernel messages that interleave with the output are left out."""
    out, status, inside = [], None, False
    for line in lines:
        if not inside:
            inside = BEGIN in line
            continue
        m = EXIT.search(line)
        if m:
            status = int(m.group(1))
            break
        text = output_line(line)
        if text is not None:
            out.append(text)
    return out, status


def ktap_results(lines):
    """KUnit results from the kernel log.

    Returns (cases, errors): cases is a list of (suite, case, status) with
    status 'pass', 'fail' or 'skip' for every test case (the results one
    level below a suite; parameterised cases count once, by their summary
    line); errors says where KUnit's output is incomplete (a plan and its
    results disagree: a suite that crashed or stopped early)."""
    root, errors = ktap.parse(m for m in map(kernel_message, lines)
                              if m is not None)
    if root is None:
        return [], []
    cases = []
    for suite in root.children:
        cases += [(suite.name, c.name, c.status) for c in suite.children]
        if suite.status == "fail" and not suite.children:
            errors.append(f"suite {suite.name}: failed before any case ran")
    return cases, [f"KUnit: {e}" for e in errors]


def guest_results(out):
    """Results of tests/guest/suite.sh from its output (command_output()):
    (results, errors). results lists (name, status, reason) per check,
    reason being the text after '#' on its line; errors says why the
    output is incomplete (the suite died, a file stopped half-way) or
    missing."""
    root, errors = ktap.parse(out)
    if root is None:
        return [], ["the suite printed no KTAP"]
    if root.plan is None:
        errors.append("the suite printed no plan")
    return [(leaf.name, leaf.status, leaf.diag)
            for _, leaf in root.leaves()], errors


# The report an enforcing backend prints when the default level writes a
# page keyed with the test pkey and nothing fixes the access up (LKDTM's
# KPKEYS_WRITE_TEST_PAGE): kpkeys' fault line, the architecture's oops and
# the oops' kpkeys line (x86-64: "#PF: kpkeys: pkey 15, level DEFAULT,
# PKRS 0x...").
PKEY_OOPS = {
    "report": re.compile(r"kpkeys: pkey fault: write at 0x[0-9a-f]+ \(pkey \d+(, page table)?\)"),
    "kpkeys": re.compile(r"kpkeys: pkey (\d+), level (\S+), (\S+) (0x[0-9a-f]+)$"),
    "violation": re.compile(r"protection keys violation"),
    "oops": re.compile(r"\bOops\b|Internal error: "),
}
# Problem lines that belong to that report. Anything else fails the boot.
PKEY_OOPS_PARTS = re.compile(
    r"BUG: unable to handle page fault|\bOops\b|Internal error: |"
    r"Unable to handle kernel")


def expected_pkey_oops(lines, pkey=None):
    """Whether the console shows exactly one pkey-violation oops with its
    kpkeys lines (pkey, level, register; the pkey must be `pkey` if given)
    and no other problem report. Returns (ok, reason)."""
    msgs = [console_message(x) or "" for x in lines]

    def matching(key):
        return [m for m in (PKEY_OOPS[key].search(x) for x in msgs) if m]

    others = [(lab, ln) for lab, ln in problems(lines)
              if not PKEY_OOPS_PARTS.search(console_message(ln) or "")]
    if others:
        return False, "; ".join(f"{lab}: {ln.strip()}" for lab, ln in others[:3])
    oopses = matching("oops")
    if len(oopses) != 1:
        return False, f"want exactly one oops, the console has {len(oopses)}"
    if not matching("violation"):
        return False, "the oops does not name a protection-key violation"
    if len(matching("report")) != 1:
        return False, "want one 'kpkeys: pkey fault: write at' line"
    kp = matching("kpkeys")
    if len(kp) != 1:
        return False, f"want one 'kpkeys: pkey N, level L, REG V' line, the console has {len(kp)}"
    m = kp[0]
    why = f"pkey {m.group(1)}, level {m.group(2)}, {m.group(3)} {m.group(4)}"
    if pkey is not None and int(m.group(1)) != pkey:
        return False, f"want pkey {pkey}: {why}"
    return True, why
