#ifndef BANDOC_COMMENTS_H
#define BANDOC_COMMENTS_H

/*
 * comments: the submission pipeline shared by the JSON API and the
 * no-JavaScript form (comments.c). It knows nothing of HTTP: the handler
 * parses the request once into a struct comment_input, calls
 * comments_check() and then comments_store(). The steps, in the order
 * they run:
 *
 *   site -> caps and required fields, UTF-8 and normalisation (400) ->
 *   origin (403) -> CAPTCHA, which spends the token pass or fail (403,
 *   503) -> rate limit per client (429) -> bans (stored as spam) ->
 *   honeypot (stored as spam, same reply as a success; it was read with
 *   the fields and passes the CAPTCHA and every limit like any post) ->
 *   word filter and links (spam or pending) -> [comments_store] parent
 *   and duplicate (400, 409, in the writer) -> durable insert through the
 *   writer; the reply only after the commit.
 */

#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "challenge.h"
#include "storage.h"

struct app;
struct config;
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

/* A text field as sent: bytes and their length (it may hold NUL bytes,
 * which the pipeline refuses). s NULL: the field is absent. */
struct comment_text {
	const char *s;
	size_t len;
};

/*
 * A submission as the handler parsed it. Everything is borrowed for the
 * duration of comments_check() only; what the write needs is copied.
 */
struct comment_input {
	const struct config_site *site; /* comments_site(); NULL: unknown */
	const char *lang;               /* comments_lang() */
	struct comment_text article, name, email, body;
	struct comment_text title, url;  /* "article_title", "article_url" */
	const char *parent_id;           /* NULL or "": none */
	struct challenge_answer captcha; /* captcha_token/_answer, altcha */
	const char *honeypot;            /* the "website" field, or NULL */
	const char *user_agent;          /* or NULL */
	int family;                      /* AF_INET or AF_INET6 */
	unsigned char addr[16];          /* the client, 4 or 16 bytes */
	int origin_allowed;      /* the request's Origin (else Referer) may post
	                            for site (http_req_origin_allowed) */
	const char *self_origin; /* the daemon's own origin */
	time_t now;
};

/*
 * The site a submission names: id NULL means none was named, which picks
 * the only site when there is one. Returns NULL when there is no such
 * site (comments_check() then refuses with 400 unknown_site).
 */
const struct config_site *comments_site(const struct config *cfg,
                                        const char *id);

/*
 * Runs every step before the write on in. Returns the prepared
 * submission (malloc'd; the caller hands it to comments_store() or frees
 * it with comments_sub_free()), or NULL with *err filled (the caller
 * replies and frees err->fields). Spends the CAPTCHA and counts the rate
 * limit, so it is called once per submission.
 */
struct comment_sub *comments_check(struct app *app,
                                   const struct comment_input *in,
                                   struct comment_error *err);

/*
 * Called on the writer thread once the outcome of the write is recorded
 * in sub (comments_sub_result()). It must do nothing but hand the
 * request back to its own thread (http_req_resume_with).
 */
typedef void comment_done_fn(struct comment_sub *sub, void *arg);

/*
 * Hands sub to the writer: parent and duplicate checks and the insert,
 * in one job of a group commit. Returns 0: done(sub, arg) will be called
 * after the commit (or the failed write), and sub is the caller's again
 * from then on; or -1 with *err filled (503, the queue is full or the
 * writer stops): done will not be called and sub is still the caller's.
 */
int comments_store(struct app *app, struct comment_sub *sub,
                   comment_done_fn *done, void *arg, struct comment_error *err);

/*
 * The outcome of a stored submission: NULL when it is durably stored,
 * with its id and whether it is approved (published now); or the error
 * (400 bad parent, 409 duplicate, 503). Borrowed from sub.
 */
const struct comment_error *comments_sub_result(const struct comment_sub *sub,
                                                long long *id, int *approved);

/* The site and the article key of a submission (for redirects). */
const struct config_site *comments_sub_site(const struct comment_sub *sub);
const char *comments_sub_article(const struct comment_sub *sub);

/* Frees a submission. Accepts NULL. */
void comments_sub_free(struct comment_sub *sub);

/* The folded search text of a comment (malloc'd), or NULL. */
char *comments_search_text(const char *name, const char *email,
                           const char *body);

/* The reader's language for messages, "vi" or "en": arg (the "lang"
 * argument, may be NULL) when it is one of them, else the site's
 * (site may be NULL). Cannot fail. */
const char *comments_lang(const char *arg, const struct config_site *site);

/* The localised message of a key ("pending", "approved", ...). */
const char *comments_msg(const char *lang, const char *key);

#endif
