/*
 * pow.c: ALTCHA v1 proof of work (see pow.h).
 *
 * A payload goes through, in this order: length cap -> base64 (alphabet,
 * padding) -> JSON (the compact text read literally, anything else by
 * jansson, duplicates refused) -> each member's type, length and range
 * -> the salt's exact form -> number <= maxnumber; only
 * then is anything hashed: the signature first (one HMAC), then the
 * challenge (one SHA-256), then the expiry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "pow.h"

static const char *const names[] = {"ok", "malformed", "forged", "wrong",
                                    "expired"};

const char *
pow_result_name(enum pow_result r)
{
	return (size_t)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

static int
site_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= sizeof(((struct pow_solution *)0)->site))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return 0;
	return 1;
}

/* Every byte of s[0..n) is in one of the ranges (pairs of bytes). */
static int
chars_ok(const char *s, size_t n, const char *ranges)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; ranges[j] != '\0'; j += 2)
			if (s[i] >= ranges[j] && s[i] <= ranges[j + 1])
				break;
		if (ranges[j] == '\0')
			return 0;
	}
	return 1;
}

int
pow_host_ok(const char *s, size_t n)
{
	return n > 0 && n <= POW_HOST_MAX && chars_ok(s, n, "az09..--::[]");
}

int
pow_action_ok(const char *s, size_t n)
{
	return n > 0 && n <= POW_ACTION_MAX && chars_ok(s, n, "azAZ09__--");
}

/*
 * The per-byte checks below run over every byte of a payload: they are
 * written without branches (one test of the whole run at the end), so
 * that the compiler can vectorise them.
 */
static int
b64url_ok(const char *s, size_t n)
{
	unsigned int all = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		all &= ((unsigned char)(c - 'A') < 26) |
		       ((unsigned char)(c - 'a') < 26) |
		       ((unsigned char)(c - '0') < 10) | (c == '-') |
		       (c == '_');
	}
	return (int)all;
}

/* The text form of a token (token.h): "b1." and base64url. */
static int
token_text_ok(const char *s, size_t n)
{
	size_t p = strlen(TOKEN_PREFIX);

	return n == TOKEN_TEXT_LEN && memcmp(s, TOKEN_PREFIX, p) == 0 &&
	       b64url_ok(s + p, n - p);
}

/* The decimal digits of v, written backwards from end; returns the first. */
static char *
decimal(unsigned long v, char *end)
{
	do
		*--end = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return end;
}

/* hex(SHA-256(salt || decimal(number))) into out (65 bytes). */
static void
challenge_hex(const char *salt, unsigned long number, char out[POW_HEX_LEN + 1])
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	char buf[24], *num = decimal(number, buf + sizeof(buf));
	long n = buf + sizeof(buf) - num;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)salt,
	                          strlen(salt));
	crypto_hash_sha256_update(&st, (const unsigned char *)num,
	                          (unsigned long long)n);
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, POW_HEX_LEN + 1, h, sizeof(h));
}

void
pow_key_init(struct pow_key *k, const unsigned char key[POW_KEY_BYTES])
{
	crypto_auth_hmacsha256_init(&k->hmac, key, POW_KEY_BYTES);
}

