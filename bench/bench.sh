#!/usr/bin/env bash
# bench.sh BUILD_DIR [SECONDS]
#
# Compares bandocd with a bare libmicrohttpd server (bench/hello.c, built as
# BUILD_DIR/bench_hello) on this machine, over loopback only:
#   - cold start: from exec to the first 200 on GET /healthz, in ms;
#   - for each scenario below, wrk -t2 -c64 -dSECONDS --latency against both
#     servers: req/s, p50, p99 and the ours/bare req/s ratio;
#   - bandocd's RSS after each scenario (anonymous + file pages) and its
#     peak RSS (VmHWM) after all scenarios.
# Progress goes to stderr; the report goes to stdout as Markdown, ready to
# paste into docs/benchmarks.md.
#
# Environment:
#   BANDOCD=PATH   the daemon to test      (default BUILD_DIR/bandocd)
#   HELLO=PATH     the baseline server     (default BUILD_DIR/bench_hello)
#   WRK_THREADS=2 WRK_CONNECTIONS=64       wrk load shape
#   WARMUP=1       seconds of unmeasured load per server and scenario (0: none)
#   ROUNDS=3       measurements per server and scenario, alternating between
#                  the servers; the median (by req/s) is reported.  On the
#                  2-core machines one round is too noisy to compare: two
#                  copies of the same server measured 0.53..1.02 of each other
#                  in single 2-3 s rounds.
#   THREADS=2      worker threads for both servers
#   START_TIMEOUT=10  seconds to wait for a server to answer /healthz
#   KEEP_TMP=1     keep the temp dir (config, data, server logs, wrk output)
#
# Exit status: 0 done, 1 a server failed or a request failed, 2 usage,
# 77 wrk is missing (apt-get install -y wrk).

set -u
set -o pipefail

# Scenarios, one per line: NAME|METHOD|PATH|LUA
# LUA is optional: a wrk script under bench/ that sets the body and headers
# (wrk.body, wrk.headers) for requests that need them.  The method is set
# here, so a GET with no LUA runs wrk without any script.  Example for later:
#   view +1|POST|/api/v1/sites/bench/views|lua/view.lua
SCENARIOS=(
	'healthz|GET|/healthz|'
	'view +1|POST|/api/v1/views|lua/view.lua'
	'view read|GET|/api/v1/views?site=bench&article=a1|'
	'counts 50 articles|GET|/api/v1/counts?site=bench&articles=@ARTICLES50@|'
	'captcha issue|POST|/api/v1/captcha|lua/captcha_issue.lua'
	'captcha render|GET|/api/v1/captcha/@TOKEN@.png|'
	'comment post|POST|/api/v1/comments|lua/comment.lua'
	'list 20 of 1M comments|GET|/api/v1/comments?site=bench&article=big&per_page=20|'
	'admin queue 50|GET|/admin/api/comments?status=pending&limit=50|lua/admin.lua'
)
# Scenarios can be chosen with ONLY="healthz,view +1".

usage() {
	echo "usage: $0 BUILD_DIR [SECONDS]" >&2
	exit 2
}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	usage
fi
build_dir=$1
seconds=${2:-10}
[[ $seconds =~ ^[1-9][0-9]{0,2}$ ]] || usage

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$bench_dir/.." && pwd)
bandocd=${BANDOCD:-$build_dir/bandocd}
hello=${HELLO:-$build_dir/bench_hello}
wrk_threads=${WRK_THREADS:-2}
wrk_conns=${WRK_CONNECTIONS:-64}
warmup=${WARMUP:-1}
rounds=${ROUNDS:-3}
threads=${THREADS:-2}
start_timeout=${START_TIMEOUT:-10}

