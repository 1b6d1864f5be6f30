/*
 * Unit tests of the comment submission pipeline (comments.h) without a
 * socket: a real app (config, secrets, SQLite file, writer thread) in a
 * temporary directory, and submissions built as struct comment_input.
 * Each test makes one step refuse (or mark) a submission that is
 * otherwise good, and checks the status and code of that step.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <jansson.h>
#include <cmocka.h>

#include "app.h"
#include "challenge.h"
#include "comments.h"
#include "config.h"
#include "harness.h"
#include "log.h"
#include "storage.h"
#include "token.h"
#include "writer.h"

#define SELF "http://127.0.0.1:8080"

struct fx {
	char dir[64];
	struct config *cfg;
	struct app app;
	int writer_started;
	time_t now;
	/* A good submission: each test spoils one thing. */
	struct comment_input in;
	char token[TOKEN_MAX_TEXT + 1], answer[16];
	/* The outcome of the last write. */
	pthread_mutex_t mu;
	pthread_cond_t cond;
	int written;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char text[1024];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/bandoc-comments-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(text, sizeof(text),
	         "[server]\ndata_dir = %s/var\nfonts_dir = %s/fonts\n"
	         "public_url = " SELF "\naccess_log = off\n"
	         "[site.s]\norigins = https://news.example\n"
	         "moderation = off\ncomments_per_minute = 2\n"
	         "blocked_words = casino\nwatched_words = crypto\n"
	         "max_links = 1\narticle_pattern = ^a[0-9]+$\n",
	         f->dir, BANDOC_SOURCE_DIR);
	f->cfg = config_load_string(text, NULL, NULL);
	assert_non_null(f->cfg);
	assert_int_equal(app_open(&f->app, f->cfg), 0);
	assert_int_equal(pthread_mutex_init(&f->mu, NULL), 0);
	assert_int_equal(pthread_cond_init(&f->cond, NULL), 0);
	f->now = time(NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128], out[64];

	app_close(&f->app);
	config_free(f->cfg);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->mu);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	run_cmd(cmd, out, sizeof(out));
	free(f);
	return 0;
}

static struct comment_text
txt(const char *s)
{
	struct comment_text t = {s, s != NULL ? strlen(s) : 0};

	return t;
}

/* A fresh no-JS CAPTCHA for article, issued 10 s ago, and its answer. */
static void
captcha(struct fx *f, const char *article)
{
	char path[128];

	assert_int_equal(challenge_issue(f->app.challenge, f->in.site, article,
	                                 TOKEN_KIND_IMAGE_NOJS, 0, f->now - 10,
	                                 f->token, sizeof(f->token)),
	                 0);
	snprintf(path, sizeof(path), "%s/var/secrets", f->dir);
	assert_int_equal(
	    test_token_answer(path, f->token, f->answer, sizeof(f->answer)), 0);
	f->in.captcha.token = f->token;
	f->in.captcha.tlen = strlen(f->token);
	f->in.captcha.answer = f->answer;
	f->in.captcha.alen = strlen(f->answer);
}

/* A good submission of body from 192.0.2.<host>. */
static void
good(struct fx *f, const char *body, int host)
{
	memset(&f->in, 0, sizeof(f->in));
	f->in.site = comments_site(f->cfg, "s");
	assert_non_null(f->in.site);
	f->in.lang = "en";
	f->in.article = txt("a1");
	f->in.name = txt("Lan");
	f->in.email = txt("");
	f->in.body = txt(body);
	f->in.title = txt("A title");
	f->in.url = txt("https://news.example/a1");
	f->in.user_agent = "test";
	f->in.family = AF_INET;
	f->in.addr[0] = 192;
	f->in.addr[2] = 2;
	f->in.addr[3] = (unsigned char)host;
	f->in.origin_allowed = 1;
	f->in.self_origin = SELF;
	f->in.now = f->now;
	captcha(f, "a1");
}

