#ifndef BANDOC_SECRETS_H
#define BANDOC_SECRETS_H

/*
 * secrets: the server's keys, kept in a file of mode 0600 that is
 * created with fresh random keys on first start. Subkeys for each
 * purpose are derived with libsodium's crypto_kdf, so one master key
 * serves every module and rotation is a matter of the subkey id.
 * Never logged.
 */

#include <stddef.h>
#include <stdint.h>

#define SECRETS_KEY_BYTES 32

struct secrets {
	unsigned char master[SECRETS_KEY_BYTES];
	int loaded;
};

/*
 * Loads path, creating it (mode 0600, O_EXCL) with a random master key
 * when it does not exist. Refuses a file readable by group or others.
 * 0 / -1 (logged, without key material).
 */
int secrets_load(struct secrets *s, const char *path);

/*
 * Derives out (len 16..64 bytes) for a purpose: ctx is exactly 8
 * characters (e.g. "captcha_"), id selects the subkey (e.g. the
 * rotation period). Cannot fail for valid arguments; -1 otherwise.
 */
int secrets_derive(const struct secrets *s, const char ctx[8], uint64_t id,
                   unsigned char *out, size_t len);

/* Wipes the keys. Accepts NULL. */
void secrets_wipe(struct secrets *s);

#endif
