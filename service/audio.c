/*
 * audio.c: the audio CAPTCHA renderer (see audio.h).
 *
 * The recordings are voices/<lang>/<digit>.wav, embedded in the binary
 * and found with embed_find(); audio_init() checks them once and decodes
 * their samples into a static table.  A rendering is planned from a
 * deterministic random stream keyed by the caller's seed: a leading pause,
 * then each digit resampled to 0.95 to 1.1 times its speed (speed and pitch
 * together, like tape) with its own gain, separated by random gaps.  Under
 * it runs a quiet, steady bed of low-passed noise, 28 dB below the speech.
 *
 * The audio is meant to be easy to hear: bots pay through proof of work
 * and rate limits, not through distortion (docs/captcha.md, "Audio").  So
 * there is no babble of other digits in the background any more: it cost
 * a fifth of the challenges in the speech-recognition check and would
 * cost listeners too.  The noise bed stays because it helps: without it
 * a recogniser (and maybe a listener on a noisy line) "hears" digits in
 * the silent gaps.
 *
 * Determinism: every random draw comes from randombytes_buf_deterministic()
 * and the arithmetic is IEEE-754 basic operations only (+, -, *, /,
 * conversions, and sqrt at start-up, all exactly rounded; no other libm
 * call, nothing that depends on the rounding mode).  So the bytes depend
 * only on digits, lang and seed, across builds and machines that evaluate
 * float and double in their own precision (FLT_EVAL_METHOD 0: x86-64,
 * arm64), as long as the compiler does not contract expressions into
 * FMAs (gcc does not in ISO C mode, -std=c11).
 */

#include <limits.h>
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "audio.h"
#include "embed.h"

#define NLANGS  2
#define NDIGITS 10

/* Milliseconds to samples at the output (and voice) rate. */
#define MS(ms) ((size_t)AUDIO_RATE / 1000 * (ms))

/*
 * Accepted length of a recording.  The lower bound catches an empty or
 * truncated file; the upper bound keeps the worst-case rendering within
 * AUDIO_MAX_SECONDS (checked below).  The shipped voices are 0.31 to
 * 0.58 s long.
 */
#define VOICE_MIN_MS 100
#define VOICE_MAX_MS 800

/*
 * A recording quieter than this (RMS, full scale 1.0; about -50 dBFS)
 * is silence or a broken file: refuse it rather than render nothing.
 */
#define VOICE_MIN_RMS 0.003

/* Pause before the first digit: time to notice that playback started. */
#define LEAD_MIN_MS 300
#define LEAD_MAX_MS 500
/* Pause after the last digit, so that players do not cut its tail. */
#define TAIL_MIN_MS 300
#define TAIL_MAX_MS 400
/*
 * Gap between digits: random, so that digit boundaries cannot be found by
 * position; at least 250 ms so that a listener hears separate digits.
 */
#define GAP_MIN_MS 250
#define GAP_MAX_MS 700
/*
 * Gaps shrink (never under GAP_MIN_MS) when a rendering would exceed this
 * length: 6.2 s of 16-bit 16 kHz mono is just under 200 KB.
 */
#define TARGET_MS 6200

/*
 * Speed (and pitch) jitter of each spoken digit: 0.95 to 1.1.  Slowing
 * the earlier (already slow, 130 wpm) voice down by up to 10 % was a main
 * source of misreadings in the speech-recognition check (docs/captcha.md,
 * "Clarity": 62.5 % of 600 challenges read exactly with 0.9 to 1.1,
 * 73.5 % with 0.95 to 1.1).
 */
#define SPEED_MIN 0.95
#define SPEED_MAX 1.1
/* Gain jitter of each spoken digit, linear: about -3 dB to +1 dB. */
#define GAIN_MIN 0.72
#define GAIN_MAX 1.12

/*
 * Nominal speech level, full scale 1.0.  Each recording gets the gain
 * that brings its RMS to SPEECH_RMS (about -22 dBFS), unless that would
 * put its peak above SPEECH_PEAK (-3 dBFS): the headroom keeps the
 * loudest digit plus the noise bed (peaks below 0.02) off the rails, so
 * nothing clips.
 */
#define SPEECH_RMS  0.08f
#define SPEECH_PEAK 0.7f

