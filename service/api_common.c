/*
 * api_common.c: what several handlers need: the site of a request,
 * article keys, Retry-After.
 */
#include <time.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "bandoc_limits.h"
#include "app.h"
#include "config.h"
#include "http.h"
#include "storage.h"
#include "text.h"

const struct config_site *
api_site(struct http_req *req)
{
	const char *id = http_req_arg(req, "site");
	const struct config *cfg = http_req_app(req)->cfg;
	const struct config_site *site;

	if (id == NULL || *id == '\0')
		site = cfg->nsites == 1 ? &cfg->sites[0] : NULL;
	else
		site = config_site_find(cfg, id);
	if (site == NULL)
		http_reply_error(req, 400, "unknown_site",
		                 "No such site is configured.");
	return site;
}

void
api_retry_after(struct http_req *req, long seconds)
{
	char v[32];

	snprintf(v, sizeof(v), "%ld", seconds);
	http_reply_header(req, "Retry-After", v);
}

const char *
api_article(struct http_req *req, const struct config_site *site,
            const char *name)
{
	const char *key = http_req_arg(req, name);

	if (!text_article_key_ok(key, key != NULL ? http_req_arg_len(req, name)
	                                          : 0) ||
	    (site->has_article_re &&
	     regexec(&site->article_re, key, 0, NULL, 0) != 0)) {
		http_reply_error(
		    req, 400, "invalid_article",
		    "The article key must be 1-200 bytes without control "
		    "characters (and match the site's pattern).");
		return NULL;
	}
	return key;
}

int
api_url_of_site(struct http_req *req, const struct config_site *site,
                const char *url)
{
	return config_url_of_site(site, http_self_origin(req), url);
}

json_t *
api_iso_time(long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char b[32];

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL)
		return json_null();
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(b);
}
