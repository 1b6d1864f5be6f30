#ifndef BANDOC_STORAGE_H
#define BANDOC_STORAGE_H

/*
 * storage: the only module that knows the database engine. Functions
 * are named for what they do and take plain C structs; no SQL or SQLite
 * type leaves storage*.c, so a PostgreSQL module can replace it.
 *
 * A struct storage is one connection and is used by one thread at a
 * time: the writer thread owns the read-write one; HTTP threads get
 * read-only ones from storage_readers_get().
 */

#include <stddef.h>

#include "limits.h"

struct storage;
struct storage_readers;

#define STORAGE_MAX_KEY   200
#define STORAGE_MAX_TITLE 300
#define STORAGE_MAX_URL   1000

struct storage_article {
	long long id;
	char site[MAX_SITE_NAME + 1];
	char key[STORAGE_MAX_KEY + 1];
	char title[STORAGE_MAX_TITLE + 1];
	char url[STORAGE_MAX_URL + 1];
	long long created_at; /* unix seconds */
};

/*
 * Opens (creating) the database at path read-write, applies the
 * defensive settings (WAL, foreign keys, synchronous=FULL, busy timeout,
 * SQLITE_DBCONFIG_DEFENSIVE) and the embedded migrations in one
 * transaction. A database newer than this binary is refused. On error
 * returns NULL and writes a message into err.
 */
struct storage *storage_open(const char *path, int busy_timeout_ms, char *err,
                             size_t errsz);

/* Closes the connection. Accepts NULL. */
void storage_close(struct storage *st);

/* Schema version of the database (PRAGMA user_version), or -1. */
int storage_schema_version(struct storage *st);

/* Number of migrations embedded in the binary. Cannot fail. */
int storage_schema_latest(void);

/* 0 when the database answers a trivial query, -1 otherwise. */
int storage_ping(struct storage *st);

/*
 * Group-commit transactions for the writer: begin (IMMEDIATE), commit,
 * rollback; savepoints isolate one job inside the group. 0 / -1.
 */
int storage_begin(struct storage *st);
int storage_commit(struct storage *st);
int storage_rollback(struct storage *st);
int storage_savepoint(struct storage *st);
int storage_release(struct storage *st);
int storage_rollback_to(struct storage *st);

/*
 * Copies the database at src_path into dst_path with SQLite's online
 * backup API while other processes may write to it. dst_path must not
 * exist. 0 / -1 with a message in err.
 */
int storage_backup(const char *src_path, const char *dst_path, char *err,
                   size_t errsz);

/*
 * Returns the id of the article (site, key), creating it with title and
 * url (may be NULL) and now as created_at when missing; a non-empty title
 * or url updates the stored one. 0 / -1.
 */
int storage_article_upsert(struct storage *st, const char *site,
                           const char *key, const char *title, const char *url,
                           long long now, long long *id);

/* Fills out with the article. 0 found, 1 not found, -1 error. */
int storage_article_get(struct storage *st, const char *site, const char *key,
                        struct storage_article *out);

/*
 * CAPTCHA nonces already used: insert (ignoring one already there),
 * purge those expired at now, and load the live ones at start-up through
 * fn (which returns 0 to go on). 0 / -1.
 */
int storage_spent_insert(struct storage *st, const unsigned char *nonce,
                         size_t len, long long expires_at);
int storage_spent_purge(struct storage *st, long long now);
int storage_spent_load(struct storage *st, long long now,
                       int (*fn)(void *arg, const unsigned char *nonce,
                                 size_t len, long long expires_at),
                       void *arg);

/* One row of a most-read list. */
struct storage_top {
	char key[STORAGE_MAX_KEY + 1];
	char title[STORAGE_MAX_TITLE + 1];
	char url[STORAGE_MAX_URL + 1];
	long long views;
};

/* Total views of (site, key): 0 found, 1 no such article (*views 0),
 * -1 error. */
int storage_views_get(struct storage *st, const char *site, const char *key,
                      long long *views);
/* Adds delta views to an article's total and to its day. 0 / -1. */
int storage_views_add(struct storage *st, long long article_id, long long day,
                      long long delta);
/* The most-read articles of site since day (all time when since_day <
 * 0), at most limit rows into out; *n rows written. 0 / -1. */
int storage_views_top(struct storage *st, const char *site, long long since_day,
                      int limit, struct storage_top *out, int *n);

#define STORAGE_HASH_BYTES 16

enum storage_status {
	STORAGE_PENDING = 0,
	STORAGE_APPROVED = 1,
	STORAGE_REJECTED = 2,
	STORAGE_SPAM = 3,
	STORAGE_DELETED = 4
};

/* Comment flags. */
#define STORAGE_FLAG_WATCHED  0x1 /* a watched word */
#define STORAGE_FLAG_LINKS    0x2 /* more links than allowed */
#define STORAGE_FLAG_HONEYPOT 0x4
#define STORAGE_FLAG_BANNED   0x8
#define STORAGE_FLAG_BLOCKED  0x10 /* a blocked word */

/* A new comment (strings borrowed for the call). */
struct storage_comment {
	long long article_id;
	long long parent_id; /* 0: none */
	long long root_id;   /* top-level comment of the thread */
	int status;
	const char *name, *email, *body, *ip_hash, *user_agent;
	unsigned char body_hash[STORAGE_HASH_BYTES];
	unsigned int flags;
	long long created_at;
};

/* What the public sees of a comment (strings borrowed during fn). */
struct storage_public_comment {
	long long id, parent_id, root_id;
	const char *name, *body;
	long long created_at;
	const char *reply_name, *reply_body; /* NULL: no official reply */
	long long reply_at;
};

/* Inserts c; *id receives its id. 0 / -1. */
int storage_comment_insert(struct storage *st, const struct storage_comment *c,
                           long long *id);
/* 1 when the article has a comment with this body hash created after
 * since, 0 when not, -1 on error. */
int storage_comment_duplicate(struct storage *st, long long article_id,
                              const unsigned char hash[STORAGE_HASH_BYTES],
                              long long since);
/* The article, status and thread root of comment id: 0 found, 1 not,
 * -1 error. */
int storage_comment_parent(struct storage *st, long long id,
                           long long *article_id, int *status,
                           long long *root_id);
/*
 * Approved comments of (site, key): a page of top-level comments (limit
 * from offset, oldest or newest first), then the approved replies of
 * those threads (oldest first), each through fn. 0 / -1.
 */
int storage_comments_public(
    struct storage *st, const char *site, const char *key, int newest_first,
    long long offset, int limit,
    void (*fn)(void *arg, const struct storage_public_comment *c), void *arg);
/* Approved comments of (site, key) (only top-level ones if asked), or
 * -1. */
long long storage_comment_count(struct storage *st, const char *site,
                                const char *key, int top_level_only);
/* 1 when ip_hash or email (may be "") is banned now, 0 not, -1 error. */
int storage_ban_match(struct storage *st, const char *ip_hash,
                      const char *email, long long now);

/*
 * A set of read-only connections, one per thread that asks, opened on
 * first use (at most max). NULL on error.
 */
struct storage_readers *storage_readers_new(const char *path,
                                            int busy_timeout_ms, size_t max);
/* This thread's reader, or NULL when it cannot be opened. */
struct storage *storage_readers_get(struct storage_readers *r);
/* Closes every reader. Only when no thread uses them. Accepts NULL. */
void storage_readers_free(struct storage_readers *r);

#endif
