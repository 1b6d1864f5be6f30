#ifndef BANDOC_STORAGE_PG_H
#define BANDOC_STORAGE_PG_H

/*
 * storage_pg: the PostgreSQL engine (issue #15), through libpq. It is a
 * standalone module for now: the dispatch from storage.h's functions to
 * an engine comes later. The only file that includes <libpq-fe.h>.
 *
 * The contract: each pg_NAME below behaves as storage_NAME in storage.h,
 * with the same parameters, the same results (0 / -1, the values of enum
 * storage_result, rows changed), the same output structs and the same
 * row callbacks with strings borrowed during the call, so that a caller
 * cannot tell the engines apart. A struct pg_conn takes the place of a
 * struct storage. Only the differences are described here; see
 * storage.h for each function's contract.
 *
 * A struct pg_conn is one connection, used by one thread at a time: the
 * writer thread owns the read-write one, HTTP threads get read-only ones
 * (default_transaction_read_only) from pg_readers_get().
 *
 * Errors. A failed statement is logged once and its function returns
 * -1 (STORAGE_ERROR). As in PostgreSQL an error inside a transaction
 * fails the rest of it, a caller that goes on must roll back (the
 * writer's pg_rollback_to() of the job's savepoint, as with SQLite). The
 * expected outcomes that callers branch on (a nonce spent already, a
 * name taken) are not errors: they come from INSERT ... ON CONFLICT DO
 * NOTHING and leave the transaction usable. A lost connection (server
 * restarted) fails the call it happens in with -1; the next call on
 * that connection reconnects once (PQreset) and prepares its
 * statements again, so the daemon recovers without a restart. A
 * connection lost inside a transaction (between pg_begin() and its
 * commit or rollback) took the transaction's writes with it: after the
 * reconnect every call fails, pg_commit() included, until pg_rollback(),
 * so that a group is never reported committed in part.
 *
 * Every statement is constant SQL, prepared once per connection when it
 * opens (again after a reconnect), run with text parameters and BYTEA
 * parameters in binary. Nothing logged names the DSN or the password.
 */

#include <stddef.h>

#include "storage.h"

struct pg_conn;
struct pg_readers;

/* The longest password a password file may hold (one line): far more
 * than any generated password, short enough for the stack. */
#define PG_MAX_PASSWORD 1024

/* Seconds a (re)connection may take unless the DSN says otherwise
 * (connect_timeout): a reconnect runs in the call that needs it, on the
 * writer or an HTTP thread, and libpq alone would wait for TCP's own
 * timeout (minutes) on an unreachable host. */
#define PG_CONNECT_TIMEOUT "10"

/*
 * The key of pg_advisory_xact_lock() under which migrations run, so that
 * daemons starting together apply them once ("bandoc" in ASCII).
 */
#define PG_MIGRATE_LOCK 0x62616e646f63LL

/*
 * Connects to the database dsn (a libpq connection string or URI) and
 * applies the missing embedded migrations of db/postgres/ (pg_migrate()).
 * password_file (may be NULL) holds the password on its first line; it
 * is passed to libpq as the "password" parameter (it wins over one in
 * the DSN) and wiped from bandoc's memory after connecting. A connection
 * gives up after PG_CONNECT_TIMEOUT unless the DSN sets
 * connect_timeout, and a statement waits for a lock at most
 * DEFAULT_BUSY_TIMEOUT_MS (SQLite's busy timeout) unless the DSN's
 * options set lock_timeout. On error
 * returns NULL with a message in err, which never holds the password
 * (of the file or of the DSN).
 */
struct pg_conn *pg_open(const char *dsn, const char *password_file, char *err,
                        size_t errsz);

/* Closes the connection. Accepts NULL. */
void pg_close(struct pg_conn *c);

/*
 * Applies the migrations above the database's version in one
 * transaction, under pg_advisory_xact_lock(PG_MIGRATE_LOCK): a second
 * daemon starting at the same time waits, then finds nothing to do. The
 * version is the one row of table bandoc_schema (created here, beside
 * the engine's bookkeeping: the table bandoc_generation and its trigger
 * on comment, see pg_generation()). A database newer than this binary is
 * refused, with storage_open()'s words. 0, or -1 with err set. pg_open()
 * calls it; it is exported for the tests and tools.
 */
int pg_migrate(struct pg_conn *c, char *err, size_t errsz);

/* The version in bandoc_schema (0 before any migration), or -1. */
int pg_schema_version(struct pg_conn *c);

/* Number of PostgreSQL migrations embedded in the binary. Cannot fail. */
int pg_schema_latest(void);

/*
 * storage_generation() of this engine. Sets *gen to the database's
 * generation, the same on every connection: a number that grows whenever
 * a transaction that inserted, updated or deleted comments commits, on
 * any daemon. It is the sum of table
 * bandoc_generation, where a statement trigger on comment bumps the row
 * of the writing server session (its own row, so that daemons never wait
 * for each other's counter). The bump commits with the change, so a
 * reader never sees the new number before the new rows. View counts and
 * everything else leave it alone, so the comment-list page cache
 * survives the views flush. 0 / -1.
 */
