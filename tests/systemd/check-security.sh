#!/usr/bin/env bash
# check-security.sh UNITFILE
#
# Checks a systemd unit file without installing or starting it:
#   1. `systemd-analyze security --offline=yes UNITFILE` must report an
#      "Overall exposure level" of at most MAX_EXPOSURE (default 2.0, "OK"),
#      and must not warn about unknown or unparsable directives.
#   2. `systemd-analyze verify` runs against a throw-away root directory that
#      holds a copy of the system's unit library and an executable stub for
#      every Exec*= command, so the check works before the daemon is built
#      or installed.  Any warning about the unit fails the check.  This part
#      is skipped (with a note) when the host has no unit library to copy.
#
# Exit status: 0 pass, 1 fail, 2 usage error, 77 skip (systemd-analyze is
# missing or cannot analyse unit files offline here), as ctest's
# SKIP_RETURN_CODE expects.

set -u

MAX_EXPOSURE=${MAX_EXPOSURE:-2.0}
UNIT_LIBRARY=${UNIT_LIBRARY:-/usr/lib/systemd/system}

if [ $# -ne 1 ]; then
	echo "usage: $0 UNITFILE" >&2
	exit 2
fi
unit=$1
if [ ! -f "$unit" ]; then
	echo "check-security: $unit: no such file" >&2
	exit 2
fi
case $unit in
*/*) unit=$(cd "${unit%/*}" && pwd)/${unit##*/} ;;
*) unit=$PWD/$unit ;;
esac
name=${unit##*/}

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "check-security: SKIP: systemd-analyze not found"
	exit 77
fi

# Plain output: no colours, no pager, no emoji-dependent parsing.
export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat LC_ALL=C.UTF-8

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-security.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Prints the exposure figure found in file $1, or nothing.
exposure_of() {
	sed -n 's/.*Overall exposure level for [^:]*: *\([0-9][0-9]*\.[0-9]\).*/\1/p' "$1" |
		tail -n 1
}

# Can this systemd-analyze analyse a unit offline at all?  Try a trivial
# unit: failure here is the environment's (systemd < 250, no --offline),
# not the unit's.
printf '[Service]\nExecStart=/bin/true\n' >"$tmp/probe.service"
if ! systemd-analyze security --offline=yes --no-pager "$tmp/probe.service" \
	>"$tmp/probe.out" 2>&1 || [ -z "$(exposure_of "$tmp/probe.out")" ]; then
	echo "check-security: SKIP: systemd-analyze cannot run offline here:"
	sed 's/^/  /' "$tmp/probe.out"
	exit 77
fi

status=0

# 1. Exposure score.
systemd-analyze security --offline=yes --no-pager "$unit" \
	>"$tmp/security.out" 2>"$tmp/security.err"
level=$(exposure_of "$tmp/security.out")
if [ -z "$level" ]; then
	echo "check-security: FAIL: no exposure level for $name"
	cat "$tmp/security.out" "$tmp/security.err"
	exit 1
fi
# Compare as tenths so no floating point is needed (the figure has exactly
# one decimal).
to_tenths() {
	local whole=${1%.*} frac=${1#*.}
	[ "$whole" = "$1" ] && frac=0
	echo $((10#$whole * 10 + 10#${frac:0:1}))
}
if [ "$(to_tenths "$level")" -gt "$(to_tenths "$MAX_EXPOSURE")" ]; then
	echo "check-security: FAIL: $name exposure $level > $MAX_EXPOSURE"
	grep '✗' "$tmp/security.out"
	status=1
else
	echo "check-security: $name exposure $level <= $MAX_EXPOSURE"
fi
if grep -E 'Unknown (key|section)|Failed to parse|ignoring' "$tmp/security.err"; then
	echo "check-security: FAIL: $name has directives systemd ignores"
	status=1
fi

# 2. verify, inside a scratch root so neither the host's units nor the
# absence of the real binary matter.
if [ ! -d "$UNIT_LIBRARY" ]; then
	echo "check-security: verify skipped: no unit library at $UNIT_LIBRARY"
	exit "$status"
fi
root=$tmp/root
mkdir -p "$root/etc/systemd/system" "$root/usr/lib/systemd" || exit 1
cp -a "$UNIT_LIBRARY" "$root/usr/lib/systemd/system" || exit 1
# With --root, verify looks the unit up by name inside the root.
cp "$unit" "$root/etc/systemd/system/$name" || exit 1
# One stub per Exec*= command: strip the special prefixes (-@:+!) and keep
# the first word, which must be an absolute path.
sed -n 's/^[[:space:]]*Exec[A-Za-z]*=[-@:+!]*\([^[:space:]]*\).*/\1/p' "$unit" |
	sort -u | while read -r cmd; do
	case $cmd in
	/*)
		mkdir -p "$root$(dirname "$cmd")"
		printf '#!/bin/sh\nexit 0\n' >"$root$cmd"
		chmod 755 "$root$cmd"
		;;
	esac
done
if systemd-analyze verify --root="$root" --no-pager "$unit" \
	>"$tmp/verify.out" 2>&1 && [ ! -s "$tmp/verify.out" ]; then
	echo "check-security: $name verify ok"
else
	echo "check-security: FAIL: systemd-analyze verify $name:"
	sed "s#$root##g; s/^/  /" "$tmp/verify.out"
	status=1
fi

exit "$status"
