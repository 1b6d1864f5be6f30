/*
 * test_links.c: buf_add_html_linked(), the links in comment text on the
 * server fragment and the no-JS page, against tests/links/cases.json.
 * The widget's linked() is checked against the same cases in Chromium
 * (tests/e2e/links.test.mjs), so the three renderings agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "buf.h"

static void
test_cases(void **state)
{
	json_error_t e;
	json_t *cases = json_load_file(
	           BANDOC_SOURCE_DIR "/tests/links/cases.json", 0, &e),
	       *c;
	size_t i;

	(void)state;
	assert_non_null(cases);
	assert_true(json_array_size(cases) >= 10);
	json_array_foreach(cases, i, c)
	{
		struct buf b;

		buf_init(&b, 1 << 16);
		assert_int_equal(
		    buf_add_html_linked(
		        &b, json_string_value(json_object_get(c, "in"))),
		    0);
		if (strcmp(b.data,
		           json_string_value(json_object_get(c, "html"))) != 0)
			fail_msg(
			    "case %zu:\n  in:   %s\n  want: %s\n  got:  %s", i,
			    json_string_value(json_object_get(c, "in")),
			    json_string_value(json_object_get(c, "html")),
			    b.data);
		buf_free(&b);
	}
	json_decref(cases);
}

/* A buffer too small for the links fails as a whole (buf.h). */
static void
test_bounded(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 40);
	assert_int_equal(buf_add_html_linked(&b, "see https://a.example/x"),
	                 -1);
	assert_true(b.failed);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
