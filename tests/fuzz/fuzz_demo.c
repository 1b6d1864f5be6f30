/*
 * fuzz_demo: demo_parse(), the demo article reader (a title line with an
 * optional DD/MM/YYYY date and "In trang", then paragraphs).
 *
 * Input: the article bytes, in a heap block of exactly that size (not
 * NUL-terminated: demo_parse() takes a length).
 *
 * Properties: NULL, or an article whose title and paragraphs hold no
 * newline, whose date is "" or 10 bytes, with at most 200 paragraphs;
 * for NUL-free input also a non-empty title that does not end in a
 * space and non-empty paragraphs; demo_free() releases it all
 * (LeakSanitizer checks).
 */
#include "app.h"
#include "demo.h"
#include "fuzz.h"

#define MAX_PARAGRAPHS 200 /* demo.c's MAX_DEMO_PARAGRAPHS */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct app_demo *d;
	char *text = fuzz_dup(data, size, 0);
	size_t i, n;

	d = demo_parse(text, size);
	if (d == NULL)
		goto done;
	FUZZ_CHECK(d->title != NULL && d->date != NULL);
	n = strlen(d->title);
	FUZZ_CHECK(n <= size);
	FUZZ_CHECK(strchr(d->title, '\n') == NULL);
	/* A NUL byte in the file cuts the C strings short: shape checks
	 * only hold for NUL-free text. */
	if (memchr(data, '\0', size) == NULL) {
		FUZZ_CHECK(n > 0);
		FUZZ_CHECK(d->title[n - 1] != ' ');
		for (i = 0; i < d->nparagraphs; i++)
			FUZZ_CHECK(d->paragraphs[i][0] != '\0');
	}
	FUZZ_CHECK(strlen(d->date) == 0 || strlen(d->date) == 10);
	FUZZ_CHECK(d->nparagraphs <= MAX_PARAGRAPHS);
	for (i = 0; i < d->nparagraphs; i++) {
		FUZZ_CHECK(d->paragraphs[i] != NULL);
		FUZZ_CHECK(memchr(d->paragraphs[i], '\n',
		                  strlen(d->paragraphs[i])) == NULL);
	}
done:
	demo_free(d);
	free(text);
	return 0;
}