/* comments_check, which must refuse with status and code. */
static void
refused(struct fx *f, unsigned int status, const char *code, const char *field)
{
	struct comment_error err;
	struct comment_sub *sub = comments_check(&f->app, &f->in, &err);

	comments_sub_free(sub);
	assert_null(sub);
	assert_int_equal(err.status, status);
	assert_string_equal(err.code, code);
	if (field != NULL)
		assert_non_null(json_object_get(err.fields, field));
	json_decref(err.fields);
}

static void
done(struct comment_sub *sub, void *arg)
{
	struct fx *f = arg;

	(void)sub;
	pthread_mutex_lock(&f->mu);
	f->written = 1;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->mu);
}

/* Checks and stores f->in; the error of the write (NULL: stored) is
 * copied into *out, the id and approval into *id, *approved. */
static const struct comment_error *
submit(struct fx *f, struct comment_error *out, long long *id, int *approved)
{
	struct comment_error err;
	const struct comment_error *e;
	struct comment_sub *sub;

	sub = comments_check(&f->app, &f->in, &err);
	if (sub == NULL)
		print_error("refused: %u %s\n", err.status, err.code);
	assert_non_null(sub);
	if (!f->writer_started) {
		assert_int_equal(writer_start(f->app.writer), 0);
		f->writer_started = 1;
	}
	f->written = 0;
	assert_int_equal(comments_store(&f->app, sub, done, f, &err), 0);
	pthread_mutex_lock(&f->mu);
	while (!f->written)
		pthread_cond_wait(&f->cond, &f->mu);
	pthread_mutex_unlock(&f->mu);
	e = comments_sub_result(sub, id, approved);
	if (e != NULL) {
		*out = *e;
		out->fields = NULL;
	}
	comments_sub_free(sub);
	return e != NULL ? out : NULL;
}

struct row {
	int found, status;
	unsigned int flags;
};

static void
row_of(void *arg, const struct storage_admin_comment *c)
{
	struct row *r = arg;

	r->found = 1;
	r->status = c->status;
	r->flags = c->flags;
}

/* Stores f->in, which must succeed, and returns its row. */
static struct row
stored(struct fx *f)
{
	struct comment_error err;
	struct row r = {0, -1, 0};
	long long id;
	int approved;

	assert_null(submit(f, &err, &id, &approved));
	assert_true(id > 0);
	assert_int_equal(storage_admin_get(app_reader(&f->app), id, row_of, &r),
	                 0);
	assert_int_equal(approved, r.status == STORAGE_APPROVED);
	return r;
}

/* The control: a good submission is published (moderation is off). */
static void
test_good_is_approved(void **state)
{
	struct fx *f = *state;
	struct row r;

	good(f, "A fine article.", 1);
	r = stored(f);
	assert_int_equal(r.status, STORAGE_APPROVED);
	assert_int_equal(r.flags, 0);
}

static void
test_unknown_site(void **state)
{
	struct fx *f = *state;

	good(f, "Hello.", 1);
	assert_null(comments_site(f->cfg, "nope"));
	f->in.site = NULL;
	refused(f, 400, "unknown_site", "site");
}

static void
test_missing_body(void **state)
{
	struct fx *f = *state;

	good(f, "Hello.", 1);
	f->in.body = txt(NULL);
	refused(f, 400, "invalid_fields", "body");
}

static void
test_long_name(void **state)
{
	struct fx *f = *state;
	char name[82];

	good(f, "Hello.", 1);
	memset(name, 'x', 81);
	name[81] = '\0';
	f->in.name = txt(name);
	refused(f, 400, "invalid_fields", "name");
	name[80] = '\0'; /* 80 characters are allowed */
	f->in.name = txt(name);
	assert_int_equal(stored(f).status, STORAGE_APPROVED);
}

static void
test_bad_utf8(void **state)
{
	struct fx *f = *state;

	good(f, "Hello.", 1);
	f->in.body = txt("caf\xc3");
	refused(f, 400, "invalid_utf8", "body");
}

