/*
 * fuzz_json: request bodies as the daemon reads them, jansson's
 * json_loadb(buf, len, JSON_REJECT_DUPLICATES, ...) on the raw body
 * (http.c), then a walk over the object's members the way handlers use
 * them (strings with their length, numbers, booleans).
 *
 * Input: the body, in a heap block of exactly that size.
 *
 * Properties: a parse failure fills the error text; a value that parses
 * serialises (json_dumps) and parses back to an equal value; object
 * keys are NUL-free C strings and strings report their true length.
 * This mostly guards jansson as Debian ships it and the flags we pass.
 */
#include <jansson.h>

#include "fuzz.h"

static void
walk(json_t *v, unsigned int depth)
{
	void *it;
	size_t i;

	FUZZ_CHECK(depth <= 2048); /* jansson's JSON_PARSER_MAX_DEPTH */
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		/* Iterators, not json_object_foreach: clang-format mangles it.
		 */
		for (it = json_object_iter(v); it != NULL;
		     it = json_object_iter_next(v, it)) {
			FUZZ_CHECK(json_object_iter_key(it) != NULL);
			walk(json_object_iter_value(it), depth + 1);
		}
		break;
	case JSON_ARRAY:
		for (i = 0; i < json_array_size(v); i++)
			walk(json_array_get(v, i), depth + 1);
		break;
	case JSON_STRING:
		/* No NUL inside: the flags do not include JSON_ALLOW_NUL. */
		FUZZ_CHECK(strlen(json_string_value(v)) ==
		           json_string_length(v));
		break;
	case JSON_INTEGER:
	case JSON_REAL:
		(void)json_number_value(v);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
	case JSON_NULL:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *v, *back = NULL;
	char *body = fuzz_dup(data, size, 0), *dump = NULL;

	v = json_loadb(body != NULL ? body : "", size, JSON_REJECT_DUPLICATES,
	               &err);
	if (v == NULL) {
		FUZZ_CHECK(memchr(err.text, '\0', sizeof(err.text)) != NULL);
		goto done;
	}
	walk(v, 0);
	dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	FUZZ_CHECK(dump != NULL);
	back = json_loads(dump, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err);
	FUZZ_CHECK(back != NULL);
	FUZZ_CHECK(json_equal(v, back));
done:
	free(dump);
	json_decref(back);
	json_decref(v);
	free(body);
	return 0;
}
