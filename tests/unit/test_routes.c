/*
 * Unit tests of route matching, the JSON error shape helpers' inputs,
 * bounded buffers and If-None-Match (http_etag_match).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api.h"
#include "bandoc_limits.h"
#include "buf.h"
#include "http.h"

static void
h(struct http_req *req)
{
	(void)req;
}

static const struct http_route table[] = {
    {HTTP_GET, "/healthz", h, 0, 0, 0, "a"},
    {HTTP_POST, "/api/v1/items", h, 100, HTTP_ROUTE_CORS, 0, "b"},
    {HTTP_GET, "/api/v1/items", h, 0, HTTP_ROUTE_CORS, 0, "c"},
    {HTTP_GET, "/api/v1/captcha/$file", h, 0, 0, 0, "d"},
    {HTTP_POST, "/admin/api/comments/#id/:action", h, 10, 0, HTTP_GUARD_WRITE,
     "e"},
    {HTTP_POST, "/admin/api/comments/bulk", h, 10, 0, HTTP_GUARD_WRITE, "f"},
    {0, NULL, NULL, 0, 0, 0, NULL},
};

static const struct http_route *
find(unsigned int m, const char *path, unsigned int *allow,
     struct http_param *p, size_t *n)
{
	return http_route_find(table, m, path, allow, p, 4, n);
}

/* [server] body_max's default is the largest route cap, so that it only
 * ever lowers one: every route of the daemon's table is within it. */
static void
test_route_caps_within_body_max(void **state)
{
	const struct http_route *r;
	size_t largest = 0;

	(void)state;
	for (r = http_routes; r->pattern != NULL; r++) {
		assert_true(r->body_max <= DEFAULT_BODY_MAX);
		if (r->body_max > largest)
			largest = r->body_max;
	}
	assert_int_equal(largest, DEFAULT_BODY_MAX);
}

/* The API's one time formatter: UTC, seconds, "Z"; null for none. */
static void
test_iso_time(void **state)
{
	json_t *j;

	(void)state;
	j = api_iso_time(1594252800LL + 3661);
	assert_string_equal(json_string_value(j), "2020-07-09T01:01:01Z");
	json_decref(j);
	assert_true(json_is_null(j = api_iso_time(0)));
	json_decref(j);
	assert_true(json_is_null(j = api_iso_time(-5)));
	json_decref(j);
}

static void
test_match(void **state)
{
	struct http_param p[4];
	unsigned int allow;
	size_t n;
	const struct http_route *r;

	(void)state;
	r = find(HTTP_GET, "/healthz", &allow, p, &n);
	assert_ptr_equal(r, &table[0]);
	r = find(HTTP_HEAD, "/healthz", &allow, p, &n);
	assert_ptr_equal(r, &table[0]); /* GET implies HEAD */
	r = find(HTTP_GET, "/api/v1/items", &allow, p, &n);
	assert_ptr_equal(r, &table[2]);
	r = find(HTTP_POST, "/api/v1/items", &allow, p, &n);
	assert_ptr_equal(r, &table[1]);
	r = find(HTTP_GET, "/api/v1/captcha/abc.png", &allow, p, &n);
	assert_ptr_equal(r, &table[3]);
	assert_int_equal(n, 1);
	assert_int_equal(p[0].len, 7);
	assert_memory_equal(p[0].value, "abc.png", 7);
	r = find(HTTP_POST, "/admin/api/comments/42/approve", &allow, p, &n);
	assert_ptr_equal(r, &table[4]);
	assert_int_equal(n, 2);
	assert_memory_equal(p[1].value, "approve", 7);
}

/* A "#id" segment takes a positive decimal integer below 10^18 and
 * nothing else; any other segment does not match the route. */
