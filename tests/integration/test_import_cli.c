/*
 * test_import_cli.c: `bandocd import` (docs/import.md) into the database
 * of a running daemon, from the hand-written exports of tests/import/:
 * the comments land with their threads, dates, statuses, names and
 * articles, the public API shows the approved ones at once, a second
 * run adds nothing, a dry run writes nothing, what cannot be mapped is
 * reported with its count, and a mapping file can stand in for the
 * site's article_url_pattern.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks.h"
#include "harness.h"

#define FIXTURES BANDOC_SOURCE_DIR "/tests/import"

static struct daemon d;

static int
setup(void **state)
{
	*state = &d;
	return daemon_launch(
	    &d, NULL,
	    "[site.baotinh]\norigins = https://baotinh.example.vn\n"
	    "article_url_pattern = -([0-9]+)\\.html$\n"
	    "[site.nomap]\norigins = https://nomap.example.vn\n");
}

/* Runs `bandocd import -c CONFIG ARGS`; its exit status, output in out. */
static int
import(const char *args, char *out, size_t outsz)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s import -c %s %s 2>&1", BANDOCD_PATH,
	         d.config, args);
	return run_cmd(cmd, out, outsz);
}

static void
test_disqus_into_running_daemon(void **state)
{
	static char out[8192];
	json_t *j, *c;
	long status;

	(void)state;
	/* A dry run reads and counts, and writes nothing. */
	assert_int_equal(
	    import("--site baotinh --format disqus --dry-run " FIXTURES
	           "/disqus.xml",
	           out, sizeof(out)),
	    0);
	assert_non_null(strstr(out, "123: 2 approved, 0 pending, 0 spam"));
	assert_non_null(strstr(out, "4 would be imported"));
	assert_int_equal(check_sql_int(&d, "SELECT count(*) FROM comment"), 0);

	assert_int_equal(import("--site baotinh --format disqus " FIXTURES
	                        "/disqus.xml",
	                        out, sizeof(out)),
	                 0);
	assert_non_null(strstr(out, "4 imported, 0 already there"));
	/* The one of an article not in the export is reported, by id. */
	assert_non_null(strstr(
	    out, "problem: comment of an article not in the export: 9005"));
	assert_int_equal(
	    check_sql_int(&d, "SELECT count(*) FROM comment WHERE import_id "
	                      "LIKE 'baotinh:disqus:%'"),
	    4);
	/* Statuses: 1 approved, 3 spam, 4 deleted; the reply under its
	 * parent; the date as Disqus wrote it (with +07:00). */
	assert_int_equal(check_sql_int(&d, "SELECT status FROM comment WHERE "
	                                   "import_id = 'baotinh:disqus:9003'"),
	                 3);
	assert_int_equal(check_sql_int(&d, "SELECT status FROM comment WHERE "
	                                   "import_id = 'baotinh:disqus:9004'"),
	                 4);
	assert_int_equal(
	    check_sql_int(&d, "SELECT r.parent_id = p.id AND r.root_id = p.id "
	                      "FROM comment r, comment p WHERE r.import_id = "
	                      "'baotinh:disqus:9002' AND p.import_id = "
	                      "'baotinh:disqus:9001'"),
	    1);
	assert_int_equal(check_sql_int(&d, "SELECT created_at FROM comment "
	                                   "WHERE import_id = "
	                                   "'baotinh:disqus:9002'"),
	                 1551409200);
	/* The HTML became text. */
	assert_int_equal(
	    check_sql_int(&d, "SELECT body = 'Cầu đẹp quá, cảm ơn tòa soạn!' "
	                      "FROM comment WHERE import_id = "
	                      "'baotinh:disqus:9001'"),
	    1);
	/* The running daemon shows them at once: one thread, one reply. */
	assert_int_equal(http_json(&d, "GET",
	                           "/api/v1/comments?site=baotinh&article=123",
	                           NULL, NULL, NULL, &status, &j),
	                 0);
	assert_int_equal(status, 200);
	assert_int_equal(json_array_size(json_object_get(j, "comments")), 1);
	c = json_array_get(json_object_get(j, "comments"), 0);
	assert_string_equal(json_string_value(json_object_get(c, "name")),
	                    "Nguyễn Thị Lan");
	assert_int_equal(json_array_size(json_object_get(c, "replies")), 1);
	json_decref(j);
	/* The article keeps the export's title and address. */
	assert_int_equal(
	    check_sql_int(&d, "SELECT title = 'Cầu mới khánh thành & thông xe' "
	                      "FROM article WHERE site = 'baotinh' AND key = "
	                      "'123'"),
	    1);
	/* Again: nothing added. */
	assert_int_equal(import("--site baotinh --format disqus " FIXTURES
	                        "/disqus.xml",
	                        out, sizeof(out)),
	                 0);
	assert_non_null(strstr(out, "0 imported, 4 already there"));
	assert_int_equal(check_sql_int(&d, "SELECT count(*) FROM comment"), 4);
}

