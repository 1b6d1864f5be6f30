#ifndef BANDOC_WEBHOOK_H
#define BANDOC_WEBHOOK_H

/*
 * webhook: delivers the outbox. A comment that arrives pending puts a
 * row in the outbox table in the same transaction (so nothing is lost
 * across restarts); this thread POSTs each row as JSON to the site's
 * webhook_url, signed `X-Bandoc-Signature: sha256=<HMAC-SHA256 of the
 * body with webhook_secret>`, deletes it on a 2xx answer, and otherwise
 * retries with exponential backoff (webhook_retry_base seconds, doubling,
 * at most 6 h between
 * tries). It never blocks or fails a submission.
 */

struct app;
struct webhook;
struct storage;

/* Starts the delivery thread (libcurl). NULL on error. */
struct webhook *webhook_start(struct app *app);
/* Stops and joins. Accepts NULL. */
void webhook_stop(struct webhook *w);

/* The signature header value of body under secret: "sha256=<hex>". */
void webhook_sign(const char *secret, const char *body, char out[72]);

#endif
