#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the kernel's mm selftests listed in tests/mm-selftests.txt, static
# for the guest's ARCH, from the pristine linux-source-6.12 tree that
# scripts/kernel.sh extracted (build/src/linux), and pack them with the
# list into an initramfs fragment that scripts/vmrun.py appends to the
# guest's (--add). The same binaries run on every kernel they are compared on.
#
#   [ARCH=arm64|x86_64] scripts/mm-selftests.sh
#
# Output: build/DIR/mm-selftests.cpio.gz with /usr/lib/kpkeys/mm-selftests/
# {NAME...,list}; DIR is mm-selftests on arm64, ARCH-mm-selftests otherwise.
set -euo pipefail
say() { [ -n "${QUIET:-}" ] || echo "$@"; }
die() { echo "mm-selftests: $*" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/archenv.sh"
BUILD=${BUILD:-$ROOT/build}
SRC=$BUILD/src/linux
SELF=$SRC/tools/testing/selftests/mm
LIST=$ROOT/tests/mm-selftests.txt
DIR=$BUILD/${BUILD_PREFIX}mm-selftests
OUT=$DIR/mm-selftests.cpio.gz
[ -d "$SELF" ] || die "no $SELF; build a kernel first (make kernel), which extracts linux-source-6.12"

# The uapi headers of this tree (mseal, userfaultfd ioctls, PAGEMAP_SCAN
# are newer than the host's), generated without installing.
say "mm-selftests: uapi headers of linux-source-6.12 ($KARCH)"
make -s -C "$SRC" O="$DIR/hdr" ARCH="$KARCH" headers >/dev/null

# The programs behind the list's commands, each once.
progs=$(grep -v '^[[:space:]]*\(#\|$\)' "$LIST" | awk '{ print $2 }' | sort -u)
[ -n "$progs" ] || die "tests/mm-selftests.txt lists no test"
mkdir -p "$DIR/bin"
say "mm-selftests: building $(echo $progs | wc -w) programs (static $ARCH)"
# The selftests' Makefile writes local_config.{h,mk} next to itself (in the
# extracted tree, outside git's view); -k: report every program that fails.
if ! make -k -s -C "$SELF" ARCH="$KARCH" CROSS_COMPILE="$CROSS" \
	OUTPUT="$DIR/bin" KHDR_INCLUDES="-isystem $DIR/hdr/usr/include" \
	EXTRA_CFLAGS="-w -static" \
	$(for p in $progs; do echo "$DIR/bin/$p"; done) > "$DIR/build.log" 2>&1; then
	grep -E 'error|Error' "$DIR/build.log" | head -n 5 >&2
	die "building the selftests failed; the whole log is ${DIR#"$ROOT"/}/build.log"
fi

STAGE=$DIR/root
rm -rf "$STAGE"
mkdir -p "$STAGE/usr/lib/kpkeys/mm-selftests"
for p in $progs; do
	# The guest has no dynamic loader (some rules ignore LDFLAGS).
	! LC_ALL=C readelf -l "$DIR/bin/$p" | grep -q 'Requesting program interpreter' ||
		die "$p was linked dynamically; the guest has no loader"
	install -m 0755 "$DIR/bin/$p" "$STAGE/usr/lib/kpkeys/mm-selftests/"
done
install -m 0644 "$LIST" "$STAGE/usr/lib/kpkeys/mm-selftests/list"
(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "mm-selftests: $(du -h "$OUT" | cut -f1) ${OUT#"$ROOT"/}"
