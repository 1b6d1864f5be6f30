/*
 * text.c: see text.h.
 */
#include <idn2.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "text.h"

/* Characters removed besides the C0/C1 controls: bidirectional overrides
 * and isolates (they can make text display in another order than it is
 * stored), and the BOM. */
static int
drop(utf8proc_int32_t c)
{
	return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0xfeff || c == 0x200e || c == 0x200f;
}

enum text_result
text_normalize(const char *in, size_t len, int multiline, char **out,
               size_t *nchars)
{
	utf8proc_uint8_t *nfc = NULL;
	utf8proc_ssize_t n;
	utf8proc_int32_t c;
	char *res = NULL;
	size_t i = 0, o = 0, chars = 0, line_start = 0;
	int newlines = 0, ret = TEXT_NOMEM;

	*out = NULL;
	*nchars = 0;
	if (len > 0 && memchr(in, '\0', len) != NULL)
		return TEXT_INVALID_UTF8;
	/* Validates and composes to NFC in one pass. */
	n = utf8proc_map((const utf8proc_uint8_t *)in, (utf8proc_ssize_t)len,
	                 &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0)
		return n == UTF8PROC_ERROR_NOMEM ? TEXT_NOMEM
		                                 : TEXT_INVALID_UTF8;
	if ((res = malloc((size_t)n + 1)) == NULL)
		goto done;
	while (i < (size_t)n) {
		utf8proc_ssize_t k = utf8proc_iterate(
		    nfc + i, (utf8proc_ssize_t)((size_t)n - i), &c);

		if (k <= 0) {
			ret = TEXT_INVALID_UTF8;
			goto done;
		}
		if (c == '\r')
			c = (i + 1 < (size_t)n && nfc[i + 1] == '\n') ? -1
			                                              : '\n';
		if (c == '\t')
			c = ' ';
		if (c == '\n' && !multiline)
			c = ' ';
		if (c == '\n') {
			/* Trim the line's trailing blanks. */
			while (o > line_start && res[o - 1] == ' ') {
				o--;
				chars--;
			}
			newlines++;
			if (o > 0 && newlines <= 2) {
				res[o++] = '\n';
				chars++;
			}
			line_start = o;
		} else if (c >= 0 && c != '\n' &&
		           utf8proc_category(c) != UTF8PROC_CATEGORY_CC &&
		           !drop(c)) {
			if (c == ' ' && o == line_start) {
				/* leading blanks of a line go */
			} else {
				if (c != ' ')
					newlines = 0;
				/* c may have been rewritten (tab, newline
				 * to space): one byte then. */
				if (c < 0x80)
					res[o++] = (char)c;
				else {
					memcpy(res + o, nfc + i, (size_t)k);
					o += (size_t)k;
				}
				chars++;
			}
		}
		i += (size_t)k;
	}
	/* Trim the end. */
	while (o > 0 && (res[o - 1] == ' ' || res[o - 1] == '\n')) {
		o--;
		chars--;
	}
	res[o] = '\0';
	/* Removing controls and bidi marks can leave a base letter next to
	 * a combining mark that was kept apart: compose once more so the
	 * result is NFC (normalising it again changes nothing). */
	free(nfc);
	nfc = NULL;
	n = utf8proc_map((const utf8proc_uint8_t *)res, (utf8proc_ssize_t)o,
	                 &nfc, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (n < 0)
		goto done;
	free(res);
	res = NULL;
	for (chars = 0, i = 0; i < (size_t)n; i++)
		chars += (nfc[i] & 0xc0) != 0x80;
	*out = (char *)nfc;
	*nchars = chars;
	nfc = NULL;
	ret = TEXT_OK;
done:
	free(res);
	free(nfc);
	return ret;
}

char *
text_fold(const char *s)
{
	utf8proc_uint8_t *f = NULL;
	utf8proc_ssize_t n;
	char *p, *q;

	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &f,
	                 UTF8PROC_NULLTERM | UTF8PROC_STABLE |
	                     UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
	                     UTF8PROC_STRIPMARK);
	if (n < 0)
		return NULL;
	/* "đ" (U+0111, after case folding) is a letter, not d plus a mark:
	 * fold it by hand to "d". In place: 2 bytes become 1. */
	for (p = q = (char *)f; *p != '\0';) {
		if ((unsigned char)p[0] == 0xc4 &&
		    (unsigned char)p[1] == 0x91) {
			*q++ = 'd';
			p += 2;
		} else
			*q++ = *p++;
	}
	*q = '\0';
	return (char *)f;
}

char *
text_fold_words(const char *s)
{
	char *f = text_fold(s), *q;
	const utf8proc_uint8_t *p;
	utf8proc_int32_t cp;
	utf8proc_ssize_t n;
	int space = 0;

	if (f == NULL)
		return NULL;
	/* In place: a separator run (one byte or more) becomes one byte. */
	for (p = (const utf8proc_uint8_t *)f, q = f; *p != '\0'; p += n) {
		utf8proc_category_t c;

		n = utf8proc_iterate(p, -1, &cp);
		if (n <= 0) { /* not after text_fold's own output */
			free(f);
			return NULL;
		}
		c = utf8proc_category(cp);
		if ((c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_SO) ||
		    (c >= UTF8PROC_CATEGORY_ZS && c <= UTF8PROC_CATEGORY_CC)) {
			if (!space)
				*q++ = ' ';
			space = 1;
		} else {
			memmove(q, p, (size_t)n);
			q += n;
			space = 0;
		}
	}
	*q = '\0';
	return f;
}

