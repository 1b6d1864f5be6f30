/*
 * api_comments.c: POST /api/v1/comments (the HTTP side of the
 * submission pipeline in comments.c) and GET /api/v1/comments.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "app.h"
#include "comments.h"
#include "config.h"
#include "http.h"
#include "bandoc_limits.h"
#include "pagecache.h"
#include "storage.h"

/* --- the HTTP side of a submission (JSON API and no-JS form) --- */

/* A text argument with its length (it may hold NUL bytes). */
static struct comment_text
text_arg(struct http_req *req, const char *name)
{
	struct comment_text t;

	t.s = http_req_arg(req, name);
	t.len = t.s != NULL ? http_req_arg_len(req, name) : 0;
	return t;
}

/* The request, parsed once for the pipeline. Borrows from req. */
static void
input_from(struct http_req *req, struct comment_input *in)
{
	const struct config *cfg = http_req_app(req)->cfg;
	struct comment_text t;

	memset(in, 0, sizeof(*in));
	in->site = comments_site(cfg, http_req_arg(req, "site"));
	in->lang = comments_lang(http_req_arg(req, "lang"), in->site);
	in->article = text_arg(req, "article");
	in->name = text_arg(req, "name");
	in->email = text_arg(req, "email");
	in->body = text_arg(req, "body");
	in->title = text_arg(req, "article_title");
	in->url = text_arg(req, "article_url");
	in->parent_id = http_req_arg(req, "parent_id");
	t = text_arg(req, "captcha_token");
	in->captcha.token = t.s;
	in->captcha.tlen = t.len;
	t = text_arg(req, "captcha_answer");
	in->captcha.answer = t.s;
	in->captcha.alen = t.len;
	t = text_arg(req, "altcha");
	in->captcha.pow = t.s;
	in->captcha.plen = t.len;
	in->honeypot = http_req_arg(req, "website");
	in->user_agent = http_req_header(req, "User-Agent");
	http_req_client_bin(req, &in->family, in->addr);
	in->origin_allowed =
	    in->site != NULL && http_req_origin_allowed(req, in->site);
	in->self_origin = http_self_origin(req);
	in->now = time(NULL);
}

/* A submission in the writer: who to answer, and how. */
struct submit_ctx {
	struct http_req *req;
	api_comment_finish_fn *finish;
	struct comment_sub *sub;
};

/* On the HTTP thread, resumed: the reply from what the writer recorded. */
static void
resumed(struct http_req *req, void *arg)
{
	struct submit_ctx *c = arg;
	const struct comment_error *err;
	long long id;
	int approved;

	err = comments_sub_result(c->sub, &id, &approved);
	c->finish(req, c->sub, err, id, approved);
	comments_sub_free(c->sub);
	free(c);
}

/* On the writer thread: hands the request back, nothing else. */
static void
written(struct comment_sub *sub, void *arg)
{
	struct submit_ctx *c = arg;

	(void)sub;
	http_req_resume_with(c->req, resumed, c);
}

int
api_comments_submit(struct http_req *req, api_comment_finish_fn *finish,
                    struct comment_error *err)
{
	struct app *app = http_req_app(req);
	struct comment_input in;
	struct comment_sub *sub;
	struct submit_ctx *c;

	input_from(req, &in);
	if ((sub = comments_check(app, &in, err)) == NULL)
		return -1;
	if ((c = malloc(sizeof(*c))) == NULL) {
		comments_sub_free(sub);
		memset(err, 0, sizeof(*err));
		err->status = 503;
		err->code = "unavailable";
		snprintf(err->message, sizeof(err->message), "%s",
		         comments_msg(in.lang, "unavailable"));
		return -1;
	}
	c->req = req;
	c->finish = finish;
	c->sub = sub;
	http_req_suspend(req);
	if (comments_store(app, sub, written, c, err) != 0) {
		http_req_unsuspend(req);
		comments_sub_free(sub);
		free(c);
		return -1;
	}
	return 0;
}

/* --- JSON API --- */

static void
reply_error(struct http_req *req, const struct comment_error *e)
{
	json_t *extra = NULL;

	if (e->fields != NULL)
		extra = json_pack("{s:O}", "fields", e->fields);
	http_reply_error_extra(req, e->status, e->code, e->message, extra);
	if (e->retry_after > 0)
		api_retry_after(req, e->retry_after);
}

static void
json_finish(struct http_req *req, const struct comment_sub *s,
            const struct comment_error *err, long long id, int approved)
{
	const char *lang =
	    comments_lang(http_req_arg(req, "lang"), comments_sub_site(s));

	if (err != NULL)
		reply_error(req, err);
	else
		/* Honeypot and spam get the same reply as a pending one. */
		http_reply_json(
		    req, 202,
		    json_pack(
		        "{s:I, s:s, s:s}", "id", (json_int_t)id, "status",
		        approved ? "approved" : "pending", "message",
		        comments_msg(lang, approved ? "approved" : "pending")));
}

void
api_comments_post(struct http_req *req)
{
	struct comment_error err;

	if (api_comments_submit(req, json_finish, &err) == 0)
		return;
	reply_error(req, &err);
	json_decref(err.fields);
}

struct list_ctx {
	json_t *top; /* array of top-level comments */
	int failed;
};