static void
test_id_param(void **state)
{
	static const char *const bad[] = {
	    "0",   "042", "-1",   "+1",
	    " 1",  "1e3", "0x10", "abc",
	    "12a", "1.5", "",     "9999999999999999999" /* 19 digits */};
	struct http_param p[4];
	unsigned int allow;
	char path[128];
	size_t i, n;

	(void)state;
	assert_ptr_equal(
	    find(HTTP_POST, "/admin/api/comments/1/approve", &allow, p, &n),
	    &table[4]);
	assert_ptr_equal(find(HTTP_POST,
	                      "/admin/api/comments/999999999999999999/spam",
	                      &allow, p, &n),
	                 &table[4]);
	assert_int_equal(p[0].len, 18);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/admin/api/comments/%s/approve",
		         bad[i]);
		assert_null(find(HTTP_POST, path, &allow, p, &n));
		assert_int_equal(allow, 0); /* 404, not the route */
	}
	/* A "$" segment takes a token or file name and nothing else. */
	assert_ptr_equal(
	    find(HTTP_GET, "/api/v1/captcha/Ab-_9.x@2x.png", &allow, p, &n),
	    &table[3]);
	assert_null(find(HTTP_GET, "/api/v1/captcha/.hidden", &allow, p, &n));
	assert_null(find(HTTP_GET, "/api/v1/captcha/a%2f", &allow, p, &n));
	assert_null(find(HTTP_GET, "/api/v1/captcha/a b", &allow, p, &n));
	{
		char *big = malloc(16 + HTTP_TOKEN_MAX + 2);

		assert_non_null(big);
		memcpy(big, "/api/v1/captcha/", 16);
		memset(big + 16, 'a', HTTP_TOKEN_MAX + 1);
		big[16 + HTTP_TOKEN_MAX + 1] = '\0';
		assert_null(find(HTTP_GET, big, &allow, p, &n)); /* too long */
		big[16 + HTTP_TOKEN_MAX] = '\0';
		assert_ptr_equal(find(HTTP_GET, big, &allow, p, &n), &table[3]);
		free(big);
	}
	/* A literal segment is not an id: bulk is its own route. */
	assert_ptr_equal(
	    find(HTTP_POST, "/admin/api/comments/bulk", &allow, p, &n),
	    &table[5]);
}

/*
 * The daemon's table: every route of the admin API (and log-out) needs
 * a session, every one of them that changes state also its CSRF token;
 * users, audit and hard delete need the admin role; the public routes
 * need nothing. tests/integration/test_admin_http.c sends the requests.
 */
static void
test_admin_routes_guarded(void **state)
{
	const struct http_route *r;
	size_t admin_only = 0;

	(void)state;
	for (r = http_routes; r->pattern != NULL; r++) {
		int api = strncmp(r->pattern, "/admin/api/", 11) == 0;

		if (api || strcmp(r->pattern, "/admin/logout") == 0) {
			assert_true(r->guard & HTTP_GUARD_SESSION);
			if (r->methods & ~(unsigned int)(HTTP_GET | HTTP_HEAD))
				assert_true(r->guard & HTTP_GUARD_CSRF);
		} else
			assert_int_equal(r->guard, 0);
		if (r->guard & HTTP_GUARD_ADMIN) {
			assert_true(strstr(r->pattern, "/users") != NULL ||
			            strstr(r->pattern, "/audit") != NULL ||
			            r->methods == HTTP_DELETE);
			admin_only++;
		}
	}
	assert_int_equal(admin_only, 5);
}

static void
test_not_found_and_allow(void **state)
{
	struct http_param p[4];
	unsigned int allow;
	size_t n;

	(void)state;
	assert_null(find(HTTP_GET, "/nope", &allow, p, &n));
	assert_int_equal(allow, 0); /* 404 */
	assert_null(find(HTTP_DELETE, "/api/v1/items", &allow, p, &n));
	assert_int_equal(allow, HTTP_GET | HTTP_HEAD | HTTP_POST); /* 405 */
	assert_null(find(HTTP_GET, "/healthz/", &allow, p, &n));
	assert_null(find(HTTP_GET, "/healthzz", &allow, p, &n));
	assert_null(find(HTTP_GET, "/api/v1/captcha/", &allow, p, &n));
	assert_null(find(HTTP_GET, "/api/v1/captcha/a/b", &allow, p, &n));
	assert_null(find(HTTP_GET, "", &allow, p, &n));
}

