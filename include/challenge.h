#ifndef BANDOC_CHALLENGE_H
#define BANDOC_CHALLENGE_H

/*
 * challenge: the CAPTCHA service. Issues sealed tokens (token.h) under
 * rotating keys derived from the secrets file, renders them on demand
 * (captcha.h, audio.h), and verifies answers exactly once:
 *
 *   format -> open -> not expired -> not too fast -> scope -> consume
 *   -> compare the folded answer in constant time.
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
 * Issues a token for (site, article) of kind image or audio (lang 0 vi,
 * 1 en) into out (TOKEN_MAX_TEXT + 1 bytes). 0, -1 on an internal error,
 * -2 when the spent set is full (fail closed: 503).
 */
int challenge_issue(struct challenge *c, const struct config_site *site,
                    const char *article, enum token_kind kind, int lang,
                    time_t now, char *out, size_t outsz);

/*
 * Verifies answer (alen bytes) for token (tlen bytes) in the scope
 * (site, article) with the rules above. On any result past "open",
 * *issued_at (may be NULL) is set.
 */
enum challenge_result challenge_verify(struct challenge *c,
                                       const struct config_site *site,
                                       const char *article, const char *token,
                                       size_t tlen, const char *answer,
                                       size_t alen, time_t now,
                                       uint64_t *issued_at);

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
