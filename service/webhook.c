/*
 * webhook.c: see webhook.h. libcurl is used here because webhook URLs
 * are usually HTTPS: an HTTP/TLS client is not something to write by
 * hand.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "auth.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "storage.h"
#include "webhook.h"
#include "writer.h"

#define BATCH        20
#define MAX_BACKOFF  (6 * 3600)
#define MAX_ATTEMPTS 30

struct item {
	long long id;
	char site[MAX_SITE_NAME + 1];
	char *body;
	int attempts;
};

struct webhook {
	struct app *app;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stopping;
	int curl_ready; /* curl_global_init done (on the first delivery) */
	struct item items[BATCH];
	size_t n;
	struct metrics_counter *m_sent, *m_failed;
};

/* A writer job the thread waits for. */
struct sync_job {
	struct writer_job job;
	struct webhook *w;
	long long id, next_at;
	int ok; /* delivered: delete; else retry */
	char error[128];
	int done;
};

static const char *const event_names[WEBHOOK_NEVENTS] = {
    "comment.pending", "comment.approved", "comment.rejected", "comment.spam",
    "comment.deleted"};

const char *
webhook_event_name(enum webhook_event e)
{
	return e >= 0 && e < WEBHOOK_NEVENTS ? event_names[e] : "?";
}

int
webhook_event_parse(const char *name)
{
	int i;

	for (i = 0; i < WEBHOOK_NEVENTS; i++)
		if (strcmp(name, event_names[i]) == 0)
			return i;
	return -1;
}

/* The "comment" member: all of it, or for a hard delete only what the
 * audit log keeps too (no name, e-mail or text leave after it). */
static json_t *
comment_json(const struct webhook_comment *c, int hard)
{
	json_t *flags = json_array();
	size_t i;

	for (i = 0; i < STORAGE_NFLAGS; i++)
		if (c->flags & storage_flags[i].bit)
			json_array_append_new(
			    flags, json_string(storage_flags[i].name));
	if (hard)
		return json_pack("{s:I, s:I, s:o}", "id", (json_int_t)c->id,
		                 "created_at", (json_int_t)c->created_at,
		                 "flags", flags);
	return json_pack(
	    "{s:I, s:s, s:s, s:s, s:I, s:o}", "id", (json_int_t)c->id, "name",
	    c->name, "email", c->email ? c->email : "", "body", c->body,
	    "created_at", (json_int_t)c->created_at, "flags", flags);
}

/* A link of the moderation page: self + path (+ token). */
static void
link_set(json_t *j, const char *key, const char *self, const char *path,
         const char *token)
{
	char url[512];

	snprintf(url, sizeof(url), "%s%s%s", self, path, token ? token : "");
	json_object_set_new(j, key, json_string(url));
}

int
webhook_enqueue(struct storage *st, const struct config_site *site,
                enum webhook_event ev, const struct webhook_comment *c,
                const char *self, const char *moderator, int hard,
                long long now)
{
	char ok[AUTH_ONECLICK_TEXT], no[AUTH_ONECLICK_TEXT], *text;
	json_t *j;
	int r;

	if (site == NULL || site->webhook_url[0] == '\0' ||
	    !(site->webhook_events & WEBHOOK_BIT(ev)))
		return 0;
	j = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:o}", "event",
	              event_names[ev], "site", site->id, "article", "key",
	              c->article, "title", c->title ? c->title : "", "url",
	              c->url ? c->url : "", "comment", comment_json(c, hard));
	if (j == NULL)
		return -1;
	if (ev == WEBHOOK_PENDING) {
		/* One-click approve/reject links, valid 7 days. */
		auth_oneclick_new(c->id, AUTH_APPROVE,
		                  c->created_at + 7 * 86400, ok);
		auth_oneclick_new(c->id, AUTH_REJECT, c->created_at + 7 * 86400,
		                  no);
		link_set(j, "approve_url", self, "/admin/one-click?t=", ok);
		link_set(j, "reject_url", self, "/admin/one-click?t=", no);
	} else {
		json_object_set_new(j, "moderator",
		                    json_string(moderator ? moderator : ""));
		json_object_set_new(j, "at", json_integer(now));
	}
	if (ev == WEBHOOK_DELETED)
		json_object_set_new(j, "hard", json_boolean(hard));
	link_set(j, "moderation_url", self, "/admin", NULL);
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (text == NULL)
		return -1;
	r = storage_outbox_add(st, site->id, text, now);
	free(text);
	return r;
}

void
webhook_sign(const char *secret, const char *body, char out[72])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
	                            strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body,
	                              strlen(body));
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(out, "sha256=", 7);
	sodium_bin2hex(out + 7, 65, mac, sizeof(mac));
}

