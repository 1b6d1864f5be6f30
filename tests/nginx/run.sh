#!/usr/bin/env bash
# bandocd behind Debian's real nginx, with the configuration of
# docs/deploy.md (docs/deploy/nginx.conf):
#
#   tests/nginx/run.sh BUILD_DIR
#
# The file is used as it stands but for what a test on loopback must
# change, each substitution checked to hit exactly where expected: the
# listen lines (random loopback ports instead of 80/443, no IPv6), the
# upstream address (bandocd on a random port), the certificate paths (a
# self-signed certificate for comments.example.org made with openssl), the
# cache and access-log paths. TLS is real: curl checks the certificate
# against that one (--cacert), Chromium is told to accept it. nginx runs
# in the foreground with its own prefix under BUILD_DIR/tests/nginx-run
# (kept for inspection), its workers as nobody when started as root; no
# system nginx is used or touched.
#
# Clients on 127.0.0.2-127.0.0.5 (curl --interface) stand for readers on
# different addresses. Checks: the doc and the file agree; TLS, HSTS and
# the http->https redirect; 1. readers told apart by the forwarded address
# (a per-address CAPTCHA rate limit, and the daemon's access log); 2. a
# forged X-Forwarded-For through nginx and straight to the daemon is not
# believed; 3. the no-JS form: GET, POST, 303 with the right Location,
# the pending page; 4. the widget on another origin, in Chromium, posts a
# comment through nginx; 5. keep-alive: one client connection for several
# requests, and far fewer nginx->bandocd connections than requests;
# 6. headers the proxy must not duplicate or drop, /embed.js from the
# proxy's cache, body limits, /metrics not public.
#
# Exit 77 (skipped) only when nginx is not installed. BANDOC_NGINX_TRUSTED
# replaces the daemon's trusted_proxies (default 127.0.0.1; "-" for none),
# to see checks 1 and 2 fail.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
nginx_bin=${BANDOC_NGINX:-/usr/sbin/nginx}
chromium_bin=${BANDOC_CHROMIUM:-/usr/bin/chromium}
trusted=${BANDOC_NGINX_TRUSTED:-127.0.0.1}
conf_src=$repo/docs/deploy/nginx.conf
name=comments.example.org
t0=$(date +%s)

if [ ! -x "$nginx_bin" ]; then
	echo "nginx: SKIPPED: no $nginx_bin (apt-get install nginx)" >&2
	exit 77
fi
# What the e2e tests install for themselves, when missing (as root).
missing=()
[ -x "$chromium_bin" ] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
[ -d "$repo/tests/e2e/node_modules/playwright-core" ] ||
	command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})) && [ "$(id -u)" -eq 0 ]; then
	echo "== nginx: installing ${missing[*]}"
	apt-get update -qq >/dev/null 2>&1 || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
fi
for tool in curl openssl node sqlite3 setpriv; do
	command -v "$tool" >/dev/null || {
		echo "nginx: $tool is missing" >&2
		exit 1
	}
done
bandocd=$build/bandocd
answer_bin=$build/tests/bandoc-test-answer
for f in "$bandocd" "$answer_bin" "$chromium_bin"; do
	[ -x "$f" ] || { echo "nginx: no $f" >&2; exit 1; }
