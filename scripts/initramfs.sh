#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Assemble the guest initramfs for one variant and architecture:
#   busybox (static, from Debian's busybox-static for the guest's
#   architecture, extracted only), guest/init, the static binaries in
#   build/DIR/bin, the guest scripts (guest/*.sh, tests/guest/*.sh) and the
#   variant's modules. DIR: VARIANT on arm64, ARCH-VARIANT otherwise.
#
#   [ARCH=arm64|x86_64] scripts/initramfs.sh VARIANT
set -euo pipefail
say() { [ -n "${QUIET:-}" ] || echo "$@"; }
die() { echo "initramfs: $*" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/archenv.sh"
BUILD=${BUILD:-$ROOT/build}
VARIANT=${1:?usage: initramfs.sh VARIANT}
DIR=$BUILD/$BUILD_PREFIX$VARIANT
OUT=$DIR/initramfs.cpio.gz
STAGE=$DIR/rootfs

# busybox-static for the guest, downloaded once and extracted, never
# installed. arm64 keeps the directory it always had.
BBDIR=$BUILD/dl/busybox${BUILD_PREFIX:+-$DEB_ARCH}
BB=$BBDIR/bin/busybox
if [ ! -x "$BB" ]; then
	mkdir -p "$BUILD/dl"
	(cd "$BUILD/dl" && rm -f busybox-static_*_"$DEB_ARCH".deb &&
		apt-get download "busybox-static:$DEB_ARCH" 2>&1 >/dev/null | grep -v "unsandboxed as root" >&2; [ "${PIPESTATUS[0]}" = 0 ]) ||
		die "cannot download busybox-static:$DEB_ARCH; run 'make deps' (arm64 needs the arm64 architecture in dpkg)"
	rm -rf "$BBDIR"
	dpkg-deb -x "$BUILD"/dl/busybox-static_*_"$DEB_ARCH".deb "$BBDIR"
	[ -x "$BB" ] || die "busybox-static package has no bin/busybox"
fi

rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/share/kpkeys,etc,proc,sys,dev,tmp,run,root,lib/modules}
cp "$BB" "$STAGE/bin/busybox"
ln -s busybox "$STAGE/bin/sh"
install -m 0755 "$ROOT/guest/init" "$STAGE/init"
for f in "$DIR"/bin/*; do
	[ -e "$f" ] && install -m 0755 "$f" "$STAGE/usr/local/bin/"
done
for f in "$ROOT"/guest/*.sh; do
	[ -e "$f" ] && install -m 0755 "$f" "$STAGE/usr/share/kpkeys/"
done
mkdir -p "$STAGE/usr/share/kpkeys/tests"
for f in "$ROOT"/tests/guest/*.sh; do
	install -m 0755 "$f" "$STAGE/usr/share/kpkeys/tests/"
done
mkdir -p "$STAGE/usr/share/kpkeys/bench"
for f in "$ROOT"/bench/*.sh; do
	install -m 0755 "$f" "$STAGE/usr/share/kpkeys/bench/"
done
if [ -d "$DIR/modules/lib/modules" ]; then
	cp -a "$DIR/modules/lib/modules/." "$STAGE/lib/modules/"
fi
echo "root:x:0:0:root:/root:/bin/sh" > "$STAGE/etc/passwd"
echo "root:x:0:" > "$STAGE/etc/group"

(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "initramfs: $(du -h "$OUT" | cut -f1) ${OUT#"$ROOT"/}"
