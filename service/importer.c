/*
 * importer.c: `bandocd import` (docs/import.md; importer.h).
 *
 * One pass over the export (import_read_file()): each comment is mapped
 * to an article key (import_article_key()), its text made plain
 * (import_plain_text()), its article stored once (storage_article_upsert,
 * its id kept in a tree), and the comment stored with its import_id
 * "SITE:FORMAT:ID" (storage_import_comment(): a second run adds
 * nothing). Writes go in transactions of IMPORT_BATCH comments, so the
 * fsyncs are few and a running daemon waits at most one batch; the last
 * step links the replies whose parent came later (storage_import_link()).
 * Memory stays bounded by the articles (two small trees), not by the
 * comments: the readers stream.
 *
 * A dry run reads and maps everything the same way and writes nothing.
 * The report: counts per article and status, the comments that could
 * not be read or mapped (the first IMPORT_REPORT_MAX with their ids),
 * and the unmapped addresses with their counts.
 */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sys/stat.h>

#include "app.h"
#include "bandoc_limits.h"
#include "comments.h"
#include "config.h"
#include "import.h"
#include "importer.h"
#include "storage.h"
#include "text.h"

#define IMPORT_BATCH      500 /* comments per transaction */
#define IMPORT_REPORT_MAX 100 /* problems listed by id */

/* bandoc's status for each of the import's (db/sqlite/0004). */
static const int status_of[] = {
    [IMPORT_APPROVED] = 1,
    [IMPORT_PENDING] = 0,
    [IMPORT_SPAM] = 3,
    [IMPORT_DELETED] = 4,
};

/* An article of the import: by key (mapped) or by address (unmapped). */
struct art {
	char *name;
	long long id;
	unsigned long long n[4]; /* comments by import_status */
};

struct run {
	const struct config_site *site;
	enum import_format format;
	const char *format_name;
	const struct import_map *map;
	struct storage *st; /* NULL on a dry run */
	FILE *out;
	void *arts, *unmapped_arts;
	unsigned long long narts, nunmapped_arts;
	unsigned long long stored, existing, unmapped, unreadable, problems;
	unsigned long long in_batch;
	int failed;
};

static int
art_cmp(const void *a, const void *b)
{
	return strcmp(((const struct art *)a)->name,
	              ((const struct art *)b)->name);
}

static void
art_free(void *p)
{
	struct art *a = p;

	free(a->name);
	free(a);
}

/* The entry of name in *tree, made when missing (NULL: out of memory). */
static struct art *
art_of(void **tree, const char *name, int *made)
{
	struct art key, *a, **found;

	key.name = (char *)name;
	*made = 0;
	if ((found = tfind(&key, tree, art_cmp)) != NULL)
		return *found;
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->name = strdup(name)) == NULL ||
	    (found = tsearch(a, tree, art_cmp)) == NULL) {
		if (a != NULL)
			art_free(a);
		return NULL;
	}
	*made = 1;
	return *found;
}

static void
note(struct run *r, const char *what, const char *id)
{
	if (r->problems++ < IMPORT_REPORT_MAX)
		fprintf(r->out, "  problem: %s%s%s\n", what,
		        id != NULL && *id != '\0' ? ": " : "",
		        id != NULL ? id : "");
}

static void
on_problem(void *arg, const char *what, const char *id)
{
	note(arg, what, id);
}

static int
is_html(enum import_format f)
{
	/* Disqus, WordPress and Remark42 keep HTML; Isso, Waline and Artalk
	 * keep the reader's Markdown, shown as the text it is. */
	return f == IMPORT_DISQUS || f == IMPORT_WXR || f == IMPORT_REMARK42;
}

