/*
 * Integration tests of view counting over HTTP: the counting rules,
 * the pixel, top lists, batch counts, limits, durability across SIGTERM
 * and SIGKILL, exactness under parallel clients.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <pthread.h>
#include <unistd.h>
#include <jansson.h>
#include <cmocka.h>

#include "checks.h"
#include "harness.h"

static struct daemon d;

static int
setup(void **state)
{
	*state = &d;
	return daemon_launch(
	    &d, "views_flush_ms = 200",
	    "[site.lamdong]\norigins = https://baolamdong.vn\n"
	    "views_window = 2\nnew_articles_per_minute = 1000\n"
	    "[site.num]\norigins = https://num.vn\n"
	    "article_pattern = ^[0-9]+$\nnew_articles_per_minute = 3\n");
}

/* POSTs a view with this User-Agent; returns views (and counted). */
static long long
view(const char *site, const char *article, const char *ua, int *counted,
     long *status)
{
	char body[512], uah[256];
	const char *h[4] = {"Origin: https://baolamdong.vn", NULL, NULL, NULL};
	json_t *j;
	long long v = -1;

	if (!strcmp(site, "num"))
		h[0] = "Origin: https://num.vn";
	if (ua != NULL) {
		snprintf(uah, sizeof(uah), "User-Agent: %s", ua);
		h[1] = uah;
	} else
		h[1] = "User-Agent:"; /* curl: remove the header */
	snprintf(body, sizeof(body), "site=%s&article=%s&title=Ti%%C3%%AAu",
	         site, article);
	assert_int_equal(http_json(&d, "POST", "/api/v1/views",
	                           "application/x-www-form-urlencoded", body, h,
	                           status, &j),
	                 0);
	if (j != NULL) {
		v = json_integer_value(json_object_get(j, "views"));
		if (counted != NULL)
			*counted = json_is_true(json_object_get(j, "counted"));
		json_decref(j);
	}
	return v;
}

static long long
read_views(const char *site, const char *article)
{
	char path[512];
	json_t *j;
	long long v;
	long st;

	snprintf(path, sizeof(path), "/api/v1/views?site=%s&article=%s", site,
	         article);
	assert_int_equal(http_json(&d, "GET", path, NULL, NULL, NULL, &st, &j),
	                 0);
	assert_int_equal(st, 200);
	assert_non_null(j);
	v = json_integer_value(json_object_get(j, "views"));
	json_decref(j);
	return v;
}

static void
test_counting_rules(void **state)
{
	int counted;
	long st;

	(void)state;
	assert_int_equal(view("lamdong", "a1", "Mozilla/5.0 A", &counted, &st),
	                 1);
	assert_true(counted);
	/* Same reader again within the window: not counted. */
	assert_int_equal(view("lamdong", "a1", "Mozilla/5.0 A", &counted, &st),
	                 1);
	assert_false(counted);
	/* Another User-Agent is another reader. */
	assert_int_equal(view("lamdong", "a1", "Mozilla/5.0 B", &counted, &st),
	                 2);
	/* Bots, no User-Agent: not counted. */
	assert_int_equal(view("lamdong", "a1", "Googlebot/2.1", &counted, &st),
	                 2);
	assert_false(counted);
	assert_int_equal(view("lamdong", "a1", "curl/8.0", &counted, &st), 2);
	/* Any case, anywhere in the first kilobyte. */
	assert_int_equal(view("lamdong", "a1",
	                      "Mozilla/5.0 (X11; Linux x86_64) "
	                      "AppleWebKit/537.36 HeadlessChrome/120.0",
	                      &counted, &st),
	                 2);
	assert_false(counted);
	assert_int_equal(
	    view("lamdong", "a1", "SOMECRAWLER/1.0", &counted, &st), 2);
	assert_false(counted);
	assert_int_equal(view("lamdong", "a1", NULL, &counted, &st), 2);
	assert_false(counted);
	/* The read-only endpoint does not count. */
	assert_int_equal(read_views("lamdong", "a1"), 2);
	assert_int_equal(read_views("lamdong", "a1"), 2);
	/* After the window (2 s), the same reader counts again. */
	sleep(3);
	assert_int_equal(view("lamdong", "a1", "Mozilla/5.0 A", &counted, &st),
	                 3);
	assert_true(counted);
}

