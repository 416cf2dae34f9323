#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare, configure and build the guest kernel for one variant.
#
#   [ARCH=arm64|x86_64] scripts/kernel.sh VARIANT
#
# Source: Debian's linux-source-6.12 is extracted once into build/src/linux
# and committed there as a git baseline. Patched variants build from a git
# worktree (build/src/linux-kpkeys). When either series changes,
# kernel-patches/series and then tracepoints/series are applied with git am
# in a scratch worktree (build/src/linux-apply) and the build tree checks out
# the result, so only files whose content changed get new timestamps and the
# rebuild stays incremental. VARIANT=vanilla builds the untouched baseline.
#
# Configuration: tinyconfig for ARCH, then kconfig/base.config,
# kconfig/ARCH.config, and for the patched variants kconfig/kpkeys.config
# and kconfig/kpkeys-ARCH.config (debug.config or vanilla.config last).
#
# Output: build/DIR/kernel (O= directory: vmlinux with BTF and the boot
# image named in scripts/arch/ARCH.env) and build/DIR/modules
# (modules_install root), where DIR is VARIANT for arm64 and
# ARCH-VARIANT otherwise.
set -euo pipefail
say() { [ -n "${QUIET:-}" ] || echo "$@"; }

die() { echo "kernel: $*" >&2; exit 1; }
trap 'echo "kernel: internal error at scripts/kernel.sh line $LINENO: $BASH_COMMAND" >&2' ERR

ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/scripts/archenv.sh"
BUILD=${BUILD:-$ROOT/build}
VARIANT=${1:?usage: kernel.sh VARIANT}
JOBS=${JOBS:-$(nproc)}
SRC_TARBALL=/usr/src/linux-source-6.12.tar.xz
BASE=$BUILD/src/linux

case "$VARIANT" in
kpkeys)       TREE=$BUILD/src/linux-kpkeys; FRAGS="base $ARCH kpkeys kpkeys-$ARCH" ;;
debug)        TREE=$BUILD/src/linux-kpkeys; FRAGS="base $ARCH kpkeys kpkeys-$ARCH debug" ;;
vanilla)      TREE=$BASE;                    FRAGS="base $ARCH vanilla" ;;
*) die "unknown VARIANT '$VARIANT'; use one of: kpkeys (default), debug, vanilla" ;;
esac

APPLY=$BUILD/src/linux-apply	# scratch worktree where the series is applied
TREE=${KERNEL_TREE:-$TREE}	# KERNEL_TREE: build another checkout (development)
DIR=$BUILD/$BUILD_PREFIX$VARIANT
OUT=$DIR/kernel
MODROOT=$DIR/modules
[ -r "$SRC_TARBALL" ] || die "$SRC_TARBALL not found; run 'make deps' (installs linux-source-6.12)"

git_q() { git -c user.name=kpkeys-build -c user.email=kpkeys-build@localhost "$@"; }

# 1. Pristine tree, once per Debian source version.
debver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
if [ "$(cat "$BUILD/src/linux.version" 2>/dev/null)" != "$debver" ]; then
	say "kernel: extracting linux-source-6.12 $debver into $BASE"
	rm -rf "$BASE" "$BUILD/src/linux-kpkeys" "$BUILD/src/linux-apply" "$BUILD/src/linux.version"
	mkdir -p "$BUILD/src"
	tmp=$(mktemp -d "$BUILD/src/extract.XXXXXX")
	tar -xf "$SRC_TARBALL" -C "$tmp"
	mv "$tmp"/linux-source-6.12 "$BASE"
	rmdir "$tmp"
	# Debian's tarball ignores everything through .gitignore: force-add.
	(cd "$BASE" && git_q init -q && git_q add -Af . &&
		git_q commit -q -m "Debian linux-source-6.12 $debver" &&
		git_q tag base)
	echo "$debver" > "$BUILD/src/linux.version"
fi

# 2. Patched worktree, re-applied whenever either series changes.
series_files() {
	local dir f
	for dir in kernel-patches tracepoints; do
		[ -f "$ROOT/$dir/series" ] || continue
		while read -r f; do
			case "$f" in ''|'#'*) continue ;; esac
			[ -f "$ROOT/$dir/$f" ] || die "$dir/series lists '$f', which does not exist"
			echo "$dir/$f"
		done < "$ROOT/$dir/series"
	done
}

