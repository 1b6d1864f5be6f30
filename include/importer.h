#ifndef BANDOC_IMPORTER_H
#define BANDOC_IMPORTER_H

/*
 * importer.h: `bandocd import -c FILE --site NAME --format F [--map FILE]
 * [--dry-run] INPUT` (docs/import.md).
 */
#include <stdio.h>

#include "import.h"

struct config;

struct importer_options {
	const char *site; /* [site.NAME] */
	enum import_format format;
	const char *input;    /* the export (a file; Isso: its database) */
	const char *map_path; /* --map FILE, or NULL: article_url_pattern */
	int dry_run;          /* read, map and count; write nothing */
};

/*
 * Imports into the configured database, printing the report on out.
 * Returns the exit status: 0, 1 (a storage error, an export that is not
 * well-formed: what came before is stored, and a second run goes on from
 * there) or 2 (an unknown site, no way to map articles).
 */
int importer_run(const struct config *cfg, const struct importer_options *o,
                 FILE *out);

#endif
