/*
 * test_import.c: the Disqus and WordPress readers (service/import.c) on
 * the hand-written fixtures in tests/import/, every field of every
 * comment; what is reported instead of handed on; the documents that
 * are refused (not XML, a DOCTYPE, entities, the wrong root); the bounds;
 * the dates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "import.h"

#define MAXC 16

struct got {
	struct {
		char *id, *parent, *thread, *url, *title, *name, *email, *body;
		long long at;
		enum import_status status;
	} c[MAXC];
	size_t n;
	char problems[8][160];
	size_t np;
	size_t stop_after; /* 0: never */
};

static int
collect(void *arg, const struct import_comment *c)
{
	struct got *g = arg;

	assert_true(g->n < MAXC);
	g->c[g->n].id = strdup(c->source_id);
	g->c[g->n].parent = strdup(c->parent_id);
	g->c[g->n].thread = strdup(c->thread_id);
	g->c[g->n].url = strdup(c->url);
	g->c[g->n].title = strdup(c->title);
	g->c[g->n].name = strdup(c->name);
	g->c[g->n].email = strdup(c->email);
	g->c[g->n].body = strdup(c->body);
	g->c[g->n].at = c->created_at;
	g->c[g->n].status = c->status;
	g->n++;
	return g->stop_after != 0 && g->n == g->stop_after ? 7 : 0;
}

static void
noted(void *arg, const char *what, const char *id)
{
	struct got *g = arg;

	if (g->np < 8)
		snprintf(g->problems[g->np++], sizeof(g->problems[0]), "%s: %s",
		         id, what);
}

static void
got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		free(g->c[i].id);
		free(g->c[i].parent);
		free(g->c[i].thread);
		free(g->c[i].url);
		free(g->c[i].title);
		free(g->c[i].name);
		free(g->c[i].email);
		free(g->c[i].body);
	}
	memset(g, 0, sizeof(*g));
}

static int
read_fixture(enum import_format f, const char *name, struct got *g,
             struct import_counts *n, char *err, size_t errsz)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/tests/import/%s", BANDOC_SOURCE_DIR,
	         name);
	return import_read_file(f, path, collect, noted, g, n, err, errsz);
}

static int
read_text(enum import_format f, const char *xml, struct got *g,
          struct import_counts *n, char *err, size_t errsz)
{
	return import_read_mem(f, xml, strlen(xml), collect, noted, g, n, err,
	                       errsz);
}

static void
test_disqus_fixture(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";

	(void)state;
	assert_int_equal(
	    read_fixture(IMPORT_DISQUS, "disqus.xml", &g, &n, err, sizeof(err)),
	    0);
	assert_int_equal(n.threads, 2);
	assert_int_equal(n.comments, 4);
	assert_int_equal(n.skipped, 0);
	assert_int_equal(n.problems, 1);
	assert_int_equal(g.n, 4);
	/* A top-level comment, with its article's URL and title (entity
	 * decoded), and the HTML of the message as Disqus has it. */
	assert_string_equal(g.c[0].id, "9001");
	assert_string_equal(g.c[0].parent, "");
	assert_string_equal(g.c[0].thread, "7001");
	assert_string_equal(
	    g.c[0].url,
	    "https://baotinh.example.vn/thoi-su/cau-moi-khanh-thanh-123.html");
	assert_string_equal(g.c[0].title, "Cầu mới khánh thành & thông xe");
	assert_string_equal(g.c[0].name, "Nguyễn Thị Lan");
	assert_string_equal(g.c[0].email, "lan.nguyen@example.vn");
	assert_string_equal(g.c[0].body,
	                    "<p>Cầu đẹp quá, cảm ơn <b>tòa soạn</b>!</p>");
	assert_int_equal(g.c[0].at, 1551431730);
	assert_int_equal(g.c[0].status, IMPORT_APPROVED);
	/* A reply; its date has a fraction and +07:00. */
	assert_string_equal(g.c[1].id, "9002");
	assert_string_equal(g.c[1].parent, "9001");
	assert_string_equal(g.c[1].name, "Trần Minh");
	assert_int_equal(g.c[1].at, 1551409200);
	assert_int_equal(g.c[1].status, IMPORT_APPROVED);
	/* Spam and deleted keep their status; no e-mail reads as "". */
	assert_string_equal(g.c[2].id, "9003");
	assert_int_equal(g.c[2].status, IMPORT_SPAM);
	assert_string_equal(g.c[2].thread, "7002");
	assert_string_equal(g.c[2].title, "Giá lúa tăng");
	assert_int_equal(g.c[2].at, 1551524400);
	assert_string_equal(g.c[3].id, "9004");
	assert_int_equal(g.c[3].status, IMPORT_DELETED);
	assert_string_equal(g.c[3].email, "");
	assert_int_equal(g.c[3].at, 1551528000);
	/* The post of an article the export does not list: reported. */
	assert_string_equal(g.problems[0],
	                    "9005: comment of an article not in the export");
	got_free(&g);
}

