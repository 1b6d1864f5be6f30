#!/bin/sh
# The README's configuration table must be exactly what the key table in
# service/config.c generates (bandocd config-doc).
set -eu
bandocd=$1
readme=$2
want=$(mktemp)
have=$(mktemp)
trap 'rm -f "$want" "$have"' EXIT
"$bandocd" config-doc > "$want"
sed -n '/<!-- config-table:begin -->/,/<!-- config-table:end -->/p' "$readme" |
	sed '1d;$d' > "$have"
if ! diff -u "$want" "$have"; then
	echo "README.md configuration table is out of date: run" >&2
	echo "  ./dev.sh docs   (or bandocd config-doc) and paste it" >&2
	exit 1
fi
echo "README configuration table matches the key table"
