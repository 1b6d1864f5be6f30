/*
 * pagecache.c: see pagecache.h. One array of slots, each empty or one
 * page; a new page replaces whatever hashed to its slot.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bandoc_limits.h"
#include "pagecache.h"

struct page {
	char *key;
	char *data; /* NUL-terminated */
	size_t len;
	char tag[PAGE_CACHE_TAG_MAX];
};

struct pagecache {
	pthread_mutex_t lock;
	struct page *slot;
	size_t nslots, max_bytes, bytes, pages;
	unsigned long long gen, hits, misses;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
};

struct pagecache *
pagecache_new(size_t slots, size_t max_bytes)
{
	struct pagecache *pc;

	if (slots == 0 || (pc = calloc(1, sizeof(*pc))) == NULL)
		return NULL;
	if ((pc->slot = calloc(slots, sizeof(*pc->slot))) == NULL) {
		free(pc);
		return NULL;
	}
	pthread_mutex_init(&pc->lock, NULL);
	pc->nslots = slots;
	pc->max_bytes = max_bytes;
	pc->gen = 1;
	randombytes_buf(pc->hkey, sizeof(pc->hkey));
	return pc;
}

static size_t
page_bytes(const struct page *p)
{
	return strlen(p->key) + 1 + p->len + 1;
}

static void
page_drop(struct pagecache *pc, struct page *p)
{
	if (p->key == NULL)
		return;
	pc->bytes -= page_bytes(p);
	pc->pages--;
	free(p->key);
	free(p->data);
	memset(p, 0, sizeof(*p));
}

void
pagecache_free(struct pagecache *pc)
{
	size_t i;

	if (pc == NULL)
		return;
	for (i = 0; i < pc->nslots; i++)
		page_drop(pc, &pc->slot[i]);
	pthread_mutex_destroy(&pc->lock);
	free(pc->slot);
	free(pc);
}

void
pagecache_invalidate(struct pagecache *pc)
{
	size_t i;

	pthread_mutex_lock(&pc->lock);
	pc->gen++;
	for (i = 0; i < pc->nslots && pc->pages > 0; i++)
		page_drop(pc, &pc->slot[i]);
	pthread_mutex_unlock(&pc->lock);
}

unsigned long long
pagecache_generation(struct pagecache *pc)
{
	unsigned long long g;

	pthread_mutex_lock(&pc->lock);
	g = pc->gen;
	pthread_mutex_unlock(&pc->lock);
	return g;
}

static struct page *
slot_of(struct pagecache *pc, const char *key)
{
	unsigned char h[crypto_shorthash_BYTES];
	unsigned long long v = 0;
	size_t i;

	crypto_shorthash(h, (const unsigned char *)key, strlen(key), pc->hkey);
	for (i = 0; i < sizeof(h); i++)
		v = (v << 8) | h[i];
	return &pc->slot[v % pc->nslots];
}

char *
pagecache_get(struct pagecache *pc, const char *key, size_t *len, char *tag,
              size_t tagsz)
{
	struct page *p;
	char *copy = NULL;

	pthread_mutex_lock(&pc->lock);
	p = slot_of(pc, key);
	if (p->key != NULL && strcmp(p->key, key) == 0 &&
	    (copy = malloc(p->len + 1)) != NULL) {
		memcpy(copy, p->data, p->len + 1);
		*len = p->len;
		snprintf(tag, tagsz, "%s", p->tag);
		pc->hits++;
	} else {
		pc->misses++;
	}
	pthread_mutex_unlock(&pc->lock);
	return copy;
}

void
pagecache_put(struct pagecache *pc, unsigned long long gen, const char *key,
              const char *data, size_t len, const char *tag)
{
	struct page n, *p;
	size_t need;

	if (len > PAGE_CACHE_ENTRY_MAX || strlen(tag) >= sizeof(n.tag))
		return;
	memset(&n, 0, sizeof(n));
	if ((n.key = strdup(key)) == NULL ||
	    (n.data = malloc(len + 1)) == NULL) {
		free(n.key);
		return;
	}
	memcpy(n.data, data, len);
	n.data[len] = '\0';
	n.len = len;
	memcpy(n.tag, tag, strlen(tag) + 1);
	need = page_bytes(&n);

	pthread_mutex_lock(&pc->lock);
	p = slot_of(pc, key);
	if (gen == pc->gen &&
	    pc->bytes - (p->key != NULL ? page_bytes(p) : 0) + need <=
	        pc->max_bytes) {
		page_drop(pc, p);
		*p = n;
		pc->bytes += need;
		pc->pages++;
		n.key = n.data = NULL;
	}
	pthread_mutex_unlock(&pc->lock);
	free(n.key);
	free(n.data);
}

struct pagecache_stats
pagecache_stats(struct pagecache *pc)
{
	struct pagecache_stats s;

	pthread_mutex_lock(&pc->lock);
	s.pages = pc->pages;
	s.bytes = pc->bytes;
	s.hits = pc->hits;
	s.misses = pc->misses;
	pthread_mutex_unlock(&pc->lock);
	return s;
}
