#ifndef BANDOC_COMMENTS_H
#define BANDOC_COMMENTS_H

/*
 * comments: the submission pipeline shared by the JSON API and the
 * no-JavaScript form, in the order of the contract: caps and required
 * fields -> UTF-8 and normalisation -> origin -> honeypot -> CAPTCHA
 * (spends the token) -> rate limit -> bans -> word filter and links ->
 * duplicate (in the writer) -> durable insert through the writer, reply
 * only after the commit.
 */

#include <jansson.h>

#include "storage.h"

struct app;
struct http_req;
struct config_site;

struct comment_sub;

/* Why a submission was refused before or after the write. */
struct comment_error {
	unsigned int status; /* 400, 403, 409, 429, 503 */
	const char *code;
	char message[256];
	json_t *fields; /* per-field messages or NULL (owned) */
	long retry_after;
};

/* What the caller does once the comment is durably stored (or the write
 * failed): stages the reply. Runs on the request's HTTP thread, when the
 * request is resumed (the writer only records the outcome). */
typedef void comment_finish_fn(struct http_req *req,
                               const struct comment_sub *sub,
                               const struct comment_error *err, long long id,
                               int approved);

/*
 * Runs the pipeline on req's arguments. Returns 0 when the write is
 * queued (the request is suspended; finish will be called), or -1 with
 * *err filled (the caller replies and frees err->fields).
 */
int comments_submit(struct http_req *req, comment_finish_fn *finish,
                    struct comment_error *err);

/*
 * The keyed hash of a client address that comments and bans store (hex):
 * the whole IPv4 address, an IPv6 address's /64.
 */
void comments_ip_hash_of(const struct app *app, int family,
                         const unsigned char addr[16],
                         char out[STORAGE_HASH_BYTES * 2 + 1]);

/* The folded search text of a comment (malloc'd), or NULL. */
char *comments_search_text(const char *name, const char *email,
                           const char *body);

/* The reader's language for messages: "vi" or "en". */
const char *comments_lang(struct http_req *req, const struct config_site *site);

/* The localised message of a key ("pending", "approved", ...). */
const char *comments_msg(const char *lang, const char *key);

/*
 * The public JSON of a page of an article's approved comments (see
 * GET /api/v1/comments), or NULL on error. rd: a reader connection.
 */
struct storage;
json_t *comments_public_json(struct storage *rd, const struct config_site *site,
                             const char *article, long long page,
                             long long per);

/* The site of a submission (for redirects). */
const struct config_site *comments_sub_site(const struct comment_sub *sub);
const char *comments_sub_article(const struct comment_sub *sub);

#endif
