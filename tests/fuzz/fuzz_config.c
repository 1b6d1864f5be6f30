/*
 * fuzz_config: config_load_string(), the INI parser behind bandoc.conf
 * and `bandocd check-config`. A config file is written by an operator,
 * not a client, but check-config is run on files of any provenance and
 * a crash there hides the real mistake.
 *
 * Properties, from config.h: NULL comes back exactly when at least one
 * problem was reported; every message is a short C string; a config that
 * loads has 1..MAX_LISTEN listen addresses, 1..MAX_SITES sites, every
 * site with an id, a lang of "vi" or "en" and normalised origins (that
 * normalise to themselves), a public_url, a valid log_level, and all
 * string keys set; config_free() releases it all (LeakSanitizer checks).
 */
#include "config.h"
#include "fuzz.h"
#include "log.h"

struct errs {
	unsigned int n;
};

static void
on_error(void *arg, unsigned int line, const char *msg)
{
	struct errs *e = arg;

	(void)line;
	FUZZ_CHECK(msg != NULL);
	FUZZ_CHECK(strlen(msg) < 512);
	e->n++;
}

static void
check_site(const struct config_site *s)
{
	char norm[MAX_ORIGIN_LEN + 1];
	size_t i;

	FUZZ_CHECK(s->id != NULL && s->id[0] != '\0');
	FUZZ_CHECK(strlen(s->id) <= MAX_SITE_NAME);
	FUZZ_CHECK(s->name != NULL && s->secret != NULL);
	FUZZ_CHECK(s->lang != NULL);
	FUZZ_CHECK(strcmp(s->lang, "vi") == 0 || strcmp(s->lang, "en") == 0);
	FUZZ_CHECK(s->norigins <= MAX_ORIGINS);
	for (i = 0; i < s->norigins; i++) {
		FUZZ_CHECK(s->origins[i] != NULL);
		FUZZ_CHECK(config_origin_normalise(s->origins[i], norm,
		                                   sizeof(norm)) == 0);
		FUZZ_CHECK(strcmp(norm, s->origins[i]) == 0);
	}
	FUZZ_CHECK(s->secret[0] == '\0' || strlen(s->secret) >= 24);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errs e = {0};
	struct config *cfg;
	enum log_level lv;
	char *text = fuzz_dup(data, size, 1);
	size_t i;

	cfg = config_load_string(text, on_error, &e);
	FUZZ_CHECK((cfg == NULL) == (e.n > 0));
	if (cfg == NULL)
		goto done;
	FUZZ_CHECK(cfg->nlisten >= 1 && cfg->nlisten <= MAX_LISTEN);
	FUZZ_CHECK(cfg->nproxies <= MAX_PROXIES);
	FUZZ_CHECK(cfg->nsites >= 1 && cfg->nsites <= MAX_SITES);
	FUZZ_CHECK(cfg->listen_raw != NULL && cfg->data_dir != NULL &&
	           cfg->secrets_file != NULL && cfg->fonts_dir != NULL &&
	           cfg->public_url != NULL &&
	           cfg->trusted_proxies_raw != NULL && cfg->db_file != NULL &&
	           cfg->demo_article != NULL && cfg->log_level != NULL);
	FUZZ_CHECK(log_level_parse(cfg->log_level, &lv) == 0);
	for (i = 0; i < cfg->nlisten; i++)
		FUZZ_CHECK(memchr(cfg->listen[i].text, '\0',
		                  sizeof(cfg->listen[i].text)) != NULL);
	for (i = 0; i < cfg->nsites; i++) {
		check_site(&cfg->sites[i]);
		FUZZ_CHECK(config_site_find(cfg, cfg->sites[i].id) ==
		           &cfg->sites[i]);
	}
done:
	config_free(cfg);
	free(text);
	return 0;
}
