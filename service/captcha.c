/*
 * captcha.c: the image CAPTCHA renderer (see captcha.h).
 *
 * How a picture is made, in the order of captcha_render_png():
 *
 *  1. All random choices are drawn first, in scale-1 units, from a pool
 *     of bytes that randombytes_buf_deterministic() makes from the seed.
 *     The number of draws never depends on the answer's symbols or on
 *     the scale, so scale 2 is the same picture as scale 1.
 *  2. Each symbol becomes a "tile": an 8-bit coverage image sampled from
 *     the glyph that captcha_init() pre-rendered (the atlas), through one
 *     inverse mapping that scales, rotates and applies the symbol's own
 *     sine warp.  The mapping is separable into a per-row and a per-column
 *     term, so the inner loop is two additions and a bilinear fetch.
 *  3. Tiles are placed left to right on a coverage canvas: each tile's
 *     height follows a sine baseline plus a zigzag (neighbours alternately
 *     higher and lower), and its x is chosen from the rows where both it
 *     and the symbols before it have ink, so that neighbours are 1-3 px
 *     apart at the tightest row (never overlapping).
 *  4. The canvas is resampled through a gentle global warp, thresholded,
 *     and written as ink over a background of a few decorative ellipses,
 *     as palette indices.
 *  5. ink_hollow() turns the inside of every stroke into a light fill,
 *     leaving a dark outline: people read the filled shapes, a generic
 *     OCR engine binarises them into double contours.
 *  6. Four thin wavy lines, a fifth of a stroke wide, in the ink's colour,
 *     cross the whole text; png_encode() has libgd write the PNG.
 *
 * The design goal (docs/captcha.md): readers read the picture at a glance
 * (5 symbols of 13 without look-alikes, large, upright within 14 degrees,
 * contrast >= 7:1), and generic OCR (Tesseract) reads <= 1 % of them; a
 * model trained on this generator is stopped by the proof of work and
 * the limits, not by the picture.
 *
 * libgd and FreeType run only in captcha_init(): rendering touches
 * nothing but the read-only atlas and tables, which makes it thread-safe
 * and fast (no hinting, no font cache lock, no glyph loading, no zlib
 * state per request).  About 5,000 pictures a second on one core.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gd.h>
#include <sodium.h>

#include "captcha.h"

/*
 * One symbol of each group of look-alikes.  The first reader panel
 * confused P/R, U/W/N/M, X/K/H, J/T, L/7, 3/S/E and 9/G/P; the classic
 * pairs are 0/O/Q/D, 1/I/L, 2/Z, 4/A, 5/S, 6/C/G, 8/B, F/E and V/U.
 * captcha_answer_fold() maps every dropped symbol onto the one kept from
 * its group.  fonts/make-fonts.sh subsets the fonts to a superset (the
 * alphabet of the first generation), so the fonts did not change.
 */
const char captcha_alphabet[CAPTCHA_ALPHABET_SIZE + 1] = "ADEGHLMPSTUXY";

/* M_PI is POSIX, not C11. */
#define PI 3.14159265358979323846

/*
 * Sentinels for "no pixel yet".  Not INT_MAX/INT_MIN: a difference of
 * two of them (redge[] - left[] in the layout) must not overflow.
 */
#define NONE_HI 0x3fffffff
#define NONE_LO (-0x3fffffff)

#define NFONTS 3
static const char *const font_files[NFONTS] = {
    "BandocCaptchaSans-Bold.ttf",
    "BandocCaptchaSerif-Bold.ttf",
    "BandocCaptchaMono-Bold.ttf",
};

/*
 * Em size of the atlas glyphs, in scale-1 pixels: a little above the
 * largest width a symbol is drawn at (EM_MAX * (1 + SIZE_VAR) = 62.4).
 * Heights are stretched up to TALL_MAX more; bilinear sampling followed
 * by the threshold keeps such outlines smooth.
 */
#define ATLAS_EM 64
/* Largest base em, in scale-1 pixels; long answers get smaller ones. */
#define EM_MAX 52.0
/* Size varies per symbol by +-10 % around the base em. */
#define SIZE_VAR 0.10
/*
 * Symbols are stretched vertically by this much per picture: the height
 * is free while the width is not, and taller symbols read better.
 */
#define TALL_MIN 1.1
#define TALL_MAX 1.3
/* Rotation per symbol, degrees either way: gentle. */
#define ROT_MIN 4
#define ROT_MAX 14
/*
 * Neighbours' ink overlaps by 1-4 scale-1 pixels (see overlap_of()) at
 * the tightest row, but a symbol's box may reach at most this many ems
 * into the text before it (which leaves ~1 % of pairs just apart).
 */
#define BOX_OVERLAP 0.3
/*
 * Free space kept around the text, scale-1 pixels, on top of the room
 * that the global warp needs.
 */
#define MARGIN_X 3.0
#define MARGIN_Y 2.0
/* Largest tile side in pixels at scale 2 (the worst case is ~210). */
#define TILE_MAX 256
/* Random bytes per picture: ~600 are drawn, see layout_draw(). */
#define POOL_BYTES 1024
/* Coverage at or above which a pixel is ink. */
#define INK_LEVEL 128
/* Width of the thin lines, scale-1 pixels (strokes are 7-10). */
#define LINE_W_MIN 1.0
#define LINE_W_MAX 1.6
#define NLINES     4
/* Outline width of the hollow symbols, less one, scale-1 pixels. */
#define HOLLOW_R 1
/* Decorative ellipses on the background. */
#define DECO_MIN 3
#define DECO_MAX 5

/*
 * Colour themes: ink (also the thin lines), background, decoration, the
 * fill of the hollow symbols.  The ink has at
 * least 7:1 contrast (WCAG 1.4.6, AAA) against each of the others, which
 * a unit test checks.
 */
static const unsigned long themes[][CAPTCHA_THEME_COLORS] = {
    {0x14203cUL, 0xf7f3eaUL, 0xe6dcc4UL, 0xf2c94cUL},
    {0x231735UL, 0xeef4f7UL, 0xd3e3eaUL, 0xf4a6a0UL},
    {0x123022UL, 0xf6eef2UL, 0xe9d5dfUL, 0xa6dcefUL},
    {0x341616UL, 0xf1f5eaUL, 0xdbe6ccUL, 0xb8e08cUL},
};
#define NTHEMES (sizeof(themes) / sizeof(themes[0]))

/* Palette indices in the output image. */
#define PAL_BG   0
#define PAL_DECO 1
#define PAL_INK  2
#define PAL_FILL 3

/* One pre-rendered glyph: coverage with a blank 1-pixel border. */
struct glyph {
	unsigned char *cov;
	int w, h;
	/* Ink width (scale-1 atlas px) when rotated by i - ROT_MAX deg. */
	float ext[2 * ROT_MAX + 1];
};