if [ "$TREE" = "$BUILD/src/linux-kpkeys" ]; then
	patches=$(series_files)
	want=$( (echo "$debver"; for p in $patches; do sha256sum "$ROOT/$p"; done) | sha256sum | cut -d' ' -f1)
	for wt in "$TREE" "$APPLY"; do
		[ -d "$wt" ] || (cd "$BASE" && git_q worktree prune &&
			git_q worktree add -q --detach "$wt" base)
	done
	if [ "$(cat "$TREE/.kpkeys-series" 2>/dev/null)" != "$want" ]; then
		rm -f "$TREE/.kpkeys-series"
		abs=()
		for p in $patches; do abs+=("$ROOT/$p"); done
		# Apply in the scratch worktree, then move the build tree to the
		# result: git rewrites only files whose content differs, so kbuild
		# rebuilds only what the change to the series touched.
		PATCH_ROOT=$ROOT "$ROOT/scripts/apply-series.sh" "$APPLY" base \
			${abs[@]+"${abs[@]}"} >/dev/null ||
			die "fix or rebase the patch named above, then run make again"
		git_q -C "$TREE" checkout -q -f --detach "$(git -C "$APPLY" rev-parse HEAD)"
		echo "$want" > "$TREE/.kpkeys-series"
		say "kernel: applied ${#abs[@]} patch(es) onto linux-source-6.12 $debver"
	fi
fi

# 3. Configuration: tinyconfig + committed fragments, verified.
CC="${CROSS}gcc"; HOSTCC=gcc
if command -v ccache >/dev/null 2>&1; then CC="ccache $CC"; HOSTCC="ccache gcc"; fi
kmake() { make -s -C "$TREE" O="$OUT" ARCH=$KARCH CROSS_COMPILE=$CROSS \
	CC="$CC" HOSTCC="$HOSTCC" LOCALVERSION= KBUILD_BUILD_USER=kpkeys KBUILD_BUILD_HOST=build "$@"; }

fragpaths=()
for f in $FRAGS; do fragpaths+=("$ROOT/kconfig/$f.config"); done
cfgsum=$(cat "${fragpaths[@]}" | sha256sum | cut -d' ' -f1)
mkdir -p "$OUT"
if [ ! -f "$OUT/.config" ] || [ "$(cat "$OUT/.fragments" 2>/dev/null)" != "$cfgsum" ]; then
	say "kernel: configuring $VARIANT from tinyconfig + kconfig/{${FRAGS// /,}}.config"
	kmake tinyconfig >/dev/null
	KCONFIG_CONFIG="$OUT/.config" "$TREE/scripts/kconfig/merge_config.sh" \
		-m -O "$OUT" "$OUT/.config" "${fragpaths[@]}" >/dev/null
	kmake olddefconfig >/dev/null
	# Every symbol the fragments set must hold in the final .config, with
	# the value of the last fragment that sets it (as merge_config does).
	bad=$(cat "${fragpaths[@]}" | sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/&/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/&/p' |
		tac | awk '{ s = $0; sub(/^# /, "", s); sub(/[= ].*/, "", s) } !seen[s]++' |
		while IFS= read -r line; do
		sym=$(echo "$line" | sed -e 's/^# //' -e 's/[= ].*//')
		case "$line" in
		'#'*) if grep -q "^$sym=" "$OUT/.config"; then echo "$sym (wanted unset)"; fi ;;
		*) grep -qxF "$line" "$OUT/.config" || echo "$sym (wanted ${line#*=})" ;;
		esac
	done)
	if [ -n "$bad" ]; then
		rm -f "$OUT/.config"
		die "config fragments did not take effect: $(echo $bad); check their dependencies in Kconfig"
	fi
	echo "$cfgsum" > "$OUT/.fragments"
fi

# 4. Build.
kver=$(kmake kernelversion)
log=$DIR/kernel-build.log
say "kernel: building Linux $kver (Debian linux-source-6.12 $debver), ARCH=$ARCH VARIANT=$VARIANT, log: ${log#"$ROOT"/}"
if ! kmake -j"$JOBS" "$(basename "$KIMAGE")" modules > "$log" 2>&1; then
	tail -n 40 "$log" >&2
	die "build failed (full log: $log)"
fi
rm -rf "$MODROOT"
kmake INSTALL_MOD_PATH="$MODROOT" INSTALL_MOD_STRIP=1 modules_install >> "$log" 2>&1 ||
	die "modules_install failed (log: $log)"
release=$(cat "$OUT/include/config/kernel.release")
echo "$release" > "$DIR/kernel.release"
say "kernel: built $release: $OUT/$KIMAGE"
