/*
 * fuzz_import: the export readers that take bytes (service/import.c,
 * import_json.c), which read files an operator was sent by another
 * system. Isso is a database file, not bytes: not fuzzed here.
 *
 * Input: byte 0 picks the format by its value modulo 8 (format_of[]):
 * 0 Disqus, 1 WordPress, 2 Remark42, 3 Waline, 4 Artalk; 5, 6 and 7 keep
 * the old rule (even: Disqus, odd: WordPress), so the seeds written
 * before the JSON formats still mean what they meant. The rest is the
 * export.
 *
 * Properties: import_read_mem() returns 0, -1 or the callback's value
 * and never reads past the input; every comment handed on has a source
 * id, fields within their IMPORT_*_MAX bounds, a status of the enum and
 * a date that import_parse_time() gave; the counts agree with the calls
 * (comments with callbacks, problems with problem reports); an error
 * comes with a message.
 */
#include "fuzz.h"
#include "import.h"
#include "text.h"

struct seen {
	unsigned long long comments, problems;
};

static int
on_comment(void *arg, const struct import_comment *c)
{
	struct seen *s = arg;

	FUZZ_CHECK(c->source_id != NULL && *c->source_id != '\0');
	FUZZ_CHECK(strlen(c->source_id) <= IMPORT_ID_MAX);
	FUZZ_CHECK(strlen(c->parent_id) <= IMPORT_ID_MAX);
	FUZZ_CHECK(strlen(c->thread_id) <= IMPORT_ID_MAX);
	FUZZ_CHECK(strlen(c->url) <= IMPORT_URL_MAX);
	FUZZ_CHECK(strlen(c->title) <= IMPORT_TITLE_MAX);
	FUZZ_CHECK(strlen(c->name) <= IMPORT_NAME_MAX);
	FUZZ_CHECK(strlen(c->email) <= IMPORT_EMAIL_MAX);
	FUZZ_CHECK(strlen(c->body) <= IMPORT_BODY_MAX);
	FUZZ_CHECK(c->status >= IMPORT_APPROVED && c->status <= IMPORT_DELETED);
	FUZZ_CHECK(c->created_at >= 0 && c->created_at < 253402300800LL);
	/* The HTML-to-text step of the import (import_plain_text()): NULL
	 * or normalised UTF-8, never longer than the bound. */
	{
		char *t = import_plain_text(c->body, 1, 1, IMPORT_BODY_MAX);

		FUZZ_CHECK(t == NULL || (text_utf8_valid(t, strlen(t)) &&
		                         strchr(t, '\r') == NULL &&
		                         strlen(t) <= IMPORT_BODY_MAX));
		free(t);
	}
	s->comments++;
	return 0;
}

static void
on_problem(void *arg, const char *what, const char *id)
{
	struct seen *s = arg;

	FUZZ_CHECK(what != NULL && *what != '\0' && id != NULL);
	s->problems++;
}

static const enum import_format format_of[8] = {
    IMPORT_DISQUS, IMPORT_WXR, IMPORT_REMARK42, IMPORT_WALINE,
    IMPORT_ARTALK, IMPORT_WXR, IMPORT_DISQUS,   IMPORT_WXR,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct import_counts n;
	struct seen s = {0, 0};
	char err[256] = "";
	int rc;

	if (size < 1)
		return 0;
	rc = import_read_mem(format_of[data[0] % 8], (const char *)data + 1,
	                     size - 1, on_comment, on_problem, &s, &n, err,
	                     sizeof(err));
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(rc == 0 || err[0] != '\0');
	FUZZ_CHECK(n.comments == s.comments && n.problems == s.problems);
	return 0;
}
