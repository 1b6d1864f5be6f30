/*
 * http.c: libmicrohttpd glue, routing, bodies, replies. See http.h for
 * the life of a request.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "config.h"
#include "http.h"
#include "bandoc_limits.h"
#include "log.h"
#include "metrics.h"

/* Statuses counted separately in the metrics; others go to "other". */
static const unsigned int statuses[] = {200, 201, 202, 204, 301, 303, 304,
                                        400, 401, 403, 404, 405, 409, 413,
                                        415, 429, 431, 500, 503};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1)
/* Latency histogram bucket bounds in microseconds. */
static const long long buckets_us[] = {100,   250,    500,    1000,
                                       2500,  5000,   10000,  25000,
                                       50000, 100000, 250000, 1000000};
#define NBUCKETS   (sizeof(buckets_us) / sizeof(buckets_us[0]))
#define MAX_ROUTES 64
/* An X-Request-Id taken from a trusted proxy: 1..64 of [A-Za-z0-9._-]
 * (nginx's $request_id is 32 hex digits). */
#define MAX_REQUEST_ID 64

/* What the access handler is given: the daemon a request came in on. */
struct listener {
	struct http *h;
	int metrics; /* 1: the metrics_listen address */
};

struct http {
	struct app *app;
	char self[MAX_ORIGIN_LEN + 1];        /* the daemon's own origin */
	struct MHD_Daemon *d[MAX_LISTEN + 1]; /* the listen addresses, then
	                                         metrics_listen's */
	unsigned short port[MAX_LISTEN + 1];
	size_t nd;
	struct listener lis[MAX_LISTEN + 1];
	int metrics_listen; /* 1: the last daemon is metrics_listen's */
	size_t nroutes;
	_Atomic unsigned int inflight;
	/*
	 * Shutdown (http_stop). Once draining is set, a request that
	 * begins gets 503 shutting_down; the ones begun before go on. Once
	 * closing is set, no request enters its handler any more (503), so
	 * nothing new is suspended. working counts requests in a handler
	 * or suspended: its increment comes before the closing check, so
	 * once the stopper has set closing and then sees 0, none is or
	 * can be suspended. fresh counts connections that have not sent a
	 * request yet (accepted, but not in inflight).
	 */
	_Atomic int draining, closing;
	_Atomic unsigned int working;
	_Atomic unsigned int fresh;
	/* Request ids made here: a random prefix per start, then a count. */
	unsigned int rid_prefix;
	_Atomic unsigned long long rid_next;
	_Atomic unsigned long long count[MAX_ROUTES + 1][NSTATUS];
	_Atomic unsigned long long hist[NBUCKETS + 1];
	_Atomic unsigned long long hist_sum_us;
};

struct field {
	char name[MAX_FIELD_NAME + 1];
	char *val;
	size_t len;
};

struct http_req {
	struct http *h;
	struct MHD_Connection *conn;
	int on_metrics; /* came in on metrics_listen */
	const struct http_route *route;
	size_t route_idx; /* nroutes when none */
	unsigned int method;
	char path[MAX_PATH_LEN + 1];
	struct http_param params[4];
	size_t nparams;
	char param_buf[MAX_PATH_LEN + 8];

	enum { BODY_NONE, BODY_FORM, BODY_JSON } body;
	struct MHD_PostProcessor *pp;
	char *buf; /* JSON body */
	size_t buflen;
	size_t total;         /* body bytes seen, overflow-safe */
	size_t discarded;     /* body bytes dropped after an error */
	struct field *fields; /* MAX_FIELDS, allocated with the first */
	size_t nfields;
	int field_error; /* 1 too many, 2 duplicate, 3 NUL, 4 too long */
	json_t *json;
	void *auth; /* the route guard's finding (http_req_set_auth) */
	size_t auth_size;

	struct MHD_Response *resp;
	unsigned int status;
	size_t resp_bytes;
	int handled, suspended, working;
	int admitted; /* began before the shutdown */
	/* Set by the thread that resumes: the reply is built by on_resume
	 * (with resume_arg) on the HTTP thread, in the resumed call. */
	_Atomic int resumed;
	http_resume_fn *on_resume;
	void *resume_arg;

	int client_done, client_family;
	int peer_trusted; /* the socket peer is a trusted proxy */
	char request_id[MAX_REQUEST_ID + 1];
	unsigned char client_bin[16];
	char client[INET6_ADDRSTRLEN];
	struct timespec start;
};

/* ---------------------------------------------------------------- */
/* Routing                                                           */

unsigned int
http_method_parse(const char *s)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} m[] = {{"GET", HTTP_GET},        {"HEAD", HTTP_HEAD},
	         {"POST", HTTP_POST},      {"PUT", HTTP_PUT},
	         {"PATCH", HTTP_PATCH},    {"DELETE", HTTP_DELETE},
	         {"OPTIONS", HTTP_OPTIONS}};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(s, m[i].name) == 0)
			return m[i].bit;
	return 0;
}

/* 1 when the segment s (n bytes) is what a "#name" parameter takes: a
 * positive decimal integer without leading zeros, below 10^18 (it fits a
 * long long). */
static int
id_segment(const char *s, size_t n)
{
	return n >= 1 && n <= HTTP_ID_DIGITS && s[0] >= '1' && s[0] <= '9' &&
	       strspn(s, "0123456789") >= n;
}

/* 1 when the segment s (n bytes) is what a "$name" parameter takes: a
 * token, a file or a user name: letters, digits and "-_.@", not
 * starting with a dot (no "..", no hidden file). */
static int
token_segment(const char *s, size_t n)
{
	return n >= 1 && n <= HTTP_TOKEN_MAX && s[0] != '.' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789-_.@") >= n;
}

/* Matches one pattern against path; fills params. 1 match, 0 not. */
static int
match(const struct http_route *r, const char *path, struct http_param *params,
      size_t nparams, size_t *nfound)
{
	const char *p = r->pattern, *q = path;
	size_t n = 0;

	while (*p != '\0') {
		if (*p == ':' || *p == '#' || *p == '$') {
			const char *name = p + 1, *start = q;
			size_t plen = strcspn(name, "/");

			if (*q == '\0' || *q == '/')
				return 0;
			q += strcspn(q, "/");
			if ((*p == '#' &&
			     !id_segment(start, (size_t)(q - start))) ||
			    (*p == '$' &&
			     !token_segment(start, (size_t)(q - start))))
				return 0;
			if (n < nparams) {
				params[n].name = name;
				params[n].value = start;
				params[n].len = (size_t)(q - start);
				/* name ends at the next '/' of the pattern */
				(void)plen;
			}
			n++;
			p = name + plen;
			continue;
		}
		if (*p != *q)
			return 0;
		p++;
		q++;
	}
	if (*q != '\0' &&
	    !((r->flags & HTTP_ROUTE_PREFIX) && (*q == '/' || q[-1] == '/')))
		return 0;
	*nfound = n < nparams ? n : nparams;
	return 1;
}

