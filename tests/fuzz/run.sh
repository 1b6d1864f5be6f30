#!/bin/sh
# run.sh: runs every libFuzzer target of bandoc for a bounded time.
#
#   tests/fuzz/run.sh BUILD_DIR SECONDS
#
# BUILD_DIR is a build tree configured with CC=clang -DFUZZ=ON
# -DSANITIZE=address,undefined (see docs/fuzzing.md). Each
# BUILD_DIR/tests/fuzz/fuzz_* binary runs for SECONDS on a temporary copy
# of its seed corpus (tests/fuzz/corpus/<target>, so the committed corpus
# is never changed), with its dictionary if there is one. A table of
# target | executions | exec/s | coverage | result follows.
#
# Environment:
#   FUZZ_TARGETS  space-separated names (e.g. "config route") to run only
#                 those; default: every fuzz_* binary.
#   FUZZ_JOBS     targets run at the same time (default 1).
#   FUZZ_KEEP     1: keep the grown corpora (their path is printed).
#
# Logs and crash artifacts go to BUILD_DIR/fuzz-results/; a crashing
# input's path is printed in the table and at the end.
#
# Exit status: 0 when every target ran clean, 1 when any crashed, leaked,
# timed out or ran out of memory, 2 on a usage error, 77 (skip) when the
# targets are not built and clang is not installed.

set -u

usage() {
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
}

[ $# -eq 2 ] || usage
build=$1
seconds=$2
case $seconds in
'' | *[!0-9]*) usage ;;
esac
[ "$seconds" -gt 0 ] || usage

here=$(cd "$(dirname "$0")" && pwd)
bindir=$build/tests/fuzz
jobs=${FUZZ_JOBS:-1}
case $jobs in
'' | *[!0-9]* | 0) echo "$0: FUZZ_JOBS must be a positive number" >&2; exit 2 ;;
esac

# The largest input each target is given: a little above the largest
# input its parser accepts, so that the fuzzer also tries the limits.
max_len() {
	case $1 in
	token_open) echo 256 ;;        # tokens are exactly 118 bytes
	token_roundtrip) echo 128 ;;   # 75 bytes are read
	answer_fold) echo 160 ;;       # image answers: 64 bytes at most
	config) echo 4096 ;;           # reaches every limit (64 sites, 100
	                               # problems, 64 proxies) with room
	config_small) echo 512 ;;      # values of at most 300 bytes
	route) echo 1200 ;;            # paths: MAX_PATH_LEN = 1024
	demo) echo 16384 ;;            # the seed article is 4 KB
	wav) echo 32768 ;;             # the voices are 10-19 KB
	json) echo 8192 ;;             # the JSON routes cap bodies at 4 KB
	text) echo 4096 ;;             # comments: 4,000 characters at most
	auth) echo 160 ;;              # one-click tokens: 87 bytes
	form) echo 8192 ;;             # 2 + bodies past the 4 KB caps (and
	                               # past twice the 1 KB one-click cap)
	etag) echo 512 ;;              # If-None-Match: a few tags of 34 bytes
	accept) echo 512 ;;            # browsers send 20-40 bytes
	import) echo 16384 ;;          # the fixtures are 4-6 KB
	links) echo 4096 ;;            # comments: 4,000 characters at most
	*) echo 4096 ;;
	esac
}

# libFuzzer's -timeout per input in seconds. fuzz_form waits for a live
# server, and libmicrohttpd may leave a request alone for up to its
# connection timeout (15 s); the harness itself fails at 30 s.
timeout_of() {
	case $1 in
	form) echo 60 ;;
	*) echo 10 ;;
	esac
}

