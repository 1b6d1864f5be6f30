#ifndef BANDOC_API_H
#define BANDOC_API_H

/*
 * api: the handlers of the route table, one file per resource
 * (api_health.c, api_demo.c, ...). Each takes the request and stages a
 * reply through http.h.
 */

#include "challenge.h"
#include "http.h"

struct config_site;

/* api_health.c */
void api_health_healthz(struct http_req *req);
void api_health_metrics(struct http_req *req);
void api_health_version(struct http_req *req);

/* api_demo.c */
void api_demo_page(struct http_req *req);
void api_demo_static(struct http_req *req);

/* api_captcha.c */
void api_captcha_issue(struct http_req *req);
void api_captcha_render(struct http_req *req);
void api_captcha_siteverify(struct http_req *req);
/* Counts a failed verification against the client (lock-out after
 * captcha_fail_limit failures). */
void api_captcha_failed(struct http_req *req, const struct config_site *site,
                        enum challenge_result r, int family,
                        const unsigned char *addr);
/* 1 when s (len bytes) is a valid article key: 1..200 bytes, no control
 * characters or NUL. */
int api_article_key_ok(const char *s, size_t len);

#endif
