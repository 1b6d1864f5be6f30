/*
 * fuzz_links: buf_add_html_linked() (service/buf.c), which turns every
 * comment's text into the HTML of the no-JS page and the fragment.
 *
 * Input: the text (a NUL ends it, as in a C string).
 *
 * Properties: the output is the input's text with only our own anchors
 * added: take out every `<a href="…" rel="nofollow ugc noopener"
 * target="_blank">` and `</a>`, and no < > " ' is left; every href starts
 * with http:// or https:// (any case) and holds no < > " ' or space; the
 * anchors pair up and never nest; and with a buffer too small the call
 * fails instead of cutting.
 */
#include <strings.h>

#include "buf.h"
#include "fuzz.h"

#define OPEN_HEAD "<a href=\""
#define OPEN_TAIL "\" rel=\"nofollow ugc noopener\" target=\"_blank\">"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_dup(data, size, 1);
	struct buf b, small;
	const char *p;
	int open = 0;

	buf_init(&b, 16 * size + 64);
	FUZZ_CHECK(buf_add_html_linked(&b, s) == 0);
	for (p = b.data; *p != '\0';) {
		if (strncmp(p, OPEN_HEAD, strlen(OPEN_HEAD)) == 0) {
			const char *href = p + strlen(OPEN_HEAD), *end;

			FUZZ_CHECK(!open);
			FUZZ_CHECK(strncasecmp(href, "http://", 7) == 0 ||
			           strncasecmp(href, "https://", 8) == 0);
			end = strstr(href, OPEN_TAIL);
			FUZZ_CHECK(end != NULL);
			for (; href < end; href++)
				FUZZ_CHECK(strchr("<>\"' ", *href) == NULL);
			p = end + strlen(OPEN_TAIL);
			open = 1;
		} else if (strncmp(p, "</a>", 4) == 0) {
			FUZZ_CHECK(open);
			open = 0;
			p += 4;
		} else {
			FUZZ_CHECK(strchr("<>\"'", *p) == NULL);
			p++;
		}
	}
	FUZZ_CHECK(!open);
	if (b.len > 0) {
		buf_init(&small, b.len - 1);
		FUZZ_CHECK(buf_add_html_linked(&small, s) == -1);
		buf_free(&small);
	}
	buf_free(&b);
	free(s);
	return 0;
}