static void
test_prefetch_and_foreign_origin(void **state)
{
	const char *pre[] = {"Sec-Purpose: prefetch", "User-Agent: Mozilla P",
	                     "Origin: https://baolamdong.vn", NULL};
	const char *foreign[] = {"User-Agent: Mozilla F",
	                         "Origin: https://evil.example", NULL};
	const char *none[] = {"User-Agent: Mozilla N", NULL};
	struct reply r;

	(void)state;
	assert_int_equal(http_do(&d, "POST", "/api/v1/views",
	                         "application/x-www-form-urlencoded",
	                         "site=lamdong&article=p1", pre, &r),
	                 0);
	assert_non_null(strstr(r.body, "\"counted\":false"));
	reply_free(&r);
	assert_int_equal(http_do(&d, "POST", "/api/v1/views",
	                         "application/x-www-form-urlencoded",
	                         "site=lamdong&article=p1", foreign, &r),
	                 0);
	assert_non_null(strstr(r.body, "\"counted\":false"));
	reply_free(&r);
	/* A POST with neither Origin nor Referer is not a browser's. */
	assert_int_equal(http_do(&d, "POST", "/api/v1/views",
	                         "application/x-www-form-urlencoded",
	                         "site=lamdong&article=p1", none, &r),
	                 0);
	assert_non_null(strstr(r.body, "\"counted\":false"));
	reply_free(&r);
	assert_int_equal(read_views("lamdong", "p1"), 0);
}

static void
test_pixel(void **state)
{
	const char *h[] = {"User-Agent: Mozilla/5.0 Pixel", NULL};
	const char *bad[] = {"User-Agent: Mozilla/5.0 Pixel2",
	                     "Referer: https://evil.example/page", NULL};
	struct reply r;
	char v[64];

	(void)state;
	assert_int_equal(http_do(&d, "GET", "/v.gif?site=lamdong&article=px",
	                         NULL, NULL, h, &r),
	                 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 43);
	assert_memory_equal(r.body, "GIF89a\x01\x00\x01\x00", 10);
	assert_int_equal((unsigned char)r.body[42], 0x3b);
	reply_header(&r, "Content-Type", v, sizeof(v));
	assert_string_equal(v, "image/gif");
	reply_header(&r, "Cache-Control", v, sizeof(v));
	assert_string_equal(v, "no-store");
	reply_free(&r);
	assert_int_equal(http_do(&d, "GET", "/v.gif?site=lamdong&article=px",
	                         NULL, NULL, bad, &r),
	                 0);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	assert_int_equal(read_views("lamdong", "px"), 1);
}

static void
test_keys_pattern_and_new_article_limit(void **state)
{
	long st;
	int i, limited = 0;
	char key[16];

	(void)state;
	view("num", "abc", "Mozilla K", NULL, &st);
	assert_int_equal(st, 400);
	view("lamdong", "", "Mozilla K", NULL, &st);
	assert_int_equal(st, 400);
	view("lamdong", "a%01b", "Mozilla K", NULL, &st);
	assert_int_equal(st, 400);
	view("nosuchsite", "1", "Mozilla K", NULL, &st);
	assert_int_equal(st, 400);
	/* 3 new articles a minute on "num": the 4th new one is refused. */
	for (i = 0; i < 5; i++) {
		snprintf(key, sizeof(key), "%d", 100 + i);
		view("num", key, "Mozilla K", NULL, &st);
		if (st == 429)
			limited++;
		else
			assert_int_equal(st, 200);
	}
	assert_int_equal(limited, 2);
	/* An existing article is not new. */
	view("num", "100", "Mozilla K2", NULL, &st);
	assert_int_equal(st, 200);
}