static void
test_method_parse(void **state)
{
	(void)state;
	assert_int_equal(http_method_parse("GET"), HTTP_GET);
	assert_int_equal(http_method_parse("PATCH"), HTTP_PATCH);
	assert_int_equal(http_method_parse("get"), 0);
	assert_int_equal(http_method_parse("BREW"), 0);
}

static void
test_etag_match(void **state)
{
	const char *t = "\"0123abcd\"";

	(void)state;
	/* The same tag, strong or weak on either side (weak comparison). */
	assert_true(http_etag_match("\"0123abcd\"", t));
	assert_true(http_etag_match("W/\"0123abcd\"", t));
	assert_true(http_etag_match("\"0123abcd\"", "W/\"0123abcd\""));
	assert_true(http_etag_match("W/\"0123abcd\"", "W/\"0123abcd\""));
	/* "*" matches any current representation. */
	assert_true(http_etag_match("*", t));
	assert_true(http_etag_match("  *  ", t));
	/* Lists, with optional white space; the tag anywhere in them. */
	assert_true(http_etag_match("\"x\", \"0123abcd\"", t));
	assert_true(http_etag_match("\"x\",W/\"0123abcd\",\"y\"", t));
	assert_true(http_etag_match(" ,\t\"x\" ,, \"0123abcd\" ", t));
	/* A comma inside a tag is part of the tag. */
	assert_true(http_etag_match("\"a,b\", \"0123abcd\"", t));
	assert_false(http_etag_match("\"a,\"0123abcd\"\"", t));
	/* Not the same tag: other bytes, other length, other case, the
	 * gzip representation's tag, unquoted. */
	assert_false(http_etag_match("\"0123abce\"", t));
	assert_false(http_etag_match("\"0123abc\"", t));
	assert_false(http_etag_match("\"0123ABCD\"", t));
	assert_false(http_etag_match("\"0123abcd-gzip\"", t));
	assert_false(http_etag_match("0123abcd", t));
	/* w/ is not W/ (the prefix is case-sensitive). */
	assert_false(http_etag_match("w/\"0123abcd\"", t));
	/* Malformed: no match from the first bad element on. */
	assert_false(http_etag_match("\"0123abcd", t));
	assert_false(http_etag_match("junk, \"0123abcd\"", t));
	assert_false(http_etag_match("\"x\" junk, \"0123abcd\"", t));
	assert_true(http_etag_match("\"0123abcd\", junk", t));
	/* Absent or empty. */
	assert_false(http_etag_match(NULL, t));
	assert_false(http_etag_match("", t));
	assert_false(http_etag_match("  ", t));
	assert_false(http_etag_match("\"\"", t));
	assert_false(http_etag_match("*", NULL));
	/* An empty opaque tag is a tag. */
	assert_true(http_etag_match("\"\"", "\"\""));
}

static void
test_buf_caps(void **state)
{
	struct buf b;
	char *s;
	size_t len;

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(buf_adds(&b, "0123456789"), 0);
	assert_int_equal(buf_adds(&b, "abcde"), 0); /* 15 + NUL = 16 */
	assert_int_equal(buf_adds(&b, "x"), -1);
	assert_int_equal(buf_adds(&b, ""), -1); /* stays failed */
	assert_null(buf_take(&b, &len));
	buf_init(&b, 1024);
	buf_add_html(&b, "<a href=\"x\">'&'</a>");
	s = buf_take(&b, &len);
	assert_string_equal(
	    s, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	free(s);
	buf_init(&b, 8);
	assert_int_equal(buf_add(&b, "x", (size_t)-1), -1); /* no overflow */
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_route_caps_within_body_max),
	    cmocka_unit_test(test_iso_time),
	    cmocka_unit_test(test_not_found_and_allow),
	    cmocka_unit_test(test_id_param),
	    cmocka_unit_test(test_admin_routes_guarded),
	    cmocka_unit_test(test_method_parse),
	    cmocka_unit_test(test_buf_caps),
	    cmocka_unit_test(test_etag_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
