/*
 * api_common.c: what several handlers need: the site of a request,
 * article keys, Retry-After.
 */
#include <time.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

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

int
api_article_key_ok(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len == 0 || len > MAX_ARTICLE_KEY ||
	    strlen(s) != len || !text_utf8_valid(s, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

const char *
api_article(struct http_req *req, const struct config_site *site,
            const char *name)
{
	const char *key = http_req_arg(req, name);

	if (!api_article_key_ok(key, key != NULL ? http_req_arg_len(req, name)
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

/* 1 when url starts with origin followed by '/', '?', '#' or its end. */
static int
url_on(const char *url, const char *origin)
{
	size_t n = strlen(origin);

	return strncasecmp(url, origin, n) == 0 &&
	       (url[n] == '\0' || url[n] == '/' || url[n] == '?' ||
	        url[n] == '#');
}

int
api_url_of_site(struct http_req *req, const struct config_site *site,
                const char *url)
{
	size_t i;

	if (url_on(url, http_self_origin(req)))
		return 1;

	for (i = 0; i < site->norigins; i++)
		if (url_on(url, site->origins[i]))
			return 1;
	return 0;
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
