/*
 * fuzz_route: request routing, http_method_parse() and http_route_find()
 * over the daemon's real route table http_routes, with the request
 * method and path as a client sends them.
 *
 * Input: the method name up to the first space, then the path; or, when
 * there is no space, byte 0 picks a method bit (or none, 0, as the
 * daemon passes an unknown method) and the rest is the path. Both
 * are NUL-terminated heap copies of exact size. The number of parameter
 * slots (0..4) comes from the path length, and the slots are a heap
 * block of exactly that many entries.
 *
 * Properties: a parsed method is 0 or one known bit; a route that is
 * found allows the method (HEAD through GET) and is one of the table's;
 * at most nparams captures are reported, each a non-empty slice inside
 * the path without '/', named by a ":name" of the route's pattern; no
 * route means no captures; *allow never names a method no route has;
 * and the route found does not depend on the number of slots.
 */
#include "fuzz.h"
#include "bandoc_limits.h"
#include "http.h"

#define ALL_METHODS                                                            \
	(HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH |            \
	 HTTP_DELETE | HTTP_OPTIONS)
#define MAX_SLOTS 4

static int
one_bit(unsigned int m)
{
	return m != 0 && (m & (m - 1)) == 0;
}

static size_t
route_count(void)
{
	size_t n = 0;

	while (http_routes[n].pattern != NULL)
		n++;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct http_route *r, *r0;
	const uint8_t *sp = memchr(data, ' ', size);
	struct http_param *params;
	char *method, *path;
	unsigned int m, allow, allow0, every = 0;
	size_t nparams, nfound, nfound0, plen, i, nroutes = route_count();

	if (size == 0)
		return 0;
	for (i = 0; i < nroutes; i++)
		every |= http_routes[i].methods;
	if (every & HTTP_GET)
		every |= HTTP_HEAD;

	if (sp != NULL) {
		method = fuzz_dup(data, (size_t)(sp - data), 1);
		path = fuzz_dup(sp + 1, size - (size_t)(sp - data) - 1, 1);
		m = http_method_parse(method);
		FUZZ_CHECK(m == 0 || (one_bit(m) && (m & ALL_METHODS) != 0));
	} else {
		method = NULL;
		path = fuzz_dup(data + 1, size - 1, 1);
		/* 7: an unknown method, which the daemon passes as 0. */
		m = data[0] % 8 == 7 ? 0 : 1u << (data[0] % 8);
	}
	plen = strlen(path);
	nparams = plen % (MAX_SLOTS + 1);
	params = malloc(nparams * sizeof(*params));
	if (params == NULL && nparams > 0)
		abort();

	r = http_route_find(http_routes, m, path, &allow, params, nparams,
	                    &nfound);
	FUZZ_CHECK(nfound <= nparams);
	FUZZ_CHECK((allow & ~every) == 0);
	if (r == NULL) {
		FUZZ_CHECK(nfound == 0);
	} else {
		FUZZ_CHECK(r >= http_routes && r < http_routes + nroutes);
		FUZZ_CHECK((r->methods & m) != 0 ||
		           (m == HTTP_HEAD && (r->methods & HTTP_GET) != 0));
		FUZZ_CHECK((allow & r->methods) == r->methods);
		FUZZ_CHECK(path[0] == '/');
	}
	for (i = 0; i < nfound; i++) {
		const struct http_param *p = &params[i];

		FUZZ_CHECK(p->value >= path && p->value <= path + plen);
		FUZZ_CHECK(p->len >= 1 && p->len <= plen);
		FUZZ_CHECK(p->value + p->len <= path + plen);
		FUZZ_CHECK(memchr(p->value, '/', p->len) == NULL);
		FUZZ_CHECK(p->name >= r->pattern &&
		           p->name < r->pattern + strlen(r->pattern));
		FUZZ_CHECK(p->name[-1] == ':' || p->name[-1] == '#' ||
		           p->name[-1] == '$');
		if (p->name[-1] == '$')
			FUZZ_CHECK(p->len <= HTTP_TOKEN_MAX &&
			           p->value[0] != '.' &&
			           memchr(p->value, '%', p->len) == NULL);
		/* A "#id" capture is what http_req_param_id reads. */
		if (p->name[-1] == '#')
			FUZZ_CHECK(p->len <= HTTP_ID_DIGITS &&
			           p->value[0] >= '1' && p->value[0] <= '9' &&
			           strspn(p->value, "0123456789") >= p->len);
	}

	/* No slots at all: the same route, the same allowed methods. */
	r0 = http_route_find(http_routes, m, path, &allow0, NULL, 0, &nfound0);
	FUZZ_CHECK(r0 == r);
	FUZZ_CHECK(allow0 == allow);
	FUZZ_CHECK(nfound0 == 0);

	free(params);
	free(path);
	free(method);
	return 0;
}
