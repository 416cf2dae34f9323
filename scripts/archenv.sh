# SPDX-License-Identifier: GPL-2.0
# Sourced by the build scripts: read scripts/arch/$ARCH.env (ARCH defaults
# to arm64) into shell variables of the same names. Unknown ARCH: one line,
# exit 2.
: "${ARCH:=arm64}"
_archenv=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/arch/$ARCH.env
if [ ! -f "$_archenv" ]; then
	echo "unknown ARCH '$ARCH'; use one of: $(cd "$(dirname "$_archenv")" && ls *.env | sed 's/\.env$//' | tr '\n' ' ' | sed 's/ $//')" >&2
	exit 2
fi
while IFS= read -r _line; do
	case "$_line" in ''|'#'*) continue ;; esac
	printf -v "${_line%%=*}" '%s' "${_line#*=}"
done < "$_archenv"
unset _line _archenv
