#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Reset a git tree to a base ref and apply patches in order with git am.
#
#   scripts/apply-series.sh TREE BASE PATCH...
#
# On the first patch that does not apply: name it, show git's errors and the
# rejected hunks, leave TREE clean at BASE (untracked and ignored files
# removed: TREE must be a scratch tree), exit 1.
set -euo pipefail

tree=${1:?usage: apply-series.sh TREE BASE PATCH...}
base=${2:?usage: apply-series.sh TREE BASE PATCH...}
shift 2

g() { git -C "$tree" -c user.name=kpkeys-build -c user.email=kpkeys-build@localhost \
	-c advice.detachedHead=false "$@"; }
# clean -x: Debian's tree ignores every file, so a new file a failed patch
# left behind is ignored and only -x removes it (the tree is scratch: the
# kernel is built out of tree).
reset() { g am --abort >/dev/null 2>&1 || true
	g checkout -q -f --detach "$base"; g clean -q -ffdx; }

reset
n=0
for p in "$@"; do
	if ! out=$(g am -q --whitespace=nowarn "$p" 2>&1); then
		g am --abort >/dev/null 2>&1 || true
		name=$p
		[ -z "${PATCH_ROOT:-}" ] || name=${p#"$PATCH_ROOT"/}
		echo "patch $name does not apply:" >&2
		echo "$out" | grep -E '^(error|fatal)' | sed 's/^/  /' >&2
		g apply --reject --whitespace=nowarn "$p" >/dev/null 2>&1 || true
		(cd "$tree" && find . -name '*.rej' -print0) | while IFS= read -r -d '' r; do
			echo "  reject ${r#./}:" >&2
			sed 's/^/    /' "$tree/$r" >&2
		done
		reset
		exit 1
	fi
	n=$((n + 1))
done
echo "$n"
