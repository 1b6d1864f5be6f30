#ifndef BANDOC_POW_H
#define BANDOC_POW_H

/*
 * pow: the proof of work that rides on every CAPTCHA challenge, in the
 * ALTCHA protocol v1 (https://altcha.org/docs/api-specification-v1), so
 * that the stock `altcha` widget and `altcha-lib` solve our challenges.
 *
 *   challenge = hex(SHA-256(salt || decimal(number)))
 *   signature = hex(HMAC-SHA-256(key, challenge))
 *
 * The client finds number in 0..maxnumber by brute force and answers with
 * base64(JSON {algorithm, challenge, number, salt, signature}).  Our salt
 * is the CAPTCHA token it belongs to, then its parameters, ending with '&'
 * (the fix for CVE-2025-68113: no digits of number can be read as part of
 * the salt):
 *
 *   <token>?expires=<unix
 * s>&site=<site>&host=<host>[&action=<a>]&maxnumber=<n>&
 *
 * so one solution belongs to exactly one token, and is consumed with it.
 * host is the host name of the page that asked (siteverify's "hostname"),
 * action an optional label of the form (siteverify's "action").
 * The salt is covered by the signature through the challenge hash.
 * No state, no I/O, no HTTP here.  Thread-safe.
 */

#include <stddef.h>

#include <sodium.h>

#include "token.h"

#define POW_KEY_BYTES 32
#define POW_HEX_LEN   64
/* Longest host name and action label a salt carries. */
#define POW_HOST_MAX   100
#define POW_ACTION_MAX 32
/* The longest salt we make: token, parameters, site, host, action. */
#define POW_SALT_MAX 360
/*
 * The longest payload text looked at (base64 of the JSON): room for the
 * largest salt, both hashes, the number and the widget's extra "took".
 */
#define POW_PAYLOAD_MAX 1024
/*
 * Difficulty bounds.  maxnumber 10,000 is a few milliseconds in a
 * browser; 50,000,000 is about a minute on a phone, past which a reader
 * would give up (the adaptive cap stays below it).
 */
#define POW_MAXNUMBER_MIN 1000UL
#define POW_MAXNUMBER_MAX 50000000UL

/*
 * The HMAC key, with its inner and outer SHA-256 states computed once
 * (pow_key_init): a signature then costs three compressions, not five.
 */
struct pow_key {
	crypto_auth_hmacsha256_state hmac;
};

/* Prepares k from the raw key.  pow_key_wipe() when done. */
void pow_key_init(struct pow_key *k, const unsigned char key[POW_KEY_BYTES]);
void pow_key_wipe(struct pow_key *k);

/* A challenge as sent to the client (the ALTCHA v1 fields). */
struct pow_challenge {
	char salt[POW_SALT_MAX + 1];
	char challenge[POW_HEX_LEN + 1];
	char signature[POW_HEX_LEN + 1];
	unsigned long maxnumber;
};

/* What a well-formed payload says, after pow_parse(). */
struct pow_solution {
	char salt[POW_SALT_MAX + 1];
	char challenge[POW_HEX_LEN + 1];
	char signature[POW_HEX_LEN + 1];
	unsigned long number;
	/* From the salt's parameters. */
	char token[TOKEN_MAX_TEXT + 1];
	size_t token_len;
	long long expires;
	char site[64];
	char host[POW_HOST_MAX + 1];
	char action[POW_ACTION_MAX + 1]; /* "" when none */
	unsigned long maxnumber;
};

/* What a challenge is made for. */
struct pow_scope {
	const char *token; /* TOKEN_TEXT_LEN bytes of base64url */
	long long expires;
	const char *site;   /* 1..63 bytes of [a-z0-9_-] */
	const char *host;   /* 1..POW_HOST_MAX bytes of [a-z0-9.:[]-] */
	const char *action; /* NULL, or 1..POW_ACTION_MAX of [A-Za-z0-9_-] */
};

enum pow_result {
	POW_OK,
	POW_MALFORMED, /* not our payload: refused before any hashing */
	POW_FORGED,    /* signature does not match */
	POW_WRONG,     /* number does not solve the challenge */
	POW_EXPIRED,
};

/* A short snake_case name of a result (metrics, errors). */
const char *pow_result_name(enum pow_result r);

/*
 * Makes a challenge for scope (see struct pow_scope), with a secret
 * number drawn uniformly in 0..maxnumber (libsodium).  maxnumber must be
 * within the bounds above.  0, or -1 on a bad argument.
 */
int pow_challenge_make(const struct pow_key *key, const struct pow_scope *scope,
                       unsigned long maxnumber, struct pow_challenge *out);

/*
 * Test and benchmark helper: the challenge for a chosen number (the
 * secret one is random).  Same contract as pow_challenge_make().
 */
int pow_challenge_make_number(const struct pow_key *key,
                              const struct pow_scope *scope,
                              unsigned long maxnumber, unsigned long number,
                              struct pow_challenge *out);

/* 1 if s (n bytes) is a host name a salt can carry, else 0. */
int pow_host_ok(const char *s, size_t n);

/* 1 if s (n bytes) is an action label a salt can carry, else 0. */
int pow_action_ok(const char *s, size_t n);

/*
 * Parses len bytes of untrusted payload text (need not be NUL-terminated)
 * into out: base64 (standard alphabet, padding optional), then a JSON
 * object with algorithm "SHA-256", challenge and signature as 64 lower-
 * case hex digits, number an integer in 0..maxnumber, and a salt of our
 * form above with maxnumber within the bounds.  Unknown members (the
 * widget adds "took") are ignored.  Does no hashing.  0, or -1 on
 * anything else (including len > POW_PAYLOAD_MAX).
 */
int pow_parse(const char *payload, size_t len, struct pow_solution *out);

/*
 * The two readings behind pow_parse(), for fuzz_pow's cross-check: the
 * compact text read literally (POW_READ_COMPACT: -1 for any other
 * text), jansson alone (POW_READ_JSON), or the first then the second
 * (POW_READ_ANY, what pow_parse() does).
 */
enum { POW_READ_ANY, POW_READ_COMPACT, POW_READ_JSON };
int pow_parse_how(const char *payload, size_t len, struct pow_solution *out,
                  int how);

/*
 * Checks a parsed solution: signature (HMAC, compared in constant time),
 * then the hash, then expiry against now.  Cannot fail otherwise.
 */
enum pow_result pow_check(const struct pow_key *key,
                          const struct pow_solution *s, long long now);

/*
 * Test and benchmark helper: solves c by brute force from 0, as a client
 * would.  Returns the number, or -1 if none up to c->maxnumber.
 */
long pow_solve(const struct pow_challenge *c);

#endif
