/*
 * test_audio.c: unit tests for the audio CAPTCHA (service/audio.c).
 *
 * Linked with tests/unit/embed_shim.c, which reads the voices from
 * $BANDOC_EMBED_ROOT (default "service"): run from the repository root.
 * The tests run in order: the first ones check that audio_init() refuses
 * missing or broken voices before the real ones are loaded.
 */

#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sodium.h>

#include "audio.h"

#define HDR    AUDIO_WAV_HEADER_BYTES
#define MS(ms) ((size_t)AUDIO_RATE / 1000 * (ms))

/* Bounds the tests hold the renderer to. */
#define DUR_MIN_MS 2000 /* 5 short digits, short gaps */
#define DUR_MAX_MS 6300 /* the 6.2 s target plus rounding */
#define SIZE_AIM   (200 * 1024)
/*
 * Speech over the background of the lead: the background is only the
 * steady noise bed now (no babble, docs/captcha.md "Audio"), about 28 dB
 * under the nominal speech; 24.7 dB or more is measured.  20 dB fails if
 * babble or a louder bed comes back without anyone deciding so.
 */
#define SNR_MIN_DB 20.0
#define RMS_MIN_DB (-40.0) /* whole file: clearly not silent */
#define BG_MIN_DB  (-75.0) /* the background exists */

static uint32_t
le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
set_le16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8 & 0xff);
}

static void
set_le32(unsigned char *p, uint32_t v)
{
	set_le16(p, v & 0xffff);
	set_le16(p + 2, v >> 16);
}

static double
sample(const unsigned char *wav, size_t k)
{
	int32_t s = (int32_t)le16(wav + HDR + 2 * k);

	if (s >= 32768)
		s -= 65536;
	return (double)s / 32768.0;
}

static double
db(double rms)
{
	return 20.0 * log10(rms > 1e-12 ? rms : 1e-12);
}

static double
rms_of(const unsigned char *wav, size_t from, size_t to)
{
	double sum = 0.0;
	size_t k;

	for (k = from; k < to; k++)
		sum += sample(wav, k) * sample(wav, k);
	return to > from ? sqrt(sum / (double)(to - from)) : 0.0;
}

static void
seed_of(unsigned char seed[AUDIO_SEED_BYTES], uint32_t n)
{
	memset(seed, 0, AUDIO_SEED_BYTES);
	set_le32(seed, n);
	seed[31] = 0xa5;
}

/* Renders or fails the test. */
static unsigned char *
render(const char *digits, enum audio_lang lang, uint32_t seedn, size_t *len)
{
	unsigned char seed[AUDIO_SEED_BYTES];
	unsigned char *wav = NULL;

	seed_of(seed, seedn);
	assert_int_equal(audio_render_wav(digits, lang, seed, &wav, len), 0);
	assert_non_null(wav);
	return wav;
}

/* Checks the canonical header; returns the number of samples. */
static size_t
check_header(const unsigned char *wav, size_t len)
{
	assert_true(len > HDR);
	assert_true(len <= AUDIO_WAV_MAX_BYTES);
	assert_memory_equal(wav, "RIFF", 4);
	assert_int_equal(le32(wav + 4), len - 8);
	assert_memory_equal(wav + 8, "WAVE", 4);
	assert_memory_equal(wav + 12, "fmt ", 4);
	assert_int_equal(le32(wav + 16), 16);
	assert_int_equal(le16(wav + 20), 1); /* PCM */
	assert_int_equal(le16(wav + 22), 1); /* mono */
	assert_int_equal(le32(wav + 24), 16000);
	assert_int_equal(le32(wav + 28), 32000);
	assert_int_equal(le16(wav + 32), 2);
	assert_int_equal(le16(wav + 34), 16);
	assert_memory_equal(wav + 36, "data", 4);
	assert_int_equal(le32(wav + 40), len - HDR);
	assert_int_equal((len - HDR) % 2, 0);
	return (len - HDR) / 2;
}

