/*
 * migration.c: finds the embedded migrations of an engine by their
 * number, for both engines (storage_sqlite.c, storage_pg.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migration.h"

const struct embed_file *
migration_find(const char *dir, int version)
{
	char name[64];
	const struct embed_file *f;
	int n = snprintf(name, sizeof(name), "%s%04d_", dir, version);

	if (n < 0 || (size_t)n >= sizeof(name))
		return NULL;
	for (f = embed_list(); f->name != NULL; f++)
		if (strncmp(f->name, name, (size_t)n) == 0)
			return f;
	return NULL;
}

int
migration_latest(const char *dir)
{
	int n = 0;

	while (migration_find(dir, n + 1) != NULL)
		n++;
	return n;
}

char *
migration_text(const struct embed_file *f)
{
	char *text = malloc(f->len + 1);

	if (text == NULL)
		return NULL;
	memcpy(text, f->data, f->len);
	text[f->len] = '\0';
	return text;
}
