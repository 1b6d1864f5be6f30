/*
 * fuzz_auth: the moderator tokens of auth.h that arrive from outside:
 * the session cookie (auth_session_hash()), the CSRF token
 * (auth_csrf_ok()) and the one-click token of webhook links
 * (auth_oneclick_open()).
 *
 * The keys are derived (auth_init()) from a fixed test master key, so
 * tokens made by auth_oneclick_new() in this process open. Input: byte
 * 0 picks the check (modulo 4); the rest is a NUL-terminated heap copy
 * of the token, except for mode 3, which reads it as one-click fields.
 *
 * Properties: a cookie that hashes is 43 base64url characters, and a
 * fresh session's cookie hashes to that session's hash; the CSRF token
 * of a session is accepted for it and any other text is refused; a
 * one-click token that opens has a known action and expires after now;
 * a token from auth_oneclick_new() with fuzzed fields opens to exactly
 * those fields while it is valid, and not with any character changed.
 */
#include <sodium.h>

#include "auth.h"
#include "fuzz.h"
#include "secrets.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct secrets s;

	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	memset(&s, 0, sizeof(s));
	memcpy(s.master, fuzz_token_key, sizeof(s.master));
	s.loaded = 1;
	if (auth_init(&s) != 0)
		abort();
	return 0;
}

static int
b64url(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int64_t
get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

static void
session(const char *text)
{
	unsigned char hash[AUTH_SESSION_HASH], h2[AUTH_SESSION_HASH];
	char fresh[AUTH_SESSION_TEXT];

	if (auth_session_hash(text, hash) == 0) {
		FUZZ_CHECK(strlen(text) == AUTH_SESSION_TEXT - 1);
		FUZZ_CHECK(b64url(text));
	}
	auth_session_new(fresh, h2);
	FUZZ_CHECK(auth_session_hash(fresh, hash) == 0);
	FUZZ_CHECK(memcmp(hash, h2, sizeof(hash)) == 0);
}

static void
csrf(const char *text)
{
	unsigned char hash[AUTH_SESSION_HASH];
	char want[AUTH_CSRF_TEXT];

	/* The session: the first bytes of the text, zero-padded. */
	memset(hash, 0, sizeof(hash));
	memcpy(hash, text, strnlen(text, sizeof(hash)));
	auth_csrf(hash, want);
	FUZZ_CHECK(auth_csrf_ok(hash, want) == 1);
	FUZZ_CHECK(auth_csrf_ok(hash, text) == (strcmp(text, want) == 0));
}

static void
oneclick_open(const char *text)
{
	long long id, expires, now = 1764230400;
	enum auth_action action;
	unsigned char nonce[16];

	if (auth_oneclick_open(text, now, &id, &action, &expires, nonce) == 0) {
		FUZZ_CHECK(action == AUTH_APPROVE || action == AUTH_REJECT);
		FUZZ_CHECK(expires > now);
		FUZZ_CHECK(strlen(text) < AUTH_ONECLICK_TEXT && b64url(text));
	}
}

static void
oneclick_roundtrip(const uint8_t *data, size_t size)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	                          "qrstuvwxyz0123456789-_";
	char text[AUTH_ONECLICK_TEXT];
	long long id, expires, now, id2, exp2;
	enum auth_action action, a2;
	unsigned char nonce[16], n2[16];
	size_t pos, len;
	const char *q;

	if (size < 8 + 1 + 8 + 8 + 2)
		return;
	id = get_be64(data);
	action = data[8] & 1 ? AUTH_APPROVE : AUTH_REJECT;
	expires = get_be64(data + 9);
	now = get_be64(data + 17);
	pos = (size_t)(data[25] << 8 | data[26]);

	FUZZ_CHECK(auth_oneclick_new(id, action, expires, text) == 0);
	len = strlen(text);
	FUZZ_CHECK(len > 0 && len < AUTH_ONECLICK_TEXT && b64url(text));
	if (auth_oneclick_open(text, now, &id2, &a2, &exp2, n2) == 0) {
		FUZZ_CHECK(expires > now);
		FUZZ_CHECK(id2 == id && a2 == action && exp2 == expires);
	} else
		FUZZ_CHECK(expires <= now);

	/* Any one character changed: forged. */
	q = strchr(b64, text[pos % len]);
	FUZZ_CHECK(q != NULL);
	text[pos % len] = b64[((size_t)(q - b64) + 1 + pos / len % 63) % 64];
	FUZZ_CHECK(auth_oneclick_open(text, now, &id2, &a2, &exp2, nonce) != 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1)
		return 0;
	if (data[0] % 4 == 3) {
		oneclick_roundtrip(data + 1, size - 1);
		return 0;
	}
	text = fuzz_dup(data + 1, size - 1, 1);
	switch (data[0] % 4) {
	case 0:
		session(text);
		break;
	case 1:
		csrf(text);
		break;
	default:
		oneclick_open(text);
		break;
	}
	free(text);
	return 0;
}