const struct http_route *
http_route_find(const struct http_route *routes, unsigned int method,
                const char *path, unsigned int *allow,
                struct http_param *params, size_t nparams, size_t *nfound)
{
	const struct http_route *r;
	unsigned int m = method == HTTP_HEAD ? HTTP_GET | HTTP_HEAD : method;

	*allow = 0;
	*nfound = 0;
	for (r = routes; r->pattern != NULL; r++) {
		if (!match(r, path, params, nparams, nfound))
			continue;
		*allow |= r->methods;
		if (r->methods & HTTP_GET)
			*allow |= HTTP_HEAD;
		if (r->methods & m)
			return r;
	}
	*nfound = 0;
	return NULL;
}

static void
allow_text(unsigned int allow, int cors, char *out, size_t outsz)
{
	static const char *names[] = {"GET",   "HEAD",   "POST",   "PUT",
	                              "PATCH", "DELETE", "OPTIONS"};
	size_t i, n = 0;

	out[0] = '\0';
	if (cors)
		allow |= HTTP_OPTIONS;
	for (i = 0; i < 7; i++)
		if (allow & (1u << i)) {
			int r = snprintf(out + n, outsz - n, "%s%s",
			                 n > 0 ? ", " : "", names[i]);

			if (r > 0 && (size_t)r < outsz - n)
				n += (size_t)r;
		}
}

/* ---------------------------------------------------------------- */
/* The thread rule                                                   */

/*
 * The request being handled by this thread's access handler call, or
 * NULL. Only that call may read the request's connection or stage its
 * reply: a thread that finished a request's work records the outcome
 * and calls http_req_resume_with(), whose builder then runs here (the
 * README's "Threads"). Builds with sanitizers (CI's) check every such
 * access and abort on one from elsewhere; others do not pay for it.
 */
static _Thread_local struct http_req *handling;

#ifdef BANDOC_THREAD_CHECKS
static void
thread_check(const struct http_req *req, const char *what)
{
	if (handling != req) {
		log_warnx("thread rule: %s outside the HTTP thread's call for "
		          "this request",
		          what);
		abort();
	}
}
#define THREAD_CHECK(req) thread_check((req), __func__)
#else
#define THREAD_CHECK(req) ((void)(req))
#endif

/* ---------------------------------------------------------------- */
/* Request accessors                                                 */

struct app *
http_req_app(struct http_req *req)
{
	return req->h->app;
}

unsigned int
http_req_method(struct http_req *req)
{
	return req->method;
}

const char *
http_req_path(struct http_req *req)
{
	return req->path;
}

const char *
http_req_param(struct http_req *req, const char *name)
{
	size_t i, nl = strlen(name);

	for (i = 0; i < req->nparams; i++) {
		const char *pn = req->params[i].name;

		if (strncmp(pn, name, nl) == 0 &&
		    (pn[nl] == '\0' || pn[nl] == '/'))
			return req->params[i].value;
	}
	return NULL;
}

long long
http_req_param_id(struct http_req *req, const char *name)
{
	const char *v = http_req_param(req, name);
	long long id;

	/* The route matched only a valid id (id_segment). */
	if (v == NULL || config_parse_ll(v, 1, LLONG_MAX, &id) != 0)
		return -1;
	return id;
}

void
http_req_set_auth(struct http_req *req, void *auth, size_t size)
{
	if (req->auth != NULL) {
		sodium_memzero(req->auth, req->auth_size);
		free(req->auth);
	}
	req->auth = auth;
	req->auth_size = size;
}

void *
http_req_auth(struct http_req *req)
{
	return req->auth;
}

static struct field *
field_find(struct http_req *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->nfields; i++)
		if (strcmp(req->fields[i].name, name) == 0)
			return &req->fields[i];
	return NULL;
}

const char *
http_req_arg(struct http_req *req, const char *name)
{
	struct field *f;

	THREAD_CHECK(req);
	f = field_find(req, name);

	if (f != NULL)
		return f->val;
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
	                                   name);
}

size_t
http_req_arg_len(struct http_req *req, const char *name)
{
	struct field *f;
	const char *v = NULL;
	size_t len = 0;

	THREAD_CHECK(req);
	if ((f = field_find(req, name)) != NULL)
		return f->len;
	/* The real length of a query argument: "%00" decodes to a NUL that
	 * strlen() would hide, so validators see the mismatch. */
	if (MHD_lookup_connection_value_n(req->conn, MHD_GET_ARGUMENT_KIND,
	                                  name, strlen(name), &v,
	                                  &len) != MHD_YES)
		return 0;
	return len;
}

json_t *
http_req_json(struct http_req *req)
{
	return req->json;
}

const char *
http_req_header(struct http_req *req, const char *name)
{
	THREAD_CHECK(req);
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static int
proxy_trusted(const struct config *cfg, int family, const unsigned char *a)
{
	size_t i;

	for (i = 0; i < cfg->nproxies; i++)
		if (config_cidr_match(&cfg->proxies[i], family, a))
			return 1;
	return 0;
}

/* Works out the client: the socket peer, or, when the peer is a trusted
 * proxy, the right-most X-Forwarded-For entry that is not one. */
static void
client_resolve(struct http_req *req)
{
	const union MHD_ConnectionInfo *ci;
	const struct config *cfg = req->h->app->cfg;
	const char *xff;
	int family = AF_INET;
	unsigned char a[16] = {0};

	req->client_done = 1;
	ci = MHD_get_connection_info(req->conn,
	                             MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		if (ci->client_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s6 =
			    (const struct sockaddr_in6 *)(const void *)
			        ci->client_addr;

			family = AF_INET6;
			memcpy(a, &s6->sin6_addr, 16);
		} else {
			const struct sockaddr_in *s4 =
			    (const struct sockaddr_in *)(const void *)
			        ci->client_addr;

			memcpy(a, &s4->sin_addr, 4);
		}
	}
	req->peer_trusted = proxy_trusted(cfg, family, a);
	xff = http_req_header(req, "X-Forwarded-For");
	if (xff != NULL && req->peer_trusted) {
		size_t len = strlen(xff), end = len, hops = 0;

		while (end > 0 && hops++ < MAX_XFF_HOPS) {
			char item[INET6_ADDRSTRLEN + 1];
			unsigned char b[16] = {0};
			size_t start = end, n;
			const char *s;
			int fam;

			while (start > 0 && xff[start - 1] != ',')
				start--;
			s = xff + start;
			n = end - start;
			while (n > 0 && (*s == ' ' || *s == '\t')) {
				s++;
				n--;
			}
			while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
				n--;
			end = start > 0 ? start - 1 : 0;
			if (n == 0 || n >= sizeof(item))
				break;
			memcpy(item, s, n);
			item[n] = '\0';
			if (inet_pton(AF_INET, item, b) == 1)
				fam = AF_INET;
			else if (inet_pton(AF_INET6, item, b) == 1)
				fam = AF_INET6;
			else
				break; /* garbage: keep the last good one */
			family = fam;
			memcpy(a, b, 16);
			if (!proxy_trusted(cfg, fam, b))
				break;
			if (start == 0)
				break;
		}
	}
	req->client_family = family;
	memcpy(req->client_bin, a, 16);
}

const char *
http_req_client(struct http_req *req)
{
	THREAD_CHECK(req);
	if (!req->client_done)
		client_resolve(req);
	/* The text only when asked for (glibc formats it with sprintf);
	 * counting a view needs the binary form alone. */
	if (req->client[0] == '\0')
		inet_ntop(req->client_family, req->client_bin, req->client,
		          sizeof(req->client));
	return req->client;
}

int
http_req_client_bin(struct http_req *req, int *family, unsigned char addr[16])
{
	THREAD_CHECK(req);
	if (!req->client_done)
		client_resolve(req);
	*family = req->client_family;
	memcpy(addr, req->client_bin, 16);
	return 0;
}

long long
http_req_elapsed_us(struct http_req *req)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - req->start.tv_sec) * 1000000LL +
	       (now.tv_nsec - req->start.tv_nsec) / 1000;
}

