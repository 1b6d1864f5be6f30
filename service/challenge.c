/*
 * challenge.c: the CAPTCHA service. See challenge.h.
 */
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "captcha.h"
#include "challenge.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"
#include "secrets.h"
#include "storage.h"
#include "writer.h"

#define SPENT_ID_BYTES 16

struct spent {
	unsigned char id[SPENT_ID_BYTES];
	long long expires; /* 0: empty slot */
};

struct challenge {
	const struct config *cfg;
	const struct secrets *secrets;
	unsigned char seed_key[crypto_generichash_KEYBYTES];
	struct pow_key pow_key;
	pthread_mutex_t lock;
	/* The spent set: open addressing, grows up to cfg's max. */
	struct spent *set;
	size_t cap, n, max;
	/* Newly spent, not yet in the database. */
	struct spent *pending, *flushing;
	size_t npending, nflushing;
	struct metrics_counter *m_issued, *m_rendered,
	    *m_verify[CHALLENGE_NRESULTS];
};

static const char *const names[] = {"ok",      "missing",     "invalid",
                                    "expired", "too_fast",    "used",
                                    "wrong",   "unavailable", "pow_invalid"};

const char *
challenge_result_name(enum challenge_result r)
{
	return (size_t)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

struct challenge *
challenge_new(const struct config *cfg, const struct secrets *secrets)
{
	static const char *const metric[] = {
	    "bandoc_captcha_verify_ok_total",
	    "bandoc_captcha_verify_missing_total",
	    "bandoc_captcha_verify_invalid_total",
	    "bandoc_captcha_verify_expired_total",
	    "bandoc_captcha_verify_too_fast_total",
	    "bandoc_captcha_verify_used_total",
	    "bandoc_captcha_verify_wrong_total",
	    "bandoc_captcha_verify_unavailable_total",
	    "bandoc_captcha_verify_pow_invalid_total"};
	struct challenge *c = calloc(1, sizeof(*c));
	unsigned char pow_raw[POW_KEY_BYTES];
	size_t i;

	if (c == NULL)
		return NULL;
	c->cfg = cfg;
	c->secrets = secrets;
	c->max = (size_t)cfg->captcha_spent_max;
	c->cap = 1024;
	c->set = calloc(c->cap, sizeof(*c->set));
	c->pending = calloc(c->max, sizeof(*c->pending));
	c->flushing = calloc(c->max, sizeof(*c->flushing));
	if (c->set == NULL || c->pending == NULL || c->flushing == NULL ||
	    secrets_derive(secrets, "captseed", 0, c->seed_key,
	                   sizeof(c->seed_key)) != 0 ||
	    secrets_derive(secrets, "altcha__", 0, pow_raw, sizeof(pow_raw)) !=
	        0) {
		challenge_free(c);
		return NULL;
	}
	pow_key_init(&c->pow_key, pow_raw);
	sodium_memzero(pow_raw, sizeof(pow_raw));
	pthread_mutex_init(&c->lock, NULL);
	c->m_issued = metrics_counter_new("bandoc_captcha_issued_total",
	                                  "CAPTCHA challenges issued.");
	c->m_rendered =
	    metrics_counter_new("bandoc_captcha_rendered_total",
	                        "CAPTCHA images and audio rendered.");
	for (i = 0; i < CHALLENGE_NRESULTS; i++)
		c->m_verify[i] = metrics_counter_new(
		    metric[i], "CAPTCHA verifications by result.");
	return c;
}

void
challenge_free(struct challenge *c)
{
	if (c == NULL)
		return;
	sodium_memzero(c->seed_key, sizeof(c->seed_key));
	pow_key_wipe(&c->pow_key);
	free(c->set);
	free(c->pending);
	free(c->flushing);
	free(c);
}

/* --- keys --- */

static uint32_t
current_key_id(const struct challenge *c, time_t now)
{
	return (uint32_t)(now / c->cfg->captcha_key_rotation);
}

struct key_arg {
	const struct challenge *c;
	time_t now;
};

/* The current key and the previous one (still valid for one TTL; token
 * expiry does the rest) are known; any other id is not. */
static int
key_for(void *arg, uint32_t key_id, unsigned char key[TOKEN_KEY_BYTES])
{
	const struct key_arg *a = arg;
	uint32_t cur = current_key_id(a->c, a->now);

	if (key_id != cur && key_id + 1 != cur)
		return -1;
	return secrets_derive(a->c->secrets, "captcha_", key_id, key,
	                      TOKEN_KEY_BYTES);
}

/* Any key that can still open a token for rendering: same rule. */

/* --- the spent set --- */

static size_t
slot(const struct challenge *c, const unsigned char *id)
{
	size_t h;

	memcpy(&h, id, sizeof(h));
	return h & (c->cap - 1);
}

static void
spent_id(const unsigned char nonce[TOKEN_NONCE_BYTES],
         unsigned char id[SPENT_ID_BYTES])
{
	crypto_generichash(id, SPENT_ID_BYTES, nonce, TOKEN_NONCE_BYTES, NULL,
	                   0);
}

/* Rebuilds the table at capacity cap, dropping expired entries. */
static int
rehash(struct challenge *c, size_t cap, long long now)
{
	struct spent *nt = calloc(cap, sizeof(*nt)), *old = c->set;
	size_t i, j, oldcap = c->cap;

	if (nt == NULL)
		return -1;
	c->set = nt;
	c->cap = cap;
	c->n = 0;
	for (i = 0; i < oldcap; i++) {
		if (old[i].expires <= now)
			continue;
		for (j = slot(c, old[i].id); nt[j].expires != 0;
		     j = (j + 1) & (cap - 1))
			;
		nt[j] = old[i];
		c->n++;
	}
	free(old);
	return 0;
}

/*
 * Records id until expires. Returns 0 when newly recorded, 1 when it was
 * already there, -1 when the set is full of live entries. Lock held.
 */
static int
spent_add(struct challenge *c, const unsigned char *id, long long expires,
          long long now, int persist)
{
	size_t i;

	for (i = slot(c, id); c->set[i].expires != 0;
	     i = (i + 1) & (c->cap - 1))
		if (sodium_memcmp(c->set[i].id, id, SPENT_ID_BYTES) == 0) {
			if (c->set[i].expires > now)
				return 1;
			c->set[i].expires = expires; /* reuse expired slot */
			goto record;
		}
	if (c->n + 1 > c->cap / 2) {
		size_t cap = c->cap;

		/* Grow while under the bound; else sweep the expired. */
		if (c->n < c->max)
			cap *= 2;
		if (rehash(c, cap, now) != 0 || c->n >= c->max)
			return -1;
		for (i = slot(c, id); c->set[i].expires != 0;
		     i = (i + 1) & (c->cap - 1))
			;
	}
	memcpy(c->set[i].id, id, SPENT_ID_BYTES);
	c->set[i].expires = expires;
	c->n++;
record:
	if (persist && c->npending < c->max) {
		memcpy(c->pending[c->npending].id, id, SPENT_ID_BYTES);
		c->pending[c->npending].expires = expires;
		c->npending++;
	}
	return 0;
}

static int
load_one(void *arg, const unsigned char *nonce, size_t len,
         long long expires_at)
{
	struct challenge *c = arg;

	if (len != SPENT_ID_BYTES)
		return 0;
	return spent_add(c, nonce, expires_at, 0, 0) < 0 ? -1 : 0;
}

int
challenge_load_spent(struct challenge *c, struct storage *st, time_t now)
{
	int r;

	pthread_mutex_lock(&c->lock);
	r = storage_spent_load(st, (long long)now, load_one, c);
	pthread_mutex_unlock(&c->lock);
	if (r == 0)
		log_info("captcha: %zu spent tokens loaded", c->n);
	return r;
}

size_t
challenge_spent_count(struct challenge *c)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->n;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* Writer task: persists what was spent since the last run. */
static int
task_run(struct storage *st, void *arg)
{
	struct challenge *c = arg;
	struct spent *tmp;
	size_t i;

	pthread_mutex_lock(&c->lock);
	tmp = c->flushing;
	c->flushing = c->pending;
	c->nflushing = c->npending;
	c->pending = tmp;
	c->npending = 0;
	pthread_mutex_unlock(&c->lock);
	for (i = 0; i < c->nflushing; i++)
		if (storage_spent_insert(st, c->flushing[i].id, SPENT_ID_BYTES,
		                         c->flushing[i].expires) != 0)
			return -1;
	return storage_spent_purge(st, (long long)time(NULL));
}

static void
task_committed(void *arg, int ok)
{
	struct challenge *c = arg;
	size_t i;

	if (ok) {
		c->nflushing = 0;
		return;
	}
	/* Not written: put them back in front of the next flush. */
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nflushing && c->npending < c->max; i++)
		c->pending[c->npending++] = c->flushing[i];
	c->nflushing = 0;
	pthread_mutex_unlock(&c->lock);
}

