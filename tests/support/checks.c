/*
 * checks.c: see checks.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "checks.h"

long long
check_sql_int(const struct daemon *d, const char *query)
{
	char out[256];

	assert_int_equal(test_sql(d, query, out, sizeof(out)), 0);
	return atoll(out);
}

void
check_get(const struct daemon *d, const char *path, long status)
{
	struct reply r;

	assert_int_equal(http_do(d, "GET", path, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, status);
	reply_free(&r);
}

struct storage_conf
check_sqlite_conf(const char *path)
{
	struct storage_conf sc = {STORAGE_SQLITE, path, 100, NULL, NULL};

	return sc;
}

struct storage *
check_storage_open(const char *path)
{
	struct storage_conf sc = check_sqlite_conf(path);
	struct storage *st;
	char err[256];

	st = storage_open(&sc, err, sizeof(err));
	if (st == NULL)
		fail_msg("storage_open %s: %s", path, err);
	return st;
}

long long
check_comment_insert(struct storage *st, long long article, long long parent,
                     long long root, int status, const char *body, long long at)
{
	struct storage_comment c;
	size_t n = strlen(body);
	long long id = 0;

	memset(&c, 0, sizeof(c));
	c.article_id = article;
	c.parent_id = parent;
	c.root_id = root;
	c.status = status;
	c.name = "Reader";
	c.email = "reader@example.vn";
	c.body = body;
	c.ip_hash = CHECK_COMMENT_IP_HASH;
	c.user_agent = "test";
	c.created_at = at;
	c.search = body;
	memcpy(c.body_hash, body,
	       n < sizeof(c.body_hash) ? n : sizeof(c.body_hash));
	assert_int_equal(storage_comment_insert(st, &c, &id), 0);
	assert_true(id > 0);
	return id;
}