struct atlas {
	struct glyph g[CAPTCHA_SCALE_MAX][NFONTS][CAPTCHA_ALPHABET_SIZE];
	/* Vertical stem width of each font, as a fraction of the em. */
	double stem[NFONTS];
};

static struct atlas *atlas;
static char init_error[256];

/*
 * sin() on a table with linear interpolation (error < 1e-6): the render
 * path takes ~1500 sines per picture and libm's cost shows.  Filled by
 * captcha_init(), read-only afterwards.
 */
#define SIN_STEPS 4096
static float sintab[SIN_STEPS + 1];

/* A byte pool and a cursor; see rng_*(). */
struct rng {
	unsigned char pool[POOL_BYTES];
	size_t pos;
};

/* The drawn layout of one symbol, in scale-1 units. */
struct sym {
	int index; /* into captcha_alphabet */
	int font;
	double zoom;                  /* 1 +- SIZE_VAR */
	double tall;                  /* height / width stretch, per picture */
	double angle;                 /* degrees */
	double wamp_x, wlen_x, wph_x; /* local warp, x displaced by y */
	double wamp_y, wlen_y, wph_y; /* local warp, y displaced by x */
	int overlap;                  /* with the symbols before it */
	double jitter;                /* vertical */
};

/* A symbol's tile at the output scale. */
struct tile {
	unsigned char *cov;
	short *left, *right;  /* first/last ink column per row */
	short *span0, *span1; /* columns that may be non-zero */
	int nz0, nz1;         /* first/last row not all zero */
	int w, h;
	int x, y;       /* top-left on the canvas */
	int row0, row1; /* first/last row with ink */
	int colmin;     /* leftmost ink column */
};

/* Per canvas row, the columns that may hold coverage (none if x0 > x1). */
struct rows {
	short x0[CAPTCHA_HEIGHT * CAPTCHA_SCALE_MAX];
	short x1[CAPTCHA_HEIGHT * CAPTCHA_SCALE_MAX];
};

/*
 * A thin wavy line across the picture, in scale-1 units: its own colour,
 * under the ink, never as wide as a stroke (so the eye never takes it for
 * part of a symbol).
 */
struct curve {
	double y0, slope; /* height at the centre, rise per pixel */
	double amp, wlen, phase;
	double width;
};

/* Everything drawn for one picture, in scale-1 units. */
struct layout {
	int n; /* symbols */
	const unsigned long *theme;
	struct sym syms[CAPTCHA_ANSWER_MAX];
	int ncurves;
	struct curve curves[NLINES];
	double gxa, gxl, gxp; /* global warp: x moved along y */
	double gca, gcl, gcp; /* x moved along x */
	double gya, gyl, gyp; /* y moved along x */
	double start;         /* where the slack goes, 0..1 */
	int ndeco;
	double deco[DECO_MAX][4]; /* cx, cy, rx, ry */
	/* Derived from the above. */
	double margin, vmargin;        /* free room, with the warp's */
	double em[CAPTCHA_ANSWER_MAX]; /* per symbol */
	double cy[CAPTCHA_ANSWER_MAX]; /* centre heights */
	double stroke;                 /* mean stem width */
};

static void set_error(const char *, ...) __attribute__((format(printf, 1, 2)));
static void layout_size(struct layout *, double, double, double);

static void
set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(init_error, sizeof(init_error), fmt, ap);
	va_end(ap);
}

static uint32_t
rng_u32(struct rng *r)
{
	uint32_t v;

	/*
	 * The pool is sized well above what a picture draws; wrapping only
	 * repeats cosmetic choices and keeps the request path abort-free.
	 */
	if (r->pos + 4 > sizeof(r->pool))
		r->pos = 0;
	v = (uint32_t)r->pool[r->pos] | (uint32_t)r->pool[r->pos + 1] << 8 |
	    (uint32_t)r->pool[r->pos + 2] << 16 |
	    (uint32_t)r->pool[r->pos + 3] << 24;
	r->pos += 4;
	return v;
}

/* Uniform in [lo, hi). */
static double
rng_real(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * ((double)rng_u32(r) / 4294967296.0);
}

/* Uniform in lo..hi inclusive; the modulo bias is irrelevant here. */
static int
rng_int(struct rng *r, int lo, int hi)
{
	return lo + (int)(rng_u32(r) % (uint32_t)(hi - lo + 1));
}

static double
fsin(double x)
{
	/* The offset keeps t positive for |x| < 10^5, so the cast floors. */
	double t = x * (SIN_STEPS / (2.0 * PI)) + (double)SIN_STEPS * 16384.0;
	long i = (long)t;
	double f = t - (double)i;
	int k = (int)(i & (SIN_STEPS - 1));

	return sintab[k] + (sintab[k + 1] - sintab[k]) * f;
}

static int
clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void
rows_init(struct rows *r, int h)
{
	int y;

	for (y = 0; y < h; y++) {
		r->x0[y] = SHRT_MAX;
		r->x1[y] = -1;
	}
}

/* Marks columns x0..x1 of row y (0 <= y < h, 0 <= x0, x1 < w). */
static void
rows_add(struct rows *r, int y, int x0, int x1)
{
	if (x0 < r->x0[y])
		r->x0[y] = (short)x0;
	if (x1 > r->x1[y])
		r->x1[y] = (short)x1;
}

static int
symbol_index(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(captcha_alphabet, c);
	return p == NULL ? -1 : (int)(p - captcha_alphabet);
}

/*
 * Renders one symbol with libgd/FreeType on a truecolor scratch image
 * (white on black, antialiased) and crops it to its ink plus a blank
 * border.  Returns 0 / -1.
 */
