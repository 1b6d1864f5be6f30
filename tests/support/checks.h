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

/*
 * Inserts a comment of status on article (parent 0: a new thread, else a
 * reply under root), created at, which must succeed, and returns its id.
 * From "Reader" <reader@example.vn>, address hash CHECK_COMMENT_IP_HASH;
 * body is also its search text, and its first 16 bytes (zero-padded) its
 * hash.
 */
#define CHECK_COMMENT_IP_HASH "ffeeddccbbaa99887766554433221100"
long long check_comment_insert(struct storage *st, long long article,
                               long long parent, long long root, int status,
                               const char *body, long long at);

#endif
