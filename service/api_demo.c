/*
 * api_demo.c: GET / (the demo article page), GET /static/:file (the
 * embedded stylesheets and scripts) and the widget, GET /embed.js and
 * GET /embed.HASH.js.
 */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "app.h"
#include "assets.h"
#include "buf.h"
#include "config.h"
#include "embed.h"
#include "http.h"
#include "bandoc_limits.h"
#include "views.h"

#define MAX_DEMO_PAGE (512 * 1024)

void
api_demo_page(struct http_req *req)
{
	struct app *app = http_req_app(req);
	const struct app_demo *d = app->demo;
	const struct config_site *site = &app->cfg->sites[0];
	struct buf b;
	char *html;
	size_t i, len;
	long long views;

	if (d == NULL) {
		http_reply_error(
		    req, 404, "not_found",
		    "This daemon serves no demo page (set demo_article).");
		return;
	}
	buf_init(&b, MAX_DEMO_PAGE);
	buf_adds(&b, "<!doctype html>\n<html lang=\"vi\"><head>"
	             "<meta charset=\"utf-8\">"
	             "<meta name=\"viewport\" content=\"width=device-width, "
	             "initial-scale=1\"><title>");
	buf_add_html(&b, d->title);
	/* The daemon's own pages link the hashed names: cached for a
	 * year, and a new release is a new name. */
	buf_adds(&b, "</title><link rel=\"stylesheet\" href=\"/static/");
	buf_adds(&b, assets_hashed("demo.css"));
	buf_adds(&b, "\"></head><body><header class=\"site\"><a href=\"/\">");
	buf_add_html(&b, site->name);
	buf_adds(&b, "</a></header><main><article><h1>");
	buf_add_html(&b, d->title);
	buf_adds(&b, "</h1><p class=\"meta\"><time>");
	buf_add_html(&b, d->date);
	buf_adds(&b, "</time><a href=\"/?print\" class=\"print\">In trang</a>"
	             "</p>");
	for (i = 0; i < d->nparagraphs; i++) {
		buf_adds(&b, "<p>");
		buf_add_html(&b, d->paragraphs[i]);
		buf_adds(&b, "</p>\n");
	}
	/* The view counter and the comments: embed.js fills them in; the
	 * count is also printed here, and without JavaScript the pixel
	 * counts the view and the iframe carries the comments. */
	if (views_total(app->views, app_reader(app), site->id, "demo",
	                &views) != 0)
		views = 0;
	buf_adds(&b, "<p class=\"views\" id=\"views\">Lượt xem: <span "
	             "data-bandoc-views data-site=\"");
	buf_add_html(&b, site->id);
	buf_addf(&b, "\" data-article=\"demo\">%lld</span></p>", views);
	buf_adds(&b, "<noscript><img class=\"pixel\" src=\"/v.gif?site=");
	buf_add_html(&b, site->id);
	buf_adds(&b, "&amp;article=demo\" alt=\"\" width=\"1\" height=\"1\">"
	             "</noscript></article>"
	             "<section class=\"comments\" id=\"comments\">"
	             "<h2>Góp ý của bạn đọc</h2><div data-bandoc-comments "
	             "data-site=\"");
	buf_add_html(&b, site->id);
	buf_adds(&b, "\" data-article=\"demo\" data-lang=\"vi\"></div>"
	             "<noscript><iframe class=\"comments-frame\" title=\"Góp ý "
	             "của bạn đọc\" src=\"/embed/comments?site=");
	buf_add_html(&b, site->id);
	buf_adds(&b, "&amp;article=demo&amp;lang=vi\"></iframe></noscript>"
	             "<p class=\"nojs-link\"><a href=\"/embed/comments?site=");
	buf_add_html(&b, site->id);
	buf_adds(&b,
	         "&amp;article=demo&amp;lang=vi\">Trang góp ý không cần "
	         "JavaScript</a></p>"
	         "</section></main><footer>bandoc demo</footer>\n"
	         "<!-- embed.HASH.js: this release, cached for a year, for "
	         "templates that follow releases (/api/v1/version names it)."
	         " To paste once: <script src=\"https://BANDOC/embed.js\" "
	         "async></script> (docs/widget.md) -->\n<script src=\"/");
	buf_adds(&b, assets_hashed("embed.js"));
	buf_adds(&b, "\" async></script></body></html>\n");
	if ((html = buf_take(&b, &len)) == NULL) {
		http_reply_error(req, 500, "out_of_memory",
		                 "The page is too large.");
		return;
	}
	http_reply_html(req, 200, html, len, NULL);
	free(html);
}