void
challenge_task(struct challenge *c, struct writer_task *task)
{
	task->run = task_run;
	task->committed = task_committed;
	task->arg = c;
	task->interval_ms = SPENT_FLUSH_MS;
}

/* --- issue, verify, render --- */

int
challenge_issue(struct challenge *c, const struct config_site *site,
                const char *article, enum token_kind kind, int lang, time_t now,
                char *out, size_t outsz)
{
	struct token_claims tc;
	unsigned char key[TOKEN_KEY_BYTES];
	int full, ret = -1;

	/* Fail closed: no new challenges while spent ones could not be
	 * remembered. */
	pthread_mutex_lock(&c->lock);
	full = c->n >= c->max && rehash(c, c->cap, (long long)now) == 0 &&
	       c->n >= c->max;
	pthread_mutex_unlock(&c->lock);
	if (full)
		return -2;
	memset(&tc, 0, sizeof(tc));
	tc.key_id = current_key_id(c, now);
	tc.kind = (uint8_t)kind;
	tc.issued_at = (uint64_t)now;
	tc.ttl = (uint16_t)site->captcha_ttl;
	tc.lang = (uint8_t)(lang != 0);
	if (kind == TOKEN_KIND_AUDIO || kind == TOKEN_KIND_AUDIO_NOJS)
		audio_answer_new(tc.answer);
	else
		captcha_answer_new(tc.answer);
	token_scope(site->id, article != NULL ? article : "", tc.scope);
	if (secrets_derive(c->secrets, "captcha_", tc.key_id, key,
	                   sizeof(key)) == 0 &&
	    token_seal(&tc, key, out, outsz) == 0) {
		metrics_add(c->m_issued, 1);
		ret = 0;
	}
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&tc, sizeof(tc));
	return ret;
}