done
# The browser check uses the e2e tests' pinned playwright-core.
if [ ! -d "$repo/tests/e2e/node_modules/playwright-core" ]; then
	echo "== nginx: npm ci in tests/e2e"
	(cd "$repo/tests/e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci \
		--no-audit --no-fund --loglevel=error)
fi

"$here/check-doc.sh" "$repo"

tmp=$build/tests/nginx-run
rm -rf "$tmp"
mkdir -p "$tmp"
# Workers run as nobody when the master is root: they need to reach the
# temporary and cache directories.
if [ "$(id -u)" -eq 0 ] && ! setpriv --reuid=nobody --regid=nogroup \
	--clear-groups test -x "$tmp" 2>/dev/null; then
	tmp=$(mktemp -d /tmp/bandoc-nginx.XXXXXX)
	chmod 755 "$tmp"
	echo "== nginx: $build is closed to nobody; using $tmp"
fi
mkdir -p "$tmp/var" "$tmp/tls" "$tmp/temp" "$tmp/artifacts"

daemon_pid=
nginx_pid=
# Stops the process whose id is in the variable named PID-VARIABLE.
stop() { # PID-VARIABLE
	local p=${!1}
	if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	fi
	printf -v "$1" '%s' ""
}

cleanup() {
	stop nginx_pid
	stop daemon_pid
}
trap cleanup EXIT

failures=0
ok() { echo "ok   $*"; }
fail() {
	echo "FAIL $*"
	failures=$((failures + 1))
}
# expect WHAT WANT GOT
expect() {
	if [ "$2" = "$3" ]; then ok "$1 ($3)"; else fail "$1: want '$2', got '$3'"; fi
}

free_port() {
	node -e 'const s=require("net").createServer();
		s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(
		s.address().port));s.close()})'
}

# ---------------------------------------------------------------- setup

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-days 2 -subj "/CN=$name" -addext "subjectAltName=DNS:$name" \
	-keyout "$tmp/tls/privkey.pem" -out "$tmp/tls/fullchain.pem" 2>/dev/null

