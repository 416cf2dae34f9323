#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Export the commits of a kernel development tree as a patch series.
#
#   scripts/export-series.sh TREE BASE DIR [TIP]
#
# Writes `git format-patch BASE..TIP` (TIP defaults to HEAD) of TREE into
# DIR (kernel-patches or tracepoints), replacing the *.patch files there, and rewrites DIR/series
# in commit order, keeping its leading comment lines. Output is stable
# (--zero-commit, no signature), so re-exporting unchanged commits gives
# no diff.
set -euo pipefail
tree=${1:?usage: export-series.sh TREE BASE DIR [TIP]}
base=${2:?usage: export-series.sh TREE BASE DIR [TIP]}
dir=${3:?usage: export-series.sh TREE BASE DIR [TIP]}
tip=${4:-HEAD}
[ -d "$dir" ] || { echo "export-series: no directory $dir" >&2; exit 1; }

header=$(sed -n '/^#/p' "$dir/series" 2>/dev/null || true)
rm -f "$dir"/*.patch
git -C "$tree" format-patch -q --zero-commit --no-signature \
	-o "$(cd "$dir" && pwd)" "$base..$tip"
{
	[ -z "$header" ] || echo "$header"
	(cd "$dir" && ls -1 -- *.patch 2>/dev/null | sort)
} > "$dir/series"
echo "export-series: $(grep -vc '^#' "$dir/series") patch(es) in $dir"
