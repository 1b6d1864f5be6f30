/*
 * ratelimit.c: see ratelimit.h. An open-addressing table with linear
 * probing; when it is three quarters full, idle entries (full buckets,
 * no failures, no lock-out) are dropped, and if that is not enough the
 * least recently used half goes, so memory never grows.
 */
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ratelimit.h"

struct entry {
	unsigned char key[RATELIMIT_KEY_BYTES];
	int used;
	double last;        /* last time the buckets were refilled */
	double min_tokens;  /* minute bucket */
	double hour_tokens; /* hour bucket */
	unsigned int per_min, per_hour;
	unsigned int fails;
	double fail_start;
	double locked_until;
	double score, score_at, half_life; /* decaying risk score */
	unsigned int delay_fails;          /* progressive delay (accounts) */
	double delay_forget;               /* when delay_fails is forgotten */
	double delay_next;                 /* no attempt before this time */
};

/* A (purpose, site, address) key that once succeeded, and when. */
struct known {
	unsigned char key[RATELIMIT_KEY_BYTES];
	double at;
};

struct ratelimit {
	pthread_mutex_t lock;
	struct entry *t;
	size_t cap, n, max;
	struct known known[RATELIMIT_MAX_KNOWN];
	size_t nknown;
	unsigned char hkey[crypto_generichash_KEYBYTES];
};

struct ratelimit *
ratelimit_new(size_t max_entries)
{
	struct ratelimit *rl = calloc(1, sizeof(*rl));
	size_t cap = 16;

	if (rl == NULL)
		return NULL;
	while (cap < max_entries + max_entries / 3 + 1)
		cap *= 2;
	if ((rl->t = calloc(cap, sizeof(*rl->t))) == NULL) {
		free(rl);
		return NULL;
	}
	rl->cap = cap;
	rl->max = max_entries;
	randombytes_buf(rl->hkey, sizeof(rl->hkey));
	pthread_mutex_init(&rl->lock, NULL);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->t);
	free(rl);
}

void
ratelimit_key(const struct ratelimit *rl, const char *purpose, const char *site,
              int family, const unsigned char *addr,
              unsigned char key[RATELIMIT_KEY_BYTES])
{
	crypto_generichash_state st;
	static const unsigned char zero = 0;
	unsigned char fam = family == AF_INET6 ? 6 : 4;

	crypto_generichash_init(&st, rl->hkey, sizeof(rl->hkey),
	                        RATELIMIT_KEY_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)purpose,
	                          strlen(purpose));
	crypto_generichash_update(&st, &zero, 1);
	crypto_generichash_update(&st, (const unsigned char *)site,
	                          strlen(site));
	crypto_generichash_update(&st, &zero, 1);
	crypto_generichash_update(&st, &fam, 1);
	/* IPv6 clients are limited per /64: one household or host. */
	crypto_generichash_update(&st, addr, family == AF_INET6 ? 8 : 4);
	crypto_generichash_final(&st, key, RATELIMIT_KEY_BYTES);
}

static size_t
slot_of(const struct ratelimit *rl, const unsigned char *key)
{
	size_t h;

	memcpy(&h, key, sizeof(h));
	return h & (rl->cap - 1);
}

static void
refill(struct entry *e, double now)
{
	double dt = now - e->last;

	if (dt > 0) {
		e->min_tokens = fmin((double)e->per_min,
		                     e->min_tokens + dt * e->per_min / 60.0);
		e->hour_tokens =
		    fmin((double)e->per_hour,
		         e->hour_tokens + dt * e->per_hour / 3600.0);
		e->last = now;
	}
}

/* The score decayed to now. */
static double
decayed(const struct entry *e, double now)
{
	if (e->score <= 0.0 || e->half_life <= 0.0)
		return 0.0;
	return e->score * exp2(-(now - e->score_at) / e->half_life);
}

static int
idle(struct entry *e, double now)
{
	refill(e, now);
	return e->min_tokens >= e->per_min && e->hour_tokens >= e->per_hour &&
	       decayed(e, now) < 0.01 && e->locked_until <= now &&
	       (e->fails == 0 || now - e->fail_start > 86400) &&
	       (e->delay_fails == 0 || e->delay_forget <= now) &&
	       e->delay_next <= now;
}

