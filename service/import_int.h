/*
 * import_int.h: what the import readers share (import.c, import_json.c,
 * import_isso.c). Not for other modules: they use import.h.
 *
 * A reader fills a struct import_comment from its source and gives it to
 * import_sink_emit(), which checks the bounds (IMPORT_*_MAX) once for all
 * formats and either hands the comment on or reports it; every other
 * comment a reader cannot hand on goes to import_sink_problem(). Both
 * keep the counts.
 */
#ifndef BANDOC_IMPORT_INT_H
#define BANDOC_IMPORT_INT_H

#include <stddef.h>

#include "import.h"

/* Where a reader's comments and problems go. */
struct import_sink {
	import_comment_fn *fn;
	import_problem_fn *problem;
	void *arg;
	struct import_counts *n;
	int stop; /* the callback's value once it is not 0 */
};

/*
 * The source's names of the fields of struct import_comment, in its
 * order (source_id, parent_id, thread_id, url, title, name, email,
 * body), for the problem reports: "comment with \"nick\" too long".
 */
struct import_names {
	const char *field[8];
};

/* Counts a problem and reports it; id NULL reads as "". Cannot fail. */
void import_sink_problem(struct import_sink *s, const char *what,
                         const char *id);

/*
 * Hands c on when its source id is not empty and every field is within
 * its bound (NULL fields read as ""), or reports why not. Returns the
 * callback's value (kept in s->stop), 0 when the comment was reported.
 */
int import_sink_emit(struct import_sink *s, const struct import_names *names,
                     struct import_comment *c);

/*
 * Unix seconds written as a number (Isso's float "created"): the whole
 * seconds of t, 0 with *out set when t is finite and in [0, 9999-12-31],
 * -1 otherwise.
 */
int import_unix_time(double t, long long *out);

/* The JSON formats (import_json.c). */
int import_json_read_file(enum import_format f, const char *path,
                          struct import_sink *s, char *err, size_t errsz);
int import_json_read_mem(enum import_format f, const char *buf, size_t len,
                         struct import_sink *s, char *err, size_t errsz);

/* An Isso database at path, opened read-only (import_isso.c). */
int import_isso_read(const char *path, struct import_sink *s, char *err,
                     size_t errsz);

#endif
