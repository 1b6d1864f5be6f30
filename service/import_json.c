/*
 * import_json.c: Remark42, Waline and Artalk exports (see import.h).
 *
 * Remark42's backup ("native" format, backend/app/migrator/native.go) is
 * JSON lines: the first line is a meta record {"version":1,"users":[...],
 * "posts":[...]}, every other line one comment. It is read line by line,
 * each line bounded by IMPORT_LINE_MAX: a line that is too long, not JSON
 * or not a comment is a problem and reading goes on with the next one.
 *
 * Waline's export ({"type":"waline","version":1,"data":{"Comment":[...],
 * "Counter":[...],"Users":[...]}}) and Artalk's "artrans" (an array of
 * comment objects whose values are all strings) are single JSON
 * documents. jansson has no streaming parser, so they are read whole,
 * and refused past IMPORT_JSON_MAX bytes before they are parsed.
 *
 * The steps, in the order the functions run: load (a document, capped)
 * or split into lines; check the document's shape (a refusal is -1 with
 * err); for each comment, read its fields as text (get()), map its status
 * and date, and give it to import_sink_emit(), which checks the bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "config.h"
#include "import.h"
#include "import_int.h"

/* A key twice in an object is ambiguous: which one did the source mean? */
#define JSON_FLAGS JSON_REJECT_DUPLICATES

/* Reading one comment object: integers are written into num[]. */
struct rec {
	const char *bad; /* the first field of a type we cannot read */
	char num[8][24];
	size_t k;
};

/*
 * Field key of object o as text: absent and null read as "", a string
 * as it is, an integer in decimal and true/false as words (Artalk writes
 * everything as strings, Waline's SQL storages write ids as numbers).
 * Any other type reads as "" and is remembered in r->bad. o NULL: "".
 */
static const char *
get(struct rec *r, json_t *o, const char *key)
{
	json_t *v = o != NULL ? json_object_get(o, key) : NULL;

	if (v == NULL || json_is_null(v))
		return "";
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_true(v))
		return "true";
	if (json_is_false(v))
		return "false";
	if (json_is_integer(v) && r->k < sizeof(r->num) / sizeof(r->num[0])) {
		snprintf(r->num[r->k], sizeof(r->num[0]),
		         "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return r->num[r->k++];
	}
	if (r->bad == NULL)
		r->bad = key;
	return "";
}

/* A sub-object of o (NULL when absent or null; r->bad when not one). */
static json_t *
sub(struct rec *r, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_object(v)) {
		if (r->bad == NULL)
			r->bad = key;
		return NULL;
	}
	return v;
}

static int
wrong_type(struct import_sink *s, const struct rec *r, const char *id)
{
	char what[96];

	if (r->bad == NULL)
		return 0;
	snprintf(what, sizeof(what), "comment with \"%s\" of the wrong type",
	         r->bad);
	import_sink_problem(s, what, strlen(id) <= IMPORT_ID_MAX ? id : "");
	return 1;
}

static void
bad_date(struct import_sink *s, const char *id)
{
	import_sink_problem(s, "comment without a usable date",
	                    strlen(id) <= IMPORT_ID_MAX ? id : "");
}

/* --- Remark42 --- */

static const struct import_names remark42_names = {
    {"id", "pid", "", "locator.url", "title", "user.name", "email", "text"}};

struct lines {
	struct import_sink *s;
	unsigned long long lineno;
	int seen_meta;
	json_t *emails; /* user id -> e-mail, from the meta record */
	char *err;
	size_t errsz;
};

/* Remark42 keeps e-mails (for reply notices) in the meta record's users,
 * not in the comments: users[].id and users[].details.email. */
static void
remark42_emails(struct lines *l, json_t *meta)
{
	json_t *users = json_object_get(meta, "users"), *u, *id, *email;
	size_t i;

	if ((l->emails = json_object()) == NULL || !json_is_array(users))
		return;
	json_array_foreach(users, i, u)
	{
		id = json_object_get(u, "id");
		email = json_object_get(json_object_get(u, "details"), "email");
		if (json_is_string(id) && json_is_string(email))
			json_object_set(l->emails, json_string_value(id),
			                email);
	}
}