/* Stores one comment (not on a dry run); 0, or -1 to stop the import. */
static int
store(struct run *r, struct art *a, const struct import_comment *c,
      const char *name, const char *email, const char *body)
{
	struct storage_import_comment row;
	char import_id[MAX_SITE_NAME + IMPORT_ID_MAX + 32];
	char parent[sizeof(import_id)];
	char *search;
	long long id;
	enum storage_result sr;

	snprintf(import_id, sizeof(import_id), "%s:%s:%s", r->site->id,
	         r->format_name, c->source_id);
	parent[0] = '\0';
	if (c->parent_id[0] != '\0')
		snprintf(parent, sizeof(parent), "%s:%s:%s", r->site->id,
		         r->format_name, c->parent_id);
	if ((search = comments_search_text(name, email, body)) == NULL)
		return -1;
	memset(&row, 0, sizeof(row));
	row.article_id = a->id;
	row.import_id = import_id;
	row.import_parent = parent;
	row.status = status_of[c->status];
	row.name = name;
	row.email = email;
	row.body = body;
	row.search = search;
	row.created_at = c->created_at;
	crypto_generichash(row.body_hash, sizeof(row.body_hash),
	                   (const unsigned char *)body, strlen(body), NULL, 0);
	if (r->in_batch == 0 && storage_begin(r->st) != 0) {
		free(search);
		return -1;
	}
	sr = storage_import_comment(r->st, &row, &id);
	free(search);
	if (sr == STORAGE_ERROR)
		return -1;
	if (sr == STORAGE_EXISTS)
		r->existing++;
	else
		r->stored++;
	if (++r->in_batch == IMPORT_BATCH) {
		if (storage_commit(r->st) != 0)
			return -1;
		r->in_batch = 0;
	}
	return 0;
}

static int
on_comment(void *arg, const struct import_comment *c)
{
	struct run *r = arg;
	char key[MAX_ARTICLE_KEY + 1];
	char *name = NULL, *body = NULL;
	const char *email = c->email;
	struct art *a;
	int made, ret = 0;

	if (import_article_key(r->site, r->map, c->url, c->thread_id, key,
	                       sizeof(key)) != 0) {
		r->unmapped++;
		if ((a = art_of(&r->unmapped_arts,
		                c->url[0] != '\0' ? c->url : c->thread_id,
		                &made)) == NULL)
			return -1;
		r->nunmapped_arts += (unsigned long long)made;
		a->n[c->status]++;
		return 0;
	}
	name =
	    import_plain_text(c->name, is_html(r->format), 0, IMPORT_NAME_MAX);
	body =
	    import_plain_text(c->body, is_html(r->format), 1, IMPORT_BODY_MAX);
	if (name == NULL || body == NULL) {
		note(r, "comment text or name not UTF-8 or too long",
		     c->source_id);
		r->unreadable++;
		goto done;
	}
	if (*name == '\0') {
		free(name);
		if ((name = strdup(strcmp(r->site->lang, "en") == 0
		                       ? "Reader"
		                       : "Bạn đọc")) == NULL) {
			ret = -1;
			goto done;
		}
	}
	if (*email != '\0' && !text_email_ok(email)) {
		note(r, "e-mail address not kept (not one)", c->source_id);
		email = "";
	}
	if ((a = art_of(&r->arts, key, &made)) == NULL) {
		ret = -1;
		goto done;
	}
	r->narts += (unsigned long long)made;
	if (made && r->st != NULL &&
	    storage_article_upsert(r->st, r->site->id, key, c->title, c->url,
	                           c->created_at, &a->id) != 0) {
		ret = -1;
		goto done;
	}
	a->n[c->status]++;
	if (r->st != NULL && store(r, a, c, name, email, body) != 0)
		ret = -1;
done:
	free(name);
	free(body);
	if (ret != 0)
		r->failed = 1;
	return ret;
}

/* Where print_art() writes (twalk() passes no argument). */
static FILE *walk_out;

static void
print_art(const void *node, VISIT v, int depth)
{
	const struct art *a = *(const struct art *const *)node;

	(void)depth;
	if (v != postorder && v != leaf)
		return;
	fprintf(walk_out,
	        "  %s: %llu approved, %llu pending, %llu spam, %llu "
	        "deleted\n",
	        a->name, a->n[IMPORT_APPROVED], a->n[IMPORT_PENDING],
	        a->n[IMPORT_SPAM], a->n[IMPORT_DELETED]);
}

