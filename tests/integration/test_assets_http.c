/*
 * Integration tests of the embedded web files over HTTP (assets.c and
 * api_demo.c's serve(), built by cmake/embedgen.c): gzip on and off by
 * Accept-Encoding, the gzip body gunzips to exactly the raw one, Vary on
 * both, a strong ETag per representation, 304 for a matching, weak,
 * listed or "*" If-None-Match and 200 otherwise, hashed names immutable
 * and a wrong hash 404, the stable names' short lifetime; /embed.HASH.js
 * beside /embed.js, and the daemon's own pages linking hashed names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <zlib.h>
#include <cmocka.h>

#include "assets.h"
#include "embed.h"
#include "harness.h"

#define STABLE_CC "public, max-age=300, stale-while-revalidate=86400"
#define HASHED_CC "public, max-age=31536000, immutable"

static struct daemon d;

static int
setup(void **state)
{
	char demo[512];

	*state = &d;
	snprintf(demo, sizeof(demo),
	         "demo_article = %s/docs/demo/seed-article.txt",
	         BANDOC_SOURCE_DIR);
	return daemon_launch(
	    &d, demo, "[site.lamdong]\norigins = https://baolamdong.vn\n");
}

/* GET (or HEAD) path with up to two extra headers (NULL: none). */
static void
get(const char *method, const char *path, const char *h1, const char *h2,
    struct reply *r)
{
	const char *h[3] = {h1, h1 != NULL ? h2 : NULL, NULL};

	assert_int_equal(http_do(&d, method, path, NULL, NULL, h, r), 0);
}

/* The value of header name, "" when absent. */
static const char *
header(const struct reply *r, const char *name)
{
	static char v[512];

	if (reply_header(r, name, v, sizeof(v)) != 0)
		v[0] = '\0';
	return v;
}

/* gunzips gz (one gzip member, nothing after it) and compares it with
 * want byte for byte. */
static void
assert_gunzips_to(const void *gz, size_t gzlen, const void *want,
                  size_t wantlen)
{
	unsigned char *out = malloc(wantlen + 1);
	z_stream z;

	assert_non_null(out);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)gz;
	z.avail_in = (uInt)gzlen;
	z.next_out = out;
	z.avail_out = (uInt)wantlen + 1;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.avail_in, 0);
	assert_int_equal(z.total_out, wantlen);
	assert_memory_equal(out, want, wantlen);
	inflateEnd(&z);
	free(out);
}

/* Every embedded web text file: raw without Accept-Encoding, gzip with
 * what browsers send, the same bytes once gunzipped. */
static void
test_gzip_by_accept_encoding(void **state)
{
	static const char *names[] = {"embed.js", "embed.css", "pow.js",
	                              "admin.js", "admin.css", "demo.css"};
	struct reply raw, gz;
	char path[128], etag[128], type[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/static/%s", names[i]);
		get("GET", path, NULL, NULL, &raw);
		assert_int_equal(raw.status, 200);
		assert_string_equal(header(&raw, "Content-Encoding"), "");
		assert_string_equal(header(&raw, "Vary"), "Accept-Encoding");
		snprintf(etag, sizeof(etag), "%s", header(&raw, "ETag"));
		/* Strong: quoted, no W/. */
		assert_int_equal(etag[0], '"');
		get("GET", path, "Accept-Encoding: gzip, deflate, br, zstd",
		    NULL, &gz);
		assert_int_equal(gz.status, 200);
		assert_string_equal(header(&gz, "Content-Encoding"), "gzip");
		assert_string_equal(header(&gz, "Vary"), "Accept-Encoding");
		assert_int_equal(header(&gz, "ETag")[0], '"');
		assert_string_not_equal(header(&gz, "ETag"), etag);
		snprintf(type, sizeof(type), "%s",
		         header(&raw, "Content-Type"));
		assert_string_equal(header(&gz, "Content-Type"), type);
		assert_true(gz.len < raw.len);
		assert_gunzips_to(gz.body, gz.len, raw.body, raw.len);
		reply_free(&gz);
		reply_free(&raw);
	}
}