# The site file with the loopback substitutions, each hitting exactly
# `count` times: a change of the doc that the test does not follow fails
# here instead of testing something else.
subst() { # FROM TO COUNT
	local without=${conf//"$1"/}
	local n=$(((${#conf} - ${#without}) / ${#1}))
	if [ "$n" -ne "$3" ]; then
		echo "nginx: '$1' is in $conf_src $n times, expected $3" >&2
		exit 1
	fi
	conf=${conf//"$1"/"$2"}
}

# curl through nginx, by name, checking the certificate.
c() {
	curl -sS --resolve "$name:$tls_port:127.0.0.1" \
		--resolve "$name:$http_port:127.0.0.1" \
		--cacert "$tmp/tls/fullchain.pem" "$@"
}

# Picks the ports, starts bandocd, then nginx in front of it. 1 when a
# port picked went to someone else before nginx could bind it.
start() {
	tls_port=$(free_port)
	http_port=$(free_port)
	host_port=$(free_port)
	base="https://$name:$tls_port"
	host_origin="http://127.0.0.1:$host_port"
	proxies_line="trusted_proxies = $trusted"
	[ "$trusted" = - ] && proxies_line="; no trusted_proxies"
	cat >"$tmp/bandoc.conf" <<CONF
; Written by tests/nginx/run.sh: bandocd behind nginx.
[server]
listen = 127.0.0.1:0
public_url = $base
$proxies_line
data_dir = $tmp/var
fonts_dir = $repo/fonts
log_level = info

; The widget's host page is on another origin (served by the test).
[site.lamdong]
name = Báo Lâm Đồng
origins = $host_origin
captcha_min_solve = 0
captcha_per_minute = 1000
captcha_per_hour = 10000
comments_per_minute = 1000
comments_per_hour = 10000
new_articles_per_minute = 1000
pow_cost = 1000
pow_cost_max = 2000

; Three challenges a minute per reader: the per-address effect.
[site.tight]
captcha_per_minute = 3
captcha_min_solve = 0
pow_cost = 1000
pow_cost_max = 2000
CONF
	rm -f "$tmp/ready"
	"$bandocd" serve -c "$tmp/bandoc.conf" --ready-file "$tmp/ready" \
		2>"$tmp/bandocd.log" &
	daemon_pid=$!
	for _ in $(seq 100); do
		[ -s "$tmp/ready" ] && break
		kill -0 "$daemon_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -s "$tmp/ready" ]; then
		echo "nginx: bandocd did not start" >&2
		cat "$tmp/bandocd.log" >&2
		exit 1
	fi
	dport=$(head -n1 "$tmp/ready" | sed 's/.*://')
	direct="http://127.0.0.1:$dport"

	conf=$(<"$conf_src")
	subst "listen 443 ssl http2;" "listen 127.0.0.1:$tls_port ssl http2;" 1
	subst "listen [::]:443 ssl http2;" "# (no IPv6 in the test)" 1
	subst "listen 80;" "listen 127.0.0.1:$http_port;" 1
	subst "listen [::]:80;" "# (no IPv6 in the test)" 1
	subst "server 127.0.0.1:8080;" "server 127.0.0.1:$dport;" 1
	subst "/etc/letsencrypt/live/$name/" "$tmp/tls/" 2
	subst "/var/cache/nginx/bandoc" "$tmp/cache" 1
	subst "/var/log/nginx/bandoc.access.log" "$tmp/access.log" 1
	printf '%s\n' "$conf" >"$tmp/site.conf"

	# The main context around it, as Debian's /etc/nginx/nginx.conf has
	# it (2 workers; conf.d/*.conf is read in the http block).
	cat >"$tmp/nginx.conf" <<CONF
# Written by tests/nginx/run.sh.
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/error.log notice;
events {
	worker_connections 512;
}
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	sendfile on;
	access_log $tmp/other.log;
	client_body_temp_path $tmp/temp/body;
	proxy_temp_path $tmp/temp/proxy;
	fastcgi_temp_path $tmp/temp/fastcgi;
	uwsgi_temp_path $tmp/temp/uwsgi;
	scgi_temp_path $tmp/temp/scgi;
	include $tmp/site.conf;
}
CONF
	if ! "$nginx_bin" -t -q -p "$tmp/" -c "$tmp/nginx.conf" \
		2>"$tmp/nginx-t.log"; then
		echo "nginx: the configuration does not load" >&2
		cat "$tmp/nginx-t.log" >&2
		exit 1
	fi
	"$nginx_bin" -p "$tmp/" -c "$tmp/nginx.conf" -g 'daemon off;' \
		2>"$tmp/nginx.stderr" &
	nginx_pid=$!
	for _ in $(seq 100); do
		c -o /dev/null "$base/healthz" 2>/dev/null && return 0
		kill -0 "$nginx_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$tmp/nginx.stderr" "$tmp/error.log" >&2
	stop nginx_pid
	stop daemon_pid
	return 1
}
started=
for _ in 1 2 3; do
	if start; then
		started=1
		break
	fi
	echo "== nginx: nginx did not start; again with other ports" >&2
done
[ -n "$started" ] || { echo "nginx: nginx did not start" >&2; exit 1; }
echo "== nginx: bandocd on 127.0.0.1:$dport, nginx on $base" \
	"(http on $http_port), trusted_proxies = $trusted"

# The daemon's access lines: "METHOD PATH STATUS BYTES USus CLIENT".
log_mark() { wc -l <"$tmp/bandocd.log"; }
log_since() { tail -n +"$(($1 + 1))" "$tmp/bandocd.log"; }
# STATUS of a request, printed by curl; no body.
status() { c -o /dev/null -w '%{http_code}' "$@"; }
captcha() { # ADDRESS SITE [curl args...]
	local from=$1 site=$2
	shift 2
	status --interface "$from" "$@" \
		--data "site=$site&kind=image" "$base/api/v1/captcha"
}
# Header NAME's values in a header dump, one a line.
header() { grep -i "^$1:" | sed 's/^[^:]*: *//; s/\r$//'; }

# From here on a failing command is a failed check, reported with the
# others, not the end of the run.
set +e +o pipefail

# ------------------------------------------------------ TLS and redirect

h=$(c -D - -o /dev/null "$base/healthz")
expect "TLS: /healthz through nginx" 200 \
	"$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$h")"
expect "TLS: one HSTS header" "max-age=63072000" \
	"$(header strict-transport-security <<<"$h")"
h=$(c -D - -o /dev/null "http://$name:$http_port/embed/comments?site=lamdong")
expect "http: redirected to https" \
	"https://$name/embed/comments?site=lamdong" "$(header location <<<"$h")"

# ------------------------------- 1. readers told apart by their address

a=127.0.0.2 b=127.0.0.3
mark=$(log_mark)
got=
for _ in 1 2 3 4; do got+="$(captcha $a tight) "; done
expect "1: reader $a, four challenges on a 3/min site" "201 201 201 429 " "$got"
expect "1: reader $b still gets one" 201 "$(captcha $b tight)"
lines=$(log_since "$mark" | grep 'POST /api/v1/captcha ')
expect "1: the daemon logged $a four times" 4 \
	"$(grep -c " $a req=" <<<"$lines" || true)"
expect "1: the daemon logged $b once" 1 "$(grep -c " $b req=" <<<"$lines" || true)"
# One request id in both logs: nginx's $request_id, taken by bandocd
# from its trusted proxy.
rid=$(tail -n 1 <<<"$lines" | sed -n 's/.* req=\([0-9a-f]\{32\}\)$/\1/p')
expect "1: bandocd logged nginx's 32-digit request id" 32 "${#rid}"
expect "1: nginx logged the same id" 1 \
	"$(grep -c "rid=$rid " "$tmp/access.log" || true)"

# ---------------------------------- 2. a forged X-Forwarded-For ignored

mark=$(log_mark)
expect "2: $a claiming 198.51.100.7 through nginx is still limited" 429 \
	"$(captcha $a tight -H 'X-Forwarded-For: 198.51.100.7')"
expect "2: $a forging a chain through the proxy's address is limited" 429 \
	"$(captcha $a tight -H 'X-Forwarded-For: 198.51.100.8, 127.0.0.1')"
expect "2: $a straight to bandocd, claiming 198.51.100.9, is limited" 429 \
	"$(curl -sS -o /dev/null -w '%{http_code}' --interface $a \
		-H 'X-Forwarded-For: 198.51.100.9' --data 'site=tight&kind=image' \
		"$direct/api/v1/captcha")"
expect "2: 127.0.0.5 straight to bandocd, claiming to be $a, is not" 201 \
	"$(curl -sS -o /dev/null -w '%{http_code}' --interface 127.0.0.5 \
		-H "X-Forwarded-For: $a" --data 'site=tight&kind=image' \
		"$direct/api/v1/captcha")"
lines=$(log_since "$mark" | grep 'POST /api/v1/captcha ')
expect "2: the daemon logged the real addresses" \
	"$a $a $a 127.0.0.5" "$(awk '{print $(NF-1)}' <<<"$lines" | xargs)"

# ---------------------------------------------- 3. the no-JS form

d=127.0.0.4
page="$base/embed/comments?site=lamdong&article=nginx-nojs&lang=vi"
h=$(c --interface $d -D - -o "$tmp/nojs.html" "$page")
token=$(grep -o 'name="captcha_token" value="[^"]*"' "$tmp/nojs.html" |
	sed 's/.*value="//; s/"$//' || true)
if [ -z "$token" ]; then
	fail "3: the no-JS page has no CAPTCHA token"
else
	ok "3: GET the no-JS page through nginx"
	code=$("$answer_bin" "$tmp/var/secrets" "$token")
	h=$(c --interface $d -D - -o /dev/null -H "Origin: $base" \
		--data-urlencode site=lamdong --data-urlencode article=nginx-nojs \
		--data-urlencode lang=vi --data-urlencode "name=Lê Văn Tám" \
		--data-urlencode email= --data-urlencode website= \
		--data-urlencode "body=Gửi qua nginx, không cần JavaScript." \
		--data-urlencode "captcha_token=$token" \
		--data-urlencode "captcha_answer=$code" --data-urlencode do=send \
		"$base/embed/comments")
	expect "3: POST answered" 303 \
		"$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$h")"
	loc=$(header location <<<"$h")
	expect "3: Location (relative: the browser keeps the proxy's origin)" \
		"/embed/comments?site=lamdong&article=nginx-nojs&lang=vi&posted=pending#bandoc-status" \
		"$loc"
	c --interface $d -o "$tmp/nojs-after.html" "$base${loc%%#*}"
	if grep -q 'bandoc-status-ok' "$tmp/nojs-after.html" &&
		grep -q 'chờ duyệt' "$tmp/nojs-after.html"; then
		ok "3: the page it leads to says the comment awaits moderation"
	else
		fail "3: no pending message at $loc"
	fi
	expect "3: stored, pending" "0|Lê Văn Tám" \
		"$(sqlite3 -cmd '.timeout 5000' "$tmp/var/bandoc.db" \
			"SELECT c.status || '|' || c.name FROM comment c JOIN article a \
			 ON a.id = c.article_id WHERE a.key = 'nginx-nojs'" 2>&1)"
fi

# ------------------------------------------ 4. the widget, in Chromium

if BANDOC_BASE=$base BANDOC_HOST=$host_origin BANDOC_NAME=$name \
	BANDOC_DB=$tmp/var/bandoc.db BANDOC_SECRETS=$tmp/var/secrets \
	BANDOC_ANSWER=$answer_bin BANDOC_CHROMIUM=$chromium_bin \
	BANDOC_ARTIFACTS=$tmp/artifacts BANDOC_NGINX_LOG=$tmp/access.log \
	node --test "$here/widget.test.mjs" >"$tmp/widget.log" 2>&1; then
	ok "4: the widget on $host_origin posts a comment through nginx; the no-JS iframe shows there"
else
	fail "4: the widget through nginx (tests/nginx/widget.test.mjs):"
	sed 's/^/    /' "$tmp/widget.log"
fi

# -------------------------------------------------------- 5. keep-alive

got=$(c --http1.1 --interface $a -w '%{num_connects} ' \
	-o /dev/null "$base/healthz" -o /dev/null "$base/healthz" \
	-o /dev/null "$base/healthz" -o /dev/null "$base/healthz" \
	-o /dev/null "$base/healthz")
expect "5: five requests on one HTTP/1.1 client connection (connects each)" \
	"1 0 0 0 0 " "$got"

# nginx's ends of its connections to bandocd (any state but LISTEN: a
# closed connection stays in TIME_WAIT for a minute), by local port.
upstream_ports() {
	local p
	p=$(printf '%04X' "$dport")
	awk -v p="$p" 'NR > 1 { split($2, l, ":"); split($3, r, ":");
		if (r[2] == p) print l[2]; else if (l[2] == p && $4 != "0A") print r[2] }' \
		/proc/net/tcp | sort -u
}
before=$(upstream_ports)
for _ in $(seq 20); do c --interface $b -o /dev/null "$base/healthz"; done
after=$(upstream_ports)
new=$(comm -13 <(echo "$before") <(echo "$after") | grep -c . || true)
if [ "$new" -le 2 ]; then
	ok "5: 20 requests from 20 client connections took $new new nginx->bandocd connections"
else
	fail "5: 20 requests took $new new nginx->bandocd connections (no upstream keep-alive)"
fi

# ------------------------------------- 6. headers, cache, limits, metrics

# HTML: bandocd's one CSP with the site's origin in frame-ancestors; the
# proxy adds no X-Frame-Options and no second policy.
h=$(c --interface $d -D - -o /dev/null \
	"$base/embed/comments?site=lamdong&article=nginx-hdr")
csp=$(header content-security-policy <<<"$h")
expect "6: one Content-Security-Policy on the no-JS page" 1 "$(grep -c . <<<"$csp" || true)"
case "$csp" in
*"frame-ancestors 'self' $host_origin"*) ok "6: frame-ancestors names the site's origin" ;;
*) fail "6: frame-ancestors: $csp" ;;
esac
expect "6: no X-Frame-Options on the no-JS page" "" "$(header x-frame-options <<<"$h")"
expect "6: one X-Content-Type-Options" nosniff "$(header x-content-type-options <<<"$h")"
expect "6: HSTS on HTML too" "max-age=63072000" "$(header strict-transport-security <<<"$h")"

