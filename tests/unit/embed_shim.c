/*
 * embed_shim.c: test-only stand-in for the generated embed_data.c.
 *
 * embed_find(name) reads $BANDOC_EMBED_ROOT/name from disk (default root
 * "service", so run the tests from the repository root) and caches it
 * for the life of the process, so that the returned data stays valid and
 * unchanged as the contract in embed.h requires.  The cache is keyed by
 * the full path: a test that points BANDOC_EMBED_ROOT at a new directory
 * gets that directory's files.  Failed look-ups are not cached.
 *
 * Not thread-safe: the tests call embed_find() (through audio_init())
 * from one thread only.  The cache is never freed; it stays reachable, so
 * LeakSanitizer does not report it.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed.h"

/* Larger files are refused: the voices are about 20 KB each. */
#define SHIM_FILE_MAX (4 * 1024 * 1024)
#define SHIM_PATH_MAX 4096

struct shim_entry {
	struct embed_file file;
	char *path; /* the cache key */
	struct shim_entry *next;
};

static struct shim_entry *cache;

/* Returns 1 if name is a plain relative path without "..". */
static int
name_ok(const char *name)
{
	const char *p;

	if (name[0] == '\0' || name[0] == '/')
		return 0;
	for (p = name; *p != '\0'; p++)
		if (p[0] == '.' && p[1] == '.' && (p == name || p[-1] == '/') &&
		    (p[2] == '/' || p[2] == '\0'))
			return 0;
	return 1;
}

/* Reads the whole file into a malloc'd buffer: 0 / -1. */
static int
slurp(const char *path, unsigned char **data, size_t *len)
{
	FILE *fp = NULL;
	unsigned char *buf = NULL;
	size_t n = 0, got;
	int ret = -1;

	if ((fp = fopen(path, "rb")) == NULL)
		goto done;
	/* One byte more than the cap, to tell a file that is too large. */
	if ((buf = malloc(SHIM_FILE_MAX + 1)) == NULL)
		goto done;
	while ((got = fread(buf + n, 1, SHIM_FILE_MAX + 1 - n, fp)) > 0)
		n += got;
	if (ferror(fp) || n > SHIM_FILE_MAX)
		goto done;
	*data = buf;
	*len = n;
	buf = NULL;
	ret = 0;
done:
	free(buf);
	if (fp != NULL)
		fclose(fp);
	return ret;
}

const struct embed_file *
embed_find(const char *name)
{
	struct shim_entry *e = NULL;
	const struct embed_file *ret = NULL;
	const char *root;
	char path[SHIM_PATH_MAX];
	char *ncopy = NULL, *pcopy = NULL;
	unsigned char *data = NULL;
	size_t len, nlen, plen;
	int n;

	if (name == NULL || !name_ok(name))
		goto done;
	if ((root = getenv("BANDOC_EMBED_ROOT")) == NULL || root[0] == '\0')
		root = "service";
	n = snprintf(path, sizeof(path), "%s/%s", root, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		goto done;
	for (e = cache; e != NULL; e = e->next)
		if (strcmp(e->path, path) == 0) {
			ret = &e->file;
			e = NULL;
			goto done;
		}

	if (slurp(path, &data, &len) == -1)
		goto done;
	nlen = strlen(name) + 1;
	plen = (size_t)n + 1;
	if ((ncopy = malloc(nlen)) == NULL || (pcopy = malloc(plen)) == NULL ||
	    (e = malloc(sizeof(*e))) == NULL)
		goto done;
	memcpy(ncopy, name, nlen);
	memcpy(pcopy, path, plen);
	/* Only what audio.c reads: no gzip bytes, hash, ETags or hashed
	 * name (NULL). */
	memset(&e->file, 0, sizeof(e->file));
	e->file.name = ncopy;
	e->file.data = data;
	e->file.len = len;
	e->path = pcopy;
	e->next = cache;
	cache = e;
	ret = &e->file;
	ncopy = pcopy = NULL;
	data = NULL;
	e = NULL;
done:
	free(e);
	free(pcopy);
	free(ncopy);
	free(data);
	return ret;
}
