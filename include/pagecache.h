/*
 * pagecache.h: a small, bounded cache of rendered public pages (the
 * comment list of an article) so that the hot read path does not query
 * the database and build JSON for every reader.
 *
 * Staleness is decided by the database, not by timeouts: before a lookup
 * the caller compares its reader connection's generation with the one it
 * last saw (storage_generation(); on SQLite PRAGMA data_version, which
 * also sees other processes, e.g. an operator's sqlite3) and, when they
 * differ, calls pagecache_invalidate() (app_reader_fresh()). A page is
 * stored with the generation read *before* its data was read, and a put
 * with an older generation is dropped, so a page built from data older
 * than a detected commit is never served.
 *
 * Thread-safe (one mutex; a hit copies at most PAGE_CACHE_ENTRY_MAX
 * bytes under it). Direct-mapped by a keyed hash, so a client choosing
 * keys cannot aim at one slot.
 */
#ifndef BANDOC_PAGECACHE_H
#define BANDOC_PAGECACHE_H

#include <stddef.h>

struct pagecache;

/* slots > 0; max_bytes bounds keys + pages held. NULL on no memory. */
struct pagecache *pagecache_new(size_t slots, size_t max_bytes);
void pagecache_free(struct pagecache *pc);

/* Drops every page and starts a new generation. */
void pagecache_invalidate(struct pagecache *pc);

/* The current generation: read it before reading what a put stores. */
unsigned long long pagecache_generation(struct pagecache *pc);

/*
 * A malloc'd copy of the page stored under key (NUL-terminated; *len
 * without the NUL) and its tag copied into tag (tagsz bytes), or NULL.
 */
char *pagecache_get(struct pagecache *pc, const char *key, size_t *len,
                    char *tag, size_t tagsz);

/*
 * Stores a copy of data under key with its tag, unless gen is no longer
 * current, the page is larger than PAGE_CACHE_ENTRY_MAX or the cache
 * would exceed its byte budget. Best effort: never fails visibly.
 */
void pagecache_put(struct pagecache *pc, unsigned long long gen,
                   const char *key, const char *data, size_t len,
                   const char *tag);

/* Pages held, bytes used, lookups answered and not (for /metrics). */
struct pagecache_stats {
	size_t pages, bytes;
	unsigned long long hits, misses;
};
struct pagecache_stats pagecache_stats(struct pagecache *pc);

#endif
