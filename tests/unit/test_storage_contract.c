/*
 * test_storage_contract.c: the contract of include/storage.h, run on a
 * real database of the engine under test (a new one per test, with the
 * migrations applied), so that every engine answers the same way.
 *
 * The engine is chosen in one place, engine_conf(): BANDOC_TEST_ENGINE
 * names it ("sqlite", the default: a file in a temporary directory). A
 * PostgreSQL engine adds its branch there (a fresh database from a DSN)
 * and then runs this same suite; nothing else here names an engine.
 *
 * Covered, in the order of storage.h (tests/check-storage-contract.sh
 * fails when a function declared there is not called here):
 *   storage_open, storage_close, storage_schema_version,
 *   storage_schema_latest, storage_generation, storage_ping,
 *   storage_begin, storage_commit, storage_rollback, storage_savepoint,
 *   storage_release, storage_rollback_to, storage_maintenance_start,
 *   storage_maintenance_stop, storage_backup, storage_article_upsert,
 *   storage_comment_next_id, storage_article_get, storage_spent_insert,
 *   storage_spent_purge, storage_spent_load, storage_views_get,
 *   storage_views_add, storage_views_top, storage_flags (data),
 *   storage_comment_insert, storage_comment_duplicate,
 *   storage_comment_parent, storage_comments_public,
 *   storage_comment_count, storage_ban_match, storage_admin_list,
 *   storage_admin_get, storage_admin_history, storage_admin_status_of,
 *   storage_admin_set_status, storage_admin_edit, storage_admin_reply,
 *   storage_admin_delete, storage_audit_add, storage_audit_add_detail,
 *   storage_audit_list, storage_ban_list, storage_ban_add,
 *   storage_ban_get, storage_ban_delete, storage_stats, storage_user_add,
 *   storage_user_get, storage_user_list, storage_user_set_hash,
 *   storage_user_set_disabled, storage_user_logged_in,
 *   storage_session_add, storage_session_get, storage_session_touch,
 *   storage_session_delete, storage_session_purge, storage_outbox_add,
 *   storage_outbox_due, storage_outbox_retry, storage_outbox_delete,
 *   storage_oneclick_use, storage_counts, storage_readers_new,
 *   storage_readers_get, storage_readers_free, storage_import_comment,
 *   storage_import_link.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include "checks.h"
#include "harness.h"
#include "storage.h"

struct fx {
	char dir[64];
	char path[128]; /* SQLite: the database file */
	char copy[128]; /* SQLite: where a backup goes */
	struct storage_conf sc;
	struct storage *st;
};

/*
 * The engine under test: fills f->sc for a new, empty database (and
 * f->copy, a backup destination that does not exist yet).
 */
static void
engine_conf(struct fx *f)
{
	const char *e = getenv("BANDOC_TEST_ENGINE");

	if (e == NULL || *e == '\0' || strcmp(e, "sqlite") == 0) {
		snprintf(f->path, sizeof(f->path), "%s/contract.db", f->dir);
		snprintf(f->copy, sizeof(f->copy), "%s/copy.db", f->dir);
		memset(&f->sc, 0, sizeof(f->sc));
		f->sc.engine = STORAGE_SQLITE;
		f->sc.path = f->path;
		f->sc.busy_timeout_ms = 1000;
		return;
	}
	fail_msg("BANDOC_TEST_ENGINE=%s: no such engine in this build", e);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/bandoc-contract-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	engine_conf(f);
	f->st = storage_open(&f->sc, err, sizeof(err));
	if (f->st == NULL)
		fail_msg("storage_open: %s", err);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128], out[64];

	storage_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(run_cmd(cmd, out, sizeof(out)), 0);
	free(f);
	return 0;
}

/* --- helpers --- */

static long long
article(struct fx *f, const char *site, const char *key)
{
	long long id = 0;

	assert_int_equal(
	    storage_article_upsert(f->st, site, key, "T", "", 1, &id), 0);
	return id;
}

/* Inserts a comment: parent 0 is top-level (its own thread). */
/* Inserts a comment (checks.h): parent 0 is top-level (its own
 * thread); its hash is its body's first bytes. */
static long long
comment_at(struct fx *f, long long art, long long parent, long long root,
           int status, const char *body, long long at)
{
	return check_comment_insert(f->st, art, parent, root, status, body, at);
}

static long long
comment(struct fx *f, long long art, long long parent, long long root,
        int status, const char *body)
{
	return comment_at(f, art, parent, root, status, body, 100);
}

/* Ids seen through a callback, in order. */
#define MAX_SEEN 16
struct seen {
	long long id[MAX_SEEN];
	int n;
	char text[MAX_SEEN][64];
};

static void
saw(struct seen *s, long long id, const char *text)
{
	assert_true(s->n < MAX_SEEN);
	s->id[s->n] = id;
	snprintf(s->text[s->n], sizeof(s->text[0]), "%s",
	         text != NULL ? text : "(null)");
	s->n++;
}

