/*
 * fuzz_token_open: token_open() on untrusted text, the CAPTCHA token
 * that arrives in every answer and every image/audio URL.
 *
 * Every key id gets the fixed test key except one (0xffffffff), which is
 * unknown, so that both the key-lookup failure and the AEAD open are
 * reached; a seed corpus of real tokens sealed with that key (made by
 * token_seed.c) lets the fuzzer reach the checks after decryption.
 *
 * Properties: a token that opens is 118 bytes of "b1." and base64url
 * only (token.h: strictly, so a token has one text form), has well-formed
 * claims (kind, lang, answer length and NUL, key id of the header), and
 * sealing those claims again opens to the same claims; a token that does not
 * open leaves the claims zeroed, as token.c promises ("no detail").
 */
#include <sodium.h>

#include "fuzz.h"
#include "token.h"

#define UNKNOWN_KEY_ID 0xffffffffu

static int
key_fn(void *arg, uint32_t key_id, unsigned char key[TOKEN_KEY_BYTES])
{
	(void)arg;
	if (key_id == UNKNOWN_KEY_ID)
		return -1;
	memcpy(key, fuzz_token_key, TOKEN_KEY_BYTES);
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

static int
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

static void
check_claims(const struct token_claims *c)
{
	size_t i;

	FUZZ_CHECK(c->key_id != UNKNOWN_KEY_ID);
	FUZZ_CHECK(c->kind >= TOKEN_KIND_IMAGE && c->kind <= TOKEN_KIND_MAX);
	FUZZ_CHECK(c->lang <= 1);
	FUZZ_CHECK(c->answer_len >= 1 && c->answer_len <= TOKEN_ANSWER_WIDTH);
	FUZZ_CHECK(c->answer[c->answer_len] == '\0');
	FUZZ_CHECK(strlen(c->answer) == c->answer_len);
	for (i = 0; i < c->answer_len; i++)
		FUZZ_CHECK(c->answer[i] >= '0' && c->answer[i] <= 'Z');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct token_claims c, again, c2;
	char *text = fuzz_dup(data, size, 0);
	char sealed[TOKEN_MAX_TEXT + 1];
	size_t i;

	memset(&c, 0xa5, sizeof(c));
	if (token_open(text, size, key_fn, NULL, &c) != 0) {
		FUZZ_CHECK(all_zero(&c, sizeof(c)));
		goto done;
	}
	FUZZ_CHECK(size == TOKEN_TEXT_LEN);
	/* token.h: "base64url strictly", so one text per token. */
	for (i = strlen(TOKEN_PREFIX); i < size; i++)
		FUZZ_CHECK((text[i] >= 'A' && text[i] <= 'Z') ||
		           (text[i] >= 'a' && text[i] <= 'z') ||
		           (text[i] >= '0' && text[i] <= '9') ||
		           text[i] == '-' || text[i] == '_');
	check_claims(&c);

	/* Sealing what opened must give a token that opens the same. */
	again = c;
	FUZZ_CHECK(token_seal(&again, fuzz_token_key, sealed, sizeof(sealed)) ==
	           0);
	FUZZ_CHECK(strlen(sealed) == TOKEN_TEXT_LEN);
	FUZZ_CHECK(token_open(sealed, strlen(sealed), key_fn, NULL, &c2) == 0);
	FUZZ_CHECK(c2.key_id == c.key_id && c2.kind == c.kind &&
	           c2.issued_at == c.issued_at && c2.ttl == c.ttl &&
	           c2.lang == c.lang && c2.answer_len == c.answer_len);
	FUZZ_CHECK(memcmp(c2.answer, c.answer, sizeof(c.answer)) == 0);
	FUZZ_CHECK(memcmp(c2.scope, c.scope, sizeof(c.scope)) == 0);
	FUZZ_CHECK(memcmp(c2.nonce, again.nonce, sizeof(c2.nonce)) == 0);
done:
	free(text);
	return 0;
}
