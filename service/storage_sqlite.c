/*
 * storage_sqlite.c: the SQLite engine behind the engine-neutral API of
 * storage.h. This is the only file that includes <sqlite3.h>; its
 * migrations are db/sqlite/NNNN_name.sql, embedded into the binary.
 *
 * Every statement is constant SQL in the table below, prepared once per
 * connection on first use, then bound, stepped, reset and cleared.
 *
 * The functions below repeat one shape on purpose (stmt(), the binds in
 * parameter order, step, read the columns, done_stmt()): each is the
 * whole of one storage.h function, so its binds sit next to their SQL's
 * ?N and its columns next to the struct they fill. A generic binder
 * driven by a format string would hide exactly that (`duplicates` counts
 * these as same-shape runs).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "embed.h"
#include "log.h"
#include "metrics.h"
#include "migration.h"
#include "storage.h"

enum stmt_id {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_PING,
	ST_DATA_VERSION,
	ST_ARTICLE_UPSERT,
	ST_ARTICLE_GET,
	ST_COMMENT_NEXT_ID,
	ST_SPENT_INSERT,
	ST_SPENT_PURGE,
	ST_SPENT_LOAD,
	ST_COMMENT_INSERT,
	ST_COMMENT_DUP,
	ST_COMMENT_PARENT,
	ST_COMMENT_TOP,
	ST_COMMENT_TOP_DESC,
	ST_COMMENT_REPLIES,
	ST_COMMENT_COUNT,
	ST_COMMENT_COUNT_TOP,
	ST_COMMENT_GET,
	ST_BAN_MATCH,
	ST_ADM_LIST_DESC,
	ST_ADM_LIST_ASC,
	ST_ADM_GET,
	ST_ADM_HISTORY,
	ST_ADM_SET_STATUS,
	ST_ADM_EDIT,
	ST_ADM_REPLY,
	ST_ADM_DELETE,
	ST_ADM_STATUS_OF,
	ST_AUDIT_INSERT,
	ST_AUDIT_LIST,
	ST_BAN_LIST,
	ST_BAN_INSERT,
	ST_BAN_DELETE,
	ST_BAN_GET,
	ST_STATS_GROUP,
	ST_STATS_TODAY,
	ST_STATS_OLDEST,
	ST_USER_INSERT,
	ST_USER_GET,
	ST_USER_LIST,
	ST_USER_SET_HASH,
	ST_USER_SET_DISABLED,
	ST_USER_LOGIN,
	ST_SESSION_INSERT,
	ST_SESSION_GET,
	ST_SESSION_TOUCH,
	ST_SESSION_DELETE,
	ST_SESSION_PURGE,
	ST_OUTBOX_INSERT,
	ST_OUTBOX_DUE,
	ST_OUTBOX_RETRY,
	ST_OUTBOX_DELETE,
	ST_ONECLICK_USE,
	ST_COUNTS,
	ST_VIEWS_GET,
	ST_VIEWS_ADD,
	ST_VIEWS_DAY_ADD,
	ST_VIEWS_TOP_ALL,
	ST_VIEWS_TOP_SINCE,
	ST_IMPORT_PARENT,
	ST_IMPORT_INSERT,
	ST_IMPORT_LINK,
	ST_IMPORT_UNLINKED,
	ST_COUNT
};

const struct storage_flag storage_flags[STORAGE_NFLAGS] = {
    {"watched", STORAGE_FLAG_WATCHED},
    {"links", STORAGE_FLAG_LINKS},
    {"honeypot", STORAGE_FLAG_HONEYPOT},
    {"banned", STORAGE_FLAG_BANNED},
    {"blocked", STORAGE_FLAG_BLOCKED}};

/* The moderators' view of a comment, and its filters. */
#define ADM_COLS                                                               \
	"SELECT c.id, a.site, a.key, a.title, a.url, c.parent_id, "            \
	"(SELECT substr(p.body, 1, 160) FROM comment p WHERE p.id = "          \
	"c.parent_id), c.name, c.email, c.body, c.status, c.flags, "           \
	"c.ip_hash, c.user_agent, c.created_at, c.updated_at, c.reply_name, "  \
	"c.reply_body, c.reply_at FROM comment c JOIN article a ON "           \
	"a.id = c.article_id "
#define ADM_WHERE                                                              \
	"WHERE (?1 < 0 OR c.status = ?1) AND (?2 = '' OR a.site = ?2) "        \
	"AND (?3 = '' OR a.key = ?3) AND (?4 = '' OR instr(c.search, ?4) > "   \
	"0) "                                                                  \
	"AND (?5 = 0 OR (c.flags & ?5) <> 0) "

