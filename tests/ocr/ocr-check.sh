#!/bin/bash
# OCR robustness check for the image CAPTCHA.
#
#   tests/ocr/ocr-check.sh DIR
#
# DIR holds NNNN.png images and answers.tsv ("NNNN.png<TAB>ANSWER" lines),
# e.g. from `captcha_render_bench --sample DIR 200`.  Every image is read by
# tesseract restricted to the CAPTCHA alphabet, in --psm 7 (one line) and
# --psm 8 (one word), on three variants: the raw image, an Otsu-thresholded
# copy, and that copy scaled 2x (tests/ocr/threshold.c, built on the fly
# unless $OCR_THRESHOLD names a built one).  An image counts as read exactly
# if ANY of the six readings equals its answer (whitespace removed, case
# ignored).  Prints the exactly-read count and the per-character accuracy
# of the best reading of each image (1 - edit distance / answer length,
# at least 0), and exits 1 if more than 1 % of the images were read
# exactly, 2 on bad usage or a missing tool, 0 otherwise.
#
# Why 1 % and not none: the images are random, so "none of 200" fails at
# random once the true rate is above zero. CI's runs read 0, 0, 0 and 1
# of 200 (a rate near 0.1 %, char accuracy 25-28 %): at that rate "none"
# fails one run in six, "more than 2 of 200" about one in a thousand.
# 1 % is the usual line past which a CAPTCHA counts as broken by
# automated reading.
#
# Needs: tesseract-ocr (Debian package), gcc and libgd-dev for threshold.c.
# $OCR_JOBS sets the parallelism (default: number of CPUs).

set -euo pipefail

# Must match captcha_alphabet in service/captcha.c.
ALPHABET=${OCR_ALPHABET:-ADEGHLMPSTUXY}

if [ $# -ne 1 ] || [ ! -f "$1/answers.tsv" ]; then
	echo "usage: $0 DIR   (DIR holds NNNN.png and answers.tsv)" >&2
	exit 2
fi
dir=$1
if ! command -v tesseract >/dev/null 2>&1; then
	echo "$0: tesseract not found (apt-get install tesseract-ocr)" >&2
	exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

thr=${OCR_THRESHOLD:-}
if [ -z "$thr" ]; then
	thr=$work/threshold
	if ! gcc -std=c11 -O2 "$here/threshold.c" -lgd -o "$thr"; then
		echo "$0: cannot build threshold.c (needs libgd-dev)" >&2
		exit 2
	fi
fi

# One image: prints "name<TAB>answer<TAB>variant<TAB>reading" lines.
read_one() {
	local name=$1 answer=$2 base variant img psm out
	base=$work/${name%.png}
	"$thr" "$dir/$name" "$base.thr.png" 1
	"$thr" "$dir/$name" "$base.thr2.png" 2
	for variant in raw thr thr2; do
		case $variant in
		raw) img=$dir/$name ;;
		thr) img=$base.thr.png ;;
		thr2) img=$base.thr2.png ;;
		esac
		for psm in 7 8; do
			out=$(OMP_THREAD_LIMIT=1 tesseract "$img" stdout \
			    --psm "$psm" \
			    -c tessedit_char_whitelist="$ALPHABET" \
			    2>/dev/null | tr -d '[:space:]' | tr '[:lower:]' '[:upper:]')
			printf '%s\t%s\t%s-psm%s\t%s\n' "$name" "$answer" \
			    "$variant" "$psm" "$out"
		done
	done
}
export -f read_one
export dir work thr ALPHABET

jobs=${OCR_JOBS:-$(nproc)}
tr -d '\r' < "$dir/answers.tsv" | awk -F'\t' 'NF >= 2 && $1 != "" {
	print $1 "\t" $2 }' |
    xargs -P "$jobs" -n 1 -d '\n' bash -c \
	'IFS=$(printf "\t") read -r n a <<< "$1"; read_one "$n" "$a"' _ \
    > "$work/readings.tsv"

awk -F'\t' '
function min3(a, b, c) { return a < b ? (a < c ? a : c) : (b < c ? b : c) }
function edit(s, t,    i, j, m, n, d) {
	m = length(s); n = length(t)
	for (i = 0; i <= m; i++) d[i, 0] = i
	for (j = 0; j <= n; j++) d[0, j] = j
	for (i = 1; i <= m; i++)
		for (j = 1; j <= n; j++)
			d[i, j] = min3(d[i-1, j] + 1, d[i, j-1] + 1,
			    d[i-1, j-1] + (substr(s, i, 1) != substr(t, j, 1)))
	return d[m, n]
}
{
	name = $1; ans = toupper($2); out = $4
	if (!(name in best)) { best[name] = 0; images++ }
	acc = 1 - edit(out, ans) / length(ans)
	if (acc < 0) acc = 0
	if (acc > best[name]) best[name] = acc
	if (out == ans) { exact[name] = 1; hit[$3]++ }
	vacc[$3] += acc; vn[$3]++
}
END {
	for (n in exact) nexact++
	for (n in best) sum += best[n]
	for (v in vn)
		printf "  %-10s exact %d, char accuracy %.1f %%\n", v, hit[v] + 0,
		    100 * vacc[v] / vn[v]
	printf "images: %d, read exactly: %d, char accuracy (best reading per image): %.1f %%\n",
	    images, nexact + 0, images ? 100 * sum / images : 0
	for (n in exact) print "  read exactly: " n
	exit nexact * 100 > images ? 1 : 0
}' "$work/readings.tsv"