int pg_generation(struct pg_conn *c, unsigned long long *gen);

int pg_ping(struct pg_conn *c);

/* BEGIN, COMMIT, ROLLBACK, SAVEPOINT job, RELEASE job, and ROLLBACK TO
 * job followed by RELEASE job. 0 / -1. */
int pg_begin(struct pg_conn *c);
int pg_commit(struct pg_conn *c);
int pg_rollback(struct pg_conn *c);
int pg_savepoint(struct pg_conn *c);
int pg_release(struct pg_conn *c);
int pg_rollback_to(struct pg_conn *c);

/* Always STORAGE_ERROR, with a message in err saying to use pg_dump. */
enum storage_result pg_backup(const char *dsn, const char *dst_path, char *err,
                              size_t errsz);

int pg_article_upsert(struct pg_conn *c, const char *site, const char *key,
                      const char *title, const char *url, long long now,
                      long long *id);
int pg_comment_next_id(struct pg_conn *c, long long *id);
enum storage_result pg_article_get(struct pg_conn *c, const char *site,
                                   const char *key,
                                   struct storage_article *out);

/*
 * Unlike SQLite's log, the spent table keeps its primary key (shared by
 * every daemon): STORAGE_OK when this call spent the nonce,
 * STORAGE_EXISTS when it was spent already (by this daemon or another;
 * a concurrent insert of the same nonce waits for the first one's
 * transaction), STORAGE_ERROR. So a token is accepted once across all
 * daemons: only the caller that got STORAGE_OK, once committed, may
 * accept it.
 */
enum storage_result pg_spent_insert(struct pg_conn *c,
                                    const unsigned char *nonce, size_t len,
                                    long long expires_at);
int pg_spent_purge(struct pg_conn *c, long long now);
int pg_spent_load(struct pg_conn *c, long long now,
                  int (*fn)(void *arg, const unsigned char *nonce, size_t len,
                            long long expires_at),
                  void *arg);

enum storage_result pg_views_get(struct pg_conn *c, const char *site,
                                 const char *key, long long *views);
int pg_views_add(struct pg_conn *c, long long article_id, long long day,
                 long long delta);
int pg_views_top(struct pg_conn *c, const char *site, long long since_day,
                 int limit, struct storage_top *out, int *n);

int pg_comment_insert(struct pg_conn *c, const struct storage_comment *cm,
                      long long *id);
int pg_comment_duplicate(struct pg_conn *c, long long article_id,
                         const unsigned char hash[STORAGE_HASH_BYTES],
                         long long since);
enum storage_result pg_comment_parent(struct pg_conn *c, long long id,
                                      long long *article_id, int *status,
                                      long long *root_id);
int pg_comments_public(struct pg_conn *c, const char *site, const char *key,
                       int newest_first, long long offset, int limit,
                       void (*fn)(void *arg,
                                  const struct storage_public_comment *cm),
                       void *arg);
long long pg_comment_count(struct pg_conn *c, const char *site, const char *key,
                           int top_level_only);
int pg_ban_match(struct pg_conn *c, const char *site, const char *ip_hash,
                 const char *email, const char *email_key, long long now);

int pg_admin_list(struct pg_conn *c, const struct storage_admin_filter *f,
                  void (*fn)(void *arg, const struct storage_admin_comment *cm),
                  void *arg);
enum storage_result
pg_admin_get(struct pg_conn *c, long long id,
             void (*fn)(void *arg, const struct storage_admin_comment *cm),
             void *arg);
int pg_admin_history(struct pg_conn *c, long long id,
                     void (*fn)(void *arg, const char *action, const char *user,
                                long long at),
                     void *arg);
enum storage_result pg_admin_status_of(struct pg_conn *c, long long id,
                                       int *status, char *ip_hash, size_t iplen,
                                       char **name, char **body, char **email);
enum storage_result pg_admin_set_status(struct pg_conn *c, long long id,
                                        int status, long long now);
enum storage_result pg_admin_edit(struct pg_conn *c, long long id,
                                  const char *name, const char *body,
                                  const char *search, long long now);
enum storage_result pg_admin_reply(struct pg_conn *c, long long id,
                                   const char *name, const char *body,
                                   long long now);
enum storage_result pg_admin_delete(struct pg_conn *c, long long id);

int pg_audit_add(struct pg_conn *c, long long at, const char *user,
                 const char *action, long long comment_id, const char *ip_hash,
                 const char *before, const char *after);
int pg_audit_add_detail(struct pg_conn *c, long long at, const char *user,
                        const char *action, long long comment_id,
                        const char *ip_hash, const char *before,
                        const char *after, const char *detail);
int pg_audit_list(struct pg_conn *c, long long before, int limit,
                  void (*fn)(void *arg, const struct storage_audit *a),
                  void *arg);

