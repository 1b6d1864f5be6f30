/*
 * import.c: Disqus and WordPress exports, streamed (see import.h).
 *
 * Both formats are read with one xmlTextReader loop. An element that
 * carries a field is looked up in the format's table by its depth, its
 * parent and its local name (the namespace is checked by prefix of its
 * URI: WordPress has written export/1.0 to export/1.2); its text is read
 * whole (xmlTextReaderReadString, CDATA included) into a bounded slot.
 * At the end of a record (a Disqus <thread> or <post>, a WordPress
 * <item> or <wp:comment>) the record is checked and handed on.
 *
 * Disqus lists every <thread> (article) before the <post>s (comments)
 * that refer to it by dsq:id; the articles are kept in a tree (tsearch)
 * for the posts, bounded by IMPORT_THREADS_MAX. WordPress nests the
 * comments in their <item>, so only the current item is kept.
 */
#include <math.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/xmlreader.h>

#include "config.h"
#include "import.h"
#include "import_int.h"

/* Articles a Disqus export may list (each ~3 KB at most here). */
#define IMPORT_THREADS_MAX 1000000

#define NS_DISQUS  "http://disqus.com"
#define NS_DSQ     "http://disqus.com/disqus-internals"
#define NS_WP      "http://wordpress.org/export/"
#define NS_CONTENT "http://purl.org/rss/1.0/modules/content/"

/* The fields of a record, as slots. */
enum slot {
	S_ID,         /* the record's own id */
	S_PARENT,     /* the parent comment's id */
	S_THREAD,     /* the article's id (Disqus post) */
	S_URL,        /* article link */
	S_TITLE,      /* article title */
	S_IDENT,      /* Disqus <id> of a thread (its disqus_identifier) */
	S_NAME,       /* author */
	S_EMAIL,      /* author's e-mail */
	S_BODY,       /* message / content */
	S_DATE,       /* created, UTC */
	S_DATE_LOCAL, /* WordPress comment_date (local time), unused */
	S_APPROVED,   /* WordPress comment_approved; Disqus isApproved */
	S_DELETED,    /* Disqus isDeleted */
	S_SPAM,       /* Disqus isSpam */
	S_TYPE,       /* WordPress comment_type */
	NSLOTS
};

static const size_t slot_max[NSLOTS] = {
    [S_ID] = IMPORT_ID_MAX,
    [S_PARENT] = IMPORT_ID_MAX,
    [S_THREAD] = IMPORT_ID_MAX,
    [S_URL] = IMPORT_URL_MAX,
    [S_TITLE] = IMPORT_TITLE_MAX,
    [S_IDENT] = IMPORT_URL_MAX,
    [S_NAME] = IMPORT_NAME_MAX,
    [S_EMAIL] = IMPORT_EMAIL_MAX,
    [S_BODY] = IMPORT_BODY_MAX,
    [S_DATE] = 64,
    [S_DATE_LOCAL] = 64,
    [S_APPROVED] = 32,
    [S_DELETED] = 16,
    [S_SPAM] = 16,
    [S_TYPE] = 32,
};

struct slots {
	char *v[NSLOTS];   /* NUL-terminated, or NULL: not seen */
	int too_long;      /* a slot past its bound: the record is a problem */
	const char *which; /* the first such field's element name */
};

/* Where a field is: an element of that local name, at that depth below
 * the record's element (1: a child), whose parent has that local name
 * (NULL: the record itself); attr: read this dsq:id attribute instead
 * of the text. */
struct field {
	const char *parent, *name, *ns;
	int attr;
	enum slot slot;
};

