#!/bin/bash
# Speech-recognition check for the English audio CAPTCHA: a machine proxy
# for "can a listener read it", and for "can a lazy bot read it".
#
#   tests/audio/asr-check.sh [-j JOBS] [-m NLM] BANDOCD N FLOOR
#   tests/audio/asr-check.sh [-j JOBS] [-m NLM] -d DIR FLOOR
#
# The first form writes N fresh English challenges with
# `BANDOCD captcha-sample --audio en` (answers from the generator, in
# answers.tsv); the second scores DIR, which holds NNNN.wav files and
# answers.tsv ("NNNN.wav<TAB>DIGITS" lines) from any renderer.
#
# Two passes of PocketSphinx (pocketsphinx_batch: each file is decoded as
# one utterance, the model loaded once per process):
#
# - digit grammar (tests/audio/digits.gram): only sequences of 5 or 6 of
#   the words zero..nine.  This is what a motivated listener knows to
#   expect, and stands in for one.  Prints the challenges read exactly
#   (with a 95 % Wilson interval), the digit accuracy (1 - (substitutions
#   + deletions + insertions) / digits, over an edit-distance alignment),
#   the count of readings of the wrong length, and the commonest
#   confusions ("7>1": 7 heard as 1; "-": nothing).
# - free language model (the en-us model of pocketsphinx-en-us, no
#   grammar): a lazy bot that runs stock speech-to-text and keeps the
#   digit words it finds.  Decoding with it is about 25 times slower, so
#   only the first NLM challenges (default 16; 0 skips the pass) get it.
#   A low figure is good.
#
# Exits 1 if fewer than FLOOR percent of the challenges were read exactly
# by the grammar pass, 2 on bad usage or a missing tool, 0 otherwise.
# JOBS (default 2, as -j or $ASR_JOBS) recogniser processes run at once.
#
# Vietnamese is not checked: no Vietnamese acoustic model is packaged for
# PocketSphinx (or any recogniser in Debian 12).
#
# Needs: pocketsphinx and pocketsphinx-en-us (Debian packages).

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
model=${ASR_MODEL:-/usr/share/pocketsphinx/model/en-us}
jobs=${ASR_JOBS:-2}
nlm=16
dir=

usage() {
	sed -n '5,6p' "$0" | sed 's/^# *//' >&2
	exit 2
}
while getopts 'j:m:d:' opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	m) nlm=$OPTARG ;;
	d) dir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