static const char *const sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVEPOINT] = "SAVEPOINT job",
    [ST_RELEASE] = "RELEASE job",
    [ST_ROLLBACK_TO] = "ROLLBACK TO job",
    [ST_PING] = "SELECT 1",
    [ST_DATA_VERSION] = "PRAGMA data_version",
    [ST_ARTICLE_UPSERT] =
        "INSERT INTO article (site, key, title, url, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT (site, key) DO UPDATE SET "
        "title = CASE WHEN excluded.title <> '' THEN excluded.title "
        "ELSE article.title END, "
        "url = CASE WHEN excluded.url <> '' THEN excluded.url "
        "ELSE article.url END "
        "RETURNING id",
    [ST_ARTICLE_GET] = "SELECT id, site, key, title, url, created_at "
                       "FROM article WHERE site = ?1 AND key = ?2",
    [ST_COMMENT_NEXT_ID] = "SELECT COALESCE(MAX(id), 0) + 1 FROM comment",
    [ST_SPENT_INSERT] = "INSERT INTO captcha_spent_log (nonce, "
                        "expires_at) VALUES (?1, ?2)",
    [ST_SPENT_PURGE] = "DELETE FROM captcha_spent_log WHERE expires_at <= ?1",
    [ST_COMMENT_INSERT] =
        "INSERT INTO comment (article_id, parent_id, root_id, status, name, "
        "email, body, body_hash, ip_hash, user_agent, flags, created_at, "
        "updated_at, search) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
        "?11, "
        "?12, ?12, ?13)",
    [ST_COMMENT_DUP] = "SELECT 1 FROM comment WHERE article_id = ?1 AND "
                       "body_hash = ?2 AND created_at > ?3 LIMIT 1",
    [ST_COMMENT_PARENT] = "SELECT article_id, status, root_id FROM comment "
                          "WHERE id = ?1",
    [ST_COMMENT_TOP] =
        "SELECT c.id, c.parent_id, c.name, c.body, c.created_at, "
        "c.reply_name, c.reply_body, c.reply_at, c.root_id "
        "FROM comment c JOIN article a ON a.id = c.article_id "
        "WHERE a.site = ?1 AND a.key = ?2 AND c.status = 1 AND "
        "c.root_id IS NULL ORDER BY c.id LIMIT ?3 OFFSET ?4",
    [ST_COMMENT_TOP_DESC] =
        "SELECT c.id, c.parent_id, c.name, c.body, c.created_at, "
        "c.reply_name, c.reply_body, c.reply_at, c.root_id "
        "FROM comment c JOIN article a ON a.id = c.article_id "
        "WHERE a.site = ?1 AND a.key = ?2 AND c.status = 1 AND "
        "c.root_id IS NULL ORDER BY c.id DESC LIMIT ?3 OFFSET ?4",
    [ST_COMMENT_REPLIES] =
        "SELECT c.id, c.parent_id, c.name, c.body, c.created_at, "
        "c.reply_name, c.reply_body, c.reply_at, c.root_id "
        "FROM comment c JOIN article a ON a.id = c.article_id "
        "WHERE a.site = ?1 AND a.key = ?2 AND c.status = 1 AND "
        "c.root_id BETWEEN ?3 AND ?4 ORDER BY c.id",
    [ST_COMMENT_COUNT] = "SELECT comments FROM article WHERE site = ?1 AND "
                         "key = ?2",
    [ST_COMMENT_COUNT_TOP] = "SELECT threads FROM article WHERE site = ?1 "
                             "AND key = ?2",
    [ST_COMMENT_GET] = "SELECT id, status, name, body FROM comment "
                       "WHERE id = ?1",
    /* An e-mail ban matches the address as written (older rows kept
     * an IDN domain as typed) or its key (text_email_key()); a ban
     * with a site only there. */
    [ST_BAN_MATCH] = "SELECT 1 FROM ban WHERE ((kind = 'ip' AND value = ?1) "
                     "OR (kind = 'email' AND ?2 <> '' AND "
                     "lower(trim(value)) IN (lower(trim(?2)), ?4))) AND "
                     "(site IS NULL OR site = ?5) AND "
                     "(expires_at IS NULL OR expires_at > ?3) LIMIT 1",
    [ST_ADM_LIST_DESC] =
        ADM_COLS ADM_WHERE "AND c.id < ?6 ORDER BY c.id DESC LIMIT ?7",
    [ST_ADM_LIST_ASC] =
        ADM_COLS ADM_WHERE "AND c.id > ?6 ORDER BY c.id LIMIT ?7",
    [ST_ADM_GET] = ADM_COLS "WHERE c.id = ?1",
    [ST_ADM_HISTORY] = "SELECT action, user, at FROM audit WHERE "
                       "comment_id = ?1 ORDER BY id",
    [ST_ADM_SET_STATUS] = "UPDATE comment SET status = ?2, updated_at = ?3 "
                          "WHERE id = ?1",
    [ST_ADM_EDIT] = "UPDATE comment SET name = ?2, body = ?3, search = ?4, "
                    "updated_at = ?5 WHERE id = ?1",
    [ST_ADM_REPLY] = "UPDATE comment SET reply_name = ?2, reply_body = ?3, "
                     "reply_at = ?4, updated_at = ?4 WHERE id = ?1",
    [ST_ADM_DELETE] = "DELETE FROM comment WHERE id = ?1",
    [ST_ADM_STATUS_OF] = "SELECT status, ip_hash, name, body, email "
                         "FROM comment WHERE id = ?1",
    [ST_AUDIT_INSERT] = "INSERT INTO audit (at, user, action, comment_id, "
                        "ip_hash, before, after, detail) VALUES (?1, ?2, ?3, "
                        "?4, ?5, ?6, ?7, ?8)",
    [ST_AUDIT_LIST] = "SELECT id, at, user, action, comment_id, ip_hash, "
                      "before, after, detail FROM audit WHERE id < ?1 ORDER "
                      "BY id DESC LIMIT ?2",
    [ST_BAN_LIST] = "SELECT id, kind, value, reason, expires_at, "
                    "created_at, created_by, site FROM ban ORDER BY id DESC "
                    "LIMIT 1000",
    /* E-mail addresses are kept trimmed and in lower case (ASCII, as
     * SQLite's lower() does), and matched so: a ban on Spam@Example.vn
     * stops spam@example.vn. */
    [ST_BAN_INSERT] = "INSERT INTO ban (kind, value, reason, expires_at, "
                      "created_at, created_by, site) VALUES (?1, CASE WHEN "
                      "?1 = 'email' THEN lower(trim(?2)) ELSE ?2 END, ?3, "
                      "?4, ?5, ?6, NULLIF(?7, ''))",
    [ST_BAN_DELETE] = "DELETE FROM ban WHERE id = ?1",
    [ST_BAN_GET] = "SELECT id, kind, value, reason, expires_at, created_at, "
                   "created_by, site FROM ban WHERE id = ?1",
    [ST_STATS_GROUP] = "SELECT a.site, c.status, count(*) FROM comment c "
                       "JOIN article a ON a.id = c.article_id GROUP BY 1, 2",
    [ST_STATS_TODAY] = "SELECT count(*) FROM comment WHERE created_at >= ?1",
    [ST_STATS_OLDEST] = "SELECT min(created_at) FROM comment WHERE "
                        "status = 0",
    [ST_USER_INSERT] = "INSERT INTO user (name, role, hash, created_at) "
                       "VALUES (?1, ?2, ?3, ?4)",
    [ST_USER_GET] = "SELECT name, role, hash, disabled, created_at, "
                    "last_login FROM user WHERE name = ?1",
    [ST_USER_LIST] = "SELECT name, role, hash, disabled, created_at, "
                     "last_login FROM user ORDER BY name",
    [ST_USER_SET_HASH] = "UPDATE user SET hash = ?2 WHERE name = ?1",
    [ST_USER_SET_DISABLED] = "UPDATE user SET disabled = ?2 WHERE name = ?1",
    [ST_USER_LOGIN] = "UPDATE user SET last_login = ?2 WHERE name = ?1",
    [ST_SESSION_INSERT] = "INSERT INTO session (hash, user, created_at, "
                          "last_seen, ip_hash) VALUES (?1, ?2, ?3, ?3, ?4)",
    [ST_SESSION_GET] = "SELECT s.user, u.role, s.created_at, s.last_seen, "
                       "u.disabled FROM session s JOIN user u ON "
                       "u.name = s.user WHERE s.hash = ?1",
    [ST_SESSION_TOUCH] = "UPDATE session SET last_seen = ?2 WHERE hash = ?1",
    [ST_SESSION_DELETE] = "DELETE FROM session WHERE hash = ?1",
    [ST_SESSION_PURGE] = "DELETE FROM session WHERE last_seen < ?1 OR "
                         "created_at < ?2",
    [ST_OUTBOX_INSERT] = "INSERT INTO outbox (site, body, next_at, "
                         "created_at) VALUES (?1, ?2, ?3, ?3)",
    [ST_OUTBOX_DUE] = "SELECT id, site, body, attempts FROM outbox WHERE "
                      "next_at <= ?1 ORDER BY next_at, id LIMIT ?2",
    [ST_OUTBOX_RETRY] = "UPDATE outbox SET attempts = attempts + 1, "
                        "next_at = ?2, last_error = ?3 WHERE id = ?1",
    [ST_OUTBOX_DELETE] = "DELETE FROM outbox WHERE id = ?1",
    [ST_ONECLICK_USE] = "INSERT INTO oneclick_used (nonce, expires_at) "
                        "VALUES (?1, ?2)",
    [ST_COUNTS] = "SELECT a.key, a.views, a.comments FROM article a "
                  "WHERE a.site = ?1 AND a.key IN (SELECT value FROM "
                  "json_each(?2))",
    [ST_VIEWS_GET] = "SELECT views FROM article WHERE site = ?1 AND key = ?2",
    [ST_VIEWS_ADD] = "UPDATE article SET views = views + ?2 WHERE id = ?1",
    [ST_VIEWS_DAY_ADD] =
        "INSERT INTO view_day (article_id, day, views) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (article_id, day) DO UPDATE SET "
        "views = views + excluded.views",
    [ST_VIEWS_TOP_ALL] = "SELECT key, title, url, views FROM article "
                         "WHERE site = ?1 AND views > 0 "
                         "ORDER BY views DESC, id LIMIT ?2",
    [ST_VIEWS_TOP_SINCE] =
        "SELECT a.key, a.title, a.url, SUM(d.views) AS v "
        "FROM view_day d JOIN article a ON a.id = d.article_id "
        "WHERE a.site = ?1 AND d.day >= ?2 "
        "GROUP BY d.article_id ORDER BY v DESC, a.id LIMIT ?3",
    [ST_SPENT_LOAD] = "SELECT nonce, expires_at FROM captcha_spent_log "
                      "WHERE expires_at > ?1",
    /* Imports (docs/import.md): the parent by its import_id, the insert
     * that an earlier import of the same comment makes a no-op, and the
     * last step, which links replies whose parent came later in the file
     * (never to themselves or to a reply of theirs). */
    [ST_IMPORT_PARENT] = "SELECT id, COALESCE(root_id, id) FROM comment "
                         "WHERE import_id = ?1 AND article_id = ?2",
    [ST_IMPORT_INSERT] =
        "INSERT INTO comment (article_id, parent_id, root_id, status, name, "
        "email, body, body_hash, ip_hash, user_agent, flags, created_at, "
        "updated_at, search, import_id, import_parent) VALUES (?1, ?2, ?3, "
        "?4, ?5, ?6, ?7, ?8, '', '', 0, ?9, ?9, ?10, ?11, ?12) "
        "ON CONFLICT (import_id) WHERE import_id IS NOT NULL DO NOTHING",
    [ST_IMPORT_LINK] =
        "UPDATE comment AS c SET parent_id = p.id, root_id = "
        "COALESCE(p.root_id, p.id), import_parent = NULL FROM comment AS p "
        "WHERE c.import_parent IS NOT NULL AND substr(c.import_id, 1, "
        "length(?1)) = ?1 AND p.import_id = c.import_parent AND "
        "p.article_id = c.article_id AND p.id <> c.id AND "
        "COALESCE(p.root_id, 0) <> c.id",
    [ST_IMPORT_UNLINKED] =
        "UPDATE comment SET import_parent = NULL WHERE import_parent IS NOT "
        "NULL AND substr(import_id, 1, length(?1)) = ?1",
};

