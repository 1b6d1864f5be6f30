/*
 * Unit tests for service/captcha.c: answers, folding, rendering.
 *
 * The fonts are read from $BANDOC_FONTS_DIR, default "fonts" (run from
 * the top of the tree).
 */
#define _POSIX_C_SOURCE 200809L /* pthreads */

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gd.h>
#include <sodium.h>

#include "captcha.h"

#define PNG_MAX_SCALE1 4096
#ifndef RANDOM_RENDERS /* -DRANDOM_RENDERS=20000 for a soak */
#define RANDOM_RENDERS 200
#endif
#define NTHREADS   4
#define PER_THREAD 25

_Static_assert(CAPTCHA_SEED_BYTES == randombytes_SEEDBYTES,
               "seed size must match libsodium's");

/* Seed number i, fixed so that a failure can be replayed. */
static void
seed_for(unsigned i, unsigned char seed[CAPTCHA_SEED_BYTES])
{
	unsigned char key[randombytes_SEEDBYTES] = "bandoc captcha unit test";

	key[30] = (unsigned char)i;
	key[31] = (unsigned char)(i >> 8);
	randombytes_buf_deterministic(seed, CAPTCHA_SEED_BYTES, key);
}

static int
setup(void **state)
{
	const char *dir = getenv("BANDOC_FONTS_DIR");

	(void)state;
	if (dir == NULL || dir[0] == '\0')
		dir = "fonts";
	if (captcha_init(dir) != 0) {
		fprintf(stderr, "captcha_init(%s): %s\n", dir,
		        captcha_strerror());
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	captcha_shutdown();
	return 0;
}

static unsigned char *
render(const char *answer, const unsigned char *seed, int scale, size_t *len)
{
	unsigned char *png = NULL;

	assert_int_equal(captcha_render_png(answer, seed, scale, &png, len), 0);
	assert_non_null(png);
	assert_true(*len > 8);
	return png;
}

static gdImagePtr
decode(const unsigned char *png, size_t len)
{
	gdImagePtr im;

	assert_true(len < 1024 * 1024);
	im = gdImageCreateFromPngPtr((int)len, (void *)(uintptr_t)png);
	assert_non_null(im);
	return im;
}

/* WCAG 2 relative luminance of 0xRRGGBB. */
static double
luminance(unsigned long rgb)
{
	double c[3];
	int i;

	c[0] = (double)(rgb >> 16 & 0xff) / 255.0;
	c[1] = (double)(rgb >> 8 & 0xff) / 255.0;
	c[2] = (double)(rgb & 0xff) / 255.0;
	for (i = 0; i < 3; i++)
		c[i] = c[i] <= 0.04045 ? c[i] / 12.92
		                       : pow((c[i] + 0.055) / 1.055, 2.4);
	return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}

static double
contrast(unsigned long a, unsigned long b)
{
	double la = luminance(a), lb = luminance(b);

	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static void
test_alphabet(void **state)
{
	/*
	 * The look-alikes the first reader panel confused (P/R, U/W/N/M,
	 * X/K/H, J/T, L/7, 3/S/E, 9/G/P) keep one of each group at most;
	 * 0/O/Q/D, 1/I/L, 2/Z, 4/A, 5/S, 6/G, 8/B, C/G, F/E, V/U likewise.
	 */
	const char *bad = "0O1IQ2Z4B5V6F8CRWNKJ379";
	char out[16];
	size_t i, j;

	(void)state;
	assert_int_equal(strlen(captcha_alphabet), CAPTCHA_ALPHABET_SIZE);
	for (i = 0; i < CAPTCHA_ALPHABET_SIZE; i++) {
		char c = captcha_alphabet[i];

		assert_true((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
		for (j = i + 1; j < CAPTCHA_ALPHABET_SIZE; j++)
			assert_int_not_equal(c, captcha_alphabet[j]);
		/* Every symbol folds to itself. */
		assert_int_equal(captcha_answer_fold(&c, 1, out, sizeof(out)),
		                 1);
		assert_int_equal(out[0], c);
	}
	for (i = 0; bad[i] != '\0'; i++)
		assert_null(strchr(captcha_alphabet, bad[i]));
}

static void
test_answer_new(void **state)
{
	int lengths[CAPTCHA_ANSWER_MAX + 1] = {0};
	int seen[CAPTCHA_ALPHABET_SIZE] = {0};
	char a[CAPTCHA_ANSWER_MAX + 1];
	size_t n, i;
	int k;

	(void)state;
	for (k = 0; k < 3000; k++) {
		memset(a, 'x', sizeof(a));
		captcha_answer_new(a);
		n = strlen(a);
		assert_in_range(n, CAPTCHA_ANSWER_MIN, CAPTCHA_ANSWER_MAX);
		lengths[n]++;
		assert_int_equal(n, 5);
		for (i = 0; i < n; i++) {
			const char *p = strchr(captcha_alphabet, a[i]);

			assert_non_null(p);
			seen[p - captcha_alphabet]++;
		}
		assert_true(captcha_answer_valid(a));
	}
	assert_int_equal(lengths[5], 3000);
	for (i = 0; i < CAPTCHA_ALPHABET_SIZE; i++)
		assert_true(seen[i] > 900); /* ~1154 each */
}

static void
test_answer_valid(void **state)
{
	(void)state;
	assert_true(captcha_answer_valid("ADEGH"));
	assert_true(captcha_answer_valid("LMPSY"));
	assert_false(captcha_answer_valid("ADEGHL"));
	assert_false(captcha_answer_valid("ADEGK"));
	assert_false(captcha_answer_valid(NULL));
	assert_false(captcha_answer_valid(""));
	assert_false(captcha_answer_valid("ADEG"));
	assert_false(captcha_answer_valid("ADEGHTUX"));
	assert_false(captcha_answer_valid("adegh"));
	assert_false(captcha_answer_valid("ADEGB"));
	assert_false(captcha_answer_valid("ADEG0"));
	assert_false(captcha_answer_valid("ADE H"));
}

static void
expect_fold(const char *in, size_t len, int want, const char *folded)
{
	char out[CAPTCHA_ANSWER_MAX + 1];

	memset(out, 'x', sizeof(out));
	assert_int_equal(captcha_answer_fold(in, len, out, sizeof(out)), want);
	assert_string_equal(out, folded);
}

static void
test_fold(void **state)
{
	char out[CAPTCHA_ANSWER_MAX + 1];
	char big[CAPTCHA_FOLD_INPUT_MAX + 1];

	(void)state;
	/* Case and separators. */
	expect_fold("adegh", 5, 5, "ADEGH");
	expect_fold("AdEgH", 5, 5, "ADEGH");
	expect_fold(" a-d_e.g h\t", 11, 5, "ADEGH");
	expect_fold("AD-EG-H", 7, 5, "ADEGH");
	/* Confusables, each onto the one symbol of its group. */
	expect_fold("0oQ1i", 5, 5, "DDDLL");
	expect_fold("56cvf", 5, 5, "SGGUE");
	expect_fold("4a4A7", 5, 5, "AAAAL");
	expect_fold("O1S5Q", 5, 5, "DLSSD");
	expect_fold("RNWKJ", 5, 5, "PMMXT");
	expect_fold("39rkw", 5, 5, "SGPXM");
	/* Empty and all-separator input fold to "" (0), matching nothing. */
	expect_fold("", 0, 0, "");
	expect_fold(NULL, 0, 0, "");
	expect_fold(" - . _ ", 7, 0, "");
	/* Too many symbols, or too long before folding. */
	expect_fold("ADEGHL", 6, -1, "");
	memset(big, ' ', sizeof(big));
	memcpy(big, "ADEGH", 5);
	expect_fold(big, CAPTCHA_FOLD_INPUT_MAX, 5, "ADEGH");
	expect_fold(big, sizeof(big), -1, "");
	/* Bad bytes: not in the alphabet, punctuation, NUL, non-ASCII. */
	expect_fold("ADEGB", 5, -1, "");
	expect_fold("ADEG2", 5, -1, "");
	expect_fold("ADEG8", 5, -1, "");
	expect_fold("ADEGZ", 5, -1, "");
	expect_fold("AD,EG", 5, -1, "");
	expect_fold("AD\0EG", 5, -1, "");
	expect_fold("AD\xc3\x89GH", 6, -1, ""); /* "ADÉGH" */
	expect_fold("ADEG\xff", 5, -1, "");
	expect_fold("\xef\xbc\xa1"
	            "DEGH",
	            7, -1, ""); /* full-width A */
	/* Output too small, and no output at all. */
	memset(out, 'x', sizeof(out));
	assert_int_equal(captcha_answer_fold("ADEGH", 5, out, 3), -1);
	assert_string_equal(out, "");
	assert_int_equal(captcha_answer_fold("ADEGH", 5, out, 6), 5);
	assert_int_equal(captcha_answer_fold("ADEGH", 5, out, 0), -1);
}

/* Random bytes: either -1 or alphabet symbols only, and 8-bit bytes fail. */
static void
test_fold_random(void **state)
{
	unsigned char in[24];
	char out[CAPTCHA_ANSWER_MAX + 1];
	int k, r;
	size_t i, len;

	(void)state;
	for (k = 0; k < 20000; k++) {
		int high = 0;

		len = randombytes_uniform(sizeof(in) + 1);
		randombytes_buf(in, len);
		/* Mostly printable ASCII, to get past the first byte. */
		for (i = 0; i < len; i++) {
			if (randombytes_uniform(8) != 0)
				in[i] = (unsigned char)(32 + in[i] % 95);
			high |= in[i] >= 0x80;
		}
		r = captcha_answer_fold((const char *)in, len, out,
		                        sizeof(out));
		if (r < 0) {
			assert_string_equal(out, "");
			continue;
		}
		assert_false(high);
		assert_in_range(r, 0, CAPTCHA_ANSWER_MAX);
		assert_int_equal(strlen(out), (size_t)r);
		for (i = 0; i < (size_t)r; i++)
			assert_non_null(strchr(captcha_alphabet, out[i]));
	}
}

static void
test_render_deterministic(void **state)
{
	unsigned char seed[CAPTCHA_SEED_BYTES], seed2[CAPTCHA_SEED_BYTES];
	unsigned char *a, *b, *c;
	size_t la, lb, lc;
	int scale;

	(void)state;
	seed_for(1, seed);
	seed_for(2, seed2);
	for (scale = 1; scale <= 2; scale++) {
		a = render("ADEGH", seed, scale, &la);
		b = render("ADEGH", seed, scale, &lb);
		c = render("ADEGH", seed2, scale, &lc);
		assert_int_equal(la, lb);
		assert_memory_equal(a, b, la);
		assert_true(la != lc || memcmp(a, c, la) != 0);
		free(c);
		/* Another answer, same seed: another picture. */
		c = render("ADEGL", seed, scale, &lc);
		assert_true(la != lc || memcmp(a, c, la) != 0);
		free(a);
		free(b);
		free(c);
	}
}

/* Decodes, checks size, palette, contrast and that ink stays off the edge. */
static void
check_picture(const unsigned char *png, size_t len, int scale)
{
	gdImagePtr im = decode(png, len);
	unsigned long rgb[gdMaxColors];
	unsigned long used = 0;
	int x, y, i, ink = -1, n;

	assert_int_equal(gdImageSX(im), CAPTCHA_WIDTH * scale);
	assert_int_equal(gdImageSY(im), CAPTCHA_HEIGHT * scale);
	assert_false(gdImageTrueColor(im));
	n = gdImageColorsTotal(im);
	assert_in_range(n, 2, CAPTCHA_THEME_COLORS);
	for (i = 0; i < n; i++)
		rgb[i] = (unsigned long)gdImageRed(im, i) << 16 |
		         (unsigned long)gdImageGreen(im, i) << 8 |
		         (unsigned long)gdImageBlue(im, i);
	for (y = 0; y < gdImageSY(im); y++)
		for (x = 0; x < gdImageSX(im); x++)
			used |= 1UL << gdImageGetPixel(im, x, y);
	/* The ink is the darkest colour, and there is some. */
	for (i = 0; i < n; i++)
		if (ink < 0 || luminance(rgb[i]) < luminance(rgb[ink]))
			ink = i;
	assert_true(used & 1UL << ink);
	/* WCAG 1.4.6 (AAA): ink against every other colour used, >= 7:1. */
	for (i = 0; i < n; i++)
		if (i != ink && (used & 1UL << i))
			assert_true(contrast(rgb[ink], rgb[i]) >= 7.0);
	/* No ink on the outermost pixels: nothing was clipped. */
	for (x = 0; x < gdImageSX(im); x++) {
		assert_int_not_equal(gdImageGetPixel(im, x, 0), ink);
		assert_int_not_equal(gdImageGetPixel(im, x, gdImageSY(im) - 1),
		                     ink);
	}
	for (y = 0; y < gdImageSY(im); y++) {
		assert_int_not_equal(gdImageGetPixel(im, 0, y), ink);
		assert_int_not_equal(gdImageGetPixel(im, gdImageSX(im) - 1, y),
		                     ink);
	}
	gdImageDestroy(im);
}

static void
test_render_decodes(void **state)
{
	unsigned char seed[CAPTCHA_SEED_BYTES];
	unsigned char *png;
	size_t len;

	(void)state;
	seed_for(3, seed);
	png = render("ADEGH", seed, 1, &len);
	check_picture(png, len, 1);
	free(png);
	png = render("ADEGH", seed, 2, &len);
	check_picture(png, len, 2);
	free(png);
}

/* Many random answers and seeds: size bound and picture checks. */
static void
test_render_random(void **state)
{
	unsigned char seed[CAPTCHA_SEED_BYTES];
	char answer[CAPTCHA_ANSWER_MAX + 1];
	unsigned char *png;
	size_t len, max1 = 0, max2 = 0, sum1 = 0, sum2 = 0;
	unsigned i;

	(void)state;
	for (i = 0; i < RANDOM_RENDERS; i++) {
		captcha_answer_new(answer);
		seed_for(1000 + i, seed);
		png = render(answer, seed, 1, &len);
		assert_true(len <= PNG_MAX_SCALE1);
		max1 = len > max1 ? len : max1;
		sum1 += len;
		check_picture(png, len, 1);
		free(png);
		if (i % 4 == 0) {
			png = render(answer, seed, 2, &len);
			/* Not a product limit; a regression guard. */
			assert_true(len <= 4 * PNG_MAX_SCALE1);
			max2 = len > max2 ? len : max2;
			sum2 += len;
			check_picture(png, len, 2);
			free(png);
		}
	}
	printf("[ info     ] PNG bytes: scale 1 mean %zu max %zu, "
	       "scale 2 mean %zu max %zu\n",
	       sum1 / RANDOM_RENDERS, max1, sum2 / (RANDOM_RENDERS / 4), max2);
}

static void
test_render_bad_args(void **state)
{
	unsigned char seed[CAPTCHA_SEED_BYTES];
	unsigned char *png = (unsigned char *)"untouched";
	size_t len = 42;

	(void)state;
	seed_for(4, seed);
	assert_int_equal(captcha_render_png("ADEG", seed, 1, &png, &len), -1);
	assert_int_equal(captcha_render_png("ADEGHL", seed, 1, &png, &len), -1);
	assert_int_equal(captcha_render_png("ADEGK", seed, 1, &png, &len), -1);
	assert_int_equal(captcha_render_png("adegh", seed, 1, &png, &len), -1);
	assert_int_equal(captcha_render_png("ADEGB", seed, 1, &png, &len), -1);
	assert_int_equal(captcha_render_png(NULL, seed, 1, &png, &len), -1);
	assert_int_equal(captcha_render_png("ADEGH", NULL, 1, &png, &len), -1);
	assert_int_equal(captcha_render_png("ADEGH", seed, 0, &png, &len), -1);
	assert_int_equal(captcha_render_png("ADEGH", seed, 3, &png, &len), -1);
	assert_int_equal(captcha_render_png("ADEGH", seed, 1, NULL, &len), -1);
	assert_int_equal(captcha_render_png("ADEGH", seed, 1, &png, NULL), -1);
	assert_string_equal((const char *)png, "untouched");
	assert_int_equal(len, 42);
}

static void
test_themes_contrast(void **state)
{
	unsigned long rgb[CAPTCHA_THEME_COLORS];
	size_t i;
	int j;

	(void)state;
	assert_true(captcha_theme_count() >= 1);
	for (i = 0; i < captcha_theme_count(); i++) {
		assert_int_equal(captcha_theme_get(i, rgb), 0);
		for (j = 1; j < CAPTCHA_THEME_COLORS; j++)
			assert_true(contrast(rgb[0], rgb[j]) >= 7.0);
	}
	assert_int_equal(captcha_theme_get(captcha_theme_count(), rgb), -1);
}

struct job {
	unsigned first;
	unsigned char digest[PER_THREAD][crypto_generichash_BYTES];
	int failed;
};

static void
digest_of(unsigned i, unsigned char out[crypto_generichash_BYTES], int *failed)
{
	unsigned char seed[CAPTCHA_SEED_BYTES];
	unsigned char *png = NULL;
	size_t len;
	const char *answers[] = {"ADEGH", "LMPST", "UXYAD", "EGHLM"};

	seed_for(5000 + i, seed);
	if (captcha_render_png(answers[i % 4], seed, 1 + (int)(i % 2), &png,
	                       &len) != 0) {
		*failed = 1;
		return;
	}
	crypto_generichash(out, crypto_generichash_BYTES, png, len, NULL, 0);
	free(png);
}

static void *
worker(void *arg)
{
	struct job *j = arg;
	unsigned k;

	for (k = 0; k < PER_THREAD; k++)
		digest_of(j->first + k, j->digest[k], &j->failed);
	return NULL;
}

/* Renders from several threads at once give what one thread gives. */
static void
test_render_threads(void **state)
{
	static struct job jobs[NTHREADS];
	pthread_t tid[NTHREADS];
	unsigned char want[crypto_generichash_BYTES];
	int t, k, failed = 0;

	(void)state;
	for (t = 0; t < NTHREADS; t++) {
		jobs[t].first = (unsigned)t * PER_THREAD;
		jobs[t].failed = 0;
		assert_int_equal(
		    pthread_create(&tid[t], NULL, worker, &jobs[t]), 0);
	}
	for (t = 0; t < NTHREADS; t++) {
		assert_int_equal(pthread_join(tid[t], NULL), 0);
		assert_false(jobs[t].failed);
	}
	for (t = 0; t < NTHREADS; t++)
		for (k = 0; k < PER_THREAD; k++) {
			digest_of(jobs[t].first + (unsigned)k, want, &failed);
			assert_false(failed);
			assert_memory_equal(want, jobs[t].digest[k],
			                    sizeof(want));
		}
}

/* A failed init reports why and keeps the loaded fonts working. */
static void
test_init_failure(void **state)
{
	unsigned char seed[CAPTCHA_SEED_BYTES];
	unsigned char *png;
	size_t len;

	(void)state;
	assert_int_equal(captcha_init("/nonexistent/fonts"), -1);
	assert_true(strlen(captcha_strerror()) > 0);
	assert_int_equal(captcha_init(NULL), -1);
	seed_for(6, seed);
	png = render("ADEGH", seed, 1, &len);
	free(png);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alphabet),
	    cmocka_unit_test(test_answer_new),
	    cmocka_unit_test(test_answer_valid),
	    cmocka_unit_test(test_fold),
	    cmocka_unit_test(test_fold_random),
	    cmocka_unit_test(test_render_deterministic),
	    cmocka_unit_test(test_render_decodes),
	    cmocka_unit_test(test_render_random),
	    cmocka_unit_test(test_render_bad_args),
	    cmocka_unit_test(test_themes_contrast),
	    cmocka_unit_test(test_render_threads),
	    cmocka_unit_test(test_init_failure),
	};

	return cmocka_run_group_tests_name("captcha_render", tests, setup,
	                                   teardown);
}
