#!/bin/sh
# `bandocd help` lists every command; each answers `--help` and `help
# COMMAND` alike (exit 0, its usage line first); wrong use exits 2 with
# the usage on stderr; the list, the dispatcher in service/main.c and
# main.c's header comment name the same commands.
set -eu
bandocd=$1
main_c=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "check-help: $*" >&2
	exit 1
}

"$bandocd" help >"$tmp/help" || fail "bandocd help exits $?"
sed -n 's/^  bandocd \([a-z-]*\).*/\1/p' "$tmp/help" | sort >"$tmp/listed"
[ -s "$tmp/listed" ] || fail "bandocd help lists no command"
# What main() dispatches on: strcmp(argv[1], "NAME").
grep -o 'strcmp(argv\[1\], "[a-z-]*")' "$main_c" | cut -d'"' -f2 |
	grep -v -e '^--help$' -e '^-h$' | sort -u >"$tmp/dispatched"
diff -u "$tmp/dispatched" "$tmp/listed" >&2 ||
	fail "the commands main() runs and those bandocd help lists differ"
# The header comment: the first comment block of main.c.
sed -n '1,/\*\//p' "$main_c" | tr -c 'a-z-' '\n' | sort -u >"$tmp/header"
for c in $(cat "$tmp/listed"); do
	grep -qx -- "$c" "$tmp/header" ||
		fail "main.c's header comment does not name '$c'"
	"$bandocd" "$c" --help >"$tmp/a" || fail "bandocd $c --help exits $?"
	"$bandocd" help "$c" >"$tmp/b" || fail "bandocd help $c exits $?"
	cmp -s "$tmp/a" "$tmp/b" || fail "bandocd $c --help != bandocd help $c"
	head -n 1 "$tmp/a" | grep -q "^usage: bandocd $c\( \|$\)" ||
		fail "bandocd $c --help does not start with its usage"
	[ "$(wc -l <"$tmp/a")" -ge 3 ] || fail "bandocd $c --help says nothing"
	grep -qxF "  bandocd $(head -n 1 "$tmp/a" | cut -c16-)" "$tmp/help" ||
		fail "bandocd help and bandocd $c --help disagree on its usage"
done
# Wrong use: exit 2, the command's usage on stderr, nothing on stdout.
for args in "serve" "check-config" "backup -c x" "captcha-sample -c x d" \
	"captcha-sample -c x --audio fr d 1" "captcha-sample -c x d 1 --audio" \
	"user" "no-such-command" "help no-such-command"; do
	# shellcheck disable=SC2086 # the words are the arguments
	if "$bandocd" $args >"$tmp/out" 2>"$tmp/err"; then
		fail "bandocd $args succeeds"
	else
		rc=$?
	fi
	[ "$rc" -eq 2 ] || fail "bandocd $args exits $rc, not 2"
	[ ! -s "$tmp/out" ] || fail "bandocd $args writes to stdout"
	grep -q "bandocd" "$tmp/err" || fail "bandocd $args: no usage on stderr"
done
"$bandocd" user >/dev/null 2>"$tmp/err" || true
grep -q "^usage: bandocd user " "$tmp/err" ||
	fail "bandocd user: the usage on stderr is not the command's"
echo "bandocd help: $(wc -l <"$tmp/listed") commands, each with --help"
