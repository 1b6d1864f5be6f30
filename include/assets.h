#ifndef BANDOC_ASSETS_H
#define BANDOC_ASSETS_H

/*
 * assets: the web files built into the binary (web/ in embed.h) as the
 * daemon serves them. Which file a name means (the stable name, or the
 * content-hashed one), which representation a request gets (the raw
 * bytes, or the gzip bytes made at build time), with which ETag and
 * which Cache-Control. No HTTP here: api_demo.c replies with what
 * assets_pick() chose, and If-None-Match is http_etag_match()'s.
 */

#include <stddef.h>

struct embed_file;

/* What a requested name is. */
enum assets_kind {
	ASSETS_NONE,   /* no such file */
	ASSETS_STABLE, /* "embed.js": short caching, revalidated */
	ASSETS_HASHED, /* "embed.0123456789ab.js", the current hash: immutable
	                */
	ASSETS_STALE   /* a hashed name with another hash: not served (404) */
};

/*
 * Looks up NAME as it follows /static/ ("embed.js", "embed.<hash>.js"):
 * web/NAME, else web/STEM.EXT when NAME is STEM.HASH.EXT with
 * EMBED_URL_HASH_HEX lower-case hex digits. *file is the embedded file
 * (the current one for ASSETS_STALE), NULL for ASSETS_NONE. Pure
 * function; NAME is untrusted (any bytes, NUL-terminated).
 */
enum assets_kind assets_find(const char *name, const struct embed_file **file);

/*
 * 1 when an Accept-Encoding field value (RFC 9110 12.5.3) takes gzip:
 * "gzip" or "x-gzip", else "*", with a weight above 0 (q=0 refuses it;
 * tokens and "q" are case-insensitive). An element that is not
 * `coding [OWS ";" OWS "q=" qvalue]` is ignored; if gzip is listed more
 * than once its highest weight counts. 0 for NULL (no header: the
 * identity encoding, which every client reads), for "" and when gzip is
 * not taken. gzip is sent whenever it is taken, as nginx's gzip does,
 * even when identity has the higher weight. Reads untrusted bytes:
 * tests/fuzz/fuzz_accept.c. Pure function.
 */
int assets_accept_gzip(const char *accept_encoding);

/* The representation of a file to send, borrowed from the embedded
 * tables (static). */
struct assets_rep {
	const unsigned char *data;
	size_t len;
	const char *content_type;
	const char *encoding;      /* "gzip", or NULL for the raw bytes */
	const char *etag;          /* strong, one per representation */
	const char *cache_control; /* by kind: stable or hashed name */
	int vary;                  /* 1 when a gzip variant exists:
	                              Vary: Accept-Encoding on both */
};

/*
 * Chooses what to send for file found as kind (ASSETS_STABLE or
 * ASSETS_HASHED), given the request's Accept-Encoding (NULL: none).
 * Cannot fail.
 */
void assets_pick(const struct embed_file *file, enum assets_kind kind,
                 const char *accept_encoding, struct assets_rep *rep);

/*
 * The hashed name of web/NAME without "web/" ("embed.0123456789ab.js"),
 * for the pages that link a file: static, borrowed. NAME itself when no
 * such file is embedded. Cannot fail.
 */
const char *assets_hashed(const char *name);

#endif