/* Which Accept-Encoding values get gzip: q=0 refuses it, "*" counts,
 * tokens are case-insensitive. */
static void
test_accept_encoding_values(void **state)
{
	static const struct {
		const char *ae;
		int gzip;
	} cases[] = {
	    {"Accept-Encoding: gzip", 1},
	    {"Accept-Encoding: GZIP", 1},
	    {"Accept-Encoding: x-gzip", 1},
	    {"Accept-Encoding: *", 1},
	    {"Accept-Encoding: br;q=1, gzip;q=0.5", 1},
	    {"Accept-Encoding: gzip;q=0", 0},
	    {"Accept-Encoding: gzip;q=0, *", 0},
	    {"Accept-Encoding: *;q=0", 0},
	    {"Accept-Encoding: identity", 0},
	    {"Accept-Encoding: br, deflate", 0},
	    {"Accept-Encoding;", 0}, /* curl's way to send it empty */
	};
	struct reply r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		get("GET", "/embed.js", cases[i].ae, NULL, &r);
		assert_int_equal(r.status, 200);
		if (strcmp(header(&r, "Content-Encoding"),
		           cases[i].gzip ? "gzip" : "") != 0)
			fail_msg("%s: Content-Encoding \"%s\"", cases[i].ae,
			         header(&r, "Content-Encoding"));
		assert_string_equal(header(&r, "Vary"), "Accept-Encoding");
		reply_free(&r);
	}
}

/* 304 with ETag, Cache-Control and Vary and no body for a tag of the
 * representation the request would get; 200 otherwise. */
static void
test_if_none_match(void **state)
{
	const char *ae = "Accept-Encoding: gzip";
	struct reply r;
	char raw[128], gz[128], inm[400], rawlen[32];

	(void)state;
	get("GET", "/static/embed.css", NULL, NULL, &r);
	snprintf(raw, sizeof(raw), "%s", header(&r, "ETag"));
	snprintf(rawlen, sizeof(rawlen), "%s", header(&r, "Content-Length"));
	reply_free(&r);
	get("GET", "/static/embed.css", ae, NULL, &r);
	snprintf(gz, sizeof(gz), "%s", header(&r, "ETag"));
	reply_free(&r);

	/* The same tag, strong or weak, alone or in a list, or "*". */
	snprintf(inm, sizeof(inm), "If-None-Match: %s", raw);
	get("GET", "/static/embed.css", inm, NULL, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	/* RFC 9110 8.6: a 304's Content-Length, if any, is the 200's (a
	 * cache that refreshes its copy from the 304 takes it). */
	assert_string_equal(header(&r, "Content-Length"), rawlen);
	assert_string_equal(header(&r, "ETag"), raw);
	assert_string_equal(header(&r, "Cache-Control"), STABLE_CC);
	assert_string_equal(header(&r, "Vary"), "Accept-Encoding");
	assert_string_equal(header(&r, "Content-Encoding"), "");
	reply_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: W/%s", gz);
	get("GET", "/static/embed.css", inm, ae, &r);
	assert_int_equal(r.status, 304);
	assert_int_equal(r.len, 0);
	assert_string_equal(header(&r, "ETag"), gz);
	assert_string_equal(header(&r, "Vary"), "Accept-Encoding");
	reply_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: \"old\", W/\"older\", %s",
	         gz);
	get("GET", "/static/embed.css", inm, ae, &r);
	assert_int_equal(r.status, 304);
	reply_free(&r);
	/* A cache holding both representations sends both tags. */
	snprintf(inm, sizeof(inm), "If-None-Match: %s, %s", raw, gz);
	get("GET", "/static/embed.css", inm, ae, &r);
	assert_int_equal(r.status, 304);
	assert_string_equal(header(&r, "ETag"), gz);
	reply_free(&r);
	get("GET", "/static/embed.css", "If-None-Match: *", NULL, &r);
	assert_int_equal(r.status, 304);
	reply_free(&r);
	get("HEAD", "/static/embed.css", "If-None-Match: *", NULL, &r);
	assert_int_equal(r.status, 304);
	reply_free(&r);

	/* The other representation's tag, another tag, junk: 200. */
	snprintf(inm, sizeof(inm), "If-None-Match: %s", gz);
	get("GET", "/static/embed.css", inm, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "ETag"), raw);
	reply_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", raw);
	get("GET", "/static/embed.css", inm, ae, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Content-Encoding"), "gzip");
	reply_free(&r);
	get("GET", "/static/embed.css", "If-None-Match: \"0123\"", NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: %.*s", (int)strlen(raw) - 1,
	         raw);
	get("GET", "/static/embed.css", inm, NULL, &r);
	assert_int_equal(r.status, 200);
	reply_free(&r);
}

