#ifndef BANDOC_VIEWS_H
#define BANDOC_VIEWS_H

/*
 * views: exact, private view counting. The HTTP thread decides whether a
 * view counts (bots, prefetch, repeats of the same reader within the
 * site's window) and adds it to an in-memory counter; a writer task
 * flushes the deltas in one transaction every views_flush_ms and at
 * shutdown. A reader is a keyed BLAKE2b hash of (salt of the day, site,
 * article, client address, User-Agent); the salt is random, replaced
 * every day, and kept only in memory and in a 0600 file for restarts
 * within the day, so no stored value can be linked to an address.
 * Thread-safe.
 */

#include <stddef.h>
#include <time.h>

struct config;
struct config_site;
struct storage;
struct storage_readers;
struct views;
struct writer_task;

enum views_result {
	VIEWS_COUNTED,
	VIEWS_REPEAT,    /* same reader within the window */
	VIEWS_IGNORED,   /* bot, no User-Agent, prefetch, foreign origin */
	VIEWS_NEW_LIMIT, /* too many new articles from this client */
	VIEWS_ERROR,     /* database or memory */
};

/* What the HTTP layer knows about a view. */
struct views_hit {
	const struct config_site *site;
	const char *article; /* validated key */
	const char *title;   /* may be NULL */
	const char *url;     /* may be NULL */
	const char *user_agent;
	int prefetch;  /* Sec-Purpose/Purpose: prefetch */
	int origin_ok; /* write from an allowed origin */
	int family;    /* client address */
	const unsigned char *addr;
};

/*
 * Creates the service. salt_path is where the day's salt survives a
 * restart (created 0600). NULL on error (logged).
 */
struct views *views_new(const struct config *cfg, const char *salt_path);
void views_free(struct views *v);

/* The writer task that flushes the deltas. */
void views_task(struct views *v, struct writer_task *task);

/*
 * Counts a view if it should be; *total receives the article's total
 * (including views not yet flushed). rd is this thread's reader
 * connection, used only the first time an article is seen.
 */
enum views_result views_hit(struct views *v, struct storage *rd,
                            const struct views_hit *hit, time_t now,
                            long long *total);

/* The total of (site, article) without counting. 0 / -1. */
int views_total(struct views *v, struct storage *rd, const char *site,
                const char *article, long long *total);

/* 1 with *total when the article is in memory (no database access),
 * 0 when it is not. */
int views_cached(struct views *v, const struct config_site *site,
                 const char *article, long long *total);

/* 1 when the User-Agent is missing or matches the bot list. */
int views_is_bot(const struct views *v, const char *user_agent);

/* The day number of now in the configured time zone. */
long long views_day(const struct views *v, time_t now);

#endif
