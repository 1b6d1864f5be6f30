#ifndef BANDOC_AUTH_H
#define BANDOC_AUTH_H

/*
 * auth: moderators' passwords (Argon2id, libsodium crypto_pwhash_str at
 * the INTERACTIVE limits or above), session tokens (32 random bytes,
 * only their BLAKE2b hash is stored), CSRF tokens bound to a session,
 * and signed single-use one-click tokens for webhook links.
 */

#include <stddef.h>
#include <stdint.h>

#include "storage.h"

#define AUTH_PASSWORD_MIN  12
#define AUTH_PASSWORD_MAX  1024
#define AUTH_SESSION_TEXT  44 /* base64url of 32 bytes, + NUL */
#define AUTH_SESSION_HASH  32
#define AUTH_CSRF_TEXT     44
#define AUTH_ONECLICK_TEXT 128

struct secrets;

/* Derives the CSRF and one-click keys. (Unknown users are checked
 * against a constant dummy hash: they cost as much as known ones.)
 * 0 / -1. Once, at start. */
int auth_init(const struct secrets *s);
void auth_shutdown(void);

/* Hashes pw into out (crypto_pwhash_str). 0 / -1 (out of memory). */
int auth_hash_password(const char *pw, char out[STORAGE_MAX_PWHASH + 1]);

/*
 * Checks pw against hash, or against the dummy hash when hash is NULL
 * (always fails then, at the same cost). 1 match, 0 not. *rehash is set
 * when the hash is weaker than today's parameters.
 */
int auth_check_password(const char *hash, const char *pw, int *rehash);

/* A fresh session: the cookie text and the hash that is stored. */
void auth_session_new(char text[AUTH_SESSION_TEXT],
                      unsigned char hash[AUTH_SESSION_HASH]);
/* The stored hash of a cookie value; -1 when it is malformed. */
int auth_session_hash(const char *text, unsigned char hash[AUTH_SESSION_HASH]);

/* The CSRF token of a session (from its hash). Cannot fail. */
void auth_csrf(const unsigned char hash[AUTH_SESSION_HASH],
               char out[AUTH_CSRF_TEXT]);
/* 1 when token is the session's CSRF token (constant time). */
int auth_csrf_ok(const unsigned char hash[AUTH_SESSION_HASH],
                 const char *token);

enum auth_action { AUTH_APPROVE = 1, AUTH_REJECT = 2 };

/* A signed one-click token for (comment, action) valid until expires. */
int auth_oneclick_new(long long comment_id, enum auth_action action,
                      long long expires, char out[AUTH_ONECLICK_TEXT]);
/*
 * Opens a one-click token: 0 with fields set (nonce: 16 bytes for the
 * single-use record), -1 when forged, malformed or expired at now.
 */
int auth_oneclick_open(const char *text, long long now, long long *comment_id,
                       enum auth_action *action, long long *expires,
                       unsigned char nonce[16]);

#endif