/* Origin of an allowed-origins check: the Origin header, else the
 * scheme://host[:port] of the Referer. */
static int
request_origin(struct http_req *req, char *out, size_t outsz)
{
	const char *o = http_req_header(req, "Origin");
	char tmp[MAX_ORIGIN_LEN + 1];

	if (o != NULL)
		return config_origin_normalise(o, out, outsz);
	o = http_req_header(req, "Referer");
	if (o != NULL) {
		const char *hs = strstr(o, "://");
		size_t n;

		if (hs == NULL)
			return -1;
		n = (size_t)(hs + 3 - o) + strcspn(hs + 3, "/?#");
		if (n >= sizeof(tmp))
			return -1;
		memcpy(tmp, o, n);
		tmp[n] = '\0';
		return config_origin_normalise(tmp, out, outsz);
	}
	return -1;
}

static int
origin_in_site(const struct config_site *s, const char *origin)
{
	size_t i;

	for (i = 0; i < s->norigins; i++)
		if (strcmp(s->origins[i], origin) == 0)
			return 1;
	return 0;
}

int
http_req_origin_allowed(struct http_req *req, const struct config_site *site)
{
	char origin[MAX_ORIGIN_LEN + 1];

	if (request_origin(req, origin, sizeof(origin)) != 0)
		return 0;
	if (strcmp(origin, req->h->self) == 0)
		return 1;
	/* Same origin as the page the browser asked us for: its Origin
	 * names the Host it sent (another site cannot forge either). */
	{
		const char *host = http_req_header(req, "Host");
		const char *o = strstr(origin, "://");

		if (host != NULL && o != NULL && strcasecmp(o + 3, host) == 0)
			return 1;
	}
	return site != NULL && origin_in_site(site, origin);
}

int
http_req_page_host(struct http_req *req, const struct config_site *site,
                   char *out, size_t outsz)
{
	char origin[MAX_ORIGIN_LEN + 1];
	const char *o = origin, *h;
	size_t n, i;

	if (!http_req_origin_allowed(req, site) ||
	    request_origin(req, origin, sizeof(origin)) != 0)
		o = req->h->self;
	if ((h = strstr(o, "://")) == NULL)
		return -1;
	h += 3;
	/* The host without the port; an IPv6 literal keeps its brackets. */
	n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":");
	if (n == 0 || n >= outsz)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = h[i] >= 'A' && h[i] <= 'Z' ? (char)(h[i] - 'A' + 'a')
		                                    : h[i];
	out[n] = '\0';
	return 0;
}

/* Is this Origin header one of any site's origins (for CORS)? */
static int
cors_origin_ok(struct http_req *req, const char *origin)
{
	const struct config *cfg = req->h->app->cfg;
	char norm[MAX_ORIGIN_LEN + 1];
	size_t i;

	if (config_origin_normalise(origin, norm, sizeof(norm)) != 0)
		return 0;
	for (i = 0; i < cfg->nsites; i++)
		if (origin_in_site(&cfg->sites[i], norm))
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Replies                                                           */

static void
stage(struct http_req *req, unsigned int status, struct MHD_Response *resp,
      size_t bytes)
{
	THREAD_CHECK(req);
	if (req->resp != NULL)
		MHD_destroy_response(req->resp);
	req->resp = resp;
	req->status = status;
	req->resp_bytes = bytes;
}

static void
stage_oom(struct http_req *req)
{
	static const char body[] = "{\"error\":{\"code\":\"out_of_memory\","
	                           "\"message\":\"The server is out of "
	                           "memory.\"}}";
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    sizeof(body) - 1, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);

	stage(req, 500, r, sizeof(body) - 1);
	if (r != NULL)
		MHD_add_response_header(r, "Content-Type", "application/json");
}

int
http_reply_bytes(struct http_req *req, unsigned int status,
                 const char *content_type, const void *data, size_t len,
                 int static_data)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(
	    len, (void *)(uintptr_t)data,
	    static_data ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
	if (r == NULL) {
		stage_oom(req);
		return -1;
	}
	if (content_type != NULL)
		MHD_add_response_header(r, "Content-Type", content_type);
	stage(req, status, r, len);
	return 0;
}

/* A 304 sends no body, so nothing is read from here. */
static ssize_t
no_body(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)cls;
	(void)pos;
	(void)buf;
	(void)max;
	return MHD_CONTENT_READER_END_OF_STREAM;
}

int
http_reply_not_modified(struct http_req *req, size_t len)
{
	struct MHD_Response *r =
	    MHD_create_response_from_callback(len, 1024, no_body, NULL, NULL);

	if (r == NULL) {
		stage_oom(req);
		return -1;
	}
	stage(req, 304, r, 0);
	return 0;
}

int
http_reply_json(struct http_req *req, unsigned int status, json_t *body)
{
	struct MHD_Response *r;
	char *text;
	size_t len;

	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (text == NULL) {
		stage_oom(req);
		return -1;
	}
	len = strlen(text);
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		stage_oom(req);
		return -1;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	stage(req, status, r, len);
	return 0;
}

int
http_reply_error_extra(struct http_req *req, unsigned int status,
                       const char *code, const char *message, json_t *extra)
{
	json_t *err = json_pack("{s:s, s:s, s:s}", "code", code, "message",
	                        message, "request_id", req->request_id);

	if (err != NULL && extra != NULL)
		json_object_update(err, extra);
	json_decref(extra);
	if (err == NULL) {
		stage_oom(req);
		return -1;
	}
	return http_reply_json(req, status, json_pack("{s:o}", "error", err));
}

int
http_reply_error(struct http_req *req, unsigned int status, const char *code,
                 const char *message)
{
	return http_reply_error_extra(req, status, code, message, NULL);
}