log() { printf 'bench: %s\n' "$*" >&2; }
hwm() { awk '/^VmHWM:/ { printf "%.1f MiB", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }
# The resident set now, split into anonymous memory (the daemon's own:
# heap, stacks, SQLite caches) and file pages (mostly shared libraries).
rss_split() {
	awk '/^Rss:/ { r = $2 } /^Anonymous:/ { a = $2 }
		END { printf "%.1f (%.1f + %.1f)", r / 1024, a / 1024, (r - a) / 1024 }' \
		"/proc/$1/smaps_rollup" 2>/dev/null
}
die() { log "$*"; exit 1; }

if ! command -v wrk >/dev/null 2>&1; then
	log "SKIP: wrk not found (apt-get install -y wrk)"
	exit 77
fi
[ -x "$bandocd" ] || die "$bandocd: not an executable"
[ -x "$hello" ] || die "$hello: not an executable"
# EPOCHREALTIME (bash >= 5) times the cold start without forking date.
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or later needed"

[[ $rounds =~ ^[1-9]$ ]] || die "ROUNDS must be 1..9"
[[ $warmup =~ ^[0-9]{1,2}$ ]] || die "WARMUP must be 0..99"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bandoc-bench.XXXXXX") || exit 1
pids=()

# stop PID: SIGTERM, then SIGKILL if it still runs after 10 s; sets
# stop_status to its exit status (137 when it had to be killed).
stop() {
	local i
	kill -TERM "$1" 2>/dev/null
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		nap
	done
	if kill -0 "$1" 2>/dev/null; then
		log "pid $1 ignored SIGTERM for 10s; killing it"
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
	stop_status=$?
}

# Stops every server still running; runs on every exit.
# shellcheck disable=SC2317 # invoked through the trap
cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		stop "$pid"
	done
	pids=()
	if [ -n "${KEEP_TMP:-}" ]; then
		log "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# A fork-free sleep: read from a FIFO nobody writes to, with a timeout.
mkfifo "$tmp/nap" || exit 1
exec {nap_fd}<>"$tmp/nap"
nap() { read -r -t "${1:-0.1}" -u "$nap_fd" _ || true; }

# Succeeds when GET /healthz on $1 (host:port) answers 200.  Plain bash
# /dev/tcp, so polling costs no fork.
healthz_ok() {
	local fd line
	{ exec {fd}<>"/dev/tcp/${1%:*}/${1##*:}"; } 2>/dev/null || return 1
	printf 'GET /healthz HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n' \
		"$1" >&"$fd"
	read -r -t 2 -u "$fd" line
	exec {fd}>&-
	[[ $line == HTTP/1.?" 200"* ]]
}

# start NAME READY_FILE CMD... : runs CMD in the background, waits until it
# has written READY_FILE and answers /healthz, and sets server_pid,
# server_addr (host:port) and server_cold_ms (exec to first 200, in ms).
start() {
	local name=$1 ready=$2 t0 t1 deadline line
	shift 2
	rm -f "$ready"
	t0=$EPOCHREALTIME
	"$@" >"$tmp/$name.log" 2>&1 &
	server_pid=$!
	pids+=("$server_pid")
	server_addr=
	deadline=$((${t0%.*} + start_timeout))
	while :; do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			sed 's/^/  | /' "$tmp/$name.log" >&2
			die "$name exited during start-up"
		fi
		if [ -z "$server_addr" ] && [ -s "$ready" ]; then
			while read -r line; do
				if [[ $line =~ ^127\.0\.0\.1:[0-9]+$ ]]; then
					server_addr=$line
					break
				fi
			done <"$ready"
		fi
		if [ -n "$server_addr" ] && healthz_ok "$server_addr"; then
			break
		fi
		[ "${EPOCHREALTIME%.*}" -lt "$deadline" ] ||
			die "$name did not answer /healthz within ${start_timeout}s"
		nap 0.0005
	done
	t1=$EPOCHREALTIME
	# Microsecond timestamps -> milliseconds with one decimal.
	server_cold_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
	log "$name pid $server_pid on $server_addr, cold start ${server_cold_ms} ms"
}

# Converts a wrk time ("544.00us", "1.88ms", "2.01s", "1.00m") to ms.
to_ms() {
	awk -v t="$1" 'BEGIN {
		n = t + 0; u = t; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000
		else if (u == "m") n *= 60000; else if (u == "h") n *= 3600000
		printf "%.2f", n }'
}

