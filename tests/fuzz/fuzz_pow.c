/*
 * fuzz_pow: the proof-of-work payload parser pow_parse() (ALTCHA v1),
 * which sees the "altcha" field and siteverify's "response" of every
 * client, and pow_check() on what it accepts.
 *
 * Input: byte 0 picks the form. Even: the rest is the payload text as a
 * client sends it (base64). Odd: the rest is the JSON inside, which the
 * harness base64-encodes, so that the fuzzer explores the JSON and the
 * salt rather than the base64 alphabet.
 *
 * Properties: pow_parse() returns 0 or -1 and never reads past the
 * input; on 0 the fields are what pow.h promises (a token of the right
 * length and prefix at the head of the salt, the salt ends with '&',
 * hashes of 64 lower-case hex digits, number <= maxnumber within the
 * bounds, a site and host of the allowed bytes), and making the
 * challenge again from the parsed fields gives the same salt byte for
 * byte (one canonical form: nothing in a salt is ignored); pow_check()
 * returns a defined result.
 */
#include <sodium.h>

#include "fuzz.h"
#include "pow.h"

static int
hex_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == POW_HEX_LEN;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char raw[POW_KEY_BYTES] = {7};
	static struct pow_key key;
	static int ready;
	struct pow_solution sol, compact, json;
	struct pow_challenge again;
	struct pow_scope sc;
	char *text;
	size_t len, n;
	enum pow_result pr;
	int r, rc, rj;

	if (size < 1)
		return 0;
	if (!ready) {
		pow_key_init(&key, raw);
		ready = 1;
	}
	if (data[0] & 1) {
		if (size - 1 > POW_PAYLOAD_MAX)
			return 0;
		n = sodium_base64_ENCODED_LEN(size - 1,
		                              sodium_base64_VARIANT_ORIGINAL);
		if ((text = malloc(n)) == NULL)
			abort();
		sodium_bin2base64(text, n, data + 1, size - 1,
		                  sodium_base64_VARIANT_ORIGINAL);
		len = strlen(text);
	} else {
		len = size - 1;
		text = fuzz_dup(data + 1, len, 0);
	}
	r = pow_parse(text, len, &sol);
	FUZZ_CHECK(r == 0 || r == -1);
	/* The literal reading of the compact text never accepts what
	 * jansson refuses, and both read the same solution. */
	rc = pow_parse_how(text, len, &compact, POW_READ_COMPACT);
	rj = pow_parse_how(text, len, &json, POW_READ_JSON);
	FUZZ_CHECK(rc == -1 || rj == 0);
	FUZZ_CHECK(r == (rc == 0 || rj == 0 ? 0 : -1));
	if (rc == 0)
		FUZZ_CHECK(memcmp(&compact, &json, sizeof(json)) == 0);
	if (r == 0)
		FUZZ_CHECK(memcmp(&sol, &json, sizeof(json)) == 0);
	if (r == 0) {
		n = strlen(sol.salt);
		FUZZ_CHECK(len <= POW_PAYLOAD_MAX);
		FUZZ_CHECK(sol.token_len == TOKEN_TEXT_LEN);
		FUZZ_CHECK(strlen(sol.token) == TOKEN_TEXT_LEN);
		FUZZ_CHECK(memcmp(sol.token, TOKEN_PREFIX, 3) == 0);
		FUZZ_CHECK(memcmp(sol.salt, sol.token, TOKEN_TEXT_LEN) == 0);
		FUZZ_CHECK(n > 0 && n <= POW_SALT_MAX &&
		           sol.salt[n - 1] == '&');
		FUZZ_CHECK(hex_ok(sol.challenge) && hex_ok(sol.signature));
		FUZZ_CHECK(sol.maxnumber >= POW_MAXNUMBER_MIN &&
		           sol.maxnumber <= POW_MAXNUMBER_MAX);
		FUZZ_CHECK(sol.number <= sol.maxnumber);
		FUZZ_CHECK(pow_host_ok(sol.host, strlen(sol.host)));
		FUZZ_CHECK(sol.action[0] == '\0' ||
		           pow_action_ok(sol.action, strlen(sol.action)));
		sc.token = sol.token;
		sc.expires = sol.expires;
		sc.site = sol.site;
		sc.host = sol.host;
		sc.action = sol.action[0] != '\0' ? sol.action : NULL;
		FUZZ_CHECK(pow_challenge_make_number(&key, &sc, sol.maxnumber,
		                                     sol.number, &again) == 0);
		FUZZ_CHECK(strcmp(again.salt, sol.salt) == 0);
		pr = pow_check(&key, &sol, 0);
		FUZZ_CHECK(pr == POW_OK || pr == POW_FORGED ||
		           pr == POW_WRONG || pr == POW_EXPIRED);
		/* Our own key signs again.challenge: it must pass. */
		memcpy(sol.challenge, again.challenge, sizeof(sol.challenge));
		memcpy(sol.signature, again.signature, sizeof(sol.signature));
		FUZZ_CHECK(pow_check(&key, &sol, 0) == POW_OK);
	}
	free(text);
	return 0;
}
