/*
 * Integration tests of reader comments over HTTP: every step of the
 * submission pipeline with its error code, listing, ETag, counts,
 * durability across SIGKILL, and the no-JavaScript pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <curl/curl.h>
#include <jansson.h>
#include <cmocka.h>

#include "checks.h"
#include "harness.h"
#include "pow.h"

static struct daemon d;
static const char *ORIGIN = "Origin: https://baolamdong.vn";

static int
setup(void **state)
{
	*state = &d;
	return daemon_launch(
	    &d, "",
	    "[site.lamdong]\norigins = https://baolamdong.vn\n"
	    "captcha_min_solve = 0\ncaptcha_per_minute = 10000\n"
	    "captcha_per_hour = 100000\ncaptcha_fail_limit = 1000\n"
	    "comments_per_minute = 1000\ncomments_per_hour = 10000\n"
	    "blocked_words = lừa đảo, cờ bạc\nwatched_words = khuyến mãi\n"
	    "max_links = 1\n"
	    "[site.open]\norigins = https://open.vn\nmoderation = off\n"
	    "captcha_min_solve = 0\ncomments_per_minute = 2\n"
	    "require_email = on\nlang = en\n"
	    "[site.fresh]\norigins = https://fresh.vn\nmoderation = off\n"
	    "captcha_min_solve = 0\ncomments_per_minute = 100\n");
}

/*
 * A challenge with its answer and its solved proof of work; token gets
 * "TOKEN&altcha=PAYLOAD" so that "captcha_token=%s" sends both, as the
 * widget does.
 */
static void
captcha(const char *site, const char *article, char *token, size_t tsz,
        char *answer, size_t asz)
{
	char pow[POW_PAYLOAD_MAX * 2];
	size_t n;

	assert_int_equal(test_captcha(&d, site, article, token, tsz, answer,
	                              asz, pow, sizeof(pow)),
	                 0);
	n = strlen(token);
	assert_true(n + strlen("&altcha=") + strlen(pow) < tsz);
	snprintf(token + n, tsz - n, "&altcha=%s", pow);
}

/* URL-encodes into a static-sized buffer. */
static void
enc(const char *s, char *out, size_t outsz)
{
	char *e = curl_easy_escape(NULL, s, 0);

	snprintf(out, outsz, "%s", e);
	curl_free(e);
}

/* Posts a comment with a valid CAPTCHA unless answer is given. */
static json_t *
post(const char *site, const char *article, const char *name, const char *body,
     const char *extra, const char *origin, const char *answer, long *status)
{
	char token[2560], ans[16], form[16384], en[4096], eb[8192];
	const char *h[2] = {origin, NULL};
	json_t *j;

	captcha(site, article, token, sizeof(token), ans, sizeof(ans));
	enc(name, en, sizeof(en));
	enc(body, eb, sizeof(eb));
	snprintf(form, sizeof(form),
	         "site=%s&article=%s&name=%s&body=%s&captcha_token=%s&"
	         "captcha_answer=%s%s",
	         site, article, en, eb, token, answer != NULL ? answer : ans,
	         extra != NULL ? extra : "");
	assert_int_equal(http_json(&d, "POST", "/api/v1/comments",
	                           "application/x-www-form-urlencoded", form,
	                           origin ? h : NULL, status, &j),
	                 0);
	return j;
}

static long long
sql_int(const char *query)
{
	return check_sql_int(&d, query);
}

static void
sql(const char *query)
{
	(void)sql_int(query);
}

static void
test_submit_pending_and_nfc(void **state)
{
	long st;
	json_t *j;
	char q[256];
	long long id;

	(void)state;
	/* Decomposed Vietnamese is stored precomposed (NFC). */
	j = post("lamdong", "a1", "Nguye\xcc\x82\xcc\x83n Va\xcc\x86n A",
	         "Bài viết hay.\n\n\n\nCảm ơn.", NULL, ORIGIN, NULL, &st);
	assert_int_equal(st, 202);
	assert_string_equal(json_string_value(json_object_get(j, "status")),
	                    "pending");
	assert_non_null(strstr(json_string_value(json_object_get(j, "message")),
	                       "chờ duyệt"));
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	snprintf(
	    q, sizeof(q),
	    "SELECT name = 'Nguyễn Văn A' AND body = 'Bài viết hay.' || "
	    "char(10) || char(10) || 'Cảm ơn.' AND status = 0 FROM comment "
	    "WHERE id = %lld",
	    id);
	assert_int_equal(sql_int(q), 1);
	/* Never the raw address. */
	snprintf(q, sizeof(q),
	         "SELECT count(*) FROM comment WHERE ip_hash LIKE '%%127.0%%'");
	assert_int_equal(sql_int(q), 0);
}