int
http_reply_html(struct http_req *req, unsigned int status, const char *html,
                size_t len, const struct config_site *site)
{
	char csp[MAX_ORIGINS * (MAX_ORIGIN_LEN + 1) + 512];
	size_t n, i;
	int r;

	if (http_reply_bytes(req, status, "text/html; charset=utf-8", html, len,
	                     0) != 0)
		return -1;
	r = snprintf(
	    csp, sizeof(csp),
	    "default-src 'none'; script-src 'self'; style-src 'self'; "
	    "img-src 'self' data:; media-src 'self'; connect-src 'self'; "
	    "frame-src 'self'; worker-src blob:; "
	    "form-action 'self'; base-uri 'none'; frame-ancestors 'self'");
	n = (size_t)r;
	for (i = 0; site != NULL && i < site->norigins; i++) {
		r = snprintf(csp + n, sizeof(csp) - n, " %s", site->origins[i]);
		if (r > 0 && (size_t)r < sizeof(csp) - n)
			n += (size_t)r;
	}
	return http_reply_header(req, "Content-Security-Policy", csp);
}

int
http_reply_text(struct http_req *req, unsigned int status, const char *text)
{
	return http_reply_bytes(req, status, "text/plain; charset=utf-8", text,
	                        strlen(text), 0);
}

int
http_reply_redirect(struct http_req *req, unsigned int status,
                    const char *location)
{
	if (http_reply_bytes(req, status, NULL, "", 0, 1) != 0)
		return -1;
	return http_reply_header(req, "Location", location);
}

int
http_reply_header(struct http_req *req, const char *name, const char *value)
{
	THREAD_CHECK(req);
	if (req->resp == NULL ||
	    MHD_add_response_header(req->resp, name, value) != MHD_YES)
		return -1;
	return 0;
}

void
http_req_suspend(struct http_req *req)
{
	/* Suspend now, before the work is handed to another thread, so a
	 * resume can never come before the suspension. */
	req->suspended = 1;
	MHD_suspend_connection(req->conn);
}

void
http_req_unsuspend(struct http_req *req)
{
	/* The work could not be handed over: the handler stages a reply
	 * before it returns, and the resumed call queues it. */
	http_req_resume_with(req, NULL, NULL);
}

void
http_req_resume_with(struct http_req *req, http_resume_fn *fn, void *arg)
{
	req->on_resume = fn;
	req->resume_arg = arg;
	/* The builder and its argument are written before the flag, and
	 * the flag before libmicrohttpd's lock in MHD_resume_connection
	 * (safe from any thread: MHD_USE_ITC), which the HTTP thread takes
	 * before the resumed call. */
	atomic_store(&req->resumed, 1);
	MHD_resume_connection(req->conn);
}

/* Adds the headers every reply carries, then queues it. */
static enum MHD_Result
queue(struct http_req *req)
{
	struct MHD_Response *r = req->resp;
	const char *origin;
	enum MHD_Result ret;

	if (r == NULL) {
		http_reply_error(req, 500, "no_reply",
		                 "The handler produced no reply.");
		r = req->resp;
		if (r == NULL)
			return MHD_NO;
	}
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Request-Id", req->request_id);
	MHD_add_response_header(r, "Referrer-Policy",
	                        "strict-origin-when-cross-origin");
	if (MHD_get_response_header(r, "Cache-Control") == NULL)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	/* Shutting down: no connection is kept for another request. */
	if (atomic_load(&req->h->draining))
		MHD_add_response_header(r, "Connection", "close");
	if (req->route != NULL && (req->route->flags & HTTP_ROUTE_CORS) &&
	    (origin = http_req_header(req, "Origin")) != NULL &&
	    cors_origin_ok(req, origin)) {
		MHD_add_response_header(r, "Access-Control-Allow-Origin",
		                        origin);
		MHD_add_response_header(r, "Vary", "Origin");
	}
	ret = MHD_queue_response(req->conn, req->status, r);
	MHD_destroy_response(r);
	req->resp = NULL;
	return ret;
}

/* ---------------------------------------------------------------- */
/* Bodies                                                            */

/* The request's body cap: its route's, lowered by [server] body_max
 * (0: the route takes no body). */
static size_t
body_cap(const struct http_req *req)
{
	size_t cap = req->route->body_max;
	size_t all = (size_t)req->h->app->cfg->body_max;

	return cap < all ? cap : all;
}

static int
field_append(struct http_req *req, const char *key, const char *data,
             uint64_t off, size_t size)
{
	struct field *f;
	char *nv;
	int more;

	if (strlen(key) > MAX_FIELD_NAME) {
		req->field_error = 4;
		return -1;
	}
	f = field_find(req, key);
	/*
	 * More of the value being filled, or a new field? libmicrohttpd
	 * 0.9.75 may pass off 0 twice for one value: with no bytes when its
	 * input ends right after "name=" or inside the first "%XX", then
	 * with the first bytes. So off 0 also continues the latest field
	 * while it has no bytes. (An empty field right before its own
	 * duplicate, "a=&a=1", looks the same and is read as one field.)
	 */
	more = off > 0 || (f != NULL && f->len == 0 &&
	                   f == &req->fields[req->nfields - 1]);
	if (!more) {
		if (f != NULL) {
			req->field_error = 2;
			return -1;
		}
		if (req->fields == NULL &&
		    (req->fields = calloc(MAX_FIELDS, sizeof(*f))) == NULL)
			return -1;
		if (req->nfields == MAX_FIELDS) {
			req->field_error = 1;
			return -1;
		}
		f = &req->fields[req->nfields++];
		memcpy(f->name, key, strlen(key) + 1);
	} else if (f == NULL)
		return -1;
	if (memchr(data, '\0', size) != NULL) {
		req->field_error = 3;
		return -1;
	}
	/* The body cap bounds f->len + size; check anyway, overflow-safe. */
	if (size > body_cap(req) || f->len > body_cap(req) - size)
		return -1;
	if ((nv = realloc(f->val, f->len + size + 1)) == NULL)
		return -1;
	memcpy(nv + f->len, data, size);
	f->len += size;
	nv[f->len] = '\0';
	f->val = nv;
	return 0;
}

static enum MHD_Result
post_iterator(void *cls, enum MHD_ValueKind kind, const char *key,
              const char *filename, const char *content_type,
              const char *transfer_encoding, const char *data, uint64_t off,
              size_t size)
{
	struct http_req *req = cls;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	return field_append(req, key, data != NULL ? data : "", off, size) == 0
	           ? MHD_YES
	           : MHD_NO;
}