static int
glyph_render(struct glyph *g, gdImagePtr scratch, const char *path, int em,
             char symbol)
{
	gdFTStringExtra ex;
	char text[2];
	char *err;
	int x, y, x0 = NONE_HI, y0 = NONE_HI, x1 = -1, y1 = -1, ret = -1;

	memset(&ex, 0, sizeof(ex));
	ex.flags = gdFTEX_RESOLUTION | gdFTEX_DISABLE_KERNING;
	ex.hdpi = ex.vdpi = 72; /* so that ptsize is in pixels */
	text[0] = symbol;
	text[1] = '\0';

	/* Opaque black; gdImageFilledRectangle() is a pixel at a time. */
	for (y = 0; y < scratch->sy; y++)
		memset(scratch->tpixels[y], 0,
		       (size_t)scratch->sx * sizeof(scratch->tpixels[y][0]));
	err = gdImageStringFTEx(scratch, NULL, 0xffffff, path, (double)em, 0.0,
	                        em / 2, em * 3 / 2, text, &ex);
	if (err != NULL) {
		set_error("%s: %s", path, err);
		goto done;
	}
	for (y = 0; y < scratch->sy; y++)
		for (x = 0; x < scratch->sx; x++)
			if (gdTrueColorGetGreen(scratch->tpixels[y][x]) != 0) {
				if (x < x0)
					x0 = x;
				if (x > x1)
					x1 = x;
				if (y < y0)
					y0 = y;
				if (y > y1)
					y1 = y;
			}
	if (x1 < 0) {
		set_error("%s: no glyph for '%c'", path, symbol);
		goto done;
	}
	if (x0 == 0 || y0 == 0 || x1 == scratch->sx - 1 ||
	    y1 == scratch->sy - 1) {
		set_error("%s: glyph '%c' does not fit", path, symbol);
		goto done;
	}
	g->w = x1 - x0 + 3;
	g->h = y1 - y0 + 3;
	g->cov = calloc((size_t)g->w * (size_t)g->h, 1);
	if (g->cov == NULL) {
		set_error("out of memory");
		goto done;
	}
	for (y = y0; y <= y1; y++)
		for (x = x0; x <= x1; x++)
			g->cov[(size_t)(y - y0 + 1) * (size_t)g->w +
			       (size_t)(x - x0 + 1)] =
			    (unsigned char)gdTrueColorGetGreen(
			        scratch->tpixels[y][x]);
	ret = 0;
done:
	return ret;
}

/*
 * Fills g->ext: the width of g's ink rotated by each whole degree.  Per
 * row only the outermost ink pixels can be extreme, since |angle| < 90.
 */
static void
glyph_extents(struct glyph *g)
{
	int a, y, l, r;

	for (a = -ROT_MAX; a <= ROT_MAX; a++) {
		double t = (double)a * PI / 180.0, c = cos(t), s = sin(t);
		double lo = 1e9, hi = -1e9, v;

		for (y = 0; y < g->h; y++) {
			const unsigned char *row =
			    g->cov + (size_t)y * (size_t)g->w;

			for (l = 0; l < g->w && row[l] < INK_LEVEL; l++)
				;
			if (l == g->w)
				continue;
			for (r = g->w - 1; row[r] < INK_LEVEL; r--)
				;
			v = c * (double)l - s * (double)y;
			lo = v < lo ? v : lo;
			v = c * (double)(r + 1) - s * (double)y;
			hi = v > hi ? v : hi;
			/* The pixel's other corners, vertically. */
			v = c * (double)l - s * (double)(y + 1);
			lo = v < lo ? v : lo;
			v = c * (double)(r + 1) - s * (double)(y + 1);
			hi = v > hi ? v : hi;
		}
		g->ext[a + ROT_MAX] = (float)(hi - lo);
	}
}

/*
 * Returns an upper bound of g's ink width (atlas px) rotated by ai -
 * ROT_MAX degrees and stretched vertically by tall: stretching adds at
 * most |sin| times the added height.
 */
static double
glyph_width(const struct glyph *g, int ai, double tall)
{
	double s = sin((ai - ROT_MAX) * PI / 180.0);

	return g->ext[ai] + fabs(s) * g->h * (tall - 1.0);
}

/*
 * Returns the width of the first vertical stem of g, a quarter down from
 * its top (for 'H': above the bar), in pixels, from its coverage sum.
 */
static double
glyph_stem(const struct glyph *g)
{
	const unsigned char *row = g->cov + (size_t)(g->h / 4) * (size_t)g->w;
	int x = 0;
	unsigned sum = 0;

	while (x < g->w && row[x] == 0)
		x++;
	while (x < g->w && row[x] != 0)
		sum += row[x++];
	return (double)sum / 255.0;
}

static void
atlas_free(struct atlas *a)
{
	int s, f, i;

	if (a == NULL)
		return;
	for (s = 0; s < CAPTCHA_SCALE_MAX; s++)
		for (f = 0; f < NFONTS; f++)
			for (i = 0; i < CAPTCHA_ALPHABET_SIZE; i++)
				free(a->g[s][f][i].cov);
	free(a);
}

int
captcha_init(const char *fonts_dir)
{
	struct atlas *a = NULL;
	gdImagePtr scratch = NULL;
	char path[4096];
	FILE *fp;
	int s, f, i, n, ret = -1;

	init_error[0] = '\0';
	for (i = 0; i <= SIN_STEPS; i++)
		sintab[i] = (float)sin(2.0 * PI * i / SIN_STEPS);
	if (fonts_dir == NULL) {
		set_error("no fonts directory");
		goto done;
	}
	if (sodium_init() < 0) {
		set_error("sodium_init failed");
		goto done;
	}
	if (gdFontCacheSetup() != 0) {
		set_error("gdFontCacheSetup failed");
		goto done;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		set_error("out of memory");
		goto done;
	}
	for (s = 0; s < CAPTCHA_SCALE_MAX; s++) {
		int em = ATLAS_EM * (s + 1);

		if (scratch != NULL)
			gdImageDestroy(scratch);
		if ((scratch = gdImageCreateTrueColor(2 * em, 2 * em)) ==
		    NULL) {
			set_error("out of memory");
			goto done;
		}
		for (f = 0; f < NFONTS; f++) {
			n = snprintf(path, sizeof(path), "%s/%s", fonts_dir,
			             font_files[f]);
			if (n < 0 || (size_t)n >= sizeof(path)) {
				set_error("fonts directory name too long");
				goto done;
			}
			/* libgd's own message for a missing file is vague. */
			if ((fp = fopen(path, "rb")) == NULL) {
				set_error("%s: %s", path, strerror(errno));
				goto done;
			}
			(void)fclose(fp);
			for (i = 0; i < CAPTCHA_ALPHABET_SIZE; i++)
				if (glyph_render(&a->g[s][f][i], scratch, path,
				                 em, captcha_alphabet[i]) == -1)
					goto done;
		}
	}
	for (f = 0; f < NFONTS; f++) {
		for (i = 0; i < CAPTCHA_ALPHABET_SIZE; i++)
			glyph_extents(&a->g[0][f][i]);
		a->stem[f] = glyph_stem(&a->g[0][f][symbol_index('H')]) /
		             (double)ATLAS_EM;
	}
	atlas_free(atlas);
	atlas = a;
	a = NULL;
	ret = 0;
done:
	if (scratch != NULL)
		gdImageDestroy(scratch);
	atlas_free(a);
	return ret;
}

void
captcha_shutdown(void)
{
	atlas_free(atlas);
	atlas = NULL;
	gdFontCacheShutdown();
}

const char *
captcha_strerror(void)
{
	return init_error;
}

