#ifndef BANDOC_API_H
#define BANDOC_API_H

#include <jansson.h>

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
/* GET /api/v1/altcha: a bare ALTCHA v1 challenge (invisible mode). */
void api_captcha_altcha(struct http_req *req);

/* What to issue. */
struct api_mint {
	const struct config_site *site;
	const char *article; /* may be NULL */
	enum token_kind kind;
	int en;             /* texts and audio in English */
	const char *action; /* NULL or a label for siteverify */
	int pow_only;       /* never turn a POW request into an image one */
};

/* What was issued. */
struct api_minted {
	char token[TOKEN_MAX_TEXT + 1];
	enum token_kind kind; /* POW may have become IMAGE (risk) */
	int has_pow;
	struct pow_challenge pow; /* when has_pow */
};

/*
 * Issues a challenge for the request's client with the site's rate
 * limits, failure lock-out and adaptive proof-of-work cost.  Returns 0
 * with out filled, or the HTTP status to answer (429, 503, 500) with
 * *code and *retry_after set.
 */
int api_captcha_mint(struct http_req *req, const struct api_mint *m,
                     struct api_minted *out, long *retry_after,
                     const char **code);
/* Counts a failed verification against the client (lock-out after
 * captcha_fail_limit failures). */
void api_captcha_failed(struct http_req *req, const struct config_site *site,
                        enum challenge_result r, int family,
                        const unsigned char *addr);
/* api_common.c */
/* The site named by the "site" argument (the only site when there is
 * one and none is named); NULL with a 400 staged. */
const struct config_site *api_site(struct http_req *req);
/* The article key in argument name, checked (and matched against the
 * site's pattern); NULL with a 400 staged. */
const char *api_article(struct http_req *req, const struct config_site *site,
                        const char *name);
/* config_url_of_site() with the daemon's own origin. */
int api_url_of_site(struct http_req *req, const struct config_site *site,
                    const char *url);
/* Adds Retry-After to the staged reply. */
void api_retry_after(struct http_req *req, long seconds);

/* A Unix time as JSON: "YYYY-MM-DDTHH:MM:SSZ" (UTC), or null for none
 * (t <= 0). The one formatter of the API's times. */
json_t *api_iso_time(long long t);

/* api_comments.c */
void api_comments_post(struct http_req *req);
void api_comments_list(struct http_req *req);

struct comment_error;
struct comment_sub;
struct storage;
/*
 * What a handler does once the comment is durably stored (err NULL) or
 * refused by the write (err set): stages the reply. Runs on the
 * request's HTTP thread, in the resumed call (the writer thread only
 * records the outcome and resumes the request).
 */
typedef void api_comment_finish_fn(struct http_req *req,
                                   const struct comment_sub *sub,
                                   const struct comment_error *err,
                                   long long id, int approved);
/*
 * Parses req's arguments once into a struct comment_input and runs the
 * pipeline (comments.h) on it. Returns 0 when the write is queued (the
 * request is suspended; finish will be called), or -1 with *err filled
 * (the caller replies and frees err->fields).
 */
int api_comments_submit(struct http_req *req, api_comment_finish_fn *finish,
                        struct comment_error *err);
/*
 * The public JSON of a page of an article's approved comments (see
 * GET /api/v1/comments), or NULL on error. rd: a reader connection.
 */
json_t *api_comments_public_json(struct storage *rd,
                                 const struct config_site *site,
                                 const char *article, long long page,
                                 long long per);

/* api_embed.c */
void api_embed_page(struct http_req *req);
void api_embed_fragment(struct http_req *req);
void api_embed_post(struct http_req *req);

/* api_admin.c */
/* The route guard (http.h's http_guard_fn; routes.c names it). */
int api_admin_guard(struct http_req *req, unsigned int need);
void api_admin_comments(struct http_req *req);
void api_admin_comment_action(struct http_req *req);
void api_admin_comment_edit(struct http_req *req);
void api_admin_comment_delete(struct http_req *req);
void api_admin_reply_delete(struct http_req *req);
void api_admin_bulk(struct http_req *req);
void api_admin_bans(struct http_req *req);
void api_admin_ban_add(struct http_req *req);
void api_admin_ban_delete(struct http_req *req);
void api_admin_audit(struct http_req *req);
void api_admin_stats(struct http_req *req);
void api_admin_me(struct http_req *req);
void api_admin_users(struct http_req *req);
void api_admin_user_add(struct http_req *req);
void api_admin_user_state(struct http_req *req);
void api_admin_login(struct http_req *req);
void api_admin_logout(struct http_req *req);
void api_admin_page(struct http_req *req);
void api_admin_oneclick(struct http_req *req);
/* 1 when s is a valid user name (a-z 0-9 . _ -, 1..64). */
int api_admin_name_ok(const char *s);

/* api_demo.c: GET /embed.js */
void api_demo_embed_js(struct http_req *req);
void api_demo_embed_hashed(struct http_req *req);

/* api_views.c */
void api_views_post(struct http_req *req);
void api_views_get(struct http_req *req);
void api_views_pixel(struct http_req *req);
void api_views_top(struct http_req *req);
void api_counts(struct http_req *req);

#endif
