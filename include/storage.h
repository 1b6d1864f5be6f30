#ifndef BANDOC_STORAGE_H
#define BANDOC_STORAGE_H

/*
 * storage: the only module that knows the database engine. Functions
 * are named for what they do and take plain C structs; no SQL or SQLite
 * type leaves storage*.c, so that another engine (PostgreSQL) can stand
 * beside SQLite behind the same functions.
 *
 * A struct storage is one connection and is used by one thread at a
 * time: the writer thread owns the read-write one; HTTP threads get
 * read-only ones from storage_readers_get().
 *
 * What the functions return, by kind:
 * - a lookup of one row by its key, an insert whose key may be taken, and
 *   an update or delete of one row by its key: enum storage_result
 *   (STORAGE_OK; STORAGE_NOT_FOUND when no row has that key; the other
 *   codes where the contract names them);
 * - an action with no other outcome than done or failed (an insert with a
 *   fresh id, a list through a callback, a transaction step): int 0, or
 *   -1 on error;
 * - a yes/no question (storage_comment_duplicate, storage_ban_match): int
 *   1 yes, 0 no, -1 error;
 * - a number (storage_comment_count, storage_session_purge,
 *   storage_schema_version): the number, or -1.
 * STORAGE_ERROR is -1, so "< 0" tests for an error either way.
 */

#include <stddef.h>

#include "bandoc_limits.h"

/* The outcome of a storage function whose callers branch on the cause
 * (the first kind above). */
enum storage_result {
	STORAGE_ERROR = -1, /* the database failed (logged) */
	STORAGE_OK = 0,
	STORAGE_NOT_FOUND = 1, /* no such row */
	STORAGE_EXISTS = 2,    /* a row with that key is there already */
	STORAGE_CONFLICT = 3,  /* used already (a single-use nonce) */
	STORAGE_FULL = 4       /* the disk or the database is full */
};

struct storage;
struct storage_readers;
struct storage_maintenance;

#define STORAGE_MAX_KEY   MAX_ARTICLE_KEY
#define STORAGE_MAX_TITLE 300
#define STORAGE_MAX_URL   1000
_Static_assert(MAX_ORIGIN_LEN < STORAGE_MAX_URL,
               "an article URL holds its origin and a path");

struct storage_article {
	long long id;
	char site[MAX_SITE_NAME + 1];
	char key[STORAGE_MAX_KEY + 1];
	char title[STORAGE_MAX_TITLE + 1];
	char url[STORAGE_MAX_URL + 1];
	long long created_at; /* unix seconds */
};

/* The database engines. */
enum storage_engine {
	STORAGE_SQLITE = 0,
	STORAGE_POSTGRESQL = 1 /* reserved: not built yet */
};

/*
 * Where the database is and how to reach it. Strings are borrowed for the
 * call; an engine copies what it keeps. Each engine reads only its own
 * fields: SQLite path and busy_timeout_ms, PostgreSQL (later) dsn and
 * password_file.
 */
struct storage_conf {
	enum storage_engine engine;
	const char *path;    /* SQLite: the database file, or ":memory:" */
	int busy_timeout_ms; /* how long to wait for another's lock */
	const char *dsn;     /* PostgreSQL: a libpq connection string */
	const char *password_file; /* PostgreSQL: read at connect time */
};

/*
 * Opens (creating) the database of conf read-write with the engine's
 * defensive settings (storage_sqlite.c lists SQLite's) and applies the
 * embedded migrations in one transaction. A database newer than this
 * binary is refused. On error (also an engine this build does not have)
 * returns NULL and writes a message into err.
 */
struct storage *storage_open(const struct storage_conf *conf, char *err,
                             size_t errsz);

/* Closes the connection. Accepts NULL. */
void storage_close(struct storage *st);

/* Schema version of the database: how many of the migrations are
 * applied, or -1. */
int storage_schema_version(struct storage *st);

/* Number of migrations embedded in the binary. Cannot fail. */
int storage_schema_latest(void);

/*
 * The database's generation as this connection sees it, into *gen: a
 * number that differs from the one an earlier call on the same
 * connection gave whenever any other connection (the writer, another
 * process) has committed in between. Generations of different
 * connections are not comparable, and a connection's own commits need
 * not change its generation (SQLite: PRAGMA data_version). Cheap (no read
 * transaction): readers compare generations to tell whether what they
 * cached from the database may be stale. 0 / -1.
 */
int storage_generation(struct storage *st, unsigned long long *gen);

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
 * Starts the engine's own upkeep of the database of conf, on its own
 * connection and thread, until storage_maintenance_stop(). What it does
 * is the engine's business (storage_sqlite.c says what SQLite's is); it
 * never blocks the writer or the readers, and counts what it does in its
 * own metrics. The daemon starts it once, after storage_open(). On error
 * returns NULL and writes a message into err.
 */
