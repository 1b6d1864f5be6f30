/*
 * test_import.c: the import readers (service/import.c, import_json.c,
 * import_isso.c) on the hand-written fixtures in tests/import/, every
 * field of every comment; what is reported instead of handed on; the
 * documents that are refused (not XML or JSON, a DOCTYPE, entities, the
 * wrong root or shape, too large, not an Isso database); the bounds; the
 * dates. The Isso database is built from tests/import/isso.sql in a
 * temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "bandoc_limits.h"
#include "config.h"
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
	/* A zone must not move a date out of 1970..9999 (the fuzzer's
	 * property: Disqus handed on a date before the epoch). */
	assert_int_equal(import_parse_time("1970-01-01T06:59:59+07:00", &t),
	                 -1);
	assert_int_equal(import_parse_time("1970-01-01T07:00:00+07:00", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(import_parse_time("9999-12-31T23:59:59-00:01", &t),
	                 -1);
	assert_int_equal(import_parse_time("9999-12-31T23:59:59Z", &t), 0);
	assert_int_equal(t, 253402300799LL);
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

/* --- Isso, Remark42, Waline, Artalk --- */

/* A malloc'd copy of a file's bytes, NUL-terminated, *len its size. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n >= 0);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

/* A temporary directory; path receives it. */
static void
tmpdir(char *path, size_t size)
{
	snprintf(path, size, "/tmp/test_import.XXXXXX");
	assert_non_null(mkdtemp(path));
}

/* Builds an SQLite database at db from the SQL text sql. */
static void
build_db(const char *db, const char *sql)
{
	sqlite3 *h = NULL;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_close(h), SQLITE_OK);
}

static void
test_isso_fixture(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "", dir[64], db[96], path[512];
	char *sql, *before, *after;
	size_t len, blen, alen;

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/import/isso.sql",
	         BANDOC_SOURCE_DIR);
	sql = slurp(path, &len);
	tmpdir(dir, sizeof(dir));
	snprintf(db, sizeof(db), "%s/isso.db", dir);
	build_db(db, sql);
	free(sql);
	/* Read-only: the file may be unwritable, and is left as it was. */
	assert_int_equal(chmod(db, 0444), 0);
	before = slurp(db, &blen);
	assert_int_equal(import_read_file(IMPORT_ISSO, db, collect, noted, &g,
	                                  &n, err, sizeof(err)),
	                 0);
	after = slurp(db, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(before, after, blen);
	free(before);
	free(after);
	assert_int_equal(n.threads, 2);
	assert_int_equal(n.comments, 5);
	assert_int_equal(n.skipped, 0);
	assert_int_equal(n.problems, 1);
	assert_int_equal(g.n, 5);
	/* Accepted (mode 1), top-level; the float date loses its fraction;
	 * Markdown kept as written; the thread's uri is a path. */
	assert_string_equal(g.c[0].id, "1");
	assert_string_equal(g.c[0].parent, "");
	assert_string_equal(g.c[0].thread, "1");
	assert_string_equal(g.c[0].url, "/2021/01/ha-noi-mua-thu/");
	assert_string_equal(g.c[0].title, "Hà Nội mùa thu");
	assert_string_equal(g.c[0].name, "Bùi Thu Trang");
	assert_string_equal(g.c[0].email, "trang.bui@example.vn");
	assert_string_equal(g.c[0].body,
	                    "Hà Nội mùa thu **đẹp** lắm, nhớ cốm làng Vòng!");
	assert_int_equal(g.c[0].at, 1609477200);
	assert_int_equal(g.c[0].status, IMPORT_APPROVED);
	/* A reply. */
	assert_string_equal(g.c[1].id, "2");
	assert_string_equal(g.c[1].parent, "1");
	assert_string_equal(g.c[1].thread, "1");
	assert_string_equal(g.c[1].url, "/2021/01/ha-noi-mua-thu/");
	assert_string_equal(g.c[1].title, "Hà Nội mùa thu");
	assert_string_equal(g.c[1].name, "Oliver Jones");
	assert_string_equal(g.c[1].email, "oliver@example.org");
	assert_string_equal(g.c[1].body, "Can't wait to visit in October.");
	assert_int_equal(g.c[1].at, 1609480800);
	assert_int_equal(g.c[1].status, IMPORT_APPROVED);
	/* Pending (mode 2), anonymous: NULL author and e-mail read "". */
	assert_string_equal(g.c[2].id, "3");
	assert_string_equal(g.c[2].parent, "");
	assert_string_equal(g.c[2].thread, "2");
	assert_string_equal(g.c[2].url, "/2021/02/tet-o-que/");
	assert_string_equal(g.c[2].title, "Tết ở quê & những món ăn");
	assert_string_equal(g.c[2].name, "");
	assert_string_equal(g.c[2].email, "");
	assert_string_equal(g.c[2].body, "Bánh chưng nhà ai gói vuông nhất?");
	assert_int_equal(g.c[2].at, 1612569600);
	assert_int_equal(g.c[2].status, IMPORT_PENDING);
	/* Deleted (mode 4): the emptied row kept for its reply. */
	assert_string_equal(g.c[3].id, "4");
	assert_string_equal(g.c[3].parent, "");
	assert_string_equal(g.c[3].thread, "2");
	assert_string_equal(g.c[3].url, "/2021/02/tet-o-que/");
	assert_string_equal(g.c[3].title, "Tết ở quê & những món ăn");
	assert_string_equal(g.c[3].name, "");
	assert_string_equal(g.c[3].email, "");
	assert_string_equal(g.c[3].body, "");
	assert_int_equal(g.c[3].at, 1612573200);
	assert_int_equal(g.c[3].status, IMPORT_DELETED);
	assert_string_equal(g.c[4].id, "5");
	assert_string_equal(g.c[4].parent, "4");
	assert_string_equal(g.c[4].thread, "2");
	assert_string_equal(g.c[4].url, "/2021/02/tet-o-que/");
	assert_string_equal(g.c[4].title, "Tết ở quê & những món ăn");
	assert_string_equal(g.c[4].name, "Lý Minh Khoa");
	assert_string_equal(g.c[4].email, "khoa.ly@example.vn");
	assert_string_equal(g.c[4].body, "Vẫn trả lời bình luận đã xoá.");
	assert_int_equal(g.c[4].at, 1612576800);
	assert_int_equal(g.c[4].status, IMPORT_APPROVED);
	assert_string_equal(g.problems[0],
	                    "6: comment of a thread not in the database");
	got_free(&g);
	unlink(db);
	rmdir(dir);
}

static void
test_isso_refused(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "", dir[64], db[96];
	FILE *fp;

	(void)state;
	tmpdir(dir, sizeof(dir));
	snprintf(db, sizeof(db), "%s/x.db", dir);
	/* Rows Isso would not write: each is reported, none handed on. */
	build_db(db,
	         "CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR,"
	         " title VARCHAR);"
	         "CREATE TABLE comments (tid, id INTEGER PRIMARY KEY,"
	         " parent INTEGER, created FLOAT NOT NULL, mode INTEGER,"
	         " text VARCHAR NOT NULL, author VARCHAR, email VARCHAR);"
	         "INSERT INTO threads VALUES(1, '/a', NULL);"
	         "INSERT INTO comments VALUES(1, 1, NULL, 'yesterday', 1, 'a',"
	         " NULL, NULL);"
	         "INSERT INTO comments VALUES(1, 2, NULL, -5.0, 1, 'b', NULL,"
	         " NULL);"
	         "INSERT INTO comments VALUES(1, 3, NULL, 1e300, 1, 'c', NULL,"
	         " NULL);"
	         "INSERT INTO comments VALUES(1, 4, NULL, 1.0, 3, 'd', NULL,"
	         " NULL);"
	         "INSERT INTO comments VALUES(1, 5, 'x', 1.0, 1, 'e', NULL,"
	         " NULL);"
	         "INSERT INTO comments VALUES(1, 6, NULL, 1.0, 1,"
	         " CAST(x'610062' AS TEXT), NULL, NULL);"
	         "INSERT INTO comments VALUES(1, 7, NULL, 1.0, 2, 'ok', '',"
	         " NULL);");
	assert_int_equal(import_read_file(IMPORT_ISSO, db, collect, noted, &g,
	                                  &n, err, sizeof(err)),
	                 0);
	assert_int_equal(n.threads, 1);
	assert_int_equal(n.comments, 1);
	assert_int_equal(n.problems, 6);
	assert_string_equal(g.problems[0], "1: comment without a usable date");
	assert_string_equal(g.problems[1], "2: comment without a usable date");
	assert_string_equal(g.problems[2], "3: comment without a usable date");
	assert_string_equal(g.problems[3], "4: comment with an unknown mode");
	assert_string_equal(
	    g.problems[4],
	    "5: comment with a parent or thread that is not an integer");
	assert_string_equal(g.problems[5],
	                    "6: comment with a NUL byte in a field");
	assert_string_equal(g.c[0].id, "7");
	assert_string_equal(g.c[0].url, "/a");
	assert_string_equal(g.c[0].title, "");
	assert_int_equal(g.c[0].at, 1);
	assert_int_equal(g.c[0].status, IMPORT_PENDING);
	got_free(&g);
	unlink(db);
	/* An SQLite database that is not Isso's, a file that is not SQLite,
	 * no file, and no database in memory. */
	build_db(db, "CREATE TABLE t (x);");
	assert_int_equal(import_read_file(IMPORT_ISSO, db, collect, noted, &g,
	                                  &n, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "not an Isso database"));
	unlink(db);
	fp = fopen(db, "w");
	assert_non_null(fp);
	fputs("[{\"id\":\"1\"}]\n", fp);
	fclose(fp);
	assert_int_equal(import_read_file(IMPORT_ISSO, db, collect, noted, &g,
	                                  &n, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "not an Isso database"));
	unlink(db);
	assert_int_equal(import_read_file(IMPORT_ISSO, db, collect, noted, &g,
	                                  &n, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "cannot open the Isso database"));
	assert_int_equal(
	    read_text(IMPORT_ISSO, "SQLite format 3", &g, &n, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "an Isso database is read from a file");
	assert_int_equal(g.n, 0);
	rmdir(dir);
}

static void
test_remark42_fixture(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";
	static const char url[] =
	    "https://baotinh.example.vn/giao-duc/thi-tot-nghiep-2021.html";
	static const char title[] = "Thi tốt nghiệp 2021: đề Văn dễ thở";
	static const char first[] = "3f6c1a9e-4b2d-4f0a-9c1e-7d5b2a8e0f11";

	(void)state;
	assert_int_equal(read_fixture(IMPORT_REMARK42, "remark42.jsonl", &g, &n,
	                              err, sizeof(err)),
	                 0);
	assert_int_equal(n.threads, 0);
	assert_int_equal(n.comments, 4);
	assert_int_equal(n.skipped, 0);
	assert_int_equal(n.problems, 1);
	assert_int_equal(g.n, 4);
	/* The e-mail comes from the meta record's users; the date has nine
	 * digits of fraction and +07:00; text is Remark42's HTML. */
	assert_string_equal(g.c[0].id, first);
	assert_string_equal(g.c[0].parent, "");
	assert_string_equal(g.c[0].thread, "");
	assert_string_equal(g.c[0].url, url);
	assert_string_equal(g.c[0].title, title);
	assert_string_equal(g.c[0].name, "Phạm Thị Mai");
	assert_string_equal(g.c[0].email, "mai.pham@example.vn");
	assert_string_equal(
	    g.c[0].body,
	    "<p>Chúc các em thi tốt, <strong>bình tĩnh</strong> nhé!</p>\n");
	assert_int_equal(g.c[0].at, 1625621400);
	assert_int_equal(g.c[0].status, IMPORT_APPROVED);
	/* A reply from a user without an e-mail. */
	assert_string_equal(g.c[1].id, "9a0b7c55-1e2f-4a3b-8c4d-5e6f7a8b9c22");
	assert_string_equal(g.c[1].parent, first);
	assert_string_equal(g.c[1].thread, "");
	assert_string_equal(g.c[1].url, url);
	assert_string_equal(g.c[1].title, title);
	assert_string_equal(g.c[1].name, "John Carter");
	assert_string_equal(g.c[1].email, "");
	assert_string_equal(
	    g.c[1].body,
	    "<p>Thanks, my daughter said the essay topic was fair.</p>\n");
	assert_int_equal(g.c[1].at, 1625623510);
	assert_int_equal(g.c[1].status, IMPORT_APPROVED);
	/* "delete": true, emptied. */
	assert_string_equal(g.c[2].id, "c4d5e6f7-0a1b-4c2d-9e3f-a1b2c3d4e533");
	assert_string_equal(g.c[2].parent, "");
	assert_string_equal(g.c[2].thread, "");
	assert_string_equal(g.c[2].url, url);
	assert_string_equal(g.c[2].title, title);
	assert_string_equal(g.c[2].name, "Lê Hoàng");
	assert_string_equal(g.c[2].email, "");
	assert_string_equal(g.c[2].body, "");
	assert_int_equal(g.c[2].at, 1625626800);
	assert_int_equal(g.c[2].status, IMPORT_DELETED);
	/* A blocked author ("user": {"block": true}): hidden, as spam. */
	assert_string_equal(g.c[3].id, "d1e2f3a4-5b6c-4d7e-8f90-a1b2c3d4e544");
	assert_string_equal(g.c[3].parent, "");
	assert_string_equal(g.c[3].thread, "");
	assert_string_equal(g.c[3].url, url);
	assert_string_equal(g.c[3].title, title);
	assert_string_equal(g.c[3].name, "Ẩn danh");
	assert_string_equal(g.c[3].email, "");
	assert_string_equal(g.c[3].body,
	                    "<p>Mua bằng giá rẻ, liên hệ zalo ...</p>\n");
	assert_int_equal(g.c[3].at, 1625630400);
	assert_int_equal(g.c[3].status, IMPORT_SPAM);
	/* Go's zero time: no date, reported. */
	assert_string_equal(g.problems[0],
	                    "e5f6a7b8-9c0d-4e1f-a2b3-c4d5e6f7a855: comment "
	                    "without a usable date");
	got_free(&g);
}

static void
test_remark42_lines(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "", dir[64], file[96];
	static const char meta[] = "{\"version\":1,\"users\":[],\"posts\":[]}";
	static const char tail[] =
	    "\r\n\n"
	    "not json\n"
	    "[1,2]\n"
	    "{\"id\":\"w\",\"text\":{\"x\":1},\"time\":\"2020-01-01T00:00:"
	    "00Z\"}\n"
	    "  \t\n"
	    "{\"id\":\"ok\",\"pid\":\"p\",\"user\":{\"name\":\"A\"},"
	    "\"locator\":{\"url\":\"https://a.example/x\"},"
	    "\"time\":\"2020-01-01T00:00:01Z\"}";
	size_t big = IMPORT_LINE_MAX + 10, len;
	char *buf, *p;
	FILE *fp;
	int pass;

	(void)state;
	/* meta, a line past IMPORT_LINE_MAX, then tail (CRLF, blank lines,
	 * no newline at the end), once in memory and once from a file. */
	len = strlen(meta) + 1 + big + 1 + strlen(tail);
	buf = malloc(len + 1);
	assert_non_null(buf);
	p = buf + sprintf(buf, "%s\n", meta);
	memset(p, 'x', big);
	p += big;
	*p++ = '\n';
	strcpy(p, tail);
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/backup", dir);
	fp = fopen(file, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	fclose(fp);
	for (pass = 0; pass < 2; pass++) {
		assert_int_equal(
		    pass == 0
		        ? import_read_mem(IMPORT_REMARK42, buf, len, collect,
		                          noted, &g, &n, err, sizeof(err))
		        : import_read_file(IMPORT_REMARK42, file, collect,
		                           noted, &g, &n, err, sizeof(err)),
		    0);
		assert_int_equal(n.comments, 1);
		assert_int_equal(n.problems, 4);
		assert_string_equal(g.problems[0],
		                    ": line 2 longer than 16777216 bytes");
		assert_string_equal(g.problems[1], ": line 5 is not JSON");
		assert_string_equal(g.problems[2],
		                    ": line 6 is not a comment object");
		assert_string_equal(
		    g.problems[3],
		    "w: comment with \"text\" of the wrong type");
		assert_string_equal(g.c[0].id, "ok");
		assert_string_equal(g.c[0].parent, "p");
		assert_string_equal(g.c[0].name, "A");
		assert_string_equal(g.c[0].url, "https://a.example/x");
		assert_string_equal(g.c[0].body, "");
		assert_int_equal(g.c[0].at, 1577836801);
		got_free(&g);
	}
	unlink(file);
	rmdir(dir);
	free(buf);
	/* Not a backup: a comment first, a version we do not know, JSON
	 * that is not an object, nothing at all. */
	assert_int_equal(read_text(IMPORT_REMARK42,
	                           "{\"id\":\"1\",\"time\":\"2020-01-01T00:00:"
	                           "00Z\"}\n",
	                           &g, &n, err, sizeof(err)),
	                 -1);
	assert_string_equal(err,
	                    "not a Remark42 backup: line 1 is not its meta "
	                    "record");
	assert_int_equal(read_text(IMPORT_REMARK42, "{\"version\":2}\n", &g, &n,
	                           err, sizeof(err)),
	                 -1);
	assert_string_equal(err, "Remark42 backup version 2 is not known");
	assert_int_equal(
	    read_text(IMPORT_REMARK42, "\n\n[]\n", &g, &n, err, sizeof(err)),
	    -1);
	assert_string_equal(err,
	                    "not a Remark42 backup: line 3 is not its meta "
	                    "record");
	assert_int_equal(
	    read_text(IMPORT_REMARK42, "  \n", &g, &n, err, sizeof(err)), -1);
	assert_string_equal(err, "not a Remark42 backup: no meta record");
	assert_int_equal(g.n, 0);
	/* Version 0 (older backups) and no version are read. */
	assert_int_equal(read_text(IMPORT_REMARK42, "{\"version\":0}", &g, &n,
	                           err, sizeof(err)),
	                 0);
	assert_int_equal(read_text(IMPORT_REMARK42, "{\"users\":[]}", &g, &n,
	                           err, sizeof(err)),
	                 0);
}

static void
test_waline_fixture(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";
	static const char a[] = "/van-hoa/ao-dai-truyen-thong.html";
	static const char b[] = "/du-lich/ha-giang-mua-tam-giac-mach.html";
	size_t i;

	(void)state;
	assert_int_equal(read_fixture(IMPORT_WALINE, "waline.json", &g, &n, err,
	                              sizeof(err)),
	                 0);
	assert_int_equal(n.threads, 0);
	assert_int_equal(n.comments, 5);
	assert_int_equal(n.skipped, 0);
	assert_int_equal(n.problems, 1);
	assert_int_equal(g.n, 5);
	for (i = 0; i < g.n; i++) {
		assert_string_equal(g.c[i].thread, "");
		assert_string_equal(g.c[i].title, "");
	}
	/* Ids are numbers in the SQL storages; written in decimal. */
	assert_string_equal(g.c[0].id, "101");
	assert_string_equal(g.c[0].parent, "");
	assert_string_equal(g.c[0].url, a);
	assert_string_equal(g.c[0].name, "Võ Thị Hạnh");
	assert_string_equal(g.c[0].email, "hanh.vo@example.vn");
	assert_string_equal(g.c[0].body,
	                    "Áo dài là **niềm tự hào** của người Việt.");
	assert_int_equal(g.c[0].at, 1681269300);
	assert_int_equal(g.c[0].status, IMPORT_APPROVED);
	/* A reply: pid. */
	assert_string_equal(g.c[1].id, "102");
	assert_string_equal(g.c[1].parent, "101");
	assert_string_equal(g.c[1].url, a);
	assert_string_equal(g.c[1].name, "Emma Brown");
	assert_string_equal(g.c[1].email, "emma@example.com");
	assert_string_equal(g.c[1].body, "Agreed, the photos are lovely.");
	assert_int_equal(g.c[1].at, 1681275630);
	assert_int_equal(g.c[1].status, IMPORT_APPROVED);
	/* "waiting", mail null. */
	assert_string_equal(g.c[2].id, "103");
	assert_string_equal(g.c[2].parent, "");
	assert_string_equal(g.c[2].url, b);
	assert_string_equal(g.c[2].name, "Đặng Quốc Bảo");
	assert_string_equal(g.c[2].email, "");
	assert_string_equal(
	    g.c[2].body,
	    "Cho mình hỏi đường lên Hà Giang đi xe máy có ổn không?");
	assert_int_equal(g.c[2].at, 1697763600);
	assert_int_equal(g.c[2].status, IMPORT_PENDING);
	assert_string_equal(g.c[3].id, "104");
	assert_string_equal(g.c[3].parent, "");
	assert_string_equal(g.c[3].url, b);
	assert_string_equal(g.c[3].name, "Best Deals");
	assert_string_equal(g.c[3].email, "deals@spam.example");
	assert_string_equal(g.c[3].body,
	                    "Cheap flights!!! http://spam.example/");
	assert_int_equal(g.c[3].at, 1697880600);
	assert_int_equal(g.c[3].status, IMPORT_SPAM);
	/* No status: approved, as Waline's own import takes it. */
	assert_string_equal(g.c[4].id, "105");
	assert_string_equal(g.c[4].parent, "103");
	assert_string_equal(g.c[4].url, b);
	assert_string_equal(g.c[4].name, "Khách");
	assert_string_equal(g.c[4].email, "");
	assert_string_equal(g.c[4].body, "Bình luận cũ chưa có trạng thái.");
	assert_int_equal(g.c[4].at, 1697932800);
	assert_int_equal(g.c[4].status, IMPORT_APPROVED);
	assert_string_equal(g.problems[0],
	                    "106: comment with an unknown \"status\"");
	got_free(&g);
}

static void
test_waline_forms(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";

	(void)state;
	/* LeanCloud: string ids, dates as {"__type":"Date","iso":...}, rid
	 * when there is no pid; createdAt when there is no insertedAt. */
	assert_int_equal(
	    read_text(IMPORT_WALINE,
	              "{\"type\":\"waline\",\"data\":{\"Comment\":["
	              "{\"objectId\":\"64a1f0\",\"rid\":\"64a1e9\","
	              "\"insertedAt\":{\"__type\":\"Date\",\"iso\":"
	              "\"2023-07-02T21:57:04.123Z\"},\"status\":\"approved\"},"
	              "{\"objectId\":\"64a1f1\",\"createdAt\":"
	              "\"2023-07-02T21:57:05.000Z\"},"
	              "{\"objectId\":\"64a1f2\"},"
	              "{\"objectId\":[1]},"
	              "7,"
	              "{\"objectId\":\"64a1f3\",\"createdAt\":\"2023-07-02 "
	              "21:57:06\"}"
	              "]}}",
	              &g, &n, err, sizeof(err)),
	    0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.c[0].id, "64a1f0");
	assert_string_equal(g.c[0].parent, "64a1e9");
	assert_int_equal(g.c[0].at, 1688335024);
	assert_string_equal(g.c[1].id, "64a1f1");
	assert_int_equal(g.c[1].at, 1688335025);
	assert_string_equal(g.c[2].id, "64a1f3");
	assert_int_equal(g.c[2].at, 1688335026);
	assert_int_equal(n.problems, 3);
	assert_string_equal(g.problems[0],
	                    "64a1f2: comment without a usable date");
	assert_string_equal(g.problems[1],
	                    ": comment with \"objectId\" of the wrong type");
	assert_string_equal(g.problems[2], ": comment that is not an object");
	got_free(&g);
	/* Not Waline's. */
	assert_int_equal(read_text(IMPORT_WALINE, "{\"type\":\"twikoo\"}", &g,
	                           &n, err, sizeof(err)),
	                 -1);
	assert_string_equal(err,
	                    "not a Waline export (no \"type\": \"waline\")");
	assert_int_equal(read_text(IMPORT_WALINE,
	                           "{\"type\":\"waline\",\"data\":{\"Comment\":"
	                           "{}}}",
	                           &g, &n, err, sizeof(err)),
	                 -1);
	assert_string_equal(
	    err, "not a Waline export (no \"data\".\"Comment\" array)");
	assert_int_equal(read_fixture(IMPORT_WALINE, "artalk.json", &g, &n, err,
	                              sizeof(err)),
	                 -1);
	assert_string_equal(err,
	                    "not a Waline export (no \"type\": \"waline\")");
	assert_int_equal(read_text(IMPORT_WALINE, "{\"type\":\"waline\"", &g,
	                           &n, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "not JSON: "));
	/* A key twice is ambiguous. */
	assert_int_equal(read_text(IMPORT_WALINE,
	                           "{\"type\":\"waline\",\"type\":\"waline\"}",
	                           &g, &n, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "duplicate object key"));
	assert_int_equal(g.n, 0);
}

static void
test_artalk_fixture(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";
	static const char p1[] = "/kinh-te/gia-ca-phe-tang-ky-luc.html";
	static const char p2[] =
	    "https://baotinh.example.vn/the-thao/bong-da-u23.html";

	(void)state;
	assert_int_equal(read_fixture(IMPORT_ARTALK, "artalk.json", &g, &n, err,
	                              sizeof(err)),
	                 0);
	assert_int_equal(n.threads, 0);
	assert_int_equal(n.comments, 3);
	assert_int_equal(n.skipped, 0);
	assert_int_equal(n.problems, 1);
	assert_int_equal(g.n, 3);
	/* Go's json.Marshal escapes & < > as \u0026 ...: decoded. */
	assert_string_equal(g.c[0].id, "1");
	assert_string_equal(g.c[0].parent, ""); /* rid "0" */
	assert_string_equal(g.c[0].thread, "");
	assert_string_equal(g.c[0].url, p1);
	assert_string_equal(g.c[0].title, "Giá cà phê tăng kỷ lục");
	assert_string_equal(g.c[0].name, "Nguyễn Văn Tư");
	assert_string_equal(g.c[0].email, "tu.nguyen@example.vn");
	assert_string_equal(
	    g.c[0].body,
	    "Giá cà phê tăng, nông dân **mừng** nhưng lo mưa & sâu bệnh.");
	assert_int_equal(g.c[0].at, 1652167200);
	assert_int_equal(g.c[0].status, IMPORT_APPROVED);
	/* A collapsed reply is still shown: approved. */
	assert_string_equal(g.c[1].id, "2");
	assert_string_equal(g.c[1].parent, "1");
	assert_string_equal(g.c[1].thread, "");
	assert_string_equal(g.c[1].url, p1);
	assert_string_equal(g.c[1].title, "Giá cà phê tăng kỷ lục");
	assert_string_equal(g.c[1].name, "Liam Smith");
	assert_string_equal(g.c[1].email, "liam@example.com");
	assert_string_equal(g.c[1].body, "Good news for growers <3");
	assert_int_equal(g.c[1].at, 1652172300);
	assert_int_equal(g.c[1].status, IMPORT_APPROVED);
	assert_string_equal(g.c[2].id, "3");
	assert_string_equal(g.c[2].parent, "");
	assert_string_equal(g.c[2].thread, "");
	assert_string_equal(g.c[2].url, p2);
	assert_string_equal(g.c[2].title, "U23 vào chung kết");
	assert_string_equal(g.c[2].name, "Hoàng Anh");
	assert_string_equal(g.c[2].email, "");
	assert_string_equal(g.c[2].body, "Đội tuyển đá hay quá!");
	assert_int_equal(g.c[2].at, 1653141909);
	assert_int_equal(g.c[2].status, IMPORT_PENDING);
	/* 30 February. */
	assert_string_equal(g.problems[0], "4: comment without a usable date");
	got_free(&g);
}

static void
test_artalk_forms(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";
	char *json, *p;
	size_t len = IMPORT_NAME_MAX + 1;

	(void)state;
	/* Values that are not strings are read as Artalk reads them (its
	 * importer turns every value into a string); other dates. */
	assert_int_equal(
	    read_text(IMPORT_ARTALK,
	              "[{\"id\":12,\"rid\":0,\"is_pending\":false,"
	              "\"created_at\":\"2022-05-10T07:20:00Z\"},"
	              "{\"id\":\"13\",\"rid\":12,\"is_pending\":true,"
	              "\"created_at\":\"2022-05-10 07:20:00 -0130\"},"
	              "{\"id\":\"14\",\"is_pending\":\"maybe\","
	              "\"created_at\":\"2022-05-10 07:20:00 +0000\"},"
	              "{\"id\":\"15\",\"created_at\":"
	              "\"1970-01-01 00:00:00 +0700\"},"
	              "{\"id\":\"16\",\"created_at\":"
	              "\"2022-05-10 07:20:00 +07:0\"},"
	              "{\"id\":\"17\",\"vote_up\":1.5,\"nick\":2.5},"
	              "{\"id\":\"\",\"created_at\":\"2022-05-10T07:20:00Z\"}]",
	              &g, &n, err, sizeof(err)),
	    0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.c[0].id, "12");
	assert_string_equal(g.c[0].parent, "");
	assert_int_equal(g.c[0].at, 1652167200);
	assert_int_equal(g.c[0].status, IMPORT_APPROVED);
	assert_string_equal(g.c[1].id, "13");
	assert_string_equal(g.c[1].parent, "12");
	assert_int_equal(g.c[1].at, 1652167200 + 5400);
	assert_int_equal(g.c[1].status, IMPORT_PENDING);
	assert_int_equal(n.problems, 5);
	assert_string_equal(g.problems[0],
	                    "14: comment with an unknown \"is_pending\"");
	assert_string_equal(g.problems[1], "15: comment without a usable date");
	assert_string_equal(g.problems[2], "16: comment without a usable date");
	assert_string_equal(g.problems[3],
	                    "17: comment with \"nick\" of the wrong type");
	assert_string_equal(g.problems[4], ": comment without an id");
	got_free(&g);
	/* A field past its bound. */
	json = malloc(len + 256);
	assert_non_null(json);
	p = json + sprintf(json, "[{\"id\":\"20\",\"created_at\":\"2022-05-10 "
	                         "07:20:00 +0700\",\"nick\":\"");
	memset(p, 'x', len);
	strcpy(p + len, "\"}]");
	assert_int_equal(
	    read_text(IMPORT_ARTALK, json, &g, &n, err, sizeof(err)), 0);
	free(json);
	assert_int_equal(g.n, 0);
	assert_string_equal(g.problems[0],
	                    "20: comment with \"nick\" too long");
	/* Not Artalk's. */
	assert_int_equal(read_text(IMPORT_ARTALK, "{\"id\":\"1\"}", &g, &n, err,
	                           sizeof(err)),
	                 -1);
	assert_string_equal(err,
	                    "not an Artalk export (artrans is a JSON array)");
	assert_int_equal(
	    read_text(IMPORT_ARTALK, "<disqus/>", &g, &n, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "not JSON: "));
	assert_int_equal(read_text(IMPORT_ARTALK, "", &g, &n, err, sizeof(err)),
	                 -1);
	assert_non_null(strstr(err, "not JSON: "));
	assert_int_equal(import_read_file(IMPORT_ARTALK, "/nonexistent/a.json",
	                                  collect, noted, &g, &n, err,
	                                  sizeof(err)),
	                 -1);
	assert_string_equal(err, "cannot open the export");
	got_free(&g);
}

static void
test_json_size_cap(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "", dir[64], file[96];
	char *big;
	int fd;

	(void)state;
	/* In memory: refused before a byte is read (the buffer is never
	 * touched, so its pages are never made). */
	big = malloc((size_t)IMPORT_JSON_MAX + 1);
	assert_non_null(big);
	assert_int_equal(import_read_mem(IMPORT_WALINE, big,
	                                 (size_t)IMPORT_JSON_MAX + 1, collect,
	                                 noted, &g, &n, err, sizeof(err)),
	                 -1);
	assert_string_equal(err,
	                    "export larger than 256 MiB, the most read whole");
	free(big);
	/* A file, sparse: refused by its size. */
	tmpdir(dir, sizeof(dir));
	snprintf(file, sizeof(file), "%s/big.json", dir);
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)IMPORT_JSON_MAX + 1), 0);
	close(fd);
	err[0] = '\0';
	assert_int_equal(import_read_file(IMPORT_ARTALK, file, collect, noted,
	                                  &g, &n, err, sizeof(err)),
	                 -1);
	assert_string_equal(err,
	                    "export larger than 256 MiB, the most read whole");
	assert_int_equal(g.n, 0);
	unlink(file);
	rmdir(dir);
}

