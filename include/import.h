/*
 * import.h: reading other systems' comment exports (docs/import.md).
 *
 * import_read_*() stream an export through libxml2's reader and hand
 * each comment to a callback, in the order of the file, with the
 * article it belongs to. Nothing is stored here: the caller maps the
 * article's URL to a key and writes (or counts, on a dry run). Every
 * field is bounded (IMPORT_*_MAX); a comment with a field past its bound,
 * a bad date or no id is not handed on but reported to the problem
 * callback with its source id, and counted. Nothing is dropped silently.
 *
 * The XML is read without the network, without DTDs and without
 * substituting entities, so an export cannot fetch, include or expand
 * anything.
 */
#ifndef BANDOC_IMPORT_H
#define BANDOC_IMPORT_H

#include <stddef.h>

#define IMPORT_ID_MAX    64      /* a source's id of a comment or article */
#define IMPORT_NAME_MAX  256     /* author name, bytes */
#define IMPORT_EMAIL_MAX 254     /* as MAX_EMAIL_BYTES */
#define IMPORT_TITLE_MAX 1024    /* article title */
#define IMPORT_URL_MAX   2048    /* article URL */
#define IMPORT_BODY_MAX  1048576 /* as MAX_BODY_MAX */

enum import_format {
	IMPORT_DISQUS, /* Disqus XML export (<disqus>, <thread>, <post>) */
	IMPORT_WXR,    /* WordPress eXtended RSS (<item>, <wp:comment>) */
};

enum import_status {
	IMPORT_APPROVED,
	IMPORT_PENDING,
	IMPORT_SPAM,
	IMPORT_DELETED,
};

/* One comment, valid for the duration of the callback only. */
struct import_comment {
	const char *source_id; /* never empty */
	const char *parent_id; /* "" for a top-level comment */
	const char *thread_id; /* the source's id of the article ("" if none) */
	const char *url;       /* the article's URL ("" when not known) */
	const char *title;     /* the article's title ("" when not known) */
	const char *name;      /* the author's name, maybe "" */
	const char *email;     /* maybe "" */
	const char *body;      /* as the source has it (HTML in both formats) */
	long long created_at;  /* Unix seconds, UTC */
	enum import_status status;
};

struct import_counts {
	unsigned long long threads;  /* articles read */
	unsigned long long comments; /* handed to the callback */
	unsigned long long skipped;  /* not comments: pingbacks, trackbacks */
	unsigned long long problems; /* reported, not handed on */
};

/* Returns 0 to go on, anything else to stop the import (returned). */
typedef int import_comment_fn(void *arg, const struct import_comment *c);
/* what: a short English description; source_id: "" when not known. */
typedef void import_problem_fn(void *arg, const char *what,
                               const char *source_id);

/*
 * Reads the file at path (or the len bytes at buf) in format f. Returns
 * 0 when the whole document was read, the callback's value if it
 * stopped, or -1 with a message in err for a document that is not
 * well-formed XML of that format (the comments before the error have
 * been handed on; counts says how many).
 */
int import_read_file(enum import_format f, const char *path,
                     import_comment_fn *fn, import_problem_fn *problem,
                     void *arg, struct import_counts *counts, char *err,
                     size_t errsz);
int import_read_mem(enum import_format f, const char *buf, size_t len,
                    import_comment_fn *fn, import_problem_fn *problem,
                    void *arg, struct import_counts *counts, char *err,
                    size_t errsz);

/* "disqus" or "wordpress" -> 0 and *f; -1 otherwise. */
int import_format_parse(const char *s, enum import_format *f);
/* "approved", "pending", "spam", "deleted". */
const char *import_status_name(enum import_status s);

/*
 * A date as exports write it, in UTC: "YYYY-MM-DDTHH:MM:SS" with an
 * optional fraction and "Z" or "+HH:MM" (Disqus), or "YYYY-MM-DD
 * HH:MM:SS" (WordPress's *_gmt). 0 and *out, or -1.
 */
int import_parse_time(const char *s, long long *out);

#endif
