/*
 * api_views.c: POST /api/v1/views, GET /api/v1/views, GET /v.gif,
 * GET /api/v1/views/top, GET /api/v1/counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api.h"
#include "app.h"
#include "bandoc_limits.h"
#include "config.h"
#include "http.h"
#include "storage.h"
#include "text.h"
#include "views.h"

/* A transparent 1x1 GIF. */
static const unsigned char pixel[] = {
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80,
    0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x21, 0xf9, 0x04,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};

static int
is_prefetch(struct http_req *req)
{
	const char *a = http_req_header(req, "Sec-Purpose");
	const char *b = http_req_header(req, "Purpose");
	const char *c = http_req_header(req, "X-Moz");

	return (a != NULL && strcasestr(a, "prefetch") != NULL) ||
	       (b != NULL && strcasestr(b, "prefetch") != NULL) ||
	       (c != NULL && strcasestr(c, "prefetch") != NULL);
}

/* Counts a view; returns the result and the total, replying on errors
 * (then returns VIEWS_ERROR or VIEWS_NEW_LIMIT with a reply staged). */
static enum views_result
count(struct http_req *req, const struct config_site *site, const char *article,
      int origin_ok, long long *total)
{
	struct app *app = http_req_app(req);
	unsigned char addr[16];
	struct views_hit hit;
	enum views_result r;
	const char *title = http_req_arg(req, "title");
	const char *url = http_req_arg(req, "url");

	memset(&hit, 0, sizeof(hit));
	http_req_client_bin(req, &hit.family, addr);
	hit.addr = addr;
	hit.site = site;
	hit.article = article;
	/* Bounded metadata only; the URL must be on one of the site's
	 * origins to be kept. */
	hit.title =
	    title != NULL && strlen(title) <= STORAGE_MAX_TITLE ? title : NULL;
	hit.url = url != NULL && strlen(url) <= STORAGE_MAX_URL &&
	                  api_url_of_site(req, site, url)
	              ? url
	              : NULL;
	hit.user_agent = http_req_header(req, "User-Agent");
	hit.prefetch = is_prefetch(req);
	hit.origin_ok = origin_ok;
	r = views_hit(app->views, app_reader(app), &hit, time(NULL), total);
	if (r == VIEWS_NEW_LIMIT) {
		http_reply_error(
		    req, 429, "rate_limited",
		    "Too many new articles from this client; try again later.");
		api_retry_after(req, 60);
	} else if (r == VIEWS_ERROR)
		http_reply_error(
		    req, 503, "unavailable",
		    "The view counter is unavailable; try again later.");
	return r;
}

void
api_views_post(struct http_req *req)
{
	const struct config_site *site = api_site(req);
	const char *article;
	enum views_result r;
	long long total;
	char body[64];
	int n;

	if (site == NULL ||
	    (article = api_article(req, site, "article")) == NULL)
		return;
	r = count(req, site, article, http_req_origin_allowed(req, site),
	          &total);
	if (r == VIEWS_ERROR || r == VIEWS_NEW_LIMIT)
		return;
	/* The hottest reply of all: formatted directly, not through
	 * jansson (two numbers, no strings to escape). */
	n = snprintf(body, sizeof(body), "{\"views\":%lld,\"counted\":%s}",
	             total, r == VIEWS_COUNTED ? "true" : "false");
	http_reply_bytes(req, 200, "application/json", body, (size_t)n, 0);
}

void
api_views_pixel(struct http_req *req)
{
	const struct config_site *site = api_site(req);
	const char *article;
	long long total;
	int origin_ok;

	if (site == NULL ||
	    (article = api_article(req, site, "article")) == NULL)
		return;
	/* Pages without JavaScript often send no Referer (their policy);
	 * one that names a foreign origin is not counted. */
	origin_ok = (http_req_header(req, "Origin") == NULL &&
	             http_req_header(req, "Referer") == NULL) ||
	            http_req_origin_allowed(req, site);
	switch (count(req, site, article, origin_ok, &total)) {
	case VIEWS_ERROR:
	case VIEWS_NEW_LIMIT:
		return;
	default:
		break;
	}
	http_reply_bytes(req, 200, "image/gif", pixel, sizeof(pixel), 1);
}

void
api_views_get(struct http_req *req)
{
	struct app *app = http_req_app(req);
	const struct config_site *site = api_site(req);
	const char *article;
	long long total;

	if (site == NULL ||
	    (article = api_article(req, site, "article")) == NULL)
		return;
	if (views_total(app->views, app_reader(app), site->id, article,
	                &total) != 0) {
		http_reply_error(
		    req, 503, "unavailable",
		    "The view counter is unavailable; try again later.");
		return;
	}
	http_reply_json(req, 200,
	                json_pack("{s:I}", "views", (json_int_t)total));
}