/* Copies the JSON body's scalar members into fields. 0 / -1. */
static int
json_fields(struct http_req *req)
{
	const char *key;
	json_t *v;
	char num[64];

	json_object_foreach(req->json, key, v)
	{
		const char *s = NULL;
		size_t n = 0;

		if (json_is_string(v)) {
			s = json_string_value(v);
			n = json_string_length(v);
		} else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			         json_integer_value(v));
			s = num;
			n = strlen(num);
		} else if (json_is_real(v)) {
			snprintf(num, sizeof(num), "%.17g", json_real_value(v));
			s = num;
			n = strlen(num);
		} else if (json_is_boolean(v)) {
			s = json_is_true(v) ? "true" : "false";
			n = strlen(s);
		} else
			continue; /* objects, arrays, null: via http_req_json */
		if (field_append(req, key, s, 0, n) != 0)
			return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* The access handler                                                */

static void
req_free(struct http_req *req)
{
	size_t i;

	if (req == NULL)
		return;
	if (req->pp != NULL)
		MHD_destroy_post_processor(req->pp);
	for (i = 0; i < req->nfields; i++)
		free(req->fields[i].val);
	free(req->fields);
	free(req->buf);
	json_decref(req->json);
	if (req->auth != NULL) {
		sodium_memzero(req->auth, req->auth_size);
		free(req->auth);
	}
	if (req->resp != NULL)
		MHD_destroy_response(req->resp);
	free(req);
}

static int
has_body(struct MHD_Connection *c, unsigned long long *clen, int *chunked)
{
	const char *cl =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                             "Transfer-Encoding");

	*clen = 0;
	*chunked = te != NULL;
	if (cl != NULL) {
		long long n;

		/* Not a number (RFC 9110: 1*DIGIT), or one past any cap. */
		*clen = config_parse_ll(cl, 0, LLONG_MAX, &n) == 0
		            ? (unsigned long long)n
		            : ~0ULL;
	}
	return *chunked || *clen > 0;
}

/*
 * The request's id: a trusted proxy's X-Request-Id when it is well
 * formed (so one id follows the request through both logs), else our
 * own, unique for this process and unlikely to repeat across starts.
 */
static void
request_id_set(struct http_req *req)
{
	const char *v = http_req_header(req, "X-Request-Id");
	size_t n = v != NULL ? strlen(v) : 0;

	if (n > 0 && n <= MAX_REQUEST_ID &&
	    strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	              "0123456789._-") == n) {
		if (!req->client_done)
			client_resolve(req);
		if (req->peer_trusted) {
			memcpy(req->request_id, v, n + 1);
			return;
		}
	}
	snprintf(req->request_id, sizeof(req->request_id), "%08x%012llx",
	         req->h->rid_prefix,
	         atomic_fetch_add_explicit(&req->h->rid_next, 1,
	                                   memory_order_relaxed) &
	             0xffffffffffffULL);
}

const char *
http_req_id(struct http_req *req)
{
	return req->request_id;
}

/*
 * Whether route may answer this request where it came in: on
 * metrics_listen only the HTTP_ROUTE_OPS routes exist; /metrics only
 * there when it is set, and only for metrics_allow clients (the address
 * after the trusted-proxy rule, so that a proxy on loopback does not
 * open it to the world).  Elsewhere the route is as absent as any
 * unknown path: 404.
 */
static int
route_reachable(struct http_req *req)
{
	const struct config *cfg = req->h->app->cfg;
	int family;
	unsigned char a[16];
	size_t i;

	if (req->on_metrics && !(req->route->flags & HTTP_ROUTE_OPS))
		return 0;
	if (!(req->route->flags & HTTP_ROUTE_METRICS))
		return 1;
	if (req->h->metrics_listen && !req->on_metrics)
		return 0;
	if (http_req_client_bin(req, &family, a) != 0)
		return 0;
	for (i = 0; i < cfg->nmetrics_allow; i++)
		if (config_cidr_match(&cfg->metrics_allow[i], family, a))
			return 1;
	return 0;
}

/* First call: everything decided from the request line and headers. */
static void
first_call(struct http_req *req, const char *url, const char *method)
{
	unsigned int allow;
	unsigned long long clen;
	int chunked, body;
	char allowbuf[128];
	const char *ct;

	req->method = http_method_parse(method);
	request_id_set(req);
	if (strlen(url) > MAX_PATH_LEN) {
		http_reply_error(req, 414, "uri_too_long",
		                 "The request path is too long.");
		return;
	}
	memcpy(req->path, url, strlen(url) + 1);
	req->route = http_route_find(http_routes, req->method, req->path,
	                             &allow, req->params, 4, &req->nparams);
	/* Copy params into NUL-terminated strings. */
	{
		size_t i, n = 0;

		for (i = 0; i < req->nparams; i++) {
			struct http_param *p = &req->params[i];

			memcpy(req->param_buf + n, p->value, p->len);
			req->param_buf[n + p->len] = '\0';
			p->value = req->param_buf + n;
			n += p->len + 1;
		}
	}
	if (req->route != NULL && !route_reachable(req)) {
		req->route = NULL;
		allow = 0;
	}
	if (req->route != NULL)
		req->route_idx = (size_t)(req->route - http_routes);
	body = has_body(req->conn, &clen, &chunked);
	if (req->route == NULL) {
		const struct http_route *r;
		int cors = 0;

		for (r = http_routes; allow != 0 && r->pattern != NULL; r++) {
			struct http_param tmp[4];
			size_t nf;

			if ((r->flags & HTTP_ROUTE_CORS) &&
			    match(r, req->path, tmp, 4, &nf))
				cors = 1;
		}
		if (allow == 0) {
			http_reply_error(req, 404, "not_found",
			                 "There is nothing at this address.");
		} else if (req->method == HTTP_OPTIONS && cors) {
			const char *origin = http_req_header(req, "Origin");
			const char *want = http_req_header(
			    req, "Access-Control-Request-Method");

			if (origin == NULL || !cors_origin_ok(req, origin) ||
			    want == NULL ||
			    (http_method_parse(want) & allow) == 0) {
				http_reply_error(
				    req, 403, "cors_refused",
				    "This origin may not call this address.");
				return;
			}
			allow_text(allow, 0, allowbuf, sizeof(allowbuf));
			http_reply_bytes(req, 204, NULL, "", 0, 1);
			http_reply_header(req, "Access-Control-Allow-Origin",
			                  origin);
			http_reply_header(req, "Vary", "Origin");
			http_reply_header(req, "Access-Control-Allow-Methods",
			                  allowbuf);
			http_reply_header(req, "Access-Control-Allow-Headers",
			                  "Content-Type");
			http_reply_header(req, "Access-Control-Max-Age", "600");
		} else {
			allow_text(allow, cors, allowbuf, sizeof(allowbuf));
			http_reply_error(
			    req, 405, "method_not_allowed",
			    "This address does not take this method.");
			http_reply_header(req, "Allow", allowbuf);
		}
		return;
	}
	if (chunked && MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
	                                           "Content-Length") != NULL) {
		http_reply_error(
		    req, 400, "bad_request",
		    "Content-Length together with Transfer-Encoding.");
		return;
	}
	if (!body)
		return;
	if (req->route->body_max == 0) {
		http_reply_error(req, 413, "body_too_large",
		                 "This address takes no request body.");
		return;
	}
	if (clen > body_cap(req)) {
		http_reply_error(req, 413, "body_too_large",
		                 "The request body is too large.");
		return;
	}
	ct = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND,
	                                 "Content-Type");
	if (ct != NULL &&
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0) {
		req->body = BODY_FORM;
		req->pp = MHD_create_post_processor(req->conn, POST_BUFFER_SIZE,
		                                    post_iterator, req);
		if (req->pp == NULL)
			http_reply_error(req, 415, "unsupported_media_type",
			                 "The form body cannot be read.");
	} else if (ct != NULL && strncasecmp(ct, "application/json", 16) == 0) {
		req->body = BODY_JSON;
	} else {
		http_reply_error(req, 415, "unsupported_media_type",
		                 "Send application/x-www-form-urlencoded or "
		                 "application/json.");
	}
}

