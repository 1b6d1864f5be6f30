#ifndef BANDOC_CHALLENGE_H
#define BANDOC_CHALLENGE_H

/*
 * challenge: the CAPTCHA service. Issues sealed tokens (token.h) under
 * rotating keys derived from the secrets file, renders them on demand
 * (captcha.h, audio.h), and verifies answers exactly once:
 *
 *   proof-of-work payload format -> token format -> open -> not expired
 *   -> not too fast -> scope -> proof of work (signature, hash, expiry)
 *   -> consume -> compare the folded answer in constant time.
 *
 * Every token but the no-JavaScript kinds needs a proof of work (pow.h)
 * made for it; a wrong or missing proof is refused before the token is
 * consumed, so each try costs the client one solved puzzle.
 *
 * The first attempt that reaches "consume" spends the token, pass or
 * fail. Spent nonces live in a bounded in-memory set until they expire
 * and are written to the database by a writer task (at least every
 * second, and at shutdown); at start-up the live ones are loaded back.
 * When the set is full the service fails closed. Thread-safe.
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pow.h"
#include "token.h"

struct challenge;
struct config;
struct config_site;
struct secrets;
struct storage;
struct writer_task;

enum challenge_result {
	CHALLENGE_OK,
	CHALLENGE_MISSING,     /* no token or no answer */
	CHALLENGE_INVALID,     /* does not open, wrong kind or scope */
	CHALLENGE_EXPIRED,     /* past its TTL */
	CHALLENGE_TOO_FAST,    /* answered before captcha_min_solve */
	CHALLENGE_USED,        /* already spent */
	CHALLENGE_WRONG,       /* spent now, answer wrong */
	CHALLENGE_UNAVAILABLE, /* spent set full: fail closed */
	CHALLENGE_POW_INVALID, /* proof of work missing, malformed or wrong */
};
#define CHALLENGE_NRESULTS (CHALLENGE_POW_INVALID + 1)

/* What a client sends back; lengths in bytes, NULL/0 when absent. */
struct challenge_answer {
	const char *token;
	size_t tlen;
	const char *answer;
	size_t alen;
	const char *pow; /* the ALTCHA payload */
	size_t plen;
};

/* What a verification learnt, for siteverify. */
struct challenge_outcome {
	uint64_t issued_at;              /* 0 until the token opened */
	int kind;                        /* enum token_kind, 0 until then */
	char host[POW_HOST_MAX + 1];     /* from the proof, "" without */
	char action[POW_ACTION_MAX + 1]; /* from the proof, "" without */
};

/* A short snake_case name of a result (metrics, errors). */
const char *challenge_result_name(enum challenge_result r);

/* Creates the service. NULL on ENOMEM. secrets must outlive it. */
struct challenge *challenge_new(const struct config *cfg,
                                const struct secrets *secrets);
void challenge_free(struct challenge *c);

/* Loads live spent nonces from the database. 0 / -1. */
int challenge_load_spent(struct challenge *c, struct storage *st, time_t now);

/* The writer task that persists newly spent nonces and purges old ones. */
void challenge_task(struct challenge *c, struct writer_task *task);

/*
 * Issues a token for (site, article) of kind (lang 0 vi, 1 en) into out
 * (TOKEN_MAX_TEXT + 1 bytes). 0, -1 on an internal error, -2 when the
 * spent set is full (fail closed: 503).
 */
int challenge_issue(struct challenge *c, const struct config_site *site,
                    const char *article, enum token_kind kind, int lang,
                    time_t now, char *out, size_t outsz);

/*
 * Makes the proof-of-work puzzle of token (just issued for site, valid
 * for the site's captcha_ttl from now) for a page on host (see
 * pow_host_ok()), with an optional action label (NULL: none) and the
 * difficulty maxnumber.  0, or -1 on a bad argument.
 */
int challenge_pow(struct challenge *c, const struct config_site *site,
                  const char *token, const char *host, const char *action,
                  unsigned long maxnumber, time_t now,
                  struct pow_challenge *out);

/*
 * The difficulty for a client whose risk score (ratelimit_score()) is
 * score: the site's pow_cost doubled per whole point, at most
 * pow_cost_max.  Cannot fail.
 */
unsigned long challenge_pow_cost(const struct config_site *site, double score);

/*
 * Verifies what a client sent (see struct challenge_answer) in the scope
 * (site, article) with the rules above: the token may come from the
 * field or from the proof's salt (they must agree when both are there).
 * out (may be NULL) is filled as far as verification got.
 */
enum challenge_result
challenge_verify(struct challenge *c, const struct config_site *site,
                 const char *article, const struct challenge_answer *a,
                 time_t now, struct challenge_outcome *out);

/*
 * Counts a failed verification (r) of the client (family AF_INET or
 * AF_INET6, addr 4 or 16 bytes) in rl: towards the site's lock-out after
 * captcha_fail_limit failures, and towards its proof-of-work risk score
 * (the next puzzle costs twice as much). Results that are not the
 * client's fault (OK, too fast, expired, unavailable) count nothing.
 * Cannot fail.
 */
struct ratelimit;
void challenge_failed(struct ratelimit *rl, const struct config_site *site,
                      enum challenge_result r, int family,
                      const unsigned char *addr, time_t now);

/*
 * Renders the token's challenge: "png" (scale 1), "2x.png" or "wav".
 * Deterministic per token. *data is malloc'd (free()). 0, or -1 when the
 * token does not open or its kind does not match the format.
 */
int challenge_render(struct challenge *c, const char *token, size_t tlen,
                     const char *format, unsigned char **data, size_t *len);

/* Spent nonces held in memory now. */
size_t challenge_spent_count(struct challenge *c);

#endif
