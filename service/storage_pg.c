/*
 * storage_pg.c: PostgreSQL behind the API of storage_pg.h, the twin of
 * storage_sqlite.c. The only file that includes <libpq-fe.h>.
 *
 * The repetitions are deliberate: the SQL of the table below says what
 * storage_sqlite.c's says, in PostgreSQL's dialect ($n, casts), so that
 * each engine can be read alone; and every function has the one shape
 * of params, run() and the reading of its columns, next to the struct it
 * fills, as in storage_sqlite.c (`duplicates` counts both).
 *
 * In the order things happen:
 * 1. pg_open() connects (connect_db(): the DSN expanded by libpq, the
 *    password from its file as a separate parameter, wiped afterwards),
 *    then pg_migrate() applies db/postgres/ under an advisory lock, then
 *    every statement of the table below is prepared (prepare_all()).
 * 2. Each function fills a struct params (text, or binary for BYTEA),
 *    runs its statement through run(), which first reconnects a
 *    connection that was lost (PQreset, once per call), and reads the
 *    text results (numbers through config_parse_ll()).
 * 3. pg_close() finishes the connection.
 *
 * Messages are logged terse (the server's primary message): a DETAIL may
 * quote the failing row, with its e-mail address or password hash.
 */
#include <assert.h>
#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "migration.h"
#include "storage_pg.h"
#include "text.h"

enum q_id {
	Q_BEGIN,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_SAVEPOINT,
	Q_RELEASE,
	Q_ROLLBACK_TO,
	Q_PING,
	Q_GENERATION,
	Q_SCHEMA_VERSION,
	Q_ARTICLE_UPSERT,
	Q_ARTICLE_GET,
	Q_COMMENT_NEXT_ID,
	Q_SPENT_INSERT,
	Q_SPENT_PURGE,
	Q_SPENT_LOAD,
	Q_COMMENT_INSERT,
	Q_COMMENT_DUP,
	Q_COMMENT_PARENT,
	Q_COMMENT_TOP,
	Q_COMMENT_TOP_DESC,
	Q_COMMENT_REPLIES,
	Q_COMMENT_COUNT,
	Q_COMMENT_COUNT_TOP,
	Q_BAN_MATCH,
	Q_ADM_LIST_DESC,
	Q_ADM_LIST_ASC,
	Q_ADM_GET,
	Q_ADM_HISTORY,
	Q_ADM_SET_STATUS,
	Q_ADM_EDIT,
	Q_ADM_REPLY,
	Q_ADM_DELETE,
	Q_ADM_STATUS_OF,
	Q_AUDIT_INSERT,
	Q_AUDIT_LIST,
	Q_BAN_LIST,
	Q_BAN_INSERT,
	Q_BAN_DELETE,
	Q_BAN_GET,
	Q_STATS_GROUP,
	Q_STATS_TODAY,
	Q_STATS_OLDEST,
	Q_USER_INSERT,
	Q_USER_GET,
	Q_USER_LIST,
	Q_USER_SET_HASH,
	Q_USER_SET_DISABLED,
	Q_USER_LOGIN,
	Q_SESSION_INSERT,
	Q_SESSION_GET,
	Q_SESSION_TOUCH,
	Q_SESSION_DELETE,
	Q_SESSION_PURGE,
	Q_OUTBOX_INSERT,
	Q_OUTBOX_DUE,
	Q_OUTBOX_CLAIM,
	Q_OUTBOX_RETRY,
	Q_OUTBOX_DELETE,
	Q_ONECLICK_USE,
	Q_COUNTS,
	Q_VIEWS_GET,
	Q_VIEWS_ADD,
	Q_VIEWS_DAY_ADD,
	Q_VIEWS_TOP_ALL,
	Q_VIEWS_TOP_SINCE,
	Q_IMPORT_PARENT,
	Q_IMPORT_INSERT,
	Q_IMPORT_LINK,
	Q_IMPORT_UNLINKED,
	Q_COUNT
};

/* SQLite's lower() folds ASCII only; so does translate() with these, so
 * that both engines store and match the same e-mail bans. */
#define ASCII_UPPER "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'"
#define ASCII_LOWER "'abcdefghijklmnopqrstuvwxyz'"

/* The moderators' view of a comment, and its filters (storage_sqlite.c's,
 * with the parameters' types spelled out where PostgreSQL cannot infer
 * them). */
#define ADM_COLS                                                               \
	"SELECT c.id, a.site, a.key, a.title, a.url, c.parent_id, "            \
	"(SELECT substr(p.body, 1, 160) FROM comment p WHERE p.id = "          \
	"c.parent_id), c.name, c.email, c.body, c.status, c.flags, "           \
	"c.ip_hash, c.user_agent, c.created_at, c.updated_at, c.reply_name, "  \
	"c.reply_body, c.reply_at FROM comment c JOIN article a ON "           \
	"a.id = c.article_id "
#define ADM_WHERE                                                              \
	"WHERE ($1::int < 0 OR c.status = $1) AND ($2::text = '' OR "          \
	"a.site = $2) AND ($3::text = '' OR a.key = $3) AND ($4::text = '' "   \
	"OR strpos(c.search, $4) > 0) AND ($5::int = 0 OR (c.flags & $5) "     \
	"<> 0) "
#define PUBLIC_COLS                                                            \
	"SELECT c.id, c.parent_id, c.name, c.body, c.created_at, "             \
	"c.reply_name, c.reply_body, c.reply_at, c.root_id "                   \
	"FROM comment c JOIN article a ON a.id = c.article_id "                \
	"WHERE a.site = $1 AND a.key = $2 AND c.status = 1 AND "
#define BAN_COLS                                                               \
	"SELECT id, kind, value, reason, expires_at, created_at, created_by, " \
	"site FROM ban "
#define USER_COLS                                                              \
	"SELECT name, role, hash, disabled, created_at, last_login FROM "      \
	"\"user\" "

/* An e-mail ban's value is kept trimmed and folded, and matched so. */
#define BAN_MATCH_SQL                                                          \
	"SELECT 1 FROM ban WHERE ((kind = 'ip' AND value = $1) OR (kind = "    \
	"'email' AND $2::text <> '' AND translate(trim(value), " ASCII_UPPER   \
	", " ASCII_LOWER ") IN (translate(trim($2), " ASCII_UPPER              \
	", " ASCII_LOWER "), $4::text))) AND (site IS NULL OR site = "         \
	"$5::text) AND (expires_at IS NULL OR expires_at > $3::bigint) LIMIT " \
	"1"
#define BAN_INSERT_SQL                                                         \
	"INSERT INTO ban (kind, value, reason, expires_at, created_at, "       \
	"created_by, site) VALUES ($1, CASE WHEN $1 = 'email' THEN "           \
	"translate(trim($2), " ASCII_UPPER ", " ASCII_LOWER ") ELSE $2 END, "  \
	"$3, $4, $5, $6, NULLIF($7::text, '')) RETURNING id"

