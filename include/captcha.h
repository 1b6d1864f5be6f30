/*
 * captcha.h: the image CAPTCHA renderer.
 *
 * Rendering only: an answer and a seed go in, PNG bytes come out.  The
 * caller makes the answer (captcha_answer_new()) and the seed, keeps them
 * (sealed in a token) and compares a typed answer folded by
 * captcha_answer_fold() with the stored one.  No HTTP, no SQL here.
 *
 * The picture is a 220x80 (or 440x160 at scale 2) palette PNG of four
 * colours: background, background decoration, ink and fill.  Five
 * symbols, each in one of 2-3 fonts picked per image (fonts/, unhinted
 * DejaVu subsets), scaled by +-10 %, leaning 4-14 degrees either way,
 * gently warped, 1-3 px apart, alternately higher and lower on a sine
 * baseline; each is drawn hollow (a dark outline around a light fill),
 * and four thin ink lines cross the text.
 */
#ifndef BANDOC_CAPTCHA_H
#define BANDOC_CAPTCHA_H

#include <stddef.h>

#define CAPTCHA_ANSWER_MIN 5
#define CAPTCHA_ANSWER_MAX 5
#define CAPTCHA_SEED_BYTES 32 /* == randombytes_SEEDBYTES */

/* Number of symbols in captcha_alphabet. */
#define CAPTCHA_ALPHABET_SIZE 13

/* Picture size at scale 1; scale 2 doubles both. */
#define CAPTCHA_WIDTH     220
#define CAPTCHA_HEIGHT    80
#define CAPTCHA_SCALE_MAX 2

/*
 * Longest typed answer captcha_answer_fold() looks at, in bytes: room for
 * an answer with a separator between every symbol and some spaces around
 * it.  Anything longer is rejected unread.
 */
#define CAPTCHA_FOLD_INPUT_MAX 64

/* Colours per theme: ink, background, decoration, fill. */
#define CAPTCHA_THEME_COLORS 4

/*
 * The symbols an answer is made of, NUL-terminated, CAPTCHA_ALPHABET_SIZE
 * long: upper-case letters and digits with the look-alikes removed.
 */
extern const char captcha_alphabet[CAPTCHA_ALPHABET_SIZE + 1];

/*
 * Loads the fonts (fonts_dir/BandocCaptcha{Sans,Serif,Mono}-Bold.ttf)
 * through libgd's FreeType font cache (gdFontCacheSetup()) and
 * pre-renders every symbol of every font at both scales, so that
 * rendering never touches FreeType.  Also calls sodium_init().  Call once
 * at start-up, before any thread uses this module.  Returns 0, or -1 if a
 * font is missing, unreadable or lacks a symbol, or if out of memory;
 * captcha_strerror() then says why.  Logs nothing: the caller logs.  A
 * second successful call replaces the first one's state.
 */
int captcha_init(const char *fonts_dir);

/*
 * Frees what captcha_init() loaded and shuts libgd's font cache down.
 * Call after every thread has stopped using this module.  Safe to call
 * without or after a failed captcha_init(), and twice.
 */
void captcha_shutdown(void);

/*
 * Returns a static, human-readable reason for the last captcha_init()
 * failure ("" if none).  Not thread-safe; meant for the start-up error
 * message.
 */
const char *captcha_strerror(void);

/*
 * Writes a fresh random answer into out, NUL-terminated: its length is
 * uniform in CAPTCHA_ANSWER_MIN..CAPTCHA_ANSWER_MAX and each symbol is
 * uniform over captcha_alphabet (libsodium randombytes_uniform()).
 * Thread-safe.  Cannot fail.
 */
void captcha_answer_new(char out[CAPTCHA_ANSWER_MAX + 1]);

/*
 * Returns 1 if answer is a well-formed answer (CAPTCHA_ANSWER_MIN to
 * CAPTCHA_ANSWER_MAX symbols of captcha_alphabet, NUL-terminated), else
 * 0.  NULL gives 0.  Thread-safe.
 */
int captcha_answer_valid(const char *answer);

/*
 * Folds a typed answer of len untrusted bytes (in need not be
 * NUL-terminated and may hold NULs) to the canonical form an answer has:
 * ASCII letters are upper-cased; spaces, tabs, dashes, underscores and
 * dots are dropped; the look-alikes that are not in the alphabet are
 * mapped onto the symbol they are mistaken for (0 O Q -> D, 1 I -> L,
 * 4 -> A, 5 -> S, 6 C -> G, V -> U, F -> E).  Any other byte (B, Z, 2, 8, other
 * punctuation, control bytes, NUL, every byte >= 0x80, so any non-ASCII
 * UTF-8) makes the fold fail, so such input never equals an answer.
 *
 * Writes the folded symbols NUL-terminated into out, at most outsz - 1 of
 * them.  Returns their number: 0 for an empty (or all-separator) input,
 * which matches no answer; up to CAPTCHA_ANSWER_MAX otherwise.  Returns
 * -1 if len > CAPTCHA_FOLD_INPUT_MAX, on a bad byte, if more than
 * CAPTCHA_ANSWER_MAX symbols remain, if they do not fit in outsz - 1, or
 * if outsz == 0; out then holds "" when outsz > 0.  Thread-safe.
 */
int captcha_answer_fold(const char *in, size_t len, char *out, size_t outsz);

/*
 * Renders answer (see captcha_answer_valid()) as a palette PNG of
 * CAPTCHA_WIDTH x CAPTCHA_HEIGHT pixels times scale (1 or 2); scale 2 is
 * the same picture at twice the resolution.  All randomness comes from
 * libsodium randombytes_buf_deterministic() keyed with seed, so the same
 * answer, seed and scale give identical bytes (with the same fonts and
 * libraries).  The PNG is about 1.4 KB at scale 1 (at most ~1.9 KB seen
 * in 75,000, against a 4 KB budget) and about 3 KB at scale 2 (at most
 * ~4.3 KB).
 * Needs a successful captcha_init().  Thread-safe: reads only what
 * captcha_init() loaded.
 *
 * On success returns 0 and *png points to a malloc'd buffer of *len bytes
 * that the caller releases with free().  Returns -1 on a bad argument,
 * without captcha_init(), or if out of memory; *png and *len are then
 * left untouched.
 */
int captcha_render_png(const char *answer,
                       const unsigned char seed[CAPTCHA_SEED_BYTES], int scale,
                       unsigned char **png, size_t *len);

/* Returns the number of colour themes (at least 1).  Cannot fail. */
size_t captcha_theme_count(void);

/*
 * Writes theme i's colours as 0xRRGGBB into rgb: ink, background,
 * decoration.  Returns 0, or -1 if i >= captcha_theme_count().
 */
int captcha_theme_get(size_t i, unsigned long rgb[CAPTCHA_THEME_COLORS]);

#endif
