/*
 * app.c: start-up and tear-down of the daemon's state.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "app.h"
#include "audio.h"
#include "auth.h"
#include "webhook.h"
#include "worker.h"
#include "captcha.h"
#include "challenge.h"
#include "pagecache.h"
#include "ratelimit.h"
#include "config.h"
#include "demo.h"
#include "bandoc_limits.h"
#include "log.h"
#include "metrics.h"
#include "storage.h"
#include "views.h"
#include "writer.h"

/* "dir/name", or a copy of dir when name is NULL. Caller frees. */
static char *
join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + (name != NULL ? strlen(name) : 0) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s%s%s", dir, name != NULL ? "/" : "",
		         name != NULL ? name : "");
	return p;
}

static double
writer_queue_gauge(void *arg)
{
	return (double)writer_queue_length(arg);
}

static double
page_cache_pages(void *arg)
{
	return (double)pagecache_stats(arg).pages;
}

static double
page_cache_hits(void *arg)
{
	return (double)pagecache_stats(arg).hits;
}

void
app_storage_conf(const struct config *cfg, const char *db_path,
                 struct storage_conf *out)
{
	memset(out, 0, sizeof(*out));
	out->engine = STORAGE_SQLITE;
	out->path = db_path;
	out->busy_timeout_ms = (int)cfg->busy_timeout_ms;
}

int
app_open(struct app *app, const struct config *cfg)
{
	char err[512], *secrets_path = NULL, *salt_path = NULL;
	struct storage_conf sc;
	struct writer_task task;
	int ret = -1;

	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->started = time(NULL);
	if (mkdir(cfg->data_dir, 0700) != 0 && errno != EEXIST) {
		log_warn("cannot create data_dir %s", cfg->data_dir);
		goto done;
	}
	secrets_path = cfg->secrets_file[0] != '\0'
	                   ? join(cfg->secrets_file, NULL)
	                   : join(cfg->data_dir, "secrets");
	if (secrets_path == NULL)
		goto done;
	if (secrets_load(&app->secrets, secrets_path) != 0 ||
	    secrets_derive(&app->secrets, "iphash__", 0, app->iphash_key,
	                   sizeof(app->iphash_key)) != 0)
		goto done;
	app->db_path = config_db_path(cfg);
	if (app->db_path == NULL)
		goto done;
	app_storage_conf(cfg, app->db_path, &sc);
	if ((app->st = storage_open(&sc, err, sizeof(err))) == NULL) {
		log_warnx("storage: %s", err);
		goto done;
	}
	app->readers =
	    storage_readers_new(&sc, (size_t)cfg->threads * cfg->nlisten + 8);
	app->writer = writer_new(app->st, MAX_WRITER_QUEUE);
	if (app->readers == NULL || app->writer == NULL)
		goto done;
	if ((app->upkeep = storage_maintenance_start(&sc, err, sizeof(err))) ==
	    NULL) {
		log_warnx("storage: cannot start the upkeep: %s", err);
		goto done;
	}
	metrics_gauge_new("bandoc_writer_queue", "Jobs waiting for the writer.",
	                  writer_queue_gauge, app->writer);
	if (captcha_init(cfg->fonts_dir) != 0) {
		log_warnx("captcha: %s (fonts_dir %s)", captcha_strerror(),
		          cfg->fonts_dir);
		goto done;
	}
	if (audio_init() != 0) {
		log_warnx("captcha: the audio voices are not usable");
		goto done;
	}
	if (auth_init(&app->secrets) != 0 ||
	    (app->workers = worker_new(2, 256)) == NULL) {
		log_warnx("admin: cannot start the password workers");
		goto done;
	}
	app->challenge = challenge_new(cfg, &app->secrets);
	app->ratelimit = ratelimit_new((size_t)cfg->ratelimit_max_clients);
	app->pages = pagecache_new(PAGE_CACHE_SLOTS, PAGE_CACHE_BYTES);
	if (app->challenge == NULL || app->ratelimit == NULL ||
	    app->pages == NULL)
		goto done;
	metrics_gauge_new("bandoc_page_cache_pages",
	                  "Rendered comment pages held in memory.",
	                  page_cache_pages, app->pages);
	metrics_gauge_new("bandoc_page_cache_hits",
	                  "Comment pages served from memory since start.",
	                  page_cache_hits, app->pages);
	if (challenge_load_spent(app->challenge, app->st, time(NULL)) != 0) {
		log_warnx("captcha: cannot load the spent tokens");
		goto done;
	}
	challenge_task(app->challenge, &task);
	if (writer_add_task(app->writer, &task) != 0)
		goto done;
	salt_path = join(cfg->data_dir, "view-salt");
	if (salt_path == NULL ||
	    (app->views = views_new(cfg, salt_path)) == NULL)
		goto done;
	views_task(app->views, &task);
	if (writer_add_task(app->writer, &task) != 0)
		goto done;
	if ((app->webhook = webhook_start(app)) == NULL) {
		log_warnx("webhook: cannot start the delivery thread");
		goto done;
	}
	if (cfg->demo_article[0] != '\0' &&
	    (app->demo = demo_load(cfg->demo_article)) == NULL)
		goto done;
	ret = 0;
done:
	free(secrets_path);
	free(salt_path);
	return ret;
}