static void
test_field_errors(void **state)
{
	char big[5000];
	long st;
	json_t *j, *f;

	(void)state;
	j = post("lamdong", "a1", "", "", NULL, ORIGIN, NULL, &st);
	assert_int_equal(st, 400);
	assert_string_equal(test_error_code(j), "invalid_fields");
	f = json_object_get(json_object_get(j, "error"), "fields");
	assert_non_null(json_object_get(f, "name"));
	assert_non_null(json_object_get(f, "body"));
	json_decref(j);
	memset(big, 'x', 4001);
	big[4001] = '\0';
	j = post("lamdong", "a1", "A", big, NULL, ORIGIN, NULL, &st);
	assert_int_equal(st, 400);
	assert_non_null(json_object_get(
	    json_object_get(json_object_get(j, "error"), "fields"), "body"));
	json_decref(j);
	j = post("lamdong", "a1", "A", "ok body", "&email=not-an-email", ORIGIN,
	         NULL, &st);
	assert_int_equal(st, 400);
	assert_non_null(json_object_get(
	    json_object_get(json_object_get(j, "error"), "fields"), "email"));
	json_decref(j);
	j = post("lamdong", "a1", "A", "ok body",
	         "&article_url=https%3A%2F%2Fevil.example%2Fx", ORIGIN, NULL,
	         &st);
	assert_int_equal(st, 400);
	json_decref(j);
	/* Invalid UTF-8. */
	j = post("lamdong", "a1", "A", "ok body", "&name=%C3%28", ORIGIN, NULL,
	         &st);
	assert_int_equal(st, 400);
	json_decref(j);
	j = post("lamdong", "a1", "A\xff", "x", NULL, ORIGIN, NULL, &st);
	assert_int_equal(st, 400);
	assert_string_equal(test_error_code(j), "invalid_utf8");
	json_decref(j);
	/* The site requires an e-mail address. */
	j = post("open", "a1", "A", "body", NULL, "Origin: https://open.vn",
	         NULL, &st);
	assert_int_equal(st, 400);
	assert_non_null(json_object_get(
	    json_object_get(json_object_get(j, "error"), "fields"), "email"));
	json_decref(j);
}

static void
test_origin_and_captcha_codes(void **state)
{
	long st;
	json_t *j;

	(void)state;
	j = post("lamdong", "a2", "A", "origin test", NULL, NULL, NULL, &st);
	assert_int_equal(st, 403);
	assert_string_equal(test_error_code(j), "origin_refused");
	json_decref(j);
	j = post("lamdong", "a2", "A", "origin test", NULL,
	         "Origin: https://evil.example", NULL, &st);
	assert_int_equal(st, 403);
	json_decref(j);
	j = post("lamdong", "a2", "A", "origin test", NULL,
	         "Referer: https://baolamdong.vn/bai-viet/1", NULL, &st);
	assert_int_equal(st, 202);
	json_decref(j);
	j = post("lamdong", "a2", "A", "captcha test", NULL, ORIGIN, "WRONG",
	         &st);
	assert_int_equal(st, 403);
	assert_string_equal(test_error_code(j), "captcha_invalid");
	json_decref(j);
}

static void
test_captcha_used_and_scope(void **state)
{
	char token[2560], ans[16], form[4096];
	const char *h[] = {ORIGIN, NULL};
	struct reply r;

	(void)state;
	captcha("lamdong", "a3", token, sizeof(token), ans, sizeof(ans));
	snprintf(form, sizeof(form),
	         "site=lamdong&article=a3&name=A&body=one"
	         "&captcha_token=%s&captcha_answer=%s",
	         token, ans);
	assert_int_equal(http_do(&d, "POST", "/api/v1/comments",
	                         "application/x-www-form-urlencoded", form, h,
	                         &r),
	                 0);
	assert_int_equal(r.status, 202);
	reply_free(&r);
	snprintf(form, sizeof(form),
	         "site=lamdong&article=a3&name=A&body=two"
	         "&captcha_token=%s&captcha_answer=%s",
	         token, ans);
	assert_int_equal(http_do(&d, "POST", "/api/v1/comments",
	                         "application/x-www-form-urlencoded", form, h,
	                         &r),
	                 0);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "captcha_used"));
	reply_free(&r);
	/* A challenge of another article does not pass here. */
	captcha("lamdong", "other", token, sizeof(token), ans, sizeof(ans));
	snprintf(form, sizeof(form),
	         "site=lamdong&article=a3&name=A&body=three"
	         "&captcha_token=%s&captcha_answer=%s",
	         token, ans);
	assert_int_equal(http_do(&d, "POST", "/api/v1/comments",
	                         "application/x-www-form-urlencoded", form, h,
	                         &r),
	                 0);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "captcha_invalid"));
	reply_free(&r);
}

