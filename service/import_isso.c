/*
 * import_isso.c: an Isso SQLite database (see import.h).
 *
 * Isso keeps its comments in SQLite itself (isso/db/threads.py,
 * isso/db/comments.py): threads (id, uri, title) and comments (tid, id,
 * parent, created FLOAT, modified, mode, remote_addr, text, author,
 * email, website, likes, dislikes, voters, notification), where mode is
 * 1 accepted, 2 pending and 4 deleted (a deleted comment with replies
 * keeps its row, emptied). Spam is refused by Isso, not stored.
 *
 * This is the one file besides storage.c that includes <sqlite3.h>: it
 * reads another program's database, never bandoc's. The file is opened
 * read-only (SQLITE_OPEN_READONLY), defensive and with an untrusted
 * schema, so a crafted file can neither be written nor run anything but
 * the two constant SELECTs below. Rows are stepped through one by one.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "import.h"
#include "import_int.h"

static const struct import_names isso_names = {
    {"comments.id", "comments.parent", "comments.tid", "threads.uri",
     "threads.title", "comments.author", "comments.email", "comments.text"}};

/* Every comment with its thread, in the order Isso wrote them. */
static const char sql_comments[] =
    "SELECT c.id, c.parent, c.tid, t.id, t.uri, t.title, c.created,"
    " c.mode, c.text, c.author, c.email"
    " FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid"
    " ORDER BY c.id";
static const char sql_threads[] = "SELECT count(*) FROM threads";

/* Column i as text ("" for NULL), or NULL with a NUL inside it, which
 * the callback could not see whole. */
static const char *
text_at(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);

	if (t == NULL)
		return "";
	return strlen((const char *)t) == (size_t)n ? (const char *)t : NULL;
}

/* An integer column (an id) in decimal into buf; "" for NULL; NULL for
 * any other type. */
static const char *
id_at(sqlite3_stmt *st, int i, char *buf, size_t bufsz)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_NULL:
		return "";
	case SQLITE_INTEGER:
		snprintf(buf, bufsz, "%lld",
		         (long long)sqlite3_column_int64(st, i));
		return buf;
	default:
		return NULL;
	}
}

/* One row of sql_comments. */
static void
row(sqlite3_stmt *st, struct import_sink *s)
{
	char id[24], parent[24], tid[24];
	struct import_comment c;
	const char *f[5];
	size_t i;
	long long mode;

	memset(&c, 0, sizeof(c));
	if ((c.source_id = id_at(st, 0, id, sizeof(id))) == NULL ||
	    *c.source_id == '\0') {
		import_sink_problem(s, "comment without an integer id", "");
		return;
	}
	c.parent_id = id_at(st, 1, parent, sizeof(parent));
	c.thread_id = id_at(st, 2, tid, sizeof(tid));
	if (c.parent_id == NULL || c.thread_id == NULL) {
		import_sink_problem(s,
		                    "comment with a parent or thread that "
		                    "is not an integer",
		                    c.source_id);
		return;
	}
	if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
		import_sink_problem(
		    s, "comment of a thread not in the database", c.source_id);
		return;
	}
	f[0] = c.url = text_at(st, 4);
	f[1] = c.title = text_at(st, 5);
	f[2] = c.body = text_at(st, 8);
	f[3] = c.name = text_at(st, 9);
	f[4] = c.email = text_at(st, 10);
	for (i = 0; i < 5; i++) {
		if (f[i] == NULL) {
			import_sink_problem(s,
			                    "comment with a NUL byte in a "
			                    "field",
			                    c.source_id);
			return;
		}
	}
	/* created: seconds as a float (Python's time.time()). */
	if ((sqlite3_column_type(st, 6) != SQLITE_FLOAT &&
	     sqlite3_column_type(st, 6) != SQLITE_INTEGER) ||
	    import_unix_time(sqlite3_column_double(st, 6), &c.created_at) !=
	        0) {
		import_sink_problem(s, "comment without a usable date",
		                    c.source_id);
		return;
	}
	mode = sqlite3_column_type(st, 7) == SQLITE_INTEGER
	           ? (long long)sqlite3_column_int64(st, 7)
	           : -1;
	switch (mode) {
	case 1:
		c.status = IMPORT_APPROVED;
		break;
	case 2:
		c.status = IMPORT_PENDING;
		break;
	case 4:
		c.status = IMPORT_DELETED;
		break;
	default:
		import_sink_problem(s, "comment with an unknown mode",
		                    c.source_id);
		return;
	}
	import_sink_emit(s, &isso_names, &c);
}

static int
prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, char *err,
        size_t errsz)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK)
		return 0;
	snprintf(err, errsz, "not an Isso database: %s", sqlite3_errmsg(db));
	return -1;
}

int
import_isso_read(const char *path, struct import_sink *s, char *err,
                 size_t errsz)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsz, "cannot open the Isso database: %s",
		         db != NULL ? sqlite3_errmsg(db) : "out of memory");
		goto done;
	}
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (prepare(db, sql_threads, &st, err, errsz) != 0)
		goto done;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW)
		goto failed;
	s->n->threads = (unsigned long long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (prepare(db, sql_comments, &st, err, errsz) != 0)
		goto done;
	while (s->stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		row(st, s);
	if (s->stop != 0) {
		ret = s->stop;
		goto done;
	}
	if (rc != SQLITE_DONE)
		goto failed;
	ret = 0;
	goto done;
failed:
	snprintf(err, errsz, "cannot read the Isso database: %s",
	         sqlite3_errmsg(db));
done:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}
