# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
"""The one reader of the project's test results: KTAP
(Documentation/dev-tools/ktap.rst), as printed by KUnit on the kernel
console, by the guest suite (tests/guest/suite.sh) and by the C unit tests
(tests/unit/tool_unit.c).

parse(lines) returns the tree of results and the errors that say it is
incomplete: a plan that does not match the results, a subtest that never
printed its result line (the run stopped inside it). Lines that are not
KTAP are ignored, as the format allows, so that console noise does not
matter; so is a kernel message the console glued onto the end of a result
line ("ok 3 name[    4.440679] lkdtm: ...").

Pure text processing: the host unit tests feed it fixtures.
"""

import re

VERSION = re.compile(r"^K?TAP version \d+$")
PLAN = re.compile(r"^1\.\.(\d+)(?:\s*#.*)?$")
RESULT = re.compile(r"^(not ok|ok) (\d+)(?: (?:- )?([^#]*?))?\s*(?:#\s*(.*?))?\s*$")
SUBTEST = re.compile(r"^# Subtest: (.*?)\s*$")
KMSG_GLUED = re.compile(r"\[\s*\d+\.\d{6}\] .*$")


class Test:
    """One test: a leaf, or a test with subtests (children).

    status: 'pass', 'fail' or 'skip' (None: no result line yet);
    diag: the text after '#' on its result line (a SKIP's reason, a
    failure's detail), without the SKIP keyword."""

    def __init__(self, name=""):
        self.name, self.status, self.diag = name, None, ""
        self.plan, self.children = None, []

    def leaves(self, path=()):
        """(path of names from below this test, leaf) for each leaf."""
        for c in self.children:
            p = path + (c.name,)
            if c.children:
                yield from c.leaves(p)
            else:
                yield p, c

    def __repr__(self):
        return f"Test({self.name!r}, {self.status}, {len(self.children)} children)"


def _result(m, node):
    ok, desc, directive = m.group(1) == "ok", m.group(3) or "", m.group(4) or ""
    skip = re.match(r"(?i)^SKIP\b\s*(.*)$", directive)
    node.name = desc or node.name
    node.status = "skip" if skip else ("pass" if ok else "fail")
    node.diag = skip.group(1) if skip else directive
    return node


def _unfinished(t, parent, errors):
    """T never printed its result line: keep what it did report, under
    PARENT, with status None."""
    errors.append(f"{t.name or 'a subtest'}: no result line (the run "
                  "stopped inside it)")
    parent.children.append(t)


def parse(lines):
    """(root, errors) of the KTAP in LINES (strings without newlines).
    The root is the document's top-level test (name ""); its children
    the top-level results. Everything before the first version line is
    ignored; root is None when there is none."""
    root, errors = None, []
    stack = []          # [(indent, test)]: the open tests, root first
    for line in lines:
        text = line.rstrip()
        indent = len(text) - len(text.lstrip(" "))
        text = KMSG_GLUED.sub("", text.strip()).rstrip()
        if VERSION.match(text):
            if root is None:
                root = Test()
                stack = [(indent, root)]
            elif indent > stack[-1][0]:
                stack.append((indent, Test()))
            continue
        if root is None:
            continue
        m = SUBTEST.match(text)
        if m:
            # "# Subtest:" comes right before or right after the subtest's
            # version line, depending on the kernel version.
            if indent > stack[-1][0]:
                stack.append((indent, Test(m.group(1))))
            elif indent == stack[-1][0] and len(stack) > 1 and \
                    not stack[-1][1].children:
                stack[-1][1].name = m.group(1)
            continue
        m = PLAN.match(text)
        if m:
            for ind, t in reversed(stack):
                if ind == indent and t.plan is None and not t.children:
                    t.plan = int(m.group(1))
                    break
            continue
        m = RESULT.match(text)
        if not m:
            continue
        if indent < stack[0][0]:
            continue
        node = None
        while stack[-1][0] > indent:
            _, t = stack.pop()
            if node is not None:
                _unfinished(node, t, errors)
            node = t
        if stack[-1][0] != indent:
            continue
        node = _result(m, node or Test())
        stack[-1][1].children.append(node)
    while len(stack) > 1:
        _, t = stack.pop()
        _unfinished(t, stack[-1][1], errors)
    if root is not None:
        _check_plans(root, errors)
    return root, errors


def _check_plans(t, errors, path=()):
    if t.plan is not None and t.plan != len(t.children):
        what = "/".join(path) or "the run"
        errors.append(f"{what}: planned {t.plan}, reported {len(t.children)}")
    for c in t.children:
        _check_plans(c, errors, path + (c.name,))