int
importer_run(const struct config *cfg, const struct importer_options *o,
             FILE *out)
{
	struct run r;
	struct import_counts n;
	struct storage_conf sc;
	struct import_map *map = NULL;
	char err[512], prefix[MAX_SITE_NAME + 32], *db = NULL;
	long long linked = 0, orphans = 0;
	int rc, ret = 1;

	memset(&r, 0, sizeof(r));
	r.out = out;
	r.format = o->format;
	r.format_name = import_format_name(o->format);
	if ((r.site = config_site_find(cfg, o->site)) == NULL) {
		fprintf(stderr, "import: no site '%s' in the configuration\n",
		        o->site);
		return 2;
	}
	if (o->map_path != NULL &&
	    (map = import_map_load(o->map_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "import: %s\n", err);
		return 1;
	}
	if (map == NULL && !r.site->has_article_url_re) {
		fprintf(stderr,
		        "import: site '%s' has no article_url_pattern; give "
		        "--map FILE (docs/import.md)\n",
		        r.site->id);
		return 2;
	}
	r.map = map;
	if (!o->dry_run) {
		if ((db = config_db_path(cfg)) == NULL)
			goto done;
		/* As `bandocd user` does: an import may come first. */
		if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
			fprintf(stderr, "import: cannot create %s\n",
			        cfg->data_dir);
			goto done;
		}
		app_storage_conf(cfg, db, &sc);
		if ((r.st = storage_open(&sc, err, sizeof(err))) == NULL) {
			fprintf(stderr, "import: %s\n", err);
			goto done;
		}
	}
	fprintf(out, "import%s: %s export %s into site %s\n",
	        o->dry_run ? " (dry run, nothing written)" : "", r.format_name,
	        o->input, r.site->id);
	rc = import_read_file(o->format, o->input, on_comment, on_problem, &r,
	                      &n, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "import: %s\n", err);
	if (r.st != NULL && !r.failed && rc == 0) {
		snprintf(prefix, sizeof(prefix), "%s:%s:", r.site->id,
		         r.format_name);
		if ((r.in_batch == 0 && storage_begin(r.st) != 0) ||
		    storage_import_link(r.st, prefix, &linked, &orphans) != 0 ||
		    storage_commit(r.st) != 0)
			r.failed = 1;
		r.in_batch = 0;
	}
	if (r.st != NULL && r.in_batch > 0)
		(void)storage_rollback(r.st); /* only after a failure */
	if (r.failed) {
		fprintf(stderr, "import: stopped on a storage error; the "
		                "batches before it are stored, and running the "
		                "import again goes on from there\n");
		goto done;
	}
	walk_out = out;
	if (r.arts != NULL)
		fprintf(out, "articles (%llu):\n", r.narts);
	twalk(r.arts, print_art);
	if (r.unmapped_arts != NULL) {
		fprintf(out,
		        "not mapped to an article, not imported (%llu "
		        "addresses, %llu comments):\n",
		        r.nunmapped_arts, r.unmapped);
		twalk(r.unmapped_arts, print_art);
	}
	fprintf(out,
	        "comments: %llu read, %llu %s, %llu already there, %llu not "
	        "mapped, %llu skipped (the problems above), %llu not comments "
	        "(pingbacks)\n",
	        n.comments + n.problems + n.skipped,
	        o->dry_run ? n.comments - r.unmapped - r.unreadable : r.stored,
	        o->dry_run ? "would be imported" : "imported", r.existing,
	        r.unmapped, n.problems + r.unreadable, n.skipped);
	if (!o->dry_run)
		fprintf(out,
		        "replies linked to a later parent: %lld; replies whose "
		        "parent is not in the export, kept top-level: %lld\n",
		        linked, orphans);
	ret = rc == 0 ? 0 : 1;
done:
	if (r.st != NULL)
		storage_close(r.st);
	free(db);
	tdestroy(r.arts, art_free);
	tdestroy(r.unmapped_arts, art_free);
	import_map_free(map);
	return ret;
}