/* The formats' fields, as data (the tables repeat in shape only). */
static const struct field disqus_thread[] = {
    {NULL, "link", NS_DISQUS, 0, S_URL},
    {NULL, "title", NS_DISQUS, 0, S_TITLE},
    {NULL, "id", NS_DISQUS, 0, S_IDENT},
    {NULL, NULL, NULL, 0, NSLOTS},
};
static const struct field disqus_post[] = {
    {NULL, "message", NS_DISQUS, 0, S_BODY},
    {NULL, "createdAt", NS_DISQUS, 0, S_DATE},
    {NULL, "isDeleted", NS_DISQUS, 0, S_DELETED},
    {NULL, "isSpam", NS_DISQUS, 0, S_SPAM},
    {NULL, "isApproved", NS_DISQUS, 0, S_APPROVED},
    {NULL, "thread", NS_DISQUS, 1, S_THREAD},
    {NULL, "parent", NS_DISQUS, 1, S_PARENT},
    {"author", "name", NS_DISQUS, 0, S_NAME},
    {"author", "email", NS_DISQUS, 0, S_EMAIL},
    {NULL, NULL, NULL, 0, NSLOTS},
};
static const struct field wxr_item[] = {
    {NULL, "title", "", 0, S_TITLE},
    {NULL, "link", "", 0, S_URL},
    {NULL, "post_id", NS_WP, 0, S_ID},
    {NULL, NULL, NULL, 0, NSLOTS},
};
static const struct field wxr_comment[] = {
    {NULL, "comment_id", NS_WP, 0, S_ID},
    {NULL, "comment_parent", NS_WP, 0, S_PARENT},
    {NULL, "comment_author", NS_WP, 0, S_NAME},
    {NULL, "comment_author_email", NS_WP, 0, S_EMAIL},
    {NULL, "comment_content", NS_WP, 0, S_BODY},
    {NULL, "comment_date_gmt", NS_WP, 0, S_DATE},
    {NULL, "comment_date", NS_WP, 0, S_DATE_LOCAL},
    {NULL, "comment_approved", NS_WP, 0, S_APPROVED},
    {NULL, "comment_type", NS_WP, 0, S_TYPE},
    {NULL, NULL, NULL, 0, NSLOTS},
};

/* A Disqus article, kept for the posts. */
struct thread {
	char *id, *url, *title, *ident;
};

struct reader {
	enum import_format format;
	xmlTextReaderPtr r;
	import_comment_fn *fn;
	import_problem_fn *problem;
	void *arg;
	struct import_counts *n;
	void *threads;          /* tsearch tree of struct thread, by id */
	struct slots item, rec; /* WordPress: the item; any: the record */
	const struct field *fields;
	int depth;          /* of the record's element, -1: none */
	const char *parent; /* local name of the child being read into */
	int stop;           /* the callback's value */
	char *err;
	size_t errsz;
};

static void
slots_clear(struct slots *s)
{
	size_t i;

	for (i = 0; i < NSLOTS; i++) {
		free(s->v[i]);
		s->v[i] = NULL;
	}
	s->too_long = 0;
	s->which = NULL;
}

static const char *
val(const struct slots *s, enum slot k)
{
	return s->v[k] != NULL ? s->v[k] : "";
}

static int
thread_cmp(const void *a, const void *b)
{
	return strcmp(((const struct thread *)a)->id,
	              ((const struct thread *)b)->id);
}

static void
thread_free(void *p)
{
	struct thread *t = p;

	free(t->id);
	free(t->url);
	free(t->title);
	free(t->ident);
	free(t);
}

static void
problem(struct reader *rd, const char *what, const char *id)
{
	struct import_sink s = {rd->fn, rd->problem, rd->arg, rd->n, 0};

	import_sink_problem(&s, what, id);
}

/* The text of a boolean element: "true"/"false" (Disqus). */
static int
is_true(const char *s)
{
	return s != NULL && strcmp(s, "true") == 0;
}

static int
ns_is(const xmlChar *uri, const char *want)
{
	const char *u = uri != NULL ? (const char *)uri : "";

	if (strcmp(want, NS_WP) == 0)
		return strncmp(u, want, strlen(want)) == 0;
	return strcmp(u, want) == 0;
}

/* Stores a string into slot k of s, within its bound. Takes v. */
static void
slot_set(struct slots *s, enum slot k, char *v, const char *element)
{
	if (v == NULL)
		v = strdup("");
	if (v == NULL)
		return;
	if (strlen(v) > slot_max[k]) {
		free(v);
		if (!s->too_long)
			s->which = element;
		s->too_long = 1;
		return;
	}
	free(s->v[k]);
	s->v[k] = v;
}

/* The element the reader is on, if it is one of fields (by its parent
 * within the record, its local name and namespace). */