static void
test_json_callback_stops(void **state)
{
	struct got g = {0};
	struct import_counts n;
	char err[256] = "";

	(void)state;
	g.stop_after = 1;
	assert_int_equal(read_fixture(IMPORT_ARTALK, "artalk.json", &g, &n, err,
	                              sizeof(err)),
	                 7);
	assert_int_equal(n.comments, 1);
	got_free(&g);
	g.stop_after = 2;
	assert_int_equal(read_fixture(IMPORT_REMARK42, "remark42.jsonl", &g, &n,
	                              err, sizeof(err)),
	                 7);
	assert_int_equal(n.comments, 2);
	got_free(&g);
	g.stop_after = 1;
	assert_int_equal(read_fixture(IMPORT_WALINE, "waline.json", &g, &n, err,
	                              sizeof(err)),
	                 7);
	assert_int_equal(n.comments, 1);
	got_free(&g);
}

/* HTML bodies become the plain text bandoc keeps (import.h). */
static void
test_plain_text(void **state)
{
	static const struct {
		const char *in;
		int html, multiline;
		const char *want; /* NULL: refused */
	} cases[] = {
	    {"Hello <b>x</b> &amp; y", 1, 1, "Hello x & y"},
	    {"<p>Một</p><p>Hai<br>ba</p>", 1, 1, "Một\n\nHai\nba"},
	    {"xem <a href=\"https://a.example/x\">đây</a>, "
	     "<a href=\"https://b.example/\">https://b.example/</a>",
	     1, 1, "xem đây (https://a.example/x), https://b.example/"},
	    {"<a href=\"javascript:alert(1)\">bấm</a>", 1, 1, "bấm"},
	    {"<script>alert(1)</script><style>p{}</style>ok", 1, 1, "ok"},
	    {"&lt;b&gt;chữ&lt;/b&gt; &#8230;", 1, 1, "<b>chữ</b> …"},
	    {"<img src=x onerror=alert(1)>", 1, 1, ""},
	    {"", 1, 1, ""},
	    /* Markdown and plain text are kept as they are, normalised. */
	    {"**đậm** <b>x</b>\r\n\r\n\r\nhết", 0, 1,
	     "**đậm** <b>x</b>\n\nhết"},
	    {"  Nguyễn\nVăn  ", 0, 0, "Nguyễn Văn"},
	    {"bad \xff utf-8", 0, 1, NULL},
	};
	size_t i;
	char *out;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = import_plain_text(cases[i].in, cases[i].html,
		                        cases[i].multiline, 4096);
		if (cases[i].want == NULL)
			assert_null(out);
		else if (out == NULL || strcmp(out, cases[i].want) != 0)
			fail_msg("case %zu: want [%s], got [%s]", i,
			         cases[i].want, out != NULL ? out : "(null)");
		free(out);
	}
	/* The bound holds on the way, not only on the result. */
	assert_null(import_plain_text("<p>0123456789</p>", 1, 1, 8));
}

