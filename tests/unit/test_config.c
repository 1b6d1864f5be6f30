/*
 * Unit tests of the config parser: a good file, and each kind of problem
 * reported with its line number.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "webhook.h"

struct errs {
	char text[4096];
	unsigned int n;
};

static void
collect(void *arg, unsigned int line, const char *msg)
{
	struct errs *e = arg;
	size_t len = strlen(e->text);

	e->n++;
	snprintf(e->text + len, sizeof(e->text) - len, "%u: %s\n", line, msg);
}

static struct config *
load(const char *text, struct errs *e)
{
	memset(e, 0, sizeof(*e));
	return config_load_string(text, collect, e);
}

static void
test_good_file(void **state)
{
	struct errs e;
	struct config *c;
	const struct config_site *s;

	(void)state;
	c = load("; comment\n"
	         "[server]\n"
	         "listen = 127.0.0.1:8080 [::1]:8081\n"
	         "listen = 0.0.0.0:9000\n"
	         "threads = 4\n"
	         "access_log = off\n"
	         "trusted_proxies = 10.0.0.0/8 ::1\n"
	         "public_url = HTTPS://Comments.Example.org:443\n"
	         "[site.lamdong]\n"
	         "name = Báo Lâm Đồng\n"
	         "origins = https://baolamdong.vn http://localhost:8080\n"
	         "lang = vi\n"
	         "[site en_news]\n"
	         "lang = en\n",
	         &e);
	assert_non_null(c);
	assert_int_equal(e.n, 0);
	assert_int_equal(c->nlisten, 3);
	assert_string_equal(c->listen[1].text, "[::1]:8081");
	assert_int_equal(c->threads, 4);
	assert_int_equal(c->access_log, 0);
	assert_int_equal(c->nproxies, 2);
	assert_int_equal(c->proxies[0].prefix, 8);
	assert_int_equal(c->proxies[1].prefix, 128);
	assert_string_equal(c->public_url, "https://comments.example.org");
	assert_int_equal(c->connection_timeout, 15); /* default */
	assert_int_equal(c->nsites, 2);
	s = config_site_find(c, "lamdong");
	assert_non_null(s);
	assert_string_equal(s->name, "Báo Lâm Đồng");
	assert_int_equal(s->norigins, 2);
	assert_string_equal(s->origins[0], "https://baolamdong.vn");
	s = config_site_find(c, "en_news");
	assert_non_null(s);
	assert_string_equal(s->lang, "en");
	assert_string_equal(s->name, "en_news"); /* defaults to its id */
	config_free(c);
}

static void
test_defaults_and_default_site(void **state)
{
	struct errs e;
	struct config *c = load("", &e);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->nsites, 1);
	assert_string_equal(c->sites[0].id, "default");
	assert_int_equal(c->sites[0].norigins, 0); /* same-origin only */
	assert_string_equal(c->public_url, "");    /* worked out by http.c */
	assert_int_equal(c->threads, 2);
	config_free(c);
}

