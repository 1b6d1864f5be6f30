#ifndef BANDOC_WEBHOOK_H
#define BANDOC_WEBHOOK_H

/*
 * webhook: the events of comments and the thread that delivers them. A
 * comment that arrives pending, and every moderation change of a
 * comment's status (approved, rejected, spam, deleted, also a hard
 * delete), puts a row in the outbox table in the same transaction as
 * the change (so nothing is lost across restarts), when the site has a
 * webhook and takes that event; this thread POSTs each row as JSON to the
 * site's webhook_url, signed `X-Bandoc-Signature: sha256=<HMAC-SHA256 of the
 * body with webhook_secret>`, deletes it on a 2xx answer, and otherwise
 * retries with exponential backoff (webhook_retry_base seconds, doubling,
 * at most 6 h between
 * tries). It never blocks or fails a submission.
 */

struct app;
struct config_site;
struct webhook;
struct storage;

enum webhook_event {
	WEBHOOK_PENDING,
	WEBHOOK_APPROVED,
	WEBHOOK_REJECTED,
	WEBHOOK_SPAM,
	WEBHOOK_DELETED,
	WEBHOOK_NEVENTS
};

/* The bit of an event in config_site.webhook_events. */
#define WEBHOOK_BIT(e)     (1u << (unsigned int)(e))
#define WEBHOOK_ALL_EVENTS (WEBHOOK_BIT(WEBHOOK_NEVENTS) - 1u)

/* "comment.pending" and so on. Cannot fail. */
const char *webhook_event_name(enum webhook_event e);
/* The event of that name, or -1. */
int webhook_event_parse(const char *name);

/* What an event says about a comment (strings borrowed for the call). */
struct webhook_comment {
	long long id, created_at;
	const char *article, *title, *url;
	const char *name, *email, *body;
	unsigned int flags; /* STORAGE_FLAG_* */
};

/*
 * Adds event ev about comment c of site to the outbox, in the caller's
 * transaction, when the site has a webhook_url and takes ev (else does
 * nothing). self is the daemon's origin, for links. moderator is who
 * acted (NULL for comment.pending, which carries one-click links
 * instead); hard marks a hard delete, whose event carries no name,
 * e-mail or text. 0 / -1 (the caller rolls back).
 */
int webhook_enqueue(struct storage *st, const struct config_site *site,
                    enum webhook_event ev, const struct webhook_comment *c,
                    const char *self, const char *moderator, int hard,
                    long long now);

/* Starts the delivery thread (libcurl). NULL on error. */
struct webhook *webhook_start(struct app *app);
/* Stops and joins. Accepts NULL. */
void webhook_stop(struct webhook *w);

/* The signature header value of body under secret: "sha256=<hex>". */
void webhook_sign(const char *secret, const char *body, char out[72]);

#endif