struct storage {
	sqlite3 *db;
	sqlite3_stmt *stmt[ST_COUNT];
};

struct storage_readers {
	pthread_mutex_t lock;
	pthread_key_t key;
	char *path;
	int busy_timeout_ms;
	size_t max, n;
	struct storage **all;
};

/* Returns the prepared statement id, preparing it on first use. */
static sqlite3_stmt *
stmt(struct storage *st, enum stmt_id id)
{
	if (st->stmt[id] == NULL &&
	    sqlite3_prepare_v3(st->db, sql[id], -1, SQLITE_PREPARE_PERSISTENT,
	                       &st->stmt[id], NULL) != SQLITE_OK) {
		log_warnx("storage: prepare %d: %s", (int)id,
		          sqlite3_errmsg(st->db));
		return NULL;
	}
	return st->stmt[id];
}

static void
done_stmt(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Runs a statement that returns no rows. 0 / -1. */
static int
exec_id(struct storage *st, enum stmt_id id)
{
	sqlite3_stmt *s = stmt(st, id);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	done_stmt(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		log_warnx("storage: %s: %s", sql[id], sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

static void
copy_col(sqlite3_stmt *s, int col, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	size_t n = t != NULL ? (size_t)sqlite3_column_bytes(s, col) : 0;

	if (n > outsz - 1)
		n = outsz - 1;
	if (n > 0)
		memcpy(out, t, n);
	out[n] = '\0';
}

/*
 * The defensive settings of every connection: SQLITE_DBCONFIG_DEFENSIVE,
 * no trusted schema, the busy timeout, foreign keys; and of a read-write
 * one WAL and synchronous=FULL. 0 / -1.
 */
static int
apply_settings(sqlite3 *db, int busy_timeout_ms, int readonly)
{
	int on = 1;

	if (sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(db, busy_timeout_ms);
	if (readonly)
		return sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL,
		                    NULL) == SQLITE_OK
		           ? 0
		           : -1;
	if (sqlite3_exec(
	        db,
	        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
	        "PRAGMA foreign_keys = ON;",
	        NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	return 0;
}

int
storage_schema_latest(void)
{
	return migration_latest("db/sqlite/");
}

/* Applies every migration above the database's user_version in one
 * transaction. 0 / -1 with err set. */
static int
migrate(sqlite3 *db, char *err, size_t errsz)
{
	sqlite3_stmt *s = NULL;
	int version, latest = storage_schema_latest(), v, ret = -1;
	char *msg = NULL, pragma[64];

	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "cannot lock the database: %s",
		         sqlite3_errmsg(db));
		return -1;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) !=
	        SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		snprintf(err, errsz, "cannot read the schema version: %s",
		         sqlite3_errmsg(db));
		goto done;
	}
	version = sqlite3_column_int(s, 0);
	/* An unfinished statement would make DROP TABLE fail (locked). */
	sqlite3_reset(s);
	if (version > latest) {
		snprintf(err, errsz,
		         "the database has schema version %d but this bandocd "
		         "knows only up to %d: use a newer bandocd",
		         version, latest);
		goto done;
	}
	for (v = version + 1; v <= latest; v++) {
		const struct embed_file *f = migration_find("db/sqlite/", v);
		char *text;

		if ((text = migration_text(f)) == NULL) {
			snprintf(err, errsz, "out of memory");
			goto done;
		}
		if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK) {
			snprintf(err, errsz, "migration %s failed: %s", f->name,
			         msg != NULL ? msg : "?");
			free(text);
			goto done;
		}
		free(text);
		log_info("storage: applied migration %s", f->name);
	}
	/* Up to date (every start but the first, and the upkeep's
	 * connection): nothing to write, so no commit to fsync. */
	snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", latest);
	if ((version < latest &&
	     sqlite3_exec(db, pragma, NULL, NULL, NULL) != SQLITE_OK) ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "cannot commit migrations: %s",
		         sqlite3_errmsg(db));
		goto done;
	}
	ret = 0;
done:
	sqlite3_finalize(s);
	sqlite3_free(msg);
	if (ret != 0)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return ret;
}

/*
 * A database holds e-mail addresses and address hashes: a new one is
 * made 0600 here, whatever the umask (SQLite would make it 0644 less the
 * umask), and SQLite gives its -wal and -shm files the database's mode.
 * exclusive: the file must not exist yet.  An existing file that others
 * may read is used, with a warning.  STORAGE_OK, or STORAGE_EXISTS (only
 * when exclusive) or STORAGE_ERROR with err set.
 */
static enum storage_result
private_file(const char *path, int exclusive, char *err, size_t errsz)
{
	struct stat sb;
	int fd;

	if (path[0] == '\0' || path[0] == ':' || strncmp(path, "file:", 5) == 0)
		return STORAGE_OK; /* in memory, temporary, a URI: not ours */
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	          0600);
	if (fd >= 0) {
		if (fchmod(fd, 0600) != 0) {
			snprintf(err, errsz, "cannot chmod %s: %s", path,
			         strerror(errno));
			close(fd);
			return STORAGE_ERROR;
		}
		close(fd);
		return STORAGE_OK;
	}
	if (errno == EEXIST && exclusive) {
		snprintf(err, errsz, "%s exists; refusing to overwrite", path);
		return STORAGE_EXISTS;
	}
	if (errno != EEXIST) {
		snprintf(err, errsz, "cannot create %s: %s", path,
		         strerror(errno));
		return STORAGE_ERROR;
	}
	if (stat(path, &sb) == 0 && (sb.st_mode & 077) != 0)
		log_warnx(
		    "%s may be read by group or others (chmod 600 it, and "
		    "its -wal and -shm files)",
		    path);
	return STORAGE_OK;
}

/* Refuses a conf this engine cannot open. 0, or -1 with err set. */
static int
conf_ok(const struct storage_conf *conf, char *err, size_t errsz)
{
	if (conf->engine != STORAGE_SQLITE) {
		snprintf(err, errsz, "this bandocd has no database engine %d",
		         (int)conf->engine);
		return -1;
	}
	if (conf->path == NULL) {
		snprintf(err, errsz, "no database file");
		return -1;
	}
	return 0;
}

struct storage *
storage_open(const struct storage_conf *conf, char *err, size_t errsz)
{
	struct storage *st = NULL;
	const char *path = conf->path;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	            SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;

	if (conf_ok(conf, err, errsz) != 0)
		return NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if (private_file(path, 0, err, errsz) != STORAGE_OK)
		goto fail;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "cannot open %s: %s", path,
		         st->db != NULL ? sqlite3_errmsg(st->db)
		                        : "out of memory");
		goto fail;
	}
	if (apply_settings(st->db, conf->busy_timeout_ms, 0) != 0) {
		snprintf(err, errsz, "cannot configure %s: %s", path,
		         sqlite3_errmsg(st->db));
		goto fail;
	}
	if (migrate(st->db, err, errsz) != 0)
		goto fail;
	return st;
fail:
	storage_close(st);
	return NULL;
}

void
storage_close(struct storage *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	free(st);
}

int
storage_schema_version(struct storage *st)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) ==
	        SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