static void
test_honeypot_filter_links_ban(void **state)
{
	long st;
	json_t *j;
	long long id, articles, comments;
	char q[256];
	int i;

	(void)state;
	/*
	 * The honeypot is no way around the CAPTCHA and the limits (it once
	 * was: a filled honeypot skipped to storing, so eight posts without
	 * any token made eight articles and eight rows).
	 */
	articles = sql_int("SELECT count(*) FROM article");
	comments = sql_int("SELECT count(*) FROM comment");
	for (i = 0; i < 8; i++) {
		char key[32];

		snprintf(key, sizeof(key), "hp-%d", i);
		j = post("lamdong", key, "Bot", "buy now",
		         "&website=http%3A%2F%2Fx", ORIGIN, "WRONG", &st);
		assert_int_equal(st, 403);
		json_decref(j);
	}
	assert_int_equal(sql_int("SELECT count(*) FROM article"), articles);
	assert_int_equal(sql_int("SELECT count(*) FROM comment"), comments);
	/* With a solved CAPTCHA, on a new article: the reply of a success
	 * (the next id), and nothing written, no article made. */
	j = post("lamdong", "hp-new", "Bot", "buy now",
	         "&website=http%3A%2F%2Fx", ORIGIN, NULL, &st);
	assert_int_equal(st, 202);
	assert_string_equal(json_string_value(json_object_get(j, "status")),
	                    "pending");
	id = json_integer_value(json_object_get(j, "id"));
	assert_int_equal(id, sql_int("SELECT max(id) FROM comment") + 1);
	json_decref(j);
	assert_int_equal(sql_int("SELECT count(*) FROM article"), articles);
	assert_int_equal(sql_int("SELECT count(*) FROM comment"), comments);
	/* On an article that exists: stored as spam, flagged honeypot. */
	j = post("lamdong", "a4", "A", "hello", NULL, ORIGIN, NULL, &st);
	assert_int_equal(st, 202);
	json_decref(j);
	j = post("lamdong", "a4", "Bot", "buy now", "&website=http%3A%2F%2Fx",
	         ORIGIN, NULL, &st);
	assert_int_equal(st, 202);
	assert_string_equal(json_string_value(json_object_get(j, "status")),
	                    "pending");
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	snprintf(q, sizeof(q), "SELECT status FROM comment WHERE id = %lld",
	         id);
	assert_int_equal(sql_int(q), 3);
	/* A blocked word, written without diacritics and in capitals. */
	j = post("lamdong", "a4", "A", "Day la LUA DAO!", NULL, ORIGIN, NULL,
	         &st);
	assert_int_equal(st, 202);
	snprintf(q, sizeof(q), "SELECT status FROM comment WHERE id = %lld",
	         (long long)json_integer_value(json_object_get(j, "id")));
	assert_int_equal(sql_int(q), 3);
	json_decref(j);
	/* Joined by punctuation or symbols: still the phrase (the audit:
	 * these all passed). */
	{
		static const char *const joined[] = {
		    "đây là lừa-đảo", "lừa.đảo nhé", "(lừa_đảo)", "lừa…đảo",
		    "lừa–đảo",        "lừa/đảo",     "LỪA***ĐẢO"};
		size_t k;

		for (k = 0; k < sizeof(joined) / sizeof(joined[0]); k++) {
			j = post("lamdong", "a4", "A", joined[k], NULL, ORIGIN,
			         NULL, &st);
			assert_int_equal(st, 202);
			snprintf(q, sizeof(q),
			         "SELECT status FROM comment WHERE id = %lld",
			         (long long)json_integer_value(
			             json_object_get(j, "id")));
			if (sql_int(q) != 3)
				fail_msg("'%s' was not blocked", joined[k]);
			json_decref(j);
		}
	}
	/* Not on a word boundary: not blocked. */
	j = post("lamdong", "a4", "A", "xlừa đảox", NULL, ORIGIN, NULL, &st);
	snprintf(q, sizeof(q), "SELECT status FROM comment WHERE id = %lld",
	         (long long)json_integer_value(json_object_get(j, "id")));
	assert_int_equal(sql_int(q), 0);
	json_decref(j);
	/* A watched word and too many links: pending with flags. */
	j = post("lamdong", "a4", "A",
	         "Khuyến mãi tại http://a.vn và "
	         "http://b.vn",
	         NULL, ORIGIN, NULL, &st);
	snprintf(q, sizeof(q), "SELECT flags FROM comment WHERE id = %lld",
	         (long long)json_integer_value(json_object_get(j, "id")));
	assert_int_equal(sql_int(q), 1 | 2);
	json_decref(j);
	/* A ban on the client's address hash: stored as spam. */
	sql("INSERT INTO ban (kind, value, created_at) SELECT 'ip', ip_hash, "
	    "0 FROM comment LIMIT 1");
	j = post("lamdong", "a4", "A", "after the ban", NULL, ORIGIN, NULL,
	         &st);
	assert_int_equal(st, 202);
	snprintf(q, sizeof(q), "SELECT status FROM comment WHERE id = %lld",
	         (long long)json_integer_value(json_object_get(j, "id")));
	assert_int_equal(sql_int(q), 3);
	json_decref(j);
	sql("DELETE FROM ban");
}