static void
list_row(void *arg, const struct storage_public_comment *c)
{
	struct list_ctx *l = arg;
	json_t *o = json_object(), *reply = json_null();
	size_t i;

	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "parent_id",
	                    c->parent_id > 0 ? json_integer(c->parent_id)
	                                     : json_null());
	json_object_set_new(o, "name", json_string(c->name ? c->name : ""));
	json_object_set_new(o, "body", json_string(c->body ? c->body : ""));
	json_object_set_new(o, "created_at", api_iso_time(c->created_at));
	if (c->reply_body != NULL && c->reply_body[0] != '\0') {
		json_decref(reply);
		reply = json_pack("{s:s, s:s, s:o}", "name",
		                  c->reply_name ? c->reply_name : "", "body",
		                  c->reply_body, "created_at",
		                  api_iso_time(c->reply_at));
	}
	json_object_set_new(o, "reply", reply);
	if (c->root_id == 0) {
		json_object_set_new(o, "replies", json_array());
		json_array_append_new(l->top, o);
		return;
	}
	/* A reply: attach to its thread when the thread is on the page. */
	for (i = 0; i < json_array_size(l->top); i++) {
		json_t *t = json_array_get(l->top, i);

		if (json_integer_value(json_object_get(t, "id")) ==
		    c->root_id) {
			json_array_append_new(json_object_get(t, "replies"), o);
			return;
		}
	}
	json_decref(o);
}

json_t *
api_comments_public_json(struct storage *rd, const struct config_site *site,
                         const char *article, long long page, long long per)
{
	struct list_ctx l = {NULL, 0};
	long long total, threads;

	if (rd == NULL ||
	    (total = storage_comment_count(rd, site->id, article, 0)) < 0 ||
	    (threads = storage_comment_count(rd, site->id, article, 1)) < 0)
		return NULL;
	l.top = json_array();
	if (storage_comments_public(rd, site->id, article,
	                            strcmp(site->comments_order, "newest") == 0,
	                            (page - 1) * per, (int)per, list_row,
	                            &l) != 0) {
		json_decref(l.top);
		return NULL;
	}
	/* total: every approved comment, replies included (the count
	 * readers see); a page holds per_page threads with their replies,
	 * so pages counts threads, which are given too. */
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "total",
	                 (json_int_t)total, "threads", (json_int_t)threads,
	                 "page", (json_int_t)page, "per_page", (json_int_t)per,
	                 "pages", (json_int_t)((threads + per - 1) / per),
	                 "comments", l.top);
}

/* The JSON text of a page of an article's comments and its entity tag,
 * from the page cache or built (and cached). NULL with the reply staged. */
static char *
list_page(struct http_req *req, const struct config_site *site,
          const char *article, long long page, long long per, size_t *len,
          char *etag, size_t etagsz)
{
	struct app *app = http_req_app(req);
	struct storage *rd = app_reader_fresh(app);
	unsigned long long gen = pagecache_generation(app->pages);
	unsigned char h[16];
	char key[MAX_SITE_NAME + MAX_ARTICLE_KEY + 64], *text;
	json_t *body;

	snprintf(key, sizeof(key), "list\n%s\n%s\n%lld\n%lld", site->id,
	         article, page, per);
	if ((text = pagecache_get(app->pages, key, len, etag, etagsz)) != NULL)
		return text;
	if ((body = api_comments_public_json(rd, site, article, page, per)) ==
	    NULL) {
		http_reply_error(req, 503, "unavailable",
		                 "Comments are unavailable; try again.");
		return NULL;
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (text == NULL) {
		http_reply_error(req, 500, "out_of_memory", "Out of memory.");
		return NULL;
	}
	*len = strlen(text);
	crypto_generichash(h, sizeof(h), (unsigned char *)text, *len, NULL, 0);
	etag[0] = '"';
	sodium_bin2hex(etag + 1, 33, h, sizeof(h));
	etag[33] = '"';
	etag[34] = '\0';
	pagecache_put(app->pages, gen, key, text, *len, etag);
	return text;
}

void
api_comments_list(struct http_req *req)
{
	const struct config_site *site = api_site(req);
	const char *article, *p = http_req_arg(req, "page");
	const char *pp = http_req_arg(req, "per_page");
	long long page = 1, per = 20;
	char etag[PAGE_CACHE_TAG_MAX], *text;
	size_t len;

	if (site == NULL ||
	    (article = api_article(req, site, "article")) == NULL)
		return;
	if (p != NULL && config_parse_ll(p, 1, MAX_PAGE_NUMBER, &page) != 0) {
		http_reply_error(req, 400, "invalid_page",
		                 "page must be >= 1.");
		return;
	}
	if (pp != NULL && config_parse_ll(pp, 1, MAX_PER_PAGE, &per) != 0) {
		http_reply_error(
		    req, 400, "invalid_per_page",
		    "per_page must be 1.." LIMIT_STR(MAX_PER_PAGE) ".");
		return;
	}
	if ((text = list_page(req, site, article, page, per, &len, etag,
	                      sizeof(etag))) == NULL)
		return;
	if (http_etag_match(http_req_header(req, "If-None-Match"), etag))
		http_reply_not_modified(req, len);
	else
		http_reply_bytes(req, 200, "application/json", text, len, 0);
	free(text);
	http_reply_header(req, "ETag", etag);
	http_reply_header(req, "Cache-Control", "public, max-age=5");
}
