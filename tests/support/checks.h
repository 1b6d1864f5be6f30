#ifndef BANDOC_CHECKS_H
#define BANDOC_CHECKS_H

/*
 * Test helpers that check as they go, with cmocka's assertions: for use
 * inside a cmocka test only (a failed check ends the test). The
 * helpers that only report (0 / -1) are in harness.h.
 */

#include "harness.h"
#include "storage.h"

/* The integer that query prints (test_sql on d's database), which must
 * run without error. */
long long check_sql_int(const struct daemon *d, const char *query);

/* A GET of path on d (no extra headers), which must be answered with
 * status; the reply is not kept. */
void check_get(const struct daemon *d, const char *path, long status);

/* The storage_conf of an SQLite database at path (":memory:" too) with
 * a busy timeout of 100 ms; path is borrowed. */
struct storage_conf check_sqlite_conf(const char *path);

/* storage_open() of check_sqlite_conf(path), which must succeed. */
struct storage *check_storage_open(const char *path);

#endif
