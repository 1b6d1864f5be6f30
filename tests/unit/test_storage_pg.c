/*
 * Unit tests of the PostgreSQL engine (storage_pg.h) against a real
 * server: tests/pg/run-test.sh starts a throw-away PostgreSQL 15 and
 * gives its DSN in BANDOC_TEST_PG_DSN, and the command that restarts it
 * in BANDOC_TEST_PG_RESTART. Each test gets a schema of its own
 * (created by setup), so counts and ids do not depend on the order.
 *
 * What matters is that a caller cannot tell the engine from SQLite:
 * round trips, not found, exists and conflict, orderings, limits,
 * savepoints; and what only several daemons need: migrations under the
 * advisory lock, a token spent once across connections, the outbox
 * claimed with SKIP LOCKED, and a reconnect after a server restart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <cmocka.h>
#include <libpq-fe.h>

#include "harness.h"
#include "storage_pg.h"

struct t {
	char dsn[512], schema[64];
	struct pg_conn *c;
};

static const char *
base_dsn(void)
{
	const char *d = getenv("BANDOC_TEST_PG_DSN");

	assert_non_null(d);
	return d;
}

static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Runs sql through a plain libpq connection to dsn (no result). */
static void
admin(const char *dsn, const char *sql)
{
	PGconn *c = PQconnectdb(dsn);
	PGresult *r;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQsetNoticeProcessor(c, quiet, NULL);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* The DSN of the test server with search_path schema: to the engine, a
 * database of its own. A lock wait that should not happen fails the
 * test in 10 s instead of hanging it (e.g. a claim that stopped
 * skipping), unless default_lock_wait asks for the engine's default. */
static void
schema_dsn(char *dsn, size_t dsnsz, const char *schema, int default_lock_wait)
{
	snprintf(dsn, dsnsz, "%s options='-c search_path=%s%s'", base_dsn(),
	         schema, default_lock_wait ? "" : " -c lock_timeout=10s");
}

/*
 * A new empty schema (its name into schema, schemasz bytes), and its DSN
 * into dsn. (Schemas, not databases: each database adds ~300 files that
 * every checkpoint fsyncs, and the restart test's shutdown checkpoint
 * took 28 s with one per test.)
 */
static void
fresh_db(char *dsn, size_t dsnsz, char *schema, size_t schemasz)
{
	static int n;
	char sql[160];

	snprintf(schema, schemasz, "t%d_%d", (int)getpid(), ++n);
	snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", schema);
	admin(base_dsn(), sql);
	schema_dsn(dsn, dsnsz, schema, 0);
}

static int
setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));
	char err[256];

	assert_non_null(t);
	fresh_db(t->dsn, sizeof(t->dsn), t->schema, sizeof(t->schema));
	t->c = pg_open(t->dsn, NULL, err, sizeof(err));
	if (t->c == NULL)
		fail_msg("pg_open: %s", err);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct t *t = *state;

	pg_close(t->c);
	free(t);
	return 0;
}

static long long
article(struct pg_conn *c, const char *site, const char *key)
{
	long long id;

	assert_int_equal(pg_article_upsert(c, site, key, "T", NULL, 1, &id), 0);
	return id;
}

/* Inserts a comment (approved when status 1) and returns its id. */
static long long
comment(struct pg_conn *c, long long article_id, long long parent,
        long long root, int status, const char *body, long long at)
{
	struct storage_comment cm = {0};
	long long id;

	cm.article_id = article_id;
	cm.parent_id = parent;
	cm.root_id = root;
	cm.status = status;
	cm.name = "Lan";
	cm.email = "lan@example.vn";
	cm.body = body;
	cm.ip_hash = "iphash";
	cm.user_agent = "ua";
	memset(cm.body_hash, body[0], sizeof(cm.body_hash));
	cm.flags = STORAGE_FLAG_LINKS;
	cm.created_at = at;
	cm.search = body;
	assert_int_equal(pg_comment_insert(c, &cm, &id), 0);
	return id;
}

/* --- migrations and connections --- */