/*
 * Background: only the noise bed, about 28 dB under the nominal speech
 * (RMS); with the speech gain jitter, the digits stay about 25 dB above
 * it, well clear of the 12 dB that test_audio.c requires.
 *
 * Noise: white noise through a one-pole low-pass filter
 * y += NOISE_POLE_K * (x - y), which sounds softer than white noise.
 * Uniform noise in [-1, 1) has an RMS of 1/sqrt(3); the filter scales it
 * by sqrt(k / (2 - k)), 0.577 for k = 0.5: so the RMS of the filtered
 * noise is 1/3, and NOISE_GAIN puts it at NOISE_RMS, 28 dB under speech.
 */
#define NOISE_POLE_K 0.5f
#define NOISE_RMS    (SPEECH_RMS * 0.04f)
#define NOISE_GAIN   (NOISE_RMS * 3.0f)

/* Fade of the whole rendering, against clicks at start and end. */
#define FADE_MS 20

/*
 * Worst case, in ms: the longest lead, AUDIO_DIGITS_MAX of the longest
 * recordings at the slowest speed (SPEED_MIN, 0.95 = 19 / 20: keep the
 * two in step), rounded up, the gaps at their minimum
 * (the plan shrinks them to fit TARGET_MS), the longest tail, plus a
 * sample per digit for rounding.
 */
#define WORST_MS                                                               \
	(LEAD_MAX_MS +                                                         \
	 AUDIO_DIGITS_MAX * ((VOICE_MAX_MS * 20 + 18) / 19 + 1) +              \
	 (AUDIO_DIGITS_MAX - 1) * GAP_MIN_MS + TAIL_MAX_MS)
_Static_assert(WORST_MS <= AUDIO_MAX_SECONDS * 1000,
               "the worst-case rendering must fit AUDIO_WAV_MAX_BYTES");
_Static_assert(LEAD_MIN_MS > FADE_MS + 200,
               "the lead must hold some background before the first digit");
#define MAX_SAMPLES ((size_t)AUDIO_MAX_SECONDS * AUDIO_RATE)

/*
 * The deterministic random stream: blocks of randombytes_buf_deterministic()
 * output; the last AUDIO_SEED_BYTES of each block are never handed out but
 * key the next block, so the stream has no length limit.
 */
#define RNG_BLOCK  4096
#define RNG_USABLE (RNG_BLOCK - AUDIO_SEED_BYTES)

struct rng {
	unsigned char buf[RNG_BLOCK];
	size_t pos;
};

/* A checked recording, decoded. */
struct voice {
	const int16_t *pcm; /* in voice_pcm */
	size_t n;           /* samples */
	float speech_gain;  /* to the nominal level */
};

/* One spoken digit of a rendering. */
struct say {
	const struct voice *v;
	double speed;
	float gain;
	size_t len; /* samples after resampling */
	size_t gap; /* samples of pause after it */
};

struct plan {
	size_t ndig;
	size_t lead;
	size_t tail;
	size_t total;
	struct say say[AUDIO_DIGITS_MAX];
};

static const char *const lang_dir[NLANGS] = {"vi", "en"};

/*
 * Written only by audio_init(), which runs before any thread renders;
 * read-only afterwards.  The samples are decoded from the embedded s16le
 * bytes (maybe unaligned) into native int16_t once, because decoding
 * them in the mixing loop made rendering half as fast.  Static rather
 * than malloc'd so that nothing needs freeing: 512 KB of BSS, of which
 * only the used part (about 290 KB) is ever touched.
 */
#define VOICE_MAX_SAMPLES MS(VOICE_MAX_MS)
static int16_t voice_pcm[NLANGS][NDIGITS][VOICE_MAX_SAMPLES];
static struct voice voices[NLANGS][NDIGITS];
static int voices_ready;

/* KSDATAFORMAT_SUBTYPE_PCM, for WAVE_FORMAT_EXTENSIBLE. */
static const unsigned char subtype_pcm[16] = {
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
    0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71};

static uint32_t
get_le16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void
put_le16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8 & 0xff);
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8 & 0xff);
	p[2] = (unsigned char)(v >> 16 & 0xff);
	p[3] = (unsigned char)(v >> 24 & 0xff);
}

