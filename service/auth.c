/*
 * auth.c: see auth.h.
 */
#include <sodium.h>
#include <string.h>

#include "auth.h"
#include "secrets.h"

/* libsodium 1.0.18 decodes bytes 0x80-0xff as '_': texts are checked
 * against the alphabet first, so that each has exactly one spelling. */
#define B64URL                                                                 \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

static unsigned char csrf_key[crypto_generichash_KEYBYTES];
static unsigned char oneclick_key[crypto_generichash_KEYBYTES];
/*
 * Unknown users are checked against this hash so that they cost as much
 * as known ones. It is the Argon2id hash (INTERACTIVE limits) of 32
 * random bytes that were thrown away: nothing matches it. A constant
 * instead of one made at start-up saves ~60 ms and 64 MiB there.
 */
static const char dummy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$lgYae41dnW/N1gKG3At/gA$"
    "dZQ1U25jZBHf4q6+pAoFfhrBvh+i4jze/hK9Woyka0s";

int
auth_init(const struct secrets *s)
{
	if (secrets_derive(s, "csrf____", 0, csrf_key, sizeof(csrf_key)) != 0 ||
	    secrets_derive(s, "oneclick", 0, oneclick_key,
	                   sizeof(oneclick_key)) != 0)
		return -1;
	return 0;
}

void
auth_shutdown(void)
{
	sodium_memzero(csrf_key, sizeof(csrf_key));
	sodium_memzero(oneclick_key, sizeof(oneclick_key));
}

int
auth_hash_password(const char *pw, char out[STORAGE_MAX_PWHASH + 1])
{
	char h[crypto_pwhash_STRBYTES];

	if (crypto_pwhash_str(h, pw, strlen(pw),
	                      crypto_pwhash_OPSLIMIT_INTERACTIVE,
	                      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -1;
	if (strlen(h) > STORAGE_MAX_PWHASH)
		return -1;
	memcpy(out, h, strlen(h) + 1);
	return 0;
}

int
auth_check_password(const char *hash, const char *pw, int *rehash)
{
	int ok;

	*rehash = 0;
	ok = crypto_pwhash_str_verify(hash != NULL ? hash : dummy_hash, pw,
	                              strlen(pw)) == 0;
	if (hash == NULL)
		return 0;
	if (ok && crypto_pwhash_str_needs_rehash(
	              hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
	              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		*rehash = 1;
	return ok;
}

void
auth_session_new(char text[AUTH_SESSION_TEXT],
                 unsigned char hash[AUTH_SESSION_HASH])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(text, AUTH_SESSION_TEXT, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	crypto_generichash(hash, AUTH_SESSION_HASH, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
}

int
auth_session_hash(const char *text, unsigned char hash[AUTH_SESSION_HASH])
{
	unsigned char raw[32];
	size_t len;
	const char *end;

	if (text == NULL || strlen(text) != AUTH_SESSION_TEXT - 1 ||
	    strspn(text, B64URL) != strlen(text) ||
	    sodium_base642bin(raw, sizeof(raw), text, strlen(text), NULL, &len,
	                      &end,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(raw) || *end != '\0')
		return -1;
	crypto_generichash(hash, AUTH_SESSION_HASH, raw, sizeof(raw), NULL, 0);
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

void
auth_csrf(const unsigned char hash[AUTH_SESSION_HASH], char out[AUTH_CSRF_TEXT])
{
	unsigned char mac[32];

	crypto_generichash(mac, sizeof(mac), hash, AUTH_SESSION_HASH, csrf_key,
	                   sizeof(csrf_key));
	sodium_bin2base64(out, AUTH_CSRF_TEXT, mac, sizeof(mac),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
auth_csrf_ok(const unsigned char hash[AUTH_SESSION_HASH], const char *token)
{
	char want[AUTH_CSRF_TEXT];

	if (token == NULL || strlen(token) != AUTH_CSRF_TEXT - 1)
		return 0;
	auth_csrf(hash, want);
	return sodium_memcmp(want, token, AUTH_CSRF_TEXT - 1) == 0;
}

/* One-click: id (8) | action (1) | expires (8) | nonce (16) | mac (32). */
#define OC_BODY 33
#define OC_MAC  32

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
auth_oneclick_new(long long comment_id, enum auth_action action,
                  long long expires, char out[AUTH_ONECLICK_TEXT])
{
	unsigned char b[OC_BODY + OC_MAC];

	put64(b, (uint64_t)comment_id);
	b[8] = (unsigned char)action;
	put64(b + 9, (uint64_t)expires);
	randombytes_buf(b + 17, 16);
	crypto_generichash(b + OC_BODY, OC_MAC, b, OC_BODY, oneclick_key,
	                   sizeof(oneclick_key));
	sodium_bin2base64(out, AUTH_ONECLICK_TEXT, b, sizeof(b),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int
auth_oneclick_open(const char *text, long long now, long long *comment_id,
                   enum auth_action *action, long long *expires,
                   unsigned char nonce[16])
{
	unsigned char b[OC_BODY + OC_MAC], mac[OC_MAC];
	const char *end;
	size_t len;

	if (text == NULL || strlen(text) >= AUTH_ONECLICK_TEXT ||
	    strspn(text, B64URL) != strlen(text) ||
	    sodium_base642bin(b, sizeof(b), text, strlen(text), NULL, &len,
	                      &end,
	                      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    len != sizeof(b) || *end != '\0')
		return -1;
	crypto_generichash(mac, sizeof(mac), b, OC_BODY, oneclick_key,
	                   sizeof(oneclick_key));
	if (sodium_memcmp(mac, b + OC_BODY, OC_MAC) != 0)
		return -1;
	*comment_id = (long long)get64(b);
	*expires = (long long)get64(b + 9);
	if ((b[8] != AUTH_APPROVE && b[8] != AUTH_REJECT) || *expires <= now)
		return -1;
	*action = (enum auth_action)b[8];
	memcpy(nonce, b + 17, 16);
	return 0;
}
