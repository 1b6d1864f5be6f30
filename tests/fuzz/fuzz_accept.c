/*
 * fuzz_accept: assets_accept_gzip(), the Accept-Encoding reader of the
 * static files, with the field value as a client sends it.
 *
 * Input: the header value (a NUL-terminated heap copy of exact size; an
 * embedded NUL ends it, as in a C string).
 *
 * Properties: the result is 0 or 1 and agrees with a reference reader
 * written differently (split at commas, then at the first ';'); case
 * does not matter (the value lower-cased and upper-cased gives the same
 * result); appending ", gzip" always takes gzip, ", gzip;q=0" never adds
 * it and ", *" never removes it; a value that has neither "gzip" (in any
 * case) nor '*' never takes it.
 */
#include <ctype.h>
#include <strings.h>

#include "assets.h"
#include "fuzz.h"

static int
is_tchar(int c)
{
	return isalnum(c) || (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The weight of one element "coding [OWS ; OWS q=qvalue]" between s and
 * e, in thousandths; -1 when malformed. Sets *coding to the token. */
static int
element(const char *s, const char *e, const char **coding, size_t *clen)
{
	const char *semi = memchr(s, ';', (size_t)(e - s)), *t, *te, *q;
	int w, digits = 0;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	te = semi != NULL ? semi : e;
	while (te > s && (te[-1] == ' ' || te[-1] == '\t'))
		te--;
	for (t = s; t < te; t++)
		if (!is_tchar((unsigned char)*t))
			return -1;
	if (te == s)
		return -1;
	*coding = s;
	*clen = (size_t)(te - s);
	if (semi == NULL)
		return 1000;
	for (q = semi + 1; q < e && (*q == ' ' || *q == '\t'); q++)
		;
	while (e > q && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (e - q < 3 || (q[0] != 'q' && q[0] != 'Q') || q[1] != '=' ||
	    (q[2] != '0' && q[2] != '1'))
		return -1;
	w = (q[2] - '0') * 1000;
	q += 3;
	if (q < e && *q == '.') {
		int scale = 100;

		for (q++; q < e && isdigit((unsigned char)*q); q++, digits++) {
			w += (*q - '0') * scale;
			scale /= 10;
		}
	}
	if (q != e || digits > 3 || w > 1000)
		return -1;
	return w;
}

static int
reference(const char *v)
{
	int gzip = -1, star = -1, w;
	const char *s = v, *e, *c;
	size_t clen;

	for (;;) {
		e = strchr(s, ',');
		if (e == NULL)
			e = s + strlen(s);
		if ((w = element(s, e, &c, &clen)) >= 0) {
			if ((clen == 4 && strncasecmp(c, "gzip", 4) == 0) ||
			    (clen == 6 && strncasecmp(c, "x-gzip", 6) == 0))
				gzip = w > gzip ? w : gzip;
			else if (clen == 1 && *c == '*')
				star = w > star ? w : star;
		}
		if (*e == '\0')
			break;
		s = e + 1;
	}
	return (gzip >= 0 ? gzip : star) > 0;
}

static char *
with(const char *v, const char *tail)
{
	size_t n = strlen(v) + strlen(tail) + 1;
	char *p = malloc(n);

	if (p == NULL)
		abort();
	snprintf(p, n, "%s%s", v, tail);
	return p;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = fuzz_dup(data, size, 1), *t, *lower, *upper;
	size_t i, n = strlen(v);
	int r = assets_accept_gzip(v), has = 0;

	FUZZ_CHECK(r == 0 || r == 1);
	FUZZ_CHECK(r == reference(v));

	lower = fuzz_dup((const uint8_t *)v, n, 1);
	upper = fuzz_dup((const uint8_t *)v, n, 1);
	for (i = 0; i < n; i++) {
		lower[i] = (char)tolower((unsigned char)v[i]);
		upper[i] = (char)toupper((unsigned char)v[i]);
	}
	FUZZ_CHECK(assets_accept_gzip(lower) == r);
	FUZZ_CHECK(assets_accept_gzip(upper) == r);
	has = strstr(lower, "gzip") != NULL || strchr(v, '*') != NULL;
	if (!has)
		FUZZ_CHECK(r == 0);
	free(upper);
	free(lower);

	t = with(v, ", gzip");
	FUZZ_CHECK(assets_accept_gzip(t) == 1);
	free(t);
	t = with(v, ", gzip;q=0");
	FUZZ_CHECK(assets_accept_gzip(t) <= r);
	free(t);
	t = with(v, ", *");
	FUZZ_CHECK(assets_accept_gzip(t) >= r);
	free(t);
	free(v);
	return 0;
}