/* Checks a "fmt " chunk body of size bytes: 0 / -1. */
static int
fmt_check(const unsigned char *p, size_t size)
{
	uint32_t tag;
	int ret = -1;

	if (size < 16)
		goto done;
	tag = get_le16(p);
	if (tag == 0xfffe) {
		/* WAVE_FORMAT_EXTENSIBLE: cbSize >= 22, PCM sub-format. */
		if (size < 40 || get_le16(p + 16) < 22 ||
		    get_le16(p + 18) != 16 ||
		    memcmp(p + 24, subtype_pcm, sizeof(subtype_pcm)) != 0)
			goto done;
	} else if (tag != 1)
		goto done;
	if (get_le16(p + 2) != 1 ||              /* channels */
	    get_le32(p + 4) != AUDIO_RATE ||     /* sample rate */
	    get_le32(p + 8) != AUDIO_RATE * 2 || /* byte rate */
	    get_le16(p + 12) != 2 ||             /* block align */
	    get_le16(p + 14) != 16)              /* bits */
		goto done;
	ret = 0;
done:
	return ret;
}

int
audio_wav_parse(const unsigned char *buf, size_t len, const unsigned char **pcm,
                size_t *nsamples)
{
	const unsigned char *data = NULL, *id;
	size_t off, end, csize, step, dlen = 0;
	uint32_t riff;
	int have_fmt = 0, ret = -1;

	if (buf == NULL || pcm == NULL || nsamples == NULL || len < 12)
		goto done;
	if (memcmp(buf, "RIFF", 4) != 0 || memcmp(buf + 8, "WAVE", 4) != 0)
		goto done;
	riff = get_le32(buf + 4);
	if (riff < 4 || riff > len - 8)
		goto done;
	end = 8 + (size_t)riff;

	/* Invariant: off <= end <= len. */
	off = 12;
	while (end - off >= 8) {
		id = buf + off;
		csize = get_le32(buf + off + 4);
		off += 8;
		if (csize > end - off)
			goto done;
		if (memcmp(id, "fmt ", 4) == 0) {
			if (have_fmt || fmt_check(buf + off, csize) == -1)
				goto done;
			have_fmt = 1;
		} else if (memcmp(id, "data", 4) == 0) {
			/* The format must come first; one data chunk only. */
			if (!have_fmt || data != NULL || csize % 2 != 0)
				goto done;
			data = buf + off;
			dlen = csize;
		}
		/*
		 * Chunks are padded to an even size.  Some writers omit the
		 * pad byte of the last chunk: stop there rather than fail.
		 */
		step = csize + (csize & 1);
		if (step > end - off)
			break;
		off += step;
	}
	if (!have_fmt || data == NULL)
		goto done;
	*pcm = data;
	*nsamples = dlen / 2;
	ret = 0;
done:
	return ret;
}

/* The s16le sample at p, as an int. */
static int32_t
pcm_s16(const unsigned char *p)
{
	int32_t s;

	s = (int32_t)get_le16(p);
	return s - ((s & 0x8000) << 1);
}

/* The s16le sample at p, full scale 1.0. */
static float
pcm_float(const unsigned char *p)
{
	return (float)pcm_s16(p) * (1.0f / 32768.0f);
}

/*
 * Checks one recording of n samples of s16le at raw and measures its
 * level into v (all but v->pcm): 0 / -1.
 */
static int
voice_check(struct voice *v, const unsigned char *raw, size_t n)
{
	double sum = 0.0, rms;
	float s, peak = 0.0f;
	size_t k;
	int ret = -1;

	if (n < MS(VOICE_MIN_MS) || n > VOICE_MAX_SAMPLES)
		goto done;
	for (k = 0; k < n; k++) {
		s = pcm_float(raw + 2 * k);
		sum += (double)s * (double)s;
		if (fabsf(s) > peak)
			peak = fabsf(s);
	}
	rms = sqrt(sum / (double)n);
	if (rms < VOICE_MIN_RMS)
		goto done;
	v->n = n;
	v->speech_gain = SPEECH_RMS / (float)rms;
	if (v->speech_gain * peak > SPEECH_PEAK)
		v->speech_gain = SPEECH_PEAK / peak;
	ret = 0;
done:
	return ret;
}