/* Rebuilds the table keeping the entries keep() says. */
static void
rebuild(struct ratelimit *rl, double now, double older_than)
{
	struct entry *old = rl->t, *nt;
	size_t i, j;

	if ((nt = calloc(rl->cap, sizeof(*nt))) == NULL)
		return;
	rl->n = 0;
	for (i = 0; i < rl->cap; i++) {
		struct entry *e = &old[i];

		if (!e->used || idle(e, now) || e->last < older_than)
			continue;
		for (j = slot_of(rl, e->key); nt[j].used;
		     j = (j + 1) & (rl->cap - 1))
			;
		nt[j] = *e;
		rl->n++;
	}
	free(old);
	rl->t = nt;
}

/* Finds or creates the entry of key; NULL when the table is full. */
static struct entry *
lookup(struct ratelimit *rl, const unsigned char *key, double now, int create)
{
	size_t i;

	for (i = slot_of(rl, key); rl->t[i].used; i = (i + 1) & (rl->cap - 1))
		if (sodium_memcmp(rl->t[i].key, key, RATELIMIT_KEY_BYTES) == 0)
			return &rl->t[i];
	if (!create)
		return NULL;
	if (rl->n >= rl->max) {
		rebuild(rl, now, -1);
		if (rl->n >= rl->max)
			rebuild(rl, now, now - 600); /* drop the stale */
		if (rl->n >= rl->max)
			return NULL;
		for (i = slot_of(rl, key); rl->t[i].used;
		     i = (i + 1) & (rl->cap - 1))
			;
	}
	memset(&rl->t[i], 0, sizeof(rl->t[i]));
	memcpy(rl->t[i].key, key, RATELIMIT_KEY_BYTES);
	rl->t[i].used = 1;
	rl->t[i].last = now;
	rl->n++;
	return &rl->t[i];
}

long
ratelimit_take(struct ratelimit *rl,
               const unsigned char key[RATELIMIT_KEY_BYTES],
               unsigned int per_min, unsigned int per_hour, double now)
{
	struct entry *e;
	long wait = 0;

	pthread_mutex_lock(&rl->lock);
	if ((e = lookup(rl, key, now, 1)) == NULL)
		goto done; /* full of active clients: do not block everyone */
	if (e->per_min != per_min || e->per_hour != per_hour) {
		if (e->per_min == 0) { /* new entry: full buckets */
			e->min_tokens = per_min;
			e->hour_tokens = per_hour;
		}
		e->per_min = per_min;
		e->per_hour = per_hour;
	}
	refill(e, now);
	if (e->min_tokens >= 1 && e->hour_tokens >= 1) {
		e->min_tokens -= 1;
		e->hour_tokens -= 1;
	} else {
		double wm = e->min_tokens >= 1
		                ? 0
		                : (1 - e->min_tokens) * 60.0 / per_min;
		double wh = e->hour_tokens >= 1
		                ? 0
		                : (1 - e->hour_tokens) * 3600.0 / per_hour;

		wait = (long)ceil(fmax(wm, wh));
		if (wait < 1)
			wait = 1;
	}
done:
	pthread_mutex_unlock(&rl->lock);
	return wait;
}

long
ratelimit_locked(struct ratelimit *rl,
                 const unsigned char key[RATELIMIT_KEY_BYTES], double now)
{
	struct entry *e;
	long left = 0;

	pthread_mutex_lock(&rl->lock);
	e = lookup(rl, key, now, 0);
	if (e != NULL && e->locked_until > now)
		left = (long)ceil(e->locked_until - now);
	pthread_mutex_unlock(&rl->lock);
	return left;
}

void
ratelimit_fail(struct ratelimit *rl,
               const unsigned char key[RATELIMIT_KEY_BYTES], unsigned int limit,
               unsigned int window, double now)
{
	struct entry *e;

	pthread_mutex_lock(&rl->lock);
	if ((e = lookup(rl, key, now, 1)) == NULL)
		goto done;
	if (e->fails == 0 || now - e->fail_start > window) {
		e->fails = 0;
		e->fail_start = now;
	}
	if (++e->fails >= limit) {
		e->locked_until = now + window;
		e->fails = 0;
	}
done:
	pthread_mutex_unlock(&rl->lock);
}

/* The wait after the k-th failure past the free ones, in seconds. */
static double
delay_of(unsigned int k, const struct ratelimit_delay *d)
{
	double ms = (double)d->base_ms * exp2(k > 30 ? 30.0 : (double)k);

	return fmin(ms, (double)d->max_ms) / 1000.0;
}

/* Forgets the failures of e once their time is over. */
static void
delay_expire(struct entry *e, double now)
{
	if (e->delay_fails > 0 && e->delay_forget <= now)
		e->delay_fails = 0;
}

