/*
 * assets.c: the embedded web files as they are served. In the order a
 * request meets them:
 *
 * 1. assets_find():        the requested name: stable ("embed.js") or
 *                          hashed ("embed.0123456789ab.js"), whose hash
 *                          must be the current one.
 * 2. assets_accept_gzip(): does Accept-Encoding take gzip?
 * 3. assets_pick():        the bytes (raw, or the gzip ones made at build
 *                          time), their ETag and the Cache-Control of the
 *                          kind of name.
 *
 * Everything hashed or compressed was done by cmake/embedgen.c at build
 * time (embed.h); nothing here allocates.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "assets.h"
#include "embed.h"
#include "bandoc_limits.h"

/* A hashed name always means the same bytes: a year, the longest
 * lifetime caches are asked to keep (RFC 9111 5.2.2.1 allows more, but
 * a year is what everyone sends), and immutable: a reload does not
 * revalidate it either. */
#define CACHE_HASHED "public, max-age=31536000, immutable"
/* A stable name changes with each release, and sites paste /embed.js
 * once and never touch it again: five minutes fresh, so that an upgrade
 * reaches readers within minutes; then for a day a browser uses its
 * copy at once and revalidates it behind the page (a 304 of a few
 * hundred bytes, never the body while it has not changed); after that it
 * waits for the revalidation. */
#define CACHE_STABLE "public, max-age=300, stale-while-revalidate=86400"

static const char *
content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {{".css", "text/css; charset=utf-8"},
	             {".js", "text/javascript; charset=utf-8"},
	             {".svg", "image/svg+xml"},
	             {".png", "image/png"},
	             {".json", "application/json"},
	             {".txt", "text/plain; charset=utf-8"},
	             {".html", "text/html; charset=utf-8"}};
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		size_t e = strlen(types[i].ext);

		if (n > e && strcmp(name + n - e, types[i].ext) == 0)
			return types[i].type;
	}
	return "application/octet-stream";
}

/* The n bytes at p are a hash as hashed names have it. */
static int
is_hash(const char *p, size_t n)
{
	size_t i;

	if (n != EMBED_URL_HASH_HEX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		      (p[i] >= 'a' && p[i] <= 'f')))
			return 0;
	return 1;
}

enum assets_kind
assets_find(const char *name, const struct embed_file **file)
{
	const struct embed_file *f;
	char path[4 + MAX_ASSET_NAME + 1];
	size_t len, last, prev, cut, cutlen;

	*file = NULL;
	if (name == NULL || (len = strlen(name)) > MAX_ASSET_NAME)
		return ASSETS_NONE;
	snprintf(path, sizeof(path), "web/%s", name);
	if ((f = embed_find(path)) != NULL) {
		*file = f;
		return ASSETS_STABLE;
	}
	/* STEM.HASH.EXT, or STEM.HASH for a file without an extension; the
	 * stem is not empty. cut is where ".HASH" starts. */
	for (last = len; last > 0 && name[last - 1] != '.'; last--)
		;
	if (last-- == 0)
		return ASSETS_NONE;
	for (prev = last; prev > 0 && name[prev - 1] != '.'; prev--)
		;
	if (prev > 1 && is_hash(name + prev, last - prev)) {
		cut = prev - 1;
		cutlen = last - cut;
	} else if (last > 0 && is_hash(name + last + 1, len - last - 1)) {
		cut = last;
		cutlen = len - last;
	} else {
		return ASSETS_NONE;
	}
	snprintf(path, sizeof(path), "web/%.*s%s", (int)cut, name,
	         name + cut + cutlen);
	if ((f = embed_find(path)) == NULL || f->hashed == NULL)
		return ASSETS_NONE;
	*file = f;
	return strcmp(f->hashed + 4, name) == 0 ? ASSETS_HASHED : ASSETS_STALE;
}

/* tchar of RFC 9110 5.6.2. */
static int
tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static const char *
ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* A qvalue (RFC 9110 12.4.2) at *pp in thousandths, *pp moved past it;
 * -1 when there is none. */
static int
qvalue(const char **pp)
{
	const char *p = *pp;
	int q, scale = 100, i;

	if (*p != '0' && *p != '1')
		return -1;
	q = (*p++ - '0') * 1000;
	if (*p == '.')
		for (p++, i = 0; i < 3 && *p >= '0' && *p <= '9'; i++, p++) {
			q += (*p - '0') * scale;
			scale /= 10;
		}
	if (q > 1000)
		return -1;
	*pp = p;
	return q;
}

static int
token_is(const char *tok, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(tok, word, len) == 0;
}

int
assets_accept_gzip(const char *accept_encoding)
{
	const char *p = accept_encoding, *tok;
	int gzip = -1, star = -1, q;
	size_t len;

	if (p == NULL)
		return 0;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		for (tok = p; tchar(*p); p++)
			;
		len = (size_t)(p - tok);
		q = 1000;
		p = ows(p);
		if (*p == ';') {
			p = ows(p + 1);
			if ((*p == 'q' || *p == 'Q') && p[1] == '=') {
				p += 2;
				q = qvalue(&p);
			} else {
				q = -1;
			}
			p = ows(p);
		}
		if (len == 0 || q < 0 || (*p != ',' && *p != '\0')) {
			/* Not `coding [weight]`: ignored. */
			while (*p != ',' && *p != '\0')
				p++;
			continue;
		}
		if (token_is(tok, len, "gzip") || token_is(tok, len, "x-gzip"))
			gzip = q > gzip ? q : gzip;
		else if (token_is(tok, len, "*"))
			star = q > star ? q : star;
	}
	if (gzip < 0)
		gzip = star;
	return gzip > 0;
}

void
assets_pick(const struct embed_file *file, enum assets_kind kind,
            const char *accept_encoding, struct assets_rep *rep)
{
	rep->content_type = content_type(file->name);
	rep->cache_control =
	    kind == ASSETS_HASHED ? CACHE_HASHED : CACHE_STABLE;
	rep->vary = file->gz != NULL;
	if (file->gz != NULL && assets_accept_gzip(accept_encoding)) {
		rep->data = file->gz;
		rep->len = file->gz_len;
		rep->encoding = "gzip";
		rep->etag = file->gz_etag;
	} else {
		rep->data = file->data;
		rep->len = file->len;
		rep->encoding = NULL;
		rep->etag = file->etag;
	}
}

const char *
assets_hashed(const char *name)
{
	char path[4 + MAX_ASSET_NAME + 1];
	const struct embed_file *f;

	snprintf(path, sizeof(path), "web/%s", name);
	if ((f = embed_find(path)) == NULL || f->hashed == NULL)
		return name;
	return f->hashed + 4;
}