int
audio_init(void)
{
	struct voice tab[NLANGS][NDIGITS];
	const unsigned char *raw[NLANGS][NDIGITS];
	const struct embed_file *f;
	char name[32];
	size_t n, k;
	int l, d, len, ret = -1;

	if (sodium_init() < 0)
		goto done;
	/* Check everything first: a failure must leave the state as it was. */
	for (l = 0; l < NLANGS; l++) {
		for (d = 0; d < NDIGITS; d++) {
			len = snprintf(name, sizeof(name), "voices/%s/%d.wav",
			               lang_dir[l], d);
			if (len < 0 || (size_t)len >= sizeof(name))
				goto done;
			if ((f = embed_find(name)) == NULL)
				goto done;
			if (audio_wav_parse(f->data, f->len, &raw[l][d], &n) ||
			    voice_check(&tab[l][d], raw[l][d], n))
				goto done;
		}
	}
	for (l = 0; l < NLANGS; l++) {
		for (d = 0; d < NDIGITS; d++) {
			for (k = 0; k < tab[l][d].n; k++)
				voice_pcm[l][d][k] =
				    (int16_t)pcm_s16(raw[l][d] + 2 * k);
			tab[l][d].pcm = voice_pcm[l][d];
		}
	}
	memcpy(voices, tab, sizeof(voices));
	voices_ready = 1;
	ret = 0;
done:
	return ret;
}

/* The same shape as captcha_answer_new() on purpose: each module owns
 * its alphabet and its lengths. */
void
audio_answer_new(char out[AUDIO_DIGITS_MAX + 1])
{
	uint32_t n, i;

	n = AUDIO_DIGITS_MIN +
	    randombytes_uniform(AUDIO_DIGITS_MAX - AUDIO_DIGITS_MIN + 1);
	for (i = 0; i < n; i++)
		out[i] = (char)('0' + randombytes_uniform(10));
	out[n] = '\0';
}

int
audio_answer_fold(const char *in, size_t len, char *out, size_t outsz)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t i, n = 0;
	unsigned char c;
	int ret = -1;

	if (out == NULL || outsz == 0)
		goto done;
	out[0] = '\0';
	if (in == NULL && len != 0)
		goto done;
	for (i = 0; i < len; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			c = p[i];
		else if (p[i] == ' ' || p[i] == '-' || p[i] == '.' ||
		         p[i] == ',')
			continue;
		else if (p[i] == 0xef && len - i >= 3 && p[i + 1] == 0xbc &&
		         p[i + 2] >= 0x90 && p[i + 2] <= 0x99) {
			/* U+FF10..U+FF19 FULLWIDTH DIGIT, from IMEs. */
			c = (unsigned char)('0' + (p[i + 2] - 0x90));
			i += 2;
		} else
			goto done;
		if (n >= outsz - 1)
			goto done;
		out[n++] = (char)c;
	}
	/* The count must fit the int result. */
	if (n > (size_t)INT_MAX)
		goto done;
	out[n] = '\0';
	ret = (int)n;
done:
	if (ret == -1 && out != NULL && outsz > 0)
		out[0] = '\0';
	return ret;
}

static void
rng_init(struct rng *r, const unsigned char seed[AUDIO_SEED_BYTES])
{
	randombytes_buf_deterministic(r->buf, sizeof(r->buf), seed);
	r->pos = 0;
}

/* Returns the next n (<= RNG_USABLE) bytes of the stream, in place. */
static const unsigned char *
rng_take(struct rng *r, size_t n)
{
	unsigned char key[AUDIO_SEED_BYTES];
	const unsigned char *p;

	assert(n <= RNG_USABLE);
	if (RNG_USABLE - r->pos < n) {
		memcpy(key, r->buf + RNG_USABLE, sizeof(key));
		rng_init(r, key);
	}
	p = r->buf + r->pos;
	r->pos += n;
	return p;
}

/* Returns the next 4 bytes of the stream as a little-endian integer. */
static uint32_t
rng_u32(struct rng *r)
{
	return get_le32(rng_take(r, 4));
}

