#!/bin/sh
# Regenerates the CAPTCHA fonts in this directory from Debian's DejaVu fonts.
#
# Each font is subset to the CAPTCHA alphabet, stripped of all hinting
# (unhinted outlines rasterise much faster and hinting is pointless for
# glyphs that are rotated and warped anyway), and renamed, because the
# Bitstream Vera licence allows modified fonts only under names that contain
# neither "Bitstream" nor "Vera" (and the Arev licence likewise for "Arev").
#
# Needs the Debian packages fonts-dejavu-core and python3-fonttools.
# The output is byte-for-byte reproducible: timestamps are pinned to the
# source font's creation date.
#
# Usage: fonts/make-fonts.sh [OUTDIR]   (default: the directory of this script)

set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
src=${DEJAVU_DIR:-/usr/share/fonts/truetype/dejavu}
python=/usr/bin/python3

# A superset of captcha_alphabet in service/captcha.c (the first generation's
# alphabet; the second uses 13 of these symbols).
alphabet=ADEGHJKLMNPRSTUWXY379

mkdir -p "$out"

"$python" - "$src" "$out" "$alphabet" <<'PY'
import sys
from fontTools import subset
from fontTools.ttLib import TTFont

src, out, alphabet = sys.argv[1], sys.argv[2], sys.argv[3]

# (source file, new family, new file base, description of the source)
FONTS = [
    ("DejaVuSans-Bold.ttf", "Bandoc Captcha Sans",
     "BandocCaptchaSans-Bold", "DejaVu Sans Bold"),
    ("DejaVuSerifCondensed-Bold.ttf", "Bandoc Captcha Serif",
     "BandocCaptchaSerif-Bold", "DejaVu Serif Condensed Bold"),
    ("DejaVuSansMono-Bold.ttf", "Bandoc Captcha Mono",
     "BandocCaptchaMono-Bold", "DejaVu Sans Mono Bold"),
]

licence = None
for srcfile, family, base, origin in FONTS:
    font = TTFont(src + "/" + srcfile, recalcTimestamp=False)
    version = font["name"].getName(5, 3, 1, 0x409).toUnicode()
    if licence is None:
        licence = font["name"].getName(13, 3, 1, 0x409).toUnicode()

    opts = subset.Options()
    opts.hinting = False            # --no-hinting
    opts.desubroutinize = True      # --desubroutinize
    opts.layout_features = []       # no GSUB/GPOS: single glyphs only
    opts.name_IDs = ["*"]
    opts.name_languages = [0x409]
    opts.name_legacy = False
    opts.notdef_outline = False     # empty .notdef: a missing glyph has no ink
    opts.glyph_names = False
    opts.drop_tables += ["FFTM", "kern", "gasp", "GSUB", "GPOS", "GDEF"]
    sub = subset.Subsetter(options=opts)
    sub.populate(unicodes=[ord(c) for c in alphabet])
    sub.subset(font)

    name = font["name"]
    name.names = [n for n in name.names if n.nameID not in (16, 17)]
    ps = base
    full = family + " Bold"
    name.setName(family, 1, 3, 1, 0x409)
    name.setName("Bold", 2, 3, 1, 0x409)
    name.setName(full + "; " + version + "; bandoc", 3, 3, 1, 0x409)
    name.setName(full, 4, 3, 1, 0x409)
    name.setName(ps, 6, 3, 1, 0x409)
    name.setName("Modified (subset to the bandoc CAPTCHA alphabet, hinting "
                 "removed) copy of " + origin + " " + version +
                 ". Renamed as the Bitstream Vera licence requires for "
                 "modified fonts.", 10, 3, 1, 0x409)

    head = font["head"]
    head.modified = head.created
    font.save(out + "/" + base + ".ttf")

with open(out + "/LICENSE", "w", encoding="utf-8") as f:
    f.write(licence.replace("\r\n", "\n").rstrip("\n") + "\n")
PY

cp /usr/share/doc/fonts-dejavu-core/copyright "$out/COPYRIGHT.debian"
