/*
 * checks.c: see checks.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
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
