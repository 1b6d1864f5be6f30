#!/bin/sh
# Regenerates the per-digit recordings used by the audio CAPTCHA
# (service/audio.c): voices/<lang>/<digit>.wav, 16 kHz mono s16le PCM,
# trimmed of leading and trailing silence, peak-normalised to -1 dBFS.
#
# Needs espeak-ng and sox (Debian: apt-get install espeak-ng sox).
# Run from anywhere; it writes next to itself.  See README.md.
set -eu

LC_ALL=C.UTF-8
export LC_ALL

dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

for tool in espeak-ng sox; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "make-voices.sh: $tool not found;" \
		    "run: apt-get install espeak-ng sox" >&2
		exit 1
	fi
done

# render lang voice speed digit word
render() {
	mkdir -p "$dir/$1"
	espeak-ng -v "$2" -s "$3" -w "$tmp/raw.wav" "$5"
	# -D: no dither, so that the output is reproducible bit for bit.
	# gain -3 leaves headroom for the resampler; silence, reverse,
	# silence, reverse trims both ends at -60 dBFS (0.1 %), low enough
	# to keep quiet final consonants such as the "t" of "mot".  The fade
	# pass is separate because fade needs the length, which is unknown
	# after silence; its short ramps avoid clicks where the trim cut.
	# norm -1 then peaks every digit at -1 dBFS.
	sox -D "$tmp/raw.wav" -b 16 -e signed-integer "$tmp/trim.wav" \
	    gain -3 rate -v 16000 channels 1 \
	    silence 1 0.01 0.1% reverse silence 1 0.01 0.1% reverse
	sox -D "$tmp/trim.wav" "$dir/$1/$4.wav" fade q 0.005 -0 0.010 norm -1
}

# English uses espeak-ng's variant "klatt4" (espeak-ng-data/voices/!v/
# klatt4, which sets "klatt 4": the Klatt formant synthesiser instead of
# the default one).  With the default synthesiser the English digits'
# long onsets (the "n" of "nine", the "s" of "six" and "seven") were
# heard as extra digits by the speech-recognition check.  Vietnamese
# keeps the default synthesiser: with klatt4 its tones' pitch movements
# came out about half as wide, and nothing can check Vietnamese but a
# native listener.  See README.md.
#
# Speeds (words per minute, espeak-ng default 175) are a little slower
# than normal so that each digit stays clear after the renderer's speed
# jitter; the Vietnamese voice speaks monosyllables quickly, so it gets
# the slower setting.
set -- không một hai ba bốn năm sáu bảy tám chín
d=0
for w in "$@"; do
	render vi vi 100 "$d" "$w"
	d=$((d + 1))
done

set -- zero one two three four five six seven eight nine
d=0
for w in "$@"; do
	render en en-us+klatt4 150 "$d" "$w"
	d=$((d + 1))
done