static void
test_wordpress_with_map_and_unmapped(void **state)
{
	static char out[8192];
	char map[512];
	FILE *f;

	(void)state;
	/* No pattern for this site and no map: refused before reading. */
	assert_int_equal(import("--site nomap --format wordpress " FIXTURES
	                        "/wordpress.xml",
	                        out, sizeof(out)),
	                 2);
	assert_non_null(strstr(out, "give --map FILE"));
	/* A map for one of the two articles (by WordPress's post id): the
	 * other one's comments are reported with their count, not stored. */
	snprintf(map, sizeof(map), "%s/map.tsv", d.dir);
	f = fopen(map, "w");
	assert_non_null(f);
	fputs("# WordPress post id -> our key\n789\tle-hoi-dua-ghe\n", f);
	fclose(f);
	{
		char args[1024];

		snprintf(args, sizeof(args),
		         "--site nomap --format wordpress --map %s " FIXTURES
		         "/wordpress.xml",
		         map);
		assert_int_equal(import(args, out, sizeof(out)), 0);
	}
	assert_non_null(strstr(out, "le-hoi-dua-ghe: 1 approved, 1 pending"));
	assert_non_null(
	    strstr(out, "not mapped to an article, not imported (1 addresses, "
	                "2 comments)"));
	assert_non_null(strstr(out, "https://baotinh.example.vn/xa-hoi/"
	                            "mua-nuoc-noi-790.html: 0 approved, 0 "
	                            "pending, 1 spam, 1 deleted"));
	assert_non_null(strstr(out, "1 not comments (pingbacks)"));
	assert_int_equal(
	    check_sql_int(&d,
	                  "SELECT count(*) FROM comment c JOIN article a ON "
	                  "a.id = c.article_id WHERE a.site = 'nomap'"),
	    2);
	/* The held one stays pending (0) under its approved parent. */
	assert_int_equal(
	    check_sql_int(&d, "SELECT r.status = 0 AND r.parent_id = p.id FROM "
	                      "comment r, comment p WHERE r.import_id = "
	                      "'nomap:wordpress:502' AND p.import_id = "
	                      "'nomap:wordpress:501'"),
	    1);
	/* Bad arguments: usage, exit 2. */
	assert_int_equal(
	    import("--site nomap --format commento x", out, sizeof(out)), 2);
	assert_int_equal(import("--site nosuch --format disqus " FIXTURES
	                        "/disqus.xml",
	                        out, sizeof(out)),
	                 2);
	/* A file that is not that format: a clear error, exit 1. */
	assert_int_equal(import("--site baotinh --format wordpress " FIXTURES
	                        "/disqus.xml",
	                        out, sizeof(out)),
	                 1);
	assert_non_null(strstr(out, "not a WordPress export"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_disqus_into_running_daemon),
	    cmocka_unit_test(test_wordpress_with_map_and_unmapped),
	};

	return HARNESS_RUN_GROUP(tests, setup);
}