/* A Remark42 comment line (store.Comment's JSON). */
static void
remark42_comment(struct lines *l, json_t *o)
{
	struct rec r = {0};
	struct import_comment c;
	json_t *user, *locator, *email;
	const char *deleted, *blocked, *at;

	memset(&c, 0, sizeof(c));
	user = sub(&r, o, "user");
	locator = sub(&r, o, "locator");
	c.source_id = get(&r, o, "id");
	c.parent_id = get(&r, o, "pid");
	c.url = get(&r, locator, "url");
	c.title = get(&r, o, "title");
	c.name = get(&r, user, "name");
	c.body = get(&r, o, "text");
	at = get(&r, o, "time");
	deleted = get(&r, o, "delete");
	blocked = get(&r, user, "block");
	email = json_object_get(l->emails, get(&r, user, "id"));
	c.email = json_is_string(email) ? json_string_value(email) : "";
	if (wrong_type(l->s, &r, c.source_id))
		return;
	if (import_parse_time(at, &c.created_at) != 0) {
		bad_date(l->s, c.source_id);
		return;
	}
	/* Remark42 has no moderation queue: a comment is shown, deleted,
	 * or hidden because its author is blocked. */
	if (strcmp(deleted, "true") == 0)
		c.status = IMPORT_DELETED;
	else if (strcmp(blocked, "true") == 0)
		c.status = IMPORT_SPAM;
	else
		c.status = IMPORT_APPROVED;
	import_sink_emit(l->s, &remark42_names, &c);
}

/* One line (without its newline) of len bytes; too_long: it was longer
 * than IMPORT_LINE_MAX and is not in line. 0 to go on, -1 for a file
 * that is not a Remark42 backup, or the callback's value. */
static int
remark42_line(struct lines *l, const char *line, size_t len, int too_long)
{
	char what[96];
	json_t *o = NULL, *v;
	json_error_t je;
	size_t i;
	int ret = 0;

	l->lineno++;
	if (!too_long) {
		for (i = 0; i < len; i++)
			if (line[i] != ' ' && line[i] != '\t' &&
			    line[i] != '\r')
				break;
		if (i == len)
			return 0; /* a blank line */
	}
	if (!l->seen_meta) {
		if (too_long) {
			snprintf(l->err, l->errsz,
			         "not a Remark42 backup: its first line is "
			         "longer than %u bytes",
			         IMPORT_LINE_MAX);
			return -1;
		}
		o = json_loadb(line, len, JSON_FLAGS, &je);
		v = json_is_object(o) ? json_object_get(o, "version") : NULL;
		if (!json_is_object(o) || json_object_get(o, "id") != NULL ||
		    (v != NULL && !json_is_integer(v))) {
			snprintf(l->err, l->errsz,
			         "not a Remark42 backup: line %llu is not "
			         "its meta record",
			         l->lineno);
			ret = -1;
		} else if (v != NULL && json_integer_value(v) != 0 &&
		           json_integer_value(v) != 1) {
			/* native.go reads versions 0 and 1 only. */
			snprintf(l->err, l->errsz,
			         "Remark42 backup version %" JSON_INTEGER_FORMAT
			         " is not known",
			         json_integer_value(v));
			ret = -1;
		} else {
			remark42_emails(l, o);
		}
		l->seen_meta = 1;
		json_decref(o);
		return ret;
	}
	if (too_long) {
		snprintf(what, sizeof(what), "line %llu longer than %u bytes",
		         l->lineno, IMPORT_LINE_MAX);
		import_sink_problem(l->s, what, "");
		return 0;
	}
	if ((o = json_loadb(line, len, JSON_FLAGS, &je)) == NULL ||
	    !json_is_object(o)) {
		snprintf(what, sizeof(what), "line %llu is not %s", l->lineno,
		         o == NULL ? "JSON" : "a comment object");
		import_sink_problem(l->s, what, "");
	} else {
		remark42_comment(l, o);
	}
	json_decref(o);
	return l->s->stop;
}