struct storage_maintenance *
storage_maintenance_start(const struct storage_conf *conf, char *err,
                          size_t errsz);

/* Stops the upkeep, waits for its thread and closes its connection.
 * Accepts NULL. */
void storage_maintenance_stop(struct storage_maintenance *m);

/*
 * Copies the database of conf into the new file dst_path (created 0600)
 * while the daemon may be writing to it: a consistent copy that
 * storage_open() opens as the database (SQLite: its online backup API).
 * STORAGE_OK; STORAGE_EXISTS when dst_path exists (it is left alone);
 * STORAGE_ERROR (nothing is left at dst_path). Both failures write a
 * message into err.
 */
enum storage_result storage_backup(const struct storage_conf *conf,
                                   const char *dst_path, char *err,
                                   size_t errsz);

/*
 * Returns the id of the article (site, key), creating it with title and
 * url (may be NULL) and now as created_at when missing; a non-empty title
 * or url updates the stored one. 0 / -1.
 */
int storage_article_upsert(struct storage *st, const char *site,
                           const char *key, const char *title, const char *url,
                           long long now, long long *id);

/*
 * The id the next stored comment would get (the largest id + 1), so that
 * a dropped honeypot post is answered like a stored one.  0 / -1.
 */
int storage_comment_next_id(struct storage *st, long long *id);

/* Fills out with the article: STORAGE_OK, STORAGE_NOT_FOUND or
 * STORAGE_ERROR. */