void
pow_key_wipe(struct pow_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

/* hex(HMAC-SHA-256(key, challenge)) into out (65 bytes). */
static void
signature_hex(const struct pow_key *key, const char *challenge,
              char out[POW_HEX_LEN + 1])
{
	crypto_auth_hmacsha256_state st = key->hmac;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_update(&st, (const unsigned char *)challenge,
	                              strlen(challenge));
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(out, POW_HEX_LEN + 1, mac, sizeof(mac));
	sodium_memzero(&st, sizeof(st));
}

int
pow_challenge_make_number(const struct pow_key *key, const struct pow_scope *sc,
                          unsigned long maxnumber, unsigned long number,
                          struct pow_challenge *out)
{
	int n;

	if (key == NULL || sc == NULL || out == NULL || sc->token == NULL ||
	    sc->site == NULL || sc->host == NULL ||
	    !token_text_ok(sc->token, strlen(sc->token)) ||
	    !site_ok(sc->site, strlen(sc->site)) ||
	    !pow_host_ok(sc->host, strlen(sc->host)) ||
	    (sc->action != NULL &&
	     !pow_action_ok(sc->action, strlen(sc->action))) ||
	    maxnumber < POW_MAXNUMBER_MIN || maxnumber > POW_MAXNUMBER_MAX ||
	    number > maxnumber || sc->expires < 0)
		return -1;
	n = snprintf(out->salt, sizeof(out->salt),
	             "%s?expires=%lld&site=%s&host=%s%s%s&maxnumber=%lu&",
	             sc->token, sc->expires, sc->site, sc->host,
	             sc->action != NULL ? "&action=" : "",
	             sc->action != NULL ? sc->action : "", maxnumber);
	if (n < 0 || (size_t)n >= sizeof(out->salt))
		return -1;
	out->maxnumber = maxnumber;
	challenge_hex(out->salt, number, out->challenge);
	signature_hex(key, out->challenge, out->signature);
	return 0;
}

int
pow_challenge_make(const struct pow_key *key, const struct pow_scope *scope,
                   unsigned long maxnumber, struct pow_challenge *out)
{
	unsigned long number;

	if (maxnumber < POW_MAXNUMBER_MIN || maxnumber > POW_MAXNUMBER_MAX)
		return -1;
	/* Uniform in 0..maxnumber; maxnumber + 1 fits in 32 bits. */
	number = randombytes_uniform((uint32_t)maxnumber + 1);
	return pow_challenge_make_number(key, scope, maxnumber, number, out);
}

/*
 * Reads 1..maxdigits decimal digits at *p (no sign, no leading zero
 * unless the number is 0) and moves *p past them.  -1 if there are none
 * or too many.
 */
static long long
digits(const char **p, const char *end, int maxdigits)
{
	const char *s = *p;
	long long v = 0;
	int n = 0;

	while (s < end && *s >= '0' && *s <= '9') {
		if (++n > maxdigits)
			return -1;
		v = v * 10 + (*s - '0');
		s++;
	}
	if (n == 0 || (n > 1 && **p == '0'))
		return -1;
	*p = s;
	return v;
}

static int
expect(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return -1;
	*p += n;
	return 0;
}

/*
 * Copies the value at *p, up to the next '&', into out (max + 1 bytes)
 * if ok() accepts it, and moves *p to the '&'.
 */
static int
value(const char **p, const char *end, char *out, size_t max,
      int (*ok)(const char *, size_t))
{
	const char *s = *p;

	while (*p < end && **p != '&')
		(*p)++;
	if ((size_t)(*p - s) > max || !ok(s, (size_t)(*p - s)))
		return -1;
	memcpy(out, s, (size_t)(*p - s));
	out[*p - s] = '\0';
	return 0;
}

/*
 * Our salt, exactly:
 *   token?expires=D&site=S&host=H[&action=A]&maxnumber=D&
 */
static int
salt_parse(const char *salt, size_t len, struct pow_solution *out)
{
	const char *p = salt, *end = salt + len;
	long long v;

	if (len < TOKEN_TEXT_LEN + 1 || salt[TOKEN_TEXT_LEN] != '?' ||
	    !token_text_ok(salt, TOKEN_TEXT_LEN))
		return -1;
	memcpy(out->token, salt, TOKEN_TEXT_LEN);
	out->token[TOKEN_TEXT_LEN] = '\0';
	out->token_len = TOKEN_TEXT_LEN;
	p += TOKEN_TEXT_LEN + 1;
	if (expect(&p, end, "expires=") != 0 ||
	    (out->expires = digits(&p, end, 12)) < 0 ||
	    expect(&p, end, "&site=") != 0 ||
	    value(&p, end, out->site, sizeof(out->site) - 1, site_ok) != 0 ||
	    expect(&p, end, "&host=") != 0 ||
	    value(&p, end, out->host, POW_HOST_MAX, pow_host_ok) != 0)
		return -1;
	if (expect(&p, end, "&action=") == 0 &&
	    value(&p, end, out->action, POW_ACTION_MAX, pow_action_ok) != 0)
		return -1;
	if (expect(&p, end, "&maxnumber=") != 0 ||
	    (v = digits(&p, end, 9)) < 0 || expect(&p, end, "&") != 0 ||
	    p != end)
		return -1;
	if ((unsigned long long)v < POW_MAXNUMBER_MIN ||
	    (unsigned long long)v > POW_MAXNUMBER_MAX)
		return -1;
	out->maxnumber = (unsigned long)v;
	return 0;
}

static int
hex64_ok(const char *s, size_t n)
{
	unsigned int all = 1;
	size_t i;

	if (n != POW_HEX_LEN)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		all &= ((unsigned char)(c - '0') < 10) |
		       ((unsigned char)(c - 'a') < 6);
	}
	return (int)all;
}