/* Builds a canonical 16 kHz mono WAV of n samples of a square wave. */
static unsigned char *
make_wav(size_t n, int amp, size_t *len)
{
	unsigned char *w;
	size_t k;

	*len = HDR + 2 * n;
	assert_non_null(w = calloc(1, *len));
	memcpy(w, "RIFF", 4);
	set_le32(w + 4, (uint32_t)(*len - 8));
	memcpy(w + 8, "WAVEfmt ", 8);
	set_le32(w + 16, 16);
	set_le16(w + 20, 1);
	set_le16(w + 22, 1);
	set_le32(w + 24, 16000);
	set_le32(w + 28, 32000);
	set_le16(w + 32, 2);
	set_le16(w + 34, 16);
	memcpy(w + 36, "data", 4);
	set_le32(w + 40, (uint32_t)(2 * n));
	for (k = 0; k < n; k++)
		set_le16(w + HDR + 2 * k,
		         (uint32_t)((k / 20) % 2 ? amp : -amp) & 0xffff);
	return w;
}

static void
test_init_refuses_missing(void **state)
{
	unsigned char seed[AUDIO_SEED_BYTES] = {0};
	unsigned char *wav = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(setenv("BANDOC_EMBED_ROOT", "/nonexistent", 1), 0);
	assert_int_equal(audio_init(), -1);
	/* Not initialised: rendering is refused, outputs untouched. */
	assert_int_equal(
	    audio_render_wav("12345", AUDIO_LANG_EN, seed, &wav, &len), -1);
	assert_null(wav);
	assert_int_equal(len, 0);
	assert_int_equal(unsetenv("BANDOC_EMBED_ROOT"), 0);
}

/*
 * Puts w as voices/vi/0.wav (the first file audio_init() reads) in a new
 * directory, points BANDOC_EMBED_ROOT at it, and returns audio_init().
 * A new directory each time, because the embed shim caches by path.
 */