int
challenge_pow(struct challenge *c, const struct config_site *site,
              const char *token, const char *host, const char *action,
              unsigned long maxnumber, time_t now, struct pow_challenge *out)
{
	struct pow_scope sc;

	sc.token = token;
	sc.expires = (long long)now + site->captcha_ttl;
	sc.site = site->id;
	sc.host = host;
	sc.action = action;
	return pow_challenge_make(&c->pow_key, &sc, maxnumber, out);
}

void
challenge_failed(struct ratelimit *rl, const struct config_site *site,
                 enum challenge_result r, int family, const unsigned char *addr,
                 time_t now)
{
	unsigned char key[RATELIMIT_KEY_BYTES];

	if (r == CHALLENGE_OK || r == CHALLENGE_TOO_FAST ||
	    r == CHALLENGE_UNAVAILABLE || r == CHALLENGE_EXPIRED)
		return;
	ratelimit_key(rl, "captcha-fail", site->id, family, addr, key);
	ratelimit_fail(rl, key, (unsigned int)site->captcha_fail_limit,
	               (unsigned int)site->captcha_fail_window, (double)now);
	ratelimit_key(rl, "pow-risk", site->id, family, addr, key);
	(void)ratelimit_score_add(rl, key, POW_FAIL_WEIGHT,
	                          (double)site->pow_half_life, (double)now);
}

unsigned long
challenge_pow_cost(const struct config_site *site, double score)
{
	double v = (double)site->pow_cost;

	if (score >= 1.0)
		v *= exp2(floor(score < 40.0 ? score : 40.0));
	if (v > (double)site->pow_cost_max)
		v = (double)site->pow_cost_max;
	return (unsigned long)v;
}

static int
needs_pow(int kind)
{
	return kind == TOKEN_KIND_IMAGE || kind == TOKEN_KIND_AUDIO ||
	       kind == TOKEN_KIND_POW;
}

/* Compares the folded answer with the sealed one in constant time. */
static enum challenge_result
answer_check(const struct token_claims *tc, const char *answer, size_t alen)
{
	char folded[TOKEN_ANSWER_WIDTH * 8 + 1];
	char a[TOKEN_ANSWER_WIDTH] = {0}, b[TOKEN_ANSWER_WIDTH] = {0};
	int n;

	if (answer == NULL || alen == 0)
		return CHALLENGE_MISSING;
	if (tc->kind == TOKEN_KIND_AUDIO || tc->kind == TOKEN_KIND_AUDIO_NOJS)
		n = audio_answer_fold(answer, alen, folded, sizeof(folded));
	else
		n = captcha_answer_fold(answer, alen, folded, sizeof(folded));
	if (n != (int)tc->answer_len)
		return CHALLENGE_WRONG;
	memcpy(a, folded, (size_t)n);
	memcpy(b, tc->answer, tc->answer_len);
	return sodium_memcmp(a, b, TOKEN_ANSWER_WIDTH) == 0 ? CHALLENGE_OK
	                                                    : CHALLENGE_WRONG;
}

static enum challenge_result
verify(struct challenge *c, const struct config_site *site, const char *article,
       const struct challenge_answer *in, time_t now,
       struct challenge_outcome *out)
{
	struct key_arg ka = {c, now};
	struct token_claims tc;
	struct pow_solution sol;
	unsigned char scope[TOKEN_SCOPE_BYTES], id[SPENT_ID_BYTES];
	const char *token = in->token;
	size_t tlen = in->token != NULL ? in->tlen : 0;
	enum challenge_result r;
	enum pow_result pr;
	int have_pow = in->pow != NULL && in->plen > 0, added;