/* Each bad file must fail and name the right line. */
static void
test_errors_with_lines(void **state)
{
	static const struct {
		const char *text;
		const char *want; /* "LINE: start of message" */
	} cases[] = {
	    {"[server]\nthreads = 2\nbogus = 1\n", "3: unknown key 'bogus'"},
	    {"[server]\nthreads = 2\n\nthreads = 3\n",
	     "4: duplicate key 'threads' in [server] (first set on line 2)"},
	    {"[server]\nthreads = 999\n", "2: bad value for 'threads'"},
	    {"[server]\nthreads = 2x\n", "2: bad value for 'threads'"},
	    {"[server]\naccess_log = maybe\n", "2: bad value for 'access_log'"},
	    {"[server]\nlisten = 127.0.0.1\n", "2: bad listen address"},
	    {"[server]\nlisten = 127.0.0.1:70000\n", "2: bad listen address"},
	    {"[server]\ntrusted_proxies = 10.0.0.0/33\n", "2: bad CIDR"},
	    {"[site.a]\norigins = https://a.vn/path\n", "2: bad origin"},
	    {"[site.a]\norigins = ftp://a.vn\n", "2: bad origin"},
	    {"[site.a]\nlang = fr\n", "2: lang of site 'a'"},
	    {"[site.A!]\nlang = vi\n", "2: bad site name"},
	    {"[nope]\nx = 1\n", "2: unknown section [nope]"},
	    {"[server]\nthreads = 2\n[site.a]\nlang = vi\n[server]\n"
	     "access_log = on\n",
	     "6: section [server] appears twice"},
	    {"[server]\nthis line has no equals sign\n", "2: syntax error"},
	    {"[server]\nlog_level = loud\n", "2: log_level must be"},
	    /* Found by the fuzzer: refused strings must not leave NULLs. */
	    {"[server]\nlog_level =\n", "2: bad value for 'log_level'"},
	    {"[server]\nlog_level = verbose-please\n",
	     "2: bad value for 'log_level'"},
	    {"[site.a]\nlang =\n", "2: bad value for 'lang'"},
	    /* Found by the fuzzer: nested repetition makes regcomp explode. */
	    {"[site.a]\narticle_pattern = ^/(ti++++++++)$\n",
	     "2: article_pattern of site 'a' repeats a repetition"},
	    {"[site.a]\narticle_pattern = ^[0-9]+{2}$\n",
	     "2: article_pattern of site 'a' repeats a repetition"},
	    {"[site.a]\narticle_url_pattern = -[0-9]+\\.html$\n",
	     "2: article_url_pattern of site 'a' needs a group"},
	    {"[site.a]\narticle_url_pattern = -([0-9]+\n",
	     "2: article_url_pattern of site 'a' is not a valid"},
	    {"[site.a]\narticle_url_pattern = -(a++)$\n",
	     "2: article_url_pattern of site 'a' repeats a repetition"},
	    {"[site.a]\nwebhook_events = comment.pending comment.edited\n",
	     "2: unknown event 'comment.edited' in webhook_events of site "
	     "'a'"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct errs e;
		struct config *c = load(cases[i].text, &e);

		if (c != NULL || strstr(e.text, cases[i].want) == NULL)
			fail_msg("case %zu: want '%s', got:\n%s", i,
			         cases[i].want, e.text);
	}
}

/* A site's webhook gets every event unless its list says otherwise. */
static void
test_webhook_events(void **state)
{
	struct errs e;
	struct config *c = load("[site.a]\n[site.b]\nwebhook_events = "
	                        "comment.approved, comment.deleted\n"
	                        "[site.c]\nwebhook_events =\n",
	                        &e);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->sites[0].webhook_events, WEBHOOK_ALL_EVENTS);
	assert_int_equal(c->sites[1].webhook_events,
	                 WEBHOOK_BIT(WEBHOOK_APPROVED) |
	                     WEBHOOK_BIT(WEBHOOK_DELETED));
	assert_int_equal(c->sites[2].webhook_events, 0);
	config_free(c);
}

static void
test_site_without_keys(void **state)
{
	struct errs e;
	struct config *c = load("[site.empty]\n\n[server]\nthreads = 1\n", &e);

	(void)state;
	/* A site section with no key still makes the site (with defaults),
	 * instead of silently falling back to the "default" site. */
	assert_non_null(c);
	assert_int_equal(c->nsites, 1);
	assert_string_equal(c->sites[0].id, "empty");
	assert_string_equal(c->sites[0].lang, "vi");
	config_free(c);
}

static void
test_every_problem_reported(void **state)
{
	struct errs e;
	struct config *c;

	(void)state;
	c = load("[server]\nthreads = 0\nbogus = 1\nthreads = 3\n"
	         "[site.x]\nlang = de\n",
	         &e);
	assert_null(c);
	assert_int_equal(e.n, 4);
	assert_non_null(strstr(e.text, "2: bad value"));
	assert_non_null(strstr(e.text, "3: unknown key"));
	assert_non_null(strstr(e.text, "4: duplicate key"));
	assert_non_null(strstr(e.text, "6: lang of site 'x'"));
}

static void
test_long_line(void **state)
{
	char text[1024];
	struct errs e;
	struct config *c;

	(void)state;
	snprintf(text, sizeof(text),
	         "[server]\ndata_dir = /%0300d\n"
	         "threads = 2\nbogus = 1\n",
	         0);
	c = load(text, &e);
	assert_null(c);
	assert_non_null(strstr(e.text, "2: line longer than"));
	/* Counting went on correctly after the long line. */
	assert_non_null(strstr(e.text, "4: unknown key 'bogus'"));
}

static void
test_nul_byte_in_file(void **state)
{
	char path[] = "/tmp/bandoc-cfg-XXXXXX";
	struct errs e;
	struct config *c;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	/* Found by reading the fuzzer's report: "info\0junk" must not pass
	 * as "info". */
	assert_int_equal(write(fd,
	                       "[server]\nthreads = 2\nlog_level = info\0junk"
	                       "\n",
	                       42),
	                 42);
	close(fd);
	memset(&e, 0, sizeof(e));
	c = config_load(path, collect, &e);
	unlink(path);
	assert_null(c);
	assert_non_null(strstr(e.text, "3: NUL byte in line"));
}

