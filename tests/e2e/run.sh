#!/usr/bin/env bash
# End-to-end tests: the real bandocd and a real Chromium driven by
# playwright-core, with node's built-in test runner.
#
#   tests/e2e/run.sh BUILD_DIR [TEST.mjs...] [--node-test-option...]
#
# Installs what is missing (Debian's chromium, nodejs and npm; the pinned
# playwright-core from package-lock.json; never a browser download), starts
# BUILD_DIR/bandocd on 127.0.0.1 with a temporary data directory, runs the
# tests, stops the daemon. Exit 77 (skipped) only when Chromium cannot be
# installed. Screenshots go to tests/e2e/artifacts/ (kept out of git).
set -euo pipefail

orig=$(pwd)
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [TEST.mjs...]}" && pwd)
shift
chromium_bin=${BANDOC_CHROMIUM:-/usr/bin/chromium}

apt_install() {
	[ "$(id -u)" -eq 0 ] || return 1
	apt-get update -qq >/dev/null 2>&1 || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "$@" >/dev/null
}

if [ ! -x "$chromium_bin" ]; then
	echo "== e2e: installing chromium"
	if ! apt_install chromium || [ ! -x "$chromium_bin" ]; then
		echo "e2e: SKIPPED: no Chromium at $chromium_bin and apt-get could not install it" >&2
		exit 77
	fi
fi
if ! command -v node >/dev/null; then
	echo "== e2e: installing nodejs"
	apt_install nodejs
fi
if ! command -v npm >/dev/null; then
	echo "== e2e: installing npm"
	apt_install npm
fi
if ! command -v sqlite3 >/dev/null; then
	echo "== e2e: installing sqlite3"
	apt_install sqlite3
fi

# The packages of package-lock.json (playwright-core; altcha and
# altcha-lib for the ALTCHA interoperability tests; axe-core for the
# accessibility checks of a11y.test.mjs), reinstalled when the
# lock file names other versions than node_modules holds.
cd "$here"
versions='const l=require("./package-lock.json");
	const ps=["playwright-core","altcha","altcha-lib","axe-core"];
	process.stdout.write(ps.map(p=>{try{return p+"@"+(process.argv[1]?
	require("./node_modules/"+p+"/package.json").version:
	l.packages["node_modules/"+p].version)}catch(e){return p+"@none"}}).join(" "))'
want=$(node -e "$versions")
have=$(node -e "$versions" installed)
if [ "$want" != "$have" ]; then
	echo "== e2e: npm ci ($want)"
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund \
		--loglevel=error
fi

bandocd="$build/bandocd"
[ -x "$bandocd" ] || { echo "e2e: no $bandocd (build first)" >&2; exit 1; }

tmp=$(mktemp -d /tmp/bandoc-e2e.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	if [ -n "${BANDOC_E2E_KEEP:-}" ]; then
		echo "== e2e: kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
mkdir -p "$tmp/var" "$here/artifacts"

# The port. With "listen = 127.0.0.1:0" the daemon takes its own origin
# (public_url) from the listen text, http://127.0.0.1:0, so the pages it
# serves itself could not write. Until it uses the bound port, pick a
# free port here, give it to both keys, and read it back from the ready
# file all the same.
free_port() {
	node -e 'const s=require("net").createServer();
		s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(
		s.address().port));s.close()})'
}

# Keys the daemon may not know yet are added only when it knows them
# (unknown keys are errors).
# (The table is read once: "config-doc | grep -q" under pipefail failed
# at random when grep exited before config-doc had written everything.)
config_doc=$("$bandocd" config-doc)
known() { grep -q "\`$1\`" <<<"$config_doc"; }
site_extra=
# pow_cost(_max): the work at the smallest difficulty, so that the many posts
# of these tests stay quick; the default is measured on site "quiet".
for kv in "captcha_per_minute = 1000" "captcha_per_hour = 10000" \
	"captcha_fail_limit = 1000" "comments_per_minute = 1000" \
	"comments_per_hour = 10000" "new_articles_per_minute = 1000" \
	"pow_cost = 1000" "pow_cost_max = 2000"; do
	known "${kv%% *}" && site_extra+="$kv"$'\n'