long
ratelimit_delay_take(struct ratelimit *rl,
                     const unsigned char key[RATELIMIT_KEY_BYTES],
                     const struct ratelimit_delay *d, double now)
{
	struct entry *e;
	long wait = 0;

	pthread_mutex_lock(&rl->lock);
	if ((e = lookup(rl, key, now, 0)) == NULL)
		goto done; /* no failures known */
	delay_expire(e, now);
	if (e->delay_next > now) {
		wait = (long)ceil((e->delay_next - now) * 1000.0);
		goto done;
	}
	/* In the delay regime every attempt spaces the next one, so that
	 * attempts sent together cannot all pass before the first of them
	 * has failed (their Argon2 runs later, on the workers). */
	if (e->delay_fails >= d->free_fails)
		e->delay_next =
		    now + delay_of(e->delay_fails - d->free_fails, d);
done:
	pthread_mutex_unlock(&rl->lock);
	return wait;
}

void
ratelimit_delay_fail(struct ratelimit *rl,
                     const unsigned char key[RATELIMIT_KEY_BYTES],
                     const struct ratelimit_delay *d, double now)
{
	struct entry *e;

	pthread_mutex_lock(&rl->lock);
	if ((e = lookup(rl, key, now, 1)) == NULL)
		goto done;
	delay_expire(e, now);
	if (e->delay_fails < UINT32_MAX)
		e->delay_fails++;
	e->delay_forget = now + d->window;
	if (e->delay_fails >= d->free_fails)
		e->delay_next =
		    fmax(e->delay_next,
		         now + delay_of(e->delay_fails - d->free_fails, d));
done:
	pthread_mutex_unlock(&rl->lock);
}

void
ratelimit_known_add(struct ratelimit *rl,
                    const unsigned char key[RATELIMIT_KEY_BYTES], double now)
{
	size_t i, oldest = 0;

	pthread_mutex_lock(&rl->lock);
	for (i = 0; i < rl->nknown; i++) {
		if (sodium_memcmp(rl->known[i].key, key, RATELIMIT_KEY_BYTES) ==
		    0)
			break;
		if (rl->known[i].at < rl->known[oldest].at)
			oldest = i;
	}
	if (i == rl->nknown) {
		if (rl->nknown < RATELIMIT_MAX_KNOWN)
			rl->nknown++;
		else
			i = oldest; /* the longest unconfirmed goes */
		memcpy(rl->known[i].key, key, RATELIMIT_KEY_BYTES);
	}
	rl->known[i].at = now;
	pthread_mutex_unlock(&rl->lock);
}

/*
 * The readings below (ratelimit_known, ratelimit_score, and
 * ratelimit_locked above) share a shape on purpose: lock, look up
 * without creating, read one value, unlock. Each reads a different
 * thing; none changes the table.
 */
int
ratelimit_known(struct ratelimit *rl,
                const unsigned char key[RATELIMIT_KEY_BYTES])
{
	size_t i;
	int found = 0;

	pthread_mutex_lock(&rl->lock);
	for (i = 0; i < rl->nknown && !found; i++)
		found = sodium_memcmp(rl->known[i].key, key,
		                      RATELIMIT_KEY_BYTES) == 0;
	pthread_mutex_unlock(&rl->lock);
	return found;
}

double
ratelimit_score(struct ratelimit *rl,
                const unsigned char key[RATELIMIT_KEY_BYTES], double now)
{
	struct entry *e;
	double v = 0.0;

	pthread_mutex_lock(&rl->lock);
	if ((e = lookup(rl, key, now, 0)) != NULL)
		v = decayed(e, now);
	pthread_mutex_unlock(&rl->lock);
	return v;
}

double
ratelimit_score_add(struct ratelimit *rl,
                    const unsigned char key[RATELIMIT_KEY_BYTES], double delta,
                    double half_life, double now)
{
	struct entry *e;
	double v = delta;

	pthread_mutex_lock(&rl->lock);
	if ((e = lookup(rl, key, now, 1)) != NULL) {
		e->score = decayed(e, now) + delta;
		e->score_at = now;
		e->half_life = half_life;
		v = e->score;
	}
	pthread_mutex_unlock(&rl->lock);
	return v;
}

size_t
ratelimit_size(struct ratelimit *rl)
{
	size_t n;

	pthread_mutex_lock(&rl->lock);
	n = rl->n;
	pthread_mutex_unlock(&rl->lock);
	return n;
}