static void
test_origin_normalise(void **state)
{
	char out[MAX_ORIGIN_LEN + 1];

	(void)state;
	assert_int_equal(
	    config_origin_normalise("https://A.vn", out, sizeof(out)), 0);
	assert_string_equal(out, "https://a.vn");
	assert_int_equal(
	    config_origin_normalise("http://a.vn:80", out, sizeof(out)), 0);
	assert_string_equal(out, "http://a.vn");
	assert_int_equal(
	    config_origin_normalise("http://[::1]:8080", out, sizeof(out)), 0);
	assert_string_equal(out, "http://[::1]:8080");
	assert_int_equal(
	    config_origin_normalise("https://a.vn/", out, sizeof(out)), -1);
	assert_int_equal(
	    config_origin_normalise("https://u@a.vn", out, sizeof(out)), -1);
	assert_int_equal(
	    config_origin_normalise("https://a.vn:0", out, sizeof(out)), -1);
	assert_int_equal(config_origin_normalise("null", out, sizeof(out)), -1);

	/* Found by the fuzzer: brackets hold an IPv6 address or nothing. */
	assert_int_equal(
	    config_origin_normalise("http://[\xc3\xa9]:8080", out, sizeof(out)),
	    -1);
	assert_int_equal(
	    config_origin_normalise("http://[a/b]", out, sizeof(out)), -1);
	assert_int_equal(config_origin_normalise(
	                     "https://[not an address]:8443", out, sizeof(out)),
	                 -1);
}

static void
test_cidr(void **state)
{
	struct config_cidr c;
	unsigned char a[16] = {10, 1, 2, 3};
	unsigned char b[16] = {11, 1, 2, 3};

	(void)state;
	assert_int_equal(config_cidr_parse("10.0.0.0/8", &c), 0);
	assert_true(config_cidr_match(&c, 2 /* AF_INET */, a));
	assert_false(config_cidr_match(&c, 2, b));
	assert_int_equal(config_cidr_parse("10.0.0.0/7", &c), 0);
	assert_true(config_cidr_match(&c, 2, b));
	assert_int_equal(config_cidr_parse("garbage", &c), -1);
	assert_int_equal(config_cidr_parse("::/129", &c), -1);
}

static void
test_doc_lists_every_key(void **state)
{
	char *doc = config_doc_markdown();

	(void)state;
	assert_non_null(doc);
	assert_non_null(strstr(doc, "| [server] | `listen` |"));
	assert_non_null(strstr(doc, "| [site.NAME] | `origins` |"));
	free(doc);
}

/* The database path, the one rule for the daemon, user and backup. */
static void
test_db_path(void **state)
{
	struct errs e;
	struct config *c;
	char *p;

	(void)state;
	c = load("[server]\ndata_dir = /srv/bandoc\n", &e);
	assert_non_null(c);
	p = config_db_path(c);
	assert_string_equal(p, "/srv/bandoc/bandoc.db");
	free(p);
	config_free(c);
	c = load("[server]\ndata_dir = /srv/bandoc\ndb_file = /data/x.db\n",
	         &e);
	assert_non_null(c);
	p = config_db_path(c);
	assert_string_equal(p, "/data/x.db");
	free(p);
	config_free(c);
}

/* The one bounded number parser: digits only, the whole string, in
 * range; everything strtoll would also take is refused. */
static void
test_parse_ll(void **state)
{
	static const char *const bad[] = {
	    "",
	    " 1",
	    "1 ",
	    "+1",
	    "1x",
	    "0x10",
	    "1e3",
	    "--1",
	    "-",
	    "٣",
	    "99999999999999999999" /* overflows */};
	long long v = 7;
	size_t i;

	(void)state;
	assert_int_equal(config_parse_ll("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(config_parse_ll("-5", -10, 10, &v), 0);
	assert_int_equal(v, -5);
	assert_int_equal(config_parse_ll("0", 0, 0, &v), 0);
	assert_int_equal(
	    config_parse_ll("9223372036854775807", 0, LLONG_MAX, &v), 0);
	assert_true(v == LLONG_MAX);
	v = 7;
	assert_int_equal(config_parse_ll("101", 0, 100, &v), -1);
	assert_int_equal(config_parse_ll("0", 1, 100, &v), -1);
	assert_int_equal(config_parse_ll(NULL, 0, 100, &v), -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(
		    config_parse_ll(bad[i], LLONG_MIN, LLONG_MAX, &v), -1);
	assert_int_equal(v, 7); /* untouched on refusal */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_file),
	    cmocka_unit_test(test_db_path),
	    cmocka_unit_test(test_defaults_and_default_site),
	    cmocka_unit_test(test_errors_with_lines),
	    cmocka_unit_test(test_webhook_events),
	    cmocka_unit_test(test_site_without_keys),
	    cmocka_unit_test(test_every_problem_reported),
	    cmocka_unit_test(test_long_line),
	    cmocka_unit_test(test_nul_byte_in_file),
	    cmocka_unit_test(test_origin_normalise),
	    cmocka_unit_test(test_cidr),
	    cmocka_unit_test(test_parse_ll),
	    cmocka_unit_test(test_doc_lists_every_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
