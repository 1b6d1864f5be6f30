#ifndef BANDOC_RATELIMIT_H
#define BANDOC_RATELIMIT_H

/*
 * ratelimit: token buckets and failure lock-outs keyed by a client key
 * (see ratelimit_key: an IPv4 /32 or IPv6 /64, with a purpose and site,
 * hashed under a per-process random key, so no address is held). Memory
 * is bounded: at most max entries; idle entries are dropped first.
 * Thread-safe.
 */

#include <stddef.h>

#define RATELIMIT_KEY_BYTES 16
/*
 * Keys remembered by ratelimit_known_add: (account, address) pairs that
 * logged in. Only a right password adds one, so an attacker cannot fill
 * it; 4096 pairs (96 KiB) outnumber the moderators of any newsroom and
 * their usual places several times over.
 */
#define RATELIMIT_MAX_KNOWN 4096

struct ratelimit;

struct ratelimit *ratelimit_new(size_t max_entries);
void ratelimit_free(struct ratelimit *rl);

/*
 * The key of a client for a purpose (e.g. "captcha", "captcha-audio",
 * "comment") and site: family AF_INET/AF_INET6 and the binary address.
 * IPv6 addresses are cut to their /64. Cannot fail.
 */
void ratelimit_key(const struct ratelimit *rl, const char *purpose,
                   const char *site, int family, const unsigned char *addr,
                   unsigned char key[RATELIMIT_KEY_BYTES]);

/*
 * Takes one unit from the key's minute and hour buckets (capacities
 * per_min and per_hour, refilled continuously). Returns 0 when allowed,
 * otherwise the seconds until a unit is available (for Retry-After).
 * now is in seconds (may be fractional).
 */
long ratelimit_take(struct ratelimit *rl,
                    const unsigned char key[RATELIMIT_KEY_BYTES],
                    unsigned int per_min, unsigned int per_hour, double now);

/* Seconds the key is still locked out after failures, or 0. */
long ratelimit_locked(struct ratelimit *rl,
                      const unsigned char key[RATELIMIT_KEY_BYTES], double now);

/*
 * Records a failure; once limit failures fall within window seconds the
 * key is locked out for window seconds.
 */
void ratelimit_fail(struct ratelimit *rl,
                    const unsigned char key[RATELIMIT_KEY_BYTES],
                    unsigned int limit, unsigned int window, double now);

/*
 * A progressive delay (for an account attacked from many addresses):
 * after free_fails failures, the k-th further failure (k = 0, 1, ...)
 * makes the key wait min(base_ms * 2^k, max_ms) before its next attempt;
 * the failures are forgotten window seconds after the last one.
 */
struct ratelimit_delay {
	unsigned int free_fails;
	unsigned int base_ms, max_ms;
	unsigned int window;
};

/*
 * Asks for an attempt under the delay d. Returns 0 when allowed (in the
 * delay regime the attempt itself spaces the next one by the current
 * delay, so a burst sent at once gets one through), otherwise the
 * milliseconds until the next attempt is allowed. Creates no entry.
 */
long ratelimit_delay_take(struct ratelimit *rl,
                          const unsigned char key[RATELIMIT_KEY_BYTES],
                          const struct ratelimit_delay *d, double now);

/* Records a failure of key under the delay d (see above). */
void ratelimit_delay_fail(struct ratelimit *rl,
                          const unsigned char key[RATELIMIT_KEY_BYTES],
                          const struct ratelimit_delay *d, double now);

/*
 * A set of keys that succeeded (e.g. ratelimit_key(rl, "login-known",
 * user, ...)): ratelimit_known_add() remembers key (when the set holds
 * RATELIMIT_MAX_KNOWN, the one confirmed longest ago is dropped);
 * ratelimit_known() returns 1 when key is in the set, else 0. In memory
 * only, like the hash key, so a restart forgets them. Cannot fail.
 */
void ratelimit_known_add(struct ratelimit *rl,
                         const unsigned char key[RATELIMIT_KEY_BYTES],
                         double now);
int ratelimit_known(struct ratelimit *rl,
                    const unsigned char key[RATELIMIT_KEY_BYTES]);

/*
 * A risk score per key that halves every half_life seconds:
 * ratelimit_score_add() decays it to now, adds delta and returns the new
 * value; ratelimit_score() returns it decayed to now (0 for an unknown
 * key).  Used for the adaptive proof-of-work cost.
 */
double ratelimit_score(struct ratelimit *rl,
                       const unsigned char key[RATELIMIT_KEY_BYTES],
                       double now);
double ratelimit_score_add(struct ratelimit *rl,
                           const unsigned char key[RATELIMIT_KEY_BYTES],
                           double delta, double half_life, double now);

/* Entries held now (tests, metrics). */
size_t ratelimit_size(struct ratelimit *rl);

#endif