static void
test_duplicate_and_rate_limit(void **state)
{
	long st;
	json_t *j;
	int i, limited = 0;

	(void)state;
	j = post("lamdong", "a5", "A", "Same text", NULL, ORIGIN, NULL, &st);
	assert_int_equal(st, 202);
	json_decref(j);
	j = post("lamdong", "a5", "B", "Same text", NULL, ORIGIN, NULL, &st);
	assert_int_equal(st, 409);
	assert_string_equal(test_error_code(j), "duplicate");
	json_decref(j);
	/* "open" allows 2 a minute. */
	for (i = 0; i < 4; i++) {
		char body[32];

		snprintf(body, sizeof(body), "rate %d", i);
		j = post("open", "r1", "A", body, "&email=a%40b.vn",
		         "Origin: https://open.vn", NULL, &st);
		if (st == 429) {
			limited++;
			assert_string_equal(test_error_code(j), "rate_limited");
		} else {
			assert_int_equal(st, 202);
			/* moderation = off: published at once. */
			assert_string_equal(
			    json_string_value(json_object_get(j, "status")),
			    "approved");
		}
		json_decref(j);
	}
	assert_int_equal(limited, 2);
}

static void
test_listing_replies_etag_counts(void **state)
{
	long st;
	json_t *j, *c;
	long long root;
	char extra[64], etag[128], h1[160], h2[128], clen[32];
	const char *h[2] = {h1, NULL};
	struct reply r;

	(void)state;
	j = post("lamdong", "l1", "Root", "first", NULL, ORIGIN, NULL, &st);
	root = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	/* A reply to a pending comment is refused. */
	snprintf(extra, sizeof(extra), "&parent_id=%lld", root);
	j = post("lamdong", "l1", "R", "reply early", extra, ORIGIN, NULL, &st);
	assert_int_equal(st, 400);
	json_decref(j);
	sql("UPDATE comment SET status = 1 WHERE body = 'first'");
	j = post("lamdong", "l1", "R", "a reply", extra, ORIGIN, NULL, &st);
	assert_int_equal(st, 202);
	json_decref(j);
	j = post("lamdong", "l1", "P", "still pending", NULL, ORIGIN, NULL,
	         &st);
	json_decref(j);
	assert_int_equal(http_do(&d, "GET",
	                         "/api/v1/comments?site=lamdong&article=l1",
	                         NULL, NULL, NULL, &r),
	                 0);
	assert_int_equal(r.status, 200);
	/* Only approved comments; no e-mail in public output. */
	assert_null(strstr(r.body, "still pending"));
	assert_null(strstr(r.body, "a reply"));
	assert_null(strstr(r.body, "email"));
	assert_int_equal(reply_header(&r, "ETag", etag, sizeof(etag)), 0);
	assert_int_equal(reply_header(&r, "Content-Length", clen, sizeof(clen)),
	                 0);
	reply_free(&r);
	snprintf(h1, sizeof(h1), "If-None-Match: %s", etag);
	assert_int_equal(http_do(&d, "GET",
	                         "/api/v1/comments?site=lamdong&article=l1",
	                         NULL, NULL, h, &r),
	                 0);
	assert_int_equal(r.status, 304);
	/* The 200's Content-Length, not 0 (RFC 9110 8.6). */
	assert_int_equal(reply_header(&r, "Content-Length", h2, sizeof(h2)), 0);
	assert_string_equal(h2, clen);
	assert_int_equal(reply_header(&r, "ETag", h2, sizeof(h2)), 0);
	assert_string_equal(h2, etag);
	assert_int_equal(reply_header(&r, "Cache-Control", h2, sizeof(h2)), 0);
	assert_string_equal(h2, "public, max-age=5");
	reply_free(&r);
	/* nginx makes the tag weak when it gzips the list (W/"..."), and a
	 * cache may send a list: both still revalidate (weak comparison). */
	snprintf(h1, sizeof(h1), "If-None-Match: W/%s", etag);
	assert_int_equal(http_do(&d, "GET",
	                         "/api/v1/comments?site=lamdong&article=l1",
	                         NULL, NULL, h, &r),
	                 0);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	reply_free(&r);
	snprintf(h1, sizeof(h1), "If-None-Match: \"other\", W/%s", etag);
	assert_int_equal(http_do(&d, "GET",
	                         "/api/v1/comments?site=lamdong&article=l1",
	                         NULL, NULL, h, &r),
	                 0);
	assert_int_equal(r.status, 304);
	reply_free(&r);
	snprintf(h1, sizeof(h1), "If-None-Match: W/\"other\"");
	assert_int_equal(http_do(&d, "GET",
	                         "/api/v1/comments?site=lamdong&article=l1",
	                         NULL, NULL, h, &r),
	                 0);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	snprintf(h1, sizeof(h1), "If-None-Match: %s", etag);
	/* Approving the reply changes the answer and its ETag. */
	sql("UPDATE comment SET status = 1, reply_name = 'BBT', reply_body = "
	    "'Cảm ơn bạn' WHERE body IN ('a reply', 'first')");
	assert_int_equal(http_do(&d, "GET",
	                         "/api/v1/comments?site=lamdong&article=l1",
	                         NULL, NULL, h, &r),
	                 0);
	assert_int_equal(r.status, 200);
	j = json_loads(r.body, 0, NULL);
	reply_free(&r);
	/* total counts the reply, threads and pages do not (the audit:
	 * total and pages disagreed without a word). */
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "threads")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "pages")), 1);
	assert_int_equal(json_array_size(json_object_get(j, "comments")), 1);
	c = json_array_get(json_object_get(j, "comments"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "body")),
	                    "first");
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(c, "reply"), "body")),
	                    "Cảm ơn bạn");
	assert_string_equal(
	    json_string_value(json_object_get(
	        json_array_get(json_object_get(c, "replies"), 0), "body")),
	    "a reply");
	json_decref(j);
	assert_int_equal(http_do(&d, "GET",
	                         "/api/v1/counts?site=lamdong&articles=l1,none",
	                         NULL, NULL, NULL, &r),
	                 0);
	j = json_loads(r.body, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(j, "l1"), "comments")),
	                 2);
	json_decref(j);
	reply_free(&r);
}