int
storage_ping(struct storage *st)
{
	sqlite3_stmt *s = stmt(st, ST_PING);
	int rc;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	done_stmt(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* PRAGMA data_version is already what storage.h calls a generation. */
int
storage_generation(struct storage *st, unsigned long long *gen)
{
	sqlite3_stmt *s = stmt(st, ST_DATA_VERSION);
	int ret = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*gen = (unsigned long long)sqlite3_column_int64(s, 0);
		ret = 0;
	}
	done_stmt(s);
	return ret;
}

/* Transactions: one named function per statement, on purpose (callers
 * never see statement ids; storage.h is the engine-neutral contract). */
int
storage_begin(struct storage *st)
{
	return exec_id(st, ST_BEGIN);
}

int
storage_commit(struct storage *st)
{
	return exec_id(st, ST_COMMIT);
}

int
storage_rollback(struct storage *st)
{
	return exec_id(st, ST_ROLLBACK);
}

int
storage_savepoint(struct storage *st)
{
	return exec_id(st, ST_SAVEPOINT);
}

int
storage_release(struct storage *st)
{
	return exec_id(st, ST_RELEASE);
}

int
storage_rollback_to(struct storage *st)
{
	/* ROLLBACK TO keeps the savepoint open; release it too. */
	if (exec_id(st, ST_ROLLBACK_TO) != 0)
		return -1;
	return exec_id(st, ST_RELEASE);
}

/*
 * The upkeep of an SQLite database: most of the WAL checkpointing, off
 * the writer. SQLite checkpoints after the commit of whichever group made
 * the WAL cross 1,000 pages, copying them all into the database and
 * fsyncing it while that group's requests wait (15-100 ms under load).
 * This thread runs a PASSIVE checkpoint on its own read-write connection
 * every WAL_CHECKPOINT_MS, which never blocks the writer or the readers;
 * the writer's own checkpoint then finds little left to copy and still
 * rewinds the WAL, so it cannot grow without bound (a checkpointer alone
 * never catches up with continuous writes, and forcing it with RESTART
 * stalled the writer up to 640 ms). Each checkpoint done counts in
 * bandoc_wal_checkpoints_total.
 */
struct storage_maintenance {
	struct storage *st;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stopping;
	struct metrics_counter *m_checkpoints;
};

/* Copies into the database what no reader still needs, never waits. 0
 * done, 1 busy (try later), -1 error. */
static int
checkpoint(struct storage *st)
{
	int rc = sqlite3_wal_checkpoint_v2(
	    st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

	if (rc == SQLITE_OK)
		return 0;
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ? 1
	                                                                  : -1;
}

static void *
maintenance_loop(void *arg)
{
	struct storage_maintenance *m = arg;
	int failing = 0, rc;

	pthread_mutex_lock(&m->lock);
	while (!m->stopping) {
		struct timespec ts;
		long ns;

		clock_gettime(CLOCK_REALTIME, &ts);
		ns = ts.tv_nsec + WAL_CHECKPOINT_MS * 1000000L;
		ts.tv_sec += (time_t)(ns / 1000000000L);
		ts.tv_nsec = ns % 1000000000L;
		if (pthread_cond_timedwait(&m->cond, &m->lock, &ts) !=
		        ETIMEDOUT ||
		    m->stopping)
			continue;
		pthread_mutex_unlock(&m->lock);
		if ((rc = checkpoint(m->st)) == 0)
			metrics_add(m->m_checkpoints, 1);
		/* Say it once when it starts and stops failing (a full disk
		 * or a lock held by another process would flood the log). */
		if (rc < 0 && !failing)
			log_warnx(
			    "storage: WAL checkpoints are failing; the WAL "
			    "file grows until they succeed");
		else if (rc >= 0 && failing)
			log_info("storage: WAL checkpoints succeed again");
		failing = rc < 0;
		pthread_mutex_lock(&m->lock);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

struct storage_maintenance *
storage_maintenance_start(const struct storage_conf *conf, char *err,
                          size_t errsz)
{
	struct storage_maintenance *m;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	if ((m->st = storage_open(conf, err, errsz)) == NULL) {
		free(m);
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->cond, NULL);
	m->m_checkpoints = metrics_counter_new(
	    "bandoc_wal_checkpoints_total",
	    "WAL checkpoints run by the storage upkeep thread.");
	if (pthread_create(&m->thread, NULL, maintenance_loop, m) != 0) {
		snprintf(err, errsz, "cannot start the upkeep thread");
		pthread_cond_destroy(&m->cond);
		pthread_mutex_destroy(&m->lock);
		storage_close(m->st);
		free(m);
		return NULL;
	}
	return m;
}

/* The stop of every thread of ours (webhook.c), written out on purpose
 * next to the loop that reads the flag. */
void
storage_maintenance_stop(struct storage_maintenance *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->stopping = 1;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	storage_close(m->st);
	free(m);
}

enum storage_result
storage_backup(const struct storage_conf *conf, const char *dst_path, char *err,
               size_t errsz)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b = NULL;
	const char *src_path = conf->path;
	enum storage_result ret = STORAGE_ERROR;
	int rc;

	if (conf_ok(conf, err, errsz) != 0)
		return STORAGE_ERROR;
	if ((ret = private_file(dst_path, 1, err, errsz)) != STORAGE_OK)
		return ret;
	ret = STORAGE_ERROR;
	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "cannot open %s: %s", src_path,
		         src != NULL ? sqlite3_errmsg(src) : "out of memory");
		goto done;
	}
	sqlite3_busy_timeout(src, conf->busy_timeout_ms);
	if (sqlite3_open_v2(dst_path, &dst,
	                    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
	                    NULL) != SQLITE_OK) {
		snprintf(err, errsz, "cannot create %s: %s", dst_path,
		         dst != NULL ? sqlite3_errmsg(dst) : "out of memory");
		goto done;
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		snprintf(err, errsz, "backup: %s", sqlite3_errmsg(dst));
		goto done;
	}
	/* Copy in steps so writers are blocked only briefly; a write to
	 * the source restarts the copy, which is what we want. */
	do {
		rc = sqlite3_backup_step(b, 256);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(10);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "backup: %s", sqlite3_errstr(rc));
		goto done;
	}
	ret = STORAGE_OK;
done:
	if (b != NULL && sqlite3_backup_finish(b) != SQLITE_OK &&
	    ret == STORAGE_OK) {
		snprintf(err, errsz, "backup: %s", sqlite3_errmsg(dst));
		ret = STORAGE_ERROR;
	}
	sqlite3_close(dst);
	sqlite3_close(src);
	if (ret != STORAGE_OK)
		unlink(dst_path);
	return ret;
}

static void
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v != NULL ? v : "", -1, SQLITE_STATIC);
}

int
storage_article_upsert(struct storage *st, const char *site, const char *key,
                       const char *title, const char *url, long long now,
                       long long *id)
{
	sqlite3_stmt *s = stmt(st, ST_ARTICLE_UPSERT);
	int ret = -1;

	if (s == NULL)
		return -1;
	bind_text(s, 1, site);
	bind_text(s, 2, key);
	bind_text(s, 3, title);
	bind_text(s, 4, url);
	sqlite3_bind_int64(s, 5, now);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		ret = 0;
	} else
		log_warnx("storage: article upsert: %s",
		          sqlite3_errmsg(st->db));
	done_stmt(s);
	return ret;
}

