/*
 * import.h: reading other systems' comment exports (docs/import.md).
 *
 * import_read_*() read an export and hand each comment to a callback,
 * in the order of the file, with the article it belongs to: Disqus and
 * WordPress XML through libxml2's reader (import.c), Remark42's backup
 * line by line and Waline's and Artalk's JSON documents with jansson
 * (import_json.c), an Isso SQLite database read-only (import_isso.c).
 * Nothing is stored here: the caller maps the article's URL to a key
 * and writes (or counts, on a dry run). Every field is bounded
 * (IMPORT_*_MAX); a comment with a field past its bound, a bad date or
 * no id is not handed on but reported to the problem callback with its
 * source id, and counted. Nothing is dropped silently.
 *
 * The XML is read without the network, without DTDs and without
 * substituting entities, so an export cannot fetch, include or expand
 * anything. jansson has no streaming parser: a Waline or Artalk export
 * is read whole, up to IMPORT_JSON_MAX.
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
/* A Waline or Artalk export is one JSON document that jansson holds in
 * memory whole (several times its size as a tree): 256 MiB of it is far
 * more than such a site has, and still fits the machine. */
#define IMPORT_JSON_MAX (256u * 1024 * 1024)
/* One line of a Remark42 backup: a comment's body can be escaped to six
 * times its size (\uXXXX) and Remark42 writes it twice (text, orig);
 * the meta line lists every user. A longer line is a problem. */
#define IMPORT_LINE_MAX (16u * 1024 * 1024)

enum import_format {
	IMPORT_DISQUS,   /* Disqus XML export (<disqus>, <thread>, <post>) */
	IMPORT_WXR,      /* WordPress eXtended RSS (<item>, <wp:comment>) */
	IMPORT_ISSO,     /* an Isso SQLite database (threads, comments) */
	IMPORT_REMARK42, /* a Remark42 backup: a meta line, then comments */
	IMPORT_WALINE,   /* Waline's export: {"type":"waline","data":...} */
	IMPORT_ARTALK,   /* Artalk's "artrans": an array of comments */
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
	const char *body;      /* as the source has it (HTML or Markdown) */
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
 * well-formed XML or JSON of that format, too large, or an Isso file that
 * is not an Isso database (the comments before the error have been
 * handed on; counts says how many). An Isso database is read from a
 * file only (import_read_mem() refuses it); it is opened read-only.
 */
int import_read_file(enum import_format f, const char *path,
                     import_comment_fn *fn, import_problem_fn *problem,
                     void *arg, struct import_counts *counts, char *err,
                     size_t errsz);
int import_read_mem(enum import_format f, const char *buf, size_t len,
                    import_comment_fn *fn, import_problem_fn *problem,
                    void *arg, struct import_counts *counts, char *err,
                    size_t errsz);

/* "disqus", "wordpress", "isso", "remark42", "waline" or "artalk" -> 0
 * and *f; -1 otherwise. */
int import_format_parse(const char *s, enum import_format *f);
/* The name import_format_parse() takes for f. */
const char *import_format_name(enum import_format f);
/* "approved", "pending", "spam", "deleted". */
const char *import_status_name(enum import_status s);

/*
 * A date as exports write it, in UTC: "YYYY-MM-DDTHH:MM:SS" with an
 * optional fraction and "Z" or "+HH:MM" (Disqus), or "YYYY-MM-DD
 * HH:MM:SS" (WordPress's *_gmt). 0 and *out, or -1.
 */
int import_parse_time(const char *s, long long *out);

/*
 * An imported comment's text (multiline) or name as bandoc
 * stores it: from HTML (is_html: Disqus and WordPress) only the text,
 * entities decoded, <br> and the ends of blocks as line breaks, a link
 * as its text and its address; then normalised as a reader's comment is
 * (text_normalize()). A malloc'd string, or NULL when the text is not
 * UTF-8, is longer than max bytes on the way, or memory runs out.
 */
char *import_plain_text(const char *text, int is_html, int multiline,
                        size_t max);

/*
 * The mapping of `--map FILE` (docs/import.md): "FROM<TAB>KEY" lines,
 * FROM an article's address or the other system's id for it. NULL with
 * a message in err (a bad or too long line, a FROM mapped twice).
 */
struct import_map;
struct import_map *import_map_load(const char *path, char *err, size_t errsz);
void import_map_free(struct import_map *m);

struct config_site;
/*
 * The key of the article at url (or with the other system's thread_id):
 * from map when there is one (url first, then the id), otherwise from the
 * site's article_url_pattern. 0 with the key in key, or -1 when it cannot
 * be mapped or is not a key the site accepts (article_pattern).
 */
int import_article_key(const struct config_site *site,
                       const struct import_map *map, const char *url,
                       const char *thread_id, char *key, size_t keysz);

#endif