/* GET a path n times; every answer must be 200 and contain want. */
static void
get_all_contain(const char *path, const char *want, int n)
{
	struct reply r;
	int i;

	for (i = 0; i < n; i++) {
		assert_int_equal(http_do(&d, "GET", path, NULL, NULL, NULL, &r),
		                 0);
		assert_int_equal(r.status, 200);
		if (strstr(r.body, want) == NULL)
			fail_msg("request %d of %s lacks \"%s\": %s", i, path,
			         want, r.body);
		reply_free(&r);
	}
}

static double
metric(const char *name)
{
	struct reply r;
	const char *p;
	double v = -1;

	assert_int_equal(http_do(&d, "GET", "/metrics", NULL, NULL, NULL, &r),
	                 0);
	for (p = r.body; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, name, strlen(name)) == 0 &&
		    p[strlen(name)] == ' ') {
			v = atof(p + strlen(name) + 1);
			break;
		}
	}
	reply_free(&r);
	return v;
}

/*
 * The comment list is served from memory between changes: the cache must
 * follow every commit, the daemon's own (a new comment on a site without
 * moderation) and another process's (an operator's sqlite3), at once and
 * on every HTTP thread.
 */
static void
test_list_cache_follows_the_database(void **state)
{
	const char *path = "/api/v1/comments?site=fresh&article=cache1";
	const char *origin = "Origin: https://fresh.vn";
	double hits;
	long st;
	json_t *j;

	(void)state;
	j = post("fresh", "cache1", "An", "bình luận thứ nhất", NULL, origin,
	         NULL, &st);
	assert_int_equal(st, 202);
	json_decref(j);
	hits = metric("bandoc_page_cache_hits");
	assert_true(hits >= 0);
	get_all_contain(path, "bình luận thứ nhất", 20);
	/* Served from memory after the first build on each thread. */
	assert_true(metric("bandoc_page_cache_hits") >= hits + 16);
	assert_true(metric("bandoc_page_cache_pages") >= 1);

	j = post("fresh", "cache1", "Bình", "bình luận thứ hai", NULL, origin,
	         NULL, &st);
	assert_int_equal(st, 202);
	json_decref(j);
	get_all_contain(path, "bình luận thứ hai", 20);

	sql("UPDATE comment SET body = 'sửa bởi quản trị' "
	    "WHERE body = 'bình luận thứ nhất'");
	get_all_contain(path, "sửa bởi quản trị", 20);
	sql("UPDATE comment SET status = 2 WHERE body = 'bình luận thứ hai'");
	get_all_contain(path, "\"total\":1", 20);
}

