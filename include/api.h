#ifndef BANDOC_API_H
#define BANDOC_API_H

/*
 * api: the handlers of the route table, one file per resource
 * (api_health.c, api_demo.c, ...). Each takes the request and stages a
 * reply through http.h.
 */

#include "http.h"

/* api_health.c */
void api_health_healthz(struct http_req *req);
void api_health_metrics(struct http_req *req);
void api_health_version(struct http_req *req);

/* api_demo.c */
void api_demo_page(struct http_req *req);
void api_demo_static(struct http_req *req);

#endif
