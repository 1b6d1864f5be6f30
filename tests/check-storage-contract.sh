#!/bin/sh
# Every function declared in include/storage.h must be called by the
# contract suite (tests/unit/test_storage_contract.c), so that a new
# storage function cannot land without its contract test, and every
# engine is held to it.
#
#   tests/check-storage-contract.sh include/storage.h tests/unit/test_storage_contract.c
#
# Comments are dropped from both files first: a name in a comment neither
# declares a function nor tests it.
set -eu
header=$1
suite=$2
strip() {
	perl -0pe 's{/\*.*?\*/}{}gs' "$1"
}
names=$(strip "$header" | grep -oE '\bstorage_[a-z0-9_]+[[:space:]]*\(' |
	sed 's/[[:space:](]//g' | sort -u)
if [ -z "$names" ]; then
	echo "no storage_ functions found in $header" >&2
	exit 1
fi
code=$(strip "$suite")
missing=0
n=0
for f in $names; do
	n=$((n + 1))
	if ! printf '%s\n' "$code" | grep -qE "\\b$f[[:space:]]*\\("; then
		echo "$f (declared in $header) has no contract test in $suite" >&2
		missing=$((missing + 1))
	fi
done
if [ "$missing" -ne 0 ]; then
	echo "$missing of $n storage functions untested" >&2
	exit 1
fi
echo "all $n storage functions have contract tests"
