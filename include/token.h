#ifndef BANDOC_TOKEN_H
#define BANDOC_TOKEN_H

/*
 * token: sealed CAPTCHA challenges. The answer and everything needed to
 * check it travel in the token itself, sealed with XChaCha20-Poly1305
 * (libsodium) under a server key, so issuing keeps no server state.
 *
 * Text form: "b1." + base64url(header | nonce | ciphertext), 118 chars.
 *   header (clear, authenticated as additional data with the version):
 *     key id (u32 BE), kind (u8)
 *   plaintext (fixed size, never concatenated strings):
 *     key id (u32), issued-at (u64 unix s), ttl (u16 s), kind (u8),
 *     lang (u8), answer length (u8), answer zero-padded to 8 bytes,
 *     scope hash (16 bytes: BLAKE2b of site NUL article)
 */

#include <stddef.h>
#include <stdint.h>

#define TOKEN_PREFIX       "b1."
#define TOKEN_VERSION      1
#define TOKEN_ANSWER_WIDTH 8
#define TOKEN_NONCE_BYTES  24
#define TOKEN_SCOPE_BYTES  16
#define TOKEN_KEY_BYTES    32
#define TOKEN_HEADER_BYTES 5
#define TOKEN_PLAIN_BYTES  41
#define TOKEN_BIN_BYTES                                                        \
	(TOKEN_HEADER_BYTES + TOKEN_NONCE_BYTES + TOKEN_PLAIN_BYTES + 16)
/* Length of the text form; the parser refuses any other length. */
#define TOKEN_TEXT_LEN 118
#define TOKEN_MAX_TEXT 120

/*
 * What a token asks for.  Image and audio tokens from the widget need a
 * proof of work (pow.h) besides the answer; POW tokens (captcha_mode =
 * invisible) need the proof alone, their sealed answer is never shown or
 * checked; the *_NOJS kinds, for the no-JavaScript page, need the answer
 * alone and are issued under tighter limits.
 */
enum token_kind {
	TOKEN_KIND_IMAGE = 1,
	TOKEN_KIND_AUDIO = 2,
	TOKEN_KIND_POW = 3,
	TOKEN_KIND_IMAGE_NOJS = 4,
	TOKEN_KIND_AUDIO_NOJS = 5,
};
#define TOKEN_KIND_MAX TOKEN_KIND_AUDIO_NOJS

struct token_claims {
	uint32_t key_id;
	uint8_t kind;       /* enum token_kind */
	uint64_t issued_at; /* unix seconds */
	uint16_t ttl;       /* seconds */
	uint8_t lang;       /* 0 vi, 1 en */
	uint8_t answer_len;
	char answer[TOKEN_ANSWER_WIDTH + 1]; /* NUL-terminated */
	unsigned char scope[TOKEN_SCOPE_BYTES];
	unsigned char nonce[TOKEN_NONCE_BYTES]; /* set by seal and open */
};

/* Looks up the key of key_id; 0 and key filled, or -1 (unknown id). */
typedef int token_key_fn(void *arg, uint32_t key_id,
                         unsigned char key[TOKEN_KEY_BYTES]);

/* The scope hash of (site, article); article may be "". Cannot fail. */
void token_scope(const char *site, const char *article,
                 unsigned char out[TOKEN_SCOPE_BYTES]);

/*
 * Seals c under key with a fresh random nonce (written back into
 * c->nonce) into out (at least TOKEN_MAX_TEXT + 1 bytes). 0 / -1 (answer
 * too long or empty).
 */
int token_seal(struct token_claims *c, const unsigned char key[TOKEN_KEY_BYTES],
               char *out, size_t outsz);

/*
 * Opens text (len bytes of untrusted input). Checks length, prefix and
 * base64url strictly, finds the key through key_fn, authenticates, and
 * checks that the sealed fields agree with the clear header and are well
 * formed. 0 with claims filled, -1 otherwise (no detail: a token either
 * opens or it does not). Does not look at time or scope.
 */
int token_open(const char *text, size_t len, token_key_fn *key_fn, void *arg,
               struct token_claims *claims);

#endif
