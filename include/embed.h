#ifndef BANDOC_EMBED_H
#define BANDOC_EMBED_H

/*
 * embed: files built into the binary at build time by cmake/embedgen.c
 * (a host tool that links zlib and libsodium): db/sqlite/NNNN_*.sql
 * (migrations), web/ (pages, styles, scripts) and voices/ (audio
 * CAPTCHA recordings). Names are paths relative to the repository,
 * without the leading "service/".
 *
 * What the tool does, in this order, so that nothing of it happens per
 * request:
 * 1. In web/ scripts and styles (.js, .css, .html), a quoted string
 *    literal '/static/NAME' or "/static/NAME" that names another web/
 *    file becomes '/static/' plus that file's hashed name (below), so
 *    that embed.js loads the stylesheet and the proof of work by
 *    immutable URLs. A file's reference to itself is left alone; a name
 *    that is not embedded, or a cycle of references, stops the build.
 * 2. The content hash of every file as it is embedded (after step 1):
 *    BLAKE2b-128, in lower-case hex.
 * 3. For web/ text files (.js .css .html .svg .json .txt), the gzip
 *    bytes at level 9, kept when smaller than the file.
 */

#include <stddef.h>

/* Hex digits of the content hash in a hashed name (48 bits): short in
 * a URL, and a new version of a file takes the name of an earlier one
 * with a chance of 2^-48 per earlier version (browsers would then keep
 * the old one for a year: the name is cached as immutable). */
#define EMBED_URL_HASH_HEX 12
/* Hex digits of the whole content hash (BLAKE2b-128). */
#define EMBED_HASH_HEX 32

struct embed_file {
	const char *name; /* e.g. "voices/vi/3.wav" */
	const unsigned char *data;
	size_t len;
	/* The same bytes as a gzip member (RFC 1952), or NULL. */
	const unsigned char *gz;
	size_t gz_len;
	const char *hash; /* EMBED_HASH_HEX hex digits of data */
	/* Strong entity tags, quotes included: "HASH" for data, "HASH-gzip"
	 * for gz (NULL without gz): two representations, two tags. */
	const char *etag;
	const char *gz_etag;
	/* name with the first EMBED_URL_HASH_HEX digits of hash before its
	 * last extension: "web/embed.0123456789ab.js". */
	const char *hashed;
};

/* Returns the file embedded at build time under this name, or NULL. The
 * data is static and read-only. Cannot fail otherwise. */
const struct embed_file *embed_find(const char *name);

/* Every embedded file, in name order, ending with a NULL name. */
const struct embed_file *embed_list(void);

#endif
