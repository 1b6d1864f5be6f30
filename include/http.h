#ifndef BANDOC_HTTP_H
#define BANDOC_HTTP_H

/*
 * http: the libmicrohttpd daemon(s), the route table, request bodies,
 * replies, CORS, security headers, the access log and HTTP metrics.
 *
 * Life of a request (libmicrohttpd calls the access handler several
 * times): first call: route lookup (404/405), header checks (400 for
 * Content-Length with Transfer-Encoding, 413 above the route's body cap,
 * 415 for a body type we do not take), context allocated. Body calls:
 * urlencoded bodies go through MHD's post processor, JSON bodies into a
 * capped buffer. Last call: the handler runs and stages a reply, which is
 * queued then (never on the first call: libmicrohttpd 0.9.75 would close
 * the keep-alive connection). A handler that must wait (database write,
 * password hash) calls http_req_suspend(); the thread that did the work
 * later calls http_req_resume_with(), and the reply is staged on the HTTP
 * thread (the thread rule below).
 */

#include <stddef.h>
#include <jansson.h>

struct app;
struct config;
struct config_site;
struct http;
struct http_req;

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6
};

/* Route flags. */
#define HTTP_ROUTE_CORS   0x1 /* public API: CORS for the sites' origins */
#define HTTP_ROUTE_PREFIX 0x2 /* pattern matches any path below it */
#define HTTP_ROUTE_REDACT                                                      \
	0x4 /* access log shows the pattern, not the                           \
	       path (paths that carry tokens) */
/* Only for clients in metrics_allow, and only on metrics_listen when set. */
#define HTTP_ROUTE_METRICS 0x8
/* Also answered on metrics_listen (every other route is 404 there). */
#define HTTP_ROUTE_OPS 0x10

/*
 * Route guards: what http.c checks, through http_route_guard, before the
 * handler runs (a refusal is the reply; the handler never runs).
 */
#define HTTP_GUARD_SESSION 0x1 /* a moderator's session (401) */
#define HTTP_GUARD_CSRF                                                        \
	0x2                  /* with its CSRF token and an Origin of the       \
	                        daemon itself (403): state-changing routes */
#define HTTP_GUARD_ADMIN 0x4 /* with the admin role (403) */
/* The usual combinations. */
#define HTTP_GUARD_READ  HTTP_GUARD_SESSION
#define HTTP_GUARD_WRITE (HTTP_GUARD_SESSION | HTTP_GUARD_CSRF)

typedef void http_handler_fn(struct http_req *req);
/* Checks guard (HTTP_GUARD_*) for req: 0, or -1 with a reply staged. */
typedef int http_guard_fn(struct http_req *req, unsigned int guard);

/*
 * A route. Pattern segments: literal, ":name" (any non-empty segment),
 * "#name" (a positive decimal integer below 10^18, read with
 * http_req_param_id) or "$name" (a token: letters, digits, "-_.@", not
 * starting with "."; HTTP_TOKEN_MAX bytes at most). A segment that is
 * not what its parameter takes does not match the route.
 */
struct http_route {
	unsigned int methods; /* HTTP_GET | ... (GET implies HEAD) */
	const char *pattern;  /* "/api/v1/captcha/:file", "/x/#id" */
	http_handler_fn *handler;
	size_t body_max; /* a BODY_* cap; 0: the route takes no body */
	unsigned int flags;
	unsigned int guard; /* HTTP_GUARD_*; 0: public */
	const char *name;   /* metrics label */
};

/* The route table (routes.c). Terminated by a NULL pattern. */
extern const struct http_route http_routes[];
/* What enforces the guard column (routes.c names it). */
extern http_guard_fn *const http_route_guard;

/*
 * Finds the route for method and path. Returns it, or NULL with *allow
 * set to the methods the path does have (0: no such path -> 404).
 * params receives up to nparams ":name" captures as (name, start, len)
 * triples into path. Pure function, used by tests and the fuzzer.
 */
struct http_param {
	const char *name;
	const char *value;
	size_t len;
};
const struct http_route *http_route_find(const struct http_route *routes,
                                         unsigned int method, const char *path,
                                         unsigned int *allow,
                                         struct http_param *params,
                                         size_t nparams, size_t *nfound);

/* Maps a method name to its bit, 0 when unknown. */
unsigned int http_method_parse(const char *s);

/* Starts the daemons on every configured address. NULL on error. */
struct http *http_start(struct app *app);
/* Bound port of the i-th listen address (0 when none). */
unsigned short http_port(struct http *h, size_t i);
/* Stops accepting, waits up to timeout_ms for requests in flight,
 * then stops the daemons. Accepts NULL. */
void http_stop(struct http *h, unsigned int timeout_ms);
/* Requests in flight now. */
unsigned int http_inflight(struct http *h);
/* The HTTP metrics (requests by route and status, latency histogram,
 * in flight) in Prometheus text format, malloc'd; NULL on ENOMEM. */
char *http_metrics_text(struct http *h);

/* --- for handlers --- */
struct app *http_req_app(struct http_req *req);
unsigned int http_req_method(struct http_req *req);
const char *http_req_path(struct http_req *req);
/* A ":name" path parameter, copied and NUL-terminated; NULL if absent. */
const char *http_req_param(struct http_req *req, const char *name);
/* A "#name" path parameter's value (> 0), or -1 if absent. */
long long http_req_param_id(struct http_req *req, const char *name);
/*
 * What the route guard found out about the requester (the moderator's
 * session), kept with the request: set takes a malloc'd block of size
 * bytes, wiped and freed when the request ends; get returns it (NULL:
 * none).
 */