if [ -n "$dir" ]; then
	[ $# -eq 1 ] || usage
	floor=$1
else
	[ $# -eq 3 ] || usage
	bandocd=$1 n=$2 floor=$3
fi
case "$floor$jobs$nlm" in *[!0-9.]*) usage ;; esac
if ! command -v pocketsphinx_batch >/dev/null 2>&1 ||
	[ ! -f "$model/en-us.lm.bin" ]; then
	echo "$0: pocketsphinx not found" \
		"(apt-get install pocketsphinx pocketsphinx-en-us)" >&2
	exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$dir" ]; then
	dir=$work/sample
	printf '[server]\nfonts_dir = %s\ndata_dir = %s\n' \
		"$here/../../fonts" "$work/var" >"$work/sample.conf"
	"$bandocd" captcha-sample -c "$work/sample.conf" --audio en \
		"$dir" "$n" >/dev/null
fi
if [ ! -f "$dir/answers.tsv" ]; then
	echo "$0: $dir/answers.tsv not found" >&2
	exit 2
fi
# "name<TAB>digits", in file order; the control file lists the names.
tr -d '\r' <"$dir/answers.tsv" |
	awk -F'\t' 'NF >= 2 && $1 ~ /\.wav$/ { print $1 "\t" $2 }' >"$work/answers"
total=$(wc -l <"$work/answers")
if [ "$total" -eq 0 ]; then
	echo "$0: no challenges in $dir/answers.tsv" >&2
	exit 2
fi
# Every file must be what the decoder is told to read: 16 kHz mono s16
# with the canonical 44-byte header (the renderer's only format).
while IFS=$(printf '\t') read -r name _; do
	hdr=$(od -An -tx1 -j20 -N16 "$dir/$name" | tr -d ' \n')
	if [ "$hdr" != 01000100803e0000007d000002001000 ]; then
		echo "$0: $name is not 16 kHz mono 16-bit PCM" >&2
		exit 2
	fi
done <"$work/answers"
cut -f1 "$work/answers" | sed 's/\.wav$//' >"$work/ctl"

# decode PASS COUNT ARGS...: decodes the first COUNT files of the control
# file in up to $jobs processes; the readings, in order, go to
# $work/PASS.hyp ("words (name score)" lines).
decode() {
	local pass=$1 count=$2 per off j pids=()
	shift 2
	per=$(((count + jobs - 1) / jobs))
	for ((j = 0, off = 0; off < count; j++, off += per)); do
		pocketsphinx_batch -ctl "$work/ctl" -ctloffset "$off" \
			-ctlcount $((count - off < per ? count - off : per)) \
			-cepdir "$dir" -cepext .wav -adcin yes -adchdr 44 \
			-samprate 16000 -hmm "$model/en-us" \
			-dict "$model/cmudict-en-us.dict" "$@" \
			-hyp "$work/$pass.$j.hyp" -logfn "$work/$pass.$j.log" &
		pids+=($!)
	done
	for j in "${pids[@]}"; do
		if ! wait "$j"; then
			echo "$0: pocketsphinx_batch failed ($pass pass):" >&2
			tail -n 5 "$work/$pass".*.log >&2
			exit 2
		fi
	done
	cat "$work/$pass".*.hyp >"$work/$pass.hyp"
}

# score PASS TITLE: compares $work/PASS.hyp with the answers and prints
# the figures; the last line of its output is the exact percentage.
score() {
	awk -v title="$2" '
	BEGIN {
		split("zero one two three four five six seven eight nine", w, " ")
		for (i = 1; i <= 10; i++) word[w[i]] = i - 1
	}
	FNR == NR { split($0, f, "\t"); ans[f[1]] = f[2]; next }
	{
		# "words (name score)": the name is the next-to-last field.
		name = $(NF - 1); sub(/^\(/, "", name); name = name ".wav"
		hyp = ""
		for (i = 1; i <= NF - 2; i++)
			if ($i in word) hyp = hyp word[$i]
		ref = ans[name]
		n++; digits += length(ref)
		if (hyp == ref) exact++
		if (length(hyp) != length(ref)) badlen++
		errs += align(ref, hyp)
	}
	# Edit distance with a backtrace that counts each confusion.
	function align(s, t,    i, j, m, l, d, a, b, c) {
		m = length(s); l = length(t)
		for (i = 0; i <= m; i++) d[i, 0] = i
		for (j = 0; j <= l; j++) d[0, j] = j
		for (i = 1; i <= m; i++)
			for (j = 1; j <= l; j++) {
				a = d[i-1, j-1] + (substr(s, i, 1) != substr(t, j, 1))
				b = d[i-1, j] + 1; c = d[i, j-1] + 1
				d[i, j] = a <= b && a <= c ? a : (b <= c ? b : c)
			}
		i = m; j = l
		while (i > 0 || j > 0) {
			if (i > 0 && j > 0 && d[i, j] == d[i-1, j-1] + \
			    (substr(s, i, 1) != substr(t, j, 1))) {
				if (substr(s, i, 1) != substr(t, j, 1))
					conf[substr(s, i, 1) ">" substr(t, j, 1)]++
				i--; j--
			} else if (i > 0 && d[i, j] == d[i-1, j] + 1) {
				conf[substr(s, i, 1) ">-"]++; i--
			} else {
				conf["->" substr(t, j, 1)]++; j--
			}
		}
		return d[m, l]
	}
	END {
		p = n ? exact / n : 0; z = 1.96
		c = (p + z*z / (2*n)) / (1 + z*z / n)
		h = z * sqrt(p * (1 - p) / n + z*z / (4*n*n)) / (1 + z*z / n)
		lo = c - h < 0 ? 0 : c - h
		printf "%s: %d of %d read exactly: %.1f %% (95 %% CI %.1f-%.1f); ",
		    title, exact, n, 100 * p, 100 * lo, 100 * (c + h)
		printf "digit accuracy %.1f %%; wrong length %d\n",
		    100 * (1 - errs / digits), badlen
		k = 0
		for (x in conf) k++
		# The ten commonest confusions, most frequent first.
		line = "  confusions:"
		for (r = 0; r < 10 && k > 0; r++) {
			best = ""
			for (x in conf)
				if (best == "" || conf[x] > conf[best]) best = x
			line = line " " best " " conf[best]
			delete conf[best]; k--
		}
		print line
		printf "%.2f\n", 100 * p
	}' "$work/answers" "$work/$1.hyp"
}

decode grammar "$total" -jsgf "$here/digits.gram"
score grammar "digit grammar" >"$work/grammar.out"
head -n -1 "$work/grammar.out"
exact=$(tail -n 1 "$work/grammar.out")

[ "$nlm" -le "$total" ] || nlm=$total
if [ "$nlm" -gt 0 ]; then
	head -n "$nlm" "$work/answers" >"$work/answers.lm"
	decode lm "$nlm" -lm "$model/en-us.lm.bin"
	cp "$work/answers.lm" "$work/answers"
	score lm "free language model (lazy bot)" | head -n -1
fi

if awk -v e="$exact" -v f="$floor" 'BEGIN { exit !(e < f) }'; then
	echo "FAIL: $exact % read exactly by the digit grammar, floor $floor %"
	exit 1
fi
echo "ok: $exact % read exactly by the digit grammar, floor $floor %"
