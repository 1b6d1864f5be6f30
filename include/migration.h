#ifndef BANDOC_MIGRATION_H
#define BANDOC_MIGRATION_H

/*
 * migration: the schema migrations embedded in the binary (embed.h),
 * one folder of NNNN_name.sql files per engine ("db/sqlite/",
 * "db/postgres/"). Both engines number their files alike, so they report
 * the same schema version.
 */

#include "embed.h"

/* The migration that brings the schema of folder dir (with its final
 * '/') to version, or NULL when there is none. Cannot fail otherwise. */
const struct embed_file *migration_find(const char *dir, int version);

/* The number of migrations of dir (1, 2, ... without a gap). Cannot
 * fail. */
int migration_latest(const char *dir);

/* The text of f as a NUL-terminated malloc'd string (the caller frees
 * it), or NULL when out of memory. */
char *migration_text(const struct embed_file *f);

#endif