static const char *const sql[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SAVEPOINT] = "SAVEPOINT job",
    [Q_RELEASE] = "RELEASE job",
    [Q_ROLLBACK_TO] = "ROLLBACK TO job",
    [Q_PING] = "SELECT 1",
    [Q_GENERATION] = "SELECT COALESCE(sum(n), 0) FROM bandoc_generation",
    [Q_SCHEMA_VERSION] = "SELECT version FROM bandoc_schema",
    [Q_ARTICLE_UPSERT] =
        "INSERT INTO article (site, key, title, url, created_at) "
        "VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (site, key) DO UPDATE SET "
        "title = CASE WHEN excluded.title <> '' THEN excluded.title "
        "ELSE article.title END, "
        "url = CASE WHEN excluded.url <> '' THEN excluded.url "
        "ELSE article.url END "
        "RETURNING id",
    [Q_ARTICLE_GET] = "SELECT id, site, key, title, url, created_at "
                      "FROM article WHERE site = $1 AND key = $2",
    [Q_COMMENT_NEXT_ID] = "SELECT COALESCE(MAX(id), 0) + 1 FROM comment",
    /* The primary key is what spends a token across daemons. */
    [Q_SPENT_INSERT] = "INSERT INTO captcha_spent_log (nonce, expires_at) "
                       "VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING",
    [Q_SPENT_PURGE] = "DELETE FROM captcha_spent_log WHERE expires_at <= $1",
    [Q_SPENT_LOAD] = "SELECT nonce, expires_at FROM captcha_spent_log "
                     "WHERE expires_at > $1",
    [Q_COMMENT_INSERT] =
        "INSERT INTO comment (article_id, parent_id, root_id, status, "
        "name, "
        "email, body, body_hash, ip_hash, user_agent, flags, created_at, "
        "updated_at, search) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "$10, $11, $12, $12, $13) RETURNING id",
    [Q_COMMENT_DUP] = "SELECT 1 FROM comment WHERE article_id = $1 AND "
                      "body_hash = $2 AND created_at > $3 LIMIT 1",
    [Q_COMMENT_PARENT] = "SELECT article_id, status, root_id FROM comment "
                         "WHERE id = $1",
    [Q_COMMENT_TOP] =
        PUBLIC_COLS "c.root_id IS NULL ORDER BY c.id LIMIT $3 OFFSET $4",
    [Q_COMMENT_TOP_DESC] =
        PUBLIC_COLS "c.root_id IS NULL ORDER BY c.id DESC LIMIT $3 OFFSET $4",
    [Q_COMMENT_REPLIES] =
        PUBLIC_COLS "c.root_id BETWEEN $3 AND $4 ORDER BY c.id",
    [Q_COMMENT_COUNT] = "SELECT comments FROM article WHERE site = $1 AND "
                        "key = $2",
    [Q_COMMENT_COUNT_TOP] = "SELECT threads FROM article WHERE site = $1 "
                            "AND key = $2",
    /* As storage_sqlite.c: the address as written or its key; a site's
     * ban there only. */
    [Q_BAN_MATCH] = BAN_MATCH_SQL,
    [Q_ADM_LIST_DESC] =
        ADM_COLS ADM_WHERE "AND c.id < $6::bigint ORDER BY c.id DESC LIMIT $7",
    [Q_ADM_LIST_ASC] =
        ADM_COLS ADM_WHERE "AND c.id > $6::bigint ORDER BY c.id LIMIT $7",
    [Q_ADM_GET] = ADM_COLS "WHERE c.id = $1",
    [Q_ADM_HISTORY] = "SELECT action, \"user\", at FROM audit WHERE "
                      "comment_id = $1 ORDER BY id",
    [Q_ADM_SET_STATUS] = "UPDATE comment SET status = $2, updated_at = $3 "
                         "WHERE id = $1",
    [Q_ADM_EDIT] = "UPDATE comment SET name = $2, body = $3, search = $4, "
                   "updated_at = $5 WHERE id = $1",
    [Q_ADM_REPLY] = "UPDATE comment SET reply_name = $2, reply_body = $3, "
                    "reply_at = $4, updated_at = $4 WHERE id = $1",
    [Q_ADM_DELETE] = "DELETE FROM comment WHERE id = $1",
    [Q_ADM_STATUS_OF] = "SELECT status, ip_hash, name, body, email "
                        "FROM comment WHERE id = $1",
    [Q_AUDIT_INSERT] = "INSERT INTO audit (at, \"user\", action, comment_id, "
                       "ip_hash, before, after, detail) VALUES ($1, $2, $3, "
                       "$4, $5, $6, $7, $8)",
    [Q_AUDIT_LIST] = "SELECT id, at, \"user\", action, comment_id, ip_hash, "
                     "before, after, detail FROM audit WHERE id < $1 ORDER "
                     "BY id DESC LIMIT $2",
    [Q_BAN_LIST] = BAN_COLS "ORDER BY id DESC LIMIT 1000",
    [Q_BAN_INSERT] = BAN_INSERT_SQL,
    [Q_BAN_DELETE] = "DELETE FROM ban WHERE id = $1",
    [Q_BAN_GET] = BAN_COLS "WHERE id = $1",
    [Q_STATS_GROUP] = "SELECT a.site, c.status, count(*) FROM comment c "
                      "JOIN article a ON a.id = c.article_id GROUP BY 1, 2",
    [Q_STATS_TODAY] = "SELECT count(*) FROM comment WHERE created_at >= $1",
    [Q_STATS_OLDEST] = "SELECT min(created_at) FROM comment WHERE "
                       "status = 0",
    /* A taken name is STORAGE_EXISTS without failing the transaction. */
    [Q_USER_INSERT] = "INSERT INTO \"user\" (name, role, hash, created_at) "
                      "VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING",
    [Q_USER_GET] = USER_COLS "WHERE name = $1",
    [Q_USER_LIST] = USER_COLS "ORDER BY name",
    [Q_USER_SET_HASH] = "UPDATE \"user\" SET hash = $2 WHERE name = $1",
    [Q_USER_SET_DISABLED] = "UPDATE \"user\" SET disabled = $2 WHERE "
                            "name = $1",
    [Q_USER_LOGIN] = "UPDATE \"user\" SET last_login = $2 WHERE name = $1",
    [Q_SESSION_INSERT] = "INSERT INTO session (hash, \"user\", created_at, "
                         "last_seen, ip_hash) VALUES ($1, $2, $3, $3, $4)",
    [Q_SESSION_GET] = "SELECT s.\"user\", u.role, s.created_at, "
                      "s.last_seen, u.disabled FROM session s JOIN "
                      "\"user\" u ON u.name = s.\"user\" WHERE s.hash = $1",
    [Q_SESSION_TOUCH] = "UPDATE session SET last_seen = $2 WHERE hash = $1",
    [Q_SESSION_DELETE] = "DELETE FROM session WHERE hash = $1",
    [Q_SESSION_PURGE] = "DELETE FROM session WHERE last_seen < $1 OR "
                        "created_at < $2",
    [Q_OUTBOX_INSERT] = "INSERT INTO outbox (site, body, next_at, "
                        "created_at) VALUES ($1, $2, $3, $3)",
    [Q_OUTBOX_DUE] = "SELECT id, site, body, attempts FROM outbox WHERE "
                     "next_at <= $1 ORDER BY next_at, id LIMIT $2",
    [Q_OUTBOX_CLAIM] =
        "WITH due AS (SELECT id FROM outbox WHERE next_at <= $1 ORDER BY "
        "next_at, id LIMIT $2 FOR UPDATE SKIP LOCKED), claimed AS (UPDATE "
        "outbox o SET next_at = $3 FROM due WHERE o.id = due.id RETURNING "
        "o.id, o.site, o.body, o.attempts) SELECT id, site, body, attempts "
        "FROM claimed ORDER BY id",
    [Q_OUTBOX_RETRY] = "UPDATE outbox SET attempts = attempts + 1, "
                       "next_at = $2, last_error = $3 WHERE id = $1",
    [Q_OUTBOX_DELETE] = "DELETE FROM outbox WHERE id = $1",
    [Q_ONECLICK_USE] = "INSERT INTO oneclick_used (nonce, expires_at) "
                       "VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING",
    [Q_COUNTS] = "SELECT key, views, comments FROM article WHERE site = $1 "
                 "AND key = ANY ($2::text[])",
    [Q_VIEWS_GET] = "SELECT views FROM article WHERE site = $1 AND key = $2",
    [Q_VIEWS_ADD] = "UPDATE article SET views = views + $2 WHERE id = $1",
    [Q_VIEWS_DAY_ADD] =
        "INSERT INTO view_day (article_id, day, views) VALUES ($1, $2, $3) "
        "ON CONFLICT (article_id, day) DO UPDATE SET "
        "views = view_day.views + excluded.views",
    [Q_VIEWS_TOP_ALL] = "SELECT key, title, url, views FROM article "
                        "WHERE site = $1 AND views > 0 "
                        "ORDER BY views DESC, id LIMIT $2",
    /* Grouped by the article's key, so its other columns may be named. */
    [Q_VIEWS_TOP_SINCE] =
        "SELECT a.key, a.title, a.url, SUM(d.views) AS v "
        "FROM view_day d JOIN article a ON a.id = d.article_id "
        "WHERE a.site = $1 AND d.day >= $2 "
        "GROUP BY a.id ORDER BY v DESC, a.id LIMIT $3",
    /* Imports (docs/import.md), as storage_sqlite.c: the parent by its
     * import_id, the insert that an earlier import of the same comment
     * makes a no-op, and the last step, which links replies whose parent
     * came later in the file (never to themselves or a reply of theirs). */
    [Q_IMPORT_PARENT] = "SELECT id, COALESCE(root_id, id) FROM comment "
                        "WHERE import_id = $1 AND article_id = $2",
    [Q_IMPORT_INSERT] =
        "INSERT INTO comment (article_id, parent_id, root_id, status, name, "
        "email, body, body_hash, ip_hash, user_agent, flags, created_at, "
        "updated_at, search, import_id, import_parent) VALUES ($1, $2, $3, "
        "$4, $5, $6, $7, $8, '', '', 0, $9, $9, $10, $11, $12) "
        "ON CONFLICT (import_id) WHERE import_id IS NOT NULL DO NOTHING "
        "RETURNING id",
    [Q_IMPORT_LINK] =
        "UPDATE comment AS c SET parent_id = p.id, root_id = "
        "COALESCE(p.root_id, p.id), import_parent = NULL FROM comment AS p "
        "WHERE c.import_parent IS NOT NULL AND substr(c.import_id, 1, "
        "length($1::text)) = $1 AND p.import_id = c.import_parent AND "
        "p.article_id = c.article_id AND p.id <> c.id AND "
        "COALESCE(p.root_id, 0) <> c.id",
    [Q_IMPORT_UNLINKED] =
        "UPDATE comment SET import_parent = NULL WHERE import_parent IS NOT "
        "NULL AND substr(import_id, 1, length($1::text)) = $1",
};

/*
 * The engine's bookkeeping, beside the numbered migrations (which are
 * the same steps as SQLite's): the schema version, and the generation
 * that pg_generation() reads, bumped by a statement trigger on comment.
 * Idempotent; run under the migration lock whenever a migration was
 * applied (the trigger needs the comment table).
 */
static const char schema_table[] =
    "CREATE TABLE IF NOT EXISTS bandoc_schema (one boolean PRIMARY KEY "
    "DEFAULT true CHECK (one), version integer NOT NULL)";