static int
remark42_end(struct lines *l)
{
	if (!l->seen_meta) {
		snprintf(l->err, l->errsz,
		         "not a Remark42 backup: no meta record");
		return -1;
	}
	return 0;
}

static int
remark42_mem(struct lines *l, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t n;
	int ret;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		if ((ret = remark42_line(l, p, n, n > IMPORT_LINE_MAX)) != 0)
			return ret;
		p += n + 1;
	}
	return remark42_end(l);
}

/* Reads fp in blocks, gathering each line in a buffer that grows up to
 * IMPORT_LINE_MAX; past that, the rest of the line is skipped. */
static int
remark42_file(struct lines *l, FILE *fp)
{
	char *block = malloc(65536), *line = NULL, *bigger;
	size_t len = 0, cap = 0, got, i, piece, want;
	const char *nl;
	int too_long = 0, ret = 0;

	if (block == NULL) {
		snprintf(l->err, l->errsz, "out of memory");
		return -1;
	}
	while (ret == 0 && (got = fread(block, 1, 65536, fp)) > 0) {
		for (i = 0; ret == 0 && i < got; i += piece + 1) {
			nl = memchr(block + i, '\n', got - i);
			piece = nl != NULL ? (size_t)(nl - block) - i : got - i;
			if (!too_long && piece > IMPORT_LINE_MAX - len) {
				too_long = 1;
			} else if (!too_long && piece > 0) {
				if (len + piece > cap) {
					want = cap * 2 > len + piece
					           ? cap * 2
					           : len + piece;
					if (want > IMPORT_LINE_MAX)
						want = IMPORT_LINE_MAX;
					if ((bigger = realloc(line, want)) ==
					    NULL) {
						snprintf(l->err, l->errsz,
						         "out of memory");
						ret = -1;
						break;
					}
					line = bigger;
					cap = want;
				}
				memcpy(line + len, block + i, piece);
				len += piece;
			}
			if (nl == NULL)
				break;
			ret = remark42_line(l, line, len, too_long);
			len = 0;
			too_long = 0;
		}
	}
	if (ret == 0 && ferror(fp)) {
		snprintf(l->err, l->errsz, "cannot read the export");
		ret = -1;
	}
	if (ret == 0 && (len > 0 || too_long))
		ret = remark42_line(l, line, len, too_long);
	if (ret == 0)
		ret = remark42_end(l);
	free(line);
	free(block);
	return ret;
}

/* --- Waline --- */

static const struct import_names waline_names = {
    {"objectId", "pid", "", "url", "", "nick", "mail", "comment"}};

/* A Waline date: an ISO string (SQL storages, MongoDB), or LeanCloud's
 * {"__type":"Date","iso":"..."}. */
static const char *
waline_date(struct rec *r, json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_object(v))
		return get(r, v, "iso");
	return get(r, o, key);
}

static void
waline_comment(struct import_sink *s, json_t *o)
{
	struct rec r = {0};
	struct import_comment c;
	const char *status, *at;

	memset(&c, 0, sizeof(c));
	c.source_id = get(&r, o, "objectId");
	c.parent_id = get(&r, o, "pid");
	if (*c.parent_id == '\0')
		c.parent_id = get(&r, o, "rid");
	c.url = get(&r, o, "url");
	c.name = get(&r, o, "nick");
	c.email = get(&r, o, "mail");
	c.body = get(&r, o, "comment");
	status = get(&r, o, "status");
	/* insertedAt is the comment's own time (Waline shows it); createdAt
	 * is the row's, which an import into Waline resets. */
	at = waline_date(&r, o, "insertedAt");
	if (*at == '\0')
		at = waline_date(&r, o, "createdAt");
	if (wrong_type(s, &r, c.source_id))
		return;
	/* Waline's own import takes a missing status as approved. */
	if (*status == '\0' || strcmp(status, "approved") == 0) {
		c.status = IMPORT_APPROVED;
	} else if (strcmp(status, "waiting") == 0) {
		c.status = IMPORT_PENDING;
	} else if (strcmp(status, "spam") == 0) {
		c.status = IMPORT_SPAM;
	} else {
		import_sink_problem(
		    s, "comment with an unknown \"status\"",
		    strlen(c.source_id) <= IMPORT_ID_MAX ? c.source_id : "");
		return;
	}
	if (import_parse_time(at, &c.created_at) != 0) {
		bad_date(s, c.source_id);
		return;
	}
	import_sink_emit(s, &waline_names, &c);
}