enum storage_result
storage_article_get(struct storage *st, const char *site, const char *key,
                    struct storage_article *out)
{
	sqlite3_stmt *s = stmt(st, ST_ARTICLE_GET);
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	bind_text(s, 1, site);
	bind_text(s, 2, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(s, 0);
		copy_col(s, 1, out->site, sizeof(out->site));
		copy_col(s, 2, out->key, sizeof(out->key));
		copy_col(s, 3, out->title, sizeof(out->title));
		copy_col(s, 4, out->url, sizeof(out->url));
		out->created_at = sqlite3_column_int64(s, 5);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	else
		log_warnx("storage: article get: %s", sqlite3_errmsg(st->db));
	done_stmt(s);
	return ret;
}

struct storage_readers *
storage_readers_new(const struct storage_conf *conf, size_t max)
{
	struct storage_readers *r;
	char err[128];
	size_t n;

	if (conf_ok(conf, err, sizeof(err)) != 0) {
		log_warnx("storage: %s", err);
		return NULL;
	}
	n = strlen(conf->path) + 1;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->path = malloc(n);
	r->all = calloc(max, sizeof(*r->all));
	if (r->path == NULL || r->all == NULL ||
	    pthread_key_create(&r->key, NULL) != 0) {
		free(r->path);
		free(r->all);
		free(r);
		return NULL;
	}
	memcpy(r->path, conf->path, n);
	pthread_mutex_init(&r->lock, NULL);
	r->busy_timeout_ms = conf->busy_timeout_ms;
	r->max = max;
	return r;
}

struct storage *
storage_readers_get(struct storage_readers *r)
{
	struct storage *st = pthread_getspecific(r->key);

	if (st != NULL)
		return st;
	pthread_mutex_lock(&r->lock);
	if (r->n == r->max)
		goto done;
	if ((st = calloc(1, sizeof(*st))) == NULL)
		goto done;
	if (sqlite3_open_v2(r->path, &st->db,
	                    SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
	                    NULL) != SQLITE_OK ||
	    apply_settings(st->db, r->busy_timeout_ms, 1) != 0) {
		log_warnx("storage: cannot open a reader: %s",
		          st->db != NULL ? sqlite3_errmsg(st->db)
		                         : "out of memory");
		storage_close(st);
		st = NULL;
		goto done;
	}
	r->all[r->n++] = st;
	pthread_setspecific(r->key, st);
done:
	pthread_mutex_unlock(&r->lock);
	return st;
}

void
storage_readers_free(struct storage_readers *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		storage_close(r->all[i]);
	pthread_key_delete(r->key);
	pthread_mutex_destroy(&r->lock);
	free(r->all);
	free(r->path);
	free(r);
}

int
storage_spent_insert(struct storage *st, const unsigned char *nonce, size_t len,
                     long long expires_at)
{
	sqlite3_stmt *s = stmt(st, ST_SPENT_INSERT);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, nonce, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, expires_at);
	rc = sqlite3_step(s);
	done_stmt(s);
	if (rc != SQLITE_DONE) {
		log_warnx("storage: spent insert: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

int
storage_spent_purge(struct storage *st, long long now)
{
	sqlite3_stmt *s = stmt(st, ST_SPENT_PURGE);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	rc = sqlite3_step(s);
	done_stmt(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
storage_spent_load(struct storage *st, long long now,
                   int (*fn)(void *arg, const unsigned char *nonce, size_t len,
                             long long expires_at),
                   void *arg)
{
	sqlite3_stmt *s = stmt(st, ST_SPENT_LOAD);
	int rc, ret = 0;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (fn(arg, sqlite3_column_blob(s, 0),
		       (size_t)sqlite3_column_bytes(s, 0),
		       sqlite3_column_int64(s, 1)) != 0) {
			ret = -1;
			break;
		}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		ret = -1;
	done_stmt(s);
	return ret;
}

/*
 * One integer column of the article (site, key) through statement id:
 * 0 with *out set, 1 when there is no such article (*out 0), -1 on error.
 */
static int
article_int(struct storage *st, enum stmt_id id, const char *site,
            const char *key, long long *out)
{
	sqlite3_stmt *s = stmt(st, id);
	int rc, ret = -1;

	*out = 0;
	if (s == NULL)
		return -1;
	bind_text(s, 1, site);
	bind_text(s, 2, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	done_stmt(s);
	return ret;
}

enum storage_result
storage_views_get(struct storage *st, const char *site, const char *key,
                  long long *views)
{
	return article_int(st, ST_VIEWS_GET, site, key, views);
}

int
storage_views_add(struct storage *st, long long article_id, long long day,
                  long long delta)
{
	sqlite3_stmt *s = stmt(st, ST_VIEWS_ADD), *d;
	int rc;

	if (s == NULL || (d = stmt(st, ST_VIEWS_DAY_ADD)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, article_id);
	sqlite3_bind_int64(s, 2, delta);
	rc = sqlite3_step(s);
	done_stmt(s);
	if (rc != SQLITE_DONE)
		return -1;
	sqlite3_bind_int64(d, 1, article_id);
	sqlite3_bind_int64(d, 2, day);
	sqlite3_bind_int64(d, 3, delta);
	rc = sqlite3_step(d);
	done_stmt(d);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
storage_views_top(struct storage *st, const char *site, long long since_day,
                  int limit, struct storage_top *out, int *n)
{
	sqlite3_stmt *s =
	    stmt(st, since_day < 0 ? ST_VIEWS_TOP_ALL : ST_VIEWS_TOP_SINCE);
	int rc;

	*n = 0;
	if (s == NULL)
		return -1;
	bind_text(s, 1, site);
	if (since_day < 0)
		sqlite3_bind_int(s, 2, limit);
	else {
		sqlite3_bind_int64(s, 2, since_day);
		sqlite3_bind_int(s, 3, limit);
	}
	while (*n < limit && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct storage_top *t = &out[*n];

		copy_col(s, 0, t->key, sizeof(t->key));
		copy_col(s, 1, t->title, sizeof(t->title));
		copy_col(s, 2, t->url, sizeof(t->url));
		t->views = sqlite3_column_int64(s, 3);
		(*n)++;
	}
	done_stmt(s);
	return 0;
}

int
storage_comment_insert(struct storage *st, const struct storage_comment *c,
                       long long *id)
{
	sqlite3_stmt *s = stmt(st, ST_COMMENT_INSERT);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, c->article_id);
	if (c->parent_id > 0) {
		sqlite3_bind_int64(s, 2, c->parent_id);
		sqlite3_bind_int64(s, 3, c->root_id);
	}
	sqlite3_bind_int(s, 4, c->status);
	bind_text(s, 5, c->name);
	bind_text(s, 6, c->email);
	bind_text(s, 7, c->body);
	sqlite3_bind_blob(s, 8, c->body_hash, sizeof(c->body_hash),
	                  SQLITE_STATIC);
	bind_text(s, 9, c->ip_hash);
	bind_text(s, 10, c->user_agent);
	sqlite3_bind_int(s, 11, (int)c->flags);
	sqlite3_bind_int64(s, 12, c->created_at);
	bind_text(s, 13, c->search);
	rc = sqlite3_step(s);
	done_stmt(s);
	if (rc != SQLITE_DONE) {
		log_warnx("storage: comment insert: %s",
		          sqlite3_errmsg(st->db));
		return -1;
	}
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int
storage_comment_duplicate(struct storage *st, long long article_id,
                          const unsigned char hash[STORAGE_HASH_BYTES],
                          long long since)
{
	sqlite3_stmt *s = stmt(st, ST_COMMENT_DUP);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, article_id);
	sqlite3_bind_blob(s, 2, hash, STORAGE_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, since);
	rc = sqlite3_step(s);
	done_stmt(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int
storage_comment_next_id(struct storage *st, long long *id)
{
	sqlite3_stmt *s = stmt(st, ST_COMMENT_NEXT_ID);
	int ret = -1;

	if (s == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		ret = 0;
	}
	done_stmt(s);
	return ret;
}

enum storage_result
storage_comment_parent(struct storage *st, long long id, long long *article_id,
                       int *status, long long *root_id)
{
	sqlite3_stmt *s = stmt(st, ST_COMMENT_PARENT);
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*article_id = sqlite3_column_int64(s, 0);
		*status = sqlite3_column_int(s, 1);
		*root_id = sqlite3_column_type(s, 2) == SQLITE_NULL
		               ? 0
		               : sqlite3_column_int64(s, 2);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	done_stmt(s);
	return ret;
}

static void
row_to_public(sqlite3_stmt *s, struct storage_public_comment *c)
{
	c->id = sqlite3_column_int64(s, 0);
	c->parent_id = sqlite3_column_type(s, 1) == SQLITE_NULL
	                   ? 0
	                   : sqlite3_column_int64(s, 1);
	c->name = (const char *)sqlite3_column_text(s, 2);
	c->body = (const char *)sqlite3_column_text(s, 3);
	c->created_at = sqlite3_column_int64(s, 4);
	c->reply_name = (const char *)sqlite3_column_text(s, 5);
	c->reply_body = (const char *)sqlite3_column_text(s, 6);
	c->reply_at = sqlite3_column_int64(s, 7);
	c->root_id = sqlite3_column_type(s, 8) == SQLITE_NULL
	                 ? 0
	                 : sqlite3_column_int64(s, 8);
}

int
storage_comments_public(struct storage *st, const char *site, const char *key,
                        int newest_first, long long offset, int limit,
                        void (*fn)(void *arg,
                                   const struct storage_public_comment *c),
                        void *arg)
{
	sqlite3_stmt *s = stmt(st, newest_first ? ST_COMMENT_TOP_DESC
	                                        : ST_COMMENT_TOP),
	             *r;
	struct storage_public_comment c;
	long long lo = -1, hi = -1;
	int rc, ret = -1;

	if (s == NULL || (r = stmt(st, ST_COMMENT_REPLIES)) == NULL)
		return -1;
	bind_text(s, 1, site);
	bind_text(s, 2, key);
	sqlite3_bind_int(s, 3, limit);
	sqlite3_bind_int64(s, 4, offset);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_to_public(s, &c);
		if (lo < 0 || c.id < lo)
			lo = c.id;
		if (c.id > hi)
			hi = c.id;
		fn(arg, &c);
	}
	done_stmt(s);
	if (rc != SQLITE_DONE)
		return -1;
	if (lo < 0)
		return 0;
	/* Replies of the page's threads; the caller attaches each to its
	 * root and ignores those whose root is not on the page. */
	bind_text(r, 1, site);
	bind_text(r, 2, key);
	sqlite3_bind_int64(r, 3, lo);
	sqlite3_bind_int64(r, 4, hi);
	while ((rc = sqlite3_step(r)) == SQLITE_ROW) {
		row_to_public(r, &c);
		fn(arg, &c);
	}
	if (rc == SQLITE_DONE)
		ret = 0;
	done_stmt(r);
	return ret;
}

long long
storage_comment_count(struct storage *st, const char *site, const char *key,
                      int top_level_only)
{
	long long n;

	/* No such article: no comments. */
	return article_int(
	           st, top_level_only ? ST_COMMENT_COUNT_TOP : ST_COMMENT_COUNT,
	           site, key, &n) < 0
	           ? -1
	           : n;
}

int
storage_ban_match(struct storage *st, const char *site, const char *ip_hash,
                  const char *email, const char *email_key, long long now)
{
	sqlite3_stmt *s = stmt(st, ST_BAN_MATCH);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, ip_hash);
	bind_text(s, 2, email);
	sqlite3_bind_int64(s, 3, now);
	bind_text(s, 4, email_key);
	bind_text(s, 5, site);
	rc = sqlite3_step(s);
	done_stmt(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* --- moderation --- */

static const char *
col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL ? (const char *)t : "";
}

static void
row_to_admin(sqlite3_stmt *s, struct storage_admin_comment *c)
{
	c->id = sqlite3_column_int64(s, 0);
	c->site = col_text(s, 1);
	c->article = col_text(s, 2);
	c->article_title = col_text(s, 3);
	c->article_url = col_text(s, 4);
	c->parent_id = sqlite3_column_int64(s, 5);
	c->parent_excerpt = col_text(s, 6);
	c->name = col_text(s, 7);
	c->email = col_text(s, 8);
	c->body = col_text(s, 9);
	c->status = sqlite3_column_int(s, 10);
	c->flags = (unsigned int)sqlite3_column_int(s, 11);
	c->ip_hash = col_text(s, 12);
	c->user_agent = col_text(s, 13);
	c->created_at = sqlite3_column_int64(s, 14);
	c->updated_at = sqlite3_column_int64(s, 15);
	c->reply_name =
	    sqlite3_column_type(s, 16) == SQLITE_NULL ? NULL : col_text(s, 16);
	c->reply_body =
	    sqlite3_column_type(s, 17) == SQLITE_NULL ? NULL : col_text(s, 17);
	c->reply_at = sqlite3_column_int64(s, 18);
}

int
storage_admin_list(struct storage *st, const struct storage_admin_filter *f,
                   void (*fn)(void *arg, const struct storage_admin_comment *c),
                   void *arg)
{
	sqlite3_stmt *s =
	    stmt(st, f->oldest_first ? ST_ADM_LIST_ASC : ST_ADM_LIST_DESC);
	struct storage_admin_comment c;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, f->status);
	bind_text(s, 2, f->site);
	bind_text(s, 3, f->article);
	bind_text(s, 4, f->q);
	sqlite3_bind_int(s, 5, (int)f->flags);
	sqlite3_bind_int64(s, 6,
	                   f->cursor > 0
	                       ? f->cursor
	                       : (f->oldest_first ? 0 : 0x7fffffffffffffffLL));
	sqlite3_bind_int(s, 7, f->limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_to_admin(s, &c);
		fn(arg, &c);
	}
	done_stmt(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

enum storage_result
storage_admin_get(struct storage *st, long long id,
                  void (*fn)(void *arg, const struct storage_admin_comment *c),
                  void *arg)
{
	sqlite3_stmt *s = stmt(st, ST_ADM_GET);
	struct storage_admin_comment c;
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_to_admin(s, &c);
		fn(arg, &c);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	done_stmt(s);
	return ret;
}

int
storage_admin_history(struct storage *st, long long id,
                      void (*fn)(void *arg, const char *action,
                                 const char *user, long long at),
                      void *arg)
{
	sqlite3_stmt *s = stmt(st, ST_ADM_HISTORY);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(arg, col_text(s, 0), col_text(s, 1),
		   sqlite3_column_int64(s, 2));
	done_stmt(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

enum storage_result
storage_admin_status_of(struct storage *st, long long id, int *status,
                        char *ip_hash, size_t iplen, char **name, char **body,
                        char **email)
{
	sqlite3_stmt *s = stmt(st, ST_ADM_STATUS_OF);
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*status = sqlite3_column_int(s, 0);
		if (ip_hash != NULL)
			copy_col(s, 1, ip_hash, iplen);
		if (name != NULL)
			*name = strdup(col_text(s, 2));
		if (body != NULL)
			*body = strdup(col_text(s, 3));
		if (email != NULL)
			*email = strdup(col_text(s, 4));
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	done_stmt(s);
	return ret;
}

/* Runs an UPDATE/DELETE; returns the rows changed, or -1. */
static int
changes_of(struct storage *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	done_stmt(s);
	if (rc != SQLITE_DONE) {
		log_warnx("storage: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return sqlite3_changes(st->db);
}

/* Runs s, an update or delete of one row by its key. */
static enum storage_result
one_row(struct storage *st, sqlite3_stmt *s)
{
	int n = changes_of(st, s);

	if (n < 0)
		return STORAGE_ERROR;
	return n == 0 ? STORAGE_NOT_FOUND : STORAGE_OK;
}

enum storage_result
storage_admin_set_status(struct storage *st, long long id, int status,
                         long long now)
{
	sqlite3_stmt *s = stmt(st, ST_ADM_SET_STATUS);

	if (s == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, status);
	sqlite3_bind_int64(s, 3, now);
	return one_row(st, s);
}

enum storage_result
storage_admin_edit(struct storage *st, long long id, const char *name,
                   const char *body, const char *search, long long now)
{
	sqlite3_stmt *s = stmt(st, ST_ADM_EDIT);

	if (s == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, name);
	bind_text(s, 3, body);
	bind_text(s, 4, search);
	sqlite3_bind_int64(s, 5, now);
	return one_row(st, s);
}

enum storage_result
storage_admin_reply(struct storage *st, long long id, const char *name,
                    const char *body, long long now)
{
	sqlite3_stmt *s = stmt(st, ST_ADM_REPLY);

	if (s == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if (body != NULL) {
		bind_text(s, 2, name);
		bind_text(s, 3, body);
		sqlite3_bind_int64(s, 4, now);
	} else
		sqlite3_bind_int64(s, 4, now); /* NULLs: no reply */
	return one_row(st, s);
}

enum storage_result
storage_admin_delete(struct storage *st, long long id)
{
	sqlite3_stmt *s = stmt(st, ST_ADM_DELETE);

	if (s == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return one_row(st, s);
}

int
storage_audit_add(struct storage *st, long long at, const char *user,
                  const char *action, long long comment_id, const char *ip_hash,
                  const char *before, const char *after)
{
	return storage_audit_add_detail(st, at, user, action, comment_id,
	                                ip_hash, before, after, NULL);
}

int
storage_audit_add_detail(struct storage *st, long long at, const char *user,
                         const char *action, long long comment_id,
                         const char *ip_hash, const char *before,
                         const char *after, const char *detail)
{
	sqlite3_stmt *s = stmt(st, ST_AUDIT_INSERT);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, at);
	bind_text(s, 2, user);
	bind_text(s, 3, action);
	if (comment_id > 0)
		sqlite3_bind_int64(s, 4, comment_id);
	bind_text(s, 5, ip_hash);
	if (before != NULL)
		bind_text(s, 6, before);
	if (after != NULL)
		bind_text(s, 7, after);
	if (detail != NULL)
		bind_text(s, 8, detail);
	return changes_of(st, s) == 1 ? 0 : -1;
}

int
storage_audit_list(struct storage *st, long long before, int limit,
                   void (*fn)(void *arg, const struct storage_audit *a),
                   void *arg)
{
	sqlite3_stmt *s = stmt(st, ST_AUDIT_LIST);
	struct storage_audit a;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, before > 0 ? before : 0x7fffffffffffffffLL);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		a.id = sqlite3_column_int64(s, 0);
		a.at = sqlite3_column_int64(s, 1);
		a.user = col_text(s, 2);
		a.action = col_text(s, 3);
		a.comment_id = sqlite3_column_int64(s, 4);
		a.ip_hash = col_text(s, 5);
		a.before = sqlite3_column_type(s, 6) == SQLITE_NULL
		               ? NULL
		               : col_text(s, 6);
		a.after = sqlite3_column_type(s, 7) == SQLITE_NULL
		              ? NULL
		              : col_text(s, 7);
		a.detail = sqlite3_column_type(s, 8) == SQLITE_NULL
		               ? NULL
		               : col_text(s, 8);
		fn(arg, &a);
	}
	done_stmt(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
row_to_ban(sqlite3_stmt *s, struct storage_ban *b)
{
	b->id = sqlite3_column_int64(s, 0);
	b->kind = col_text(s, 1);
	b->value = col_text(s, 2);
	b->reason = col_text(s, 3);
	b->expires_at = sqlite3_column_type(s, 4) == SQLITE_NULL
	                    ? 0
	                    : sqlite3_column_int64(s, 4);
	b->created_at = sqlite3_column_int64(s, 5);
	b->created_by = col_text(s, 6);
	b->site =
	    sqlite3_column_type(s, 7) == SQLITE_NULL ? NULL : col_text(s, 7);
}

int
storage_ban_list(struct storage *st,
                 void (*fn)(void *arg, const struct storage_ban *b), void *arg)
{
	sqlite3_stmt *s = stmt(st, ST_BAN_LIST);
	struct storage_ban b;
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_to_ban(s, &b);
		fn(arg, &b);
	}
	done_stmt(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

enum storage_result
storage_ban_get(struct storage *st, long long id,
                void (*fn)(void *arg, const struct storage_ban *b), void *arg)
{
	sqlite3_stmt *s = stmt(st, ST_BAN_GET);
	struct storage_ban b;
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_to_ban(s, &b);
		fn(arg, &b);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	done_stmt(s);
	return ret;
}

int
storage_ban_add(struct storage *st, const char *kind, const char *value,
                const char *site, const char *reason, long long expires_at,
                long long now, const char *by, long long *id)
{
	sqlite3_stmt *s = stmt(st, ST_BAN_INSERT);

	if (s == NULL)
		return -1;
	bind_text(s, 1, kind);
	bind_text(s, 2, value);
	bind_text(s, 3, reason);
	if (expires_at > 0)
		sqlite3_bind_int64(s, 4, expires_at);
	sqlite3_bind_int64(s, 5, now);
	bind_text(s, 6, by);
	bind_text(s, 7, site);
	if (changes_of(st, s) != 1)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

enum storage_result
storage_ban_delete(struct storage *st, long long id)
{
	sqlite3_stmt *s = stmt(st, ST_BAN_DELETE);

	if (s == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return one_row(st, s);
}

int
storage_stats(struct storage *st, long long day_start,
              void (*fn)(void *arg, const char *site, int status, long long n),
              void *arg, long long *today, long long *oldest_pending)
{
	sqlite3_stmt *s = stmt(st, ST_STATS_GROUP);
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(arg, col_text(s, 0), sqlite3_column_int(s, 1),
		   sqlite3_column_int64(s, 2));
	done_stmt(s);
	if (rc != SQLITE_DONE || (s = stmt(st, ST_STATS_TODAY)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, day_start);
	*today = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	done_stmt(s);
	if ((s = stmt(st, ST_STATS_OLDEST)) == NULL)
		return -1;
	*oldest_pending = sqlite3_step(s) == SQLITE_ROW &&
	                          sqlite3_column_type(s, 0) != SQLITE_NULL
	                      ? sqlite3_column_int64(s, 0)
	                      : 0;
	done_stmt(s);
	return 0;
}

static void
row_to_user(sqlite3_stmt *s, struct storage_user *u)
{
	copy_col(s, 0, u->name, sizeof(u->name));
	copy_col(s, 1, u->role, sizeof(u->role));
	copy_col(s, 2, u->hash, sizeof(u->hash));
	u->disabled = sqlite3_column_int(s, 3);
	u->created_at = sqlite3_column_int64(s, 4);
	u->last_login = sqlite3_column_int64(s, 5);
}

/* Runs an insert: OK, EXISTS on a key or unique constraint, FULL, or
 * ERROR (logged). */
static enum storage_result
insert_result(struct storage *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	int ext = sqlite3_extended_errcode(st->db);

	done_stmt(s);
	if (rc == SQLITE_DONE)
		return STORAGE_OK;
	if (ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
	    ext == SQLITE_CONSTRAINT_UNIQUE)
		return STORAGE_EXISTS;
	log_warnx("storage: %s", sqlite3_errmsg(st->db));
	return rc == SQLITE_FULL ? STORAGE_FULL : STORAGE_ERROR;
}

enum storage_result
storage_user_add(struct storage *st, const char *name, const char *role,
                 const char *hash, long long now)
{
	sqlite3_stmt *s = stmt(st, ST_USER_INSERT);

	if (s == NULL)
		return STORAGE_ERROR;
	bind_text(s, 1, name);
	bind_text(s, 2, role);
	bind_text(s, 3, hash);
	sqlite3_bind_int64(s, 4, now);
	return insert_result(st, s);
}

enum storage_result
storage_user_get(struct storage *st, const char *name, struct storage_user *u)
{
	sqlite3_stmt *s = stmt(st, ST_USER_GET);
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	bind_text(s, 1, name);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		row_to_user(s, u);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	done_stmt(s);
	return ret;
}

int
storage_user_list(struct storage *st,
                  void (*fn)(void *arg, const struct storage_user *u),
                  void *arg)
{
	sqlite3_stmt *s = stmt(st, ST_USER_LIST);
	struct storage_user u;
	int rc;

	if (s == NULL)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_to_user(s, &u);
		fn(arg, &u);
	}
	done_stmt(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

enum storage_result
storage_user_set_hash(struct storage *st, const char *name, const char *hash)
{
	sqlite3_stmt *s = stmt(st, ST_USER_SET_HASH);

	if (s == NULL)
		return STORAGE_ERROR;
	bind_text(s, 1, name);
	bind_text(s, 2, hash);
	return one_row(st, s);
}

enum storage_result
storage_user_set_disabled(struct storage *st, const char *name, int disabled)
{
	sqlite3_stmt *s = stmt(st, ST_USER_SET_DISABLED);

	if (s == NULL)
		return STORAGE_ERROR;
	bind_text(s, 1, name);
	sqlite3_bind_int(s, 2, disabled);
	return one_row(st, s);
}

enum storage_result
storage_user_logged_in(struct storage *st, const char *name, long long now)
{
	sqlite3_stmt *s = stmt(st, ST_USER_LOGIN);

	if (s == NULL)
		return STORAGE_ERROR;
	bind_text(s, 1, name);
	sqlite3_bind_int64(s, 2, now);
	return one_row(st, s);
}

int
storage_session_add(struct storage *st, const unsigned char *hash, size_t len,
                    const char *user, long long now, const char *ip_hash)
{
	sqlite3_stmt *s = stmt(st, ST_SESSION_INSERT);

	if (s == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, hash, (int)len, SQLITE_STATIC);
	bind_text(s, 2, user);
	sqlite3_bind_int64(s, 3, now);
	bind_text(s, 4, ip_hash);
	return changes_of(st, s) == 1 ? 0 : -1;
}

enum storage_result
storage_session_get(struct storage *st, const unsigned char *hash, size_t len,
                    struct storage_session *out)
{
	sqlite3_stmt *s = stmt(st, ST_SESSION_GET);
	int rc, ret = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_blob(s, 1, hash, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		copy_col(s, 0, out->user, sizeof(out->user));
		copy_col(s, 1, out->role, sizeof(out->role));
		out->created_at = sqlite3_column_int64(s, 2);
		out->last_seen = sqlite3_column_int64(s, 3);
		out->disabled = sqlite3_column_int(s, 4);
		ret = 0;
	} else if (rc == SQLITE_DONE)
		ret = 1;
	done_stmt(s);
	return ret;
}

enum storage_result
storage_session_touch(struct storage *st, const unsigned char *hash, size_t len,
                      long long now)
{
	sqlite3_stmt *s = stmt(st, ST_SESSION_TOUCH);

	if (s == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_blob(s, 1, hash, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	return one_row(st, s);
}

enum storage_result
storage_session_delete(struct storage *st, const unsigned char *hash,
                       size_t len)
{
	sqlite3_stmt *s = stmt(st, ST_SESSION_DELETE);

	if (s == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_blob(s, 1, hash, (int)len, SQLITE_STATIC);
	return one_row(st, s);
}

int
storage_session_purge(struct storage *st, long long idle_before,
                      long long created_before)
{
	sqlite3_stmt *s = stmt(st, ST_SESSION_PURGE);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, idle_before);
	sqlite3_bind_int64(s, 2, created_before);
	return changes_of(st, s);
}

int
storage_outbox_add(struct storage *st, const char *site, const char *body,
                   long long now)
{
	sqlite3_stmt *s = stmt(st, ST_OUTBOX_INSERT);

	if (s == NULL)
		return -1;
	bind_text(s, 1, site);
	bind_text(s, 2, body);
	sqlite3_bind_int64(s, 3, now);
	return changes_of(st, s) == 1 ? 0 : -1;
}

int
storage_outbox_due(struct storage *st, long long now, int limit,
                   void (*fn)(void *arg, long long id, const char *site,
                              const char *body, int attempts),
                   void *arg)
{
	sqlite3_stmt *s = stmt(st, ST_OUTBOX_DUE);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(arg, sqlite3_column_int64(s, 0), col_text(s, 1),
		   col_text(s, 2), sqlite3_column_int(s, 3));
	done_stmt(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

enum storage_result
storage_outbox_retry(struct storage *st, long long id, long long next_at,
                     const char *error)
{
	sqlite3_stmt *s = stmt(st, ST_OUTBOX_RETRY);

	if (s == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, next_at);
	bind_text(s, 3, error);
	return one_row(st, s);
}

enum storage_result
storage_outbox_delete(struct storage *st, long long id)
{
	sqlite3_stmt *s = stmt(st, ST_OUTBOX_DELETE);

	if (s == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	return one_row(st, s);
}

enum storage_result
storage_oneclick_use(struct storage *st, const unsigned char *nonce, size_t len,
                     long long expires_at)
{
	sqlite3_stmt *s = stmt(st, ST_ONECLICK_USE);
	int rc;

	if (s == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_blob(s, 1, nonce, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, expires_at);
	rc = sqlite3_step(s);
	done_stmt(s);
	if (rc == SQLITE_DONE)
		return STORAGE_OK;
	return (rc & 0xff) == SQLITE_CONSTRAINT ? STORAGE_CONFLICT
	                                        : STORAGE_ERROR;
}

int
storage_counts(struct storage *st, const char *site, const char *const *keys,
               size_t n,
               void (*fn)(void *arg, const char *key, long long views,
                          long long comments),
               void *arg)
{
	/* One query for all the keys: they go in as a JSON array that
	 * json_each() reads (a key that is not UTF-8 matches nothing). */
	sqlite3_stmt *s = stmt(st, ST_COUNTS);
	json_t *arr = NULL;
	char *text = NULL;
	size_t i;
	int rc, ret = -1;

	if (s == NULL || n > STORAGE_MAX_COUNT_KEYS ||
	    (arr = json_array()) == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		json_t *k = json_string(keys[i]);

		if (k != NULL && json_array_append_new(arr, k) != 0)
			goto done;
	}
	if ((text = json_dumps(arr, JSON_COMPACT)) == NULL)
		goto done;
	bind_text(s, 1, site);
	bind_text(s, 2, text);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(arg, col_text(s, 0), sqlite3_column_int64(s, 1),
		   sqlite3_column_int64(s, 2));
	done_stmt(s);
	ret = rc == SQLITE_DONE ? 0 : -1;
done:
	free(text);
	json_decref(arr);
	return ret;
}

enum storage_result
storage_import_comment(struct storage *st,
                       const struct storage_import_comment *c, long long *id)
{
	sqlite3_stmt *s = stmt(st, ST_IMPORT_PARENT);
	long long parent = 0, root = 0;
	int rc, linked = 0;

	if (s == NULL)
		return STORAGE_ERROR;
	if (c->import_parent != NULL && c->import_parent[0] != '\0') {
		bind_text(s, 1, c->import_parent);
		sqlite3_bind_int64(s, 2, c->article_id);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			parent = sqlite3_column_int64(s, 0);
			root = sqlite3_column_int64(s, 1);
			linked = 1;
		}
		done_stmt(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return STORAGE_ERROR;
	}
	if ((s = stmt(st, ST_IMPORT_INSERT)) == NULL)
		return STORAGE_ERROR;
	sqlite3_bind_int64(s, 1, c->article_id);
	if (linked) {
		sqlite3_bind_int64(s, 2, parent);
		sqlite3_bind_int64(s, 3, root);
	}
	sqlite3_bind_int(s, 4, c->status);
	bind_text(s, 5, c->name);
	bind_text(s, 6, c->email);
	bind_text(s, 7, c->body);
	sqlite3_bind_blob(s, 8, c->body_hash, STORAGE_HASH_BYTES,
	                  SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, c->created_at);
	bind_text(s, 10, c->search);
	bind_text(s, 11, c->import_id);
	/* The parent's id, until the last step, only if it is not here yet. */
	if (!linked && c->import_parent != NULL && c->import_parent[0] != '\0')
		bind_text(s, 12, c->import_parent);
	rc = sqlite3_step(s);
	done_stmt(s);
	if (rc != SQLITE_DONE) {
		log_warnx("storage: import insert: %s", sqlite3_errmsg(st->db));
		return STORAGE_ERROR;
	}
	if (sqlite3_changes(st->db) == 0)
		return STORAGE_EXISTS;
	*id = sqlite3_last_insert_rowid(st->db);
	return STORAGE_OK;
}

int
storage_import_link(struct storage *st, const char *prefix, long long *linked,
                    long long *orphans)
{
	sqlite3_stmt *s = stmt(st, ST_IMPORT_LINK);
	int rc;

	if (s == NULL)
		return -1;
	bind_text(s, 1, prefix);
	rc = sqlite3_step(s);
	done_stmt(s);
	if (rc != SQLITE_DONE)
		return -1;
	*linked = sqlite3_changes(st->db);
	if ((s = stmt(st, ST_IMPORT_UNLINKED)) == NULL)
		return -1;
	bind_text(s, 1, prefix);
	rc = sqlite3_step(s);
	done_stmt(s);
	if (rc != SQLITE_DONE)
		return -1;
	*orphans = sqlite3_changes(st->db);
	return 0;
}