static const struct field *
field_of(const struct reader *rd, int rel_depth)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(rd->r);
	const xmlChar *uri = xmlTextReaderConstNamespaceUri(rd->r);
	const struct field *f;

	if (name == NULL)
		return NULL;
	for (f = rd->fields; f->name != NULL; f++) {
		if (strcmp(f->name, name) != 0 || !ns_is(uri, f->ns))
			continue;
		if (f->parent == NULL ? rel_depth == 1
		                      : rel_depth == 2 && rd->parent != NULL &&
		                            strcmp(rd->parent, f->parent) == 0)
			return f;
	}
	return NULL;
}

static void
read_field(struct reader *rd, const struct field *f)
{
	char *v;

	if (f->attr)
		v = (char *)xmlTextReaderGetAttributeNs(rd->r, BAD_CAST "id",
		                                        BAD_CAST NS_DSQ);
	else
		v = (char *)xmlTextReaderReadString(rd->r);
	/* libxml2 allocates with xmlMalloc, which is malloc here. */
	slot_set(&rd->rec, f->slot, v, f->name);
}

/* --- the records --- */

static void
disqus_thread_end(struct reader *rd)
{
	struct thread *t, **found;
	const char *id = val(&rd->rec, S_ID);

	rd->n->threads++;
	if (*id == '\0' || rd->rec.too_long) {
		problem(rd,
		        rd->rec.too_long ? "article field too long"
		                         : "article without a dsq:id",
		        id);
		return;
	}
	if (rd->n->threads > IMPORT_THREADS_MAX) {
		problem(rd, "more articles than an import may hold", id);
		return;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return;
	t->id = strdup(id);
	t->url = strdup(val(&rd->rec, S_URL));
	t->title = strdup(val(&rd->rec, S_TITLE));
	t->ident = strdup(val(&rd->rec, S_IDENT));
	if (t->id == NULL || t->url == NULL || t->title == NULL ||
	    t->ident == NULL ||
	    (found = tsearch(t, &rd->threads, thread_cmp)) == NULL) {
		thread_free(t);
		return;
	}
	if (*found != t) {
		problem(rd, "article listed twice (the first kept)", id);
		thread_free(t);
	}
}

static enum import_status
disqus_status(const struct slots *s)
{
	if (is_true(s->v[S_SPAM]))
		return IMPORT_SPAM;
	if (is_true(s->v[S_DELETED]))
		return IMPORT_DELETED;
	if (s->v[S_APPROVED] != NULL && !is_true(s->v[S_APPROVED]))
		return IMPORT_PENDING;
	return IMPORT_APPROVED;
}

static enum import_status
wxr_status(const char *s)
{
	if (strcmp(s, "1") == 0 || strcmp(s, "approve") == 0)
		return IMPORT_APPROVED;
	if (strcmp(s, "spam") == 0)
		return IMPORT_SPAM;
	if (strcmp(s, "trash") == 0 || strcmp(s, "post-trashed") == 0)
		return IMPORT_DELETED;
	return IMPORT_PENDING; /* "0", "hold" */
}

/* Hands on the comment in rd->rec, with its article. */
static void
comment_end(struct reader *rd)
{
	const char *id = val(&rd->rec, S_ID);
	char what[96];
	struct import_comment c;
	const struct slots *s = &rd->rec;
	struct thread key, **t = NULL;
	const char *parent = val(s, S_PARENT);

	if (rd->stop != 0)
		return;
	if (s->too_long) {
		snprintf(what, sizeof(what), "comment with <%s> too long",
		         s->which != NULL ? s->which : "?");
		problem(rd, what, id);
		return;
	}
	if (*id == '\0') {
		problem(rd, "comment without an id", id);
		return;
	}
	memset(&c, 0, sizeof(c));
	if (import_parse_time(val(s, S_DATE), &c.created_at) != 0) {
		problem(rd, "comment without a usable UTC date", id);
		return;
	}
	if (rd->format == IMPORT_DISQUS) {
		c.status = disqus_status(s);
		c.thread_id = val(s, S_THREAD);
		key.id = (char *)c.thread_id;
		if (*c.thread_id != '\0')
			t = tfind(&key, &rd->threads, thread_cmp);
		if (t == NULL) {
			problem(rd, "comment of an article not in the export",
			        id);
			return;
		}
		c.url = (*t)->url;
		c.title = (*t)->title;
	} else {
		c.status = wxr_status(val(s, S_APPROVED));
		c.thread_id = val(&rd->item, S_ID);
		c.url = val(&rd->item, S_URL);
		c.title = val(&rd->item, S_TITLE);
		if (strcmp(parent, "0") == 0)
			parent = "";
	}
	c.source_id = id;
	c.parent_id = parent;
	c.name = val(s, S_NAME);
	c.email = val(s, S_EMAIL);
	c.body = val(s, S_BODY);
	rd->n->comments++;
	rd->stop = rd->fn(rd->arg, &c);
}

/* An element starts at depth d: a record, or a field of the current one. */
static void
element_start(struct reader *rd, int d)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(rd->r);
	const xmlChar *uri = xmlTextReaderConstNamespaceUri(rd->r);
	const struct field *f;

	if (name == NULL)
		return;
	if (rd->depth >= 0) {
		if (d == rd->depth + 1)
			rd->parent = name;
		if ((f = field_of(rd, d - rd->depth)) != NULL)
			read_field(rd, f);
		if (rd->fields == wxr_item && d == rd->depth + 1 &&
		    strcmp(name, "comment") == 0 && ns_is(uri, NS_WP)) {
			/* A comment inside the item: the item's fields are
			 * complete (WordPress writes them first). */
			rd->item = rd->rec;
			memset(&rd->rec, 0, sizeof(rd->rec));
			rd->fields = wxr_comment;
			rd->depth = d;
		}
		return;
	}
	if (rd->format == IMPORT_DISQUS && d == 1 && ns_is(uri, NS_DISQUS) &&
	    (strcmp(name, "thread") == 0 || strcmp(name, "post") == 0)) {
		rd->fields =
		    strcmp(name, "thread") == 0 ? disqus_thread : disqus_post;
		rd->depth = d;
		/* The id is an attribute: only the start tag has it. */
		slot_set(&rd->rec, S_ID,
		         (char *)xmlTextReaderGetAttributeNs(
		             rd->r, BAD_CAST "id", BAD_CAST NS_DSQ),
		         "dsq:id");
	} else if (rd->format == IMPORT_WXR && d == 2 &&
	           strcmp(name, "item") == 0 && (uri == NULL || *uri == 0)) {
		rd->fields = wxr_item;
		rd->depth = d;
	}
}

