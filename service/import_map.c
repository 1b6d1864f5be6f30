/*
 * import_map.c: which article an imported comment belongs to (import.h,
 * import_article_key()).
 *
 * A mapping file (`--map FILE`) is read whole into a tree (tsearch):
 * one "FROM<TAB>KEY" per line, FROM an address or the other system's id
 * of the article; blank lines and lines starting with '#' are skipped.
 * Otherwise the site's article_url_pattern takes the key out of the
 * address (its first group). Either way the key must be one the site
 * accepts (text_article_key_ok(), article_pattern).
 */
#include <regex.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bandoc_limits.h"
#include "config.h"
#include "import.h"
#include "text.h"

/* A line: FROM (an address or id), a tab, a key, a newline. */
#define MAP_LINE_MAX (IMPORT_URL_MAX + 1 + MAX_ARTICLE_KEY + 2)

struct map_entry {
	char *from, *key;
};

struct import_map {
	void *tree;
	size_t n;
};

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct map_entry *)a)->from,
	              ((const struct map_entry *)b)->from);
}

static void
entry_free(void *p)
{
	struct map_entry *e = p;

	free(e->from);
	free(e->key);
	free(e);
}

void
import_map_free(struct import_map *m)
{
	if (m == NULL)
		return;
	tdestroy(m->tree, entry_free);
	free(m);
}

struct import_map *
import_map_load(const char *path, char *err, size_t errsz)
{
	struct import_map *m = calloc(1, sizeof(*m));
	FILE *f = fopen(path, "r");
	char *line = malloc(MAP_LINE_MAX + 1), *tab;
	unsigned long lineno = 0;
	size_t len;

	if (m == NULL || line == NULL || f == NULL) {
		snprintf(err, errsz, "cannot read the map %s", path);
		goto fail;
	}
	while (fgets(line, MAP_LINE_MAX + 1, f) != NULL) {
		struct map_entry *e, **found;

		lineno++;
		len = strlen(line);
		if (len == MAP_LINE_MAX && line[len - 1] != '\n') {
			snprintf(err, errsz, "%s:%lu: line too long", path,
			         lineno);
			goto fail;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if ((tab = strchr(line, '\t')) == NULL || tab == line ||
		    strchr(tab + 1, '\t') != NULL ||
		    !text_article_key_ok(tab + 1, strlen(tab + 1))) {
			snprintf(err, errsz,
			         "%s:%lu: want ADDRESS-OR-ID<TAB>ARTICLE-KEY",
			         path, lineno);
			goto fail;
		}
		*tab = '\0';
		if ((e = calloc(1, sizeof(*e))) == NULL ||
		    (e->from = strdup(line)) == NULL ||
		    (e->key = strdup(tab + 1)) == NULL ||
		    (found = tsearch(e, &m->tree, entry_cmp)) == NULL) {
			if (e != NULL)
				entry_free(e);
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
		if (*found != e) {
			snprintf(err, errsz, "%s:%lu: %s is mapped twice", path,
			         lineno, line);
			entry_free(e);
			goto fail;
		}
		m->n++;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "cannot read the map %s", path);
		goto fail;
	}
	fclose(f);
	free(line);
	return m;
fail:
	if (f != NULL)
		fclose(f);
	free(line);
	import_map_free(m);
	return NULL;
}

static const char *
map_find(const struct import_map *m, const char *from)
{
	struct map_entry key, **e;

	if (m == NULL || from == NULL || *from == '\0')
		return NULL;
	key.from = (char *)from;
	e = tfind(&key, &m->tree, entry_cmp);
	return e != NULL ? (*e)->key : NULL;
}

int
import_article_key(const struct config_site *site, const struct import_map *map,
                   const char *url, const char *thread_id, char *key,
                   size_t keysz)
{
	const char *k = map_find(map, url);
	regmatch_t g[2];
	size_t n;

	if (k == NULL)
		k = map_find(map, thread_id);
	if (k != NULL) {
		n = strlen(k);
	} else if (map == NULL && site->has_article_url_re && url != NULL &&
	           regexec(&site->article_url_re, url, 2, g, 0) == 0 &&
	           g[1].rm_so >= 0) {
		k = url + g[1].rm_so;
		n = (size_t)(g[1].rm_eo - g[1].rm_so);
	} else {
		return -1;
	}
	if (n >= keysz)
		return -1;
	memcpy(key, k, n);
	key[n] = '\0';
	if (!text_article_key_ok(key, n))
		return -1;
	if (site->has_article_re &&
	    regexec(&site->article_re, key, 0, NULL, 0) != 0)
		return -1;
	return 0;
}