/*
 * Replies with web/NAME (stable or hashed, assets_find) in the
 * representation assets_pick() chooses: the gzip bytes made at build
 * time when Accept-Encoding takes them. Both representations carry
 * Vary: Accept-Encoding and their own strong ETag; a matching
 * If-None-Match gets a 304 with the same headers and no body.
 */
static void
serve(struct http_req *req, const char *name)
{
	const struct embed_file *f;
	struct assets_rep rep;
	enum assets_kind kind = assets_find(name, &f);
	char current[4 + MAX_ASSET_NAME + 16];

	if (kind == ASSETS_NONE) {
		http_reply_error(req, 404, "not_found", "No such file.");
		return;
	}
	if (kind == ASSETS_STALE) {
		/* A template that names an earlier release's file: the
		 * bytes it promises are gone (see docs/widget.md). */
		snprintf(current, sizeof(current), "%s%s",
		         strcmp(f->name, "web/embed.js") == 0 ? "/"
		                                              : "/static/",
		         f->hashed + 4);
		http_reply_error_extra(
		    req, 404, "not_found",
		    "No such version of this file (bandoc was upgraded): link "
		    "the current one, or the stable name.",
		    json_pack("{s:s}", "current", current));
		return;
	}
	assets_pick(f, kind, http_req_header(req, "Accept-Encoding"), &rep);
	if (http_etag_match(http_req_header(req, "If-None-Match"), rep.etag)) {
		http_reply_not_modified(req, rep.len);
	} else {
		http_reply_bytes(req, 200, rep.content_type, rep.data, rep.len,
		                 1);
		if (rep.encoding != NULL)
			http_reply_header(req, "Content-Encoding",
			                  rep.encoding);
	}
	http_reply_header(req, "ETag", rep.etag);
	http_reply_header(req, "Cache-Control", rep.cache_control);
	if (rep.vary)
		http_reply_header(req, "Vary", "Accept-Encoding");
	/* Pages on the sites' origins load these. */
	http_reply_header(req, "Access-Control-Allow-Origin", "*");
	http_reply_header(req, "Cross-Origin-Resource-Policy", "cross-origin");
}

void
api_demo_static(struct http_req *req)
{
	const char *file = http_req_param(req, "file");

	if (file == NULL || strlen(file) > MAX_ASSET_NAME ||
	    strchr(file, '/') != NULL || file[0] == '.') {
		http_reply_error(req, 404, "not_found", "No such file.");
		return;
	}
	serve(req, file);
}

void
api_demo_embed_js(struct http_req *req)
{
	/* The URL sites paste: a stable name, short caching (assets.c). */
	serve(req, "embed.js");
}

void
api_demo_embed_hashed(struct http_req *req)
{
	const char *tail = http_req_param(req, "file");
	const struct embed_file *f;
	char name[MAX_ASSET_NAME + 1];
	int n;

	/* /embed.HASH.js, for templates that follow each release: only
	 * embed.js's own hashed names (the rest lives under /static/). */
	n = snprintf(name, sizeof(name), "embed.%s", tail != NULL ? tail : "");
	if (tail == NULL || n < 0 || (size_t)n >= sizeof(name) ||
	    assets_find(name, &f) == ASSETS_STABLE || f == NULL ||
	    strcmp(f->name, "web/embed.js") != 0) {
		http_reply_error(req, 404, "not_found",
		                 "There is nothing at this address.");
		return;
	}
	serve(req, name);
}