static void
element_end(struct reader *rd, int d)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(rd->r);

	if (rd->depth < 0 || d != rd->depth || name == NULL)
		return;
	if (rd->format == IMPORT_DISQUS && strcmp(name, "thread") == 0) {
		disqus_thread_end(rd);
	} else if (rd->format == IMPORT_DISQUS) {
		comment_end(rd);
	} else if (strcmp(name, "comment") == 0) {
		/* WordPress: pingbacks and trackbacks are not comments. */
		const char *type = val(&rd->rec, S_TYPE);

		if (*type != '\0' && strcmp(type, "comment") != 0)
			rd->n->skipped++;
		else
			comment_end(rd);
		slots_clear(&rd->rec);
		rd->rec = rd->item; /* back in the item */
		memset(&rd->item, 0, sizeof(rd->item));
		rd->fields = wxr_item;
		rd->depth = d - 1;
		rd->parent = NULL;
		return;
	}
	if (rd->format == IMPORT_WXR)
		rd->n->threads++;
	slots_clear(&rd->rec);
	rd->depth = -1;
	rd->parent = NULL;
}

/* The comment element's end tag came: the reader is told by the node
 * type; an empty element (<parent dsq:id="1"/>) has no end tag, so its
 * end is taken at once. */
static int
run(struct reader *rd)
{
	int ret, type, d;
	const char *root = rd->format == IMPORT_DISQUS ? "disqus" : "rss";
	int seen_root = 0;

	while ((ret = xmlTextReaderRead(rd->r)) == 1 && rd->stop == 0) {
		type = xmlTextReaderNodeType(rd->r);
		d = xmlTextReaderDepth(rd->r);
		if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
			snprintf(rd->err, rd->errsz,
			         "a DOCTYPE is not accepted in an export");
			return -1;
		}
		if (type == XML_READER_TYPE_ELEMENT) {
			if (d == 0) {
				const char *n =
				    (const char *)xmlTextReaderConstLocalName(
				        rd->r);

				if (n == NULL || strcmp(n, root) != 0) {
					snprintf(rd->err, rd->errsz,
					         "not a %s export (root <%s>)",
					         rd->format == IMPORT_DISQUS
					             ? "Disqus"
					             : "WordPress",
					         n != NULL ? n : "?");
					return -1;
				}
				seen_root = 1;
				continue;
			}
			element_start(rd, d);
			if (xmlTextReaderIsEmptyElement(rd->r))
				element_end(rd, d);
		} else if (type == XML_READER_TYPE_END_ELEMENT) {
			element_end(rd, d);
		}
	}
	if (rd->stop != 0)
		return rd->stop;
	if (ret != 0 || !seen_root) {
		const xmlError *e = xmlGetLastError();

		snprintf(rd->err, rd->errsz,
		         "not well-formed XML%s%s (line %d)",
		         e != NULL && e->message != NULL ? ": " : "",
		         e != NULL && e->message != NULL ? e->message : "",
		         e != NULL ? e->line : 0);
		/* libxml2's messages end with a newline. */
		rd->err[strcspn(rd->err, "\n")] = '\0';
		return -1;
	}
	return 0;
}