static void
test_wordpress_fixture(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";

	(void)state;
	assert_int_equal(
	    read_fixture(IMPORT_WXR, "wordpress.xml", &g, &n, err, sizeof(err)),
	    0);
	assert_int_equal(n.threads, 2);
	assert_int_equal(n.comments, 4);
	assert_int_equal(n.skipped, 1); /* the pingback */
	assert_int_equal(n.problems, 1);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.c[0].id, "501");
	assert_string_equal(g.c[0].parent, ""); /* comment_parent 0 */
	assert_string_equal(g.c[0].thread, "789");
	assert_string_equal(
	    g.c[0].url,
	    "https://baotinh.example.vn/van-hoa/le-hoi-dua-ghe-789.html");
	assert_string_equal(g.c[0].title, "Lễ hội đua ghe ngo");
	assert_string_equal(g.c[0].name, "Lê Văn Hùng");
	assert_string_equal(g.c[0].email, "hung.le@example.vn");
	assert_string_equal(
	    g.c[0].body,
	    "Năm nay đông vui hơn năm ngoái.\nHẹn gặp lại năm sau!");
	assert_int_equal(g.c[0].at, 1572838200);
	assert_int_equal(g.c[0].status, IMPORT_APPROVED);
	/* Held for moderation; CDATA is kept literally (no decoding). */
	assert_string_equal(g.c[1].id, "502");
	assert_string_equal(g.c[1].parent, "501");
	assert_string_equal(g.c[1].body,
	                    "Anh Hùng nói đúng &amp; em cũng thấy vậy.");
	assert_int_equal(g.c[1].at, 1572840000);
	assert_int_equal(g.c[1].status, IMPORT_PENDING);
	/* The second item's comments carry the second item's article. */
	assert_string_equal(g.c[2].id, "601");
	assert_string_equal(g.c[2].thread, "790");
	assert_string_equal(g.c[2].title, "Mùa nước nổi");
	assert_int_equal(g.c[2].status, IMPORT_SPAM);
	assert_int_equal(g.c[2].at, 1573002000);
	assert_string_equal(g.c[3].id, "602");
	assert_int_equal(g.c[3].status, IMPORT_DELETED);
	assert_string_equal(g.c[3].email, "");
	assert_int_equal(g.c[3].at, 1573005600);
	/* No GMT date: reported, never guessed from the local one. */
	assert_string_equal(g.problems[0],
	                    "603: comment without a usable UTC date");
	got_free(&g);
}

static void
test_callback_stops(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";

	(void)state;
	g.stop_after = 2;
	assert_int_equal(
	    read_fixture(IMPORT_DISQUS, "disqus.xml", &g, &n, err, sizeof(err)),
	    7);
	assert_int_equal(g.n, 2);
	assert_int_equal(n.comments, 2);
	got_free(&g);
}