targets=
if [ -n "${FUZZ_TARGETS:-}" ]; then
	for t in $FUZZ_TARGETS; do
		t=${t#fuzz_}
		if [ ! -x "$bindir/fuzz_$t" ]; then
			echo "$0: no target $bindir/fuzz_$t" >&2
			exit 2
		fi
		targets="$targets $t"
	done
else
	for f in "$bindir"/fuzz_*; do
		if [ ! -f "$f" ] || [ ! -x "$f" ]; then
			continue
		fi
		targets="$targets ${f##*/fuzz_}"
	done
fi
if [ -z "$targets" ]; then
	if ! command -v clang >/dev/null 2>&1; then
		echo "$0: SKIP: clang is not installed and no fuzz targets" \
		    "are built in $bindir" >&2
		exit 77
	fi
	echo "$0: no fuzz targets in $bindir; configure with" \
	    "CC=clang cmake -S . -B $build -DFUZZ=ON" \
	    "-DSANITIZE=address,undefined and build" >&2
	exit 1
fi

# Stack traces for UBSan reports too; keep any options the caller set.
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export UBSAN_OPTIONS

results=$build/fuzz-results
mkdir -p "$results" || exit 1
results=$(cd "$results" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/bandoc-fuzz.XXXXXX") || exit 1
if [ "${FUZZ_KEEP:-0}" != 1 ]; then
	trap 'rm -rf "$work"' EXIT
fi
trap 'exit 130' INT TERM

# Runs one target; writes "<execs> <exec/s> <cov> <corpus> <result>
# <artifact>" into $results/<t>.status.
run_one() {
	t=$1
	log=$results/$t.log
	art=$results/artifacts/$t/
	corpus=$work/$t
	rm -rf "$art"
	mkdir -p "$art" "$corpus"
	if [ -d "$here/corpus/$t" ]; then
		cp -R "$here/corpus/$t/." "$corpus/"
	fi
	set -- -max_total_time="$seconds" -rss_limit_mb=2048 \
	    -max_len="$(max_len "$t")" -timeout="$(timeout_of "$t")" \
	    -print_final_stats=1 \
	    -artifact_prefix="$art"
	if [ -f "$here/$t.dict" ]; then
		set -- "$@" -dict="$here/$t.dict"
	fi
	"$bindir/fuzz_$t" "$@" "$corpus" >"$log" 2>&1
	rc=$?

	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" |
	    tail -n 1)
	# The last status line: "#N  REDUCE cov: C ft: F corp: U/S ...".
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
	if [ -z "$execs" ]; then
		execs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
	fi
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
	    tail -n 1)
	if [ $rc -eq 0 ] && grep -q '^Done [0-9]* runs' "$log"; then
		result=ok
	elif grep -q 'ERROR: libFuzzer: timeout' "$log"; then
		result=TIMEOUT
	elif grep -q 'ERROR: libFuzzer: out-of-memory' "$log"; then
		result=OOM
	elif grep -q 'ERROR: LeakSanitizer' "$log"; then
		result=LEAK
	else
		result=CRASH
	fi
	echo "${execs:-0} ${rate:-0} ${cov:--} ${corp:--} $result" \
	    "${artifact:--}" >"$results/$t.status"
}

echo "Fuzzing$targets for ${seconds}s each (logs: $results)"
running=0
for t in $targets; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

failed=0
printf '\n%-18s | %12s | %8s | %6s | %6s | %s\n' target executions \
    exec/s cov corpus result
printf '%s\n' '-------------------|--------------|----------|--------|--------|-------'
for t in $targets; do
	if [ -f "$results/$t.status" ]; then
		read -r execs rate cov corp result artifact <"$results/$t.status"
	else
		execs=0 rate=0 cov=- corp=- result=CRASH artifact=-
	fi
	line=$result
	if [ "$result" != ok ]; then
		failed=1
		[ "$artifact" != - ] && line="$result $artifact"
		line="$line (log: $results/$t.log)"
	fi
	printf '%-18s | %12s | %8s | %6s | %6s | %s\n' "$t" "$execs" \
	    "$rate" "$cov" "$corp" "$line"
done
if [ "${FUZZ_KEEP:-0}" = 1 ]; then
	echo "grown corpora kept in $work"
fi
if [ $failed -ne 0 ]; then
	echo "FAILED: reproduce with BUILD_DIR/tests/fuzz/fuzz_<target>" \
	    "<artifact>; save it under tests/fuzz/regressions/<target>/"
	exit 1
fi
exit 0
