#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Assemble the guest initramfs for one variant:
#   busybox (static arm64, from Debian's busybox-static, extracted only),
#   guest/init, the static arm64 binaries in build/VARIANT/bin, the guest
#   scripts (guest/*.sh, tests/guest/*.sh) and the variant's modules.
#
#   scripts/initramfs.sh VARIANT
set -euo pipefail
say() { [ -n "${QUIET:-}" ] || echo "$@"; }
die() { echo "initramfs: $*" >&2; exit 1; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
VARIANT=${1:?usage: initramfs.sh VARIANT}
OUT=$BUILD/$VARIANT/initramfs.cpio.gz
STAGE=$BUILD/$VARIANT/rootfs

# busybox-static:arm64, downloaded once and extracted, never installed.
BB=$BUILD/dl/busybox/bin/busybox
if [ ! -x "$BB" ]; then
	mkdir -p "$BUILD/dl"
	(cd "$BUILD/dl" && rm -f busybox-static_*_arm64.deb &&
		apt-get download busybox-static:arm64 2>&1 >/dev/null | grep -v "unsandboxed as root" >&2; [ "${PIPESTATUS[0]}" = 0 ]) ||
		die "cannot download busybox-static:arm64; run 'make deps' (needs the arm64 architecture in dpkg)"
	rm -rf "$BUILD/dl/busybox"
	dpkg-deb -x "$BUILD"/dl/busybox-static_*_arm64.deb "$BUILD/dl/busybox"
	[ -x "$BB" ] || die "busybox-static package has no bin/busybox"
fi

rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/share/kpkeys,etc,proc,sys,dev,tmp,run,root,lib/modules}
cp "$BB" "$STAGE/bin/busybox"
ln -s busybox "$STAGE/bin/sh"
install -m 0755 "$ROOT/guest/init" "$STAGE/init"
for f in "$BUILD/$VARIANT"/bin/*; do
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
if [ -d "$BUILD/$VARIANT/modules/lib/modules" ]; then
	cp -a "$BUILD/$VARIANT/modules/lib/modules/." "$STAGE/lib/modules/"
fi
echo "root:x:0:0:root:/root:/bin/sh" > "$STAGE/etc/passwd"
echo "root:x:0:" > "$STAGE/etc/group"

(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
say "initramfs: $(du -h "$OUT" | cut -f1) ${OUT#"$ROOT"/}"