/* POST form to the no-JS page. */
static void
nojs_post(const char **h, const char *form, struct reply *r)
{
	assert_int_equal(http_do(&d, "POST", "/embed/comments",
	                         "application/x-www-form-urlencoded", form, h,
	                         r),
	                 0);
}

/* The page's new challenge into token and its answer into ans; frees r. */
static void
next_challenge(struct reply *r, char *token, size_t tsz, char *ans, size_t asz)
{
	const char *tok = strstr(r->body, "name=\"captcha_token\" value=\"");

	assert_non_null(tok);
	snprintf(token, tsz, "%.118s", tok + 28);
	reply_free(r);
	assert_int_equal(test_daemon_answer(&d, token, ans, asz), 0);
}

static void
test_nojs_pages(void **state)
{
	char form[4096], token[256], ans[16], v[512];
	const char *h[] = {NULL, NULL};
	char origin[128];
	struct reply r;

	(void)state;
	assert_int_equal(
	    http_do(&d, "GET",
	            "/embed/comments?site=lamdong&article=l1&lang=en", NULL,
	            NULL, NULL, &r),
	    0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<form class=\"bandoc-form\""));
	assert_non_null(strstr(r.body, "Enter the code shown above"));
	assert_non_null(strstr(r.body, "Cảm ơn bạn")); /* the editors' reply */
	reply_header(&r, "Content-Security-Policy", v, sizeof(v));
	assert_non_null(strstr(v, "frame-ancestors 'self' "
	                          "https://baolamdong.vn"));
	next_challenge(&r, token, sizeof(token), ans, sizeof(ans));
	snprintf(origin, sizeof(origin), "Origin: %s", d.base);
	h[0] = origin;
	/* A wrong code: the form again, everything typed kept. */
	snprintf(form, sizeof(form),
	         "site=lamdong&article=l1&lang=en&name=Nojs&body=%%3Cb%%3Ekept"
	         "%%3C%%2Fb%%3E&captcha_token=%s&captcha_answer=NOPE&do=send",
	         token);
	nojs_post(h, form, &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "value=\"Nojs\""));
	assert_non_null(strstr(r.body, "&lt;b&gt;kept&lt;/b&gt;</textarea>"));
	assert_null(strstr(r.body, "<b>kept"));
	assert_non_null(strstr(r.body, "bandoc-status-error"));
	/* A new challenge came with it. */
	assert_null(strstr(r.body, token));
	next_challenge(&r, token, sizeof(token), ans, sizeof(ans));
	/* A bad e-mail: the field is marked, and its one aria-describedby
	 * names the error and the hint (the audit: a second attribute hid
	 * the error from screen readers). */
	snprintf(form, sizeof(form),
	         "site=lamdong&article=l1&lang=en&name=Nojs&email=not-an-email"
	         "&body=kept&captcha_token=%s&captcha_answer=%s&do=send",
	         token, ans);
	nojs_post(h, form, &r);
	assert_true(r.status == 400 || r.status == 422);
	{
		const char *in = strstr(r.body, "<input id=\"bandoc-email\"");
		const char *end = in != NULL ? strchr(in, '>') : NULL;
		char tag[1024];

		assert_non_null(end);
		snprintf(tag, sizeof(tag), "%.*s", (int)(end - in), in);
		assert_non_null(strstr(tag, "aria-invalid=\"true\""));
		assert_non_null(strstr(tag, "aria-describedby=\"bandoc-email-"
		                            "error bandoc-email-hint\""));
		assert_null(strstr(strstr(tag, "aria-describedby") + 1,
		                   "aria-describedby"));
		assert_non_null(strstr(r.body, "id=\"bandoc-email-error\""));
	}
	next_challenge(&r, token, sizeof(token), ans, sizeof(ans));
	/* A bad hidden field: no field to mark, so the status says what is
	 * wrong (the audit: "check the marked fields", none marked). */
	snprintf(form, sizeof(form),
	         "site=lamdong&article=l1&lang=en&name=Nojs&parent_id=abc"
	         "&body=kept&captcha_token=%s&captcha_answer=%s&do=send",
	         token, ans);
	nojs_post(h, form, &r);
	assert_true(r.status == 400 || r.status == 422);
	{
		const char *st = strstr(r.body, "id=\"bandoc-status\"");
		const char *end = st != NULL ? strstr(st, "</p>") : NULL;

		assert_non_null(end);
		assert_non_null(
		    strstr(st, "This comment cannot be replied to."));
		assert_true(strstr(st, "This comment cannot be replied to.") <
		            end);
	}
	next_challenge(&r, token, sizeof(token), ans, sizeof(ans));
	snprintf(
	    form, sizeof(form),
	    "site=lamdong&article=l1&lang=en&name=Nojs&body=from+the+iframe"
	    "&captcha_token=%s&captcha_answer=%s&do=send",
	    token, ans);
	nojs_post(h, form, &r);
	assert_int_equal(r.status, 303);
	reply_header(&r, "Location", v, sizeof(v));
	assert_string_equal(v, "/embed/comments?site=lamdong&article=l1&"
	                       "lang=en&posted=pending#bandoc-status");
	reply_free(&r);
	assert_int_equal(
	    http_do(&d, "GET",
	            "/embed/"
	            "comments?site=lamdong&article=l1&lang=en&posted=pending",
	            NULL, NULL, NULL, &r),
	    0);
	assert_non_null(strstr(r.body, "awaits moderation"));
	reply_free(&r);
	/* The fragment for server-side includes. */
	assert_int_equal(http_do(&d, "GET",
	                         "/embed/comments.html?site=lamdong&article=l1",
	                         NULL, NULL, NULL, &r),
	                 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "<ol class=\"bandoc-list\">"));
	assert_null(strstr(r.body, "<form"));
	reply_free(&r);
}

