/*
 * routes.c: the route table. Routes are data: method, path pattern,
 * handler, body cap, flags, metrics name. Order matters only between
 * patterns that match the same path (first wins).
 */
#include <stddef.h>

#include "api.h"
#include "http.h"

const struct http_route http_routes[] = {
    {HTTP_GET, "/healthz", api_health_healthz, 0, 0, "healthz"},
    {HTTP_GET, "/metrics", api_health_metrics, 0, 0, "metrics"},
    {HTTP_GET, "/api/v1/version", api_health_version, 0, HTTP_ROUTE_CORS,
     "version"},
    {HTTP_POST, "/api/v1/captcha", api_captcha_issue, 4096, HTTP_ROUTE_CORS,
     "captcha_issue"},
    {HTTP_GET, "/api/v1/captcha/:file", api_captcha_render, 0,
     HTTP_ROUTE_CORS | HTTP_ROUTE_REDACT, "captcha_render"},
    {HTTP_POST, "/api/v1/siteverify", api_captcha_siteverify, 4096, 0,
     "siteverify"},
    {HTTP_POST, "/api/v1/comments", api_comments_post, 64 * 1024,
     HTTP_ROUTE_CORS, "comments_post"},
    {HTTP_GET, "/api/v1/comments", api_comments_list, 0, HTTP_ROUTE_CORS,
     "comments_list"},
    {HTTP_GET, "/embed.js", api_demo_embed_js, 0, 0, "embed_js"},
    {HTTP_GET, "/embed/comments", api_embed_page, 0, 0, "embed_page"},
    {HTTP_GET, "/embed/comments.html", api_embed_fragment, 0, 0,
     "embed_fragment"},
    {HTTP_POST, "/embed/comments", api_embed_post, 64 * 1024, 0, "embed_post"},
    {HTTP_POST, "/api/v1/views", api_views_post, 4096, HTTP_ROUTE_CORS,
     "views_post"},
    {HTTP_GET, "/api/v1/views", api_views_get, 0, HTTP_ROUTE_CORS, "views_get"},
    {HTTP_GET, "/api/v1/views/top", api_views_top, 0, HTTP_ROUTE_CORS,
     "views_top"},
    {HTTP_GET, "/api/v1/counts", api_counts, 0, HTTP_ROUTE_CORS, "counts"},
    {HTTP_GET, "/v.gif", api_views_pixel, 0, 0, "views_pixel"},
    {HTTP_GET, "/", api_demo_page, 0, 0, "demo"},
    {HTTP_GET, "/static/:file", api_demo_static, 0, 0, "static"},
    {0, NULL, NULL, 0, 0, NULL},
};