static int
word_char(const char *s, size_t i)
{
	unsigned char c = (unsigned char)s[i];

	/* Any non-ASCII byte counts as part of a word (letters of other
	 * scripts); ASCII letters and digits too. */
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

int
text_has_word(const char *text, const char *word)
{
	size_t wl = strlen(word);
	const char *p = text;

	if (wl == 0)
		return 0;
	while ((p = strstr(p, word)) != NULL) {
		size_t at = (size_t)(p - text);

		if ((at == 0 || !word_char(text, at - 1)) &&
		    (p[wl] == '\0' || !word_char(p, wl)))
			return 1;
		p++;
	}
	return 0;
}

int
text_count_links(const char *s)
{
	static const char *const marks[] = {"http://", "https://", "www."};
	int n = 0;
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		const char *p = s;

		while ((p = strcasestr(p, marks[i])) != NULL) {
			/* "https://www." is one link, not two. */
			if (i == 2 && p - s >= 3 && p[-1] == '/' &&
			    p[-2] == '/')
				;
			else
				n++;
			p += strlen(marks[i]);
		}
	}
	return n;
}

int
text_article_key_ok(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || len == 0 || len > MAX_ARTICLE_KEY ||
	    strlen(s) != len || !text_utf8_valid(s, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

int
text_email_ok(const char *s)
{
	const char *at = strchr(s, '@'), *dot;
	size_t n = strlen(s), i;

	if (n < 3 || n > 254 || at == NULL || at == s ||
	    strchr(at + 1, '@') != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' ||
		    c == '"' || c == ',' || c == ';' || c == '\\')
			return 0;
	}
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0' &&
	       (size_t)(at - s) <= 64;
}

static void
ascii_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* The length of s[0..n) without its trailing blanks (" \t\r\n"). */
static size_t
blank_trimmed(const char *s, size_t n)
{
	while (n > 0 && memchr(" \t\r\n", s[n - 1], 4) != NULL)
		n--;
	return n;
}

char *
text_email_key(const char *s)
{
	const char *b = s, *e, *at;
	char *out = NULL, *ascii = NULL;
	size_t n, local, i;

	b += strspn(b, " \t\r\n");
	e = b + blank_trimmed(b, strlen(b));
	if ((n = (size_t)(e - b)) > MAX_EMAIL_BYTES)
		return NULL;
	for (at = e; at > b && at[-1] != '@'; at--)
		;
	for (i = (size_t)(at - b); i < n && (unsigned char)b[i] < 0x80; i++)
		;
	if (at == b || i == n) {
		/* No domain, or an ASCII one: only the case is folded. */
		if ((out = malloc(n + 1)) == NULL)
			return NULL;
		memcpy(out, b, n);
		out[n] = '\0';
		ascii_lower(out);
		return out;
	}
	local = (size_t)(at - b); /* with the '@' */
	{
		char dom[MAX_EMAIL_BYTES + 1];

		memcpy(dom, at, n - local);
		dom[n - local] = '\0';
		if (idn2_to_ascii_8z(dom, &ascii,
		                     IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) !=
		    IDN2_OK)
			return NULL;
	}
	n = strlen(ascii);
	if (local + n <= MAX_EMAIL_BYTES &&
	    (out = malloc(local + n + 1)) != NULL) {
		memcpy(out, b, local);
		memcpy(out + local, ascii, n + 1);
		ascii_lower(out);
		/* UTS #46 drops ignored code points (U+FEFF, U+00AD ...), so
		 * white space before them is now at the end: trimmed, as
		 * above, or the key of the key would differ (fuzz_text). */
		out[blank_trimmed(out, strlen(out))] = '\0';
	}
	idn2_free(ascii);
	return out;
}

int
text_each_phrase(const char *list, void (*fn)(void *, const char *), void *arg)
{
	const char *p = list;
	int count = 0;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");
		const char *s = p, *e = p + n;
		char *item, *folded;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e > s && (item = malloc((size_t)(e - s) + 1)) != NULL) {
			memcpy(item, s, (size_t)(e - s));
			item[e - s] = '\0';
			if ((folded = text_fold_words(item)) != NULL) {
				fn(arg, folded);
				free(folded);
				count++;
			}
			free(item);
		}
		p += n + (p[n] == ',');
	}
	return count;
}

int
text_utf8_valid(const char *s, size_t len)
{
	utf8proc_int32_t c;
	size_t i = 0;

	while (i < len) {
		utf8proc_ssize_t k =
		    utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		                     (utf8proc_ssize_t)(len - i), &c);

		if (k <= 0)
			return 0;
		i += (size_t)k;
	}
	return 1;
}
