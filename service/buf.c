/*
 * buf.c: bounded growable buffers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* The n bytes at s, HTML-escaped. */
static int
add_html_n(struct buf *b, const char *s, size_t n)
{
	const char *p = s, *start = s, *stop = s + n;

	for (; p < stop && *p != '\0'; p++) {
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

int
buf_add_html(struct buf *b, const char *s)
{
	return add_html_n(b, s, strlen(s));
}

/*
 * Links (buf.h; docs/widget.md, "Links"). embed.js's linked() follows
 * the same rules, step for step, so that the widget, the no-JS page and
 * the fragment show the same links; tests/e2e/links.test.mjs compares
 * them.
 */
#define LINK_SHOW_MAX 60 /* longer links show their host only */

static int
url_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("\"'<>\\^`{|}", c) == NULL;
}

static int
alnum_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') ||
	       ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static size_t
count_of(const char *s, size_t n, char c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

/*
 * A link candidate at s[i]: "http://" or "https://" (any case) not
 * preceded by a letter or digit, and the URL bytes after it. Returns 0
 * (none), or its end in *run and 1 with *len the link's length (the run
 * less trailing punctuation; a closing bracket stays when the link opens
 * as many) and its host in [*host, *host + *hostlen) when the host is
 * usable, or -1 when it is not (no host, a user name, other bytes).
 */
static int
link_at(const char *s, size_t n, size_t i, size_t *run, size_t *len,
        size_t *host, size_t *hostlen)
{
	size_t j, h, k;

	if (i > 0 && alnum_byte((unsigned char)s[i - 1]))
		return 0;
	if (n - i >= 7 && strncasecmp(s + i, "http://", 7) == 0)
		h = i + 7;
	else if (n - i >= 8 && strncasecmp(s + i, "https://", 8) == 0)
		h = i + 8;
	else
		return 0;
	for (j = h; j < n && url_byte((unsigned char)s[j]); j++)
		;
	*run = j;
	while (j > h && strchr(".,;:!?)]", s[j - 1]) != NULL) {
		char c = s[j - 1];

		if ((c == ')' || c == ']') &&
		    count_of(s + i, j - i, c == ')' ? '(' : '[') >=
		        count_of(s + i, j - i, c))
			break;
		j--;
	}
	*len = j - i;
	for (k = h; k < j && strchr("/?#", s[k]) == NULL; k++)
		if (!alnum_byte((unsigned char)s[k]) &&
		    strchr(".:[]-", s[k]) == NULL)
			return -1;
	if (k == h)
		return -1;
	*host = h;
	*hostlen = k - h;
	return 1;
}

int
buf_add_html_linked(struct buf *b, const char *s)
{
	size_t n = strlen(s), i = 0, from = 0, run, len, host, hostlen;
	int r;

	while (i < n) {
		if ((r = link_at(s, n, i, &run, &len, &host, &hostlen)) == 0) {
			i++;
			continue;
		}
		if (r < 0) {
			i = run;
			continue;
		}
		add_html_n(b, s + from, i - from);
		buf_adds(b, "<a href=\"");
		add_html_n(b, s + i, len);
		buf_adds(b,
		         "\" rel=\"nofollow ugc noopener\" target=\"_blank\">");
		if (len <= LINK_SHOW_MAX) {
			add_html_n(b, s + i, len);
		} else {
			add_html_n(b, s + host, hostlen);
			buf_adds(b, "/\u2026");
		}
		buf_adds(b, "</a>");
		from = i = i + len;
	}
	return add_html_n(b, s + from, n - from);
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
