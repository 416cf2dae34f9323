#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Check the patch series the way a maintainer would: every patch passes
# scripts/checkpatch.pl without errors, and the tree builds after each
# patch (boot image and modules, with the kpkeys variant's configuration
# for ARCH, default arm64; run it once per architecture).
#
#   [ARCH=arm64|x86_64] scripts/check-series.sh [FIRST]
#
# FIRST (default 1) skips the builds of earlier patches. Builds are
# incremental, in build/check/ARCH (tree build/src/linux-check), so later
# runs are faster; a cold run takes as long as several full kernel builds.
# Needs `make kernel ARCH=...` to have run once (for the series and the
# .config).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/archenv.sh"
BUILD=${BUILD:-$ROOT/build}
BASE=$BUILD/src/linux
APPLY=$BUILD/src/linux-apply
TREE=$BUILD/src/linux-check
OUT=$BUILD/check/$ARCH
CONFIG=$BUILD/${BUILD_PREFIX}kpkeys/kernel/.config
FIRST=${1:-1}
JOBS=${JOBS:-$(nproc)}

die() { echo "check-series: $*" >&2; exit 1; }
trap 'echo "check-series: internal error at line $LINENO: $BASH_COMMAND" >&2' ERR
[ -f "$CONFIG" ] || die "no $CONFIG; run 'make kernel ARCH=$ARCH' first"
[ -d "$APPLY" ] || die "no applied series in $APPLY; run 'make kernel' first"

mapfile -t commits < <(git -C "$APPLY" rev-list --reverse base..HEAD)
[ ${#commits[@]} -gt 0 ] || die "the series is empty"
[ -d "$TREE" ] || git -C "$BASE" worktree add -q --detach "$TREE" base
mkdir -p "$OUT" "$BUILD/check/logs"

CC="${CROSS}gcc"
command -v ccache >/dev/null && CC="ccache $CC"
kmake() { make -s -C "$TREE" O="$OUT" ARCH=$KARCH CROSS_COMPILE=$CROSS \
	CC="$CC" LOCALVERSION= "$@"; }
IMG=$(basename "$KIMAGE")

fail=0 n=0
for c in "${commits[@]}"; do
	n=$((n + 1))
	subject=$(git -C "$APPLY" log -1 --format=%s "$c")
	label=$(printf '%02d %s' "$n" "$subject")
	cp=$(git -C "$APPLY" format-patch -1 --stdout "$c" |
		"$BASE/scripts/checkpatch.pl" --no-tree -q --terse - 2>&1 | tail -n 1 || true)
	case "$cp" in
	*" 0 errors"*) ;;
	*) echo "FAIL checkpatch $label: $cp"; fail=$((fail + 1)) ;;
	esac
	[ "$n" -ge "$FIRST" ] || continue
	git -C "$TREE" checkout -q -f --detach "$c"
	cp "$CONFIG" "$OUT/.config"
	log=$BUILD/check/logs/$ARCH-$(printf '%02d' "$n").log
	start=$(date +%s)
	if kmake olddefconfig > "$log" 2>&1 && kmake -j"$JOBS" "$IMG" modules >> "$log" 2>&1; then
		echo "PASS build ($ARCH) $label ($(( $(date +%s) - start )) s, $cp)"
	else
		echo "FAIL build ($ARCH) $label: see $log"
		grep -m 5 -E 'error:|Error [0-9]' "$log" | sed 's/^/  /'
		fail=$((fail + 1))
	fi
done
[ "$fail" -eq 0 ] || die "$fail check(s) failed"
echo "check-series: all ${#commits[@]} patches pass checkpatch and build for $ARCH"