void
api_views_top(struct http_req *req)
{
	struct app *app = http_req_app(req);
	const struct config_site *site = api_site(req);
	const char *period = http_req_arg(req, "period");
	const char *lim = http_req_arg(req, "limit");
	struct storage_top *rows = NULL;
	struct storage *rd;
	long long since, today;
	long long limit = 10;
	json_t *arr;
	int n = 0, i;

	if (site == NULL)
		return;
	if (lim != NULL) {
		if (config_parse_ll(lim, 1, VIEWS_MAX_TOP, &limit) != 0) {
			http_reply_error(
			    req, 400, "invalid_limit",
			    "limit must be 1.." LIMIT_STR(VIEWS_MAX_TOP) ".");
			return;
		}
	}
	today = views_day(app->views, time(NULL));
	if (period == NULL || strcmp(period, "all") == 0)
		since = -1;
	else if (strcmp(period, "day") == 0)
		since = today;
	else if (strcmp(period, "week") == 0)
		since = today - 6;
	else if (strcmp(period, "month") == 0)
		since = today - 29;
	else {
		http_reply_error(req, 400, "invalid_period",
		                 "period must be day, week, month or all.");
		return;
	}
	rows = calloc((size_t)limit, sizeof(*rows));
	if (rows == NULL || (rd = app_reader(app)) == NULL ||
	    storage_views_top(rd, site->id, since, (int)limit, rows, &n) != 0) {
		free(rows);
		http_reply_error(req, 503, "unavailable",
		                 "The most-read list is unavailable.");
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(
		    arr,
		    json_pack("{s:s, s:s, s:s, s:I}", "article", rows[i].key,
		              "title", rows[i].title, "url", rows[i].url,
		              "views", (json_int_t)rows[i].views));
	free(rows);
	http_reply_json(req, 200, arr);
	http_reply_header(req, "Cache-Control", "public, max-age=60");
}

static void
count_row(void *arg, const char *key, long long views, long long comments)
{
	json_t *o = json_object_get(arg, key);

	if (o != NULL) {
		json_object_set_new(o, "views", json_integer(views));
		json_object_set_new(o, "comments", json_integer(comments));
	}
}

void
api_counts(struct http_req *req)
{
	struct app *app = http_req_app(req);
	const struct config_site *site = api_site(req);
	const char *list = http_req_arg(req, "articles"), *p, *key;
	const char *keys[STORAGE_MAX_COUNT_KEYS];
	json_t *out, *v;
	struct storage *rd;
	char k[MAX_ARTICLE_KEY + 1];
	size_t nkeys = 0;
	int n = 0;

	if (site == NULL)
		return;
	if (list == NULL || *list == '\0') {
		http_reply_error(
		    req, 400, "invalid_fields",
		    "articles is a comma-separated list of 1-" LIMIT_STR(
		        VIEWS_MAX_COUNT_KEYS) " keys.");
		return;
	}
	out = json_object();
	for (p = list; *p != '\0';) {
		size_t len = strcspn(p, ",");

		if (++n > VIEWS_MAX_COUNT_KEYS || len == 0 ||
		    len > MAX_ARTICLE_KEY) {
			json_decref(out);
			http_reply_error(
			    req, 400, "invalid_fields",
			    "articles is a comma-separated list of "
			    "1-" LIMIT_STR(
			        VIEWS_MAX_COUNT_KEYS) " "
			                              "keys of 1-" LIMIT_STR(
			                                  MAX_ARTICLE_KEY) " by"
			                                                   "tes"
			                                                   ".");
			return;
		}
		memcpy(k, p, len);
		k[len] = '\0';
		p += len + (p[len] == ',');
		if (!text_article_key_ok(k, len))
			continue;
		json_object_set_new(
		    out, k, json_pack("{s:i, s:i}", "comments", 0, "views", 0));
	}
	/* The keys, each once, are out's (borrowed while out lives: the
	 * counts change only its members' members). */
	json_object_foreach(out, key, v)
	{
		keys[nkeys++] = key;
	}
	/* Views not yet written come from memory. */
	if ((rd = app_reader(app)) == NULL ||
	    storage_counts(rd, site->id, keys, nkeys, count_row, out) != 0) {
		json_decref(out);
		http_reply_error(req, 503, "unavailable",
		                 "Counts are unavailable; try again.");
		return;
	}
	json_object_foreach(out, key, v)
	{
		long long views;

		if (views_cached(app->views, site, key, &views))
			json_object_set_new(v, "views", json_integer(views));
	}
	http_reply_json(req, 200, out);
	http_reply_header(req, "Cache-Control", "public, max-age=15");
}
