/*
 * Unit tests of the embedded web files as served (assets.c) and of what
 * the build made of them (cmake/embedgen.c, embed.h): Accept-Encoding,
 * stable and hashed names, the gzip bytes (they gunzip to the raw ones),
 * the ETags, the rewritten '/static/' literals of embed.js.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sodium.h>
#include <zlib.h>

#include "assets.h"
#include "embed.h"

static void
test_accept_gzip(void **state)
{
	(void)state;
	/* What browsers and curl --compressed send. */
	assert_true(assets_accept_gzip("gzip, deflate, br, zstd"));
	assert_true(assets_accept_gzip("deflate, gzip;q=1.0, *;q=0.5"));
	assert_true(assets_accept_gzip("gzip"));
	assert_true(assets_accept_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
	/* Case-insensitive tokens and q; the alias x-gzip; white space. */
	assert_true(assets_accept_gzip("GZip"));
	assert_true(assets_accept_gzip("x-gzip"));
	assert_true(assets_accept_gzip(" \tgzip ; Q=0.001 ,"));
	/* "*" stands for every coding not listed. */
	assert_true(assets_accept_gzip("*"));
	assert_true(assets_accept_gzip("br, *;q=0.1"));
	assert_false(assets_accept_gzip("*;q=0"));
	assert_false(assets_accept_gzip("gzip;q=0, *"));
	assert_true(assets_accept_gzip("*;q=0, gzip"));
	/* q=0 refuses, in any spelling. */
	assert_false(assets_accept_gzip("gzip;q=0"));
	assert_false(assets_accept_gzip("gzip;q=0.000"));
	assert_false(assets_accept_gzip("gzip ; q=0., br"));
	/* The highest weight of a repeated coding counts. */
	assert_true(assets_accept_gzip("gzip;q=0, gzip;q=0.5"));
	/* Not gzip: nothing, empty, others, identity only, prefixes. */
	assert_false(assets_accept_gzip(NULL));
	assert_false(assets_accept_gzip(""));
	assert_false(assets_accept_gzip("  ,, "));
	assert_false(assets_accept_gzip("identity"));
	assert_false(assets_accept_gzip("br, deflate"));
	assert_false(assets_accept_gzip("gzipx"));
	assert_false(assets_accept_gzip("gzi"));
	assert_false(assets_accept_gzip("x-gzipp, gzip2"));
	/* Malformed elements are ignored, the well-formed ones still
	 * count: a bad weight, a parameter other than q, junk. */
	assert_false(assets_accept_gzip("gzip;q=2"));
	assert_false(assets_accept_gzip("gzip;q=1.5"));
	assert_false(assets_accept_gzip("gzip;q=0.1234"));
	assert_false(assets_accept_gzip("gzip;q="));
	assert_false(assets_accept_gzip("gzip;q=abc"));
	assert_false(assets_accept_gzip("gzip;level=9"));
	assert_false(assets_accept_gzip("gzip;"));
	assert_false(assets_accept_gzip("gzip br"));
	assert_false(assets_accept_gzip("\"gzip\""));
	assert_true(assets_accept_gzip("gzip;q=2, x-gzip"));
	assert_true(assets_accept_gzip("gzip br, gzip"));
	assert_true(assets_accept_gzip("@@@, gzip;q=0.5"));
	assert_true(assets_accept_gzip("gzip;q=1.000"));
	assert_true(assets_accept_gzip("gzip;q=1."));
}

/* The file as found under its stable name. */
static const struct embed_file *
stable(const char *name)
{
	const struct embed_file *f = NULL;

	assert_int_equal(assets_find(name, &f), ASSETS_STABLE);
	assert_non_null(f);
	return f;
}

static void
test_find(void **state)
{
	const struct embed_file *js = stable("embed.js"), *f;
	char name[128];
	const char *h = assets_hashed("embed.js");

	(void)state;
	assert_string_equal(js->name, "web/embed.js");
	/* embed.HASH.js, with the first digits of the content hash. */
	snprintf(name, sizeof(name), "embed.%.*s.js", EMBED_URL_HASH_HEX,
	         js->hash);
	assert_string_equal(h, name);
	assert_string_equal(js->hashed + 4, name);
	assert_int_equal(strncmp(js->hashed, "web/", 4), 0);
	assert_int_equal(assets_find(h, &f), ASSETS_HASHED);
	assert_ptr_equal(f, js);
	/* Another hash of the right shape: an earlier release's file. */
	name[6] = name[6] == '0' ? '1' : '0';
	assert_int_equal(assets_find(name, &f), ASSETS_STALE);
	assert_ptr_equal(f, js);
	/* Not a hash: wrong length, upper case, not hex; no such stem. */
	assert_int_equal(assets_find("embed.0123456789a.js", &f), ASSETS_NONE);
	assert_null(f);
	assert_int_equal(assets_find("embed.0123456789abc.js", &f),
	                 ASSETS_NONE);
	assert_int_equal(assets_find("embed.0123456789AB.js", &f), ASSETS_NONE);
	assert_int_equal(assets_find("embed.0123456789ag.js", &f), ASSETS_NONE);
	assert_int_equal(assets_find("nope.0123456789ab.js", &f), ASSETS_NONE);
	assert_int_equal(assets_find(".0123456789ab.js", &f), ASSETS_NONE);
	assert_int_equal(assets_find("embed.0123456789ab", &f), ASSETS_NONE);
	/* The hash of one file does not open another. */
	snprintf(name, sizeof(name), "pow.%.*s.js", EMBED_URL_HASH_HEX,
	         js->hash);
	assert_int_equal(assets_find(name, &f), ASSETS_STALE);
	assert_string_equal(f->name, "web/pow.js");
	/* Only web/: the migrations and voices are not files to serve. */
	assert_int_equal(assets_find("0001_init.sql", &f), ASSETS_NONE);
	assert_int_equal(assets_find("../db/sqlite/0001_core.sql", &f),
	                 ASSETS_NONE);
	assert_int_equal(assets_find("", &f), ASSETS_NONE);
	assert_int_equal(assets_find(".", &f), ASSETS_NONE);
	assert_int_equal(assets_find(NULL, &f), ASSETS_NONE);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(assets_find(name, &f), ASSETS_NONE);
	/* A name that is not embedded is linked as it is. */
	assert_string_equal(assets_hashed("nope.css"), "nope.css");
}