	/* The proof's form first: no hashing for what is not ours. */
	if (have_pow) {
		if (pow_parse(in->pow, in->plen, &sol) != 0)
			return CHALLENGE_POW_INVALID;
		if (tlen > 0 && (tlen != sol.token_len ||
		                 memcmp(token, sol.token, tlen) != 0))
			return CHALLENGE_INVALID;
		token = sol.token;
		tlen = sol.token_len;
	}
	if (token == NULL || tlen == 0)
		return CHALLENGE_MISSING;
	if (token_open(token, tlen, key_for, &ka, &tc) != 0)
		return CHALLENGE_INVALID;
	out->issued_at = tc.issued_at;
	out->kind = tc.kind;
	if ((uint64_t)now >= tc.issued_at + tc.ttl ||
	    tc.issued_at > (uint64_t)now + 60) {
		r = CHALLENGE_EXPIRED;
		goto done;
	}
	if ((uint64_t)now < tc.issued_at + (uint64_t)site->captcha_min_solve) {
		r = CHALLENGE_TOO_FAST;
		goto done;
	}
	token_scope(site->id, article != NULL ? article : "", scope);
	if (sodium_memcmp(scope, tc.scope, sizeof(scope)) != 0) {
		r = CHALLENGE_INVALID;
		goto done;
	}
	/* The work, before the token is consumed: one proof, one try. */
	if (needs_pow(tc.kind)) {
		if (!have_pow) {
			r = CHALLENGE_POW_INVALID;
			goto done;
		}
		if (strcmp(sol.site, site->id) != 0) {
			r = CHALLENGE_INVALID;
			goto done;
		}
		pr = pow_check(&c->pow_key, &sol, (long long)now);
		if (pr == POW_EXPIRED) {
			r = CHALLENGE_EXPIRED;
			goto done;
		}
		if (pr != POW_OK) {
			r = CHALLENGE_POW_INVALID;
			goto done;
		}
		snprintf(out->host, sizeof(out->host), "%s", sol.host);
		snprintf(out->action, sizeof(out->action), "%s", sol.action);
	}
	/* Consume: from here on the token is spent, pass or fail. */
	spent_id(tc.nonce, id);
	pthread_mutex_lock(&c->lock);
	added = spent_add(c, id, (long long)(tc.issued_at + tc.ttl),
	                  (long long)now, 1);
	pthread_mutex_unlock(&c->lock);
	if (added == 1)
		r = CHALLENGE_USED;
	else if (added < 0)
		r = CHALLENGE_UNAVAILABLE;
	else if (tc.kind == TOKEN_KIND_POW)
		r = CHALLENGE_OK; /* the work alone */
	else
		r = answer_check(&tc, in->answer, in->alen);
done:
	sodium_memzero(&tc, sizeof(tc));
	return r;
}

enum challenge_result
challenge_verify(struct challenge *c, const struct config_site *site,
                 const char *article, const struct challenge_answer *a,
                 time_t now, struct challenge_outcome *out)
{
	struct challenge_outcome scratch;
	enum challenge_result r;

	if (out == NULL)
		out = &scratch;
	memset(out, 0, sizeof(*out));
	r = verify(c, site, article, a, now, out);
	metrics_add(c->m_verify[r], 1);
	return r;
}

int
challenge_render(struct challenge *c, const char *token, size_t tlen,
                 const char *format, unsigned char **data, size_t *len)
{
	struct key_arg ka = {c, time(NULL)};
	struct token_claims tc;
	unsigned char seed[CAPTCHA_SEED_BYTES];
	int image, audio, ret = -1;

	if (token_open(token, tlen, key_for, &ka, &tc) != 0)
		return -1;
	/* The seed is a keyed hash of the token: the same URL always gives
	 * the same bytes, and no two tokens share an image. */
	crypto_generichash(seed, sizeof(seed), (const unsigned char *)token,
	                   tlen, c->seed_key, sizeof(c->seed_key));
	image = tc.kind == TOKEN_KIND_IMAGE || tc.kind == TOKEN_KIND_IMAGE_NOJS;
	audio = tc.kind == TOKEN_KIND_AUDIO || tc.kind == TOKEN_KIND_AUDIO_NOJS;
	if (strcmp(format, "png") == 0 && image)
		ret = captcha_render_png(tc.answer, seed, 1, data, len);
	else if (strcmp(format, "2x.png") == 0 && image)
		ret = captcha_render_png(tc.answer, seed, 2, data, len);
	else if (strcmp(format, "wav") == 0 && audio)
		ret = audio_render_wav(tc.answer,
		                       tc.lang ? AUDIO_LANG_EN : AUDIO_LANG_VI,
		                       seed, data, len);
	if (ret == 0)
		metrics_add(c->m_rendered, 1);
	sodium_memzero(&tc, sizeof(tc));
	sodium_memzero(seed, sizeof(seed));
	return ret;
}
