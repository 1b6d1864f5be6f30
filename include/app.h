#ifndef BANDOC_APP_H
#define BANDOC_APP_H

/*
 * app: the state of one running daemon, built by app_open() from a
 * config and shared (read-only after start-up, or internally locked) by
 * every module. Handlers reach it through http_req_app().
 */

#include <time.h>

#include "secrets.h"

struct config;
struct storage;
struct storage_readers;
struct storage_conf;
struct storage_maintenance;
struct writer;
struct http;
struct challenge;
struct pagecache;
struct ratelimit;
struct views;
struct worker;
struct webhook;

struct app_demo {
	char *title;
	char *date;
	char **paragraphs;
	size_t nparagraphs;
};

struct app {
	const struct config *cfg;
	char *db_path;
	struct storage *st;                 /* the writer's connection */
	struct storage_maintenance *upkeep; /* the engine's own */
	struct storage_readers *readers;    /* per-thread read connections */
	struct writer *writer;
	struct secrets secrets;
	struct http *http;
	struct app_demo *demo; /* NULL without demo_article */
	struct challenge *challenge;
	struct ratelimit *ratelimit;
	struct pagecache *pages; /* rendered public comment pages */
	struct views *views;
	struct worker *workers; /* password hashing */
	struct webhook *webhook;
	unsigned char iphash_key[32]; /* keyed hash of client addresses */
	time_t started;
	struct {
		void (*fn)(struct app *app, void *arg);
		void *arg;
	} hooks[8];
	size_t nhooks;
};

/*
 * Opens everything the daemon needs before it listens: data directory,
 * secrets file (created 0600 if missing), database with migrations,
 * readers, the writer thread, the demo page. 0 / -1 (logged).
 */
int app_open(struct app *app, const struct config *cfg);

/*
 * Fills out with how cfg reaches the database: the engine and its
 * settings, with db_path (config_db_path(cfg)) borrowed as the SQLite
 * file. For the daemon and the command-line tools alike. Cannot fail.
 */
void app_storage_conf(const struct config *cfg, const char *db_path,
                      struct storage_conf *out);

/* Stops the writer (draining it) and frees everything. Safe after a
 * failed app_open. */
void app_close(struct app *app);

/*
 * Registers fn to run at shutdown after HTTP has stopped and before the
 * writer drains (e.g. to hand the writer a last flush). 0 / -1.
 */
int app_on_shutdown(struct app *app, void (*fn)(struct app *, void *),
                    void *arg);

/* Runs the shutdown hooks in reverse order of registration. */
void app_shutdown_hooks(struct app *app);

/* A reader connection for this thread, or NULL (reply 503). */
struct storage *app_reader(struct app *app);

/*
 * The same, after dropping app->pages when the reader's generation
 * (storage_generation()) is not the one it gave this thread last time:
 * something was committed since, or it cannot tell. Call it before
 * pagecache_get/pagecache_generation.
 */
struct storage *app_reader_fresh(struct app *app);

/*
 * The keyed hash of a client address (hex, APP_IP_HASH_TEXT bytes with
 * the NUL) that comments, bans, sessions and the audit log store: the
 * whole IPv4 address, an IPv6 address's /64 (one client: a ban must
 * hold across its addresses). family: AF_INET or AF_INET6.
 */
#define APP_IP_HASH_TEXT 33
void app_ip_hash(const struct app *app, int family,
                 const unsigned char addr[16], char out[APP_IP_HASH_TEXT]);

#endif
