/*
 * views.c: see views.h.
 *
 * Articles live in a chained hash table bounded by views_cache_max;
 * only clean entries (nothing waiting to be written) are evicted.
 * Readers seen recently live in two generations of open-addressing sets
 * of 64-bit keyed hashes: a view repeats when its hash is in either
 * generation and younger than the site's window. The current generation
 * becomes the previous one when the longest window has passed or when it
 * is full; the previous one is then dropped. Counting never blocks.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "bandoc_limits.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"
#include "storage.h"
#include "views.h"
#include "writer.h"

#define MAX_BOTS 64

struct art {
	struct art *next;
	uint64_t h;
	const struct config_site *site;
	char *key;
	char *title, *url; /* newest seen, written at the next flush */
	int meta_dirty;
	long long id;        /* 0 until written */
	long long base;      /* total in the database when loaded */
	long long counted;   /* counted since loaded */
	long long unflushed; /* not yet handed to the writer */
	long long flushing;  /* with the writer now */
};

struct seen {
	uint64_t h; /* 0: empty */
	uint32_t t; /* seconds since views->epoch */
};

struct gen {
	struct seen *s;
	size_t cap, n;
	time_t start;
};

struct flush_item {
	struct art *a;
	char *title, *url;
	long long delta;
	long long id;
};

struct views {
	const struct config *cfg;
	pthread_mutex_t lock;
	struct art **buckets;
	size_t nbuckets, narts, max_arts;
	struct gen gen[2]; /* 0 current, 1 previous */
	size_t gen_max;
	long long period; /* the longest window */
	time_t epoch;
	unsigned char salt[crypto_generichash_KEYBYTES];
	long long salt_day;
	char *salt_path;
	char *bots[MAX_BOTS];
	size_t nbots;
	char *bots_buf;
	struct ratelimit *newlimit;
	unsigned char hkey[crypto_generichash_KEYBYTES];
	/* The batch with the writer. */
	struct flush_item *batch;
	size_t nbatch;
	long long pending; /* views not yet written */
	struct metrics_counter *m_counted, *m_repeat, *m_ignored, *m_flush_us,
	    *m_flushes, *m_newlimit;
};

long long
views_day(const struct views *v, time_t now)
{
	return ((long long)now + v->cfg->timezone_offset * 60) / 86400;
}

/* --- the day's salt --- */

static void
salt_save(struct views *v)
{
	char hex[sizeof(v->salt) * 2 + 1], text[256], tmp[4096];
	int fd, n;

	snprintf(tmp, sizeof(tmp), "%s.tmp", v->salt_path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_warn("views: cannot write %s", tmp);
		return;
	}
	sodium_bin2hex(hex, sizeof(hex), v->salt, sizeof(v->salt));
	n = snprintf(text, sizeof(text), "%lld %s\n", v->salt_day, hex);
	if (n <= 0 || write(fd, text, (size_t)n) != n || fsync(fd) != 0 ||
	    close(fd) != 0 || rename(tmp, v->salt_path) != 0)
		log_warn("views: cannot save the salt of the day");
	else
		fd = -1;
	if (fd != -1)
		close(fd);
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(text, sizeof(text));
}

/* Makes sure the salt is the one of today. Lock held. */
static void
salt_for(struct views *v, time_t now)
{
	long long day = views_day(v, now);

	if (day == v->salt_day)
		return;
	randombytes_buf(v->salt, sizeof(v->salt));
	v->salt_day = day;
	salt_save(v);
}

static void
salt_load(struct views *v)
{
	char text[256], *sp;
	long long day;
	size_t len;
	FILE *fp = fopen(v->salt_path, "r");

	v->salt_day = -1;
	if (fp == NULL)
		return;
	/* "DAY HEX\n", as salt_save writes it. */
	sp = fgets(text, sizeof(text), fp) != NULL ? strchr(text, ' ') : NULL;
	if (sp != NULL)
		*sp = '\0'; /* ends DAY */
	if (sp != NULL && config_parse_ll(text, 0, LLONG_MAX, &day) == 0 &&
	    sodium_hex2bin(v->salt, sizeof(v->salt), sp + 1,
	                   sizeof(v->salt) * 2, NULL, &len, NULL) == 0 &&
	    len == sizeof(v->salt))
		v->salt_day = day;
	fclose(fp);
	sodium_memzero(text, sizeof(text));
}

/* --- set-up --- */