static void
test_migrate(void **state)
{
	struct t *t = *state;
	char err[256];
	struct pg_conn *c;
	struct storage_article a;

	assert_true(pg_schema_latest() >= 9);
	assert_int_equal(pg_schema_version(t->c), pg_schema_latest());
	article(t->c, "s", "k");
	/* Again: nothing applied, nothing lost. */
	assert_int_equal(pg_migrate(t->c, err, sizeof(err)), 0);
	c = pg_open(t->dsn, NULL, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(pg_schema_version(c), pg_schema_latest());
	assert_int_equal(pg_article_get(c, "s", "k", &a), STORAGE_OK);
	pg_close(c);
	/* A database from the future is refused with SQLite's words. */
	pg_close(t->c);
	t->c = NULL;
	admin(t->dsn, "UPDATE bandoc_schema SET version = 99");
	c = pg_open(t->dsn, NULL, err, sizeof(err));
	assert_null(c);
	assert_non_null(strstr(err, "the database has schema version 99 but "
	                            "this bandocd knows only up to"));
}

struct opener {
	const char *dsn;
	pthread_barrier_t *go;
	struct pg_conn *c;
	char err[256];
};

static void *
open_thread(void *arg)
{
	struct opener *o = arg;

	pthread_barrier_wait(o->go);
	o->c = pg_open(o->dsn, NULL, o->err, sizeof(o->err));
	return NULL;
}

/* Two daemons starting at once on an empty database: the advisory lock
 * makes one wait for the other's migrations (without it, both create
 * the same tables and one fails). */
static void
test_concurrent_open(void **state)
{
	char dsn[512], schema[64];
	pthread_barrier_t go;
	struct opener o[2];
	pthread_t th[2];
	int i, round;

	(void)state;
	for (round = 0; round < 3; round++) {
		fresh_db(dsn, sizeof(dsn), schema, sizeof(schema));
		pthread_barrier_init(&go, NULL, 2);
		for (i = 0; i < 2; i++) {
			memset(&o[i], 0, sizeof(o[i]));
			o[i].dsn = dsn;
			o[i].go = &go;
			assert_int_equal(
			    pthread_create(&th[i], NULL, open_thread, &o[i]),
			    0);
		}
		for (i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		for (i = 0; i < 2; i++) {
			if (o[i].c == NULL)
				fail_msg("open %d: %s", i, o[i].err);
			assert_int_equal(pg_schema_version(o[i].c),
			                 pg_schema_latest());
			pg_close(o[i].c);
		}
	}
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The password goes through its file and never into a message. */
static void
test_password(void **state)
{
	struct t *t = *state;
	char dir[] = "/tmp/bandoc-pgpw-XXXXXX", pw[128], err[512], dsn[600];
	struct pg_conn *c;

	assert_non_null(mkdtemp(dir));
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	write_file(pw, "pw-s3cret-1234\n");
	/* Trust authentication ignores it; the connection works. */
	c = pg_open(t->dsn, pw, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(pg_ping(c), 0);
	pg_close(c);
	/* A server that is not there: an error without the password. */
	snprintf(dsn, sizeof(dsn),
	         "host=%s/nowhere user=bandoc "
	         "password=dsn-s3cret-5678",
	         dir);
	assert_null(pg_open(dsn, pw, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot connect to PostgreSQL"));
	assert_null(strstr(err, "s3cret"));
	assert_null(pg_open(dsn, NULL, err, sizeof(err)));
	assert_null(strstr(err, "s3cret"));
	/* A missing file is named. */
	unlink(pw);
	assert_null(pg_open(t->dsn, pw, err, sizeof(err)));
	assert_non_null(strstr(err, "password file"));
	rmdir(dir);
}

/* Without a lock_timeout in the DSN, a write that waits for another
 * daemon's lock fails after DEFAULT_BUSY_TIMEOUT_MS, as SQLite's busy
 * timeout, instead of stalling the writer. */
static void
test_lock_timeout(void **state)
{
	struct t *t = *state;
	char dsn[600], err[256];
	struct pg_conn *c;
	long long id;

	schema_dsn(dsn, sizeof(dsn), t->schema, 1);
	c = pg_open(dsn, NULL, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(pg_begin(t->c), 0);
	article(t->c, "s", "k");
	assert_int_equal(pg_article_upsert(c, "s", "k", "x", "", 2, &id), -1);
	assert_int_equal(pg_commit(t->c), 0);
	assert_int_equal(pg_article_upsert(c, "s", "k", "x", "", 2, &id), 0);
	pg_close(c);
}

static void
test_backup(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(pg_backup(base_dsn(), "/tmp/x", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pg_dump"));
}

/* --- transactions --- */

static void
test_transactions(void **state)
{
	struct t *t = *state;
	struct storage_article a;
	long long id;

	/* A job rolled back to its savepoint, the group committed. */
	assert_int_equal(pg_begin(t->c), 0);
	assert_int_equal(pg_savepoint(t->c), 0);
	article(t->c, "s", "kept");
	assert_int_equal(pg_release(t->c), 0);
	assert_int_equal(pg_savepoint(t->c), 0);
	article(t->c, "s", "undone");
	assert_int_equal(pg_rollback_to(t->c), 0);
	/* A failing statement fails its job only. */
	assert_int_equal(pg_savepoint(t->c), 0);
	assert_int_equal(pg_user_add(t->c, "x", "superuser", "h", 1),
	                 STORAGE_ERROR);
	assert_int_equal(pg_rollback_to(t->c), 0);
	assert_int_equal(pg_savepoint(t->c), 0);
	article(t->c, "s", "after");
	assert_int_equal(pg_release(t->c), 0);
	assert_int_equal(pg_commit(t->c), 0);
	assert_int_equal(pg_article_get(t->c, "s", "kept", &a), STORAGE_OK);
	assert_int_equal(pg_article_get(t->c, "s", "after", &a), STORAGE_OK);
	assert_int_equal(pg_article_get(t->c, "s", "undone", &a),
	                 STORAGE_NOT_FOUND);
	/* A rolled-back group leaves nothing. */
	assert_int_equal(pg_begin(t->c), 0);
	assert_int_equal(pg_article_upsert(t->c, "s", "gone", "", "", 1, &id),
	                 0);
	assert_int_equal(pg_rollback(t->c), 0);
	assert_int_equal(pg_article_get(t->c, "s", "gone", &a),
	                 STORAGE_NOT_FOUND);
	/* pg_rollback_to() released the savepoint too (as SQLite's): none
	 * is left to release. */
	assert_int_equal(pg_begin(t->c), 0);
	assert_int_equal(pg_savepoint(t->c), 0);
	assert_int_equal(pg_rollback_to(t->c), 0);
	assert_int_equal(pg_release(t->c), -1);
	assert_int_equal(pg_rollback(t->c), 0);
	assert_int_equal(pg_ping(t->c), 0);
}

/* A failed statement is logged without the row it failed on (the
 * server's DETAIL would show the e-mail address). */
static void
test_log_terse(void **state)
{
	struct t *t = *state;
	char path[] = "/tmp/bandoc-pglog-XXXXXX", buf[4096];
	long long a = article(t->c, "s", "k"), id;
	int fd = mkstemp(path), saved = dup(2);
	ssize_t n;

	assert_true(fd >= 0 && saved >= 0);
	id = comment(t->c, a, 0, 0, STORAGE_PENDING, "x", 1);
	fflush(stderr);
	assert_int_equal(dup2(fd, 2), 2);
	assert_int_equal(pg_admin_set_status(t->c, id, 9, 2), STORAGE_ERROR);
	fflush(stderr);
	assert_int_equal(dup2(saved, 2), 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	close(fd);
	unlink(path);
	assert_non_null(strstr(buf, "comment_status_check"));
	assert_null(strstr(buf, "lan@example.vn"));
	assert_null(strstr(buf, "iphash"));
}

/* --- articles and views --- */

static void
count_row(void *arg, const char *key, long long views, long long comments)
{
	char *out = arg;
	size_t n = strlen(out);

	snprintf(out + n, 256 - n, "%s=%lld/%lld;", key, views, comments);
}

static void
test_articles_views(void **state)
{
	struct t *t = *state;
	struct storage_article a;
	struct storage_top top[4];
	const char *keys[] = {"a\"b\\c", "k2", "missing"};
	long long id, id2, v, k2;
	char out[256] = "";
	int n;

	assert_int_equal(
	    pg_article_upsert(t->c, "s", "a\"b\\c", "Tiêu đề", NULL, 5, &id),
	    0);
	assert_int_equal(
	    pg_article_upsert(t->c, "s", "a\"b\\c", "", "http://u", 9, &id2),
	    0);
	assert_int_equal(id, id2);
	assert_int_equal(pg_article_get(t->c, "s", "a\"b\\c", &a), STORAGE_OK);
	assert_int_equal(a.id, id);
	assert_string_equal(a.site, "s");
	assert_string_equal(a.title, "Tiêu đề"); /* empty keeps the old */
	assert_string_equal(a.url, "http://u");
	assert_int_equal(a.created_at, 5);
	assert_int_equal(pg_article_get(t->c, "s", "nope", &a),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(pg_article_get(t->c, "other", "a\"b\\c", &a),
	                 STORAGE_NOT_FOUND);

	k2 = article(t->c, "s", "k2");
	article(t->c, "s", "k3");
	assert_int_equal(pg_views_add(t->c, id, 100, 3), 0);
	assert_int_equal(pg_views_add(t->c, id, 101, 2), 0);
	assert_int_equal(pg_views_add(t->c, k2, 101, 4), 0);
	assert_int_equal(pg_views_add(t->c, k2, 101, 1), 0);
	assert_int_equal(pg_views_get(t->c, "s", "a\"b\\c", &v), STORAGE_OK);
	assert_int_equal(v, 5);
	assert_int_equal(pg_views_get(t->c, "s", "nope", &v),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(v, 0);
	/* All time: k2 (5) ties with the first (5): by id. k3 has none. */
	assert_int_equal(pg_views_top(t->c, "s", -1, 4, top, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(top[0].key, "a\"b\\c");
	assert_int_equal(top[0].views, 5);
	assert_string_equal(top[0].title, "Tiêu đề");
	assert_string_equal(top[1].key, "k2");
	/* Since day 101: k2 5, the first 2. Limit 1. */
	assert_int_equal(pg_views_top(t->c, "s", 101, 4, top, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(top[0].key, "k2");
	assert_int_equal(top[0].views, 5);
	assert_int_equal(top[1].views, 2);
	assert_int_equal(pg_views_top(t->c, "s", 101, 1, top, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pg_views_top(t->c, "s", 200, 4, top, &n), 0);
	assert_int_equal(n, 0);

	comment(t->c, k2, 0, 0, STORAGE_APPROVED, "x", 1);
	assert_int_equal(pg_counts(t->c, "s", keys, 3, count_row, out), 0);
	/* One row each for the articles that exist, none for the others;
	 * the quote and backslash survive the array. */
	assert_non_null(strstr(out, "a\"b\\c=5/0;"));
	assert_non_null(strstr(out, "k2=5/1;"));
	assert_null(strstr(out, "missing"));
	out[0] = '\0';
	assert_int_equal(pg_counts(t->c, "s", keys, 0, count_row, out), 0);
	assert_string_equal(out, "");
	assert_int_equal(pg_counts(t->c, "other", keys, 3, count_row, out), 0);
	assert_string_equal(out, "");
}

/* More keys than a call may take is an error; a key that is not UTF-8
 * matches nothing instead of failing the others. */
static void
test_counts_limits(void **state)
{
	struct t *t = *state;
	const char *keys[STORAGE_MAX_COUNT_KEYS + 1];
	char out[256] = "";
	size_t i;

	article(t->c, "s", "k");
	for (i = 0; i <= STORAGE_MAX_COUNT_KEYS; i++)
		keys[i] = "k";
	keys[0] = "\xff\xfe";
	assert_int_equal(
	    pg_counts(t->c, "s", keys, STORAGE_MAX_COUNT_KEYS, count_row, out),
	    0);
	assert_string_equal(out, "k=0/0;"); /* once, however often asked */
	assert_int_equal(pg_counts(t->c, "s", keys, STORAGE_MAX_COUNT_KEYS + 1,
	                           count_row, out),
	                 -1);
}

/* --- comments --- */

struct seen {
	char s[512];
};

static void
public_row(void *arg, const struct storage_public_comment *cm)
{
	struct seen *s = arg;
	size_t n = strlen(s->s);

	snprintf(s->s + n, sizeof(s->s) - n, "%s%s%s,", cm->body,
	         cm->reply_body != NULL ? "+" : "",
	         cm->reply_body != NULL ? cm->reply_body : "");
}

/* A page of article (s, k) as "body[+reply]," text. */
static const char *
page(struct pg_conn *c, int newest_first, long long offset, int limit)
{
	static struct seen s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_comments_public(c, "s", "k", newest_first, offset,
	                                    limit, public_row, &s),
	                 0);
	return s.s;
}

static void
test_comments(void **state)
{
	struct t *t = *state;
	long long a = article(t->c, "s", "k"), next, c1, c2, c3, r1, r3, aid,
	          root;
	unsigned char hash[STORAGE_HASH_BYTES];
	unsigned long long g0, g1, g2;
	struct seen s;
	int status;

	assert_int_equal(pg_comment_next_id(t->c, &next), 0);
	assert_int_equal(next, 1);
	assert_int_equal(pg_generation(t->c, &g0), 0);
	c1 = comment(t->c, a, 0, 0, STORAGE_APPROVED, "one", 10);
	assert_int_equal(c1, next);
	assert_int_equal(pg_generation(t->c, &g1), 0);
	assert_true(g1 != g0); /* a comment committed */
	assert_int_equal(pg_views_add(t->c, a, 1, 1), 0);
	assert_int_equal(pg_generation(t->c, &g2), 0);
	assert_true(g2 == g1); /* views leave the page cache alone */
	c2 = comment(t->c, a, 0, 0, STORAGE_PENDING, "two", 11);
	c3 = comment(t->c, a, 0, 0, STORAGE_APPROVED, "three", 12);
	r1 = comment(t->c, a, c1, c1, STORAGE_APPROVED, "r1", 13);
	r3 = comment(t->c, a, c3, c3, STORAGE_APPROVED, "r3", 14);
	comment(t->c, a, c3, c3, STORAGE_REJECTED, "r3x", 15);
	assert_int_equal(pg_comment_next_id(t->c, &next), 0);
	assert_int_equal(next, r3 + 2);

	assert_int_equal(pg_comment_parent(t->c, r1, &aid, &status, &root),
	                 STORAGE_OK);
	assert_int_equal(aid, a);
	assert_int_equal(status, STORAGE_APPROVED);
	assert_int_equal(root, c1);
	assert_int_equal(pg_comment_parent(t->c, c2, &aid, &status, &root),
	                 STORAGE_OK);
	assert_int_equal(status, STORAGE_PENDING);
	assert_int_equal(root, 0);
	assert_int_equal(pg_comment_parent(t->c, 999, &aid, &status, &root),
	                 STORAGE_NOT_FOUND);

	memset(hash, 't', sizeof(hash)); /* "two" and "three" */
	assert_int_equal(pg_comment_duplicate(t->c, a, hash, 10), 1);
	assert_int_equal(pg_comment_duplicate(t->c, a, hash, 12), 0);
	assert_int_equal(pg_comment_duplicate(t->c, a + 1, hash, 0), 0);

	/* Oldest first: the approved top-level ones, then their replies. */
	assert_string_equal(page(t->c, 0, 0, 10), "one,three,r1,r3,");
	assert_string_equal(page(t->c, 1, 0, 1), "three,r3,");
	assert_string_equal(page(t->c, 1, 1, 1), "one,r1,");
	assert_string_equal(page(t->c, 0, 5, 10), "");
	assert_int_equal(
	    pg_comments_public(t->c, "s", "none", 0, 0, 10, public_row, &s), 0);
	assert_int_equal(pg_comment_count(t->c, "s", "k", 0), 4);
	assert_int_equal(pg_comment_count(t->c, "s", "k", 1), 2);
	assert_int_equal(pg_comment_count(t->c, "s", "none", 0), 0);

	/* An official reply shows; removing it hides it. */
	assert_int_equal(pg_admin_reply(t->c, c1, "Tòa soạn", "ok", 20),
	                 STORAGE_OK);
	assert_string_equal(page(t->c, 0, 0, 1), "one+ok,r1,");
	assert_int_equal(pg_admin_reply(t->c, c1, NULL, NULL, 21), STORAGE_OK);
	assert_string_equal(page(t->c, 0, 0, 1), "one,r1,");
	assert_int_equal(pg_admin_reply(t->c, 999, "x", "y", 21),
	                 STORAGE_NOT_FOUND);
}

/* Another daemon sees the generation move when the change commits, not
 * before (then it would cache the old rows under the new number), and
 * for a status change or a delete as well as an insert. */
static void
test_generation(void **state)
{
	struct t *t = *state;
	char err[256];
	struct pg_conn *other = pg_open(t->dsn, NULL, err, sizeof(err));
	long long a = article(t->c, "s", "k"), b, id;
	unsigned long long g0, g1, g2, g3;

	assert_non_null(other);
	assert_int_equal(pg_generation(other, &g0), 0);
	assert_int_equal(pg_begin(t->c), 0);
	id = comment(t->c, a, 0, 0, STORAGE_PENDING, "x", 1);
	assert_int_equal(pg_generation(other, &g1), 0);
	assert_true(g1 == g0);
	assert_int_equal(pg_commit(t->c), 0);
	assert_int_equal(pg_generation(other, &g1), 0);
	assert_true(g1 > g0);
	assert_int_equal(pg_admin_set_status(t->c, id, STORAGE_APPROVED, 2),
	                 STORAGE_OK);
	assert_int_equal(pg_generation(other, &g2), 0);
	assert_true(g2 > g1);
	assert_int_equal(pg_admin_delete(t->c, id), STORAGE_OK);
	assert_int_equal(pg_generation(other, &g3), 0);
	assert_true(g3 > g2);

	/* Two daemons' groups, each with a comment on one article then on
	 * the other's: neither waits for the other's counter (with one
	 * shared row the second insert waited, then the first group's
	 * upsert of the other article would have closed a deadlock). */
	assert_int_equal(pg_begin(t->c), 0);
	comment(t->c, a, 0, 0, STORAGE_APPROVED, "a", 3);
	assert_int_equal(pg_begin(other), 0);
	b = article(other, "s", "k2");
	comment(other, b, 0, 0, STORAGE_APPROVED, "b", 3);
	assert_int_equal(pg_commit(other), 0);
	comment(t->c, b, 0, 0, STORAGE_APPROVED, "c", 3);
	assert_int_equal(pg_commit(t->c), 0);
	assert_int_equal(pg_generation(other, &g0), 0);
	assert_true(g0 >= g3 + 3);
	pg_close(other);
}

static enum storage_result
import_one(struct pg_conn *c, long long article_id, const char *import_id,
           const char *parent, long long *id)
{
	struct storage_import_comment cm = {0};

	cm.article_id = article_id;
	cm.import_id = import_id;
	cm.import_parent = parent;
	cm.status = STORAGE_APPROVED;
	cm.name = "Old";
	cm.email = "";
	cm.body = import_id;
	cm.search = import_id;
	cm.created_at = 1;
	return pg_import_comment(c, &cm, id);
}

/* An import stores each comment once, under a parent stored already,
 * and its last step links the replies that came before their parent. */
static void
test_imports(void **state)
{
	struct t *t = *state;
	long long a = article(t->c, "s", "k"), id1, id2, id3, id4, id5, x, aid,
	          root, linked, orphans;
	int status;

	assert_int_equal(import_one(t->c, a, "s:f:1", "", &id1), STORAGE_OK);
	assert_int_equal(import_one(t->c, a, "s:f:1", "", &x), STORAGE_EXISTS);
	assert_int_equal(import_one(t->c, a, "s:f:2", "s:f:1", &id2),
	                 STORAGE_OK);
	assert_int_equal(pg_comment_parent(t->c, id2, &aid, &status, &root),
	                 STORAGE_OK);
	assert_int_equal(root, id1);
	assert_int_equal(import_one(t->c, a, "s:f:3", "s:f:4", &id3),
	                 STORAGE_OK);
	assert_int_equal(import_one(t->c, a, "s:f:4", NULL, &id4), STORAGE_OK);
	assert_int_equal(import_one(t->c, a, "s:f:5", "s:f:gone", &id5),
	                 STORAGE_OK);
	assert_int_equal(pg_comment_parent(t->c, id3, &aid, &status, &root),
	                 STORAGE_OK);
	assert_int_equal(root, 0); /* not yet */
	assert_int_equal(pg_import_link(t->c, "s:f:", &linked, &orphans), 0);
	assert_int_equal(linked, 1);
	assert_int_equal(orphans, 1);
	assert_int_equal(pg_comment_parent(t->c, id3, &aid, &status, &root),
	                 STORAGE_OK);
	assert_int_equal(root, id4);
	assert_int_equal(pg_comment_parent(t->c, id5, &aid, &status, &root),
	                 STORAGE_OK);
	assert_int_equal(root, 0);
	assert_int_equal(pg_import_link(t->c, "s:f:", &linked, &orphans), 0);
	assert_int_equal(linked + orphans, 0);
	assert_int_equal(pg_comment_count(t->c, "s", "k", 1), 3);
}

/* --- moderation --- */

static void
admin_row(void *arg, const struct storage_admin_comment *cm)
{
	struct seen *s = arg;
	size_t n = strlen(s->s);

	snprintf(s->s + n, sizeof(s->s) - n, "%lld:%s:%d:%s:%s:%s,", cm->id,
	         cm->body, cm->status, cm->site, cm->parent_excerpt,
	         cm->reply_body != NULL ? cm->reply_body : "-");
}

static void
history_row(void *arg, const char *action, const char *user, long long at)
{
	struct seen *s = arg;
	size_t n = strlen(s->s);

	snprintf(s->s + n, sizeof(s->s) - n, "%s/%s/%lld,", action, user, at);
}

static void
audit_row(void *arg, const struct storage_audit *a)
{
	struct seen *s = arg;
	size_t n = strlen(s->s);

	snprintf(s->s + n, sizeof(s->s) - n, "%s:%lld:%s:%s:%s,", a->action,
	         a->comment_id, a->before != NULL ? a->before : "-",
	         a->after != NULL ? a->after : "-",
	         a->detail != NULL ? a->detail : "-");
}

static void
stats_row(void *arg, const char *site, int status, long long n)
{
	struct seen *s = arg;
	size_t len = strlen(s->s);

	snprintf(s->s + len, sizeof(s->s) - len, "%s/%d/%lld,", site, status,
	         n);
}

/* The moderators' list as "id:body:status:site:excerpt:reply," text. */
static const char *
adm(struct pg_conn *c, const struct storage_admin_filter *f)
{
	static struct seen s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_admin_list(c, f, admin_row, &s), 0);
	return s.s;
}

static void
test_moderation(void **state)
{
	struct t *t = *state;
	long long a = article(t->c, "s", "k"), b = article(t->c, "t", "k");
	long long c1, c2, c3, today, oldest;
	struct storage_admin_filter f = {-1, "", "", "", 0, 0, 0, 10};
	char ip[8], *name = NULL, *body = NULL, *email = NULL;
	struct seen s;
	int status;

	c1 = comment(t->c, a, 0, 0, STORAGE_PENDING, "alpha", 100);
	c2 = comment(t->c, a, c1, c1, STORAGE_APPROVED, "beta", 200);
	c3 = comment(t->c, b, 0, 0, STORAGE_SPAM, "gamma", 300);

	/* Newest first, then filters, cursors and limits. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_admin_list(t->c, &f, admin_row, &s), 0);
	assert_non_null(strstr(s.s, "3:gamma:3:t::-,2:beta:1:s:alpha:-,1:"));
	f.oldest_first = 1;
	f.limit = 2;
	assert_string_equal(adm(t->c, &f),
	                    "1:alpha:0:s::-,2:beta:1:s:alpha:-,");
	f.cursor = c2;
	assert_string_equal(adm(t->c, &f), "3:gamma:3:t::-,");
	f = (struct storage_admin_filter){
	    STORAGE_APPROVED, "", "", "", 0, 0, 0, 10};
	assert_string_equal(adm(t->c, &f), "2:beta:1:s:alpha:-,");
	f = (struct storage_admin_filter){-1, "t", "", "", 0, 0, 0, 10};
	assert_string_equal(adm(t->c, &f), "3:gamma:3:t::-,");
	f = (struct storage_admin_filter){-1, "", "", "lph", 0, 0, 0, 10};
	assert_string_equal(adm(t->c, &f), "1:alpha:0:s::-,");
	f = (struct storage_admin_filter){-1, "", "", "", STORAGE_FLAG_HONEYPOT,
	                                  0,  0,  10};
	assert_string_equal(adm(t->c, &f), "");
	f.flags = STORAGE_FLAG_LINKS;
	f.cursor = c3;
	assert_string_equal(adm(t->c, &f),
	                    "2:beta:1:s:alpha:-,1:alpha:0:s::-,");

	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_admin_get(t->c, c2, admin_row, &s), STORAGE_OK);
	assert_string_equal(s.s, "2:beta:1:s:alpha:-,");
	assert_int_equal(pg_admin_get(t->c, 999, admin_row, &s),
	                 STORAGE_NOT_FOUND);

	assert_int_equal(pg_admin_status_of(t->c, c1, &status, ip, sizeof(ip),
	                                    &name, &body, &email),
	                 STORAGE_OK);
	assert_int_equal(status, STORAGE_PENDING);
	assert_string_equal(ip, "iphash");
	assert_string_equal(name, "Lan");
	assert_string_equal(body, "alpha");
	assert_string_equal(email, "lan@example.vn");
	free(name);
	free(body);
	free(email);
	assert_int_equal(
	    pg_admin_status_of(t->c, c1, &status, NULL, 0, NULL, NULL, NULL),
	    STORAGE_OK);
	assert_int_equal(
	    pg_admin_status_of(t->c, 999, &status, NULL, 0, NULL, NULL, NULL),
	    STORAGE_NOT_FOUND);

	/* Approving counts the comment on its article (the trigger). */
	assert_int_equal(pg_admin_set_status(t->c, c1, STORAGE_APPROVED, 400),
	                 STORAGE_OK);
	assert_int_equal(pg_comment_count(t->c, "s", "k", 1), 1);
	assert_int_equal(pg_admin_set_status(t->c, 999, STORAGE_APPROVED, 400),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(pg_admin_set_status(t->c, c1, 9, 400),
	                 STORAGE_ERROR); /* CHECK */
	assert_int_equal(pg_admin_edit(t->c, c1, "N", "edited", "edited", 500),
	                 STORAGE_OK);
	assert_int_equal(pg_admin_edit(t->c, 999, "N", "b", "b", 500),
	                 STORAGE_NOT_FOUND);
	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_admin_get(t->c, c1, admin_row, &s), STORAGE_OK);
	assert_string_equal(s.s, "1:edited:1:s::-,");

	/* Audit: oldest first per comment, newest first in the log. */
	assert_int_equal(
	    pg_audit_add(t->c, 1, "mod", "approve", c1, "ip", "0", "1"), 0);
	assert_int_equal(pg_audit_add_detail(t->c, 2, "adm", "ban", 0, "ip",
	                                     NULL, NULL, "{\"kind\":\"ip\"}"),
	                 0);
	assert_int_equal(
	    pg_audit_add(t->c, 3, "adm", "edit", c1, "ip", NULL, NULL), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_admin_history(t->c, c1, history_row, &s), 0);
	assert_string_equal(s.s, "approve/mod/1,edit/adm/3,");
	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_audit_list(t->c, 0, 10, audit_row, &s), 0);
	assert_string_equal(s.s, "edit:1:-:-:-,ban:0:-:-:{\"kind\":\"ip\"},"
	                         "approve:1:0:1:-,");
	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_audit_list(t->c, 3, 1, audit_row, &s), 0);
	assert_string_equal(s.s, "ban:0:-:-:{\"kind\":\"ip\"},");

	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_stats(t->c, 200, stats_row, &s, &today, &oldest),
	                 0);
	assert_non_null(strstr(s.s, "s/1/2,"));
	assert_non_null(strstr(s.s, "t/3/1,"));
	assert_int_equal(today, 2);
	assert_int_equal(oldest, 0); /* none pending */
	comment(t->c, b, 0, 0, STORAGE_PENDING, "delta", 50);
	assert_int_equal(pg_stats(t->c, 200, stats_row, &s, &today, &oldest),
	                 0);
	assert_int_equal(oldest, 50);

	/* Deleting a reply's root keeps the reply (SET NULL). */
	assert_int_equal(pg_admin_delete(t->c, c1), STORAGE_OK);
	assert_int_equal(pg_admin_delete(t->c, c1), STORAGE_NOT_FOUND);
	assert_int_equal(pg_admin_get(t->c, c2, admin_row, &s), STORAGE_OK);
	assert_int_equal(pg_comment_count(t->c, "s", "k", 0), 1);
}

static void
ban_row(void *arg, const struct storage_ban *b)
{
	struct seen *s = arg;
	size_t n = strlen(s->s);

	snprintf(s->s + n, sizeof(s->s) - n, "%s:%s:%s:%lld:%s,", b->kind,
	         b->value, b->site != NULL ? b->site : "*", b->expires_at,
	         b->created_by);
}

static void
test_bans(void **state)
{
	struct t *t = *state;
	long long ip, em, site, old;
	struct seen s;

	assert_int_equal(
	    pg_ban_add(t->c, "ip", "H1", NULL, "spam", 0, 10, "mod", &ip), 0);
	assert_int_equal(pg_ban_add(t->c, "email", "  Spam@Example.VN ", "", "",
	                            0, 11, "mod", &em),
	                 0);
	assert_int_equal(
	    pg_ban_add(t->c, "ip", "H2", "lamdong", "", 0, 12, "adm", &site),
	    0);
	assert_int_equal(
	    pg_ban_add(t->c, "ip", "H3", NULL, "", 100, 13, "adm", &old), 0);
	assert_int_equal(
	    pg_ban_add(t->c, "name", "x", NULL, "", 0, 1, "m", &old),
	    -1); /* CHECK */
	assert_int_equal(pg_ban_match(t->c, "any", "H1", "", NULL, 50), 1);
	assert_int_equal(pg_ban_match(t->c, "any", "H9", "", NULL, 50), 0);
	/* The address as written, whatever its case, or its key. */
	assert_int_equal(
	    pg_ban_match(t->c, "any", "H9", "SPAM@example.vn", NULL, 50), 1);
	assert_int_equal(pg_ban_match(t->c, "any", "H9", "other@x.vn",
	                              "spam@example.vn", 50),
	                 1);
	assert_int_equal(
	    pg_ban_match(t->c, "any", "H9", "", "spam@example.vn", 50),
	    0); /* no address given */
	/* A site's ban there only; an expired ban nowhere. */
	assert_int_equal(pg_ban_match(t->c, "lamdong", "H2", "", "", 50), 1);
	assert_int_equal(pg_ban_match(t->c, "other", "H2", "", "", 50), 0);
	assert_int_equal(pg_ban_match(t->c, "x", "H3", "", "", 99), 1);
	assert_int_equal(pg_ban_match(t->c, "x", "H3", "", "", 100), 0);

	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_ban_list(t->c, ban_row, &s), 0);
	assert_string_equal(s.s,
	                    "ip:H3:*:100:adm,ip:H2:lamdong:0:adm,"
	                    "email:spam@example.vn:*:0:mod,ip:H1:*:0:mod,");
	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_ban_get(t->c, em, ban_row, &s), STORAGE_OK);
	assert_string_equal(s.s, "email:spam@example.vn:*:0:mod,");
	assert_int_equal(pg_ban_delete(t->c, em), STORAGE_OK);
	assert_int_equal(pg_ban_delete(t->c, em), STORAGE_NOT_FOUND);
	assert_int_equal(pg_ban_get(t->c, em, ban_row, &s), STORAGE_NOT_FOUND);
	assert_int_equal(
	    pg_ban_match(t->c, "any", "H9", "spam@example.vn", NULL, 50), 0);
}

/* --- accounts and sessions --- */

static void
user_row(void *arg, const struct storage_user *u)
{
	struct seen *s = arg;
	size_t n = strlen(s->s);

	snprintf(s->s + n, sizeof(s->s) - n, "%s:%s:%d:%lld,", u->name, u->role,
	         u->disabled, u->last_login);
}

static void
test_users_sessions(void **state)
{
	struct t *t = *state;
	const unsigned char h1[32] = {1, 0, 2}, h2[32] = {2};
	struct storage_user u;
	struct storage_session se;
	struct seen s;

	assert_int_equal(pg_user_add(t->c, "mod", "moderator", "h", 1),
	                 STORAGE_OK);
	assert_int_equal(pg_user_add(t->c, "mod", "admin", "h2", 2),
	                 STORAGE_EXISTS);
	assert_int_equal(pg_user_add(t->c, "adm", "admin", "h3", 3),
	                 STORAGE_OK);
	assert_int_equal(pg_user_add(t->c, "x", "superuser", "h", 3),
	                 STORAGE_ERROR);
	assert_int_equal(pg_user_get(t->c, "mod", &u), STORAGE_OK);
	assert_string_equal(u.role, "moderator"); /* untouched */
	assert_string_equal(u.hash, "h");
	assert_int_equal(u.created_at, 1);
	assert_int_equal(u.last_login, 0); /* NULL */
	assert_int_equal(pg_user_get(t->c, "nobody", &u), STORAGE_NOT_FOUND);
	assert_int_equal(pg_user_set_hash(t->c, "mod", "new"), STORAGE_OK);
	assert_int_equal(pg_user_set_hash(t->c, "nobody", "new"),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(pg_user_set_disabled(t->c, "mod", 1), STORAGE_OK);
	assert_int_equal(pg_user_logged_in(t->c, "adm", 77), STORAGE_OK);
	assert_int_equal(pg_user_logged_in(t->c, "nobody", 77),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(pg_user_get(t->c, "mod", &u), STORAGE_OK);
	assert_string_equal(u.hash, "new");
	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_user_list(t->c, user_row, &s), 0);
	assert_string_equal(s.s, "adm:admin:0:77,mod:moderator:1:0,");

	assert_int_equal(pg_session_add(t->c, h1, sizeof(h1), "mod", 10, "ip"),
	                 0);
	assert_int_equal(pg_session_add(t->c, h1, sizeof(h1), "mod", 10, "ip"),
	                 -1); /* the same hash twice */
	assert_int_equal(pg_session_add(t->c, h2, sizeof(h2), "adm", 20, "ip"),
	                 0);
	assert_int_equal(pg_session_get(t->c, h1, sizeof(h1), &se), STORAGE_OK);
	assert_string_equal(se.user, "mod");
	assert_string_equal(se.role, "moderator");
	assert_int_equal(se.created_at, 10);
	assert_int_equal(se.last_seen, 10);
	assert_int_equal(se.disabled, 1);
	/* The hash is binary: a prefix up to its zero byte is not it. */
	assert_int_equal(pg_session_get(t->c, h1, 2, &se), STORAGE_NOT_FOUND);
	assert_int_equal(pg_session_touch(t->c, h1, sizeof(h1), 30),
	                 STORAGE_OK);
	assert_int_equal(pg_session_get(t->c, h1, sizeof(h1), &se), STORAGE_OK);
	assert_int_equal(se.last_seen, 30);
	assert_int_equal(pg_session_purge(t->c, 25, 0), 1); /* h2 idle */
	assert_int_equal(pg_session_get(t->c, h2, sizeof(h2), &se),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(pg_session_delete(t->c, h1, sizeof(h1)), STORAGE_OK);
	assert_int_equal(pg_session_delete(t->c, h1, sizeof(h1)),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(pg_session_touch(t->c, h1, sizeof(h1), 30),
	                 STORAGE_NOT_FOUND);
}

/* --- spent tokens and one-click links, across daemons --- */

struct spent {
	int n;
	unsigned char last[16];
	long long expires;
};

static int
spent_row(void *arg, const unsigned char *nonce, size_t len,
          long long expires_at)
{
	struct spent *s = arg;

	assert_int_equal(len, 16);
	memcpy(s->last, nonce, 16);
	s->expires = expires_at;
	s->n++;
	return 0;
}

static int
spent_stop(void *arg, const unsigned char *nonce, size_t len,
           long long expires_at)
{
	(void)arg;
	(void)nonce;
	(void)len;
	(void)expires_at;
	return 1;
}

static void
test_spent_oneclick(void **state)
{
	struct t *t = *state;
	unsigned char n1[16] = {0, 1, 2, 0, 255}, n2[16] = {9};
	char err[256];
	struct pg_conn *other = pg_open(t->dsn, NULL, err, sizeof(err));
	struct spent s = {0};
	struct storage_article a;

	assert_non_null(other);
	assert_int_equal(pg_spent_insert(t->c, n1, sizeof(n1), 100),
	                 STORAGE_OK);
	/* Another daemon cannot spend it again, nor this one. */
	assert_int_equal(pg_spent_insert(other, n1, sizeof(n1), 100),
	                 STORAGE_EXISTS);
	assert_int_equal(pg_spent_insert(t->c, n1, sizeof(n1), 100),
	                 STORAGE_EXISTS);
	/* Inside a group, "spent already" does not fail the rest. */
	assert_int_equal(pg_begin(other), 0);
	assert_int_equal(pg_spent_insert(other, n1, sizeof(n1), 100),
	                 STORAGE_EXISTS);
	assert_int_equal(pg_spent_insert(other, n2, sizeof(n2), 50),
	                 STORAGE_OK);
	article(other, "s", "k");
	assert_int_equal(pg_commit(other), 0);
	assert_int_equal(pg_article_get(t->c, "s", "k", &a), STORAGE_OK);

	assert_int_equal(pg_spent_load(t->c, 40, spent_row, &s), 0);
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_spent_load(t->c, 50, spent_row, &s), 0);
	assert_int_equal(s.n, 1);
	assert_memory_equal(s.last, n1, 16); /* the zero bytes survive */
	assert_int_equal(s.expires, 100);
	assert_int_equal(pg_spent_load(t->c, 0, spent_stop, NULL), -1);
	assert_int_equal(pg_spent_purge(t->c, 50), 0);
	/* Purged: n2 may be spent again (its token has expired anyway). */
	assert_int_equal(pg_spent_insert(other, n2, sizeof(n2), 50),
	                 STORAGE_OK);

	assert_int_equal(pg_oneclick_use(t->c, n1, sizeof(n1), 100),
	                 STORAGE_OK);
	assert_int_equal(pg_oneclick_use(other, n1, sizeof(n1), 100),
	                 STORAGE_CONFLICT);
	assert_int_equal(pg_oneclick_use(t->c, n1, sizeof(n1), 100),
	                 STORAGE_CONFLICT);
	assert_int_equal(pg_oneclick_use(other, n2, sizeof(n2), 100),
	                 STORAGE_OK);
	pg_close(other);
}

struct racer {
	struct pg_conn *c;
	const unsigned char *nonce;
	int result;
};

static void *
spend_thread(void *arg)
{
	struct racer *r = arg;

	r->result = pg_spent_insert(r->c, r->nonce, 16, 100);
	return NULL;
}

/* Two daemons spending one token at the same time: the second waits for
 * the first's transaction and then finds it spent. */
static void
test_spent_race(void **state)
{
	struct t *t = *state;
	unsigned char n[16] = {7, 7};
	char err[256];
	struct racer r = {NULL, n, -9};
	pthread_t th;

	r.c = pg_open(t->dsn, NULL, err, sizeof(err));
	assert_non_null(r.c);
	assert_int_equal(pg_begin(t->c), 0);
	assert_int_equal(pg_spent_insert(t->c, n, sizeof(n), 100), STORAGE_OK);
	assert_int_equal(pthread_create(&th, NULL, spend_thread, &r), 0);
	/* Whether the other insert has reached its wait or not, it cannot
	 * finish before this commit; it then sees the row. */
	assert_int_equal(pg_commit(t->c), 0);
	pthread_join(th, NULL);
	assert_int_equal(r.result, STORAGE_EXISTS);
	pg_close(r.c);
}

/* --- outbox --- */

static void
outbox_row(void *arg, long long id, const char *site, const char *body,
           int attempts)
{
	struct seen *s = arg;
	size_t n = strlen(s->s);

	snprintf(s->s + n, sizeof(s->s) - n, "%lld:%s:%s:%d,", id, site, body,
	         attempts);
}

static const char *
due(struct pg_conn *c, long long now, int limit)
{
	static struct seen s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_outbox_due(c, now, limit, outbox_row, &s), 0);
	return s.s;
}

static const char *
claim(struct pg_conn *c, long long now, long long lease, int limit)
{
	static struct seen s;

	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_outbox_claim(c, now, lease, limit, outbox_row, &s),
	                 0);
	return s.s;
}

static void
test_outbox(void **state)
{
	struct t *t = *state;
	char err[256];
	struct pg_conn *other;
	struct seen s;

	assert_int_equal(pg_outbox_add(t->c, "s", "b1", 10), 0);
	assert_int_equal(pg_outbox_add(t->c, "s", "b2", 5), 0);
	assert_int_equal(pg_outbox_add(t->c, "t", "b3", 20), 0);
	assert_string_equal(due(t->c, 15, 10),
	                    "2:s:b2:0,1:s:b1:0,"); /* by next_at */
	assert_string_equal(due(t->c, 30, 1), "2:s:b2:0,");
	assert_int_equal(pg_outbox_retry(t->c, 2, 40, "timeout"), STORAGE_OK);
	assert_int_equal(pg_outbox_retry(t->c, 99, 40, "timeout"),
	                 STORAGE_NOT_FOUND);
	assert_string_equal(due(t->c, 30, 10), "1:s:b1:0,3:t:b3:0,");
	assert_string_equal(due(t->c, 40, 10), "1:s:b1:0,3:t:b3:0,2:s:b2:1,");

	/* Two daemons claim at once: one holds its claim uncommitted, the
	 * other skips those rows instead of waiting, and takes the rest. */
	other = pg_open(t->dsn, NULL, err, sizeof(err));
	assert_non_null(other);
	assert_int_equal(pg_begin(t->c), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_outbox_claim(t->c, 40, 1000, 2, outbox_row, &s), 0);
	assert_string_equal(s.s, "1:s:b1:0,3:t:b3:0,");
	assert_string_equal(claim(other, 40, 1000, 10), "2:s:b2:1,");
	assert_int_equal(pg_commit(t->c), 0);
	/* Leased until 1000: nobody gets them before. */
	assert_string_equal(claim(other, 999, 2000, 10), "");
	assert_string_equal(claim(other, 1000, 2000, 1), "1:s:b1:0,");
	assert_int_equal(pg_outbox_delete(t->c, 1), STORAGE_OK);
	assert_int_equal(pg_outbox_delete(t->c, 1), STORAGE_NOT_FOUND);
	pg_close(other);
}

/* --- readers --- */

struct reader_arg {
	struct pg_readers *r;
	struct pg_conn *c;
	int ping;
};

static void *
reader_thread(void *arg)
{
	struct reader_arg *a = arg;

	a->c = pg_readers_get(a->r);
	a->ping = a->c != NULL ? pg_ping(a->c) : -1;
	return NULL;
}

static void
test_readers(void **state)
{
	struct t *t = *state;
	struct pg_readers *r = pg_readers_new(t->dsn, NULL, 2);
	struct reader_arg a[2];
	struct storage_article art;
	struct pg_conn *mine;
	pthread_t th;
	long long id;
	int i;

	assert_non_null(r);
	mine = pg_readers_get(r);
	assert_non_null(mine);
	assert_ptr_equal(pg_readers_get(r), mine); /* one per thread */
	article(t->c, "s", "k");
	assert_int_equal(pg_article_get(mine, "s", "k", &art), STORAGE_OK);
	/* Read-only: a write fails, and the reader goes on. */
	assert_int_equal(pg_article_upsert(mine, "s", "w", "", "", 1, &id), -1);
	assert_int_equal(pg_ping(mine), 0);
	/* A second thread gets its own; a third finds the set full. */
	for (i = 0; i < 2; i++) {
		a[i] = (struct reader_arg){r, NULL, -9};
		assert_int_equal(
		    pthread_create(&th, NULL, reader_thread, &a[i]), 0);
		pthread_join(th, NULL);
	}
	assert_non_null(a[0].c);
	assert_true(a[0].c != mine);
	assert_int_equal(a[0].ping, 0);
	assert_null(a[1].c);
	pg_readers_free(r);
}

/* --- a restarted server --- */

static void
test_restart(void **state)
{
	struct t *t = *state;
	struct pg_readers *r = pg_readers_new(t->dsn, NULL, 1);
	struct storage_article a;
	struct pg_conn *rd;
	char out[512];
	long long id;

	assert_non_null(r);
	rd = pg_readers_get(r);
	assert_non_null(rd);
	article(t->c, "s", "k");
	assert_int_equal(
	    run_cmd(getenv("BANDOC_TEST_PG_RESTART"), out, sizeof(out)), 0);
	/* The first call finds the connection gone, the next reconnects
	 * (and prepares its statements again). */
	assert_int_equal(pg_article_get(t->c, "s", "k", &a), STORAGE_ERROR);
	assert_int_equal(pg_article_get(t->c, "s", "k", &a), STORAGE_OK);
	assert_int_equal(pg_ping(rd), -1);
	assert_int_equal(pg_ping(rd), 0);
	assert_int_equal(pg_article_get(rd, "s", "k", &a), STORAGE_OK);
	/* Still read-only after the reconnect. */
	assert_int_equal(pg_views_add(rd, a.id, 1, 1), -1);

	/* Lost inside a group: the group's writes are gone, so nothing
	 * may pass for committed until the writer rolls back. */
	assert_int_equal(pg_begin(t->c), 0);
	assert_int_equal(pg_savepoint(t->c), 0);
	article(t->c, "s", "lost");
	assert_int_equal(pg_release(t->c), 0);
	assert_int_equal(
	    run_cmd(getenv("BANDOC_TEST_PG_RESTART"), out, sizeof(out)), 0);
	assert_int_equal(pg_savepoint(t->c), -1); /* finds it lost */
	assert_int_equal(pg_savepoint(t->c), -1); /* reconnected, refused */
	assert_int_equal(pg_article_upsert(t->c, "s", "after", "", "", 1, &id),
	                 -1);
	assert_int_equal(pg_commit(t->c), -1);
	assert_int_equal(pg_commit(t->c), -1);
	/* The writer's rollback ends it; then all is as before. */
	assert_int_equal(pg_rollback(t->c), 0);
	assert_int_equal(pg_article_get(t->c, "s", "lost", &a),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(pg_begin(t->c), 0);
	article(t->c, "s", "next");
	assert_int_equal(pg_commit(t->c), 0);
	assert_int_equal(pg_article_get(t->c, "s", "next", &a), STORAGE_OK);
	pg_readers_free(r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_restart),
	    T(test_migrate),
	    T(test_concurrent_open),
	    T(test_password),
	    T(test_backup),
	    T(test_lock_timeout),
	    T(test_transactions),
	    T(test_log_terse),
	    T(test_articles_views),
	    T(test_comments),
	    T(test_counts_limits),
	    T(test_imports),
	    T(test_generation),
	    T(test_moderation),
	    T(test_bans),
	    T(test_users_sessions),
	    T(test_spent_oneclick),
	    T(test_spent_race),
	    T(test_outbox),
	    T(test_readers),
	};

	if (getenv("BANDOC_TEST_PG_DSN") == NULL) {
		fprintf(stderr, "BANDOC_TEST_PG_DSN is not set: run me "
		                "through tests/pg/run-test.sh\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