/* No network, no DTD, no entity substitution, no libxml2 output. */
#define XML_OPTIONS                                                            \
	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |           \
	 XML_PARSE_NOCDATA | XML_PARSE_COMPACT)

static void
quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static int
read_with(xmlTextReaderPtr r, enum import_format f, import_comment_fn *fn,
          import_problem_fn *pfn, void *arg, struct import_counts *counts,
          char *err, size_t errsz)
{
	struct reader rd;
	int ret;

	memset(counts, 0, sizeof(*counts));
	if (r == NULL) {
		snprintf(err, errsz, "cannot open the export");
		return -1;
	}
	memset(&rd, 0, sizeof(rd));
	rd.format = f;
	rd.r = r;
	rd.fn = fn;
	rd.problem = pfn;
	rd.arg = arg;
	rd.n = counts;
	rd.depth = -1;
	rd.err = err;
	rd.errsz = errsz;
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlResetLastError();
	ret = run(&rd);
	slots_clear(&rd.rec);
	slots_clear(&rd.item);
	tdestroy(rd.threads, thread_free);
	xmlFreeTextReader(r);
	return ret;
}

int
import_read_file(enum import_format f, const char *path, import_comment_fn *fn,
                 import_problem_fn *problem_fn, void *arg,
                 struct import_counts *counts, char *err, size_t errsz)
{
	struct import_sink s = {fn, problem_fn, arg, counts, 0};

	if (f != IMPORT_DISQUS && f != IMPORT_WXR) {
		memset(counts, 0, sizeof(*counts));
		return f == IMPORT_ISSO
		           ? import_isso_read(path, &s, err, errsz)
		           : import_json_read_file(f, path, &s, err, errsz);
	}
	return read_with(xmlReaderForFile(path, NULL, XML_OPTIONS), f, fn,
	                 problem_fn, arg, counts, err, errsz);
}

int
import_read_mem(enum import_format f, const char *buf, size_t len,
                import_comment_fn *fn, import_problem_fn *problem_fn, void *arg,
                struct import_counts *counts, char *err, size_t errsz)
{
	struct import_sink s = {fn, problem_fn, arg, counts, 0};

	if (f != IMPORT_DISQUS && f != IMPORT_WXR) {
		memset(counts, 0, sizeof(*counts));
		if (f != IMPORT_ISSO)
			return import_json_read_mem(f, buf, len, &s, err,
			                            errsz);
		snprintf(err, errsz, "an Isso database is read from a file");
		return -1;
	}
	if (len > (size_t)0x7fffffff) {
		memset(counts, 0, sizeof(*counts));
		snprintf(err, errsz, "export too large for memory");
		return -1;
	}
	return read_with(
	    xmlReaderForMemory(buf, (int)len, NULL, NULL, XML_OPTIONS), f, fn,
	    problem_fn, arg, counts, err, errsz);
}

/* The formats' names, as --format spells them. */
static const char *const format_names[] = {
    [IMPORT_DISQUS] = "disqus", [IMPORT_WXR] = "wordpress",
    [IMPORT_ISSO] = "isso",     [IMPORT_REMARK42] = "remark42",
    [IMPORT_WALINE] = "waline", [IMPORT_ARTALK] = "artalk",
};

int
import_format_parse(const char *s, enum import_format *f)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (format_names[i] != NULL &&
		    strcmp(s, format_names[i]) == 0) {
			*f = (enum import_format)i;
			return 0;
		}
	return -1;
}