/* Uniform in [0, n), n >= 1; the bias (below n / 2^32) does not matter. */
static uint32_t
rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((uint64_t)rng_u32(r) * n) >> 32);
}

/* Uniform in [lo, hi). */
static double
rng_range(struct rng *r, double lo, double hi)
{
	return lo + (hi - lo) * ((double)rng_u32(r) / 4294967296.0);
}

/* Uniform number of samples in [MS(lo_ms), MS(hi_ms)]. */
static size_t
rng_samples(struct rng *r, size_t lo_ms, size_t hi_ms)
{
	return MS(lo_ms) + rng_below(r, (uint32_t)(MS(hi_ms) - MS(lo_ms) + 1));
}

/* Samples of a recording of n samples played at speed. */
static size_t
resampled_len(size_t n, double speed)
{
	return (size_t)((double)(n - 1) / speed) + 1;
}

/*
 * Adds v, played at speed (linear interpolation), times gain, into
 * mix[at...], clipping at total.  The read position is 32.32 fixed point:
 * exact, and cheaper than floating point in the hottest loop of the
 * renderer.
 */
static void
mix_voice(float *mix, size_t total, size_t at, const struct voice *v,
          double speed, float gain)
{
	const int16_t *p;
	uint64_t pos, step;
	size_t i, end, k;
	float s0, frac;

	end = resampled_len(v->n, speed);
	if (at >= total)
		return;
	if (end > total - at)
		end = total - at;
	mix += at;
	/* Folds the s16 scale into the gain: one multiplication less. */
	gain *= 1.0f / 32768.0f;
	/*
	 * Truncating the step keeps the last position at or below
	 * (end - 1) * speed <= n - 1: k never passes the last sample.
	 */
	step = (uint64_t)(speed * 4294967296.0);
	for (i = 0, pos = 0; i < end; i++, pos += step) {
		k = (size_t)(pos >> 32);
		p = v->pcm + k;
		s0 = (float)p[0];
		if (k + 1 < v->n) {
			frac = (float)(uint32_t)(pos & 0xffffffff) *
			       (1.0f / 4294967296.0f);
			s0 += ((float)p[1] - s0) * frac;
		}
		mix[i] += gain * s0;
	}
}

/*
 * Draws the timing and the jitter of every digit.  Returns 0, or -1 if
 * the rendering would exceed MAX_SAMPLES (impossible with voices that
 * passed audio_init(); checked anyway because it sizes the buffer).
 */
static int
plan_make(struct plan *p, const char *digits, size_t ndig,
          const struct voice *lv, struct rng *r)
{
	struct say *s;
	size_t i, spare, excess, total;
	double jitter, keep, extra;
	int ret = -1;

	p->ndig = ndig;
	p->lead = rng_samples(r, LEAD_MIN_MS, LEAD_MAX_MS);
	total = p->lead;
	spare = 0;
	for (i = 0; i < ndig; i++) {
		s = &p->say[i];
		s->v = &lv[digits[i] - '0'];
		s->speed = rng_range(r, SPEED_MIN, SPEED_MAX);
		jitter = rng_range(r, GAIN_MIN, GAIN_MAX);
		s->gain = s->v->speech_gain * (float)jitter;
		s->len = resampled_len(s->v->n, s->speed);
		s->gap = 0;
		if (i + 1 < ndig) {
			s->gap = rng_samples(r, GAP_MIN_MS, GAP_MAX_MS);
			spare += s->gap - MS(GAP_MIN_MS);
		}
		total += s->len + s->gap;
	}
	p->tail = rng_samples(r, TAIL_MIN_MS, TAIL_MAX_MS);
	total += p->tail;

	/* Too long: take the excess from the gaps, in proportion. */
	if (total > MS(TARGET_MS) && spare > 0) {
		excess = total - MS(TARGET_MS);
		keep = 0.0;
		if (excess < spare)
			keep = 1.0 - (double)excess / (double)spare;
		total = p->lead + p->tail;
		for (i = 0; i < ndig; i++) {
			s = &p->say[i];
			if (s->gap > 0) {
				extra = (double)(s->gap - MS(GAP_MIN_MS));
				s->gap =
				    MS(GAP_MIN_MS) + (size_t)(extra * keep);
			}
			total += s->len + s->gap;
		}
	}
	if (total > MAX_SAMPLES)
		goto done;
	p->total = total;
	ret = 0;
done:
	return ret;
}