/* A body call: returns 0 to go on, -1 when an error reply is staged. */
static int
body_call(struct http_req *req, const char *data, size_t size)
{
	size_t cap = body_cap(req);

	if (size > cap || req->total > cap - size) {
		http_reply_error(req, 413, "body_too_large",
		                 "The request body is too large.");
		return -1;
	}
	req->total += size;
	if (req->body == BODY_FORM) {
		/* A urlencoded body has no raw NUL (it sends %00), and
		 * libmicrohttpd 0.9.75 would cut the value at one and drop
		 * the rest of it: refuse it like an encoded NUL. */
		if (memchr(data, '\0', size) != NULL)
			req->field_error = 3;
		if (req->field_error == 3 ||
		    MHD_post_process(req->pp, data, size) != MHD_YES) {
			static const char *msgs[] = {
			    "The body cannot be read.", "Too many fields.",
			    "A field appears twice.",
			    "A field contains a NUL byte.",
			    "A field name is too long."};

			http_reply_error(req, 400, "bad_body",
			                 msgs[req->field_error]);
			return -1;
		}
		return 0;
	}
	if (req->buf == NULL && (req->buf = malloc(cap)) == NULL) {
		stage_oom(req);
		return -1;
	}
	memcpy(req->buf + req->buflen, data, size);
	req->buflen += size;
	return 0;
}

static void
finish_body(struct http_req *req)
{
	json_error_t jerr;

	if (req->body == BODY_FORM && req->pp != NULL) {
		MHD_destroy_post_processor(req->pp);
		req->pp = NULL;
	}
	if (req->body != BODY_JSON)
		return;
	req->json = json_loadb(req->buf != NULL ? req->buf : "", req->buflen,
	                       JSON_REJECT_DUPLICATES, &jerr);
	if (req->json == NULL) {
		http_reply_error(req, 400, "invalid_json",
		                 "The body is not valid JSON.");
		return;
	}
	if (!json_is_object(req->json)) {
		http_reply_error(req, 400, "invalid_json",
		                 "The body must be a JSON object.");
		return;
	}
	if (json_fields(req) != 0) {
		static const char *msgs[] = {
		    "The body cannot be read.", "Too many fields.",
		    "A field appears twice.", "A field contains a NUL byte.",
		    "A field name is too long."};

		http_reply_error(req, 400, "bad_body", msgs[req->field_error]);
	}
}

/*
 * A connection's state, for the shutdown: fresh until its first request
 * (libmicrohttpd's socket context, set when it is accepted).
 */
struct conn_state {
	int served;
};

#ifdef BANDOC_FUZZ_HOOKS
struct MHD_Connection *_Atomic http_fuzz_last_conn;
static struct http_req *_Atomic fuzz_last_req;

/* Racy reads: for a report only. */
void
http_fuzz_req_dump(FILE *out)
{
	struct http_req *r = atomic_load(&fuzz_last_req);

	if (r == NULL) {
		fprintf(out, "fuzz_form: stall: no request in flight\n");
		return;
	}
	fprintf(out,
	        "fuzz_form: stall: request %s method %u handled %d suspended "
	        "%d resumed %d on_resume %d resp %d status %u working %d "
	        "admitted %d total %zu\n",
	        r->path, r->method, r->handled, r->suspended,
	        atomic_load(&r->resumed), r->on_resume != NULL, r->resp != NULL,
	        r->status, r->working, r->admitted, r->total);
}
#endif

static void
notify_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
                  enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;
	struct conn_state *cs;

	(void)conn;
#ifdef BANDOC_FUZZ_HOOKS
	atomic_store(&http_fuzz_last_conn,
	             toe == MHD_CONNECTION_NOTIFY_STARTED ? conn : NULL);
#endif
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		/* Without memory the connection still works; only the
		 * shutdown does not wait for its first request. */
		if ((*socket_ctx = calloc(1, sizeof(*cs))) != NULL)
			atomic_fetch_add(&h->fresh, 1);
		return;
	}
	if ((cs = *socket_ctx) != NULL) {
		if (!cs->served)
			atomic_fetch_sub(&h->fresh, 1);
		free(cs);
		*socket_ctx = NULL;
	}
}

/* The connection's first request has begun. */
static void
conn_served(struct http *h, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_state *cs = ci != NULL ? ci->socket_context : NULL;

	if (cs != NULL && !cs->served) {
		cs->served = 1;
		atomic_fetch_sub(&h->fresh, 1);
	}
}

/* The request has left its handler for good (see struct http). */
static void
work_end(struct http_req *req)
{
	if (req->working) {
		req->working = 0;
		atomic_fetch_sub(&req->h->working, 1);
	}
}