/* HEAD: the headers of the GET, no body. */
static void
test_head(void **state)
{
	struct reply r;

	(void)state;
	get("HEAD", "/embed.js", "Accept-Encoding: gzip", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	assert_string_equal(header(&r, "Content-Encoding"), "gzip");
	assert_string_equal(header(&r, "Vary"), "Accept-Encoding");
	reply_free(&r);
}

/* The stable names: a short lifetime. Hashed ones: a year, immutable;
 * an earlier hash: 404 naming the current file. */
static void
test_cache_lifetimes_and_hashed_names(void **state)
{
	struct reply r, raw;
	char path[128], etag[128];
	json_t *j;

	(void)state;
	get("GET", "/embed.js", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Cache-Control"), STABLE_CC);
	assert_string_equal(header(&r, "Access-Control-Allow-Origin"), "*");
	reply_free(&r);
	get("GET", "/static/pow.js", NULL, NULL, &raw);
	assert_int_equal(raw.status, 200);
	assert_string_equal(header(&raw, "Cache-Control"), STABLE_CC);
	snprintf(etag, sizeof(etag), "%s", header(&raw, "ETag"));

	snprintf(path, sizeof(path), "/static/%s", assets_hashed("pow.js"));
	assert_string_not_equal(path, "/static/pow.js");
	get("GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Cache-Control"), HASHED_CC);
	assert_string_equal(header(&r, "ETag"), etag);
	assert_int_equal(r.len, raw.len);
	assert_memory_equal(r.body, raw.body, raw.len);
	reply_free(&r);
	reply_free(&raw);

	/* One hex digit off: another release's file. */
	path[12] = path[12] == '0' ? '1' : '0';
	get("GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	assert_string_equal(header(&r, "Cache-Control"), "no-store");
	j = json_loads(r.body, 0, NULL);
	assert_non_null(j);
	snprintf(path, sizeof(path), "/static/%s", assets_hashed("pow.js"));
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(j, "error"), "current")),
	                    path);
	json_decref(j);
	reply_free(&r);
	get("GET", "/static/pow.0123456789abc.js", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	reply_free(&r);
}

/* /embed.HASH.js: the same bytes as /embed.js, for a year; another
 * hash, or another file's hash, is 404. */