/* One counter per server session that wrote comments (in practice each
 * daemon's writer), so that the bump never waits for another daemon's
 * transaction: with one shared row, a group holding it while it waited
 * for an article row that the other daemon's group held, which waited
 * for the counter, was a deadlock. The generation is their sum. */
static const char generation_sql[] =
    "CREATE TABLE IF NOT EXISTS bandoc_generation (pid integer PRIMARY "
    "KEY, n bigint NOT NULL);"
    "CREATE OR REPLACE FUNCTION bandoc_generation_bump() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN INSERT INTO bandoc_generation (pid, n) "
    "VALUES (pg_backend_pid(), 1) ON CONFLICT (pid) DO UPDATE SET n = "
    "bandoc_generation.n + 1; RETURN NULL; END; $$;"
    "CREATE OR REPLACE TRIGGER bandoc_generation_bump AFTER INSERT OR "
    "UPDATE OR DELETE ON comment FOR EACH STATEMENT EXECUTE FUNCTION "
    "bandoc_generation_bump()";

struct pg_conn {
	PGconn *db;
	int nprepared; /* statements 0..nprepared-1 exist on this session */
	int in_txn;    /* between a pg_begin() and its commit or rollback */
	/* The connection was lost inside a transaction: what it wrote is
	 * gone, so everything fails until the caller rolls back (else a
	 * COMMIT on the new session would report the lost writes done). */
	int lost_txn;
};

struct pg_readers {
	pthread_mutex_t lock;
	pthread_key_t key;
	char *dsn, *password_file;
	size_t max, n;
	struct pg_conn **all;
};

/* The parameters of one statement: text, NULL, or binary (BYTEA). */
#define MAX_PARAMS 16
struct params {
	int n;
	const char *v[MAX_PARAMS];
	int len[MAX_PARAMS];
	int fmt[MAX_PARAMS];
	char num[MAX_PARAMS][24];
};

/* NULL is bound as '' (storage_sqlite.c's bind_text()). */
static void
p_text(struct params *p, const char *s)
{
	assert(p->n < MAX_PARAMS);
	p->v[p->n] = s != NULL ? s : "";
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void
p_null(struct params *p)
{
	assert(p->n < MAX_PARAMS);
	p->v[p->n] = NULL;
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void
p_ll(struct params *p, long long v)
{
	assert(p->n < MAX_PARAMS);
	snprintf(p->num[p->n], sizeof(p->num[p->n]), "%lld", v);
	p->v[p->n] = p->num[p->n];
	p->len[p->n] = 0;
	p->fmt[p->n++] = 0;
}

static void
p_bin(struct params *p, const unsigned char *b, size_t len)
{
	assert(p->n < MAX_PARAMS && len <= 0x7fffffff);
	p->v[p->n] = (const char *)b;
	p->len[p->n] = (int)len;
	p->fmt[p->n++] = 1;
}

/* Server notices (a NOTICE from CREATE ... IF NOT EXISTS, the WARNING of
 * a ROLLBACK outside a transaction) go to the debug log, not stderr. */
static void
notice(void *arg, const char *msg)
{
	size_t n = strlen(msg);

	(void)arg;
	log_debug("storage_pg: %.*s",
	          (int)(n > 0 && msg[n - 1] == '\n' ? n - 1 : n), msg);
}

/* The message of the last failure on db on one line (libpq's may take
 * several, and a log line is one line), without its final newline. */
static const char *
errmsg(PGconn *db)
{
	static _Thread_local char buf[512];
	size_t n, i;

	snprintf(buf, sizeof(buf), "%s", PQerrorMessage(db));
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	for (i = 0; i < n; i++)
		if (buf[i] == '\n' || buf[i] == '\t')
			buf[i] = ' ';
	return buf;
}

/* Prepares the statements of the table not yet prepared on this session
 * (all of them after a reconnect; the rest after a failure). 0 / -1. */
static int
prepare_all(struct pg_conn *c)
{
	char name[16];
	int i;

	for (i = c->nprepared; i < Q_COUNT; i++) {
		PGresult *r;
		int ok;

		snprintf(name, sizeof(name), "q%d", i);
		r = PQprepare(c->db, name, sql[i], 0, NULL);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			log_warnx("storage_pg: prepare %d: %s", i,
			          errmsg(c->db));
		PQclear(r);
		if (!ok)
			return -1;
		c->nprepared = i + 1;
	}
	return 0;
}

/*
 * Makes sure the connection is usable: one that was lost (the server
 * restarted, a network cut) is reset once and its statements prepared
 * again. 0 / -1 (logged).
 */
static int
alive(struct pg_conn *c)
{
	if (PQstatus(c->db) == CONNECTION_OK && c->nprepared == Q_COUNT)
		return 0;
	if (PQstatus(c->db) != CONNECTION_OK) {
		log_warnx("storage_pg: connection lost, reconnecting");
		c->nprepared = 0; /* a new session has none */
		c->lost_txn = c->in_txn;
		PQreset(c->db);
		if (PQstatus(c->db) != CONNECTION_OK) {
			log_warnx("storage_pg: cannot reconnect: %s",
			          errmsg(c->db));
			return -1;
		}
		log_info("storage_pg: reconnected");
	}
	return prepare_all(c);
}

/*
 * Runs statement id with p. Returns the result when the statement
 * succeeded (the caller PQclear()s it), or NULL: logged, and with the
 * SQLSTATE in state (6 bytes, may be NULL) when the server gave one.
 */
static PGresult *
run_state(struct pg_conn *c, enum q_id id, const struct params *p,
          char state[6])
{
	char name[16];
	PGresult *r;
	ExecStatusType s;
	const char *code;

	if (state != NULL)
		state[0] = '\0';
	if (alive(c) != 0)
		return NULL;
	if (c->lost_txn && id != Q_ROLLBACK) {
		log_warnx("storage_pg: statement %d: the transaction was lost "
		          "with the connection; roll back first",
		          (int)id);
		return NULL;
	}
	snprintf(name, sizeof(name), "q%d", (int)id);
	r = PQexecPrepared(c->db, name, p != NULL ? p->n : 0,
	                   p != NULL ? p->v : NULL, p != NULL ? p->len : NULL,
	                   p != NULL ? p->fmt : NULL, 0);
	s = PQresultStatus(r);
	/* A COMMIT or ROLLBACK ends the transaction whatever its outcome. */
	if (id == Q_BEGIN)
		c->in_txn = s == PGRES_COMMAND_OK;
	else if (id == Q_COMMIT || id == Q_ROLLBACK)
		c->in_txn = c->lost_txn = 0;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return r;
	code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state != NULL && code != NULL)
		snprintf(state, 6, "%s", code);
	if (PQstatus(c->db) != CONNECTION_OK)
		log_warnx("storage_pg: statement %d: connection lost: %s",
		          (int)id, errmsg(c->db));
	else
		log_warnx("storage_pg: statement %d: %s", (int)id,
		          errmsg(c->db));
	PQclear(r);
	return NULL;
}

static PGresult *
run(struct pg_conn *c, enum q_id id, const struct params *p)
{
	return run_state(c, id, p, NULL);
}

/* Runs a statement whose rows do not matter. 0 / -1. */
static int
exec_q(struct pg_conn *c, enum q_id id, const struct params *p)
{
	PGresult *r = run(c, id, p);

	PQclear(r);
	return r != NULL ? 0 : -1;
}

/* Rows changed by an INSERT/UPDATE/DELETE, or -1. */
static int
changes(struct pg_conn *c, enum q_id id, const struct params *p)
{
	PGresult *r = run(c, id, p);
	long long n = -1;

	if (r != NULL &&
	    config_parse_ll(PQcmdTuples(r), 0, 0x7fffffff, &n) != 0)
		n = -1;
	PQclear(r);
	return (int)n;
}

/* An UPDATE/DELETE of one row by its key: STORAGE_OK, STORAGE_NOT_FOUND
 * (no row has it) or STORAGE_ERROR. */
static enum storage_result
changed(struct pg_conn *c, enum q_id id, const struct params *p)
{
	int n = changes(c, id, p);

	return n < 0 ? STORAGE_ERROR : n == 0 ? STORAGE_NOT_FOUND : STORAGE_OK;
}

/* An INSERT that may find its key taken: 1 inserted, 0 it was there
 * (ON CONFLICT DO NOTHING), -1 error. */
static int
inserted(struct pg_conn *c, enum q_id id, const struct params *p)
{
	int n = changes(c, id, p);

	return n < 0 ? -1 : n > 0;
}

/*
 * Runs a statement that returns at most one row of interest: 0 with *out
 * holding the result (the caller clears it), 1 when there is no row, -1
 * on error.
 */
static int
one_row(struct pg_conn *c, enum q_id id, const struct params *p, PGresult **out)
{
	PGresult *r = run(c, id, p);

	*out = NULL;
	if (r == NULL)
		return -1;
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 1;
	}
	*out = r;
	return 0;
}