/* Adds the low-passed noise to the whole of mix. */
static void
noise_mix(float *mix, size_t total, struct rng *r)
{
	const unsigned char *p;
	size_t t, k, n;
	float x, y = 0.0f;

	/* Two random bytes per sample, taken a block at a time. */
	for (t = 0; t < total; t += n) {
		n = total - t < RNG_USABLE / 2 ? total - t : RNG_USABLE / 2;
		p = rng_take(r, 2 * n);
		for (k = 0; k < n; k++) {
			x = pcm_float(p + 2 * k);
			y += NOISE_POLE_K * (x - y);
			mix[t + k] += NOISE_GAIN * y;
		}
	}
}

/* Writes the 44-byte canonical header for n samples. */
static void
wav_header(unsigned char *h, size_t n)
{
	uint32_t data = (uint32_t)(2 * n);

	memcpy(h, "RIFF", 4);
	put_le32(h + 4, 36 + data);
	memcpy(h + 8, "WAVE", 4);
	memcpy(h + 12, "fmt ", 4);
	put_le32(h + 16, 16);
	put_le16(h + 20, 1); /* PCM */
	put_le16(h + 22, 1); /* channels */
	put_le32(h + 24, AUDIO_RATE);
	put_le32(h + 28, AUDIO_RATE * 2); /* byte rate */
	put_le16(h + 32, 2);              /* block align */
	put_le16(h + 34, 16);             /* bits */
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, data);
}

int
audio_render_wav(const char *digits, enum audio_lang lang,
                 const unsigned char seed[AUDIO_SEED_BYTES],
                 unsigned char **wav, size_t *len)
{
	struct rng r;
	struct plan p;
	const struct voice *lv;
	unsigned char *out = NULL;
	float *mix = NULL, f, x;
	size_t ndig, i, at, t, fade, outlen;
	int32_t s;
	int ret = -1;

	if (!voices_ready || digits == NULL || seed == NULL || wav == NULL ||
	    len == NULL)
		goto done;
	if (lang != AUDIO_LANG_VI && lang != AUDIO_LANG_EN)
		goto done;
	for (ndig = 0; digits[ndig] != '\0'; ndig++)
		if (ndig >= AUDIO_DIGITS_MAX || digits[ndig] < '0' ||
		    digits[ndig] > '9')
			goto done;
	if (ndig == 0)
		goto done;
	lv = voices[lang == AUDIO_LANG_VI ? 0 : 1];

	rng_init(&r, seed);
	if (plan_make(&p, digits, ndig, lv, &r) == -1)
		goto done;
	if ((mix = calloc(p.total, sizeof(*mix))) == NULL)
		goto done;
	outlen = AUDIO_WAV_HEADER_BYTES + 2 * p.total;
	if ((out = malloc(outlen)) == NULL)
		goto done;

	at = p.lead;
	for (i = 0; i < p.ndig; i++) {
		mix_voice(mix, p.total, at, p.say[i].v, p.say[i].speed,
		          p.say[i].gain);
		at += p.say[i].len + p.say[i].gap;
	}
	noise_mix(mix, p.total, &r);

	fade = MS(FADE_MS);
	assert(p.total > 2 * fade);
	for (t = 0; t < fade; t++) {
		f = (float)t / (float)fade;
		mix[t] *= f;
		mix[p.total - 1 - t] *= f;
	}

	wav_header(out, p.total);
	for (t = 0; t < p.total; t++) {
		x = mix[t] * 32767.0f;
		if (x > 32767.0f)
			x = 32767.0f;
		else if (x < -32767.0f)
			x = -32767.0f;
		/* Round half away from zero; the cast truncates. */
		s = (int32_t)(x >= 0.0f ? x + 0.5f : x - 0.5f);
		put_le16(out + AUDIO_WAV_HEADER_BYTES + 2 * t,
		         (uint32_t)s & 0xffff);
	}

	*wav = out;
	*len = outlen;
	out = NULL;
	ret = 0;
done:
	free(out);
	free(mix);
	return ret;
}