static enum MHD_Result
handle(const struct listener *li, struct MHD_Connection *conn, const char *url,
       const char *method, const char *upload_data, size_t *upload_data_size,
       void **con_cls)
{
	struct http *h = li->h;
	struct http_req *req = *con_cls;

	if (req == NULL) {
		if ((req = calloc(1, sizeof(*req))) == NULL)
			return MHD_NO;
		handling = req;
		req->h = h;
		req->conn = conn;
		req->on_metrics = li->metrics;
		req->route_idx = h->nroutes;
		clock_gettime(CLOCK_MONOTONIC, &req->start);
		atomic_fetch_add(&h->inflight, 1);
#ifdef BANDOC_FUZZ_HOOKS
		atomic_store(&fuzz_last_req, req);
#endif
		req->admitted = !atomic_load(&h->draining);
		conn_served(h, conn);
		*con_cls = req;
		first_call(req, url, method);
		/* An error with a body still coming. Up to HTTP_DISCARD_MAX
		 * declared bytes, the body is read and dropped, and the error
		 * goes out when it is in (the connection stays open); a
		 * larger or chunked one, or one the client waits to send
		 * (Expect: 100-continue), is answered now (libmicrohttpd then
		 * closes the connection instead of reading it; a body with
		 * both Content-Length and chunked must never be read). */
		if (req->resp != NULL) {
			unsigned long long clen;
			int chunked;

			req->handled = 1;
			if (has_body(conn, &clen, &chunked) &&
			    (chunked || clen > HTTP_DISCARD_MAX ||
			     MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
			                                 "Expect") != NULL))
				return queue(req);
		}
		return MHD_YES;
	}
	if (atomic_load(&req->resumed)) {
		/* Back from a suspension: the reply is built here, on the
		 * HTTP thread, from what the other thread recorded. */
		atomic_store(&req->resumed, 0);
		req->suspended = 0;
		if (req->on_resume != NULL) {
			http_resume_fn *fn = req->on_resume;

			req->on_resume = NULL;
			fn(req, req->resume_arg);
		}
		work_end(req);
		return queue(req);
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (req->handled) {
			/* Discarding after an error: libmicrohttpd can only
			 * queue the reply once the body is in. Bounded: a
			 * client that keeps sending is cut off. */
			if (n > HTTP_DISCARD_MAX ||
			    req->discarded > HTTP_DISCARD_MAX - n)
				return MHD_NO;
			req->discarded += n;
			return MHD_YES;
		}
		if (body_call(req, upload_data, n) != 0)
			req->handled = 1;
		return MHD_YES;
	}
	if (!req->handled) {
		req->handled = 1;
		finish_body(req);
		req->working = 1;
		atomic_fetch_add(&h->working, 1);
		if (req->resp == NULL &&
		    (!req->admitted || atomic_load(&h->closing))) {
			http_reply_error(
			    req, 503, "shutting_down",
			    "The service is restarting. Please send "
			    "again in a few seconds.");
			http_reply_header(req, "Retry-After", "5");
		}
		if (req->resp == NULL && req->route->guard != 0 &&
		    http_route_guard(req, req->route->guard) != 0 &&
		    req->resp == NULL)
			http_reply_error(req, 403, "forbidden", "Refused.");
		if (req->resp == NULL) {
			req->route->handler(req);
			if (req->suspended)
				return MHD_YES; /* resumed later */
		}
		work_end(req);
	}
	return queue(req);
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url,
               const char *method, const char *version, const char *upload_data,
               size_t *upload_data_size, void **con_cls)
{
	enum MHD_Result r;

	(void)version;
	handling = *con_cls;
	r = handle(cls, conn, url, method, upload_data, upload_data_size,
	           con_cls);
	handling = NULL;
	return r;
}

static size_t
status_index(unsigned int status)
{
	size_t i;

	for (i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return NSTATUS - 1;
}

/* Writes s into out, replacing anything unprintable by '?' (log lines
 * must not be forged through paths). */
static void
printable(const char *s, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; i < outsz - 1 && s[i] != '\0'; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
}

static void
completed(void *cls, struct MHD_Connection *conn, void **con_cls,
          enum MHD_RequestTerminationCode toe)
{
	struct http *h = cls;
	struct http_req *req = *con_cls;
	long long us;
	size_t b;

	(void)conn;
	if (req == NULL)
		return;
	handling = req; /* the HTTP thread's last call for it */
	us = http_req_elapsed_us(req);
	if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && req->status == 0)
		req->status = 499; /* the client went away */
	atomic_fetch_add_explicit(
	    &h->count[req->route_idx][status_index(req->status)], 1,
	    memory_order_relaxed);
	for (b = 0; b < NBUCKETS && us > buckets_us[b]; b++)
		;
	atomic_fetch_add_explicit(&h->hist[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->hist_sum_us, (unsigned long long)us,
	                          memory_order_relaxed);
	if (h->app->cfg->access_log) {
		char path[MAX_PATH_LEN + 1];
		struct log_access_entry e;
		static const char *names[] = {
		    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
		const char *m = "?";
		size_t i;

		for (i = 0; i < 7; i++)
			if (req->method == (1u << i))
				m = names[i];
		printable(req->route != NULL &&
		                  (req->route->flags & HTTP_ROUTE_REDACT)
		              ? req->route->pattern
		              : req->path,
		          path, sizeof(path));
		e.method = m;
		e.path = path;
		e.status = req->status;
		e.bytes = req->resp_bytes;
		e.us = us;
		e.client = http_req_client(req);
		e.request_id = req->request_id;
		log_access(&e);
	}
	work_end(req);
	atomic_fetch_sub(&h->inflight, 1);
#ifdef BANDOC_FUZZ_HOOKS
	{
		struct http_req *expect = req;

		atomic_compare_exchange_strong(&fuzz_last_req, &expect, NULL);
	}
#endif
	req_free(req);
	*con_cls = NULL;
	handling = NULL;
}

/* ---------------------------------------------------------------- */
/* Metrics of the HTTP layer                                         */

char *
http_metrics_text(struct http *h)
{
	size_t cap = 65536, n = 0, r, s, b;
	unsigned long long cum = 0;
	char *out = malloc(cap);
	int k;

	if (out == NULL)
		return NULL;
#define PUT(...)                                                               \
	do {                                                                   \
		k = snprintf(out + n, cap - n, __VA_ARGS__);                   \
		if (k > 0 && (size_t)k < cap - n)                              \
			n += (size_t)k;                                        \
	} while (0)
	PUT("# HELP bandoc_http_requests_total Requests by route and "
	    "status.\n# TYPE bandoc_http_requests_total counter\n");
	for (r = 0; r <= h->nroutes; r++)
		for (s = 0; s < NSTATUS; s++) {
			unsigned long long v = atomic_load_explicit(
			    &h->count[r][s], memory_order_relaxed);
			char st[8];

			if (v == 0)
				continue;
			if (s < NSTATUS - 1)
				snprintf(st, sizeof(st), "%u", statuses[s]);
			else
				snprintf(st, sizeof(st), "other");
			PUT("bandoc_http_requests_total{route=\"%s\","
			    "status=\"%s\"} %llu\n",
			    r < h->nroutes ? http_routes[r].name : "none", st,
			    v);
		}
	PUT("# HELP bandoc_http_request_duration_seconds Time from the "
	    "request line to the end of the reply.\n"
	    "# TYPE bandoc_http_request_duration_seconds histogram\n");
	for (b = 0; b <= NBUCKETS; b++) {
		cum += atomic_load_explicit(&h->hist[b], memory_order_relaxed);
		if (b < NBUCKETS)
			PUT("bandoc_http_request_duration_seconds_bucket{le=\""
			    "%g\"} %llu\n",
			    (double)buckets_us[b] / 1e6, cum);
		else
			PUT("bandoc_http_request_duration_seconds_bucket{le=\""
			    "+Inf\"} %llu\n",
			    cum);
	}
	PUT("bandoc_http_request_duration_seconds_sum %g\n"
	    "bandoc_http_request_duration_seconds_count %llu\n",
	    (double)atomic_load(&h->hist_sum_us) / 1e6, cum);
	PUT("# HELP bandoc_http_inflight Requests in flight.\n"
	    "# TYPE bandoc_http_inflight gauge\nbandoc_http_inflight %u\n",
	    atomic_load(&h->inflight));
#undef PUT
	return out;
}

/* ---------------------------------------------------------------- */
/* Daemon                                                            */

static void mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_debug("libmicrohttpd: %s", msg);
}

/* Starts a daemon on l as h->d[h->nd]; on failure stops h, -1. */
static int
daemon_add(struct http *h, const struct config_listen *l, int metrics)
{
	const struct config *cfg = h->app->cfg;
	const union MHD_DaemonInfo *di;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	                     MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	size_t i = h->nd;

	if (l->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->lis[i].h = h;
	h->lis[i].metrics = metrics;
	h->d[i] = MHD_start_daemon(
	    flags, 0, NULL, NULL, access_handler, &h->lis[i],
	    MHD_OPTION_SOCK_ADDR, &l->addr, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)cfg->connection_limit,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)cfg->per_ip_connection_limit,
	    MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)cfg->connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->connection_memory,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, h,
	    MHD_OPTION_NOTIFY_CONNECTION, notify_connection, h,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_END);
	if (h->d[i] == NULL) {
		log_warnx("http: cannot listen on %s", l->text);
		http_stop(h, 0);
		return -1;
	}
	h->nd++;
	di = MHD_get_daemon_info(h->d[i], MHD_DAEMON_INFO_BIND_PORT);
	h->port[i] = di != NULL ? di->port : 0;
	return 0;
}

