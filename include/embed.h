#ifndef BANDOC_EMBED_H
#define BANDOC_EMBED_H

/*
 * embed: files built into the binary at build time by
 * cmake/embed.cmake: db/NNNN_*.sql (migrations), web/ (pages, styles,
 * scripts) and voices/ (audio CAPTCHA recordings). Names are paths
 * relative to the repository, without the leading "service/".
 */

#include <stddef.h>

struct embed_file {
	const char *name; /* e.g. "voices/vi/3.wav" */
	const unsigned char *data;
	size_t len;
};

/* Returns the file embedded at build time under this name, or NULL. The
 * data is static and read-only. Cannot fail otherwise. */
const struct embed_file *embed_find(const char *name);

/* Every embedded file, in name order, ending with a NULL name. */
const struct embed_file *embed_list(void);

#endif