static void
test_top_and_counts(void **state)
{
	struct reply r;
	json_t *j;
	long st;
	int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		char ua[32];

		snprintf(ua, sizeof(ua), "Mozilla T%d", i);
		view("lamdong", "top", ua, NULL, &st);
	}
	usleep(400000); /* one flush */
	assert_int_equal(
	    http_do(&d, "GET",
	            "/api/v1/views/top?site=lamdong&period=day&limit=2", NULL,
	            NULL, NULL, &r),
	    0);
	assert_int_equal(r.status, 200);
	j = json_loads(r.body, 0, NULL);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(j, 0), "article")),
	    "top");
	assert_int_equal(
	    json_integer_value(json_object_get(json_array_get(j, 0), "views")),
	    5);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(j, 0), "title")),
	    "Tiêu");
	json_decref(j);
	reply_free(&r);
	assert_int_equal(http_do(&d, "GET",
	                         "/api/v1/views/top?site=lamdong&period=month",
	                         NULL, NULL, NULL, &r),
	                 0);
	assert_non_null(strstr(r.body, "\"top\""));
	reply_free(&r);
	check_get(&d, "/api/v1/views/top?site=lamdong&period=year", 400);
	check_get(&d, "/api/v1/views/top?site=lamdong&limit=51", 400);
	assert_int_equal(
	    http_do(&d, "GET",
	            "/api/v1/counts?site=lamdong&articles=top,a1,nothing", NULL,
	            NULL, NULL, &r),
	    0);
	j = json_loads(r.body, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(j, "top"), "views")),
	                 5);
	assert_int_equal(json_integer_value(json_object_get(
	                     json_object_get(j, "nothing"), "views")),
	                 0);
	json_decref(j);
	reply_free(&r);
}

static void *
hammer(void *arg)
{
	int t = *(int *)arg, i;
	long st;

	for (i = 0; i < 100; i++) {
		char ua[64];

		snprintf(ua, sizeof(ua), "Mozilla/5.0 reader-%d-%d", t, i);
		view("lamdong", "par", ua, NULL, &st);
		view("lamdong", "par", ua, NULL, &st); /* a repeat */
	}
	return NULL;
}

static void
test_parallel_exact(void **state)
{
	pthread_t th[8];
	int ids[8], i;

	(void)state;
	for (i = 0; i < 8; i++) {
		ids[i] = i;
		pthread_create(&th[i], NULL, hammer, &ids[i]);
	}
	for (i = 0; i < 8; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(read_views("lamdong", "par"), 800);
}

static void
test_durability(void **state)
{
	long st;
	int i;

	(void)state;
	/* SIGTERM flushes everything. */
	for (i = 0; i < 20; i++) {
		char ua[32];

		snprintf(ua, sizeof(ua), "Mozilla D%d", i);
		view("lamdong", "dur", ua, NULL, &st);
	}
	assert_int_equal(daemon_stop(&d, SIGTERM), 0);
	assert_int_equal(daemon_start(&d), 0);
	assert_int_equal(read_views("lamdong", "dur"), 20);
	/* SIGKILL loses at most one flush interval (200 ms): views older
	 * than that are on disk. */
	for (i = 0; i < 10; i++) {
		char ua[32];

		snprintf(ua, sizeof(ua), "Mozilla K%d", i);
		view("lamdong", "dur", ua, NULL, &st);
	}
	usleep(600000);
	assert_int_equal(daemon_stop(&d, SIGKILL), 128 + SIGKILL);
	assert_int_equal(daemon_start(&d), 0);
	assert_int_equal(read_views("lamdong", "dur"), 30);
	/* And nothing stored can be tied to an address. */
	{
		char cmd[600], out[4096];

		snprintf(cmd, sizeof(cmd),
		         "sqlite3 %s/var/bandoc.db .dump | grep -c 127.0.0.1",
		         d.dir);
		run_cmd(cmd, out, sizeof(out));
		assert_int_equal(atoi(out), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counting_rules),
	    cmocka_unit_test(test_prefetch_and_foreign_origin),
	    cmocka_unit_test(test_pixel),
	    cmocka_unit_test(test_keys_pattern_and_new_article_limit),
	    cmocka_unit_test(test_top_and_counts),
	    cmocka_unit_test(test_parallel_exact),
	    cmocka_unit_test(test_durability),
	};

	return HARNESS_RUN_GROUP(tests, setup);
}