# run_wrk ADDR METHOD PATH LUA DURATION OUTFILE: one wrk run; sets rps, p50,
# p99 (ms) and bad (non-2xx/3xx responses plus socket errors).
run_wrk() {
	local addr=$1 method=$2 path=$3 lua=$4 dur=$5 out=$6 script=()
	if [ "$method" != GET ] || [ -n "$lua" ]; then
		# Only now is a Lua script needed: set the method, then let
		# the scenario's own script add body and headers.
		{
			printf 'wrk.method = "%s"\n' "$method"
			[ -n "$lua" ] && printf 'dofile("%s")\n' "$bench_dir/$lua"
		} >"$tmp/scenario.lua"
		script=(-s "$tmp/scenario.lua")
	fi
	wrk -t"$wrk_threads" -c"$wrk_conns" -d"${dur}s" --latency \
		"${script[@]}" "http://$addr$path" >"$out" 2>&1 ||
		{ cat "$out" >&2; die "wrk failed against $addr$path"; }
	rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
	total_requests=$(awk '/ requests in / { print $1 }' "$out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	bad=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
		/Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
		END { print n + 0 }' "$out")
	[ -n "$rps" ] || { cat "$out" >&2; die "cannot parse wrk output"; }
}

# median "RPS P50 P99 BAD"...: prints the line with the median req/s, with
# BAD replaced by the sum over all lines (an error in any round counts).
median() {
	printf '%s\n' "$@" | sort -n -k1,1 | awk -v n="$#" '
		{ bad += $4 }
		NR == int((n + 1) / 2) { line = $1 " " $2 " " $3 }
		END { print line, bad + 0 }'
}

# --- the servers ---------------------------------------------------------

mkdir -m 700 "$tmp/data" || exit 1
cat >"$tmp/bandoc.conf" <<EOF
; Written by bench/bench.sh; removed after the run.
[server]
listen = 127.0.0.1:0
data_dir = $tmp/data
secrets_file = $tmp/data/secrets
fonts_dir = $repo/fonts
public_url = http://127.0.0.1
trusted_proxies = 127.0.0.1/32
threads = $threads
access_log = off
log_level = info

captcha_spent_max = 5000000
admin_secure_cookie = off

[site.bench]
name = Bench
origins = https://bench.example
lang = vi
captcha_min_solve = 0
captcha_per_minute = 10000000
captcha_per_hour = 100000000
comments_per_minute = 10000000
comments_per_hour = 100000000
new_articles_per_minute = 10000000
EOF

start bandocd "$tmp/bandocd.ready" \
	"$bandocd" serve -c "$tmp/bandoc.conf" --ready-file "$tmp/bandocd.ready"
# shellcheck disable=SC2034 # the *_addr are read through ${!addr_var}
ours_pid=$server_pid ours_addr=$server_addr ours_cold=$server_cold_ms
start bare "$tmp/hello.ready" "$hello" 0 "$tmp/hello.ready" "$threads"

# --- data for the scenarios ----------------------------------------------

only=${ONLY:-}
want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
articles50=$(seq -s, -f 'a%g' 1 50)
token=$(curl -s -d 'site=bench&article=a1' "http://$ours_addr/api/v1/captcha" |
	sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
[ -n "$token" ] || die "cannot issue a CAPTCHA"
if want 'comment post'; then
	# One file per run against bandocd: a token is good once.
	for ((k = 0; k <= rounds; k++)); do
		n_tokens=$(((k == 0 ? warmup : seconds) * 15000))
		[ "$n_tokens" -gt 0 ] || continue
		log "minting $n_tokens CAPTCHA answers for comment run $k"
		"$build_dir/tests/bench_mint" "$tmp/data/secrets" bench a1 \
			"$n_tokens" >"$tmp/tokens.$k" || die "bench_mint failed"
	done
	export WRK_THREADS=$wrk_threads
fi
if want 'list 20 of 1M comments'; then
	log "filling the database with 1,000,000 approved comments"
	sqlite3 "$tmp/data/bandoc.db" >/dev/null <<'SQL' || die "cannot fill the database"
PRAGMA busy_timeout = 10000;
INSERT INTO article (site, key, title, url, created_at) VALUES ('bench', 'big', 'Big', '', 0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO comment (article_id, status, name, body, body_hash, ip_hash, created_at, updated_at)
SELECT (SELECT id FROM article WHERE key = 'big'), 1, 'Reader ' || i,
	'Bình luận số ' || i || ' về bài viết.', randomblob(16), 'x', i, i FROM n;
SQL
fi
# The moderators' queue needs a login, and Argon2id at the INTERACTIVE
# limits takes 64 MiB for it: the peak RSS of everything else is read
# before.
admin_setup() {
	echo 'bench-admin-password' | "$bandocd" user add bench --role moderator \
		-c "$tmp/bandoc.conf" >/dev/null || die "cannot add the bench user"
	ADMIN_COOKIE=$(curl -s -D - -o /dev/null -H "Origin: http://$ours_addr" \
		-H 'Content-Type: application/json' \
		-d '{"username":"bench","password":"bench-admin-password"}' \
		"http://$ours_addr/admin/login" | sed -n 's/^Set-Cookie: \([^;]*\);.*/\1/p')
	[ -n "$ADMIN_COOKIE" ] || die "cannot log in"
	export ADMIN_COOKIE
	# 200 pending comments for the queue.
	sqlite3 "$tmp/data/bandoc.db" >/dev/null "PRAGMA busy_timeout = 10000;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO article (site, key, title, url, created_at) SELECT 'bench', 'q', 'Q', '', 0 WHERE NOT EXISTS (SELECT 1 FROM article WHERE key = 'q');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
INSERT INTO comment (article_id, status, name, body, body_hash, ip_hash, created_at, updated_at)
SELECT (SELECT id FROM article WHERE key = 'q'), 0, 'R' || i, 'Chờ duyệt ' || i, randomblob(16), 'x', i, i FROM n;" ||
		die "cannot add pending comments"
}
view_requests=0
hwm_before_login=
# shellcheck disable=SC2034
bare_pid=$server_pid bare_addr=$server_addr bare_cold=$server_cold_ms

# --- the load ------------------------------------------------------------

rows=()
status=0
for s in "${SCENARIOS[@]}"; do
	IFS='|' read -r name method path lua <<<"$s"
	want "$name" || continue
	if [ "$name" = "admin queue 50" ]; then
		hwm_before_login=$(hwm "$ours_pid")
		admin_setup
	fi
	path=${path//@TOKEN@/$token}
	path=${path//@ARTICLES50@/$articles50}
	if [ -n "$lua" ] && [ ! -f "$bench_dir/$lua" ]; then
		die "scenario $name: no $bench_dir/$lua"
	fi
	# Rounds alternate between the servers so that drift (heat, page
	# cache, other load) hits both alike; the median round is reported.
	results_ours=() results_bare=()
	for ((round = 1; round <= rounds; round++)); do
		for who in ours bare; do
			addr_var=${who}_addr
			[ "$name" = "comment post" ] && [ "$who" = ours ] &&
				export TOKENS_FILE=$tmp/tokens.0
			if [ "$warmup" -gt 0 ] && [ "$round" -eq 1 ]; then
				run_wrk "${!addr_var}" "$method" "$path" "$lua" \
					"$warmup" "$tmp/warmup.out"
				[ "$who$name" = "oursview +1" ] &&
					view_requests=$((view_requests + total_requests))
			fi
			[ "$name" = "comment post" ] && [ "$who" = ours ] &&
				export TOKENS_FILE=$tmp/tokens.$round
			log "$name: ${seconds}s against $who (${!addr_var}), round $round/$rounds"
			run_wrk "${!addr_var}" "$method" "$path" "$lua" \
				"$seconds" "$tmp/$who.out"
			[ "$who$name" = "oursview +1" ] &&
				view_requests=$((view_requests + total_requests))
			if [ "$who" = ours ]; then
				results_ours+=("$rps $p50 $p99 $bad")
			else
				results_bare+=("$rps $p50 $p99 $bad")
			fi
		done
	done
	read -r ours_rps ours_p50 ours_p99 ours_bad < <(median "${results_ours[@]}")
	read -r bare_rps bare_p50 bare_p99 bare_bad < <(median "${results_bare[@]}")
	ratio=$(awk -v a="$ours_rps" -v b="$bare_rps" \
		'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
	note=
	if [ "$ours_bad" -ne 0 ] || [ "$bare_bad" -ne 0 ]; then
		note=" (errors: ours $ours_bad, bare $bare_bad)"
		status=1
	fi
	rows+=("| $name ($method $path)$note | $ours_rps | $ours_p50 | $ours_p99 | $bare_rps | $bare_p50 | $bare_p99 | $ratio | $(rss_split "$ours_pid") |")
	log "$name: ours $ours_rps req/s, bare $bare_rps req/s, ratio $ratio$note"
done

# Exactness: every "view +1" request was a distinct reader.
exact=
if [ "$view_requests" -gt 0 ]; then
	views=$(curl -s "http://$ours_addr/api/v1/views?site=bench&article=a1" |
		sed -n 's/.*"views":\([0-9]*\).*/\1/p')
	# wrk counts answered requests; those still in flight when a run
	# stops (at most one per connection per run) were counted by the
	# server but not by wrk.
	runs=$((rounds + (warmup > 0 ? 1 : 0)))
	slack=$((wrk_conns * runs))
	exact="view +1 exactness: $views views counted; wrk saw $view_requests answers from distinct readers; at most $slack more were in flight when runs stopped"
	if [ -z "$views" ] || [ "$views" -lt "$view_requests" ] ||
		[ "$views" -gt $((view_requests + slack)) ]; then
		exact="$exact (MISMATCH)"
		status=1
	fi
	log "$exact"
fi

# Peak resident set size, read before the servers stop.
ours_hwm=$(hwm "$ours_pid")
bare_hwm=$(hwm "$bare_pid")

# A graceful stop is part of the contract: SIGTERM must end bandocd with 0.
stop "$ours_pid"
ours_exit=$stop_status
pids=("$bare_pid")
if [ "$ours_exit" -ne 0 ]; then
	log "bandocd exited $ours_exit on SIGTERM"
	sed 's/^/  | /' "$tmp/bandocd.log" >&2
	status=1
fi

# --- the report ----------------------------------------------------------

cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
version=$("$bandocd" version 2>/dev/null | head -n 1)
cat <<EOF
### $(date -u +%Y-%m-%d) — ${version:-bandocd}

Machine: ${cpu:-unknown CPU}, $(nproc) cores, Linux $(uname -r).
Load: \`wrk -t$wrk_threads -c$wrk_conns -d${seconds}s --latency\` on 127.0.0.1 after ${warmup}s of warm-up,
median of $rounds alternating round(s);
both servers with $threads threads; bare = \`bench_hello\` (libmicrohttpd, epoll thread pool, static "ok").

| scenario | req/s | p50 ms | p99 ms | bare req/s | bare p50 ms | bare p99 ms | ours/bare | RSS after, MiB (anon + files) |
|---|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
printf '%s\n' "${rows[@]}"
cat <<EOF

| | bandocd | bare |
|---|---:|---:|
| cold start (exec to first 200 on /healthz) | $ours_cold ms | $bare_cold ms |
| peak RSS (VmHWM) before any login | ${hwm_before_login:-$ours_hwm} | |
| peak RSS (VmHWM) at the end | ${ours_hwm:-n/a} | ${bare_hwm:-n/a} |
| SIGTERM exit status | $ours_exit | |
EOF
[ -z "$exact" ] || printf '\n%s\n' "$exact"

exit "$status"