static void
test_refused_documents(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";
	static const char laughs[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE disqus [<!ENTITY a \"aaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
	    "<disqus xmlns=\"http://disqus.com\">&b;</disqus>";
	static const char external[] =
	    "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY x SYSTEM "
	    "\"file:///etc/passwd\">]><rss><channel><item><title>&x;</title>"
	    "</item></channel></rss>";
	static const char cut[] =
	    "<disqus xmlns=\"http://disqus.com\" "
	    "xmlns:dsq=\"http://disqus.com/disqus-internals\">"
	    "<thread dsq:id=\"1\"><link>https://a.example/x</link></thread>"
	    "<post dsq:id=\"2\"><message>hi</message><createdAt>"
	    "2020-01-01T00:00:00Z</createdAt><thread dsq:id=\"1\"/></post>"
	    "<post dsq:id=\"3\"><message>cut";

	(void)state;
	assert_int_equal(
	    read_text(IMPORT_DISQUS, laughs, &g, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DOCTYPE"));
	assert_int_equal(g.n, 0);
	assert_int_equal(
	    read_text(IMPORT_WXR, external, &g, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "DOCTYPE"));
	/* The wrong format for the file. */
	assert_int_equal(
	    read_fixture(IMPORT_WXR, "disqus.xml", &g, &n, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "not a WordPress export (root <disqus>)");
	assert_int_equal(
	    read_text(IMPORT_DISQUS, "not xml", &g, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not well-formed XML"));
	/* Cut short: what came before the error was handed on. */
	assert_int_equal(
	    read_text(IMPORT_DISQUS, cut, &g, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not well-formed XML"));
	assert_int_equal(g.n, 1);
	assert_string_equal(g.c[0].id, "2");
	assert_string_equal(g.c[0].url, "https://a.example/x");
	got_free(&g);
	assert_int_equal(import_read_file(IMPORT_WXR, "/nonexistent/x.xml",
	                                  collect, noted, &g, &n, err,
	                                  sizeof(err)),
	                 -1);
}

static void
test_bounds(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";
	char *xml, *p;
	size_t len = IMPORT_NAME_MAX + 1;

	(void)state;
	xml = malloc(len + 1024);
	assert_non_null(xml);
	p = xml + sprintf(xml,
	                  "<rss xmlns:wp=\"http://wordpress.org/export/1.0/\">"
	                  "<channel><item><wp:post_id>1</wp:post_id>"
	                  "<wp:comment><wp:comment_id>5</wp:comment_id>"
	                  "<wp:comment_date_gmt>2020-01-01 00:00:00"
	                  "</wp:comment_date_gmt><wp:comment_author>");
	memset(p, 'x', len);
	p += len;
	strcpy(p, "</wp:comment_author></wp:comment>"
	          "<wp:comment><wp:comment_id>6</wp:comment_id>"
	          "<wp:comment_date_gmt>2020-01-01 00:00:01"
	          "</wp:comment_date_gmt><wp:comment_author>ok"
	          "</wp:comment_author></wp:comment></item></channel></rss>");
	/* WXR 1.0's namespace too; the long name is reported, the next
	 * comment is read. */
	assert_int_equal(read_text(IMPORT_WXR, xml, &g, &n, err, sizeof(err)),
	                 0);
	assert_int_equal(n.problems, 1);
	assert_string_equal(g.problems[0],
	                    "5: comment with <comment_author> too long");
	assert_int_equal(g.n, 1);
	assert_string_equal(g.c[0].id, "6");
	assert_string_equal(g.c[0].name, "ok");
	assert_int_equal(g.c[0].at, 1577836801);
	got_free(&g);
	free(xml);
	/* A <wp:comment> inside a <wp:comment> is not a field of it; the
	 * outer one is read and nothing leaks (this once lost the item). */
	assert_int_equal(
	    read_text(IMPORT_WXR,
	              "<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">"
	              "<channel><item><link>https://a.example/p</link>"
	              "<wp:comment><wp:comment_id>8</wp:comment_id>"
	              "<wp:comment_date_gmt>2020-01-01 00:00:00"
	              "</wp:comment_date_gmt><wp:comment><wp:comment_id>9"
	              "</wp:comment_id></wp:comment></wp:comment></item>"
	              "</channel></rss>",
	              &g, &n, err, sizeof(err)),
	    0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.c[0].id, "8");
	assert_string_equal(g.c[0].url, "https://a.example/p");
	got_free(&g);
}

static void
test_times(void **state)
{
	long long t;

	(void)state;
	assert_int_equal(import_parse_time("2019-03-01T09:15:30Z", &t), 0);
	assert_int_equal(t, 1551431730);
	assert_int_equal(import_parse_time("2019-03-01 09:15:30", &t), 0);
	assert_int_equal(t, 1551431730);
	assert_int_equal(import_parse_time("2019-03-01T16:15:30.123+07:00", &t),
	                 0);
	assert_int_equal(t, 1551431730);
	assert_int_equal(import_parse_time("2019-03-01T04:15:30-05:00", &t), 0);
	assert_int_equal(t, 1551431730);
	assert_int_equal(import_parse_time("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(import_parse_time("2019-02-31T00:00:00Z", &t), -1);
	assert_int_equal(import_parse_time("0000-00-00 00:00:00", &t), -1);
	assert_int_equal(import_parse_time("2019-03-01T09:15:30", &t), -1);
	assert_int_equal(import_parse_time("2019-03-01T09:15:30Zjunk", &t), -1);
	assert_int_equal(import_parse_time("2019-03-01T09:15:30+7:00", &t), -1);
	assert_int_equal(import_parse_time("2019-3-01T09:15:30Z", &t), -1);
	assert_int_equal(import_parse_time("2019-03-01T24:00:00Z", &t), -1);
	assert_int_equal(import_parse_time("", &t), -1);
}

static void
test_names(void **state)
{
	enum import_format f;

	(void)state;
	assert_int_equal(import_format_parse("disqus", &f), 0);
	assert_int_equal(f, IMPORT_DISQUS);
	assert_int_equal(import_format_parse("wordpress", &f), 0);
	assert_int_equal(f, IMPORT_WXR);
	assert_int_equal(import_format_parse("isso", &f), 0);
	assert_int_equal(f, IMPORT_ISSO);
	assert_int_equal(import_format_parse("remark42", &f), 0);
	assert_int_equal(f, IMPORT_REMARK42);
	assert_int_equal(import_format_parse("waline", &f), 0);
	assert_int_equal(f, IMPORT_WALINE);
	assert_int_equal(import_format_parse("artalk", &f), 0);
	assert_int_equal(f, IMPORT_ARTALK);
	assert_int_equal(import_format_parse("commento", &f), -1);
	assert_int_equal(import_format_parse("Isso", &f), -1);
	assert_string_equal(import_status_name(IMPORT_SPAM), "spam");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_disqus_fixture),
	    cmocka_unit_test(test_wordpress_fixture),
	    cmocka_unit_test(test_callback_stops),
	    cmocka_unit_test(test_refused_documents),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_times),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
