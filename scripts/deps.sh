#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the build needs. Idempotent: does nothing when
# every package is already installed. Runs apt as root, or through sudo.
set -euo pipefail

host_pkgs=(
	make gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	clang llvm bpftool libbpf-dev pkg-config
	dwarves qemu-system-arm qemu-system-x86
	flex bison bc cpio kmod libssl-dev libelf-dev zlib1g-dev
	ccache xz-utils python3 gnuplot-nox
	linux-source-6.12
)
arm64_pkgs=(libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64)

# Query host packages with the native architecture: libbpf-dev and friends
# are installed for both amd64 and arm64, and an unqualified name matches
# either. Architecture-independent packages only answer unqualified.
native=$(dpkg --print-architecture)
status() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null; }
missing=()
for p in "${host_pkgs[@]}"; do
	st=$(status "$p:$native" || status "$p" || true)
	[ "$st" = installed ] || missing+=("$p")
done
for p in "${arm64_pkgs[@]}"; do
	[ "$(status "$p" || true)" = installed ] || missing+=("$p")
done
need_arch=0
dpkg --print-foreign-architectures | grep -qx arm64 || need_arch=1

if [ ${#missing[@]} -eq 0 ] && [ $need_arch -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	SUDO=(sudo -n)
else
	echo "deps: missing packages (${missing[*]}) and neither root nor passwordless sudo; install them as root: apt-get install ${missing[*]}" >&2
	exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
[ $need_arch -eq 0 ] || "${SUDO[@]}" dpkg --add-architecture arm64
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