static int
waline_doc(json_t *root, struct import_sink *s, char *err, size_t errsz)
{
	json_t *data, *list, *o;
	size_t i;

	if (!json_is_object(root) ||
	    !json_is_string(json_object_get(root, "type")) ||
	    strcmp(json_string_value(json_object_get(root, "type")),
	           "waline") != 0) {
		snprintf(err, errsz,
		         "not a Waline export (no \"type\": "
		         "\"waline\")");
		return -1;
	}
	data = json_object_get(root, "data");
	list = json_is_object(data) ? json_object_get(data, "Comment") : NULL;
	if (!json_is_array(list)) {
		snprintf(err, errsz,
		         "not a Waline export (no \"data\".\"Comment\" array)");
		return -1;
	}
	json_array_foreach(list, i, o)
	{
		if (!json_is_object(o))
			import_sink_problem(s, "comment that is not an object",
			                    "");
		else
			waline_comment(s, o);
		if (s->stop != 0)
			return s->stop;
	}
	return 0;
}

/* --- Artalk --- */

static const struct import_names artalk_names = {
    {"id", "rid", "", "page_key", "page_title", "nick", "email", "content"}};

/* Artalk writes Go's "2006-01-02 15:04:05 -0700"; the forms of
 * import_parse_time() are taken too (its importer takes many). */
static int
artalk_time(const char *s, long long *out)
{
	char day[20], two[3] = "";
	long long t, oh, om;
	int sign;

	if (strlen(s) != 25 || s[19] != ' ' || (s[20] != '+' && s[20] != '-'))
		return import_parse_time(s, out);
	memcpy(day, s, 19);
	day[19] = '\0';
	sign = s[20] == '+' ? 1 : -1;
	if (s[10] != ' ' || import_parse_time(day, &t) != 0 || s[21] < '0' ||
	    s[21] > '9' || s[23] < '0' || s[23] > '9')
		return -1;
	memcpy(two, s + 21, 2);
	if (config_parse_ll(two, 0, 23, &oh) != 0)
		return -1;
	memcpy(two, s + 23, 2);
	if (s[24] < '0' || s[24] > '9' || config_parse_ll(two, 0, 59, &om) != 0)
		return -1;
	t -= sign * (oh * 3600 + om * 60);
	if (t < 0 || t >= 253402300800LL)
		return -1;
	*out = t;
	return 0;
}

static void
artalk_comment(struct import_sink *s, json_t *o)
{
	struct rec r = {0};
	struct import_comment c;
	const char *pending, *at;

	memset(&c, 0, sizeof(c));
	c.source_id = get(&r, o, "id");
	c.parent_id = get(&r, o, "rid");
	if (strcmp(c.parent_id, "0") == 0)
		c.parent_id = "";
	c.url = get(&r, o, "page_key");
	c.title = get(&r, o, "page_title");
	c.name = get(&r, o, "nick");
	c.email = get(&r, o, "email");
	c.body = get(&r, o, "content");
	pending = get(&r, o, "is_pending");
	at = get(&r, o, "created_at");
	if (wrong_type(s, &r, c.source_id))
		return;
	/* Artalk holds spam as pending; a collapsed comment is still shown
	 * (folded), and deleted ones are not exported. */
	if (strcmp(pending, "true") == 0) {
		c.status = IMPORT_PENDING;
	} else if (*pending == '\0' || strcmp(pending, "false") == 0) {
		c.status = IMPORT_APPROVED;
	} else {
		import_sink_problem(
		    s, "comment with an unknown \"is_pending\"",
		    strlen(c.source_id) <= IMPORT_ID_MAX ? c.source_id : "");
		return;
	}
	if (artalk_time(at, &c.created_at) != 0) {
		bad_date(s, c.source_id);
		return;
	}
	import_sink_emit(s, &artalk_names, &c);
}