/* Text of a column; NULL reads as "" (storage_sqlite.c's col_text()). */
static const char *
txt(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

static const char *
txt_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

/* An integer column; NULL reads as 0, as sqlite3_column_int64() does. */
static long long
num(const PGresult *r, int row, int col)
{
	long long v = 0;

	if (!PQgetisnull(r, row, col) &&
	    config_parse_ll(PQgetvalue(r, row, col), -0x7fffffffffffffffLL - 1,
	                    0x7fffffffffffffffLL, &v) != 0) {
		log_warnx("storage_pg: column %d is not an integer", col);
		v = 0;
	}
	return v;
}

static int
num_int(const PGresult *r, int row, int col)
{
	long long v = num(r, row, col);

	return v < -0x7fffffff - 1 || v > 0x7fffffff ? 0 : (int)v;
}

static void
copy_txt(const PGresult *r, int row, int col, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s", txt(r, row, col));
}

/* Reads the first line of path into pw (pwsz bytes). 0, or -1 with err
 * set (which names the file, never its content). */
static int
read_password(const char *path, char *pw, size_t pwsz, char *err, size_t errsz)
{
	FILE *f = fopen(path, "re");
	size_t n;
	int ret = -1;

	if (f == NULL) {
		snprintf(err, errsz, "cannot open the password file %s: %s",
		         path, strerror(errno));
		return -1;
	}
	if (fgets(pw, (int)pwsz, f) == NULL) {
		snprintf(err, errsz, "the password file %s is empty", path);
		goto done;
	}
	n = strlen(pw);
	if (n == pwsz - 1 && pw[n - 1] != '\n' && !feof(f)) {
		snprintf(err, errsz,
		         "the password in %s is longer than %d bytes", path,
		         PG_MAX_PASSWORD);
		goto done;
	}
	while (n > 0 && (pw[n - 1] == '\n' || pw[n - 1] == '\r'))
		pw[--n] = '\0';
	ret = 0;
done:
	fclose(f);
	if (ret != 0)
		sodium_memzero(pw, pwsz);
	return ret;
}

/* A message that would show a password is replaced (libpq's do not, but
 * a future one might echo a parameter). */
static void
scrub(char *err, size_t errsz, const char *secret)
{
	if (secret != NULL && secret[0] != '\0' && strstr(err, secret) != NULL)
		snprintf(err, errsz,
		         "cannot connect to PostgreSQL (the server's message "
		         "is not shown: it held the password)");
}

/* The DSN's own value for keyword (a copy, caller frees), or NULL. */
static char *
dsn_value(const char *dsn, const char *keyword)
{
	PQconninfoOption *opts = PQconninfoParse(dsn, NULL), *o;
	char *v = NULL;

	for (o = opts; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, keyword) == 0 && o->val != NULL)
			v = strdup(o->val);
	PQconninfoFree(opts);
	return v;
}

/*
 * Connects to dsn (expanded by libpq) with the password of password_file
 * (may be NULL); a reader's sessions are read-only. A lock is waited
 * for DEFAULT_BUSY_TIMEOUT_MS at most, as SQLite's busy timeout, unless
 * the DSN's options set lock_timeout. The connection, or NULL with err
 * set (never holding a password).
 */