/* Articles from addresses: the site's article_url_pattern, or a map. */
static void
test_article_keys(void **state)
{
	struct config *cfg = config_load_string(
	    "[site.a]\narticle_url_pattern = -([0-9]+)\\.html$\n"
	    "article_pattern = ^[0-9]+$\n[site.b]\n",
	    NULL, NULL);
	const struct config_site *a, *b;
	char key[MAX_ARTICLE_KEY + 1], path[] = "/tmp/bandoc-map-XXXXXX";
	char err[256] = "";
	struct import_map *m;
	FILE *f;
	int fd;

	(void)state;
	assert_non_null(cfg);
	a = config_site_find(cfg, "a");
	b = config_site_find(cfg, "b");
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(import_article_key(a, NULL,
	                                    "https://baotinh.example.vn/"
	                                    "thoi-su/cau-moi-123.html",
	                                    "", key, sizeof(key)),
	                 0);
	assert_string_equal(key, "123");
	assert_int_equal(import_article_key(a, NULL, "https://x.example/a.html",
	                                    "", key, sizeof(key)),
	                 -1);
	/* No pattern and no map: nothing can be mapped. */
	assert_int_equal(import_article_key(b, NULL,
	                                    "https://x.example/a-1.html", "",
	                                    key, sizeof(key)),
	                 -1);
	/* A map: by address first, then by the other system's id. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# address or id <TAB> key\n\nhttps://x.example/a.html\t77\n"
	      "bai-viet-1\t78\nhttps://x.example/c.html\tkhong-so\n",
	      f);
	fclose(f);
	m = import_map_load(path, err, sizeof(err));
	assert_non_null(m);
	assert_int_equal(import_article_key(a, m, "https://x.example/a.html",
	                                    "7001", key, sizeof(key)),
	                 0);
	assert_string_equal(key, "77");
	assert_int_equal(import_article_key(a, m, "https://x.example/b.html",
	                                    "bai-viet-1", key, sizeof(key)),
	                 0);
	assert_string_equal(key, "78");
	/* With a map the pattern is not used; a key the site refuses
	 * (article_pattern) is not one. */
	assert_int_equal(import_article_key(a, m, "https://x.example/z-9.html",
	                                    "", key, sizeof(key)),
	                 -1);
	assert_int_equal(import_article_key(a, m, "https://x.example/c.html",
	                                    "", key, sizeof(key)),
	                 -1);
	assert_int_equal(import_article_key(b, m, "https://x.example/c.html",
	                                    "", key, sizeof(key)),
	                 0);
	assert_string_equal(key, "khong-so");
	import_map_free(m);
	/* Bad maps are refused with the line. */
	f = fopen(path, "w");
	fputs("https://x.example/a.html 77\n", f);
	fclose(f);
	assert_null(import_map_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, ":1: want ADDRESS-OR-ID<TAB>ARTICLE-KEY"));
	f = fopen(path, "w");
	fputs("u\t1\nu\t2\n", f);
	fclose(f);
	assert_null(import_map_load(path, err, sizeof(err)));
	assert_non_null(strstr(err, ":2: u is mapped twice"));
	unlink(path);
	assert_null(import_map_load(path, err, sizeof(err)));
	config_free(cfg);
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
	    cmocka_unit_test(test_plain_text),
	    cmocka_unit_test(test_article_keys),
	    cmocka_unit_test(test_isso_fixture),
	    cmocka_unit_test(test_isso_refused),
	    cmocka_unit_test(test_remark42_fixture),
	    cmocka_unit_test(test_remark42_lines),
	    cmocka_unit_test(test_waline_fixture),
	    cmocka_unit_test(test_waline_forms),
	    cmocka_unit_test(test_artalk_fixture),
	    cmocka_unit_test(test_artalk_forms),
	    cmocka_unit_test(test_json_size_cap),
	    cmocka_unit_test(test_json_callback_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
