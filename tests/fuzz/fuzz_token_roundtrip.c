/*
 * fuzz_token_roundtrip: a property check of token_seal() and
 * token_open() together. The input is read as claims (and a key);
 * they are sealed, and then:
 *   - the text is TOKEN_TEXT_LEN bytes of "b1." + base64url;
 *   - well-formed claims (kind image/audio, lang 0/1, answer of 1 to 8
 *     symbols of the CAPTCHA alphabet or digits) open again under the
 *     same key to exactly the same claims, nonce included;
 *   - claims with a bad kind or lang never open;
 *   - the same text under another key, with any one character changed,
 *     or cut short, never opens.
 * Any failure aborts, so libFuzzer keeps the input.
 */
#include <sodium.h>

#include "captcha.h"
#include "fuzz.h"
#include "token.h"

/* Bytes of the input layout below. */
#define IN_FIXED                                                               \
	(4 + 8 + 2 + 1 + 1 + 1 + TOKEN_ANSWER_WIDTH + TOKEN_SCOPE_BYTES +      \
	 TOKEN_KEY_BYTES + 2)

struct keyarg {
	const unsigned char *key;
};

static int
key_fn(void *arg, uint32_t key_id, unsigned char key[TOKEN_KEY_BYTES])
{
	const struct keyarg *k = arg;

	(void)key_id;
	memcpy(key, k->key, TOKEN_KEY_BYTES);
	return 0;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	return 0;
}

static uint64_t
get_be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int
b64url_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/* A symbol a real answer can hold: the image alphabet or a digit. */
static int
answer_char(char ch)
{
	return (ch >= '0' && ch <= '9') ||
	       (ch != '\0' && strchr(captcha_alphabet, ch) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                          "qrstuvwxyz0123456789-_";
	struct token_claims c, out;
	struct keyarg ka;
	unsigned char key[TOKEN_KEY_BYTES], other[TOKEN_KEY_BYTES];
	char text[TOKEN_MAX_TEXT + 1], bad[TOKEN_MAX_TEXT + 1];
	const uint8_t *p = data;
	size_t alen, i, pos;
	int wellformed, sealed;

	if (size < IN_FIXED)
		return 0;
	memset(&c, 0, sizeof(c));
	c.key_id = (uint32_t)get_be(p, 4);
	p += 4;
	c.issued_at = get_be(p, 8);
	p += 8;
	c.ttl = (uint16_t)get_be(p, 2);
	p += 2;
	c.kind = *p++;
	c.lang = *p++;
	/*
	 * 0..8 symbols (fewer if a NUL comes first). A longer answer does
	 * not fit struct token_claims, so only the empty one tests the
	 * refusal.
	 */
	alen = *p++ % (TOKEN_ANSWER_WIDTH + 1);
	memcpy(c.answer, p, TOKEN_ANSWER_WIDTH);
	p += TOKEN_ANSWER_WIDTH;
	c.answer[alen] = '\0';
	memcpy(c.scope, p, TOKEN_SCOPE_BYTES);
	p += TOKEN_SCOPE_BYTES;
	memcpy(key, p, TOKEN_KEY_BYTES);
	p += TOKEN_KEY_BYTES;
	pos = (size_t)get_be(p, 2);

	alen = strlen(c.answer);
	sealed = token_seal(&c, key, text, sizeof(text)) == 0;
	/* token.h: seal fails only for an empty or too long answer. */
	FUZZ_CHECK(sealed == (alen >= 1 && alen <= TOKEN_ANSWER_WIDTH));
	if (!sealed)
		return 0;
	FUZZ_CHECK(c.answer_len == alen);
	FUZZ_CHECK(strlen(text) == TOKEN_TEXT_LEN);
	FUZZ_CHECK(memcmp(text, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) == 0);
	for (i = strlen(TOKEN_PREFIX); i < TOKEN_TEXT_LEN; i++)
		FUZZ_CHECK(b64url_char(text[i]));

	wellformed = c.kind >= TOKEN_KIND_IMAGE && c.kind <= TOKEN_KIND_MAX &&
	             c.lang <= 1;
	for (i = 0; i < alen; i++)
		wellformed = wellformed && answer_char(c.answer[i]);

	ka.key = key;
	if (token_open(text, TOKEN_TEXT_LEN, key_fn, &ka, &out) == 0) {
		FUZZ_CHECK(c.kind >= TOKEN_KIND_IMAGE &&
		           c.kind <= TOKEN_KIND_MAX);
		FUZZ_CHECK(c.lang <= 1);
		FUZZ_CHECK(out.key_id == c.key_id && out.kind == c.kind &&
		           out.issued_at == c.issued_at && out.ttl == c.ttl &&
		           out.lang == c.lang &&
		           out.answer_len == c.answer_len);
		FUZZ_CHECK(strcmp(out.answer, c.answer) == 0);
		FUZZ_CHECK(memcmp(out.scope, c.scope, sizeof(c.scope)) == 0);
		FUZZ_CHECK(memcmp(out.nonce, c.nonce, sizeof(c.nonce)) == 0);
	} else
		FUZZ_CHECK(!wellformed);

	/* Another key: one bit of difference must be enough. */
	memcpy(other, key, sizeof(other));
	other[pos % TOKEN_KEY_BYTES] ^= (uint8_t)(1u << (pos / 256 % 8));
	ka.key = other;
	FUZZ_CHECK(token_open(text, TOKEN_TEXT_LEN, key_fn, &ka, &out) != 0);

	/* Any one character changed (to another base64url one), or cut. */
	ka.key = key;
	memcpy(bad, text, sizeof(bad));
	i = pos % TOKEN_TEXT_LEN;
	bad[i] = b64[(strchr(b64, bad[i]) != NULL
	                  ? (size_t)(strchr(b64, bad[i]) - b64) + 1 +
	                        pos / TOKEN_TEXT_LEN % 63
	                  : pos) %
	             64];
	if (bad[i] == text[i])
		bad[i] = '.';
	FUZZ_CHECK(token_open(bad, TOKEN_TEXT_LEN, key_fn, &ka, &out) != 0);
	FUZZ_CHECK(token_open(text, TOKEN_TEXT_LEN - 1, key_fn, &ka, &out) !=
	           0);
	return 0;
}