/* Copies string member name of o, 1..max bytes, into out. */
static int
member(json_t *o, const char *name, char *out, size_t max, size_t *len)
{
	json_t *v = json_object_get(o, name);
	size_t n;

	if (!json_is_string(v) || (n = json_string_length(v)) == 0 || n > max)
		return -1;
	memcpy(out, json_string_value(v), n);
	out[n] = '\0';
	*len = n;
	return 0;
}

/* What the two readings of the JSON below hand to the common checks. */
struct fields {
	size_t challenge_len, signature_len, salt_len;
	long long number;
};

/*
 * Copies the string at *p, 1..max bytes up to the closing quote, into
 * out, and moves *p past the quote.  A backslash is not taken (jansson
 * reads escapes).
 */
static int
plain_string(const char **p, const char *end, char *out, size_t max,
             size_t *len)
{
	const char *s = *p, *q = memchr(s, '"', (size_t)(end - s));

	if (q == NULL || q == s || (size_t)(q - s) > max ||
	    memchr(s, '\\', (size_t)(q - s)) != NULL)
		return -1;
	*p = q;
	*len = (size_t)(q - s);
	memcpy(out, s, *len);
	out[*len] = '\0';
	(*p)++;
	return 0;
}

/*
 * The one text that our widget, altcha-lib and jansson's compact dump
 * make of the five members in the protocol's order:
 *   {"algorithm":"SHA-256","challenge":"…","number":N,"salt":"…",
 *    "signature":"…"}
 * It is matched literally, without building a JSON tree (jansson was
 * 4 of the 9 us a verification took).  Any other text (another order,
 * spaces, escapes, "took" or other extra members) returns -1 and is
 * read by jansson instead; fuzz_pow checks that both readings agree.
 */
static int
compact_read(const char *j, size_t n, struct pow_solution *out,
             struct fields *f)
{
	const char *p = j, *end = j + n;

	if (expect(&p, end, "{\"algorithm\":\"SHA-256\",\"challenge\":\"") !=
	        0 ||
	    plain_string(&p, end, out->challenge, POW_HEX_LEN,
	                 &f->challenge_len) != 0 ||
	    expect(&p, end, ",\"number\":") != 0 ||
	    (f->number = digits(&p, end, 9)) < 0 ||
	    expect(&p, end, ",\"salt\":\"") != 0 ||
	    plain_string(&p, end, out->salt, POW_SALT_MAX, &f->salt_len) != 0 ||
	    expect(&p, end, ",\"signature\":\"") != 0 ||
	    plain_string(&p, end, out->signature, POW_HEX_LEN,
	                 &f->signature_len) != 0 ||
	    expect(&p, end, "}") != 0 || p != end)
		return -1;
	return 0;
}