static void
test_hashed_embed_js(void **state)
{
	struct reply r, s;
	char path[128], etag[128], inm[200];
	json_t *j;

	(void)state;
	snprintf(path, sizeof(path), "/%s", assets_hashed("embed.js"));
	get("GET", "/embed.js", "Accept-Encoding: gzip", NULL, &s);
	snprintf(etag, sizeof(etag), "%s", header(&s, "ETag"));
	get("GET", path, "Accept-Encoding: gzip", NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Cache-Control"), HASHED_CC);
	assert_string_equal(header(&r, "Content-Encoding"), "gzip");
	assert_string_equal(header(&r, "Vary"), "Accept-Encoding");
	assert_string_equal(header(&r, "ETag"), etag);
	assert_string_equal(header(&r, "Access-Control-Allow-Origin"), "*");
	assert_int_equal(r.len, s.len);
	assert_memory_equal(r.body, s.body, s.len);
	reply_free(&r);
	reply_free(&s);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	get("GET", path, "Accept-Encoding: gzip", inm, &r);
	assert_int_equal(r.status, 304);
	assert_string_equal(header(&r, "Cache-Control"), HASHED_CC);
	reply_free(&r);
	/* The same name under /static/ too. */
	snprintf(path, sizeof(path), "/static/%s", assets_hashed("embed.js"));
	get("GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Cache-Control"), HASHED_CC);
	reply_free(&r);

	/* An earlier release's hash: 404, naming the current URL. */
	snprintf(path, sizeof(path), "/%s", assets_hashed("embed.js"));
	path[7] = path[7] == '0' ? '1' : '0';
	get("GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	j = json_loads(r.body, 0, NULL);
	snprintf(path, sizeof(path), "/%s", assets_hashed("embed.js"));
	assert_string_equal(json_string_value(json_object_get(
	                        json_object_get(j, "error"), "current")),
	                    path);
	json_decref(j);
	reply_free(&r);
	/* Only embed.js: not another file's name or hash at the top. */
	snprintf(path, sizeof(path), "/%s", assets_hashed("embed.css"));
	get("GET", path, NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	get("GET", "/embed.css", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	get("GET", "/embed.0123456789ab", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	reply_free(&r);
	get("GET", "/embed.", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	reply_free(&r);
}

/* The demo page, the moderation page, the no-JS page and
 * /api/v1/version name this release's files. */
static void
test_pages_link_hashed_names(void **state)
{
	struct reply r;
	char want[160];
	json_t *j;

	(void)state;
	get("GET", "/", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	snprintf(want, sizeof(want), "<script src=\"/%s\" async>",
	         assets_hashed("embed.js"));
	assert_non_null(strstr(r.body, want));
	snprintf(want, sizeof(want), "href=\"/static/%s\"",
	         assets_hashed("demo.css"));
	assert_non_null(strstr(r.body, want));
	/* and explains the stable name to copy. */
	assert_non_null(strstr(r.body, "/embed.js\" async></script>"));
	reply_free(&r);
	get("GET", "/admin", NULL, NULL, &r);
	snprintf(want, sizeof(want), "<script src=\"/static/%s\">",
	         assets_hashed("admin.js"));
	assert_non_null(strstr(r.body, want));
	snprintf(want, sizeof(want), "href=\"/static/%s\"",
	         assets_hashed("admin.css"));
	assert_non_null(strstr(r.body, want));
	reply_free(&r);
	get("GET", "/embed/comments?site=lamdong&article=a1", NULL, NULL, &r);
	assert_int_equal(r.status, 200);
	snprintf(want, sizeof(want), "href=\"/static/%s\"",
	         assets_hashed("embed.css"));
	assert_non_null(strstr(r.body, want));
	reply_free(&r);
	get("GET", "/api/v1/version", NULL, NULL, &r);
	j = json_loads(r.body, 0, NULL);
	snprintf(want, sizeof(want), "/%s", assets_hashed("embed.js"));
	assert_string_equal(json_string_value(json_object_get(j, "embed_js")),
	                    want);
	json_decref(j);
	reply_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gzip_by_accept_encoding),
	    cmocka_unit_test(test_accept_encoding_values),
	    cmocka_unit_test(test_if_none_match),
	    cmocka_unit_test(test_head),
	    cmocka_unit_test(test_cache_lifetimes_and_hashed_names),
	    cmocka_unit_test(test_hashed_embed_js),
	    cmocka_unit_test(test_pages_link_hashed_names),
	};

	return HARNESS_RUN_GROUP(tests, setup);
}