# CORS: one Access-Control-Allow-Origin, bandocd's.
h=$(c -D - -o /dev/null -H "Origin: $host_origin" \
	"$base/api/v1/comments?site=lamdong&article=nginx-nojs")
expect "6: one Access-Control-Allow-Origin on the API" "$host_origin" \
	"$(header access-control-allow-origin <<<"$h")"
case "$(header vary <<<"$h" | xargs)" in
*Origin*) ok "6: Vary: Origin kept" ;;
*) fail "6: no Vary: Origin" ;;
esac

# /embed.js: fetched three times, asked of bandocd once (a fresh cache key).
js_count() {
	curl -sS "$direct/metrics" | awk '/^bandoc_http_requests_total\{route="embed_js",status="200"\}/ {print $2}'
}
n0=$(js_count)
js="$base/embed.js?nginx-test=$RANDOM"
# As browsers ask: all of them take gzip (Vary: Accept-Encoding).
h=$(c -D - -o /dev/null --compressed "$js")
c -o /dev/null --compressed "$js"
c -o /dev/null --compressed "$js"
n1=$(js_count)
expect "6: /embed.js three times, bandocd asked once" 1 "$((${n1:-0} - ${n0:-0}))"
expect "6: /embed.js cache log" "MISS HIT HIT" \
	"$(grep -F "GET /embed.js?nginx-test=" "$tmp/access.log" | sed 's/.*cache=//' | xargs)"