/* Any valid JSON object with those members, through jansson. */
static int
json_read(const char *j, size_t n, struct pow_solution *out, struct fields *f)
{
	json_t *o, *num;
	char alg[16];
	size_t len;
	int ret = -1;

	o = json_loadb(j, n, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(o))
		goto done;
	if (member(o, "algorithm", alg, sizeof(alg) - 1, &len) != 0 ||
	    strcmp(alg, "SHA-256") != 0 ||
	    member(o, "challenge", out->challenge, POW_HEX_LEN,
	           &f->challenge_len) != 0 ||
	    member(o, "signature", out->signature, POW_HEX_LEN,
	           &f->signature_len) != 0 ||
	    member(o, "salt", out->salt, POW_SALT_MAX, &f->salt_len) != 0)
		goto done;
	num = json_object_get(o, "number");
	if (!json_is_integer(num))
		goto done;
	f->number = json_integer_value(num);
	ret = 0;
done:
	json_decref(o);
	return ret;
}

int
pow_parse_how(const char *payload, size_t len, struct pow_solution *out,
              int how)
{
	unsigned char bin[POW_PAYLOAD_MAX];
	size_t binlen;
	struct fields f;
	int ret = -1;

	if (payload == NULL || out == NULL || len == 0 || len > POW_PAYLOAD_MAX)
		return -1;
	memset(out, 0, sizeof(*out));
	/* Padded text is a multiple of 4 long; libsodium checks the rest
	 * (alphabet, padding, trailing bits). */
	if (sodium_base642bin(
	        bin, sizeof(bin), payload, len, NULL, &binlen, NULL,
	        len % 4 == 0 ? sodium_base64_VARIANT_ORIGINAL
	                     : sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
		return -1;
	if ((how == POW_READ_COMPACT || how == POW_READ_ANY) &&
	    compact_read((const char *)bin, binlen, out, &f) == 0)
		ret = 0;
	else if (how != POW_READ_COMPACT) {
		memset(out, 0, sizeof(*out));
		ret = json_read((const char *)bin, binlen, out, &f);
	}
	if (ret != 0 || !hex64_ok(out->challenge, f.challenge_len) ||
	    !hex64_ok(out->signature, f.signature_len) || f.number < 0 ||
	    f.number > (long long)POW_MAXNUMBER_MAX ||
	    salt_parse(out->salt, f.salt_len, out) != 0 ||
	    (unsigned long)f.number > out->maxnumber) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	out->number = (unsigned long)f.number;
	return 0;
}

int
pow_parse(const char *payload, size_t len, struct pow_solution *out)
{
	return pow_parse_how(payload, len, out, POW_READ_ANY);
}

enum pow_result
pow_check(const struct pow_key *key, const struct pow_solution *s,
          long long now)
{
	char want[POW_HEX_LEN + 1];

	signature_hex(key, s->challenge, want);
	if (sodium_memcmp(want, s->signature, POW_HEX_LEN) != 0)
		return POW_FORGED;
	challenge_hex(s->salt, s->number, want);
	if (sodium_memcmp(want, s->challenge, POW_HEX_LEN) != 0)
		return POW_WRONG;
	if (s->expires < now)
		return POW_EXPIRED;
	return POW_OK;
}

long
pow_solve(const struct pow_challenge *c)
{
	crypto_hash_sha256_state base, st;
	unsigned char h[crypto_hash_sha256_BYTES],
	    want[crypto_hash_sha256_BYTES];
	char num[24];
	unsigned long i;
	int n;

	if (sodium_hex2bin(want, sizeof(want), c->challenge, POW_HEX_LEN, NULL,
	                   NULL, NULL) != 0)
		return -1;
	/* The salt's state once, then only the digits per try, as an
	 * attacker would. */
	crypto_hash_sha256_init(&base);
	crypto_hash_sha256_update(&base, (const unsigned char *)c->salt,
	                          strlen(c->salt));
	for (i = 0; i <= c->maxnumber; i++) {
		n = snprintf(num, sizeof(num), "%lu", i);
		st = base;
		crypto_hash_sha256_update(&st, (const unsigned char *)num,
		                          (unsigned long long)n);
		crypto_hash_sha256_final(&st, h);
		if (memcmp(h, want, sizeof(h)) == 0)
			return (long)i;
	}
	return -1;
}