/* gunzips gz into a fresh buffer and compares it with want. */
static void
assert_gunzips_to(const unsigned char *gz, size_t gzlen,
                  const unsigned char *want, size_t wantlen)
{
	unsigned char *out = malloc(wantlen + 1);
	z_stream z;

	assert_non_null(out);
	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK); /* gzip only */
	z.next_in = (unsigned char *)(uintptr_t)gz;
	z.avail_in = (uInt)gzlen;
	z.next_out = out;
	z.avail_out = (uInt)wantlen + 1;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	assert_int_equal(z.total_out, wantlen);
	assert_int_equal(z.avail_in, 0);
	assert_memory_equal(out, want, wantlen);
	inflateEnd(&z);
	free(out);
}

static int
text_web(const char *name)
{
	static const char *ext[] = {".js",  ".css",  ".html",
	                            ".svg", ".json", ".txt"};
	size_t i, n = strlen(name);

	for (i = 0; strncmp(name, "web/", 4) == 0 && i < 6; i++)
		if (n > strlen(ext[i]) &&
		    strcmp(name + n - strlen(ext[i]), ext[i]) == 0)
			return 1;
	return 0;
}

static void
test_build_output(void **state)
{
	const struct embed_file *f;
	unsigned char h[EMBED_HASH_HEX / 2];
	char hex[EMBED_HASH_HEX + 1], want[128];
	size_t nweb = 0;

	(void)state;
	assert_int_equal(sodium_init() < 0, 0);
	for (f = embed_list(); f->name != NULL; f++) {
		/* The hash is of the bytes as embedded, the tags quote it. */
		crypto_generichash(h, sizeof(h), f->data, f->len, NULL, 0);
		sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
		assert_string_equal(f->hash, hex);
		snprintf(want, sizeof(want), "\"%s\"", hex);
		assert_string_equal(f->etag, want);
		/* The raw bytes end in a NUL (migrations are C strings). */
		assert_int_equal(f->data[f->len], '\0');
		if (!text_web(f->name)) {
			/* Pictures, sounds, SQL: never compressed. */
			assert_null(f->gz);
			assert_null(f->gz_etag);
			continue;
		}
		nweb++;
		assert_non_null(f->gz);
		assert_true(f->gz_len < f->len);
		assert_gunzips_to(f->gz, f->gz_len, f->data, f->len);
		snprintf(want, sizeof(want), "\"%s-gzip\"", hex);
		assert_string_equal(f->gz_etag, want);
	}
	assert_true(nweb >= 6); /* embed.js, embed.css, pow.js, admin ... */
}

static void
test_pick(void **state)
{
	const struct embed_file *js = stable("embed.js");
	struct assets_rep r;

	(void)state;
	assets_pick(js, ASSETS_STABLE, "gzip, deflate, br", &r);
	assert_ptr_equal(r.data, js->gz);
	assert_int_equal(r.len, js->gz_len);
	assert_string_equal(r.encoding, "gzip");
	assert_string_equal(r.etag, js->gz_etag);
	assert_string_equal(r.content_type, "text/javascript; charset=utf-8");
	assert_string_equal(
	    r.cache_control,
	    "public, max-age=300, stale-while-revalidate=86400");
	assert_int_equal(r.vary, 1);
	assets_pick(js, ASSETS_HASHED, "gzip;q=0", &r);
	assert_ptr_equal(r.data, js->data);
	assert_int_equal(r.len, js->len);
	assert_null(r.encoding);
	assert_string_equal(r.etag, js->etag);
	assert_string_equal(r.cache_control,
	                    "public, max-age=31536000, immutable");
	assert_int_equal(r.vary, 1);
	assets_pick(stable("embed.css"), ASSETS_STABLE, NULL, &r);
	assert_null(r.encoding);
	assert_string_equal(r.content_type, "text/css; charset=utf-8");
}

/* embed.js loads the stylesheet and the proof of work by their hashed
 * names (immutable too); only its own name stays as written. */
static void
test_rewritten_references(void **state)
{
	const struct embed_file *js = stable("embed.js");
	const char *text = (const char *)js->data;
	char want[128];

	(void)state;
	snprintf(want, sizeof(want), "'/static/%s'", assets_hashed("pow.js"));
	assert_non_null(strstr(text, want));
	snprintf(want, sizeof(want), "'/static/%s'",
	         assets_hashed("embed.css"));
	assert_non_null(strstr(text, want));
	assert_null(strstr(text, "'/static/pow.js'"));
	assert_null(strstr(text, "'/static/embed.css'"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accept_gzip),
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_build_output),
	    cmocka_unit_test(test_pick),
	    cmocka_unit_test(test_rewritten_references),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
