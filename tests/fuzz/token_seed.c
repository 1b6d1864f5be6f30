/*
 * token_seed: writes the seed corpora of the token targets.
 *
 *   token_seed DIR_OPEN DIR_ROUNDTRIP DIR_AUTH
 *
 * DIR_OPEN gets real tokens (image and audio, both languages, answers of
 * 1 to 8 symbols) sealed with fuzz_token_key, which fuzz_token_open
 * accepts for every key id; DIR_ROUNDTRIP gets inputs in the layout
 * fuzz_token_roundtrip reads; DIR_AUTH gets a session cookie, its CSRF
 * token and one-click tokens made with the keys fuzz_auth derives from
 * the same test key. Not a fuzz target (no fuzz_ prefix, so
 * run.sh does not run it); built with the targets and run by hand when
 * the token format changes.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "fuzz.h"
#include "secrets.h"
#include "token.h"

static int
write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *fp;
	int ret = -1;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -1;
	if ((fp = fopen(path, "wb")) == NULL) {
		perror(path);
		return -1;
	}
	if (fwrite(data, 1, len, fp) == len)
		ret = 0;
	if (fclose(fp) != 0)
		ret = -1;
	return ret;
}

static void
put_be(unsigned char *p, uint64_t v, size_t n)
{
	while (n-- > 0) {
		p[n] = (unsigned char)v;
		v >>= 8;
	}
}

/* The fuzz_auth seeds: byte 0 is its mode (0 cookie, 1 CSRF, 2 one-click,
 * 3 one-click fields). */
static int
auth_seeds(const char *dir)
{
	struct secrets s;
	unsigned char hash[AUTH_SESSION_HASH], in[1 + 27];
	char text[1 + AUTH_ONECLICK_TEXT];
	int ret = -1;

	memset(&s, 0, sizeof(s));
	memcpy(s.master, fuzz_token_key, sizeof(s.master));
	s.loaded = 1;
	if (auth_init(&s) != 0)
		return -1;
	text[0] = 0;
	auth_session_new(text + 1, hash);
	if (write_file(dir, "cookie", text, strlen(text + 1) + 1) != 0)
		goto done;
	/* fuzz_auth takes the session hash from the token's first bytes. */
	text[0] = 1;
	memset(hash, 0, sizeof(hash));
	memcpy(hash, "csrf-seed", 9);
	auth_csrf(hash, text + 1);
	if (write_file(dir, "csrf-other-session", text, strlen(text + 1) + 1) !=
	    0)
		goto done;
	text[0] = 2;
	auth_oneclick_new(42, AUTH_APPROVE, 4102444800, text + 1); /* 2100 */
	if (write_file(dir, "oneclick-approve", text, strlen(text + 1) + 1) !=
	    0)
		goto done;
	auth_oneclick_new(7, AUTH_REJECT, 1, text + 1); /* expired */
	if (write_file(dir, "oneclick-expired", text, strlen(text + 1) + 1) !=
	    0)
		goto done;
	memset(in, 0, sizeof(in));
	in[0] = 3;
	put_be(in + 1, 42, 8);
	in[9] = 1;
	put_be(in + 10, 4102444800u, 8);
	put_be(in + 18, 1764230400u, 8);
	put_be(in + 26, 77, 2);
	if (write_file(dir, "oneclick-fields", in, sizeof(in)) != 0)
		goto done;
	ret = 0;
done:
	auth_shutdown();
	return ret;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name, *answer, *site, *article;
		uint8_t kind, lang;
		uint32_t key_id;
		uint16_t ttl;
	} seeds[] = {
	    {"image-vi", "ADEGH", "default", "", TOKEN_KIND_IMAGE, 0, 1, 600},
	    {"image-en-7", "JKLMNP4", "portal", "/tin-tuc/1", TOKEN_KIND_IMAGE,
	     1, 42, 3600},
	    {"audio-vi", "012345", "default", "", TOKEN_KIND_AUDIO, 0, 7, 600},
	    {"audio-en-5", "97310", "hue", "a", TOKEN_KIND_AUDIO, 1,
	     0x7fffffffu, 30},
	    {"answer-1", "X", "s", "", TOKEN_KIND_IMAGE, 0, 0, 0},
	    {"answer-8", "ZZZZZZZZ", "s", "", TOKEN_KIND_IMAGE, 1, 0xfffffffeu,
	     65535},
	    /* The one key id fuzz_token_open does not know. */
	    {"unknown-key", "ADEGH", "default", "", TOKEN_KIND_IMAGE, 0,
	     0xffffffffu, 600},
	};
	unsigned char in[4 + 8 + 2 + 1 + 1 + 1 + TOKEN_ANSWER_WIDTH +
	                 TOKEN_SCOPE_BYTES + TOKEN_KEY_BYTES + 2];
	char text[TOKEN_MAX_TEXT + 1], name[64];
	struct token_claims c;
	size_t i, alen;
	unsigned char *p;

	if (argc != 4) {
		fprintf(stderr,
		        "usage: token_seed DIR_OPEN DIR_ROUNDTRIP DIR_AUTH\n");
		return 2;
	}
	if (sodium_init() < 0 || auth_seeds(argv[3]) != 0)
		return 1;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.key_id = seeds[i].key_id;
		c.kind = seeds[i].kind;
		c.lang = seeds[i].lang;
		c.ttl = seeds[i].ttl;
		c.issued_at = 1764230400u + i; /* 2025-11-27 */
		alen = strlen(seeds[i].answer);
		memcpy(c.answer, seeds[i].answer, alen + 1);
		token_scope(seeds[i].site, seeds[i].article, c.scope);
		if (token_seal(&c, fuzz_token_key, text, sizeof(text)) != 0)
			return 1;
		snprintf(name, sizeof(name), "%s.tok", seeds[i].name);
		if (write_file(argv[1], name, text, strlen(text)) != 0)
			return 1;

		p = in;
		put_be(p, c.key_id, 4);
		put_be(p + 4, c.issued_at, 8);
		put_be(p + 12, c.ttl, 2);
		p[14] = c.kind;
		p[15] = c.lang;
		p[16] = (unsigned char)alen;
		memset(p + 17, 0, TOKEN_ANSWER_WIDTH);
		memcpy(p + 17, c.answer, alen);
		memcpy(p + 25, c.scope, TOKEN_SCOPE_BYTES);
		memcpy(p + 41, fuzz_token_key, TOKEN_KEY_BYTES);
		put_be(p + 73, 31 * i + 5, 2);
		snprintf(name, sizeof(name), "%s.bin", seeds[i].name);
		if (write_file(argv[2], name, in, sizeof(in)) != 0)
			return 1;
	}
	return 0;
}
