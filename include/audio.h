/*
 * audio.h: the audio CAPTCHA (WCAG 1.1.1 alternative to the image).
 *
 * A challenge is 5 or 6 digits, spoken in Vietnamese or English from
 * per-digit recordings embedded in the binary (service/voices/), mixed
 * with a steady noise bed 28 dB under the speech and rendered to a WAV
 * file: RIFF, PCM s16le, 16 kHz, mono.  This module only renders: the answer
 * and the seed come from the caller, who keeps them (sealed in a token).
 */
#ifndef BANDOC_AUDIO_H
#define BANDOC_AUDIO_H

#include <stddef.h>

#define AUDIO_DIGITS_MIN 5
#define AUDIO_DIGITS_MAX 6
#define AUDIO_SEED_BYTES 32

/* Output format, fixed: what every browser plays and the voices use. */
#define AUDIO_RATE             16000
#define AUDIO_WAV_HEADER_BYTES 44

/*
 * Longest possible rendering, in seconds, and the largest WAV it gives
 * (256 044 bytes).  The renderer aims at 6.2 s at most (under 200 KB) by
 * shrinking the gaps, and the voices are checked at start-up so that
 * even the worst case stays within this bound; a reply buffer of
 * AUDIO_WAV_MAX_BYTES always fits.
 */
#define AUDIO_MAX_SECONDS 8
#define AUDIO_WAV_MAX_BYTES                                                    \
	(AUDIO_WAV_HEADER_BYTES + 2 * AUDIO_MAX_SECONDS * AUDIO_RATE)

enum audio_lang { AUDIO_LANG_VI, AUDIO_LANG_EN };

/*
 * Loads and checks the embedded voices (voices/<vi|en>/<0-9>.wav, through
 * embed_find()) once at start-up, before any thread calls
 * audio_render_wav().  Also calls sodium_init().  Returns 0, or -1 if a
 * recording is missing or malformed (logs nothing; the caller logs).  A
 * failed call leaves the state of an earlier successful one in place.
 */
int audio_init(void);

/*
 * Writes a fresh random answer of 5 or 6 digits into out, each length and
 * each digit uniform (libsodium randombytes_uniform()), NUL-terminated.
 * Thread-safe.  Cannot fail.
 */
void audio_answer_new(char out[AUDIO_DIGITS_MAX + 1]);

/*
 * Folds a typed answer of len bytes (in need not be NUL-terminated):
 * keeps ASCII digits and full-width digits (U+FF10..U+FF19, as UTF-8),
 * drops spaces, dashes, dots and commas; any other byte makes it fail.
 * Writes the digits NUL-terminated into out, at most outsz - 1 of them.
 * Returns the number of digits written (0 for an empty answer), or -1 on
 * a stray byte, more digits than fit, or outsz == 0.  On -1, out holds
 * an empty string if outsz > 0.  Thread-safe.
 */
int audio_answer_fold(const char *in, size_t len, char *out, size_t outsz);

/*
 * Renders digits (1 to AUDIO_DIGITS_MAX ASCII digits, NUL-terminated) as
 * a WAV file in lang.  All randomness (speed and gain of each digit, the
 * pauses and the noise) comes from libsodium
 * randombytes_buf_deterministic() keyed with seed, and the mixing uses
 * only IEEE-754 basic operations, so the same digits, lang and seed give
 * identical bytes.  Needs a successful audio_init().  Thread-safe (reads
 * only the voices loaded by audio_init()).
 *
 * On success returns 0, *wav points to a malloc'd buffer of *len bytes
 * (at most AUDIO_WAV_MAX_BYTES) that the caller free()s.  Returns -1 on a
 * bad argument, without audio_init(), or if out of memory; *wav and *len
 * are then left untouched.
 */
int audio_render_wav(const char *digits, enum audio_lang lang,
                     const unsigned char seed[AUDIO_SEED_BYTES],
                     unsigned char **wav, size_t *len);

/*
 * Parses a WAV file of len bytes as this module needs it: RIFF/WAVE, a
 * "fmt " chunk of PCM (or WAVE_FORMAT_EXTENSIBLE PCM), 1 channel,
 * 16 000 Hz, 16 bits, and a "data" chunk; other chunks are skipped, and
 * every size is bounds-checked against len.  On success returns 0 and
 * sets *pcm to the first sample inside buf (borrowed, little-endian,
 * possibly unaligned) and *nsamples to the number of samples.  Returns
 * -1 otherwise.  Cannot crash on any input; exported for the tests and
 * the fuzz target.
 */
int audio_wav_parse(const unsigned char *buf, size_t len,
                    const unsigned char **pcm, size_t *nsamples);

#endif /* BANDOC_AUDIO_H */