static void
test_nul_byte(void **state)
{
	struct fx *f = *state;
	struct comment_text t = {"Hel\0lo", 6};

	good(f, "Hello.", 1);
	f->in.body = t;
	refused(f, 400, "invalid_utf8", "body");
}

static void
test_bad_article_and_url(void **state)
{
	struct fx *f = *state;

	good(f, "Hello.", 1);
	f->in.article = txt("b1"); /* not the site's pattern */
	refused(f, 400, "invalid_fields", "article");
	good(f, "Hello.", 1);
	f->in.url = txt("https://elsewhere.example/a1");
	refused(f, 400, "invalid_fields", "article_url");
	good(f, "Hello.", 1);
	f->in.email = txt("not an address");
	refused(f, 400, "invalid_fields", "email");
	good(f, "Hello.", 1);
	f->in.parent_id = "12x";
	refused(f, 400, "invalid_fields", "parent_id");
}

static void
test_captcha_answer_missing(void **state)
{
	struct fx *f = *state;

	good(f, "Hello.", 1);
	f->in.captcha.answer = NULL;
	f->in.captcha.alen = 0;
	refused(f, 400, "invalid_fields", "captcha_answer");
}

static void
test_origin_refused(void **state)
{
	struct fx *f = *state;

	good(f, "Hello.", 1);
	f->in.origin_allowed = 0;
	refused(f, 403, "origin_refused", NULL);
}

static void
test_captcha_wrong(void **state)
{
	struct fx *f = *state;

	good(f, "Hello.", 1);
	f->in.captcha.answer = "!!!!";
	f->in.captcha.alen = 4;
	refused(f, 403, "captcha_invalid", "captcha_answer");
	/* Spent by the wrong answer: the right one comes too late. */
	f->in.captcha.answer = f->answer;
	f->in.captcha.alen = strlen(f->answer);
	refused(f, 403, "captcha_used", NULL);
}

static void
test_captcha_token_missing(void **state)
{
	struct fx *f = *state;

	good(f, "Hello.", 1);
	f->in.captcha.token = NULL;
	f->in.captcha.tlen = 0;
	refused(f, 403, "captcha_invalid", "captcha_answer");
}

static void
test_captcha_expired(void **state)
{
	struct fx *f = *state;

	good(f, "Hello.", 1);
	f->in.now = f->now + 3600; /* captcha_ttl is 600 */
	refused(f, 403, "captcha_expired", NULL);
}

static void
test_rate_limited(void **state)
{
	struct fx *f = *state;
	struct comment_error err;
	struct comment_sub *sub;

	/* comments_per_minute = 2; a third client is not counted. */
	good(f, "One.", 1);
	assert_int_equal(stored(f).status, STORAGE_APPROVED);
	good(f, "Two.", 1);
	assert_int_equal(stored(f).status, STORAGE_APPROVED);
	good(f, "Three.", 2);
	assert_int_equal(stored(f).status, STORAGE_APPROVED);
	good(f, "Four.", 1);
	sub = comments_check(&f->app, &f->in, &err);
	comments_sub_free(sub);
	assert_null(sub);
	assert_int_equal(err.status, 429);
	assert_string_equal(err.code, "rate_limited");
	assert_true(err.retry_after > 0);
	json_decref(err.fields);
}

static void
test_banned_is_spam(void **state)
{
	struct fx *f = *state;
	char hash[STORAGE_HASH_BYTES * 2 + 1];
	long long id;
	struct row r;

	good(f, "Hello.", 7);
	app_ip_hash(&f->app, AF_INET, f->in.addr, hash);
	/* Before the writer starts, its connection is free. */
	assert_int_equal(storage_ban_add(f->app.st, "ip", hash, NULL, "test", 0,
	                                 (long long)f->now, "test", &id),
	                 0);
	r = stored(f);
	assert_int_equal(r.status, STORAGE_SPAM);
	assert_int_equal(r.flags, STORAGE_FLAG_BANNED);
}