const char *
import_format_name(enum import_format f)
{
	return (size_t)f < sizeof(format_names) / sizeof(format_names[0]) &&
	               format_names[f] != NULL
	           ? format_names[f]
	           : "?";
}

const char *
import_status_name(enum import_status s)
{
	static const char *const names[] = {"approved", "pending", "spam",
	                                    "deleted"};

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* n digits of s as a number in [min, max]. */
static int
digits(const char *s, size_t n, long long min, long long max, int *out)
{
	char tmp[8];
	long long v;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (config_parse_ll(tmp, min, max, &v) != 0)
		return -1;
	*out = (int)v;
	return 0;
}

int
import_parse_time(const char *s, long long *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p = s + 19;
	time_t t;
	long long t2;

	if (strlen(s) < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' ||
	    digits(s, 4, 1970, 9999, &y) != 0 ||
	    digits(s + 5, 2, 1, 12, &mo) != 0 ||
	    digits(s + 8, 2, 1, 31, &d) != 0 ||
	    digits(s + 11, 2, 0, 23, &h) != 0 ||
	    digits(s + 14, 2, 0, 59, &mi) != 0 ||
	    digits(s + 17, 2, 0, 60, &sec) != 0)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (s[10] == ' ') {
		/* WordPress's *_gmt: UTC, no zone written. */
	} else if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (strlen(p) < 6 || p[3] != ':' ||
		    digits(p + 1, 2, 0, 23, &oh) != 0 ||
		    digits(p + 4, 2, 0, 59, &om) != 0)
			return -1;
		p += 6;
	} else {
		return -1; /* a "T" time without its zone */
	}
	if (*p != '\0')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	/* timegm() normalises 31 February into March: refuse it. */
	{
		struct tm back;

		if (gmtime_r(&t, &back) == NULL || back.tm_mday != d ||
		    back.tm_mon != mo - 1)
			return -1;
	}
	/* A zone can move 1970-01-01 before the epoch, 9999-12-31 past
	 * the year: both are refused, as the years outside them are. */
	t2 = (long long)t - (long long)sign * (oh * 3600 + om * 60);
	if (t2 < 0 || t2 >= 253402300800LL)
		return -1;
	*out = t2;
	return 0;
}

/* --- shared by the readers (import_int.h) --- */

void
import_sink_problem(struct import_sink *s, const char *what, const char *id)
{
	s->n->problems++;
	if (s->problem != NULL)
		s->problem(s->arg, what, id != NULL ? id : "");
}

int
import_sink_emit(struct import_sink *s, const struct import_names *names,
                 struct import_comment *c)
{
	const char **f[8] = {&c->source_id, &c->parent_id, &c->thread_id,
	                     &c->url,       &c->title,     &c->name,
	                     &c->email,     &c->body};
	static const size_t max[8] = {IMPORT_ID_MAX,    IMPORT_ID_MAX,
	                              IMPORT_ID_MAX,    IMPORT_URL_MAX,
	                              IMPORT_TITLE_MAX, IMPORT_NAME_MAX,
	                              IMPORT_EMAIL_MAX, IMPORT_BODY_MAX};
	char what[96];
	size_t i;

	for (i = 0; i < 8; i++)
		if (*f[i] == NULL)
			*f[i] = "";
	for (i = 0; i < 8; i++) {
		if (strlen(*f[i]) <= max[i])
			continue;
		snprintf(what, sizeof(what), "comment with \"%s\" too long",
		         names->field[i]);
		import_sink_problem(s, what, i == 0 ? "" : c->source_id);
		return 0;
	}
	if (*c->source_id == '\0') {
		import_sink_problem(s, "comment without an id", "");
		return 0;
	}
	/* A zone can move a date of 1970 before the epoch. */
	if (c->created_at < 0 || c->created_at >= 253402300800LL) {
		import_sink_problem(s, "comment without a usable date",
		                    c->source_id);
		return 0;
	}
	s->n->comments++;
	s->stop = s->fn(s->arg, c);
	return s->stop;
}

int
import_unix_time(double t, long long *out)
{
	/* 9999-12-31T23:59:59Z, the last second import_parse_time() reads. */
	if (!isfinite(t) || t < 0 || t >= 253402300800.0)
		return -1;
	*out = (long long)t; /* t >= 0: truncation is floor */
	return 0;
}