int
app_on_shutdown(struct app *app, void (*fn)(struct app *, void *), void *arg)
{
	if (app->nhooks == sizeof(app->hooks) / sizeof(app->hooks[0]))
		return -1;
	app->hooks[app->nhooks].fn = fn;
	app->hooks[app->nhooks].arg = arg;
	app->nhooks++;
	return 0;
}

void
app_shutdown_hooks(struct app *app)
{
	while (app->nhooks > 0) {
		app->nhooks--;
		app->hooks[app->nhooks].fn(app, app->hooks[app->nhooks].arg);
	}
}

void
app_close(struct app *app)
{
	/* The webhook thread and the workers hand jobs to the writer:
	 * they stop first. Each part is written out, freed and then NULLed
	 * (a second app_close is harmless), in the order they depend on
	 * each other: a loop over a table would hide that order. */
	webhook_stop(app->webhook);
	app->webhook = NULL;
	worker_free(app->workers);
	app->workers = NULL;
	storage_maintenance_stop(app->upkeep);
	app->upkeep = NULL;
	writer_free(app->writer);
	app->writer = NULL;
	auth_shutdown();
	challenge_free(app->challenge);
	app->challenge = NULL;
	ratelimit_free(app->ratelimit);
	app->ratelimit = NULL;
	pagecache_free(app->pages);
	app->pages = NULL;
	views_free(app->views);
	app->views = NULL;
	captcha_shutdown();
	storage_readers_free(app->readers);
	app->readers = NULL;
	storage_close(app->st);
	app->st = NULL;
	demo_free(app->demo);
	app->demo = NULL;
	free(app->db_path);
	app->db_path = NULL;
	secrets_wipe(&app->secrets);
	sodium_memzero(app->iphash_key, sizeof(app->iphash_key));
}

struct storage *
app_reader(struct app *app)
{
	return storage_readers_get(app->readers);
}

/* The generation this thread's reader last gave (readers are per
 * thread, and generations compare only on one connection); rd NULL:
 * none yet. */
static _Thread_local struct {
	const struct storage *rd;
	unsigned long long gen;
} seen;

struct storage *
app_reader_fresh(struct app *app)
{
	struct storage *rd = storage_readers_get(app->readers);
	unsigned long long gen = 0;
	int known = rd != NULL && storage_generation(rd, &gen) == 0;

	if (!known || seen.rd != rd || seen.gen != gen)
		pagecache_invalidate(app->pages);
	seen.rd = known ? rd : NULL;
	seen.gen = gen;
	return rd;
}

_Static_assert(APP_IP_HASH_TEXT == STORAGE_HASH_BYTES * 2 + 1,
               "an address hash is stored as STORAGE_HASH_BYTES");

void
app_ip_hash(const struct app *app, int family, const unsigned char addr[16],
            char out[APP_IP_HASH_TEXT])
{
	unsigned char h[(APP_IP_HASH_TEXT - 1) / 2];

	crypto_generichash(h, sizeof(h), addr, family == AF_INET6 ? 8 : 4,
	                   app->iphash_key, sizeof(app->iphash_key));
	sodium_bin2hex(out, APP_IP_HASH_TEXT, h, sizeof(h));
}