static void
test_honeypot(void **state)
{
	struct fx *f = *state;
	struct comment_error err;
	long long id;
	int approved;
	struct row r = {0, -1, 0};

	/* On a new article nothing is written, and the reply is alike. */
	good(f, "Hello.", 1);
	f->in.honeypot = "http://spam.example";
	assert_null(submit(f, &err, &id, &approved));
	assert_true(id > 0);
	assert_int_equal(approved, 0);
	assert_int_equal(storage_admin_get(app_reader(&f->app), id, row_of, &r),
	                 1);
	/* On an article that exists it is stored as spam, words unread. */
	good(f, "A first comment.", 2);
	assert_int_equal(stored(f).status, STORAGE_APPROVED);
	good(f, "casino", 3);
	f->in.honeypot = "x";
	r = stored(f);
	assert_int_equal(r.status, STORAGE_SPAM);
	assert_int_equal(r.flags, STORAGE_FLAG_HONEYPOT);
}

static void
test_words_and_links(void **state)
{
	struct fx *f = *state;
	struct row r;

	good(f, "Play CASINO now.", 1);
	r = stored(f);
	assert_int_equal(r.status, STORAGE_SPAM);
	assert_int_equal(r.flags, STORAGE_FLAG_BLOCKED);
	good(f, "Hello.", 2);
	f->in.name = txt("casino");
	r = stored(f);
	assert_int_equal(r.status, STORAGE_SPAM);
	assert_int_equal(r.flags, STORAGE_FLAG_BLOCKED);
	good(f, "About crypto.", 3);
	r = stored(f);
	assert_int_equal(r.status, STORAGE_PENDING);
	assert_int_equal(r.flags, STORAGE_FLAG_WATCHED);
	good(f, "See https://a.example and https://b.example", 4);
	r = stored(f);
	assert_int_equal(r.status, STORAGE_PENDING);
	assert_int_equal(r.flags, STORAGE_FLAG_LINKS);
}

static void
test_duplicate(void **state)
{
	struct fx *f = *state;
	struct comment_error err;
	const struct comment_error *e;
	long long id;
	int approved;

	good(f, "Same words.", 1);
	assert_int_equal(stored(f).status, STORAGE_APPROVED);
	good(f, "Same words.", 2);
	e = submit(f, &err, &id, &approved);
	assert_non_null(e);
	assert_int_equal(e->status, 409);
	assert_string_equal(e->code, "duplicate");
}

static void
test_bad_parent(void **state)
{
	struct fx *f = *state;
	struct comment_error err;
	const struct comment_error *e;
	long long id;
	int approved;

	good(f, "A reply.", 1);
	f->in.parent_id = "999";
	e = submit(f, &err, &id, &approved);
	assert_non_null(e);
	assert_int_equal(e->status, 400);
	assert_string_equal(e->code, "invalid_parent");
}

static void
test_store_refused_when_writer_stops(void **state)
{
	struct fx *f = *state;
	struct comment_error err;
	struct comment_sub *sub;

	good(f, "Hello.", 1);
	sub = comments_check(&f->app, &f->in, &err);
	assert_non_null(sub);
	/* Never started: writer_submit refuses, done is not called. */
	f->written = 0;
	assert_int_equal(comments_store(&f->app, sub, done, f, &err), -1);
	assert_int_equal(err.status, 503);
	assert_string_equal(err.code, "unavailable");
	assert_int_equal(f->written, 0);
	comments_sub_free(sub);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_good_is_approved),
	    T(test_unknown_site),
	    T(test_missing_body),
	    T(test_long_name),
	    T(test_bad_utf8),
	    T(test_nul_byte),
	    T(test_bad_article_and_url),
	    T(test_captcha_answer_missing),
	    T(test_origin_refused),
	    T(test_captcha_wrong),
	    T(test_captcha_token_missing),
	    T(test_captcha_expired),
	    T(test_rate_limited),
	    T(test_banned_is_spam),
	    T(test_honeypot),
	    T(test_words_and_links),
	    T(test_duplicate),
	    T(test_bad_parent),
	    T(test_store_refused_when_writer_stops),
	};

	log_set_level(LOG_LEVEL_WARN);
	return harness_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