void
captcha_answer_new(char out[CAPTCHA_ANSWER_MAX + 1])
{
	uint32_t n, i;

	n = CAPTCHA_ANSWER_MIN +
	    randombytes_uniform(CAPTCHA_ANSWER_MAX - CAPTCHA_ANSWER_MIN + 1);
	for (i = 0; i < n; i++)
		out[i] = captcha_alphabet[randombytes_uniform(
		    CAPTCHA_ALPHABET_SIZE)];
	out[n] = '\0';
}

int
captcha_answer_valid(const char *answer)
{
	size_t n;

	if (answer == NULL)
		return 0;
	for (n = 0; answer[n] != '\0'; n++)
		if (n == CAPTCHA_ANSWER_MAX || symbol_index(answer[n]) < 0)
			return 0;
	return n >= CAPTCHA_ANSWER_MIN;
}

/* Returns the symbol byte b folds to, 0 to drop it, -1 if it is bad. */
static int
fold_byte(unsigned char b)
{
	if (b >= 'a' && b <= 'z')
		b = (unsigned char)(b - 'a' + 'A');
	switch (b) {
	case ' ':
	case '\t':
	case '-':
	case '_':
	case '.':
		return 0;
	case '0':
	case 'O':
	case 'Q':
		return 'D';
	case '1':
	case 'I':
	case '7':
		return 'L';
	case '3':
	case '5':
		return 'S';
	case '6':
	case '9':
	case 'C':
		return 'G';
	case 'V':
		return 'U';
	case 'N':
	case 'W':
		return 'M';
	case 'K':
		return 'X';
	case 'R':
		return 'P';
	case 'J':
		return 'T';
	case 'F':
		return 'E';
	case '4':
		return 'A';
	default:
		return symbol_index((char)b) < 0 ? -1 : (int)b;
	}
}