static void
collect(void *arg, long long id, const char *site, const char *body,
        int attempts)
{
	struct webhook *w = arg;
	struct item *it;

	if (w->n == BATCH)
		return;
	it = &w->items[w->n];
	it->id = id;
	snprintf(it->site, sizeof(it->site), "%s", site);
	it->body = strdup(body);
	it->attempts = attempts;
	if (it->body != NULL)
		w->n++;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* POSTs one item; 0 on a 2xx answer. */
static int
deliver(const struct config_site *site, const char *body, char *err,
        size_t errsz)
{
	struct curl_slist *h = NULL;
	char sig[72 + 32];
	long status = 0;
	CURLcode rc;
	CURL *c;

	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "curl init");
		return -1;
	}
	memcpy(sig, "X-Bandoc-Signature: ", 20);
	webhook_sign(site->webhook_secret, body, sig + 20);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, sig);
	h = curl_slist_append(h, "User-Agent: bandoc-webhook");
	curl_easy_setopt(c, CURLOPT_URL, site->webhook_url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(err, errsz, "%s", curl_easy_strerror(rc));
		return -1;
	}
	if (status < 200 || status > 299) {
		snprintf(err, errsz, "HTTP %ld", status);
		return -1;
	}
	return 0;
}

static int
sync_run(struct storage *st, void *arg)
{
	struct sync_job *j = arg;

	if (j->ok)
		return storage_outbox_delete(st, j->id) == STORAGE_ERROR ? -1
		                                                         : 0;
	return storage_outbox_retry(st, j->id, j->next_at, j->error) ==
	               STORAGE_ERROR
	           ? -1
	           : 0;
}

static void
sync_done(void *arg, int status)
{
	struct sync_job *j = arg;

	(void)status;
	pthread_mutex_lock(&j->w->lock);
	j->done = 1;
	pthread_cond_broadcast(&j->w->cond);
	pthread_mutex_unlock(&j->w->lock);
}

static void
record(struct webhook *w, long long id, int ok, int attempts, const char *error)
{
	struct sync_job j;
	long long backoff = w->app->cfg->webhook_retry_base;
	int k;

	memset(&j, 0, sizeof(j));
	j.w = w;
	j.id = id;
	j.ok = ok || attempts + 1 >= MAX_ATTEMPTS;
	for (k = 0; k < attempts && backoff < MAX_BACKOFF; k++)
		backoff *= 2;
	if (backoff > MAX_BACKOFF)
		backoff = MAX_BACKOFF;
	j.next_at = (long long)time(NULL) + backoff;
	snprintf(j.error, sizeof(j.error), "%s", error);
	j.job.run = sync_run;
	j.job.done = sync_done;
	j.job.arg = &j;
	if (!ok && j.ok)
		log_warnx("webhook: giving up on outbox row %lld after %d "
		          "tries (%s)",
		          id, attempts + 1, error);
	if (writer_submit(w->app->writer, &j.job) != 0)
		return;
	pthread_mutex_lock(&w->lock);
	while (!j.done)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

static void *
loop(void *arg)
{
	struct webhook *w = arg;
	const struct config *cfg = w->app->cfg;
	size_t i;

	for (;;) {
		struct timespec ts;
		struct storage *rd;

		pthread_mutex_lock(&w->lock);
		if (!w->stopping) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += 1;
			pthread_cond_timedwait(&w->cond, &w->lock, &ts);
		}
		if (w->stopping) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		pthread_mutex_unlock(&w->lock);
		w->n = 0;
		if ((rd = app_reader(w->app)) == NULL ||
		    storage_outbox_due(rd, (long long)time(NULL), BATCH,
		                       collect, w) != 0)
			continue;
		for (i = 0; i < w->n; i++) {
			struct item *it = &w->items[i];
			const struct config_site *site =
			    config_site_find(cfg, it->site);
			char err[128] = "";
			int ok;

			if (site == NULL || site->webhook_url[0] == '\0') {
				/* The site's webhook was removed: drop. */
				record(w, it->id, 1, it->attempts, "");
				free(it->body);
				continue;
			}
			/* libcurl (and the TLS library it starts) only when
			 * there is something to send: ~2 MiB less resident
			 * memory for sites without webhooks. */
			if (!w->curl_ready)
				w->curl_ready =
				    curl_global_init(CURL_GLOBAL_DEFAULT) ==
				    CURLE_OK;
			ok = w->curl_ready &&
			     deliver(site, it->body, err, sizeof(err)) == 0;
			if (!w->curl_ready)
				snprintf(err, sizeof(err), "curl init");
			metrics_add(ok ? w->m_sent : w->m_failed, 1);
			record(w, it->id, ok, it->attempts, err);
			free(it->body);
		}
		w->n = 0;
	}
	return NULL;
}

struct webhook *
webhook_start(struct app *app)
{
	struct webhook *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->app = app;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->m_sent = metrics_counter_new("bandoc_webhooks_sent_total",
	                                "Webhooks delivered.");
	w->m_failed = metrics_counter_new(
	    "bandoc_webhooks_failed_total",
	    "Webhook attempts that failed (retried later).");
	if (pthread_create(&w->thread, NULL, loop, w) != 0) {
		free(w);
		return NULL;
	}
	return w;
}

/* The stop of every thread of ours (worker.c, writer.c, the storage
 * upkeep in storage_sqlite.c): stopping set under the lock, everyone
 * woken, then joined; written out in each, on purpose, next to the loop
 * that reads the flag. */
void
webhook_stop(struct webhook *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	if (w->curl_ready)
		curl_global_cleanup();
	free(w);
}
