/*
 * fuzz_etag: http_etag_match(), the If-None-Match comparison of the
 * static files and the comment lists, with the field value as a client
 * sends it.
 *
 * Input: byte 0 picks the entity tag compared against (a strong tag, its
 * weak form, the gzip representation's tag, or the empty tag ""); the
 * rest is the If-None-Match value (a NUL-terminated heap copy of exact
 * size; an embedded NUL ends it, as in a C string).
 *
 * Properties: the result is 0 or 1; W/ on the server's tag changes
 * nothing (weak comparison); a match means the value holds "*" or the
 * tag's quoted text; the tag itself, or a value that starts with the
 * tag (strong or weak) and a comma, always matches; a value with no
 * '"' and no '*' never does.
 */
#include "fuzz.h"
#include "http.h"

static const char *const tags[][2] = {
    {"\"8f2c0e4b9a1d3c5e\"", "W/\"8f2c0e4b9a1d3c5e\""},
    {"\"8f2c0e4b9a1d3c5e-gzip\"", "W/\"8f2c0e4b9a1d3c5e-gzip\""},
    {"\"a,b\"", "W/\"a,b\""},
    {"\"\"", "W/\"\""},
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tag, *weak;
	char *inm, *pre;
	size_t n, plen;
	int m;

	if (size == 0)
		return 0;
	tag = tags[data[0] % 4][0];
	weak = tags[data[0] % 4][1];
	inm = fuzz_dup(data + 1, size - 1, 1);
	n = strlen(inm);

	m = http_etag_match(inm, tag);
	FUZZ_CHECK(m == 0 || m == 1);
	FUZZ_CHECK(http_etag_match(inm, weak) == m);
	if (m)
		FUZZ_CHECK(strchr(inm, '*') != NULL ||
		           strstr(inm, tag) != NULL);
	if (strchr(inm, '"') == NULL && strchr(inm, '*') == NULL)
		FUZZ_CHECK(!m);

	/* The tag first, then whatever the client wrote. */
	plen = strlen(weak) + 2 + n + 1;
	pre = malloc(plen);
	if (pre == NULL)
		abort();
	snprintf(pre, plen, "%s, %s", tag, inm);
	FUZZ_CHECK(http_etag_match(pre, tag) == 1);
	snprintf(pre, plen, "%s, %s", weak, inm);
	FUZZ_CHECK(http_etag_match(pre, tag) == 1);
	free(pre);
	free(inm);
	return 0;
}