struct views *
views_new(const struct config *cfg, const char *salt_path)
{
	struct views *v = calloc(1, sizeof(*v));
	size_t i;
	char *p, *q;

	if (v == NULL)
		return NULL;
	v->cfg = cfg;
	v->epoch = time(NULL) - 1;
	v->max_arts = (size_t)cfg->views_cache_max;
	v->nbuckets = 1024;
	while (v->nbuckets < v->max_arts)
		v->nbuckets *= 2;
	v->buckets = calloc(v->nbuckets, sizeof(*v->buckets));
	v->batch = calloc(v->max_arts, sizeof(*v->batch));
	v->salt_path = strdup(salt_path);
	v->bots_buf = strdup(cfg->views_bots);
	v->newlimit = ratelimit_new((size_t)cfg->ratelimit_max_clients);
	v->gen_max = (size_t)cfg->views_dedup_max;
	if (v->buckets == NULL || v->batch == NULL || v->salt_path == NULL ||
	    v->bots_buf == NULL || v->newlimit == NULL) {
		views_free(v);
		return NULL;
	}
	for (i = 0; i < cfg->nsites; i++)
		if (cfg->sites[i].views_window > v->period)
			v->period = cfg->sites[i].views_window;
	/* Split the bot list in place at blanks. */
	for (p = v->bots_buf; *p != '\0' && v->nbots < MAX_BOTS;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		v->bots[v->nbots++] = p;
		for (q = p; *q != '\0' && *q != ' ' && *q != '\t'; q++)
			*q = (char)tolower((unsigned char)*q);
		p += strcspn(p, " \t");
		if (*p != '\0')
			*p++ = '\0';
	}
	randombytes_buf(v->hkey, sizeof(v->hkey));
	salt_load(v);
	pthread_mutex_init(&v->lock, NULL);
	v->m_counted =
	    metrics_counter_new("bandoc_views_counted_total", "Views counted.");
	v->m_repeat = metrics_counter_new(
	    "bandoc_views_deduplicated_total",
	    "Views not counted: the same reader within the window.");
	v->m_ignored = metrics_counter_new(
	    "bandoc_views_ignored_total",
	    "Views not counted: bots, prefetch, foreign origins.");
	v->m_newlimit = metrics_counter_new(
	    "bandoc_views_new_article_limited_total",
	    "New article keys refused by the per-client limit.");
	v->m_flushes = metrics_counter_new("bandoc_views_flushes_total",
	                                   "View-count flushes written.");
	v->m_flush_us =
	    metrics_counter_new("bandoc_views_flush_microseconds_total",
	                        "Time spent writing view counts.");
	return v;
}

void
views_free(struct views *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v->buckets != NULL && i < v->nbuckets; i++) {
		struct art *a = v->buckets[i], *next;

		for (; a != NULL; a = next) {
			next = a->next;
			free(a->key);
			free(a->title);
			free(a->url);
			free(a);
		}
	}
	free(v->buckets);
	free(v->batch);
	free(v->gen[0].s);
	free(v->gen[1].s);
	free(v->salt_path);
	free(v->bots_buf);
	ratelimit_free(v->newlimit);
	sodium_memzero(v->salt, sizeof(v->salt));
	free(v);
}

int
views_is_bot(const struct views *v, const char *ua)
{
	char low[MAX_UA_SCAN + 1];
	size_t i;

	if (ua == NULL || *ua == '\0')
		return 1;
	/* Lower-case once (the words are, since views_new), then plain
	 * strstr: glibc's strcasestr is several times slower, and this
	 * runs on every view. A bot's mark is near the start. */
	for (i = 0; i < MAX_UA_SCAN && ua[i] != '\0'; i++)
		low[i] = (char)tolower((unsigned char)ua[i]);
	low[i] = '\0';
	for (i = 0; i < v->nbots; i++)
		if (strstr(low, v->bots[i]) != NULL)
			return 1;
	return 0;
}

/* --- articles --- */

static uint64_t
art_hash(const struct views *v, const char *site, const char *key)
{
	crypto_generichash_state st;
	static const unsigned char zero = 0;
	uint64_t h;

	crypto_generichash_init(&st, v->hkey, sizeof(v->hkey), sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)site,
	                          strlen(site));
	crypto_generichash_update(&st, &zero, 1);
	crypto_generichash_update(&st, (const unsigned char *)key, strlen(key));
	crypto_generichash_final(&st, (unsigned char *)&h, sizeof(h));
	return h;
}