static PGconn *
connect_db(const char *dsn, const char *password_file, int readonly, char *err,
           size_t errsz)
{
	const char *keys[6], *vals[6];
	char pw[PG_MAX_PASSWORD + 2], *options = NULL, *dsn_pw = NULL;
	char *dsn_opts = NULL;
	PGconn *db = NULL;
	size_t len;
	int n = 0;

	pw[0] = '\0';
	if (password_file != NULL &&
	    read_password(password_file, pw, sizeof(pw), err, errsz) != 0)
		return NULL;
	/* Keywords before dbname are defaults the DSN may override; those
	 * after it win over the DSN's. */
	keys[n] = "connect_timeout";
	vals[n++] = PG_CONNECT_TIMEOUT;
	keys[n] = "dbname"; /* expanded: the DSN's parameters */
	vals[n++] = dsn;
	keys[n] = "fallback_application_name";
	vals[n++] = "bandocd";
	if (password_file != NULL) {
		keys[n] = "password";
		vals[n++] = pw;
	}
	/* Server settings: the default lock wait, then the DSN's own
	 * options (a later -c wins), then a reader's read-only sessions. */
	dsn_opts = dsn_value(dsn, "options");
	/* Passing options hides PGOPTIONS from libpq: keep it. */
	if (dsn_opts == NULL && getenv("PGOPTIONS") != NULL)
		dsn_opts = strdup(getenv("PGOPTIONS"));
	len = (dsn_opts != NULL ? strlen(dsn_opts) : 0) + 96;
	if ((options = malloc(len)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto done;
	}
	snprintf(options, len, "-c lock_timeout=%d %s%s",
	         DEFAULT_BUSY_TIMEOUT_MS, dsn_opts != NULL ? dsn_opts : "",
	         readonly ? " -c default_transaction_read_only=on" : "");
	keys[n] = "options";
	vals[n++] = options;
	keys[n] = NULL;
	vals[n] = NULL;
	if ((db = PQconnectdbParams(keys, vals, 1)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto done;
	}
	if (PQstatus(db) != CONNECTION_OK) {
		snprintf(err, errsz, "cannot connect to PostgreSQL: %s",
		         errmsg(db));
		dsn_pw = dsn_value(dsn, "password");
		scrub(err, errsz, pw);
		scrub(err, errsz, dsn_pw);
		PQfinish(db);
		db = NULL;
		goto done;
	}
	PQsetNoticeProcessor(db, notice, NULL);
	/* The primary message only: a DETAIL can quote the failing row
	 * (e-mail addresses, password hashes), which must not be logged. */
	PQsetErrorVerbosity(db, PQERRORS_TERSE);
	PQsetErrorContextVisibility(db, PQSHOW_CONTEXT_NEVER);
done:
	sodium_memzero(pw, sizeof(pw));
	if (dsn_pw != NULL)
		sodium_memzero(dsn_pw, strlen(dsn_pw));
	free(dsn_pw);
	free(dsn_opts);
	free(options);
	return db;
}

/* The folder of this engine's migrations among the embedded files. */
#define PG_MIGRATIONS "db/postgres/"

int
pg_schema_latest(void)
{
	return migration_latest(PG_MIGRATIONS);
}

/* Runs SQL text (several statements) outside the prepared table: the
 * migrations only. 0, or -1 with err set to what and the server's
 * message. */
static int
exec_text(PGconn *db, const char *text, const char *what, char *err,
          size_t errsz)
{
	PGresult *r = PQexec(db, text);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	         PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		snprintf(err, errsz, "%s: %s", what, errmsg(db));
	PQclear(r);
	return ok ? 0 : -1;
}

/* The version in bandoc_schema: 0 with *v set (0 without a row), -1
 * with err set. */
static int
read_version(PGconn *db, int *v, char *err, size_t errsz)
{
	PGresult *r = PQexec(db, "SELECT version FROM bandoc_schema");
	long long n = 0;
	int ret = -1;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		snprintf(err, errsz, "cannot read the schema version: %s",
		         errmsg(db));
	else if (PQntuples(r) > 0 &&
	         config_parse_ll(PQgetvalue(r, 0, 0), 0, 0x7fffffff, &n) != 0)
		snprintf(err, errsz, "bad schema version %s",
		         PQgetvalue(r, 0, 0));
	else {
		*v = (int)n;
		ret = 0;
	}
	PQclear(r);
	return ret;
}

int
pg_migrate(struct pg_conn *c, char *err, size_t errsz)
{
	char lock[64], setv[160];
	int version = 0, latest = pg_schema_latest(), v, ret = -1;

	snprintf(lock, sizeof(lock), "SELECT pg_advisory_xact_lock(%lld)",
	         PG_MIGRATE_LOCK);
	if (exec_text(c->db, "BEGIN", "cannot begin the migrations", err,
	              errsz) != 0)
		return -1;
	if (exec_text(c->db, lock, "cannot lock the database", err, errsz) !=
	        0 ||
	    exec_text(c->db, schema_table, "cannot create bandoc_schema", err,
	              errsz) != 0 ||
	    read_version(c->db, &version, err, errsz) != 0)
		goto done;
	if (version > latest) {
		snprintf(err, errsz,
		         "the database has schema version %d but this bandocd "
		         "knows only up to %d: use a newer bandocd",
		         version, latest);
		goto done;
	}
	for (v = version + 1; v <= latest; v++) {
		const struct embed_file *f = migration_find(PG_MIGRATIONS, v);
		char *text, what[128];

		if ((text = migration_text(f)) == NULL) {
			snprintf(err, errsz, "out of memory");
			goto done;
		}
		snprintf(what, sizeof(what), "migration %s failed", f->name);
		if (exec_text(c->db, text, what, err, errsz) != 0) {
			free(text);
			goto done;
		}
		free(text);
		log_info("storage_pg: applied migration %s", f->name);
	}
	snprintf(setv, sizeof(setv),
	         "INSERT INTO bandoc_schema (version) VALUES (%d) ON CONFLICT "
	         "(one) DO UPDATE SET version = excluded.version",
	         latest);
	/* Up to date (every start but the first): nothing written. */
	if (version < latest &&
	    (exec_text(c->db, generation_sql, "cannot create bandoc_generation",
	               err, errsz) != 0 ||
	     exec_text(c->db, setv, "cannot record the schema version", err,
	               errsz) != 0))
		goto done;
	if (exec_text(c->db, "COMMIT", "cannot commit migrations", err,
	              errsz) != 0)
		goto done;
	ret = 0;
done:
	if (ret != 0)
		PQclear(PQexec(c->db, "ROLLBACK"));
	return ret;
}

/* A connection with its statements prepared; migrate: apply the
 * migrations first. NULL with err set. */
static struct pg_conn *
conn_new(const char *dsn, const char *password_file, int readonly, int migrate,
         char *err, size_t errsz)
{
	struct pg_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if ((c->db = connect_db(dsn, password_file, readonly, err, errsz)) ==
	    NULL)
		goto fail;
	if (migrate && pg_migrate(c, err, errsz) != 0)
		goto fail;
	if (prepare_all(c) != 0) {
		snprintf(err, errsz, "cannot prepare the statements: %s",
		         errmsg(c->db));
		goto fail;
	}
	return c;
fail:
	pg_close(c);
	return NULL;
}

struct pg_conn *
pg_open(const char *dsn, const char *password_file, char *err, size_t errsz)
{
	return conn_new(dsn, password_file, 0, 1, err, errsz);
}

void
pg_close(struct pg_conn *c)
{
	if (c == NULL)
		return;
	PQfinish(c->db);
	free(c);
}

int
pg_schema_version(struct pg_conn *c)
{
	PGresult *r;
	int rc = one_row(c, Q_SCHEMA_VERSION, NULL, &r);
	int v = rc == 0 ? num_int(r, 0, 0) : rc == 1 ? 0 : -1;

	PQclear(r);
	return v;
}

int
pg_generation(struct pg_conn *c, unsigned long long *gen)
{
	PGresult *r;

	if (one_row(c, Q_GENERATION, NULL, &r) != 0)
		return -1;
	*gen = (unsigned long long)num(r, 0, 0);
	PQclear(r);
	return 0;
}

int
pg_ping(struct pg_conn *c)
{
	return exec_q(c, Q_PING, NULL);
}

/* Transactions: one named function per statement, as in
 * storage_sqlite.c. */
int
pg_begin(struct pg_conn *c)
{
	return exec_q(c, Q_BEGIN, NULL);
}

int
pg_commit(struct pg_conn *c)
{
	return exec_q(c, Q_COMMIT, NULL);
}

int
pg_rollback(struct pg_conn *c)
{
	return exec_q(c, Q_ROLLBACK, NULL);
}

int
pg_savepoint(struct pg_conn *c)
{
	return exec_q(c, Q_SAVEPOINT, NULL);
}

int
pg_release(struct pg_conn *c)
{
	return exec_q(c, Q_RELEASE, NULL);
}

int
pg_rollback_to(struct pg_conn *c)
{
	/* ROLLBACK TO keeps the savepoint open; release it too. */
	if (exec_q(c, Q_ROLLBACK_TO, NULL) != 0)
		return -1;
	return exec_q(c, Q_RELEASE, NULL);
}

enum storage_result
pg_backup(const char *dsn, const char *dst_path, char *err, size_t errsz)
{
	(void)dsn;
	(void)dst_path;
	snprintf(err, errsz,
	         "the PostgreSQL engine has no backup command: use pg_dump "
	         "(e.g. pg_dump -Fc -f FILE DBNAME)");
	return STORAGE_ERROR;
}

int
pg_article_upsert(struct pg_conn *c, const char *site, const char *key,
                  const char *title, const char *url, long long now,
                  long long *id)
{
	struct params p = {0};
	PGresult *r;

	p_text(&p, site);
	p_text(&p, key);
	p_text(&p, title);
	p_text(&p, url);
	p_ll(&p, now);
	if (one_row(c, Q_ARTICLE_UPSERT, &p, &r) != 0)
		return -1;
	*id = num(r, 0, 0);
	PQclear(r);
	return 0;
}

enum storage_result
pg_article_get(struct pg_conn *c, const char *site, const char *key,
               struct storage_article *out)
{
	struct params p = {0};
	PGresult *r;
	int rc;

	p_text(&p, site);
	p_text(&p, key);
	if ((rc = one_row(c, Q_ARTICLE_GET, &p, &r)) != 0)
		return rc;
	out->id = num(r, 0, 0);
	copy_txt(r, 0, 1, out->site, sizeof(out->site));
	copy_txt(r, 0, 2, out->key, sizeof(out->key));
	copy_txt(r, 0, 3, out->title, sizeof(out->title));
	copy_txt(r, 0, 4, out->url, sizeof(out->url));
	out->created_at = num(r, 0, 5);
	PQclear(r);
	return STORAGE_OK;
}

int
pg_comment_next_id(struct pg_conn *c, long long *id)
{
	PGresult *r;

	if (one_row(c, Q_COMMENT_NEXT_ID, NULL, &r) != 0)
		return -1;
	*id = num(r, 0, 0);
	PQclear(r);
	return 0;
}

/* Parameters (nonce BYTEA, expires_at) of the single-use tables. */
static void
nonce_params(struct params *p, const unsigned char *nonce, size_t len,
             long long expires_at)
{
	p_bin(p, nonce, len);
	p_ll(p, expires_at);
}

enum storage_result
pg_spent_insert(struct pg_conn *c, const unsigned char *nonce, size_t len,
                long long expires_at)
{
	struct params p = {0};
	int rc;

	nonce_params(&p, nonce, len, expires_at);
	rc = inserted(c, Q_SPENT_INSERT, &p);
	return rc < 0 ? STORAGE_ERROR : rc ? STORAGE_OK : STORAGE_EXISTS;
}

/* changed() of a statement that takes one integer (an id). */
static enum storage_result
changed_ll(struct pg_conn *c, enum q_id id, long long v)
{
	struct params p = {0};

	p_ll(&p, v);
	return changed(c, id, &p);
}

int
pg_spent_purge(struct pg_conn *c, long long now)
{
	struct params p = {0};

	p_ll(&p, now);
	return changes(c, Q_SPENT_PURGE, &p) < 0 ? -1 : 0;
}

int
pg_spent_load(struct pg_conn *c, long long now,
              int (*fn)(void *arg, const unsigned char *nonce, size_t len,
                        long long expires_at),
              void *arg)
{
	struct params p = {0};
	PGresult *r;
	int i, ret = 0;

	p_ll(&p, now);
	if ((r = run(c, Q_SPENT_LOAD, &p)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r) && ret == 0; i++) {
		size_t len = 0;
		unsigned char *b = PQunescapeBytea(
		    (const unsigned char *)PQgetvalue(r, i, 0), &len);

		if (b == NULL || fn(arg, b, len, num(r, i, 1)) != 0)
			ret = -1;
		PQfreemem(b);
	}
	PQclear(r);
	return ret;
}

/*
 * One integer column of the article (site, key) through statement id:
 * 0 with *out set, 1 when there is no such article (*out 0), -1 on error.
 */
static int
article_int(struct pg_conn *c, enum q_id id, const char *site, const char *key,
            long long *out)
{
	struct params p = {0};
	PGresult *r;
	int rc;

	*out = 0;
	p_text(&p, site);
	p_text(&p, key);
	if ((rc = one_row(c, id, &p, &r)) != 0)
		return rc;
	*out = num(r, 0, 0);
	PQclear(r);
	return 0;
}

enum storage_result
pg_views_get(struct pg_conn *c, const char *site, const char *key,
             long long *views)
{
	return article_int(c, Q_VIEWS_GET, site, key, views);
}

int
pg_views_add(struct pg_conn *c, long long article_id, long long day,
             long long delta)
{
	struct params p = {0};

	p_ll(&p, article_id);
	p_ll(&p, delta);
	if (exec_q(c, Q_VIEWS_ADD, &p) != 0)
		return -1;
	p.n = 0;
	p_ll(&p, article_id);
	p_ll(&p, day);
	p_ll(&p, delta);
	return exec_q(c, Q_VIEWS_DAY_ADD, &p);
}

int
pg_views_top(struct pg_conn *c, const char *site, long long since_day,
             int limit, struct storage_top *out, int *n)
{
	struct params p = {0};
	PGresult *r;
	int i;

	*n = 0;
	p_text(&p, site);
	if (since_day >= 0)
		p_ll(&p, since_day);
	p_ll(&p, limit);
	r = run(c, since_day < 0 ? Q_VIEWS_TOP_ALL : Q_VIEWS_TOP_SINCE, &p);
	if (r == NULL)
		return -1;
	for (i = 0; i < PQntuples(r) && *n < limit; i++) {
		struct storage_top *t = &out[(*n)++];

		copy_txt(r, i, 0, t->key, sizeof(t->key));
		copy_txt(r, i, 1, t->title, sizeof(t->title));
		copy_txt(r, i, 2, t->url, sizeof(t->url));
		t->views = num(r, i, 3);
	}
	PQclear(r);
	return 0;
}

int
pg_comment_insert(struct pg_conn *c, const struct storage_comment *cm,
                  long long *id)
{
	struct params p = {0};
	PGresult *r;

	p_ll(&p, cm->article_id);
	if (cm->parent_id > 0) {
		p_ll(&p, cm->parent_id);
		p_ll(&p, cm->root_id);
	} else {
		p_null(&p);
		p_null(&p);
	}
	p_ll(&p, cm->status);
	p_text(&p, cm->name);
	p_text(&p, cm->email);
	p_text(&p, cm->body);
	p_bin(&p, cm->body_hash, sizeof(cm->body_hash));
	p_text(&p, cm->ip_hash);
	p_text(&p, cm->user_agent);
	p_ll(&p, cm->flags);
	p_ll(&p, cm->created_at);
	p_text(&p, cm->search);
	if (one_row(c, Q_COMMENT_INSERT, &p, &r) != 0)
		return -1;
	*id = num(r, 0, 0);
	PQclear(r);
	return 0;
}

/* 1 when statement id finds a row, 0 when not, -1 on error. */
static int
exists(struct pg_conn *c, enum q_id id, const struct params *p)
{
	PGresult *r;
	int rc = one_row(c, id, p, &r);

	PQclear(r);
	return rc < 0 ? -1 : rc == 0;
}

int
pg_comment_duplicate(struct pg_conn *c, long long article_id,
                     const unsigned char hash[STORAGE_HASH_BYTES],
                     long long since)
{
	struct params p = {0};

	p_ll(&p, article_id);
	p_bin(&p, hash, STORAGE_HASH_BYTES);
	p_ll(&p, since);
	return exists(c, Q_COMMENT_DUP, &p);
}

enum storage_result
pg_comment_parent(struct pg_conn *c, long long id, long long *article_id,
                  int *status, long long *root_id)
{
	struct params p = {0};
	PGresult *r;
	int rc;

	p_ll(&p, id);
	if ((rc = one_row(c, Q_COMMENT_PARENT, &p, &r)) != 0)
		return rc;
	*article_id = num(r, 0, 0);
	*status = num_int(r, 0, 1);
	*root_id = num(r, 0, 2);
	PQclear(r);
	return STORAGE_OK;
}

static void
row_to_public(const PGresult *r, int i, struct storage_public_comment *cm)
{
	cm->id = num(r, i, 0);
	cm->parent_id = num(r, i, 1);
	cm->name = txt(r, i, 2);
	cm->body = txt(r, i, 3);
	cm->created_at = num(r, i, 4);
	cm->reply_name = txt_or_null(r, i, 5);
	cm->reply_body = txt_or_null(r, i, 6);
	cm->reply_at = num(r, i, 7);
	cm->root_id = num(r, i, 8);
}

int
pg_comments_public(struct pg_conn *c, const char *site, const char *key,
                   int newest_first, long long offset, int limit,
                   void (*fn)(void *arg,
                              const struct storage_public_comment *cm),
                   void *arg)
{
	struct params p = {0};
	struct storage_public_comment cm;
	long long lo = -1, hi = -1;
	PGresult *r;
	int i;

	p_text(&p, site);
	p_text(&p, key);
	p_ll(&p, limit);
	p_ll(&p, offset);
	r = run(c, newest_first ? Q_COMMENT_TOP_DESC : Q_COMMENT_TOP, &p);
	if (r == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		row_to_public(r, i, &cm);
		if (lo < 0 || cm.id < lo)
			lo = cm.id;
		if (cm.id > hi)
			hi = cm.id;
		fn(arg, &cm);
	}
	PQclear(r);
	if (lo < 0)
		return 0;
	/* Replies of the page's threads; the caller attaches each to its
	 * root and ignores those whose root is not on the page. */
	p.n = 2;
	p_ll(&p, lo);
	p_ll(&p, hi);
	if ((r = run(c, Q_COMMENT_REPLIES, &p)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		row_to_public(r, i, &cm);
		fn(arg, &cm);
	}
	PQclear(r);
	return 0;
}

long long
pg_comment_count(struct pg_conn *c, const char *site, const char *key,
                 int top_level_only)
{
	long long n;

	/* No such article: no comments. */
	return article_int(
	           c, top_level_only ? Q_COMMENT_COUNT_TOP : Q_COMMENT_COUNT,
	           site, key, &n) < 0
	           ? -1
	           : n;
}

int
pg_ban_match(struct pg_conn *c, const char *site, const char *ip_hash,
             const char *email, const char *email_key, long long now)
{
	struct params p = {0};

	p_text(&p, ip_hash);
	p_text(&p, email);
	p_ll(&p, now);
	p_text(&p, email_key);
	p_text(&p, site);
	return exists(c, Q_BAN_MATCH, &p);
}

/* --- moderation --- */

static void
row_to_admin(const PGresult *r, int i, struct storage_admin_comment *cm)
{
	cm->id = num(r, i, 0);
	cm->site = txt(r, i, 1);
	cm->article = txt(r, i, 2);
	cm->article_title = txt(r, i, 3);
	cm->article_url = txt(r, i, 4);
	cm->parent_id = num(r, i, 5);
	cm->parent_excerpt = txt(r, i, 6);
	cm->name = txt(r, i, 7);
	cm->email = txt(r, i, 8);
	cm->body = txt(r, i, 9);
	cm->status = num_int(r, i, 10);
	cm->flags = (unsigned int)num_int(r, i, 11);
	cm->ip_hash = txt(r, i, 12);
	cm->user_agent = txt(r, i, 13);
	cm->created_at = num(r, i, 14);
	cm->updated_at = num(r, i, 15);
	cm->reply_name = txt_or_null(r, i, 16);
	cm->reply_body = txt_or_null(r, i, 17);
	cm->reply_at = num(r, i, 18);
}

int
pg_admin_list(struct pg_conn *c, const struct storage_admin_filter *f,
              void (*fn)(void *arg, const struct storage_admin_comment *cm),
              void *arg)
{
	struct params p = {0};
	struct storage_admin_comment cm;
	PGresult *r;
	int i;

	p_ll(&p, f->status);
	p_text(&p, f->site);
	p_text(&p, f->article);
	p_text(&p, f->q);
	p_ll(&p, f->flags);
	p_ll(&p, f->cursor > 0 ? f->cursor
	                       : (f->oldest_first ? 0 : 0x7fffffffffffffffLL));
	p_ll(&p, f->limit);
	r = run(c, f->oldest_first ? Q_ADM_LIST_ASC : Q_ADM_LIST_DESC, &p);
	if (r == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		row_to_admin(r, i, &cm);
		fn(arg, &cm);
	}
	PQclear(r);
	return 0;
}

enum storage_result
pg_admin_get(struct pg_conn *c, long long id,
             void (*fn)(void *arg, const struct storage_admin_comment *cm),
             void *arg)
{
	struct params p = {0};
	struct storage_admin_comment cm;
	PGresult *r;
	int rc;

	p_ll(&p, id);
	if ((rc = one_row(c, Q_ADM_GET, &p, &r)) != 0)
		return rc;
	row_to_admin(r, 0, &cm);
	fn(arg, &cm);
	PQclear(r);
	return STORAGE_OK;
}

int
pg_admin_history(struct pg_conn *c, long long id,
                 void (*fn)(void *arg, const char *action, const char *user,
                            long long at),
                 void *arg)
{
	struct params p = {0};
	PGresult *r;
	int i;

	p_ll(&p, id);
	if ((r = run(c, Q_ADM_HISTORY, &p)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++)
		fn(arg, txt(r, i, 0), txt(r, i, 1), num(r, i, 2));
	PQclear(r);
	return 0;
}

enum storage_result
pg_admin_status_of(struct pg_conn *c, long long id, int *status, char *ip_hash,
                   size_t iplen, char **name, char **body, char **email)
{
	struct params p = {0};
	PGresult *r;
	int rc;

	p_ll(&p, id);
	if ((rc = one_row(c, Q_ADM_STATUS_OF, &p, &r)) != 0)
		return rc;
	*status = num_int(r, 0, 0);
	if (ip_hash != NULL)
		copy_txt(r, 0, 1, ip_hash, iplen);
	if (name != NULL)
		*name = strdup(txt(r, 0, 2));
	if (body != NULL)
		*body = strdup(txt(r, 0, 3));
	if (email != NULL)
		*email = strdup(txt(r, 0, 4));
	PQclear(r);
	return STORAGE_OK;
}

enum storage_result
pg_admin_set_status(struct pg_conn *c, long long id, int status, long long now)
{
	struct params p = {0};

	p_ll(&p, id);
	p_ll(&p, status);
	p_ll(&p, now);
	return changed(c, Q_ADM_SET_STATUS, &p);
}

enum storage_result
pg_admin_edit(struct pg_conn *c, long long id, const char *name,
              const char *body, const char *search, long long now)
{
	struct params p = {0};

	p_ll(&p, id);
	p_text(&p, name);
	p_text(&p, body);
	p_text(&p, search);
	p_ll(&p, now);
	return changed(c, Q_ADM_EDIT, &p);
}

enum storage_result
pg_admin_reply(struct pg_conn *c, long long id, const char *name,
               const char *body, long long now)
{
	struct params p = {0};

	p_ll(&p, id);
	if (body != NULL) {
		p_text(&p, name);
		p_text(&p, body);
	} else {
		p_null(&p); /* NULLs: no reply */
		p_null(&p);
	}
	p_ll(&p, now);
	return changed(c, Q_ADM_REPLY, &p);
}

enum storage_result
pg_admin_delete(struct pg_conn *c, long long id)
{
	return changed_ll(c, Q_ADM_DELETE, id);
}

int
pg_audit_add(struct pg_conn *c, long long at, const char *user,
             const char *action, long long comment_id, const char *ip_hash,
             const char *before, const char *after)
{
	return pg_audit_add_detail(c, at, user, action, comment_id, ip_hash,
	                           before, after, NULL);
}

/* Text, or NULL kept as NULL. */
static void
p_text_or_null(struct params *p, const char *s)
{
	if (s != NULL)
		p_text(p, s);
	else
		p_null(p);
}

int
pg_audit_add_detail(struct pg_conn *c, long long at, const char *user,
                    const char *action, long long comment_id,
                    const char *ip_hash, const char *before, const char *after,
                    const char *detail)
{
	struct params p = {0};

	p_ll(&p, at);
	p_text(&p, user);
	p_text(&p, action);
	if (comment_id > 0)
		p_ll(&p, comment_id);
	else
		p_null(&p);
	p_text(&p, ip_hash);
	p_text_or_null(&p, before);
	p_text_or_null(&p, after);
	p_text_or_null(&p, detail);
	return changes(c, Q_AUDIT_INSERT, &p) == 1 ? 0 : -1;
}

int
pg_audit_list(struct pg_conn *c, long long before, int limit,
              void (*fn)(void *arg, const struct storage_audit *a), void *arg)
{
	struct params p = {0};
	struct storage_audit a;
	PGresult *r;
	int i;

	p_ll(&p, before > 0 ? before : 0x7fffffffffffffffLL);
	p_ll(&p, limit);
	if ((r = run(c, Q_AUDIT_LIST, &p)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		a.id = num(r, i, 0);
		a.at = num(r, i, 1);
		a.user = txt(r, i, 2);
		a.action = txt(r, i, 3);
		a.comment_id = num(r, i, 4);
		a.ip_hash = txt(r, i, 5);
		a.before = txt_or_null(r, i, 6);
		a.after = txt_or_null(r, i, 7);
		a.detail = txt_or_null(r, i, 8);
		fn(arg, &a);
	}
	PQclear(r);
	return 0;
}

static void
row_to_ban(const PGresult *r, int i, struct storage_ban *b)
{
	b->id = num(r, i, 0);
	b->kind = txt(r, i, 1);
	b->value = txt(r, i, 2);
	b->reason = txt(r, i, 3);
	b->expires_at = num(r, i, 4);
	b->created_at = num(r, i, 5);
	b->created_by = txt(r, i, 6);
	b->site = txt_or_null(r, i, 7);
}

int
pg_ban_list(struct pg_conn *c,
            void (*fn)(void *arg, const struct storage_ban *b), void *arg)
{
	struct storage_ban b;
	PGresult *r;
	int i;

	if ((r = run(c, Q_BAN_LIST, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		row_to_ban(r, i, &b);
		fn(arg, &b);
	}
	PQclear(r);
	return 0;
}

enum storage_result
pg_ban_get(struct pg_conn *c, long long id,
           void (*fn)(void *arg, const struct storage_ban *b), void *arg)
{
	struct params p = {0};
	struct storage_ban b;
	PGresult *r;
	int rc;

	p_ll(&p, id);
	if ((rc = one_row(c, Q_BAN_GET, &p, &r)) != 0)
		return rc;
	row_to_ban(r, 0, &b);
	fn(arg, &b);
	PQclear(r);
	return STORAGE_OK;
}

int
pg_ban_add(struct pg_conn *c, const char *kind, const char *value,
           const char *site, const char *reason, long long expires_at,
           long long now, const char *by, long long *id)
{
	struct params p = {0};
	PGresult *r;

	p_text(&p, kind);
	p_text(&p, value);
	p_text(&p, reason);
	if (expires_at > 0)
		p_ll(&p, expires_at);
	else
		p_null(&p);
	p_ll(&p, now);
	p_text(&p, by);
	p_text(&p, site);
	if (one_row(c, Q_BAN_INSERT, &p, &r) != 0)
		return -1;
	*id = num(r, 0, 0);
	PQclear(r);
	return 0;
}

enum storage_result
pg_ban_delete(struct pg_conn *c, long long id)
{
	return changed_ll(c, Q_BAN_DELETE, id);
}

int
pg_stats(struct pg_conn *c, long long day_start,
         void (*fn)(void *arg, const char *site, int status, long long n),
         void *arg, long long *today, long long *oldest_pending)
{
	struct params p = {0};
	PGresult *r;
	int i;

	if ((r = run(c, Q_STATS_GROUP, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++)
		fn(arg, txt(r, i, 0), num_int(r, i, 1), num(r, i, 2));
	PQclear(r);
	p_ll(&p, day_start);
	if (one_row(c, Q_STATS_TODAY, &p, &r) < 0)
		return -1;
	*today = r != NULL ? num(r, 0, 0) : 0;
	PQclear(r);
	if (one_row(c, Q_STATS_OLDEST, NULL, &r) < 0)
		return -1;
	*oldest_pending = r != NULL ? num(r, 0, 0) : 0; /* min() NULL: 0 */
	PQclear(r);
	return 0;
}

static void
row_to_user(const PGresult *r, int i, struct storage_user *u)
{
	copy_txt(r, i, 0, u->name, sizeof(u->name));
	copy_txt(r, i, 1, u->role, sizeof(u->role));
	copy_txt(r, i, 2, u->hash, sizeof(u->hash));
	u->disabled = num_int(r, i, 3);
	u->created_at = num(r, i, 4);
	u->last_login = num(r, i, 5);
}

enum storage_result
pg_user_add(struct pg_conn *c, const char *name, const char *role,
            const char *hash, long long now)
{
	struct params p = {0};
	char state[6];
	PGresult *r;
	int n = -1;

	p_text(&p, name);
	p_text(&p, role);
	p_text(&p, hash);
	p_ll(&p, now);
	if ((r = run_state(c, Q_USER_INSERT, &p, state)) != NULL) {
		n = PQcmdTuples(r)[0] == '1';
		PQclear(r);
		return n ? STORAGE_OK : STORAGE_EXISTS;
	}
	/* 53100 disk_full, 53200 out_of_memory of the server. */
	return strncmp(state, "531", 3) == 0 || strcmp(state, "53200") == 0
	           ? STORAGE_FULL
	           : STORAGE_ERROR;
}

enum storage_result
pg_user_get(struct pg_conn *c, const char *name, struct storage_user *u)
{
	struct params p = {0};
	PGresult *r;
	int rc;

	p_text(&p, name);
	if ((rc = one_row(c, Q_USER_GET, &p, &r)) != 0)
		return rc;
	row_to_user(r, 0, u);
	PQclear(r);
	return STORAGE_OK;
}

int
pg_user_list(struct pg_conn *c,
             void (*fn)(void *arg, const struct storage_user *u), void *arg)
{
	struct storage_user u;
	PGresult *r;
	int i;

	if ((r = run(c, Q_USER_LIST, NULL)) == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++) {
		row_to_user(r, i, &u);
		fn(arg, &u);
	}
	PQclear(r);
	return 0;
}

/* changed() of a statement keyed by a text (a user name) with one more
 * value. */
static enum storage_result
changed_text(struct pg_conn *c, enum q_id id, const char *key, const char *text,
             long long v)
{
	struct params p = {0};

	p_text(&p, key);
	if (text != NULL)
		p_text(&p, text);
	else
		p_ll(&p, v);
	return changed(c, id, &p);
}

enum storage_result
pg_user_set_hash(struct pg_conn *c, const char *name, const char *hash)
{
	return changed_text(c, Q_USER_SET_HASH, name, hash != NULL ? hash : "",
	                    0);
}

enum storage_result
pg_user_set_disabled(struct pg_conn *c, const char *name, int disabled)
{
	return changed_text(c, Q_USER_SET_DISABLED, name, NULL, disabled);
}

enum storage_result
pg_user_logged_in(struct pg_conn *c, const char *name, long long now)
{
	return changed_text(c, Q_USER_LOGIN, name, NULL, now);
}

int
pg_session_add(struct pg_conn *c, const unsigned char *hash, size_t len,
               const char *user, long long now, const char *ip_hash)
{
	struct params p = {0};

	p_bin(&p, hash, len);
	p_text(&p, user);
	p_ll(&p, now);
	p_text(&p, ip_hash);
	return changes(c, Q_SESSION_INSERT, &p) == 1 ? 0 : -1;
}

enum storage_result
pg_session_get(struct pg_conn *c, const unsigned char *hash, size_t len,
               struct storage_session *out)
{
	struct params p = {0};
	PGresult *r;
	int rc;

	p_bin(&p, hash, len);
	if ((rc = one_row(c, Q_SESSION_GET, &p, &r)) != 0)
		return rc;
	copy_txt(r, 0, 0, out->user, sizeof(out->user));
	copy_txt(r, 0, 1, out->role, sizeof(out->role));
	out->created_at = num(r, 0, 2);
	out->last_seen = num(r, 0, 3);
	out->disabled = num_int(r, 0, 4);
	PQclear(r);
	return STORAGE_OK;
}

enum storage_result
pg_session_touch(struct pg_conn *c, const unsigned char *hash, size_t len,
                 long long now)
{
	struct params p = {0};

	p_bin(&p, hash, len);
	p_ll(&p, now);
	return changed(c, Q_SESSION_TOUCH, &p);
}

enum storage_result
pg_session_delete(struct pg_conn *c, const unsigned char *hash, size_t len)
{
	struct params p = {0};

	p_bin(&p, hash, len);
	return changed(c, Q_SESSION_DELETE, &p);
}

int
pg_session_purge(struct pg_conn *c, long long idle_before,
                 long long created_before)
{
	struct params p = {0};

	p_ll(&p, idle_before);
	p_ll(&p, created_before);
	return changes(c, Q_SESSION_PURGE, &p);
}

int
pg_outbox_add(struct pg_conn *c, const char *site, const char *body,
              long long now)
{
	struct params p = {0};

	p_text(&p, site);
	p_text(&p, body);
	p_ll(&p, now);
	return changes(c, Q_OUTBOX_INSERT, &p) == 1 ? 0 : -1;
}

/* Outbox rows (id, site, body, attempts) of statement id through fn. */
static int
outbox_rows(struct pg_conn *c, enum q_id id, const struct params *p,
            void (*fn)(void *arg, long long id, const char *site,
                       const char *body, int attempts),
            void *arg)
{
	PGresult *r = run(c, id, p);
	int i;

	if (r == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++)
		fn(arg, num(r, i, 0), txt(r, i, 1), txt(r, i, 2),
		   num_int(r, i, 3));
	PQclear(r);
	return 0;
}

int
pg_outbox_due(struct pg_conn *c, long long now, int limit,
              void (*fn)(void *arg, long long id, const char *site,
                         const char *body, int attempts),
              void *arg)
{
	struct params p = {0};

	p_ll(&p, now);
	p_ll(&p, limit);
	return outbox_rows(c, Q_OUTBOX_DUE, &p, fn, arg);
}

int
pg_outbox_claim(struct pg_conn *c, long long now, long long lease_until,
                int limit,
                void (*fn)(void *arg, long long id, const char *site,
                           const char *body, int attempts),
                void *arg)
{
	struct params p = {0};

	p_ll(&p, now);
	p_ll(&p, limit);
	p_ll(&p, lease_until);
	return outbox_rows(c, Q_OUTBOX_CLAIM, &p, fn, arg);
}

enum storage_result
pg_outbox_retry(struct pg_conn *c, long long id, long long next_at,
                const char *error)
{
	struct params p = {0};

	p_ll(&p, id);
	p_ll(&p, next_at);
	p_text(&p, error);
	return changed(c, Q_OUTBOX_RETRY, &p);
}

enum storage_result
pg_outbox_delete(struct pg_conn *c, long long id)
{
	return changed_ll(c, Q_OUTBOX_DELETE, id);
}

enum storage_result
pg_oneclick_use(struct pg_conn *c, const unsigned char *nonce, size_t len,
                long long expires_at)
{
	struct params p = {0};
	int rc;

	nonce_params(&p, nonce, len, expires_at);
	rc = inserted(c, Q_ONECLICK_USE, &p);
	return rc < 0 ? STORAGE_ERROR : rc ? STORAGE_OK : STORAGE_CONFLICT;
}

/*
 * The keys as a PostgreSQL array literal, {"k1","k2"}, each element
 * quoted with '"' and '\' escaped, without the keys that are not UTF-8. A
 * malloc'd string, or NULL (no memory, or a size that would overflow).
 */
static char *
array_literal(const char *const *keys, size_t n)
{
	size_t cap = 3, i, o = 0;
	char *s;

	for (i = 0; i < n; i++) {
		size_t k = strlen(keys[i]);

		if (k > (SIZE_MAX - cap - 3) / 2)
			return NULL;
		cap += 2 * k + 3;
	}
	if ((s = malloc(cap)) == NULL)
		return NULL;
	s[o++] = '{';
	for (i = 0; i < n; i++) {
		const char *k;

		/* Not UTF-8: no article has it, and the server would refuse
		 * the whole array (SQLite's json_each() matches nothing). */
		if (!text_utf8_valid(keys[i], strlen(keys[i])))
			continue;
		if (s[o - 1] != '{')
			s[o++] = ',';
		s[o++] = '"';
		for (k = keys[i]; *k != '\0'; k++) {
			if (*k == '"' || *k == '\\')
				s[o++] = '\\';
			s[o++] = *k;
		}
		s[o++] = '"';
	}
	s[o++] = '}';
	s[o] = '\0';
	return s;
}

int
pg_counts(struct pg_conn *c, const char *site, const char *const *keys,
          size_t n,
          void (*fn)(void *arg, const char *key, long long views,
                     long long comments),
          void *arg)
{
	struct params p = {0};
	char *list;
	PGresult *r;
	int i;

	if (n > STORAGE_MAX_COUNT_KEYS) {
		log_warnx("storage_pg: counts: %zu keys, more than %d", n,
		          STORAGE_MAX_COUNT_KEYS);
		return -1;
	}
	if ((list = array_literal(keys, n)) == NULL) {
		log_warnx("storage_pg: counts: out of memory");
		return -1;
	}
	p_text(&p, site);
	p_text(&p, list);
	r = run(c, Q_COUNTS, &p);
	free(list);
	if (r == NULL)
		return -1;
	for (i = 0; i < PQntuples(r); i++)
		fn(arg, txt(r, i, 0), num(r, i, 1), num(r, i, 2));
	PQclear(r);
	return 0;
}

struct pg_readers *
pg_readers_new(const char *dsn, const char *password_file, size_t max)
{
	struct pg_readers *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->dsn = strdup(dsn);
	r->password_file = password_file != NULL ? strdup(password_file) : NULL;
	r->all = calloc(max > 0 ? max : 1, sizeof(*r->all));
	if (r->dsn == NULL || r->all == NULL ||
	    (password_file != NULL && r->password_file == NULL) ||
	    pthread_key_create(&r->key, NULL) != 0) {
		free(r->dsn);
		free(r->password_file);
		free(r->all);
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->max = max;
	return r;
}

struct pg_conn *
pg_readers_get(struct pg_readers *r)
{
	struct pg_conn *c = pthread_getspecific(r->key);
	char err[512];

	if (c != NULL)
		return c;
	pthread_mutex_lock(&r->lock);
	if (r->n == r->max)
		goto done;
	c = conn_new(r->dsn, r->password_file, 1, 0, err, sizeof(err));
	if (c == NULL) {
		log_warnx("storage_pg: cannot open a reader: %s", err);
		goto done;
	}
	r->all[r->n++] = c;
	pthread_setspecific(r->key, c);
done:
	pthread_mutex_unlock(&r->lock);
	return c;
}

void
pg_readers_free(struct pg_readers *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		pg_close(r->all[i]);
	pthread_key_delete(r->key);
	pthread_mutex_destroy(&r->lock);
	free(r->all);
	free(r->dsn);
	free(r->password_file);
	free(r);
}

enum storage_result
pg_import_comment(struct pg_conn *c, const struct storage_import_comment *cm,
                  long long *id)
{
	struct params p = {0};
	PGresult *r;
	long long parent = 0, root = 0;
	int rc,
	    linked = 0,
	    wants = cm->import_parent != NULL && cm->import_parent[0] != '\0';

	if (wants) {
		p_text(&p, cm->import_parent);
		p_ll(&p, cm->article_id);
		if ((rc = one_row(c, Q_IMPORT_PARENT, &p, &r)) < 0)
			return STORAGE_ERROR;
		if (rc == 0) {
			parent = num(r, 0, 0);
			root = num(r, 0, 1);
			linked = 1;
			PQclear(r);
		}
		p.n = 0;
	}
	p_ll(&p, cm->article_id);
	if (linked) {
		p_ll(&p, parent);
		p_ll(&p, root);
	} else {
		p_null(&p);
		p_null(&p);
	}
	p_ll(&p, cm->status);
	p_text(&p, cm->name);
	p_text(&p, cm->email);
	p_text(&p, cm->body);
	p_bin(&p, cm->body_hash, sizeof(cm->body_hash));
	p_ll(&p, cm->created_at);
	p_text(&p, cm->search);
	p_text(&p, cm->import_id);
	/* The parent's id, until the last step, only if it is not here yet. */
	if (!linked && wants)
		p_text(&p, cm->import_parent);
	else
		p_null(&p);
	if ((rc = one_row(c, Q_IMPORT_INSERT, &p, &r)) != 0)
		return rc < 0 ? STORAGE_ERROR : STORAGE_EXISTS;
	*id = num(r, 0, 0);
	PQclear(r);
	return STORAGE_OK;
}

int
pg_import_link(struct pg_conn *c, const char *prefix, long long *linked,
               long long *orphans)
{
	struct params p = {0};
	int n;

	p_text(&p, prefix);
	if ((n = changes(c, Q_IMPORT_LINK, &p)) < 0)
		return -1;
	*linked = n;
	if ((n = changes(c, Q_IMPORT_UNLINKED, &p)) < 0)
		return -1;
	*orphans = n;
	return 0;
}