void http_req_set_auth(struct http_req *req, void *auth, size_t size);
void *http_req_auth(struct http_req *req);
/*
 * A request argument: a field of the urlencoded or JSON body (JSON
 * strings as is, numbers and booleans as text), else a query-string
 * argument. Borrowed until the request ends; NULL if absent.
 */
const char *http_req_arg(struct http_req *req, const char *name);
/* Length of the same argument (it may contain NUL bytes). */
size_t http_req_arg_len(struct http_req *req, const char *name);
/* The parsed JSON body (borrowed), or NULL. */
json_t *http_req_json(struct http_req *req);
/* A request header (borrowed), or NULL. */
const char *http_req_header(struct http_req *req, const char *name);
/* The client address after the trusted-proxy rules, as text. */
const char *http_req_client(struct http_req *req);
/* The client address in binary: family AF_INET/AF_INET6, 4/16 bytes. */
int http_req_client_bin(struct http_req *req, int *family,
                        unsigned char addr[16]);
/* The request's id (X-Request-Id from a trusted proxy, else ours): in
 * the access log, the X-Request-Id reply header and error bodies. */
const char *http_req_id(struct http_req *req);
/* Microseconds since the request started. */
long long http_req_elapsed_us(struct http_req *req);

/*
 * Replies. Each stages the reply; the core queues it. A second reply
 * replaces the first. They return 0, or -1 when out of memory (then a
 * 500 is staged instead).
 */
int http_reply_json(struct http_req *req, unsigned int status,
                    json_t *body /* stolen */);
int http_reply_error(struct http_req *req, unsigned int status,
                     const char *code, const char *message);
/* An error with extra members merged into the "error" object (stolen). */
int http_reply_error_extra(struct http_req *req, unsigned int status,
                           const char *code, const char *message,
                           json_t *extra);
/* HTML with the strict CSP; frame-ancestors from site (NULL: 'self'). */
int http_reply_html(struct http_req *req, unsigned int status, const char *html,
                    size_t len, const struct config_site *site);
/* Bytes of a given type; copied unless static_data is set. */
int http_reply_bytes(struct http_req *req, unsigned int status,
                     const char *content_type, const void *data, size_t len,
                     int static_data);
/* 304 Not Modified: no body, with the Content-Length of the 200 it
 * stands for (len bytes), as RFC 9110 8.6 asks. */
int http_reply_not_modified(struct http_req *req, size_t len);
int http_reply_text(struct http_req *req, unsigned int status,
                    const char *text);
int http_reply_redirect(struct http_req *req, unsigned int status,
                        const char *location);
/* Adds a header to the staged reply (after one of the above). */
int http_reply_header(struct http_req *req, const char *name,
                      const char *value);

/*
 * 1 when an If-None-Match field value (NULL: none) matches etag, one
 * entity tag as sent in ETag: the value is "*" or lists the tag, W/ or
 * not (RFC 9110's weak comparison, which 13.1.2 prescribes; nginx makes
 * strong tags weak when it compresses). The handler then replies 304
 * with the same ETag, Cache-Control and Vary as the 200. 0 otherwise,
 * also for a malformed value (from its first bad element on). Reads
 * untrusted bytes: tests/fuzz/fuzz_etag.c. Pure function.
 */
int http_etag_match(const char *if_none_match, const char *etag);

/*
 * Suspends the request (call before handing work to another thread);
 * that thread calls http_req_resume_with. When the work cannot be handed
 * over, http_req_unsuspend and stage a reply before the handler returns.
 */
void http_req_suspend(struct http_req *req);
void http_req_unsuspend(struct http_req *req);

/*
 * The thread rule (README, "Threads"): a thread that finished a
 * suspended request's work does no HTTP work itself. It records the
 * outcome where fn can find it (arg) and calls http_req_resume_with();
 * fn(req, arg) then runs on the request's HTTP thread, in the resumed
 * call, and stages the reply (it may free arg). Only that thread may
 * read the request's connection or stage a reply: builds with
 * BANDOC_THREAD_CHECKS (every sanitizer build) abort otherwise.
 */
typedef void http_resume_fn(struct http_req *req, void *arg);
void http_req_resume_with(struct http_req *req, http_resume_fn *fn, void *arg);

/* A cookie of the request (borrowed), or NULL. */
const char *http_req_cookie(struct http_req *req, const char *name);
/* 1 when the request's Origin (else Referer) is the daemon itself. */
int http_req_from_self(struct http_req *req);

/* The daemon's own origin (public_url, or worked out from the first
 * listen address and its bound port). */
const char *http_self_origin(struct http_req *req);

/*
 * The lower-cased host name (no port) of the page that sent the request:
 * its Origin (else Referer) when that is allowed for site, otherwise the
 * daemon's own.  0, or -1 when it does not fit outsz.
 */
int http_req_page_host(struct http_req *req, const struct config_site *site,
                       char *out, size_t outsz);

/* Origin of the request when it is allowed for site (or is the daemon's
 * own origin), judged by Origin, else Referer. 1 allowed, 0 not. */
int http_req_origin_allowed(struct http_req *req,
                            const struct config_site *site);

#ifdef BANDOC_FUZZ_HOOKS
/* fuzz_form's stall report (fuzz build trees only): the connection
 * libmicrohttpd accepted last (NULL once any closes), and the latest
 * request still in flight as http.c sees it, printed to out. */
#include <stdio.h>
struct MHD_Connection;
extern struct MHD_Connection *_Atomic http_fuzz_last_conn;
void http_fuzz_req_dump(FILE *out);
#endif

#endif