int pg_ban_list(struct pg_conn *c,
                void (*fn)(void *arg, const struct storage_ban *b), void *arg);
int pg_ban_add(struct pg_conn *c, const char *kind, const char *value,
               const char *site, const char *reason, long long expires_at,
               long long now, const char *by, long long *id);
enum storage_result
pg_ban_get(struct pg_conn *c, long long id,
           void (*fn)(void *arg, const struct storage_ban *b), void *arg);
enum storage_result pg_ban_delete(struct pg_conn *c, long long id);

int pg_stats(struct pg_conn *c, long long day_start,
             void (*fn)(void *arg, const char *site, int status, long long n),
             void *arg, long long *today, long long *oldest_pending);

/* STORAGE_FULL when the server is out of disk space (SQLSTATE 53100). */
enum storage_result pg_user_add(struct pg_conn *c, const char *name,
                                const char *role, const char *hash,
                                long long now);
enum storage_result pg_user_get(struct pg_conn *c, const char *name,
                                struct storage_user *u);
int pg_user_list(struct pg_conn *c,
                 void (*fn)(void *arg, const struct storage_user *u),
                 void *arg);
enum storage_result pg_user_set_hash(struct pg_conn *c, const char *name,
                                     const char *hash);
enum storage_result pg_user_set_disabled(struct pg_conn *c, const char *name,
                                         int disabled);
enum storage_result pg_user_logged_in(struct pg_conn *c, const char *name,
                                      long long now);

int pg_session_add(struct pg_conn *c, const unsigned char *hash, size_t len,
                   const char *user, long long now, const char *ip_hash);
enum storage_result pg_session_get(struct pg_conn *c, const unsigned char *hash,
                                   size_t len, struct storage_session *out);
enum storage_result pg_session_touch(struct pg_conn *c,
                                     const unsigned char *hash, size_t len,
                                     long long now);
enum storage_result pg_session_delete(struct pg_conn *c,
                                      const unsigned char *hash, size_t len);
int pg_session_purge(struct pg_conn *c, long long idle_before,
                     long long created_before);

int pg_outbox_add(struct pg_conn *c, const char *site, const char *body,
                  long long now);
int pg_outbox_due(struct pg_conn *c, long long now, int limit,
                  void (*fn)(void *arg, long long id, const char *site,
                             const char *body, int attempts),
                  void *arg);
/*
 * For several daemons sending one outbox: claims up to limit entries due
 * at now (next_at <= now, oldest first) and moves their next_at to
 * lease_until, so that no other daemon takes them until the lease ends
 * (a daemon that dies while sending leaves them to the others then).
 * The rows are chosen FOR UPDATE SKIP LOCKED: two daemons claiming at
 * once get different entries, and neither waits for the other. Each
 * claimed entry goes through fn (in id order, strings borrowed during the
 * call); the caller then deletes it or reschedules it with
 * pg_outbox_retry(). Inside a transaction, the claim is the caller's
 * until it commits. 0 / -1.
 */
int pg_outbox_claim(struct pg_conn *c, long long now, long long lease_until,
                    int limit,
                    void (*fn)(void *arg, long long id, const char *site,
                               const char *body, int attempts),
                    void *arg);
enum storage_result pg_outbox_retry(struct pg_conn *c, long long id,
                                    long long next_at, const char *error);
enum storage_result pg_outbox_delete(struct pg_conn *c, long long id);

/* STORAGE_OK, STORAGE_CONFLICT (used already, on any daemon; a
 * concurrent use waits for the first one's transaction), STORAGE_ERROR. */
enum storage_result pg_oneclick_use(struct pg_conn *c,
                                    const unsigned char *nonce, size_t len,
                                    long long expires_at);

/*
 * storage_counts() with the keys as an array of n strings instead of
 * JSON text (the seam's new form). n may be 0 (then fn is never called).
 * 0 / -1.
 */
int pg_counts(struct pg_conn *c, const char *site, const char *const *keys,
              size_t n,
              void (*fn)(void *arg, const char *key, long long views,
                         long long comments),
              void *arg);

/* Imports (storage.h's storage_import_comment() and
 * storage_import_link()). */
enum storage_result pg_import_comment(struct pg_conn *c,
                                      const struct storage_import_comment *cm,
                                      long long *id);
int pg_import_link(struct pg_conn *c, const char *prefix, long long *linked,
                   long long *orphans);

/*
 * A set of read-only connections to dsn, one per thread that asks,
 * opened on first use (at most max). They do not migrate: the writer's
 * pg_open() did. NULL on error (no memory).
 */
struct pg_readers *pg_readers_new(const char *dsn, const char *password_file,
                                  size_t max);
/* This thread's reader, or NULL when it cannot be opened (logged). */
struct pg_conn *pg_readers_get(struct pg_readers *r);
/* Closes every reader. Only when no thread uses them. Accepts NULL. */
void pg_readers_free(struct pg_readers *r);

#endif