struct http *
http_start(struct app *app)
{
	const struct config *cfg = app->cfg;
	struct http *h;
	size_t i;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->app = app;
	h->rid_prefix = randombytes_random();
	while (http_routes[h->nroutes].pattern != NULL)
		h->nroutes++;
	if (h->nroutes > MAX_ROUTES) {
		log_warnx("http: too many routes");
		free(h);
		return NULL;
	}
	for (i = 0; i < cfg->nlisten; i++)
		if (daemon_add(h, &cfg->listen[i], 0) != 0)
			return NULL;
	h->metrics_listen = cfg->metrics_listen_raw[0] != '\0';
	if (h->metrics_listen && daemon_add(h, &cfg->metrics_listen, 1) != 0)
		return NULL;
	if (cfg->public_url[0] != '\0')
		snprintf(h->self, sizeof(h->self), "%s", cfg->public_url);
	else {
		const char *t = cfg->listen[0].text;

		snprintf(h->self, sizeof(h->self), "http://%.*s:%u",
		         (int)(strrchr(t, ':') - t), t, h->port[0]);
	}
	return h;
}

unsigned short
http_port(struct http *h, size_t i)
{
	return i < h->nd ? h->port[i] : 0;
}

unsigned int
http_inflight(struct http *h)
{
	return atomic_load(&h->inflight);
}

/* Connections waiting in the kernel's accept queue of any listener (the
 * listen socket's TCP_INFO on Linux), 0 when it cannot tell. */
static unsigned int
accept_queue(struct http *h)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < h->nd; i++) {
		const union MHD_DaemonInfo *di =
		    MHD_get_daemon_info(h->d[i], MHD_DAEMON_INFO_LISTEN_FD);
		struct tcp_info ti;
		socklen_t len = sizeof(ti);

		if (di != NULL && di->listen_fd != MHD_INVALID_SOCKET &&
		    getsockopt(di->listen_fd, IPPROTO_TCP, TCP_INFO, &ti,
		               &len) == 0)
			n += ti.tcpi_unacked; /* a listener's queue length */
	}
	return n;
}

/*
 * The drain: requests that begin now get 503 shutting_down (the
 * listeners stay open, so connections already queued get that answer
 * instead of a reset), the ones begun before finish. It ends when
 * nothing is in flight, queued or connected without a request, or after
 * timeout_ms. Then no request enters its handler any more, and the stop
 * waits for the suspended ones without a limit: libmicrohttpd must not
 * be stopped under them, and the writer and the Argon2 workers finish
 * every job they took.
 */
void
http_stop(struct http *h, unsigned int timeout_ms)
{
	struct timespec ts = {0, 10 * 1000 * 1000};
	unsigned int waited = 0, n;
	size_t i;

	if (h == NULL)
		return;
	atomic_store(&h->draining, 1);
	while (waited < timeout_ms &&
	       (atomic_load(&h->inflight) > 0 || atomic_load(&h->fresh) > 0 ||
	        accept_queue(h) > 0)) {
		nanosleep(&ts, NULL);
		waited += 10;
	}
	atomic_store(&h->closing, 1);
	for (waited = 0; (n = atomic_load(&h->working)) > 0; waited += 10) {
		if (waited % 5000 == 0)
			log_warnx("http: waiting for %u suspended requests", n);
		nanosleep(&ts, NULL);
	}
	if (atomic_load(&h->inflight) > 0)
		log_warnx("http: %u requests still in flight at shutdown",
		          atomic_load(&h->inflight));
	/* Stop accepting; what is accepted still gets its 503. */
	for (i = 0; i < h->nd; i++) {
		MHD_socket s = MHD_quiesce_daemon(h->d[i]);

		if (s != MHD_INVALID_SOCKET)
			close(s);
	}
	for (i = 0; i < h->nd; i++)
		MHD_stop_daemon(h->d[i]);
	free(h);
}

const char *
http_self_origin(struct http_req *req)
{
	return req->h->self;
}

const char *
http_req_cookie(struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

int
http_req_from_self(struct http_req *req)
{
	char origin[MAX_ORIGIN_LEN + 1];
	const char *host = http_req_header(req, "Host"), *o;

	if (request_origin(req, origin, sizeof(origin)) != 0)
		return 0;
	if (strcmp(origin, req->h->self) == 0)
		return 1;
	o = strstr(origin, "://");
	return host != NULL && o != NULL && strcasecmp(o + 3, host) == 0;
}

/*
 * If-None-Match (RFC 9110 13.1.2): "*", or a list of entity tags
 * [W/]"opaque", compared weakly (13.1.2 says so for this header): the
 * opaque parts are compared byte for byte and W/ is ignored on both
 * sides. Parsing stops at the first element that is not an entity tag
 * (commas may sit inside the quotes, so there is no skipping to the
 * next one): what came before it still counts, the rest does not, and a
 * wrong guess costs a 200 with the body, never a wrong 304.
 */
int
http_etag_match(const char *if_none_match, const char *etag)
{
	const char *p = if_none_match, *want, *end;
	size_t wlen;

	if (p == NULL || etag == NULL)
		return 0;
	want = strncmp(etag, "W/", 2) == 0 ? etag + 2 : etag;
	wlen = strlen(want);
	if (wlen < 2 || want[0] != '"' || want[wlen - 1] != '"')
		return 0;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return 0;
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"' || (end = strchr(p + 1, '"')) == NULL)
			return 0;
		end++;
		if ((size_t)(end - p) == wlen && memcmp(p, want, wlen) == 0)
			return 1;
		p = end;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ',' && *p != '\0')
			return 0;
	}
}
