#!/bin/sh
# signals.sh FUZZ_FORM CORPUS DICT SECONDS: fuzz_form keeps its exchanges
# through signals (bug 9 of docs/fuzzing.md). libFuzzer's -timeout alarm
# (SIGALRM, no SA_RESTART) interrupts the harness's poll(), connect() and
# send(); the harness once took an interrupted poll() for a reply that
# never came. Here the run gets a SIGALRM every 5 ms, hundreds in all,
# instead of one every 31 s; libFuzzer's handler ignores an alarm that
# comes before an input's timeout. Fails if the run fails.
set -eu
bin=$1 corpus=$2 dict=$3 secs=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/bandoc-signals.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/c"
cp "$corpus"/* "$work/c/"
cd "$work"
ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 "$bin" -dict="$dict" \
	-timeout=60 -max_total_time="$secs" c >log 2>&1 &
pid=$!
# Signals only once libFuzzer catches SIGALRM (bit 13 of SigCgt): before,
# one would end the process.
caught() {
	cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$pid/status" 2>/dev/null)
	[ -n "$cgt" ] && [ $((0x$cgt >> 13 & 1)) -eq 1 ]
}
until caught; do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.01
done
n=0
# The pace of the signals, not a wait for anything.
while kill -ALRM "$pid" 2>/dev/null; do
	n=$((n + 1))
	sleep 0.005
done
rc=0
wait "$pid" || rc=$?
grep -E 'property failed|reply in|ERROR' log | head -5 >&2 || true
echo "signals.sh: $n signals, fuzz_form exit $rc, $(grep -o 'Done [0-9]* runs' log || echo 'not done')"
[ "$rc" -eq 0 ] && [ "$n" -ge 100 ]
