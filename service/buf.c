/*
 * buf.c: bounded growable buffers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

int
buf_add(struct buf *b, const void *data, size_t len)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return -1;
	/* Overflow-safe: len + 1 must fit below max - b->len. */
	if (len >= b->max || b->len > b->max - len - 1) {
		b->failed = 1;
		return -1;
	}
	need = b->len + len + 1;
	if (need > b->cap) {
		cap = b->cap < 256 ? 256 : b->cap;
		while (cap < need)
			cap = cap > b->max / 2 ? b->max : cap * 2;
		if ((p = realloc(b->data, cap)) == NULL) {
			b->failed = 1;
			return -1;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int
buf_addf(struct buf *b, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n, ret;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = 1;
		return -1;
	}
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	if ((big = malloc((size_t)n + 1)) == NULL) {
		b->failed = 1;
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ret = buf_add(b, big, (size_t)n);
	free(big);
	return ret;
}

int
buf_add_html(struct buf *b, const char *s)
{
	const char *p = s, *start = s;

	for (; *p != '\0'; p++) {
		const char *rep;

		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_add(b, start, (size_t)(p - start));
		buf_adds(b, rep);
		start = p + 1;
	}
	return buf_add(b, start, (size_t)(p - start));
}

char *
buf_take(struct buf *b, size_t *len)
{
	char *d = b->data;

	if (b->failed) {
		buf_free(b);
		return NULL;
	}
	if (d == NULL)
		d = calloc(1, 1);
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
