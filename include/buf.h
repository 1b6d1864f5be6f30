#ifndef BANDOC_BUF_H
#define BANDOC_BUF_H

/*
 * buf: a growable byte buffer that gets its maximum size when it is
 * created (after curl's dynbuf). Once an append fails the buffer stays
 * failed, so callers may append many times and check once.
 */

#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated while not failed */
	size_t len, cap, max;
	int failed;
};

/* Starts an empty buffer that will never exceed max bytes. */
void buf_init(struct buf *b, size_t max);
/* Appends; 0, or -1 when it would exceed max or on ENOMEM. */
int buf_add(struct buf *b, const void *data, size_t len);
int buf_adds(struct buf *b, const char *s);
int buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s HTML-escaped (& < > " ' and NUL-free). */
int buf_add_html(struct buf *b, const char *s);
/*
 * Appends a comment's text s HTML-escaped, with its http and https
 * addresses as links: <a href rel="nofollow ugc noopener"
 * target="_blank">, showing the address, or its host and "/…" when it is
 * longer than 60 bytes. The rules are docs/widget.md's ("Links"), the
 * same as the widget's: an address starts with "http://" or "https://"
 * (any case) after a byte that is not a letter or digit, runs over the
 * printable ASCII bytes except " ' < > \ ^ ` { | }, loses trailing
 * . , ; : ! ? ) ] (a ")" or "]" stays when the address opens as many),
 * and is linked only when its host is letters, digits and . : [ ] -
 * (no user name). Nothing else becomes markup.
 */
int buf_add_html_linked(struct buf *b, const char *s);
/* Takes the data (caller frees); the buffer is empty afterwards. */
char *buf_take(struct buf *b, size_t *len);
/* Frees the data. Accepts a zeroed buffer. */
void buf_free(struct buf *b);

#endif