# bandocd's own gzip (built at compile time) passes through nginx's
# gzip untouched: the strong ETag stays strong.
expect "6: /embed.js gzipped" gzip "$(header content-encoding <<<"$h")"
expect "6: /embed.js: bandocd's strong ETag" '"' "$(header etag <<<"$h" | cut -c1)"
expect "6: /embed.js: Vary: Accept-Encoding" Accept-Encoding "$(header vary <<<"$h")"
expect "6: /embed.js keeps bandocd's Cache-Control" \
	"public, max-age=300, stale-while-revalidate=86400" "$(header cache-control <<<"$h")"
expect "6: /embed.js: one Access-Control-Allow-Origin" "*" \
	"$(header access-control-allow-origin <<<"$h")"
expect "6: /embed.js: HSTS in the cached location" "max-age=63072000" \
	"$(header strict-transport-security <<<"$h")"
# A client without gzip does not get the cached gzip bytes.
expect "6: /embed.js without Accept-Encoding: not gzip" "" \
	"$(c -D - -o /dev/null "$js" | header content-encoding)"
# /embed.HASH.js, the name /api/v1/version gives: cached, immutable.
hashed=$(c "$base/api/v1/version" | sed -n 's/.*"embed_js":"\([^"]*\)".*/\1/p')
h=$(c -D - -o /dev/null --compressed "$base$hashed")
c -o /dev/null --compressed "$base$hashed"
expect "6: /embed.HASH.js immutable" "public, max-age=31536000, immutable" \
	"$(header cache-control <<<"$h")"