static void
assert_seen(const struct seen *s, int n, ...)
{
	va_list ap;
	int i;

	assert_int_equal(s->n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		assert_int_equal(s->id[i], va_arg(ap, long long));
	va_end(ap);
}

/* --- connection, schema, transactions --- */

static void
test_open_schema_ping(void **state)
{
	struct fx *f = *state;
	struct storage_conf bad = f->sc;
	struct storage *again;
	char err[256];

	assert_true(storage_schema_latest() >= 1);
	assert_int_equal(storage_schema_version(f->st),
	                 storage_schema_latest());
	assert_int_equal(storage_ping(f->st), 0);
	/* A second connection to the same database applies nothing. */
	again = storage_open(&f->sc, err, sizeof(err));
	assert_non_null(again);
	assert_int_equal(storage_schema_version(again),
	                 storage_schema_latest());
	storage_close(again);
	/* An engine this build does not have is refused with a message. */
	bad.engine = (enum storage_engine)99;
	err[0] = '\0';
	assert_null(storage_open(&bad, err, sizeof(err)));
	assert_true(err[0] != '\0');
	assert_null(storage_readers_new(&bad, 4));
	storage_close(NULL);
}

static void
test_transactions_and_savepoints(void **state)
{
	struct fx *f = *state;
	struct storage_article a;
	long long id;

	assert_int_equal(storage_begin(f->st), 0);
	article(f, "s", "kept");
	/* A job that fails is undone alone... */
	assert_int_equal(storage_savepoint(f->st), 0);
	article(f, "s", "undone");
	assert_int_equal(storage_rollback_to(f->st), 0);
	/* ...and the group goes on: a refused insert inside a savepoint
	 * does not spoil it either. */
	assert_int_equal(storage_savepoint(f->st), 0);
	assert_int_equal(storage_user_add(f->st, "u", "moderator", "h", 1),
	                 STORAGE_OK);
	assert_int_equal(storage_user_add(f->st, "u", "moderator", "h", 1),
	                 STORAGE_EXISTS);
	assert_int_equal(storage_release(f->st), 0);
	assert_int_equal(storage_savepoint(f->st), 0);
	article(f, "s", "released");
	assert_int_equal(storage_release(f->st), 0);
	assert_int_equal(storage_commit(f->st), 0);
	assert_int_equal(storage_article_get(f->st, "s", "kept", &a),
	                 STORAGE_OK);
	assert_int_equal(storage_article_get(f->st, "s", "released", &a),
	                 STORAGE_OK);
	assert_int_equal(storage_article_get(f->st, "s", "undone", &a),
	                 STORAGE_NOT_FOUND);
	/* A rolled back group leaves nothing. */
	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(
	    storage_article_upsert(f->st, "s", "gone", "", "", 1, &id), 0);
	assert_int_equal(storage_rollback(f->st), 0);
	assert_int_equal(storage_article_get(f->st, "s", "gone", &a),
	                 STORAGE_NOT_FOUND);
	/* No transaction to commit is an error, not a crash. */
	assert_int_equal(storage_commit(f->st), -1);
}

struct reader_arg {
	struct storage_readers *r;
	struct storage *got;
};

static void *
reader_thread(void *arg)
{
	struct reader_arg *ra = arg;

	ra->got = storage_readers_get(ra->r);
	return NULL;
}

static void
test_readers_and_generation(void **state)
{
	struct fx *f = *state;
	struct storage_readers *r = storage_readers_new(&f->sc, 2), *one;
	struct reader_arg ra;
	struct storage_article a;
	struct storage *rd;
	unsigned long long g1, g2, g3;
	pthread_t t;

	assert_non_null(r);
	rd = storage_readers_get(r);
	assert_non_null(rd);
	/* One connection per thread: the same one again here, another on
	 * another thread. */
	assert_ptr_equal(storage_readers_get(r), rd);
	ra.r = r;
	ra.got = NULL;
	assert_int_equal(pthread_create(&t, NULL, reader_thread, &ra), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_non_null(ra.got);
	assert_ptr_not_equal(ra.got, rd);
	/* Nothing committed: the same generation. */
	assert_int_equal(storage_generation(rd, &g1), 0);
	assert_int_equal(storage_generation(rd, &g2), 0);
	assert_true(g1 == g2);
	/* The writer commits: the reader's generation moves and it sees
	 * the row. */
	assert_int_equal(storage_article_get(rd, "s", "k", &a),
	                 STORAGE_NOT_FOUND);
	article(f, "s", "k");
	assert_int_equal(storage_generation(rd, &g3), 0);
	assert_true(g3 != g2);
	assert_int_equal(storage_article_get(rd, "s", "k", &a), STORAGE_OK);
	/* A reader is read-only. */
	assert_int_not_equal(
	    storage_article_upsert(rd, "s", "no", "", "", 1, &a.id), 0);
	storage_readers_free(r);
	storage_readers_free(NULL);
	/* At most max: no room for another thread's reader is NULL. */
	one = storage_readers_new(&f->sc, 1);
	assert_non_null(one);
	assert_non_null(storage_readers_get(one));
	ra.r = one;
	ra.got = rd;
	assert_int_equal(pthread_create(&t, NULL, reader_thread, &ra), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_null(ra.got);
	storage_readers_free(one);
}

static void
test_maintenance_and_backup(void **state)
{
	struct fx *f = *state;
	struct storage_conf copy = f->sc, bad = f->sc;
	struct storage_maintenance *m;
	struct storage_article a;
	struct storage *st;
	char err[256], nowhere[160];

	m = storage_maintenance_start(&f->sc, err, sizeof(err));
	if (m == NULL)
		fail_msg("storage_maintenance_start: %s", err);
	/* Writes go on while the upkeep runs. */
	article(f, "s", "k1");
	article(f, "s", "k2");
	storage_maintenance_stop(m);
	storage_maintenance_stop(NULL);
	bad.engine = (enum storage_engine)99;
	assert_null(storage_maintenance_start(&bad, err, sizeof(err)));
	/* A backup of the open database, then a refusal to overwrite it. */
	assert_int_equal(storage_backup(&f->sc, f->copy, err, sizeof(err)),
	                 STORAGE_OK);
	assert_int_equal(storage_backup(&f->sc, f->copy, err, sizeof(err)),
	                 STORAGE_EXISTS);
	snprintf(nowhere, sizeof(nowhere), "%s/no/such/dir.db", f->dir);
	assert_int_equal(storage_backup(&f->sc, nowhere, err, sizeof(err)),
	                 STORAGE_ERROR);
	assert_true(err[0] != '\0');
	/* The copy opens as a database with the rows. */
	copy.path = f->copy;
	st = storage_open(&copy, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(storage_schema_version(st), storage_schema_latest());
	assert_int_equal(storage_article_get(st, "s", "k2", &a), STORAGE_OK);
	storage_close(st);
}

/* --- articles, spent tokens, views --- */

static void
test_articles(void **state)
{
	struct fx *f = *state;
	struct storage_article a;
	char title[STORAGE_MAX_TITLE + 1];
	long long id, id2, other;

	assert_int_equal(storage_article_get(f->st, "s", "k", &a),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(
	    storage_article_upsert(f->st, "s", "k", "Tiêu đề", NULL, 5, &id),
	    0);
	/* The same key: the same id; an empty title keeps the old one, a
	 * url is set, created_at stays. */
	assert_int_equal(storage_article_upsert(f->st, "s", "k", "",
	                                        "https://x.vn/k", 9, &id2),
	                 0);
	assert_int_equal(id, id2);
	assert_int_equal(storage_article_get(f->st, "s", "k", &a), STORAGE_OK);
	assert_int_equal(a.id, id);
	assert_string_equal(a.site, "s");
	assert_string_equal(a.key, "k");
	assert_string_equal(a.title, "Tiêu đề");
	assert_string_equal(a.url, "https://x.vn/k");
	assert_int_equal(a.created_at, 5);
	/* A title of the largest size comes back whole. */
	memset(title, 'x', STORAGE_MAX_TITLE);
	title[STORAGE_MAX_TITLE] = '\0';
	assert_int_equal(
	    storage_article_upsert(f->st, "s", "k", title, NULL, 9, &id2), 0);
	assert_int_equal(storage_article_get(f->st, "s", "k", &a), STORAGE_OK);
	assert_string_equal(a.title, title);
	/* The key is per site. */
	assert_int_equal(
	    storage_article_upsert(f->st, "t", "k", "", "", 1, &other), 0);
	assert_true(other != id);
}

struct spent {
	int n, stop_after;
	unsigned char first[8];
	long long expires[MAX_SEEN];
};

static int
spent_row(void *arg, const unsigned char *nonce, size_t len,
          long long expires_at)
{
	struct spent *s = arg;

	assert_int_equal(len, 8);
	if (s->n == 0)
		memcpy(s->first, nonce, 8);
	assert_true(s->n < MAX_SEEN);
	s->expires[s->n++] = expires_at;
	return s->stop_after > 0 && s->n >= s->stop_after ? 1 : 0;
}

static void
test_spent_tokens(void **state)
{
	struct fx *f = *state;
	const unsigned char a[8] = "aaaaaaa", b[8] = "bbbbbbb";
	struct spent s;

	assert_int_equal(storage_spent_insert(f->st, a, 8, 100), 0);
	assert_int_equal(storage_spent_insert(f->st, b, 8, 200), 0);
	/* One already there is not an error. */
	assert_int_equal(storage_spent_insert(f->st, a, 8, 100), 0);
	/* Only the live ones load. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_spent_load(f->st, 150, spent_row, &s), 0);
	assert_int_equal(s.n, 1);
	assert_memory_equal(s.first, b, 8);
	assert_int_equal(s.expires[0], 200);
	/* fn stops the load with an error. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	assert_int_equal(storage_spent_load(f->st, 0, spent_row, &s), -1);
	assert_int_equal(s.n, 1);
	/* Purged at 150: a is gone, b stays. */
	assert_int_equal(storage_spent_purge(f->st, 150), 0);
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_spent_load(f->st, 0, spent_row, &s), 0);
	assert_int_equal(s.n, 1);
	assert_memory_equal(s.first, b, 8);
}

static void
test_views(void **state)
{
	struct fx *f = *state;
	struct storage_top top[4];
	long long a, b, v = -1;
	int n = -1;

	assert_int_equal(storage_views_get(f->st, "s", "a", &v),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(v, 0);
	a = article(f, "s", "a");
	b = article(f, "s", "b");
	article(f, "s", "never");
	assert_int_equal(storage_views_get(f->st, "s", "a", &v), STORAGE_OK);
	assert_int_equal(v, 0);
	assert_int_equal(storage_views_add(f->st, a, 10, 5), 0);
	assert_int_equal(storage_views_add(f->st, a, 11, 3), 0);
	assert_int_equal(storage_views_add(f->st, b, 11, 4), 0);
	assert_int_equal(storage_views_get(f->st, "s", "a", &v), STORAGE_OK);
	assert_int_equal(v, 8);
	/* All time: most read first; an article never read is not there. */
	assert_int_equal(storage_views_top(f->st, "s", -1, 4, top, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(top[0].key, "a");
	assert_int_equal(top[0].views, 8);
	assert_string_equal(top[0].title, "T");
	assert_string_equal(top[1].key, "b");
	assert_int_equal(top[1].views, 4);
	/* Since day 11 only that day counts. */
	assert_int_equal(storage_views_top(f->st, "s", 11, 4, top, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(top[0].key, "b");
	assert_int_equal(top[0].views, 4);
	assert_string_equal(top[1].key, "a");
	assert_int_equal(top[1].views, 3);
	/* The limit holds; another site has none. */
	assert_int_equal(storage_views_top(f->st, "s", -1, 1, top, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(storage_views_top(f->st, "t", -1, 4, top, &n), 0);
	assert_int_equal(n, 0);
}

/* --- comments --- */

static void
test_flags_table(void **state)
{
	unsigned int all = 0;
	int i, j;

	(void)state;
	for (i = 0; i < STORAGE_NFLAGS; i++) {
		assert_non_null(storage_flags[i].name);
		assert_int_equal(all & storage_flags[i].bit, 0);
		all |= storage_flags[i].bit;
		for (j = 0; j < i; j++)
			assert_string_not_equal(storage_flags[i].name,
			                        storage_flags[j].name);
	}
}

static void
test_comment_insert_parent_duplicate(void **state)
{
	struct fx *f = *state;
	unsigned char h[STORAGE_HASH_BYTES];
	long long art = article(f, "s", "k"), next, top, reply, got_art, root;
	int status;

	assert_int_equal(storage_comment_next_id(f->st, &next), 0);
	assert_int_equal(next, 1);
	top = comment_at(f, art, 0, 0, STORAGE_APPROVED, "hello", 50);
	assert_int_equal(storage_comment_next_id(f->st, &next), 0);
	assert_int_equal(next, top + 1);
	reply = comment(f, art, top, top, STORAGE_PENDING, "reply");
	assert_int_equal(
	    storage_comment_parent(f->st, top, &got_art, &status, &root),
	    STORAGE_OK);
	assert_int_equal(got_art, art);
	assert_int_equal(status, STORAGE_APPROVED);
	assert_int_equal(root, 0); /* a thread's root has none */
	assert_int_equal(
	    storage_comment_parent(f->st, reply, &got_art, &status, &root),
	    STORAGE_OK);
	assert_int_equal(status, STORAGE_PENDING);
	assert_int_equal(root, top);
	assert_int_equal(
	    storage_comment_parent(f->st, 999, &got_art, &status, &root),
	    STORAGE_NOT_FOUND);
	/* The same body (hash) on the article after since is a duplicate. */
	memset(h, 0, sizeof(h));
	memcpy(h, "hello", 5);
	assert_int_equal(storage_comment_duplicate(f->st, art, h, 10), 1);
	assert_int_equal(storage_comment_duplicate(f->st, art, h, 50), 0);
	assert_int_equal(storage_comment_duplicate(f->st, art + 1, h, 10), 0);
	memset(h, 'z', sizeof(h));
	assert_int_equal(storage_comment_duplicate(f->st, art, h, 10), 0);
}

static void
public_row(void *arg, const struct storage_public_comment *c)
{
	saw(arg, c->id, c->reply_body);
}

static void
test_comments_public_and_count(void **state)
{
	struct fx *f = *state;
	long long art = article(f, "s", "k"), t1, t2, t3, r1, r3, pend;
	struct seen s;

	t1 = comment(f, art, 0, 0, STORAGE_APPROVED, "t1");
	t2 = comment(f, art, 0, 0, STORAGE_APPROVED, "t2");
	pend = comment(f, art, 0, 0, STORAGE_PENDING, "pending");
	t3 = comment(f, art, 0, 0, STORAGE_APPROVED, "t3");
	r1 = comment(f, art, t1, t1, STORAGE_APPROVED, "r1");
	comment(f, art, t1, t1, STORAGE_SPAM, "spam");
	r3 = comment(f, art, t3, t3, STORAGE_APPROVED, "r3");
	/* A page of threads oldest first, then their approved replies. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    storage_comments_public(f->st, "s", "k", 0, 0, 2, public_row, &s),
	    0);
	assert_seen(&s, 3, t1, t2, r1);
	/* Newest first. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    storage_comments_public(f->st, "s", "k", 1, 0, 2, public_row, &s),
	    0);
	assert_seen(&s, 3, t3, t2, r3);
	/* The next page. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    storage_comments_public(f->st, "s", "k", 0, 2, 2, public_row, &s),
	    0);
	assert_seen(&s, 2, t3, r3);
	/* No such article: nothing, no error. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_comments_public(f->st, "s", "none", 0, 0, 2,
	                                         public_row, &s),
	                 0);
	assert_int_equal(s.n, 0);
	/* Counts: approved only (5), threads only (3). */
	assert_int_equal(storage_comment_count(f->st, "s", "k", 0), 5);
	assert_int_equal(storage_comment_count(f->st, "s", "k", 1), 3);
	assert_int_equal(storage_comment_count(f->st, "s", "none", 0), 0);
	/* Approving one, or deleting one, moves the counts. */
	assert_int_equal(
	    storage_admin_set_status(f->st, pend, STORAGE_APPROVED, 200),
	    STORAGE_OK);
	assert_int_equal(storage_comment_count(f->st, "s", "k", 1), 4);
	assert_int_equal(storage_admin_delete(f->st, r3), STORAGE_OK);
	assert_int_equal(storage_comment_count(f->st, "s", "k", 0), 5);
	/* An official reply shows on the public comment. */
	assert_int_equal(
	    storage_admin_reply(f->st, t1, "Ban biên tập", "Cảm ơn", 300),
	    STORAGE_OK);
	memset(&s, 0, sizeof(s));
	assert_int_equal(
	    storage_comments_public(f->st, "s", "k", 0, 0, 1, public_row, &s),
	    0);
	assert_seen(&s, 2, t1, r1);
	assert_string_equal(s.text[0], "Cảm ơn");
	assert_string_equal(s.text[1], "(null)"); /* r1 has none */
}

struct count_row {
	int n, a_seen;
	long long a_views, a_comments;
};

static void
count_row(void *arg, const char *key, long long views, long long comments)
{
	struct count_row *c = arg;

	c->n++;
	if (strcmp(key, "a") == 0) {
		c->a_seen++;
		c->a_views = views;
		c->a_comments = comments;
	} else
		assert_string_equal(key, "b");
}

static void
test_counts(void **state)
{
	struct fx *f = *state;
	const char *keys[] = {"a", "b", "missing", "a", "c"};
	const char *many[STORAGE_MAX_COUNT_KEYS + 1];
	long long a = article(f, "s", "a");
	struct count_row c;
	size_t i;

	article(f, "s", "b");
	article(f, "t", "c"); /* another site's */
	assert_int_equal(storage_views_add(f->st, a, 1, 5), 0);
	comment(f, a, 0, 0, STORAGE_APPROVED, "x");
	comment(f, a, 0, 0, STORAGE_APPROVED, "y");
	comment(f, a, 0, 0, STORAGE_PENDING, "z");
	memset(&c, 0, sizeof(c));
	assert_int_equal(storage_counts(f->st, "s", keys, 5, count_row, &c), 0);
	/* a and b once each; missing and the other site's c not at all. */
	assert_int_equal(c.n, 2);
	assert_int_equal(c.a_seen, 1);
	assert_int_equal(c.a_views, 5);
	assert_int_equal(c.a_comments, 2);
	memset(&c, 0, sizeof(c));
	assert_int_equal(storage_counts(f->st, "s", keys, 0, count_row, &c), 0);
	assert_int_equal(c.n, 0);
	/* The most keys pass, one more is refused. */
	for (i = 0; i < STORAGE_MAX_COUNT_KEYS + 1; i++)
		many[i] = "a";
	memset(&c, 0, sizeof(c));
	assert_int_equal(storage_counts(f->st, "s", many,
	                                STORAGE_MAX_COUNT_KEYS, count_row, &c),
	                 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(storage_counts(f->st, "s", many,
	                                STORAGE_MAX_COUNT_KEYS + 1, count_row,
	                                &c),
	                 -1);
}

/* --- bans --- */

static void
ban_row(void *arg, const struct storage_ban *b)
{
	saw(arg, b->id, b->site);
}

struct one_ban {
	int n;
	long long expires_at;
	char kind[16], value[64], reason[32], by[32], site[16];
};

static void
ban_copy(void *arg, const struct storage_ban *b)
{
	struct one_ban *o = arg;

	o->n++;
	o->expires_at = b->expires_at;
	snprintf(o->kind, sizeof(o->kind), "%s", b->kind);
	snprintf(o->value, sizeof(o->value), "%s", b->value);
	snprintf(o->reason, sizeof(o->reason), "%s", b->reason);
	snprintf(o->by, sizeof(o->by), "%s", b->created_by);
	snprintf(o->site, sizeof(o->site), "%s",
	         b->site != NULL ? b->site : "(every)");
}

static void
test_bans(void **state)
{
	struct fx *f = *state;
	long long ip, mail, key, refused;
	struct one_ban o;
	struct seen s;

	assert_int_equal(
	    storage_ban_add(f->st, "ip", "h1", NULL, "spam", 0, 10, "mod", &ip),
	    0);
	assert_int_equal(storage_ban_add(f->st, "email", " Spam@Example.VN ",
	                                 "s", "", 1000, 11, "mod", &mail),
	                 0);
	assert_int_equal(storage_ban_add(f->st, "email", "key@example.vn", "",
	                                 "", 0, 12, "mod", &key),
	                 0);
	/* A kind the schema does not know is refused. */
	assert_int_equal(storage_ban_add(f->st, "name", "x", NULL, "", 0, 1,
	                                 "mod", &refused),
	                 -1);
	/* Addresses on every site. */
	assert_int_equal(storage_ban_match(f->st, "s", "h1", "", NULL, 500), 1);
	assert_int_equal(storage_ban_match(f->st, "t", "h1", "", NULL, 500), 1);
	assert_int_equal(storage_ban_match(f->st, "s", "h2", "", NULL, 500), 0);
	/* An e-mail ban is stored trimmed in lower case, holds on its site
	 * only, until it expires. */
	assert_int_equal(
	    storage_ban_match(f->st, "s", "h2", "spam@example.vn", NULL, 500),
	    1);
	assert_int_equal(
	    storage_ban_match(f->st, "t", "h2", "spam@example.vn", NULL, 500),
	    0);
	assert_int_equal(
	    storage_ban_match(f->st, "s", "h2", "spam@example.vn", NULL, 1000),
	    0);
	/* By the address's key too; site "" meant every site. */
	assert_int_equal(storage_ban_match(f->st, "t", "h2", "Other@Ex.vn",
	                                   "key@example.vn", 500),
	                 1);
	assert_int_equal(storage_ban_match(f->st, "t", "h2", "", "", 500), 0);
	/* Newest first. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_ban_list(f->st, ban_row, &s), 0);
	assert_seen(&s, 3, key, mail, ip);
	assert_string_equal(s.text[0], "(null)");
	assert_string_equal(s.text[1], "s");
	memset(&o, 0, sizeof(o));
	assert_int_equal(storage_ban_get(f->st, mail, ban_copy, &o),
	                 STORAGE_OK);
	assert_int_equal(o.n, 1);
	assert_string_equal(o.kind, "email");
	assert_string_equal(o.value, "spam@example.vn");
	assert_string_equal(o.by, "mod");
	assert_string_equal(o.site, "s");
	assert_int_equal(o.expires_at, 1000);
	memset(&o, 0, sizeof(o));
	assert_int_equal(storage_ban_get(f->st, ip, ban_copy, &o), STORAGE_OK);
	assert_string_equal(o.reason, "spam");
	assert_string_equal(o.site, "(every)");
	assert_int_equal(o.expires_at, 0); /* never */
	memset(&o, 0, sizeof(o));
	assert_int_equal(storage_ban_get(f->st, 999, ban_copy, &o),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(o.n, 0);
	/* Lifted once. */
	assert_int_equal(storage_ban_delete(f->st, ip), STORAGE_OK);
	assert_int_equal(storage_ban_delete(f->st, ip), STORAGE_NOT_FOUND);
	assert_int_equal(storage_ban_match(f->st, "s", "h1", "", NULL, 500), 0);
}

/* --- moderation --- */

static void
admin_row(void *arg, const struct storage_admin_comment *c)
{
	saw(arg, c->id, c->body);
}

struct one_admin {
	int n, status;
	unsigned int flags;
	long long parent_id, updated_at;
	char site[16], article[16], title[16], excerpt[32], name[32], email[32],
	    reply[32];
};

static void
admin_copy(void *arg, const struct storage_admin_comment *c)
{
	struct one_admin *o = arg;

	o->n++;
	o->status = c->status;
	o->flags = c->flags;
	o->parent_id = c->parent_id;
	o->updated_at = c->updated_at;
	snprintf(o->site, sizeof(o->site), "%s", c->site);
	snprintf(o->article, sizeof(o->article), "%s", c->article);
	snprintf(o->title, sizeof(o->title), "%s", c->article_title);
	snprintf(o->excerpt, sizeof(o->excerpt), "%s",
	         c->parent_excerpt != NULL ? c->parent_excerpt : "(null)");
	snprintf(o->name, sizeof(o->name), "%s", c->name);
	snprintf(o->email, sizeof(o->email), "%s", c->email);
	snprintf(o->reply, sizeof(o->reply), "%s",
	         c->reply_body != NULL ? c->reply_body : "(null)");
}

static void
test_admin_list_filters(void **state)
{
	struct fx *f = *state;
	struct storage_admin_filter flt;
	long long a = article(f, "s", "a"), b = article(f, "t", "b"), c1, c2,
	          c3, c4;
	struct storage_comment c;
	struct seen s;

	c1 = comment(f, a, 0, 0, STORAGE_PENDING, "mot hai");
	c2 = comment(f, a, 0, 0, STORAGE_APPROVED, "ba bon");
	c3 = comment(f, b, 0, 0, STORAGE_PENDING, "nam sau");
	memset(&c, 0, sizeof(c));
	c.article_id = a;
	c.status = STORAGE_SPAM;
	c.name = c.email = c.ip_hash = c.user_agent = "";
	c.body = c.search = "bay tam";
	c.flags = STORAGE_FLAG_LINKS | STORAGE_FLAG_HONEYPOT;
	c.created_at = 100;
	assert_int_equal(storage_comment_insert(f->st, &c, &c4), 0);
	memset(&flt, 0, sizeof(flt));
	flt.status = -1;
	flt.site = flt.article = flt.q = "";
	flt.limit = 10;
	/* Everything, newest first. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_admin_list(f->st, &flt, admin_row, &s), 0);
	assert_seen(&s, 4, c4, c3, c2, c1);
	/* Oldest first, from a cursor, with a limit. */
	flt.oldest_first = 1;
	flt.cursor = c1;
	flt.limit = 2;
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_admin_list(f->st, &flt, admin_row, &s), 0);
	assert_seen(&s, 2, c2, c3);
	/* Newest first below a cursor. */
	flt.oldest_first = 0;
	flt.cursor = c3;
	flt.limit = 10;
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_admin_list(f->st, &flt, admin_row, &s), 0);
	assert_seen(&s, 2, c2, c1);
	flt.cursor = 0;
	/* By status, site, article, search text and flag. */
	flt.status = STORAGE_PENDING;
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_admin_list(f->st, &flt, admin_row, &s), 0);
	assert_seen(&s, 2, c3, c1);
	flt.status = -1;
	flt.site = "t";
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_admin_list(f->st, &flt, admin_row, &s), 0);
	assert_seen(&s, 1, c3);
	flt.site = "s";
	flt.article = "a";
	flt.q = "bon";
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_admin_list(f->st, &flt, admin_row, &s), 0);
	assert_seen(&s, 1, c2);
	flt.q = "";
	flt.flags = STORAGE_FLAG_HONEYPOT;
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_admin_list(f->st, &flt, admin_row, &s), 0);
	assert_seen(&s, 1, c4);
	assert_string_equal(s.text[0], "bay tam");
}

static void
test_admin_get_change_delete(void **state)
{
	struct fx *f = *state;
	long long a = article(f, "s", "a"), top, reply;
	char ip[33], *name = NULL, *body = NULL, *email = NULL;
	struct storage_admin_filter flt;
	struct one_admin o;
	struct seen s;
	int status = -1;

	top = comment(f, a, 0, 0, STORAGE_PENDING, "the parent's body");
	reply = comment(f, a, top, top, STORAGE_PENDING, "a reply");
	memset(&o, 0, sizeof(o));
	assert_int_equal(storage_admin_get(f->st, reply, admin_copy, &o),
	                 STORAGE_OK);
	assert_int_equal(o.n, 1);
	assert_string_equal(o.site, "s");
	assert_string_equal(o.article, "a");
	assert_string_equal(o.title, "T");
	assert_int_equal(o.parent_id, top);
	assert_string_equal(o.excerpt, "the parent's body");
	assert_string_equal(o.email, "reader@example.vn");
	assert_string_equal(o.reply, "(null)");
	memset(&o, 0, sizeof(o));
	assert_int_equal(storage_admin_get(f->st, 999, admin_copy, &o),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(o.n, 0);
	/* Copies for the caller. */
	assert_int_equal(storage_admin_status_of(f->st, top, &status, ip,
	                                         sizeof(ip), &name, &body,
	                                         &email),
	                 STORAGE_OK);
	assert_int_equal(status, STORAGE_PENDING);
	assert_string_equal(ip, CHECK_COMMENT_IP_HASH);
	assert_string_equal(name, "Reader");
	assert_string_equal(body, "the parent's body");
	assert_string_equal(email, "reader@example.vn");
	free(name);
	free(body);
	free(email);
	assert_int_equal(storage_admin_status_of(f->st, top, &status, NULL, 0,
	                                         NULL, NULL, NULL),
	                 STORAGE_OK);
	assert_int_equal(storage_admin_status_of(f->st, 999, &status, NULL, 0,
	                                         NULL, NULL, NULL),
	                 STORAGE_NOT_FOUND);
	/* Each change names its outcome. */
	assert_int_equal(
	    storage_admin_set_status(f->st, top, STORAGE_REJECTED, 500),
	    STORAGE_OK);
	assert_int_equal(
	    storage_admin_set_status(f->st, 999, STORAGE_REJECTED, 500),
	    STORAGE_NOT_FOUND);
	assert_int_equal(storage_admin_edit(f->st, top, "Lan", "sửa rồi",
	                                    "lan sua roi", 600),
	                 STORAGE_OK);
	assert_int_equal(storage_admin_edit(f->st, 999, "x", "y", "z", 600),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(storage_admin_reply(f->st, top, "BBT", "Đã xem", 700),
	                 STORAGE_OK);
	assert_int_equal(storage_admin_reply(f->st, 999, "BBT", "x", 700),
	                 STORAGE_NOT_FOUND);
	memset(&o, 0, sizeof(o));
	assert_int_equal(storage_admin_get(f->st, top, admin_copy, &o),
	                 STORAGE_OK);
	assert_int_equal(o.status, STORAGE_REJECTED);
	assert_string_equal(o.name, "Lan");
	assert_string_equal(o.reply, "Đã xem");
	assert_int_equal(o.updated_at, 700);
	/* The new search text is what the filter finds. */
	memset(&flt, 0, sizeof(flt));
	flt.status = -1;
	flt.site = flt.article = "";
	flt.q = "sua roi";
	flt.limit = 10;
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_admin_list(f->st, &flt, admin_row, &s), 0);
	assert_seen(&s, 1, top);
	/* body NULL removes the reply. */
	assert_int_equal(storage_admin_reply(f->st, top, NULL, NULL, 800),
	                 STORAGE_OK);
	memset(&o, 0, sizeof(o));
	assert_int_equal(storage_admin_get(f->st, top, admin_copy, &o),
	                 STORAGE_OK);
	assert_string_equal(o.reply, "(null)");
	/* Deleted once; its reply stays, without a parent. */
	assert_int_equal(storage_admin_delete(f->st, top), STORAGE_OK);
	assert_int_equal(storage_admin_delete(f->st, top), STORAGE_NOT_FOUND);
	memset(&o, 0, sizeof(o));
	assert_int_equal(storage_admin_get(f->st, reply, admin_copy, &o),
	                 STORAGE_OK);
	assert_int_equal(o.parent_id, 0);
}

struct audit_rows {
	int n;
	long long id[MAX_SEEN];
	char what[MAX_SEEN][96];
};

static void
audit_row(void *arg, const struct storage_audit *a)
{
	struct audit_rows *r = arg;

	assert_true(r->n < MAX_SEEN);
	r->id[r->n] = a->id;
	snprintf(r->what[r->n], sizeof(r->what[0]),
	         "%lld %s %s %lld %s %s %s %s", a->at, a->user, a->action,
	         a->comment_id, a->ip_hash, a->before != NULL ? a->before : "-",
	         a->after != NULL ? a->after : "-",
	         a->detail != NULL ? a->detail : "-");
	r->n++;
}

static void
history_row(void *arg, const char *action, const char *user, long long at)
{
	struct seen *s = arg;
	char text[64];

	snprintf(text, sizeof(text), "%s %s", action, user);
	saw(s, at, text);
}

static void
test_audit(void **state)
{
	struct fx *f = *state;
	long long art = article(f, "s", "a"),
	          id = comment(f, art, 0, 0, STORAGE_PENDING, "x");
	struct audit_rows r;
	struct seen s;
	char want[3][96];
	long long newest;

	snprintf(want[0], sizeof(want[0]),
	         "30 boss edit %lld ip2 - - {\"n\":1}", id);
	snprintf(want[1], sizeof(want[1]), "20 cli user_add 0  - mod -");
	snprintf(want[2], sizeof(want[2]),
	         "10 mod approve %lld ip1 pending approved -", id);
	assert_int_equal(storage_audit_add(f->st, 10, "mod", "approve", id,
	                                   "ip1", "pending", "approved"),
	                 0);
	assert_int_equal(
	    storage_audit_add(f->st, 20, "cli", "user_add", 0, "", NULL, "mod"),
	    0);
	assert_int_equal(storage_audit_add_detail(f->st, 30, "boss", "edit", id,
	                                          "ip2", NULL, NULL,
	                                          "{\"n\":1}"),
	                 0);
	/* Newest first, every field as written. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(storage_audit_list(f->st, 0, 10, audit_row, &r), 0);
	assert_int_equal(r.n, 3);
	assert_true(r.id[0] > r.id[1] && r.id[1] > r.id[2]);
	assert_string_equal(r.what[0], want[0]);
	assert_string_equal(r.what[1], want[1]);
	assert_string_equal(r.what[2], want[2]);
	/* Paging: below an id, at most limit. */
	newest = r.id[0];
	memset(&r, 0, sizeof(r));
	assert_int_equal(storage_audit_list(f->st, newest, 1, audit_row, &r),
	                 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.what[0], want[1]);
	/* A comment's history, oldest first. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_admin_history(f->st, id, history_row, &s), 0);
	assert_seen(&s, 2, 10LL, 30LL);
	assert_string_equal(s.text[0], "approve mod");
	assert_string_equal(s.text[1], "edit boss");
}

struct stats_rows {
	long long s_pending, s_approved, t_spam;
	int n;
};

static void
stats_row(void *arg, const char *site, int status, long long n)
{
	struct stats_rows *r = arg;

	r->n++;
	if (strcmp(site, "s") == 0 && status == STORAGE_PENDING)
		r->s_pending = n;
	else if (strcmp(site, "s") == 0 && status == STORAGE_APPROVED)
		r->s_approved = n;
	else if (strcmp(site, "t") == 0 && status == STORAGE_SPAM)
		r->t_spam = n;
	else
		fail_msg("unexpected stats row %s %d %lld", site, status, n);
}

static void
test_stats(void **state)
{
	struct fx *f = *state;
	long long a = article(f, "s", "a"), b = article(f, "t", "b"), today,
	          oldest, p;
	struct stats_rows r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(
	    storage_stats(f->st, 0, stats_row, &r, &today, &oldest), 0);
	assert_int_equal(oldest, 0); /* none pending */
	comment_at(f, a, 0, 0, STORAGE_PENDING, "p1", 300);
	p = comment_at(f, a, 0, 0, STORAGE_PENDING, "p2", 200);
	comment_at(f, a, 0, 0, STORAGE_APPROVED, "ok", 50);
	comment_at(f, b, 0, 0, STORAGE_SPAM, "sp", 400);
	memset(&r, 0, sizeof(r));
	assert_int_equal(
	    storage_stats(f->st, 250, stats_row, &r, &today, &oldest), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.s_pending, 2);
	assert_int_equal(r.s_approved, 1);
	assert_int_equal(r.t_spam, 1);
	assert_int_equal(today, 2); /* created at or after 250 */
	assert_int_equal(oldest, 200);
	assert_int_equal(storage_admin_delete(f->st, p), STORAGE_OK);
	assert_int_equal(storage_stats(f->st, 250, stats_row,
	                               &(struct stats_rows){0}, &today,
	                               &oldest),
	                 0);
	assert_int_equal(oldest, 300);
}

/* --- accounts, sessions, outbox, one-click --- */

static void
user_row(void *arg, const struct storage_user *u)
{
	saw(arg, u->disabled, u->name);
}

static void
test_users(void **state)
{
	struct fx *f = *state;
	struct storage_user u;
	struct seen s;

	assert_int_equal(storage_user_add(f->st, "mod", "moderator", "h1", 5),
	                 STORAGE_OK);
	assert_int_equal(storage_user_add(f->st, "mod", "admin", "h2", 6),
	                 STORAGE_EXISTS);
	assert_int_equal(storage_user_add(f->st, "x", "superuser", "h", 7),
	                 STORAGE_ERROR);
	assert_int_equal(storage_user_add(f->st, "boss", "admin", "h3", 8),
	                 STORAGE_OK);
	assert_int_equal(storage_user_get(f->st, "mod", &u), STORAGE_OK);
	assert_string_equal(u.name, "mod");
	assert_string_equal(u.role, "moderator"); /* untouched */
	assert_string_equal(u.hash, "h1");
	assert_int_equal(u.disabled, 0);
	assert_int_equal(u.created_at, 5);
	assert_int_equal(u.last_login, 0);
	assert_int_equal(storage_user_get(f->st, "nobody", &u),
	                 STORAGE_NOT_FOUND);
	/* Changes, each to one user or to none. */
	assert_int_equal(storage_user_set_hash(f->st, "mod", "h9"), STORAGE_OK);
	assert_int_equal(storage_user_set_hash(f->st, "nobody", "h"),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(storage_user_set_disabled(f->st, "mod", 1),
	                 STORAGE_OK);
	assert_int_equal(storage_user_set_disabled(f->st, "nobody", 1),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(storage_user_logged_in(f->st, "mod", 99), STORAGE_OK);
	assert_int_equal(storage_user_logged_in(f->st, "nobody", 99),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(storage_user_get(f->st, "mod", &u), STORAGE_OK);
	assert_string_equal(u.hash, "h9");
	assert_int_equal(u.disabled, 1);
	assert_int_equal(u.last_login, 99);
	/* By name. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_user_list(f->st, user_row, &s), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.text[0], "boss");
	assert_string_equal(s.text[1], "mod");
	assert_int_equal(s.id[1], 1); /* disabled */
}

static void
test_sessions(void **state)
{
	struct fx *f = *state;
	const unsigned char h1[32] = "session-one", h2[32] = "session-two";
	struct storage_session se;

	assert_int_equal(storage_user_add(f->st, "mod", "moderator", "h", 1),
	                 STORAGE_OK);
	assert_int_equal(storage_session_add(f->st, h1, 32, "mod", 100, "ip"),
	                 0);
	/* A session needs its user. */
	assert_int_equal(
	    storage_session_add(f->st, h2, 32, "nobody", 100, "ip"), -1);
	assert_int_equal(storage_session_get(f->st, h1, 32, &se), STORAGE_OK);
	assert_string_equal(se.user, "mod");
	assert_string_equal(se.role, "moderator");
	assert_int_equal(se.created_at, 100);
	assert_int_equal(se.last_seen, 100);
	assert_int_equal(se.disabled, 0);
	assert_int_equal(storage_session_get(f->st, h2, 32, &se),
	                 STORAGE_NOT_FOUND);
	/* The user's state shows through. */
	assert_int_equal(storage_user_set_disabled(f->st, "mod", 1),
	                 STORAGE_OK);
	assert_int_equal(storage_session_get(f->st, h1, 32, &se), STORAGE_OK);
	assert_int_equal(se.disabled, 1);
	assert_int_equal(storage_session_touch(f->st, h1, 32, 200), STORAGE_OK);
	assert_int_equal(storage_session_touch(f->st, h2, 32, 200),
	                 STORAGE_NOT_FOUND);
	assert_int_equal(storage_session_get(f->st, h1, 32, &se), STORAGE_OK);
	assert_int_equal(se.last_seen, 200);
	/* Purged when idle since before 150 or created before 50: none;
	 * then idle since before 250: this one. */
	assert_int_equal(storage_session_purge(f->st, 150, 50), 0);
	assert_int_equal(storage_session_get(f->st, h1, 32, &se), STORAGE_OK);
	assert_int_equal(storage_session_purge(f->st, 250, 50), 1);
	assert_int_equal(storage_session_get(f->st, h1, 32, &se),
	                 STORAGE_NOT_FOUND);
	/* Created too long ago, however fresh. */
	assert_int_equal(storage_session_add(f->st, h2, 32, "mod", 300, "ip"),
	                 0);
	assert_int_equal(storage_session_purge(f->st, 0, 301), 1);
	/* A logout ends it once. */
	assert_int_equal(storage_session_add(f->st, h1, 32, "mod", 400, "ip"),
	                 0);
	assert_int_equal(storage_session_delete(f->st, h1, 32), STORAGE_OK);
	assert_int_equal(storage_session_delete(f->st, h1, 32),
	                 STORAGE_NOT_FOUND);
}

struct due_rows {
	int n;
	long long id[MAX_SEEN];
	int attempts[MAX_SEEN];
	char body[MAX_SEEN][16];
};

static void
due_row(void *arg, long long id, const char *site, const char *body,
        int attempts)
{
	struct due_rows *d = arg;

	assert_string_equal(site, "s");
	assert_true(d->n < MAX_SEEN);
	d->id[d->n] = id;
	d->attempts[d->n] = attempts;
	snprintf(d->body[d->n], sizeof(d->body[0]), "%s", body);
	d->n++;
}

static void
test_outbox(void **state)
{
	struct fx *f = *state;
	struct due_rows d;
	long long first;

	assert_int_equal(storage_outbox_add(f->st, "s", "{\"n\":1}", 10), 0);
	assert_int_equal(storage_outbox_add(f->st, "s", "{\"n\":2}", 20), 0);
	assert_int_equal(storage_outbox_add(f->st, "s", "{\"n\":3}", 30), 0);
	/* Due at 25: the first two, earliest first. */
	memset(&d, 0, sizeof(d));
	assert_int_equal(storage_outbox_due(f->st, 25, 10, due_row, &d), 0);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.body[0], "{\"n\":1}");
	assert_string_equal(d.body[1], "{\"n\":2}");
	assert_int_equal(d.attempts[0], 0);
	first = d.id[0];
	/* A failed delivery waits until next_at and counts an attempt. */
	assert_int_equal(storage_outbox_retry(f->st, first, 100, "HTTP 500"),
	                 STORAGE_OK);
	assert_int_equal(storage_outbox_retry(f->st, 999, 100, "x"),
	                 STORAGE_NOT_FOUND);
	memset(&d, 0, sizeof(d));
	assert_int_equal(storage_outbox_due(f->st, 25, 10, due_row, &d), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.body[0], "{\"n\":2}");
	memset(&d, 0, sizeof(d));
	assert_int_equal(storage_outbox_due(f->st, 100, 10, due_row, &d), 0);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.body[2], "{\"n\":1}");
	assert_int_equal(d.attempts[2], 1);
	/* The limit holds. */
	memset(&d, 0, sizeof(d));
	assert_int_equal(storage_outbox_due(f->st, 100, 1, due_row, &d), 0);
	assert_int_equal(d.n, 1);
	/* Delivered: gone, once. */
	assert_int_equal(storage_outbox_delete(f->st, first), STORAGE_OK);
	assert_int_equal(storage_outbox_delete(f->st, first),
	                 STORAGE_NOT_FOUND);
	memset(&d, 0, sizeof(d));
	assert_int_equal(storage_outbox_due(f->st, 100, 10, due_row, &d), 0);
	assert_int_equal(d.n, 2);
}

static void
test_oneclick(void **state)
{
	struct fx *f = *state;
	const unsigned char n1[16] = "nonce-one", n2[16] = "nonce-two";

	assert_int_equal(storage_oneclick_use(f->st, n1, 16, 100), STORAGE_OK);
	assert_int_equal(storage_oneclick_use(f->st, n1, 16, 100),
	                 STORAGE_CONFLICT);
	assert_int_equal(storage_oneclick_use(f->st, n2, 16, 100), STORAGE_OK);
}

/* Imports: once per import_id, under a parent stored before, and the
 * last step for parents that came later (never a loop). */
static void
test_imports(void **state)
{
	struct fx *f = *state;
	struct storage_import_comment c;
	long long art, other, top, reply, late, id, linked, orphans, a, root;
	int status;

	assert_int_equal(
	    storage_article_upsert(f->st, "s", "k", "", "", 1, &art), 0);
	assert_int_equal(
	    storage_article_upsert(f->st, "s", "k2", "", "", 1, &other), 0);
	memset(&c, 0, sizeof(c));
	c.article_id = art;
	c.import_id = "s:disqus:1";
	c.import_parent = "";
	c.status = 1;
	c.name = "Lan";
	c.email = "";
	c.body = "Đầu tiên";
	c.search = "dau tien";
	c.created_at = 100;
	assert_int_equal(storage_import_comment(f->st, &c, &top), STORAGE_OK);
	/* The same comment again adds nothing. */
	assert_int_equal(storage_import_comment(f->st, &c, &id),
	                 STORAGE_EXISTS);
	assert_int_equal(storage_comment_count(f->st, "s", "k", 1), 1);
	/* A reply to a stored parent is linked at once. */
	c.import_id = "s:disqus:2";
	c.import_parent = "s:disqus:1";
	c.body = "Trả lời";
	assert_int_equal(storage_import_comment(f->st, &c, &reply), STORAGE_OK);
	assert_int_equal(
	    storage_comment_parent(f->st, reply, &a, &status, &root),
	    STORAGE_OK);
	assert_int_equal(root, top);
	/* A reply whose parent comes later, one to a parent of another
	 * article, and one to a parent that never comes. */
	c.import_id = "s:disqus:4";
	c.import_parent = "s:disqus:3";
	assert_int_equal(storage_import_comment(f->st, &c, &late), STORAGE_OK);
	c.import_id = "s:disqus:5";
	c.import_parent = "s:disqus:1";
	c.article_id = other;
	assert_int_equal(storage_import_comment(f->st, &c, &id), STORAGE_OK);
	c.article_id = art;
	c.import_id = "s:disqus:6";
	c.import_parent = "s:disqus:99";
	assert_int_equal(storage_import_comment(f->st, &c, &id), STORAGE_OK);
	c.import_id = "s:disqus:3";
	c.import_parent = "s:disqus:2";
	assert_int_equal(storage_import_comment(f->st, &c, &id), STORAGE_OK);
	/* Another import's prefix is left alone. */
	assert_int_equal(storage_import_link(f->st, "t:", &linked, &orphans),
	                 0);
	assert_int_equal(linked, 0);
	assert_int_equal(orphans, 0);
	assert_int_equal(storage_import_link(f->st, "s:", &linked, &orphans),
	                 0);
	assert_int_equal(linked, 1);  /* 4 under 3 */
	assert_int_equal(orphans, 2); /* 5 (other article) and 6 */
	assert_int_equal(
	    storage_comment_parent(f->st, late, &a, &status, &root),
	    STORAGE_OK);
	assert_int_equal(root, top); /* 4 -> 3 -> 2 -> 1 */
	assert_int_equal(storage_comment_count(f->st, "s", "k", 0), 5);
	/* Threads: 1 and the orphan 6 (the counts of migration 0006). */
	assert_int_equal(storage_comment_count(f->st, "s", "k", 1), 2);
	/* Done: a second last step finds nothing. */
	assert_int_equal(storage_import_link(f->st, "s:", &linked, &orphans),
	                 0);
	assert_int_equal(linked + orphans, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_open_schema_ping),
	    T(test_transactions_and_savepoints),
	    T(test_readers_and_generation),
	    T(test_maintenance_and_backup),
	    T(test_articles),
	    T(test_spent_tokens),
	    T(test_views),
	    T(test_flags_table),
	    T(test_comment_insert_parent_duplicate),
	    T(test_comments_public_and_count),
	    T(test_counts),
	    T(test_bans),
	    T(test_admin_list_filters),
	    T(test_admin_get_change_delete),
	    T(test_audit),
	    T(test_stats),
	    T(test_users),
	    T(test_sessions),
	    T(test_outbox),
	    T(test_oneclick),
	    T(test_imports),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