static int
artalk_doc(json_t *root, struct import_sink *s, char *err, size_t errsz)
{
	json_t *o;
	size_t i;

	if (!json_is_array(root)) {
		snprintf(err, errsz,
		         "not an Artalk export (artrans is a JSON array)");
		return -1;
	}
	json_array_foreach(root, i, o)
	{
		if (!json_is_object(o))
			import_sink_problem(s, "comment that is not an object",
			                    "");
		else
			artalk_comment(s, o);
		if (s->stop != 0)
			return s->stop;
	}
	return 0;
}

/* --- documents --- */

static int
read_doc(enum import_format f, json_t *root, const json_error_t *je,
         struct import_sink *s, char *err, size_t errsz)
{
	int ret;

	if (root == NULL) {
		snprintf(err, errsz, "not JSON: %s (line %d)", je->text,
		         je->line);
		return -1;
	}
	ret = f == IMPORT_WALINE ? waline_doc(root, s, err, errsz)
	                         : artalk_doc(root, s, err, errsz);
	json_decref(root);
	return ret;
}

/* jansson reads the file through this, which stops at IMPORT_JSON_MAX
 * bytes (the file may grow after the fstat() check). */
struct capped {
	FILE *fp;
	size_t total;
	int over;
};

static size_t
capped_read(void *buf, size_t buflen, void *data)
{
	struct capped *c = data;
	size_t got;

	if (c->total >= IMPORT_JSON_MAX) {
		if (fgetc(c->fp) == EOF)
			return 0;
		c->over = 1;
		return (size_t)-1;
	}
	if (buflen > IMPORT_JSON_MAX - c->total)
		buflen = IMPORT_JSON_MAX - c->total;
	got = fread(buf, 1, buflen, c->fp);
	if (got == 0 && ferror(c->fp))
		return (size_t)-1;
	c->total += got;
	return got;
}

static void
too_large(char *err, size_t errsz)
{
	snprintf(err, errsz, "export larger than %u MiB, the most read whole",
	         IMPORT_JSON_MAX / (1024 * 1024));
}

int
import_json_read_file(enum import_format f, const char *path,
                      struct import_sink *s, char *err, size_t errsz)
{
	struct lines l = {s, 0, 0, NULL, err, errsz};
	struct capped c = {NULL, 0, 0};
	struct stat st;
	json_error_t je;
	json_t *root;
	int ret = -1;

	if ((c.fp = fopen(path, "rb")) == NULL) {
		snprintf(err, errsz, "cannot open the export");
		return -1;
	}
	if (f == IMPORT_REMARK42) {
		ret = remark42_file(&l, c.fp);
		json_decref(l.emails);
	} else if (fstat(fileno(c.fp), &st) == 0 &&
	           (unsigned long long)st.st_size > IMPORT_JSON_MAX) {
		too_large(err, errsz);
	} else {
		root = json_load_callback(capped_read, &c, JSON_FLAGS, &je);
		if (c.over) {
			json_decref(root);
			too_large(err, errsz);
		} else if (root == NULL && ferror(c.fp)) {
			snprintf(err, errsz, "cannot read the export");
		} else {
			ret = read_doc(f, root, &je, s, err, errsz);
		}
	}
	fclose(c.fp);
	return ret;
}

int
import_json_read_mem(enum import_format f, const char *buf, size_t len,
                     struct import_sink *s, char *err, size_t errsz)
{
	struct lines l = {s, 0, 0, NULL, err, errsz};
	json_error_t je;
	int ret;

	if (f == IMPORT_REMARK42) {
		ret = remark42_mem(&l, buf, len);
		json_decref(l.emails);
		return ret;
	}
	if (len > IMPORT_JSON_MAX) {
		too_large(err, errsz);
		return -1;
	}
	return read_doc(f, json_loadb(buf, len, JSON_FLAGS, &je), &je, s, err,
	                errsz);
}