static struct art *
art_find(struct views *v, uint64_t h, const struct config_site *site,
         const char *key)
{
	struct art *a;

	for (a = v->buckets[h & (v->nbuckets - 1)]; a != NULL; a = a->next)
		if (a->h == h && a->site == site && strcmp(a->key, key) == 0)
			return a;
	return NULL;
}

/* Drops clean entries to make room. Lock held. */
static void
art_evict(struct views *v)
{
	size_t i, target = v->max_arts - v->max_arts / 8;

	for (i = 0; i < v->nbuckets && v->narts > target; i++) {
		struct art **pp = &v->buckets[i];

		while (*pp != NULL) {
			struct art *a = *pp;

			if (a->unflushed == 0 && a->flushing == 0 &&
			    !a->meta_dirty) {
				*pp = a->next;
				free(a->key);
				free(a->title);
				free(a->url);
				free(a);
				v->narts--;
			} else
				pp = &a->next;
		}
	}
}

static struct art *
art_add(struct views *v, uint64_t h, const struct config_site *site,
        const char *key, long long base, long long id)
{
	struct art *a;

	if (v->narts >= v->max_arts)
		art_evict(v);
	if (v->narts >= v->max_arts || (a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if ((a->key = strdup(key)) == NULL) {
		free(a);
		return NULL;
	}
	a->h = h;
	a->site = site;
	a->base = base;
	a->id = id;
	a->next = v->buckets[h & (v->nbuckets - 1)];
	v->buckets[h & (v->nbuckets - 1)] = a;
	v->narts++;
	return a;
}

static void
set_meta(struct art *a, const char *title, const char *url)
{
	if (title != NULL && *title != '\0' &&
	    (a->title == NULL || strcmp(a->title, title) != 0)) {
		free(a->title);
		a->title = strdup(title);
		a->meta_dirty = 1;
	}
	if (url != NULL && *url != '\0' &&
	    (a->url == NULL || strcmp(a->url, url) != 0)) {
		free(a->url);
		a->url = strdup(url);
		a->meta_dirty = 1;
	}
}

/* --- readers seen --- */

static int
gen_insert(struct gen *g, uint64_t h, uint32_t t)
{
	size_t i;

	if (g->n + 1 > g->cap / 2) {
		size_t cap = g->cap == 0 ? 1024 : g->cap * 2, j;
		struct seen *ns = calloc(cap, sizeof(*ns));

		if (ns == NULL)
			return -1;
		for (j = 0; j < g->cap; j++) {
			if (g->s[j].h == 0)
				continue;
			for (i = g->s[j].h & (cap - 1); ns[i].h != 0;
			     i = (i + 1) & (cap - 1))
				;
			ns[i] = g->s[j];
		}
		free(g->s);
		g->s = ns;
		g->cap = cap;
	}
	for (i = h & (g->cap - 1); g->s[i].h != 0 && g->s[i].h != h;
	     i = (i + 1) & (g->cap - 1))
		;
	if (g->s[i].h == 0)
		g->n++;
	g->s[i].h = h;
	g->s[i].t = t;
	return 0;
}

/* Time of h in g, or -1. */
static long long
gen_find(const struct gen *g, uint64_t h)
{
	size_t i;

	if (g->cap == 0)
		return -1;
	for (i = h & (g->cap - 1); g->s[i].h != 0; i = (i + 1) & (g->cap - 1))
		if (g->s[i].h == h)
			return g->s[i].t;
	return -1;
}

/* Rotates when the current generation is full or a period old. */
static void
gen_rotate(struct views *v, time_t now)
{
	if (v->gen[0].start == 0)
		v->gen[0].start = now;
	if (v->gen[0].n < v->gen_max && now - v->gen[0].start < v->period)
		return;
	free(v->gen[1].s);
	v->gen[1] = v->gen[0];
	memset(&v->gen[0], 0, sizeof(v->gen[0]));
	v->gen[0].start = now;
}

static uint64_t
reader_hash(struct views *v, const struct views_hit *hit)
{
	crypto_generichash_state st;
	static const unsigned char zero = 0;
	unsigned char fam = hit->family == AF_INET6 ? 6 : 4;
	uint64_t h;

	crypto_generichash_init(&st, v->salt, sizeof(v->salt), sizeof(h));
	crypto_generichash_update(&st, (const unsigned char *)hit->site->id,
	                          strlen(hit->site->id));
	crypto_generichash_update(&st, &zero, 1);
	crypto_generichash_update(&st, (const unsigned char *)hit->article,
	                          strlen(hit->article));
	crypto_generichash_update(&st, &zero, 1);
	crypto_generichash_update(&st, &fam, 1);
	crypto_generichash_update(&st, hit->addr, fam == 6 ? 16 : 4);
	crypto_generichash_update(&st, (const unsigned char *)hit->user_agent,
	                          strlen(hit->user_agent));
	crypto_generichash_final(&st, (unsigned char *)&h, sizeof(h));
	return h != 0 ? h : 1; /* 0 marks an empty slot */
}

/* --- counting --- */

/* Finds the article, loading its total on first sight. Returns it (lock
 * held on return in every case), NULL on error; *is_new when the article
 * exists nowhere yet. */
static struct art *
lookup(struct views *v, struct storage *rd, const struct config_site *site,
       const char *key, int *is_new, long long *total_only)
{
	uint64_t h = art_hash(v, site->id, key);
	struct art *a;
	long long base = 0;
	int r;

	*is_new = 0;
	*total_only = -1; /* -1: the database could not be read */
	pthread_mutex_lock(&v->lock);
	if ((a = art_find(v, h, site, key)) != NULL)
		return a;
	pthread_mutex_unlock(&v->lock);
	/* A primary-key read on this thread's WAL reader, once per article
	 * per process; never a write. */
	if (rd == NULL ||
	    (r = storage_views_get(rd, site->id, key, &base)) < 0) {
		pthread_mutex_lock(&v->lock);
		return NULL;
	}
	pthread_mutex_lock(&v->lock);
	if ((a = art_find(v, h, site, key)) != NULL)
		return a; /* another thread loaded it meanwhile */
	*is_new = r == 1;
	*total_only = base;
	if (*is_new)
		return NULL; /* the caller decides about creating it */
	return art_add(v, h, site, key, base, -1);
}

enum views_result
views_hit(struct views *v, struct storage *rd, const struct views_hit *hit,
          time_t now, long long *total)
{
	struct art *a;
	enum views_result r;
	long long t, base = 0;
	uint64_t h;
	int is_new;

	*total = 0;
	if (views_is_bot(v, hit->user_agent) || hit->prefetch ||
	    !hit->origin_ok) {
		metrics_add(v->m_ignored, 1);
		return views_total(v, rd, hit->site->id, hit->article, total) ==
		               0
		           ? VIEWS_IGNORED
		           : VIEWS_ERROR;
	}
	a = lookup(v, rd, hit->site, hit->article, &is_new, &base);
	if (a == NULL && is_new) {
		unsigned char key[RATELIMIT_KEY_BYTES];

		ratelimit_key(v->newlimit, "new-article", hit->site->id,
		              hit->family, hit->addr, key);
		if (ratelimit_take(
		        v->newlimit, key,
		        (unsigned int)hit->site->new_articles_per_minute,
		        (unsigned int)hit->site->new_articles_per_minute * 60,
		        (double)now) != 0) {
			pthread_mutex_unlock(&v->lock);
			metrics_add(v->m_newlimit, 1);
			return VIEWS_NEW_LIMIT;
		}
		a = art_add(v, art_hash(v, hit->site->id, hit->article),
		            hit->site, hit->article, 0, 0);
	}
	if (a == NULL) {
		pthread_mutex_unlock(&v->lock);
		return VIEWS_ERROR;
	}
	set_meta(a, hit->title, hit->url);
	salt_for(v, now);
	gen_rotate(v, now);
	h = reader_hash(v, hit);
	t = gen_find(&v->gen[0], h);
	if (t < 0)
		t = gen_find(&v->gen[1], h);
	if (t >= 0 && (long long)(now - v->epoch) - t < hit->site->views_window)
		r = VIEWS_REPEAT;
	else if (gen_insert(&v->gen[0], h, (uint32_t)(now - v->epoch)) != 0)
		r = VIEWS_ERROR;
	else {
		a->counted++;
		a->unflushed++;
		v->pending++;
		r = VIEWS_COUNTED;
	}
	*total = a->base + a->counted;
	pthread_mutex_unlock(&v->lock);
	metrics_add(r == VIEWS_COUNTED ? v->m_counted : v->m_repeat,
	            r == VIEWS_COUNTED || r == VIEWS_REPEAT ? 1 : 0);
	return r;
}

int
views_total(struct views *v, struct storage *rd, const char *site_id,
            const char *article, long long *total)
{
	const struct config_site *site = config_site_find(v->cfg, site_id);
	struct art *a;
	long long base = 0;
	int is_new;

	*total = 0;
	if (site == NULL)
		return -1;
	a = lookup(v, rd, site, article, &is_new, &base);
	if (a != NULL)
		*total = a->base + a->counted;
	else
		*total = base > 0 ? base : 0;
	pthread_mutex_unlock(&v->lock);
	return a != NULL || base >= 0 ? 0 : -1;
}

/* --- flushing --- */

static int
task_run(struct storage *st, void *arg)
{
	struct views *v = arg;
	struct timespec t0, t1;
	size_t i, n = 0;
	long long day;
	time_t now = time(NULL);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_mutex_lock(&v->lock);
	for (i = 0; i < v->nbuckets && n < v->max_arts; i++) {
		struct art *a;

		for (a = v->buckets[i]; a != NULL && n < v->max_arts;
		     a = a->next) {
			if (a->unflushed == 0 && !a->meta_dirty)
				continue;
			v->batch[n].a = a;
			v->batch[n].delta = a->unflushed;
			v->batch[n].id = a->id;
			if (a->meta_dirty || a->id <= 0) {
				v->batch[n].title =
				    a->title != NULL ? strdup(a->title) : NULL;
				v->batch[n].url =
				    a->url != NULL ? strdup(a->url) : NULL;
			}
			a->flushing += a->unflushed;
			a->unflushed = 0;
			a->meta_dirty = 0;
			n++;
		}
	}
	v->nbatch = n;
	pthread_mutex_unlock(&v->lock);
	day = views_day(v, now);
	for (i = 0; i < n; i++) {
		struct flush_item *f = &v->batch[i];
		long long id = f->id;

		if ((id <= 0 || f->title != NULL || f->url != NULL) &&
		    storage_article_upsert(st, f->a->site->id, f->a->key,
		                           f->title, f->url, (long long)now,
		                           &id) != 0)
			return -1;
		f->id = id;
		if (f->delta > 0 &&
		    storage_views_add(st, id, day, f->delta) != 0)
			return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	metrics_add(v->m_flush_us,
	            (unsigned long long)((t1.tv_sec - t0.tv_sec) * 1000000LL +
	                                 (t1.tv_nsec - t0.tv_nsec) / 1000));
	return 0;
}

static void
task_committed(void *arg, int ok)
{
	struct views *v = arg;
	size_t i;

	pthread_mutex_lock(&v->lock);
	for (i = 0; i < v->nbatch; i++) {
		struct flush_item *f = &v->batch[i];

		if (ok) {
			f->a->id = f->id;
			v->pending -= f->delta;
		} else {
			/* Not written: count them again next time. */
			f->a->unflushed += f->delta;
			if (f->title != NULL || f->url != NULL)
				f->a->meta_dirty = 1;
		}
		f->a->flushing -= f->delta;
		free(f->title);
		free(f->url);
		f->title = f->url = NULL;
	}
	if (ok && v->nbatch > 0)
		metrics_add(v->m_flushes, 1);
	v->nbatch = 0;
	pthread_mutex_unlock(&v->lock);
}

static double
pending_gauge(void *arg)
{
	struct views *v = arg;
	double d;

	pthread_mutex_lock(&v->lock);
	d = (double)v->pending;
	pthread_mutex_unlock(&v->lock);
	return d;
}

void
views_task(struct views *v, struct writer_task *task)
{
	task->run = task_run;
	task->committed = task_committed;
	task->arg = v;
	task->interval_ms = (unsigned int)v->cfg->views_flush_ms;
	metrics_gauge_new("bandoc_views_pending",
	                  "Views counted but not yet written.", pending_gauge,
	                  v);
}

int
views_cached(struct views *v, const struct config_site *site,
             const char *article, long long *total)
{
	uint64_t h = art_hash(v, site->id, article);
	struct art *a;
	int found;

	pthread_mutex_lock(&v->lock);
	a = art_find(v, h, site, article);
	found = a != NULL;
	if (found)
		*total = a->base + a->counted;
	pthread_mutex_unlock(&v->lock);
	return found;
}