static void
test_durable_after_sigkill(void **state)
{
	long st;
	json_t *j;
	long long id;
	char q[128];

	(void)state;
	j = post("lamdong", "k1", "A", "survives a crash", NULL, ORIGIN, NULL,
	         &st);
	assert_int_equal(st, 202);
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	/* Killed right after the 2xx: the row is on disk. */
	assert_int_equal(daemon_stop(&d, SIGKILL), 128 + SIGKILL);
	snprintf(q, sizeof(q),
	         "SELECT count(*) FROM comment WHERE id = %lld "
	         "AND body = 'survives a crash'",
	         id);
	assert_int_equal(sql_int(q), 1);
	assert_int_equal(daemon_start(&d), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_submit_pending_and_nfc),
	    cmocka_unit_test(test_field_errors),
	    cmocka_unit_test(test_origin_and_captcha_codes),
	    cmocka_unit_test(test_captcha_used_and_scope),
	    cmocka_unit_test(test_honeypot_filter_links_ban),
	    cmocka_unit_test(test_duplicate_and_rate_limit),
	    cmocka_unit_test(test_listing_replies_etag_counts),
	    cmocka_unit_test(test_list_cache_follows_the_database),
	    cmocka_unit_test(test_nojs_pages),
	    cmocka_unit_test(test_durable_after_sigkill),
	};

	return HARNESS_RUN_GROUP(tests, setup);
}