int
captcha_answer_fold(const char *in, size_t len, char *out, size_t outsz)
{
	size_t i, n = 0;
	int c, ret = -1;

	if (outsz == 0)
		return -1;
	out[0] = '\0';
	if (in == NULL && len != 0)
		goto done;
	if (len > CAPTCHA_FOLD_INPUT_MAX)
		goto done;
	for (i = 0; i < len; i++) {
		if ((c = fold_byte((unsigned char)in[i])) < 0)
			goto done;
		if (c == 0)
			continue;
		if (n == CAPTCHA_ANSWER_MAX || n + 1 >= outsz)
			goto done;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	ret = (int)n;
done:
	if (ret < 0)
		out[0] = '\0';
	return ret;
}

size_t
captcha_theme_count(void)
{
	return NTHEMES;
}

int
captcha_theme_get(size_t i, unsigned long rgb[CAPTCHA_THEME_COLORS])
{
	if (i >= NTHEMES)
		return -1;
	memcpy(rgb, themes[i], sizeof(themes[i]));
	return 0;
}

/* Bilinear fetch of an 8-bit image in 24.8 fixed point; 0 outside. */
static inline unsigned
sample(const unsigned char *img, int w, int h, int fx, int fy)
{
	const unsigned char *p;
	/* A negative coordinate wraps to a huge one and fails the test. */
	unsigned ix = (unsigned)fx >> 8, iy = (unsigned)fy >> 8;
	unsigned ax, ay, top, bot;

	if (ix >= (unsigned)w - 1 || iy >= (unsigned)h - 1)
		return 0;
	p = img + (size_t)iy * (size_t)w + ix;
	if ((p[0] | p[1] | p[w] | p[w + 1]) == 0)
		return 0;
	ax = (unsigned)fx & 255;
	ay = (unsigned)fy & 255;
	top = p[0] * (256 - ax) + p[1] * ax;
	bot = p[w] * (256 - ax) + p[w + 1] * ax;
	return (top * (256 - ay) + bot * ay) >> 16;
}

static int
to_fixed(double v)
{
	double t = v * 256.0;

	return t >= 0.0 ? (int)(t + 0.5) : -(int)(0.5 - t);
}

/*
 * Sizes t for symbol y drawn at em px (output scale sc): the rotated,
 * scaled glyph plus room for the local warp.
 */
static void
tile_size(struct tile *t, const struct glyph *g, const struct sym *y, double em,
          int sc)
{
	double k = em / (double)(ATLAS_EM * sc);
	double t_ = y->angle * PI / 180.0, c = fabs(cos(t_)), s = fabs(sin(t_));
	double room =
	    (y->wamp_x > y->wamp_y ? y->wamp_x : y->wamp_y) * sc + 2.0;

	double gh = g->h * y->tall;

	t->w = 2 * (int)ceil(k * (c * g->w + s * gh) / 2.0 + room);
	t->h = 2 * (int)ceil(k * (s * g->w + c * gh) / 2.0 + room);
}

/*
 * Sets *tx0..*tx1 to the tile columns of a row whose glyph coordinates
 * can lie inside g, given the row's terms cx, cy (glyph pixels), the
 * rotation's cosine c (> 0) and sine s, the scales k (x) and ky (y) and
 * the amplitude ay of the column warp.  An empty span has *tx0 > *tx1.
 */
static void
row_span(int tw, double cx, double cy, const struct glyph *g, double c,
         double s, double k, double ky, double ay, int *tx0, int *tx1)
{
	double ex = fabs(s) * ay / k, ey = c * ay / ky, lo, hi, l2, h2;

	lo = k * (-cx - ex) / c;
	hi = k * (g->w - 1 - cx + ex) / c;
	if (s > 1e-9 || s < -1e-9) {
		l2 = ky * (cy - (g->h - 1) - ey) / s;
		h2 = ky * (cy + ey) / s;
		if (l2 > h2) {
			double t = l2;

			l2 = h2;
			h2 = t;
		}
		lo = l2 > lo ? l2 : lo;
		hi = h2 < hi ? h2 : hi;
	} else if (cy + ey <= 0.0 || cy - ey >= g->h - 1)
		hi = lo - 1.0;
	*tx0 = clampi((int)floor(lo - 0.5 + tw / 2.0) - 1, 0, tw);
	*tx1 = clampi((int)ceil(hi - 0.5 + tw / 2.0) + 1, -1, tw - 1);
}

/*
 * Samples glyph g into tile t (already sized, cov zeroed by the caller)
 * through scale, stretch, rotation and the symbol's local warp, and
 * records the ink profile.  Every pixel (u, v) of the tile, relative to
 * its centre, reads the glyph at S^-1 R(-angle) (u + dx(v), v + dy(u)),
 * S = diag(k, k * tall); expanded, both glyph coordinates are a column
 * term plus a row term.
 */
static void
tile_render(struct tile *t, const struct glyph *g, const struct sym *y,
            double em, int sc)
{
	int colx[TILE_MAX], coly[TILE_MAX], rowx[TILE_MAX], rowy[TILE_MAX];
	double k = em / (double)(ATLAS_EM * sc), ky = k * y->tall;
	double a = y->angle * PI / 180.0, c = cos(a), s = sin(a);
	double ax = y->wamp_x * sc, ay = y->wamp_y * sc;
	double lx = y->wlen_x * sc, ly = y->wlen_y * sc;
	int tx, ty;

	for (tx = 0; tx < t->w; tx++) {
		double u = tx + 0.5 - t->w / 2.0;
		double dv = ay * fsin(2.0 * PI * u / ly + y->wph_y);

		colx[tx] = to_fixed((c * u + s * dv) / k);
		coly[tx] = to_fixed((-s * u + c * dv) / ky);
	}
	for (ty = 0; ty < t->h; ty++) {
		double v = ty + 0.5 - t->h / 2.0;
		double du = ax * fsin(2.0 * PI * v / lx + y->wph_x);

		rowx[ty] = to_fixed((c * du + s * v) / k + g->w / 2.0 - 0.5);
		rowy[ty] = to_fixed((-s * du + c * v) / ky + g->h / 2.0 - 0.5);
	}
	t->row0 = -1;
	t->row1 = -1;
	t->nz0 = -1;
	t->nz1 = -1;
	t->colmin = t->w;
	for (ty = 0; ty < t->h; ty++) {
		unsigned char *out = t->cov + (size_t)ty * (size_t)t->w;
		int l = -1, r = -1, tx0, tx1;
		unsigned any = 0;

		/*
		 * Sample only the columns whose glyph coordinates can fall
		 * inside the glyph: about 40 % of a rotated tile is outside.
		 */
		row_span(t->w, rowx[ty] / 256.0, rowy[ty] / 256.0, g, c, s, k,
		         ky, ay, &tx0, &tx1);
		t->span0[ty] = (short)tx0;
		t->span1[ty] = (short)tx1;
		memset(out, 0, (size_t)t->w);
		for (tx = tx0; tx <= tx1; tx++) {
			unsigned v =
			    sample(g->cov, g->w, g->h, colx[tx] + rowx[ty],
			           coly[tx] + rowy[ty]);

			out[tx] = (unsigned char)v;
			any |= v;
			if (v >= INK_LEVEL) {
				if (l < 0)
					l = tx;
				r = tx;
			}
		}
		t->left[ty] = (short)l;
		t->right[ty] = (short)r;
		if (any != 0) {
			if (t->nz0 < 0)
				t->nz0 = ty;
			t->nz1 = ty;
		}
		if (l >= 0) {
			if (t->row0 < 0)
				t->row0 = ty;
			t->row1 = ty;
			if (l < t->colmin)
				t->colmin = l;
		}
	}
}

/*
 * Paints curve cv into the picture pix with palette index col, as a run
 * of cv->width pixels per column (scale sc).
 */
static void
line_paint(unsigned char *pix, int w, int h, int sc, const struct curve *cv,
           int col)
{
	double wlen = cv->wlen * sc, half = cv->width * sc / 2.0;
	int x, yy;

	/* Off the outermost pixels, like the symbols. */
	for (x = 2 * sc; x < w - 2 * sc; x++) {
		double xc = x + 0.5;
		double yc =
		    cv->y0 * sc + cv->slope * (xc - w / 2.0) +
		    cv->amp * sc * fsin(2.0 * PI * xc / wlen + cv->phase);
		int lo = (int)floor(yc - half + 0.5),
		    hi = (int)floor(yc + half - 0.5);

		for (yy = lo < 1 ? 1 : lo; yy <= hi && yy < h - 1; yy++)
			pix[(size_t)yy * (size_t)w + (size_t)x] =
			    (unsigned char)col;
	}
}

/* Fills an axis-aligned ellipse with palette index col. */
static void
ellipse_fill(unsigned char *pix, int w, int h, double cx, double cy, double rx,
             double ry, int col)
{
	int y, x0, x1;

	for (y = (int)floor(cy - ry); y <= (int)ceil(cy + ry); y++) {
		double dy = (y + 0.5 - cy) / ry, hw;

		if (y < 0 || y >= h || dy <= -1.0 || dy >= 1.0)
			continue;
		hw = rx * sqrt(1.0 - dy * dy);
		x0 = clampi((int)lround(cx - hw), 0, w);
		x1 = clampi((int)lround(cx + hw), 0, w);
		if (x1 > x0)
			memset(pix + (size_t)y * (size_t)w + x0, col,
			       (size_t)(x1 - x0));
	}
}

/*
 * Encodes the w x h picture of palette indices 0..ncolors-1 in pix as a
 * palette PNG with the colours rgb (0xRRGGBB), through libgd (libpng and
 * zlib at the fastest level). Returns a malloc'd buffer, its size in
 * *len, or NULL if out of memory.
 */
static unsigned char *
png_encode(const unsigned char *pix, int w, int h, const unsigned long *rgb,
           int ncolors, size_t *len)
{
	unsigned char *out = NULL;
	gdImagePtr im;
	void *png = NULL;
	int i, y, size = 0;

	if ((im = gdImageCreate(w, h)) == NULL)
		return NULL;
	/* The first colours allocated are indices 0, 1, 2: the picture's
	 * indices can be copied row by row. */
	for (i = 0; i < ncolors; i++)
		if (gdImageColorAllocate(im, (int)(rgb[i] >> 16) & 0xff,
		                         (int)(rgb[i] >> 8) & 0xff,
		                         (int)rgb[i] & 0xff) != i)
			goto done;
	for (y = 0; y < h; y++)
		memcpy(im->pixels[y], pix + (size_t)y * (size_t)w, (size_t)w);
	if ((png = gdImagePngPtrEx(im, &size, 1)) == NULL || size <= 0)
		goto done;
	if ((out = malloc((size_t)size)) != NULL) {
		memcpy(out, png, (size_t)size);
		*len = (size_t)size;
	}
done:
	if (png != NULL)
		gdFree(png);
	gdImageDestroy(im);
	return out;
}

/*
 * Maps 0..9 onto overlaps with weights 3:4:3: a 1 px gap, touching, or
 * 1 px into the neighbour.  More hides a stroke under its neighbour, the
 * first thing the reader panel tripped on (AN read as L).
 */
static int
overlap_of(int v)
{
	return v < 3 ? -3 : v < 7 ? -2 : -1;
}

/*
 * Draws every random choice of a picture into l, in scale-1 units, then
 * derives the sizes and heights.  The draws come in a fixed order and
 * number, whatever the answer and the scale.
 */
static void
layout_draw(struct layout *l, const char *answer,
            const unsigned char seed[CAPTCHA_SEED_BYTES])
{
	struct rng rng;
	int fonts[NFONTS], nfonts, i, j, t;
	double tall, ba, bl, bp, sign, zig;

	randombytes_buf_deterministic(rng.pool, sizeof(rng.pool), seed);
	rng.pos = 0;
	l->n = (int)strlen(answer);
	/* One draw per parameter, written out with its range (the runs of
	 * rng_real() lines repeat in shape only, on purpose): the ranges are
	 * what a reader of this renderer needs to see. */

	l->theme = themes[rng_int(&rng, 0, (int)NTHEMES - 1)];
	/* 2 or 3 of the fonts, in random order. */
	for (i = 0; i < NFONTS; i++)
		fonts[i] = i;
	for (i = NFONTS - 1; i > 0; i--) {
		j = rng_int(&rng, 0, i);
		t = fonts[i];
		fonts[i] = fonts[j];
		fonts[j] = t;
	}
	nfonts = rng_int(&rng, 2, NFONTS);
	tall = rng_real(&rng, TALL_MIN, TALL_MAX);
	zig = rng_int(&rng, 0, 1) ? 1.0 : -1.0;
	for (i = 0; i < l->n; i++) {
		struct sym *y = &l->syms[i];

		y->index = symbol_index(answer[i]);
		y->font = fonts[rng_int(&rng, 0, nfonts - 1)];
		y->zoom = rng_real(&rng, 1.0 - SIZE_VAR, 1.0 + SIZE_VAR);
		y->tall = tall;
		/*
		 * Every symbol leans, by ROT_MIN to ROT_MAX degrees either
		 * way: upright neighbours are what a line OCR reads best.
		 */
		sign = rng_int(&rng, 0, 1) ? 1.0 : -1.0;
		y->angle = sign * rng_real(&rng, ROT_MIN, ROT_MAX);
		y->wamp_x = rng_real(&rng, 0.3, 0.6);
		y->wlen_x = rng_real(&rng, 40.0, 64.0);
		y->wph_x = rng_real(&rng, 0.0, 2.0 * PI);
		y->wamp_y = rng_real(&rng, 0.3, 0.6);
		y->wlen_y = rng_real(&rng, 40.0, 64.0);
		y->wph_y = rng_real(&rng, 0.0, 2.0 * PI);
		/* 1-4 px, the smaller more often (4:3:2:1). */
		y->overlap = overlap_of(rng_int(&rng, 0, 9));
		/*
		 * Neighbours sit alternately higher and lower: people read
		 * a bouncing line at once, a line OCR looks for one baseline.
		 */
		y->jitter =
		    (i % 2 ? 1.0 : -1.0) * zig * rng_real(&rng, 4.0, 9.0);
	}
	l->gxa = rng_real(&rng, 1.0, 2.0);
	l->gxl = rng_real(&rng, 70.0, 120.0);
	l->gxp = rng_real(&rng, 0.0, 2.0 * PI);
	l->gca = rng_real(&rng, 1.0, 1.5);
	l->gcl = rng_real(&rng, 90.0, 150.0);
	l->gcp = rng_real(&rng, 0.0, 2.0 * PI);
	l->gya = rng_real(&rng, 2.0, 4.0);
	l->gyl = rng_real(&rng, 120.0, 220.0);
	l->gyp = rng_real(&rng, 0.0, 2.0 * PI);
	/* Sine baseline. */
	ba = rng_real(&rng, 3.0, 6.0);
	bl = rng_real(&rng, 100.0, 220.0);
	bp = rng_real(&rng, 0.0, 2.0 * PI);
	l->start = rng_real(&rng, 0.0, 1.0);
	/* Thin lines, spread over the height of the text. */
	l->ncurves = NLINES;
	for (i = 0; i < NLINES; i++) {
		struct curve *cv = &l->curves[i];

		cv->y0 = CAPTCHA_HEIGHT * (i + 1.0) / (NLINES + 1.0) +
		         rng_real(&rng, -6.0, 6.0);
		sign = rng_int(&rng, 0, 1) ? 1.0 : -1.0;
		cv->slope = sign * rng_real(&rng, 0.02, 0.12);
		cv->amp = rng_real(&rng, 2.0, 6.0);
		cv->wlen = rng_real(&rng, 60.0, 140.0);
		cv->phase = rng_real(&rng, 0.0, 2.0 * PI);
		cv->width = rng_real(&rng, LINE_W_MIN, LINE_W_MAX);
	}
	l->ndeco = rng_int(&rng, DECO_MIN, DECO_MAX);
	for (i = 0; i < DECO_MAX; i++) {
		l->deco[i][0] = rng_real(&rng, 0.0, CAPTCHA_WIDTH);
		l->deco[i][1] = rng_real(&rng, 0.0, CAPTCHA_HEIGHT);
		l->deco[i][2] = rng_real(&rng, 14.0, 40.0);
		l->deco[i][3] = rng_real(&rng, 8.0, 24.0);
	}
	layout_size(l, ba, bl, bp);
}

/*
 * Sets the ems, centre heights and stroke of l.  The text width is
 * estimated as em * a + b (rotated, stretched ink widths from the atlas,
 * less the overlaps); the base em is the largest up to EM_MAX for which
 * it fits between the margins and the tallest symbol fits the height,
 * the margins leaving room for the global warp.  The baseline is the
 * sine ba * sin(2 pi x / bl + bp).
 */
static void
layout_size(struct layout *l, double ba, double bl, double bp)
{
	double a = 0.0, b = 0.0, em = EM_MAX, cursor, avail, tall, hi, wi;
	int i, ai;

	l->margin = MARGIN_X + l->gxa + l->gca;
	l->vmargin = MARGIN_Y + l->gya;
	for (i = 0; i < l->n; i++) {
		const struct sym *y = &l->syms[i];
		const struct glyph *g = &atlas->g[0][y->font][y->index];
		double t = y->angle * PI / 180.0;

		tall = y->tall;
		ai = clampi((int)lround(y->angle), -ROT_MAX, ROT_MAX) + ROT_MAX;
		a += glyph_width(g, ai, tall) / ATLAS_EM * y->zoom;
		if (i > 0)
			b -= y->overlap;
		hi = (fabs(sin(t)) * g->w + cos(t) * g->h * tall) / ATLAS_EM *
		     y->zoom;
		if ((CAPTCHA_HEIGHT - 2.0 * l->vmargin) / hi < em)
			em = (CAPTCHA_HEIGHT - 2.0 * l->vmargin) / hi;
	}
	avail = CAPTCHA_WIDTH - 2.0 * l->margin;
	if ((avail - b) / a < em)
		em = (avail - b) / a;

	cursor = l->margin;
	l->stroke = 0.0;
	for (i = 0; i < l->n; i++) {
		const struct sym *y = &l->syms[i];
		const struct glyph *g = &atlas->g[0][y->font][y->index];

		ai = clampi((int)lround(y->angle), -ROT_MAX, ROT_MAX) + ROT_MAX;
		wi = glyph_width(g, ai, y->tall) / ATLAS_EM * y->zoom * em;
		l->em[i] = em * y->zoom;
		l->cy[i] = CAPTCHA_HEIGHT / 2.0 + y->jitter +
		           ba * sin(2.0 * PI * (cursor + wi / 2.0) / bl + bp);
		cursor += wi - y->overlap;
		l->stroke += atlas->stem[y->font] * l->em[i];
	}
	l->stroke /= l->n;
}

/* Scales the symbols of l, and so the stroke, by f. */
static void
layout_shrink(struct layout *l, double f)
{
	int i;

	for (i = 0; i < l->n; i++)
		l->em[i] *= f;
	l->stroke *= f;
}

/*
 * Sizes and renders the tiles of l at scale sc, in one allocation that is
 * returned in *arena (the caller frees it).  Returns 0 / -1.
 */
static int
tiles_make(struct tile tiles[], unsigned char **arena, const struct layout *l,
           int sc)
{
	size_t size = 0, off = 0;
	int i;

	*arena = NULL;
	for (i = 0; i < l->n; i++) {
		const struct sym *y = &l->syms[i];

		tile_size(&tiles[i], &atlas->g[sc - 1][y->font][y->index], y,
		          l->em[i] * sc, sc);
		if (tiles[i].w > TILE_MAX || tiles[i].h > TILE_MAX)
			return -1; /* cannot happen, see TILE_MAX */
		size += (size_t)tiles[i].w * (size_t)tiles[i].h +
		        4 * sizeof(short) * (size_t)tiles[i].h;
	}
	if ((*arena = malloc(size)) == NULL)
		return -1;
	/* The shorts first, so that they stay aligned. */
	for (i = 0; i < l->n; i++) {
		tiles[i].left = (short *)(void *)(*arena + off);
		off += sizeof(short) * (size_t)tiles[i].h;
		tiles[i].right = (short *)(void *)(*arena + off);
		off += sizeof(short) * (size_t)tiles[i].h;
		tiles[i].span0 = (short *)(void *)(*arena + off);
		off += sizeof(short) * (size_t)tiles[i].h;
		tiles[i].span1 = (short *)(void *)(*arena + off);
		off += sizeof(short) * (size_t)tiles[i].h;
	}
	for (i = 0; i < l->n; i++) {
		const struct sym *y = &l->syms[i];

		tiles[i].cov = *arena + off;
		off += (size_t)tiles[i].w * (size_t)tiles[i].h;
		tile_render(&tiles[i], &atlas->g[sc - 1][y->font][y->index], y,
		            l->em[i] * sc, sc);
		if (tiles[i].row0 < 0)
			return -1; /* cannot happen: atlas glyphs have ink */
	}
	return 0;
}

/*
 * Places the tiles on a w x h canvas: heights from the layout, clamped
 * to the margins; each x from the rows where the tile and the ones before
 * it have ink, so that they overlap by the drawn amount at the tightest
 * row; then the whole text is shifted to a random spot between the
 * margins.  Returns how many pixels too wide the text is for the margins
 * (0 if it fits, which the width estimate makes almost certain).
 */
static int
tiles_place(struct tile tiles[], const struct layout *l, int sc, int w, int h)
{
	int redge[CAPTCHA_HEIGHT * CAPTCHA_SCALE_MAX];
	int xl = NONE_HI, xr = NONE_LO, vpad, pad, slack, shift, i, r, cr;

	vpad = (int)lround(l->vmargin * sc);
	pad = (int)lround(l->margin * sc);
	for (r = 0; r < h; r++)
		redge[r] = NONE_LO;
	for (i = 0; i < l->n; i++) {
		struct tile *t = &tiles[i];
		int best = NONE_LO, ov = l->syms[i].overlap * sc, bx;

		t->y = (int)lround(l->cy[i] * sc) - t->h / 2;
		t->y = clampi(t->y, vpad - t->row0, h - 1 - vpad - t->row1);
		if (i == 0)
			t->x = -t->colmin;
		else {
			for (r = t->row0; r <= t->row1; r++) {
				cr = t->y + r;
				/* The em bound keeps cr in range; be sure. */
				if (cr < 0 || cr >= h || t->left[r] < 0 ||
				    redge[cr] == NONE_LO)
					continue;
				if (redge[cr] - t->left[r] > best)
					best = redge[cr] - t->left[r];
			}
			if (best == NONE_LO) /* no shared row */
				best = xr - t->colmin;
			t->x = best + 1 - ov;
			/*
			 * Rows alone would tuck a symbol under the foot of an
			 * L or the arm of a T; keep its box from reaching more
			 * than BOX_OVERLAP em into the text before it.
			 */
			bx = xr - (int)lround(BOX_OVERLAP * l->em[i] * sc) -
			     t->colmin;
			if (t->x < bx)
				t->x = bx;
		}
		for (r = t->row0; r <= t->row1; r++) {
			cr = t->y + r;
			if (t->right[r] < 0)
				continue;
			if (cr >= 0 && cr < h && t->x + t->right[r] > redge[cr])
				redge[cr] = t->x + t->right[r];
			if (t->x + t->right[r] > xr)
				xr = t->x + t->right[r];
		}
		if (t->x + t->colmin < xl)
			xl = t->x + t->colmin;
	}
	slack = (w - 2 * pad) - (xr - xl + 1);
	shift = pad + (int)lround(l->start * (slack > 0 ? slack : 0)) - xl;
	if (xr + shift > w - 1 - pad)
		shift = w - 1 - pad - xr;
	if (xl + shift < pad)
		shift = pad - xl;
	for (i = 0; i < l->n; i++)
		tiles[i].x += shift;
	return slack < 0 ? -slack : 0;
}

/* Max-composes the tiles onto the canvas, marking the rows in ink. */
static void
tiles_compose(unsigned char *canvas, int w, int h, const struct tile tiles[],
              int n, struct rows *ink)
{
	int i, r, cx, cy, c0, c1;

	for (i = 0; i < n; i++) {
		const struct tile *t = &tiles[i];

		/* Only the span that tile_render() sampled can be non-zero. */
		for (r = t->nz0; r <= t->nz1; r++) {
			const unsigned char *src =
			    t->cov + (size_t)r * (size_t)t->w;
			unsigned char *dst;

			cy = t->y + r;
			if (cy < 0 || cy >= h)
				continue;
			c0 = t->x + t->span0[r] < 0 ? -t->x : t->span0[r];
			c1 = t->x + t->span1[r] >= w ? w - t->x
			                             : t->span1[r] + 1;
			if (c1 <= c0)
				continue;
			rows_add(ink, cy, t->x + c0, t->x + c1 - 1);
			dst = canvas + (size_t)cy * (size_t)w +
			      (size_t)(t->x + c0);
			src += c0;
			/* Branch-free, so that the compiler vectorises it. */
			for (cx = 0; cx < c1 - c0; cx++)
				dst[cx] = src[cx] > dst[cx] ? src[cx] : dst[cx];
		}
	}
}

/*
 * Paints the w x h picture of palette indices pix: background,
 * decoration, then the canvas resampled through the global warp and
 * thresholded into ink.  Only the pixels whose source can be a marked
 * canvas pixel are looked at: the warp moves nothing further than its
 * amplitudes.
 */
static void
picture_paint(unsigned char *pix, const struct layout *l,
              const unsigned char *canvas, int sc, int w, int h,
              const struct rows *ink)
{
	int dxr[CAPTCHA_HEIGHT * CAPTCHA_SCALE_MAX];
	int dxc[CAPTCHA_WIDTH * CAPTCHA_SCALE_MAX];
	int dyc[CAPTCHA_WIDTH * CAPTCHA_SCALE_MAX];
	int x, y, i, r, dmx, dmy, x0, x1;

	memset(pix, PAL_BG, (size_t)w * (size_t)h);
	for (i = 0; i < l->ndeco; i++)
		ellipse_fill(pix, w, h, l->deco[i][0] * sc, l->deco[i][1] * sc,
		             l->deco[i][2] * sc, l->deco[i][3] * sc, PAL_DECO);

	for (y = 0; y < h; y++)
		dxr[y] = to_fixed(l->gxa * sc *
		                  fsin(2.0 * PI * y / (l->gxl * sc) + l->gxp));
	for (x = 0; x < w; x++) {
		dxc[x] = to_fixed(l->gca * sc *
		                  fsin(2.0 * PI * x / (l->gcl * sc) + l->gcp)) +
		         (x << 8);
		dyc[x] = to_fixed(l->gya * sc *
		                  fsin(2.0 * PI * x / (l->gyl * sc) + l->gyp));
	}
	dmx = (int)ceil((l->gxa + l->gca) * sc) + 2;
	dmy = (int)ceil(l->gya * sc) + 2;
	for (y = 0; y < h; y++) {
		unsigned char *row = pix + (size_t)y * (size_t)w;

		x0 = SHRT_MAX;
		x1 = -1;
		for (r = y - dmy < 0 ? 0 : y - dmy; r <= y + dmy && r < h;
		     r++) {
			x0 = ink->x0[r] < x0 ? ink->x0[r] : x0;
			x1 = ink->x1[r] > x1 ? ink->x1[r] : x1;
		}
		x0 = x0 - dmx < 0 ? 0 : x0 - dmx;
		x1 = x1 + dmx > w - 1 ? w - 1 : x1 + dmx;
		for (x = x0; x <= x1; x++)
			if (sample(canvas, w, h, dxr[y] + dxc[x],
			           dyc[x] + (y << 8)) >= INK_LEVEL)
				row[x] = PAL_INK;
	}
}

/*
 * Turns the inside of the ink into fill: an ink pixel whose whole
 * (2r+1)^2 square is ink becomes col, so that each symbol is drawn as a
 * dark outline r+1 px wide around a light body.  A person reads the
 * filled shape; a generic OCR engine, which binarises first, sees two
 * thin contours per stroke.  tmp holds w * h bytes.
 */
static void
ink_hollow(unsigned char *pix, unsigned char *tmp, int w, int h, int r, int col)
{
	int x, y, run;

	/* Horizontal pass: tmp = 1 where the row's 2r+1 window is all ink. */
	for (y = 0; y < h; y++) {
		const unsigned char *row = pix + (size_t)y * (size_t)w;
		unsigned char *out = tmp + (size_t)y * (size_t)w;

		memset(out, 0, (size_t)w);
		for (x = 0, run = 0; x < w; x++) {
			run = row[x] == PAL_INK ? run + 1 : 0;
			if (run >= 2 * r + 1)
				out[x - r] = 1;
		}
	}
	/* Vertical pass over tmp. */
	for (x = 0; x < w; x++)
		for (y = 0, run = 0; y < h; y++) {
			run = tmp[(size_t)y * (size_t)w + (size_t)x] ? run + 1
			                                             : 0;
			if (run >= 2 * r + 1)
				pix[(size_t)(y - r) * (size_t)w + (size_t)x] =
				    (unsigned char)col;
		}
}

int
captcha_render_png(const char *answer,
                   const unsigned char seed[CAPTCHA_SEED_BYTES], int scale,
                   unsigned char **png, size_t *len)
{
	struct layout l;
	struct tile tiles[CAPTCHA_ANSWER_MAX];
	struct rows ink;
	unsigned long palette[CAPTCHA_THEME_COLORS];
	unsigned char *canvas = NULL, *arena = NULL, *pix = NULL, *buf;
	size_t size;
	int w, h, try, over, i, ret = -1;

	if (answer == NULL || seed == NULL || png == NULL || len == NULL ||
	    (scale != 1 && scale != 2) || atlas == NULL ||
	    !captcha_answer_valid(answer))
		goto done;
	w = CAPTCHA_WIDTH * scale;
	h = CAPTCHA_HEIGHT * scale;

	layout_draw(&l, answer, seed);
	for (try = 0;; try++) {
		if (tiles_make(tiles, &arena, &l, scale) == -1)
			goto done;
		over = tiles_place(tiles, &l, scale, w, h);
		if (over == 0 || try == 2)
			break;
		/*
		 * About 1 picture in 10,000 comes out a pixel or two too
		 * wide: shrink it to fit and render the tiles again.
		 */
		layout_shrink(
		    &l, 1.0 - (over + 1.0) /
		                  (w - 2.0 * (double)lround(l.margin * scale)));
		free(arena);
		arena = NULL;
	}
	if ((canvas = calloc((size_t)w * (size_t)h, 1)) == NULL ||
	    (pix = malloc((size_t)w * (size_t)h)) == NULL)
		goto done;
	rows_init(&ink, h);
	tiles_compose(canvas, w, h, tiles, l.n, &ink);
	picture_paint(pix, &l, canvas, scale, w, h, &ink);
	ink_hollow(pix, canvas, w, h, HOLLOW_R * scale, PAL_FILL);
	for (i = 0; i < l.ncurves; i++)
		line_paint(pix, w, h, scale, &l.curves[i], PAL_INK);

	palette[PAL_BG] = l.theme[1];
	palette[PAL_DECO] = l.theme[2];
	palette[PAL_INK] = l.theme[0];
	palette[PAL_FILL] = l.theme[3];
	if ((buf = png_encode(pix, w, h, palette, CAPTCHA_THEME_COLORS,
	                      &size)) == NULL)
		goto done;
	*png = buf;
	*len = size;
	ret = 0;
done:
	free(pix);
	free(canvas);
	free(arena);
	return ret;
}