static int
init_with_vi0(unsigned char *w, size_t len)
{
	char root[] = "/tmp/test_audio.XXXXXX", path[256];
	FILE *fp;
	int ret;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/voices", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/voices/vi", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/voices/vi/0.wav", root);
	assert_non_null(fp = fopen(path, "wb"));
	assert_int_equal(fwrite(w, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	free(w);

	assert_int_equal(setenv("BANDOC_EMBED_ROOT", root, 1), 0);
	ret = audio_init();
	assert_int_equal(unsetenv("BANDOC_EMBED_ROOT"), 0);

	assert_int_equal(unlink(path), 0);
	snprintf(path, sizeof(path), "%s/voices/vi", root);
	assert_int_equal(rmdir(path), 0);
	snprintf(path, sizeof(path), "%s/voices", root);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(rmdir(root), 0);
	return ret;
}

static void
test_init_refuses_broken(void **state)
{
	unsigned char *w;
	size_t len;

	(void)state;
	/* Silent (valid format, 0.4 s of zeros). */
	w = make_wav(MS(400), 0, &len);
	assert_int_equal(init_with_vi0(w, len), -1);
	/* Too short: 50 ms. */
	w = make_wav(MS(50), 8000, &len);
	assert_int_equal(init_with_vi0(w, len), -1);
	/* Too long: 2 s. */
	w = make_wav(MS(2000), 8000, &len);
	assert_int_equal(init_with_vi0(w, len), -1);
	/* Wrong rate: 22 050 Hz. */
	w = make_wav(MS(400), 8000, &len);
	set_le32(w + 24, 22050);
	set_le32(w + 28, 44100);
	assert_int_equal(init_with_vi0(w, len), -1);
	/* Truncated data chunk. */
	w = make_wav(MS(400), 8000, &len);
	assert_int_equal(init_with_vi0(w, len - 2), -1);
	/* A good vi/0.wav, but vi/1.wav and the rest are missing. */
	w = make_wav(MS(400), 8000, &len);
	assert_int_equal(init_with_vi0(w, len), -1);
}

static void
test_init(void **state)
{
	(void)state;
	assert_int_equal(audio_init(), 0);
	/* Idempotent. */
	assert_int_equal(audio_init(), 0);
}

static void
test_header(void **state)
{
	unsigned char *wav;
	size_t len, n;
	const unsigned char *pcm;

	(void)state;
	wav = render("12345", AUDIO_LANG_VI, 1, &len);
	n = check_header(wav, len);
	/* The parser agrees with the header. */
	assert_int_equal(audio_wav_parse(wav, len, &pcm, &n), 0);
	assert_ptr_equal(pcm, wav + HDR);
	assert_int_equal(n, (len - HDR) / 2);
	free(wav);

	wav = render("908172", AUDIO_LANG_EN, 2, &len);
	check_header(wav, len);
	free(wav);
}

static void
test_deterministic(void **state)
{
	unsigned char *a, *b;
	size_t alen, blen;

	(void)state;
	/* Same digits, lang and seed: identical bytes. */
	a = render("314159", AUDIO_LANG_VI, 7, &alen);
	b = render("314159", AUDIO_LANG_VI, 7, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(b);

	/* Another seed: other bytes. */
	b = render("314159", AUDIO_LANG_VI, 8, &blen);
	assert_true(alen != blen || memcmp(a, b, alen) != 0);
	free(b);

	/* Another language: other bytes. */
	b = render("314159", AUDIO_LANG_EN, 7, &blen);
	assert_true(alen != blen || memcmp(a, b, alen) != 0);
	free(b);

	/* Other digits: other bytes. */
	b = render("314158", AUDIO_LANG_VI, 7, &blen);
	assert_true(alen != blen || memcmp(a, b, alen) != 0);
	free(b);
	free(a);

	/* A seed differing in its last byte only. */
	{
		unsigned char s1[AUDIO_SEED_BYTES], s2[AUDIO_SEED_BYTES];

		seed_of(s1, 9);
		seed_of(s2, 9);
		s2[AUDIO_SEED_BYTES - 1] ^= 1;
		assert_int_equal(
		    audio_render_wav("27182", AUDIO_LANG_EN, s1, &a, &alen), 0);
		assert_int_equal(
		    audio_render_wav("27182", AUDIO_LANG_EN, s2, &b, &blen), 0);
		assert_true(alen != blen || memcmp(a, b, alen) != 0);
		free(a);
		free(b);
	}
}

struct signal_stats {
	size_t minlen, maxlen;
	double snr_min;
};

/* Sorts a few hundred doubles: insertion sort is plenty. */
static void
sort_doubles(double *v, size_t n)
{
	size_t i, k;
	double tmp;

	for (i = 1; i < n; i++) {
		for (k = i; k > 0 && v[k - 1] > v[k]; k--) {
			tmp = v[k];
			v[k] = v[k - 1];
			v[k - 1] = tmp;
		}
	}
}

/*
 * Renders one challenge and checks it: duration and size within bounds,
 * not silent, not clipped, background present in the leading pause, and
 * speech at least SNR_MIN_DB above it.
 */
static void
check_signal(const char *digits, enum audio_lang lang, uint32_t seedn,
             struct signal_stats *st)
{
	unsigned char *wav;
	double *win, bg, speech, snr;
	size_t len, n, nwin, w, k, clipped = 0;

	wav = render(digits, lang, seedn, &len);
	n = check_header(wav, len);
	if (len < st->minlen)
		st->minlen = len;
	if (len > st->maxlen)
		st->maxlen = len;
	assert_true(n >= MS(DUR_MIN_MS));
	assert_true(n <= MS(DUR_MAX_MS));
	assert_true(len < SIZE_AIM);

	assert_true(db(rms_of(wav, 0, n)) > RMS_MIN_DB);
	for (k = 0; k < n; k++)
		if (fabs(sample(wav, k)) >= 32766.0 / 32768.0)
			clipped++;
	assert_int_equal(clipped, 0);

	/* Background only: inside the lead, after the fade-in. */
	bg = rms_of(wav, MS(30), MS(280));
	assert_true(db(bg) > BG_MIN_DB);

	/* Speech: the 90th percentile of 50 ms windows. */
	nwin = n / MS(50);
	assert_non_null(win = calloc(nwin, sizeof(*win)));
	for (w = 0; w < nwin; w++)
		win[w] = rms_of(wav, w * MS(50), (w + 1) * MS(50));
	sort_doubles(win, nwin);
	speech = win[nwin * 9 / 10];
	free(win);

	snr = db(speech) - db(bg);
	if (snr < st->snr_min)
		st->snr_min = snr;
	if (snr < SNR_MIN_DB)
		fail_msg("%s lang %d seed %u: speech %.1f dB, background "
		         "%.1f dB",
		         digits, (int)lang, seedn, db(speech), db(bg));
	free(wav);
}

/* Both languages, every digit, both lengths, many seeds. */
static void
test_signal(void **state)
{
	static const char *const sets[] = {"01234",  "56789", "012345",
	                                   "678901", "00000", "777777"};
	static const enum audio_lang langs[] = {AUDIO_LANG_VI, AUDIO_LANG_EN};
	struct signal_stats st = {SIZE_MAX, 0, 1e9};
	uint32_t seedn;
	size_t i, l;

	(void)state;
	for (l = 0; l < 2; l++) {
		for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
			for (seedn = 0; seedn < 40; seedn++)
				check_signal(sets[i], langs[l],
				             seedn * 131 + (uint32_t)i, &st);
		}
	}
	print_message("WAV sizes: %zu to %zu bytes (%.2f to %.2f s), "
	              "speech over background: %.1f dB or more\n",
	              st.minlen, st.maxlen, (double)(st.minlen - HDR) / 32000.0,
	              (double)(st.maxlen - HDR) / 32000.0, st.snr_min);
}

static void
test_bad_args(void **state)
{
	unsigned char seed[AUDIO_SEED_BYTES] = {0};
	unsigned char *wav = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(audio_render_wav("", AUDIO_LANG_VI, seed, &wav, &len),
	                 -1);
	assert_int_equal(
	    audio_render_wav("1234567", AUDIO_LANG_VI, seed, &wav, &len), -1);
	assert_int_equal(
	    audio_render_wav("12a45", AUDIO_LANG_VI, seed, &wav, &len), -1);
	assert_int_equal(
	    audio_render_wav("12 45", AUDIO_LANG_VI, seed, &wav, &len), -1);
	assert_int_equal(
	    audio_render_wav(NULL, AUDIO_LANG_VI, seed, &wav, &len), -1);
	assert_int_equal(
	    audio_render_wav("12345", (enum audio_lang)7, seed, &wav, &len),
	    -1);
	assert_int_equal(
	    audio_render_wav("12345", AUDIO_LANG_VI, NULL, &wav, &len), -1);
	assert_int_equal(
	    audio_render_wav("12345", AUDIO_LANG_VI, seed, NULL, &len), -1);
	assert_int_equal(
	    audio_render_wav("12345", AUDIO_LANG_VI, seed, &wav, NULL), -1);
	assert_null(wav);
	assert_int_equal(len, 0);

	/* Short answers are allowed by the renderer. */
	assert_int_equal(audio_render_wav("7", AUDIO_LANG_EN, seed, &wav, &len),
	                 0);
	check_header(wav, len);
	free(wav);
}

static void
test_answer_new(void **state)
{
	char a[AUDIO_DIGITS_MAX + 1];
	size_t i, n, seen_len[AUDIO_DIGITS_MAX + 1] = {0};
	size_t seen_digit[10] = {0};

	(void)state;
	for (i = 0; i < 2000; i++) {
		memset(a, 'x', sizeof(a));
		audio_answer_new(a);
		n = strlen(a);
		assert_in_range(n, AUDIO_DIGITS_MIN, AUDIO_DIGITS_MAX);
		seen_len[n]++;
		for (; n > 0; n--) {
			assert_in_range(a[n - 1], '0', '9');
			seen_digit[a[n - 1] - '0']++;
		}
	}
	/* Both lengths, every digit (each misses with p < 1e-40). */
	assert_true(seen_len[AUDIO_DIGITS_MIN] > 0);
	assert_true(seen_len[AUDIO_DIGITS_MAX] > 0);
	for (i = 0; i < 10; i++)
		assert_true(seen_digit[i] > 0);
}

static void
test_fold(void **state)
{
	char out[AUDIO_DIGITS_MAX + 1];
	char small[3];

	(void)state;
#define FOLD(s) audio_answer_fold((s), sizeof(s) - 1, out, sizeof(out))
	assert_int_equal(FOLD("12 34-5"), 5);
	assert_string_equal(out, "12345");
	assert_int_equal(FOLD("1.2,3 4-5 6"), 6);
	assert_string_equal(out, "123456");
	assert_int_equal(FOLD("  0 0 0 0 0  "), 5);
	assert_string_equal(out, "00000");
	assert_int_equal(FOLD(""), 0);
	assert_string_equal(out, "");
	assert_int_equal(FOLD(" - . , "), 0);
	assert_string_equal(out, "");

	/* Letters and other bytes. */
	assert_int_equal(FOLD("12a45"), -1);
	assert_string_equal(out, "");
	assert_int_equal(FOLD("1234O"), -1);
	assert_int_equal(FOLD("12\t345"), -1);
	assert_int_equal(FOLD("12+345"), -1);
	assert_int_equal(FOLD("12\0"
	                      "345"),
	                 -1);
	assert_int_equal(FOLD("\xff"), -1);

	/* Too long for out (6 digits + NUL). */
	assert_int_equal(FOLD("1234567"), -1);
	assert_string_equal(out, "");
	assert_int_equal(FOLD("123 456"), 6);
	assert_int_equal(audio_answer_fold("123", 3, small, sizeof(small)), -1);
	assert_int_equal(audio_answer_fold("12", 2, small, sizeof(small)), 2);
	assert_string_equal(small, "12");
	assert_int_equal(audio_answer_fold("1", 1, small, 0), -1);
	assert_int_equal(audio_answer_fold("1", 1, NULL, 7), -1);
	assert_int_equal(audio_answer_fold(NULL, 0, out, sizeof(out)), 0);
	assert_int_equal(audio_answer_fold(NULL, 1, out, sizeof(out)), -1);

	/* len bounds the input, not the NUL. */
	assert_int_equal(audio_answer_fold("12345x", 5, out, sizeof(out)), 5);
	assert_string_equal(out, "12345");

	/* Full-width digits U+FF10..U+FF19, and mixed with ASCII. */
	assert_int_equal(FOLD("\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93"
	                      "45\xef\xbc\x90\xef\xbc\x99"),
	                 -1); /* 7 digits */
	assert_int_equal(FOLD("\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93"
	                      "45"
	                      "\xef\xbc\x99"),
	                 6);
	assert_string_equal(out, "123459");
	/* U+FF1A (full-width colon) and truncated sequences. */
	assert_int_equal(FOLD("1234\xef\xbc\x9a"), -1);
	assert_int_equal(FOLD("1234\xef\xbc"), -1);
	assert_int_equal(FOLD("1234\xef"), -1);
#undef FOLD
}

/* The WAV parser, on good, bad and randomly corrupted headers. */
static void
test_wav_parse(void **state)
{
	static const unsigned char ext_guid[16] = {
	    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
	    0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71};
	const unsigned char *pcm;
	unsigned char *w, *x, b[256];
	size_t len, n, k, cut;
	uint32_t rnd;

	(void)state;
	w = make_wav(100, 1000, &len);
	assert_int_equal(audio_wav_parse(w, len, &pcm, &n), 0);
	assert_ptr_equal(pcm, w + HDR);
	assert_int_equal(n, 100);

	/* Every truncation fails (the RIFF size no longer fits). */
	for (cut = 0; cut < len; cut++)
		assert_int_equal(audio_wav_parse(w, cut, &pcm, &n), -1);
	/* Trailing bytes after the RIFF chunk are ignored. */
	assert_non_null(x = malloc(len + 3));
	memcpy(x, w, len);
	assert_int_equal(audio_wav_parse(x, len + 3, &pcm, &n), 0);
	free(x);

	/* Field by field. */
#define BAD(off, setter, v)                                                    \
	do {                                                                   \
		assert_non_null(x = malloc(len));                              \
		memcpy(x, w, len);                                             \
		setter(x + (off), (v));                                        \
		assert_int_equal(audio_wav_parse(x, len, &pcm, &n), -1);       \
		free(x);                                                       \
	} while (0)
	BAD(0, set_le32, 0x46464952u ^ 1); /* "RIFF" */
	BAD(8, set_le32, 0);               /* "WAVE" */
	BAD(4, set_le32, 3);               /* RIFF size < 4 */
	BAD(4, set_le32, 0xffffffffu);     /* RIFF size > file */
	BAD(16, set_le32, 15);             /* fmt too small: data lost */
	BAD(16, set_le32, 0xfffffff0u);    /* fmt size overflows */
	BAD(20, set_le16, 3);              /* IEEE float */
	BAD(22, set_le16, 2);              /* stereo */
	BAD(24, set_le32, 44100);
	BAD(28, set_le32, 64000);
	BAD(32, set_le16, 4);
	BAD(34, set_le16, 8);
	BAD(12, set_le32, 0x20746d67u);         /* no "fmt " */
	BAD(36, set_le32, 0x61746164u ^ 0x100); /* no "data" */
	BAD(40, set_le32, 201);                 /* odd data size */
	BAD(40, set_le32, 202);                 /* data beyond RIFF */
	BAD(40, set_le32, 0xffffffffu);
#undef BAD

	/* data before fmt; two fmt chunks. */
	memset(b, 0, sizeof(b));
	memcpy(b, "RIFF\0\0\0\0WAVEdata\4\0\0\0\1\0\2\0", 24);
	memcpy(b + 24, w + 12, 24);
	set_le32(b + 4, 48 - 8);
	assert_int_equal(audio_wav_parse(b, 48, &pcm, &n), -1);
	memcpy(b, w, 36);
	memcpy(b + 36, w + 12, 24);
	memcpy(b + 60, "data\2\0\0\0\1\0", 10);
	set_le32(b + 4, 70 - 8);
	assert_int_equal(audio_wav_parse(b, 70, &pcm, &n), -1);

	/* An odd-sized LIST chunk with its pad byte, then data: fine. */
	memcpy(b, w, 36);
	memcpy(b + 36, "LIST\3\0\0\0abc\0", 12);
	memcpy(b + 48, "data\4\0\0\0\1\0\2\0", 12);
	set_le32(b + 4, 60 - 8);
	assert_int_equal(audio_wav_parse(b, 60, &pcm, &n), 0);
	assert_ptr_equal(pcm, b + 56);
	assert_int_equal(n, 2);
	/* A chunk after data missing its final pad byte: tolerated. */
	memcpy(b + 60, "junk\1\0\0\0z", 9);
	set_le32(b + 4, 69 - 8);
	assert_int_equal(audio_wav_parse(b, 69, &pcm, &n), 0);

	/* WAVE_FORMAT_EXTENSIBLE PCM: fine; other sub-format: refused. */
	memcpy(b, w, 20);
	set_le32(b + 16, 40);
	memcpy(b + 20, w + 20, 16);
	set_le16(b + 20, 0xfffe);
	set_le16(b + 36, 22);
	set_le16(b + 38, 16);
	set_le32(b + 40, 4);
	memcpy(b + 44, ext_guid, 16);
	memcpy(b + 60, "data\2\0\0\0\1\0", 10);
	set_le32(b + 4, 70 - 8);
	assert_int_equal(audio_wav_parse(b, 70, &pcm, &n), 0);
	assert_int_equal(n, 1);
	b[44] = 3;
	assert_int_equal(audio_wav_parse(b, 70, &pcm, &n), -1);

	/* NULLs. */
	assert_int_equal(audio_wav_parse(NULL, len, &pcm, &n), -1);
	assert_int_equal(audio_wav_parse(w, len, NULL, &n), -1);
	assert_int_equal(audio_wav_parse(w, len, &pcm, NULL), -1);

	/* Random corruption of the first 64 bytes: never out of bounds. */
	assert_non_null(x = malloc(len));
	for (k = 0; k < 20000; k++) {
		memcpy(x, w, len);
		randombytes_buf(&rnd, sizeof(rnd));
		x[rnd % 64] = (unsigned char)(rnd >> 8);
		randombytes_buf(&rnd, sizeof(rnd));
		x[rnd % 64] = (unsigned char)(rnd >> 8);
		if (audio_wav_parse(x, len - (rnd >> 24) % 8, &pcm, &n) == 0)
			assert_true(pcm >= x && pcm + 2 * n <= x + len);
	}
	free(x);
	free(w);
}

#define NTHREADS   4
#define PER_THREAD 8

struct job {
	int id;
	unsigned char *wav[PER_THREAD];
	size_t len[PER_THREAD];
	int fails;
};

static int
thread_main(void *arg)
{
	struct job *j = arg;
	unsigned char seed[AUDIO_SEED_BYTES];
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		seed_of(seed, (uint32_t)(1000 + i));
		if (audio_render_wav("480613",
		                     (j->id + i) % 2 ? AUDIO_LANG_EN
		                                     : AUDIO_LANG_VI,
		                     seed, &j->wav[i], &j->len[i]) != 0)
			j->fails++;
	}
	return 0;
}

/* Concurrent renderings equal sequential ones. */
static void
test_threads(void **state)
{
	struct job jobs[NTHREADS];
	thrd_t th[NTHREADS];
	unsigned char *ref;
	size_t reflen;
	int t, i;

	(void)state;
	memset(jobs, 0, sizeof(jobs));
	for (t = 0; t < NTHREADS; t++) {
		jobs[t].id = t;
		assert_int_equal(thrd_create(&th[t], thread_main, &jobs[t]),
		                 thrd_success);
	}
	for (t = 0; t < NTHREADS; t++)
		assert_int_equal(thrd_join(th[t], NULL), thrd_success);
	for (t = 0; t < NTHREADS; t++) {
		assert_int_equal(jobs[t].fails, 0);
		for (i = 0; i < PER_THREAD; i++) {
			ref =
			    render("480613",
			           (t + i) % 2 ? AUDIO_LANG_EN : AUDIO_LANG_VI,
			           (uint32_t)(1000 + i), &reflen);
			assert_int_equal(jobs[t].len[i], reflen);
			assert_memory_equal(jobs[t].wav[i], ref, reflen);
			free(ref);
			free(jobs[t].wav[i]);
		}
	}
}

/* Reports the render time; fails only if absurdly slow. */
static void
test_speed(void **state)
{
	struct timespec t0, t1;
	unsigned char *wav;
	size_t len, total = 0;
	double ms;
	uint32_t i;
	const uint32_t runs = 200;

	(void)state;
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t0), 0);
	for (i = 0; i < runs; i++) {
		wav = render(i % 2 ? "123456" : "98765",
		             i % 3 ? AUDIO_LANG_EN : AUDIO_LANG_VI, i, &len);
		total += len;
		free(wav);
	}
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &t1), 0);
	ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) /
	     runs;
	print_message("render: %.3f ms per challenge, %zu bytes average\n", ms,
	              total / runs);
	/* Generous: sanitizer builds are several times slower. */
	assert_true(ms < 100.0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init_refuses_missing),
	    cmocka_unit_test(test_init_refuses_broken),
	    cmocka_unit_test(test_init),
	    cmocka_unit_test(test_header),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_signal),
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_answer_new),
	    cmocka_unit_test(test_fold),
	    cmocka_unit_test(test_wav_parse),
	    cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_speed),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("audio", tests, NULL, NULL);
}