done

# A second origin for the cross-origin tests: they serve a host page on
# it themselves (127.0.0.1 too, so that Chromium's local-network rules
# see a loopback page talking to a loopback server, as a public page
# would to a public one).
host_port=$(free_port)

start_daemon() {
	local port=$1
	cat >"$tmp/bandoc.conf" <<CONF
; Written by tests/e2e/run.sh.
[server]
listen = 127.0.0.1:$port
public_url = http://127.0.0.1:$port
data_dir = $tmp/var
fonts_dir = $repo/fonts
demo_article = $repo/docs/demo/seed-article.txt
log_level = info
; JSON lines: check-log.sh reads them after a full run.
log_format = json

[site.lamdong]
name = Báo Lâm Đồng
; The daemon's own pages (the demo) and the host page that the
; cross-origin tests serve themselves.
origins = http://127.0.0.1:$port http://127.0.0.1:$host_port
lang = vi
captcha_min_solve = 0
$site_extra
; A site that publishes at once (no moderation).
[site.mocua]
name = Mở cửa
origins = http://127.0.0.1:$port http://127.0.0.1:$host_port
lang = en
moderation = off
captcha_min_solve = 0
$site_extra
; captcha_mode = invisible, at the default proof-of-work cost.
[site.quiet]
name = Yên lặng
origins = http://127.0.0.1:$port http://127.0.0.1:$host_port
lang = vi
captcha_mode = invisible
captcha_min_solve = 0
secret = quiet-site-secret-0123456789
CONF
	rm -f "$tmp/ready"
	"$bandocd" serve -c "$tmp/bandoc.conf" --ready-file "$tmp/ready" \
		2>>"$here/artifacts/bandocd.log" &
	pid=$!
	for _ in $(seq 100); do
		[ -s "$tmp/ready" ] && return 0
		kill -0 "$pid" 2>/dev/null || { pid=; return 1; }
		sleep 0.1
	done
	return 1
}

: >"$here/artifacts/bandocd.log"
started=
for _ in 1 2 3; do
	if start_daemon "$(free_port)"; then
		started=1
		break
	fi
done
[ -n "$started" ] || {
	echo "e2e: bandocd did not start" >&2
	cat "$here/artifacts/bandocd.log" >&2
	exit 1
}
port=$(head -n1 "$tmp/ready" | sed 's/.*://')
echo "== e2e: bandocd on 127.0.0.1:$port (pid $pid)"

export BANDOC_BASE="http://127.0.0.1:$port"
export BANDOC_HOST="http://127.0.0.1:$host_port"
export BANDOC_VAR="$tmp/var"
export BANDOC_DB="$tmp/var/bandoc.db"
export BANDOC_SECRETS="$tmp/var/secrets"
export BANDOC_ANSWER="$build/tests/bandoc-test-answer"
export BANDOC_ARTIFACTS="$here/artifacts"
export BANDOC_CHROMIUM="$chromium_bin"

# Arguments: test files, or node options (--test-name-pattern=...).
tests=()
opts=()
for a in "$@"; do
	case "$a" in
	--*) opts+=("$a") ;;
	/*) tests+=("$a") ;;
	*) tests+=("$orig/$a") ;;
	esac
done
((${#tests[@]})) || tests=("$here"/*.test.mjs)
# One file at a time: the tests share the daemon and its database.
set +e
if node --test-concurrency=1 -e 0 2>/dev/null; then
	node --test --test-concurrency=1 ${opts[@]+"${opts[@]}"} "${tests[@]}"
	rc=$?
else
	rc=0
	for t in "${tests[@]}"; do
		node --test ${opts[@]+"${opts[@]}"} "$t" || rc=1
	done
fi
set -e
# After the whole suite, the log must be JSON lines without any secret.
if ((rc == 0)) && [ "$#" -eq 0 ]; then
	"$here/check-log.sh" "$here/artifacts/bandocd.log" "$tmp/bandoc.conf" \
		"$tmp/var/secrets" "$tmp/var/bandoc.db" || rc=1
fi
exit $rc