enum storage_result storage_article_get(struct storage *st, const char *site,
                                        const char *key,
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

/* Total views of (site, key): STORAGE_OK, STORAGE_NOT_FOUND (no such
 * article; *views 0) or STORAGE_ERROR. */
enum storage_result storage_views_get(struct storage *st, const char *site,
                                      const char *key, long long *views);
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

/* The flags' names, as the admin API and webhooks spell them. */
#define STORAGE_NFLAGS 5
struct storage_flag {
	const char *name;
	unsigned int bit;
};
extern const struct storage_flag storage_flags[STORAGE_NFLAGS];

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
	const char *search; /* folded name, e-mail and body */
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
/* The article, status and thread root of comment id: STORAGE_OK,
 * STORAGE_NOT_FOUND or STORAGE_ERROR. */
enum storage_result storage_comment_parent(struct storage *st, long long id,
                                           long long *article_id, int *status,
                                           long long *root_id);
/*
 * Approved comments of (site, key): a page of top-level comments (limit
 * from offset, oldest or newest first), then the approved replies of
 * those threads (oldest first), each through fn; replies of a thread
 * not on the page may come too, and the caller drops them. 0 / -1.
 */
int storage_comments_public(
    struct storage *st, const char *site, const char *key, int newest_first,
    long long offset, int limit,
    void (*fn)(void *arg, const struct storage_public_comment *c), void *arg);
/* Approved comments of (site, key) (only top-level ones if asked), or
 * -1. */
long long storage_comment_count(struct storage *st, const char *site,
                                const char *key, int top_level_only);
/* 1 when ip_hash, or email (may be "") as written or as its key
 * email_key (text_email_key(); may be "" or NULL), is banned now on site
 * (by a ban of that site or of every site), 0 not, -1 error. */
int storage_ban_match(struct storage *st, const char *site, const char *ip_hash,
                      const char *email, const char *email_key, long long now);

/* --- moderation --- */

/* A comment as moderators see it (strings borrowed during the call). */
struct storage_admin_comment {
	long long id, parent_id;
	const char *site, *article, *article_title, *article_url;
	const char *parent_excerpt;
	const char *name, *email, *body, *ip_hash, *user_agent;
	int status;
	unsigned int flags;
	long long created_at, updated_at;
	const char *reply_name, *reply_body; /* NULL: none */
	long long reply_at;
};

struct storage_admin_filter {
	int status;       /* -1: any */
	const char *site; /* "": any */
	const char *article;
	const char *q; /* folded search text, "": none */
	unsigned int flags;
	long long cursor; /* 0: from the start */
	int oldest_first;
	int limit;
};

struct storage_audit {
	long long id, at, comment_id;
	const char *user, *action, *ip_hash;
	const char *before, *after; /* may be NULL */
	const char *detail;         /* a JSON object, or NULL */
};

struct storage_ban {
	long long id, expires_at, created_at; /* expires_at 0: never */
	const char *kind, *value, *reason, *created_by;
	const char *site; /* NULL: every site */
};

#define STORAGE_MAX_USER   64
#define STORAGE_MAX_PWHASH 128

struct storage_user {
	char name[STORAGE_MAX_USER + 1];
	char role[16];
	char hash[STORAGE_MAX_PWHASH + 1];
	int disabled;
	long long created_at, last_login;
};

struct storage_session {
	char user[STORAGE_MAX_USER + 1];
	char role[16];
	long long created_at, last_seen;
	int disabled;
};

/* Comments matching f, through fn. 0 / -1. */
int storage_admin_list(struct storage *st, const struct storage_admin_filter *f,
                       void (*fn)(void *arg,
                                  const struct storage_admin_comment *c),
                       void *arg);
/* One comment through fn: STORAGE_OK, STORAGE_NOT_FOUND (fn not called)
 * or STORAGE_ERROR. */
enum storage_result
storage_admin_get(struct storage *st, long long id,
                  void (*fn)(void *arg, const struct storage_admin_comment *c),
                  void *arg);
/* The audit entries of a comment, oldest first. 0 / -1. */
int storage_admin_history(struct storage *st, long long id,
                          void (*fn)(void *arg, const char *action,
                                     const char *user, long long at),
                          void *arg);
/* Status and some fields of comment id (copies, caller frees; any out
 * may be NULL): STORAGE_OK, STORAGE_NOT_FOUND or STORAGE_ERROR. */
enum storage_result storage_admin_status_of(struct storage *st, long long id,
                                            int *status, char *ip_hash,
                                            size_t iplen, char **name,
                                            char **body, char **email);
/* These change comment id: STORAGE_OK, STORAGE_NOT_FOUND (no such
 * comment) or STORAGE_ERROR. */
enum storage_result storage_admin_set_status(struct storage *st, long long id,
                                             int status, long long now);
enum storage_result storage_admin_edit(struct storage *st, long long id,
                                       const char *name, const char *body,
                                       const char *search, long long now);
/* Sets the official reply (body NULL removes it). */
enum storage_result storage_admin_reply(struct storage *st, long long id,
                                        const char *name, const char *body,
                                        long long now);
/* Deletes the comment (its replies' parent becomes none). */
enum storage_result storage_admin_delete(struct storage *st, long long id);

/* Appends an audit entry. 0 / -1. */
int storage_audit_add(struct storage *st, long long at, const char *user,
                      const char *action, long long comment_id,
                      const char *ip_hash, const char *before,
                      const char *after);
/* The same with detail, a JSON object of what the action acted on (NULL:
 * none). 0 / -1. */
int storage_audit_add_detail(struct storage *st, long long at, const char *user,
                             const char *action, long long comment_id,
                             const char *ip_hash, const char *before,
                             const char *after, const char *detail);
/* Audit entries with id < before (0: newest), newest first, at most
 * limit. 0 / -1. */
int storage_audit_list(struct storage *st, long long before, int limit,
                       void (*fn)(void *arg, const struct storage_audit *a),
                       void *arg);

/* The bans, newest first (at most 1,000). 0 / -1. */
int storage_ban_list(struct storage *st,
                     void (*fn)(void *arg, const struct storage_ban *b),
                     void *arg);
/* Adds a ban; an e-mail value is stored trimmed and in lower case. site
 * NULL or "": every site. 0 / -1. */
int storage_ban_add(struct storage *st, const char *kind, const char *value,
                    const char *site, const char *reason, long long expires_at,
                    long long now, const char *by, long long *id);
/* Ban id through fn (strings borrowed during the call): STORAGE_OK,
 * STORAGE_NOT_FOUND or STORAGE_ERROR. */
enum storage_result
storage_ban_get(struct storage *st, long long id,
                void (*fn)(void *arg, const struct storage_ban *b), void *arg);
/* STORAGE_OK, STORAGE_NOT_FOUND (no such ban) or STORAGE_ERROR. */
enum storage_result storage_ban_delete(struct storage *st, long long id);

/* Counts per site and status through fn, comments since day_start, and
 * the creation time of the oldest pending comment (0: none). 0 / -1. */
int storage_stats(struct storage *st, long long day_start,
                  void (*fn)(void *arg, const char *site, int status,
                             long long n),
                  void *arg, long long *today, long long *oldest_pending);

/* STORAGE_OK, STORAGE_EXISTS (the name is taken), STORAGE_FULL or
 * STORAGE_ERROR. */
enum storage_result storage_user_add(struct storage *st, const char *name,
                                     const char *role, const char *hash,
                                     long long now);
/* STORAGE_OK, STORAGE_NOT_FOUND or STORAGE_ERROR. */
enum storage_result storage_user_get(struct storage *st, const char *name,
                                     struct storage_user *u);
/* Every user, by name. 0 / -1. */
int storage_user_list(struct storage *st,
                      void (*fn)(void *arg, const struct storage_user *u),
                      void *arg);
/* These change user name: STORAGE_OK, STORAGE_NOT_FOUND (no such user)
 * or STORAGE_ERROR. */
enum storage_result storage_user_set_hash(struct storage *st, const char *name,
                                          const char *hash);
enum storage_result storage_user_set_disabled(struct storage *st,
                                              const char *name, int disabled);
enum storage_result storage_user_logged_in(struct storage *st, const char *name,
                                           long long now);

/* A session of user (who must exist) under its hash. 0 / -1. */
int storage_session_add(struct storage *st, const unsigned char *hash,
                        size_t len, const char *user, long long now,
                        const char *ip_hash);
/* The session and its user's role and state: STORAGE_OK,
 * STORAGE_NOT_FOUND or STORAGE_ERROR. */
enum storage_result storage_session_get(struct storage *st,
                                        const unsigned char *hash, size_t len,
                                        struct storage_session *out);
/* Marks the session seen now, or ends it: STORAGE_OK, STORAGE_NOT_FOUND
 * (no such session) or STORAGE_ERROR. */
enum storage_result storage_session_touch(struct storage *st,
                                          const unsigned char *hash, size_t len,
                                          long long now);
enum storage_result storage_session_delete(struct storage *st,
                                           const unsigned char *hash,
                                           size_t len);
/* Ends the sessions last seen before idle_before or created before
 * created_before: how many, or -1. */
int storage_session_purge(struct storage *st, long long idle_before,
                          long long created_before);

/* Queues a webhook body for site, due now. 0 / -1. */
int storage_outbox_add(struct storage *st, const char *site, const char *body,
                       long long now);
/* At most limit queued bodies due at now, the earliest first, through fn.
 * 0 / -1. */
int storage_outbox_due(struct storage *st, long long now, int limit,
                       void (*fn)(void *arg, long long id, const char *site,
                                  const char *body, int attempts),
                       void *arg);
/* A failed delivery of id (one more attempt, due again at next_at), or a
 * done one: STORAGE_OK, STORAGE_NOT_FOUND or STORAGE_ERROR. */
enum storage_result storage_outbox_retry(struct storage *st, long long id,
                                         long long next_at, const char *error);
enum storage_result storage_outbox_delete(struct storage *st, long long id);

/* Marks a one-click token used: STORAGE_OK now, STORAGE_CONFLICT it
 * already was, STORAGE_ERROR. */
enum storage_result storage_oneclick_use(struct storage *st,
                                         const unsigned char *nonce, size_t len,
                                         long long expires_at);

/* The most keys one storage_counts() call takes: what GET /counts may
 * ask for. */
#define STORAGE_MAX_COUNT_KEYS VIEWS_MAX_COUNT_KEYS

/*
 * Views and approved comments of the articles of site whose keys are
 * among keys[0..n) (borrowed; n at most STORAGE_MAX_COUNT_KEYS, more is
 * an error), through fn once per article however often its key is
 * given, in no particular order; articles that do not exist are not
 * reported. 0 / -1.
 */
int storage_counts(struct storage *st, const char *site,
                   const char *const *keys, size_t n,
                   void (*fn)(void *arg, const char *key, long long views,
                              long long comments),
                   void *arg);

/*
 * A set of read-only connections to the database of conf (copied), one
 * per thread that asks, opened on first use (at most max). NULL on error
 * (also an engine this build does not have).
 */
struct storage_readers *storage_readers_new(const struct storage_conf *conf,
                                            size_t max);
/* This thread's reader, or NULL when it cannot be opened. */
struct storage *storage_readers_get(struct storage_readers *r);
/* Closes every reader. Only when no thread uses them. Accepts NULL. */
void storage_readers_free(struct storage_readers *r);

/* --- imports (bandocd import, docs/import.md) --- */

struct storage_import_comment {
	long long article_id;
	const char *import_id;     /* "SITE:FORMAT:ID", never empty */
	const char *import_parent; /* the parent's import_id, or "" */
	int status;
	const char *name, *email, *body, *search;
	unsigned char body_hash[STORAGE_HASH_BYTES];
	long long created_at;
};

/*
 * Stores an imported comment under its parent when the parent (same
 * article, by import_parent) is stored already, else keeps import_parent
 * for storage_import_link(). STORAGE_OK with *id, STORAGE_EXISTS when a
 * comment with this import_id is there (an import run again adds
 * nothing), or STORAGE_ERROR.
 */
enum storage_result
storage_import_comment(struct storage *st,
                       const struct storage_import_comment *c, long long *id);
/*
 * The last step of an import: links the replies of the comments whose
 * import_id starts with prefix to parents that came later in the file
 * (*linked); the ones whose parent is not in the export (or would make a
 * loop) stay top-level (*orphans). 0 / -1.
 */
int storage_import_link(struct storage *st, const char *prefix,
                        long long *linked, long long *orphans);

#endif