expect "6: /embed.HASH.js cache log" "MISS HIT" \
	"$(grep -F "GET $hashed " "$tmp/access.log" | sed 's/.*cache=//' | xargs)"

# Bodies: nginx stops what is over 96 KiB, bandocd answers in JSON below.
head -c 100000 /dev/zero | tr '\0' a | sed 's/^/body=/' >"$tmp/big.txt"
h=$(c -D - -o "$tmp/big.out" -H "Origin: $base" --data-binary "@$tmp/big.txt" \
	"$base/api/v1/comments")
expect "6: a 100 kB body stopped by nginx" "413 text/html" \
	"$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$h") $(header content-type <<<"$h" | cut -d';' -f1)"
head -c 80000 "$tmp/big.txt" >"$tmp/mid.txt"
h=$(c -D - -o "$tmp/mid.out" -H "Origin: $base" --data-binary "@$tmp/mid.txt" \
	"$base/api/v1/comments")
expect "6: an 80 kB comment refused by bandocd in JSON" "413 body_too_large" \
	"$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' <<<"$h") $(grep -o body_too_large "$tmp/mid.out" || true)"

expect "6: /metrics not served by the proxy" 403 "$(status "$base/metrics")"

# A clean stop: exit 0 (under ASan, no error or leak on the way).
kill -TERM "$nginx_pid"
wait "$nginx_pid" || true
nginx_pid=
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=
expect "bandocd stops on SIGTERM" 0 "$rc"
if grep -q 'AddressSanitizer\|runtime error' "$tmp/bandocd.log"; then
	fail "sanitizer reports in $tmp/bandocd.log"
fi

echo "== nginx: $failures failure(s), $(($(date +%s) - t0)) s; logs in $tmp"
[ "$failures" -eq 0 ]
