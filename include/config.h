#ifndef BANDOC_CONFIG_H
#define BANDOC_CONFIG_H

/*
 * config: the INI file -> a struct config that is read-only after
 * start-up. Every key is declared once in a table (section, name, type,
 * min, max, default, documentation); the same table validates files,
 * fills defaults and prints the reference in README.md.
 */

#include <regex.h>
#include <stddef.h>
#include <sys/socket.h>

#include "bandoc_limits.h"

struct config_listen {
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char text[64]; /* as written, e.g. "[::1]:8080" */
};

struct config_cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned int prefix;
};

struct config_site {
	char *id;   /* the NAME of [site.NAME]; "default" when none */
	char *name; /* display name */
	char *lang; /* "vi" or "en" */
	char *origins_raw;
	char *origins[MAX_ORIGINS]; /* normalised scheme://host[:port] */
	size_t norigins;
	char *secret; /* siteverify secret; "" disables */
	long long captcha_ttl;
	long long captcha_min_solve;
	long long captcha_per_minute;
	long long captcha_per_hour;
	long long captcha_fail_limit;
	long long captcha_fail_window;
	char *captcha_mode;     /* "image" or "invisible" */
	int captcha_invisible;  /* derived from captcha_mode */
	long long pow_cost;     /* ALTCHA maxnumber in good standing */
	long long pow_cost_max; /* adaptive cap */
	long long pow_half_life;
	long long views_window;
	char *article_pattern;
	regex_t article_re; /* when has_article_re */
	int has_article_re;
	char *article_url_pattern; /* import: the key out of an address */
	regex_t article_url_re;    /* when has_article_url_re */
	int has_article_url_re;
	long long new_articles_per_minute;
	long long moderation;
	long long require_email;
	long long body_max_chars;
	long long comments_per_minute;
	long long comments_per_hour;
	char *blocked_words;
	char *watched_words;
	long long max_links;
	char *comments_order;
	char *webhook_url;
	char *webhook_secret;
	char *webhook_events_raw;
	unsigned int webhook_events; /* WEBHOOK_BIT()s, from the list */
};

struct config {
	/* [server] */
	char *listen_raw;
	struct config_listen listen[MAX_LISTEN];
	size_t nlisten;
	char *data_dir;
	char *secrets_file; /* "" -> data_dir/secrets */
	char *fonts_dir;
	char *public_url; /* "" -> http:// + first listen address */
	char *trusted_proxies_raw;
	struct config_cidr proxies[MAX_PROXIES];
	size_t nproxies;
	char *metrics_allow_raw;
	struct config_cidr metrics_allow[MAX_PROXIES];
	size_t nmetrics_allow;
	char *metrics_listen_raw; /* "" -> /metrics on the listen addresses */
	struct config_listen metrics_listen;
	long long threads;
	long long connection_limit;
	long long per_ip_connection_limit;
	long long connection_timeout;
	long long connection_memory;
	long long body_max;
	long long busy_timeout_ms;
	long long access_log;
	char *log_level;
	char *log_format;
	char *db_file;      /* "" -> data_dir/bandoc.db */
	char *demo_article; /* "" -> no demo page */
	long long captcha_key_rotation;
	long long captcha_spent_max;
	long long ratelimit_max_clients;
	long long timezone_offset;
	long long views_flush_ms;
	long long views_dedup_max;
	long long views_cache_max;
	char *views_bots;
	long long webhook_retry_base;
	long long admin_lockout_window;
	long long admin_login_delay_base_ms;
	long long admin_login_delay_max;
	long long admin_secure_cookie;
	long long admin_idle_timeout;
	long long admin_session_max;

	struct config_site sites[MAX_SITES];
	size_t nsites;
};

/*
 * Called once per problem found while loading: line is the 1-based line
 * in the file (0 when the problem is not tied to a line).
 */
typedef void config_error_fn(void *arg, unsigned int line, const char *msg);

/*
 * Loads path into a fresh config. Every problem is reported through
 * err (unknown and duplicate keys, out-of-range values, bad addresses,
 * syntax errors, lines too long), not only the first. Returns the config
 * (caller frees with config_free) or NULL when there was any problem.
 */
struct config *config_load(const char *path, config_error_fn *err, void *arg);

/* Same as config_load, from a NUL-terminated string (tests, fuzzing). */
struct config *config_load_string(const char *text, config_error_fn *err,
                                  void *arg);

/* The database file: db_file, or data_dir/bandoc.db when it is empty.
 * Malloc'd (the caller frees it), NULL when out of memory. The one place
 * that decides it (the daemon, `user` and `backup`). */
char *config_db_path(const struct config *cfg);

/* Frees everything config_load allocated. Accepts NULL. */
void config_free(struct config *cfg);

/* Returns the site with this id, or NULL. */
const struct config_site *config_site_find(const struct config *cfg,
                                           const char *id);

/* 1 when url starts with self_origin (the daemon's own; may be NULL) or
 * one of the site's origins, followed by '/', '?', '#' or its end. */
int config_url_of_site(const struct config_site *site, const char *self_origin,
                       const char *url);

/*
 * Writes the Markdown reference table of every key (section, key, type,
 * range, default, meaning) into a malloc'd string. NULL on ENOMEM.
 */
char *config_doc_markdown(void);

/*
 * The one bounded number parser: s must be a decimal integer ("-"
 * allowed, no blank, "+" or base prefix) in [min, max] and nothing else.
 * 0 with *out set, or -1 (NULL, empty, junk, out of range).
 */
int config_parse_ll(const char *s, long long min, long long max,
                    long long *out);

/*
 * Parses "scheme://host[:port]" into normalised lowercase form in out.
 * Returns 0, or -1 when s is not exactly an origin (path, query,
 * userinfo, bad scheme or port).
 */
int config_origin_normalise(const char *s, char *out, size_t outsz);

/* Parses "1.2.3.4:80" or "[::1]:80" (port 0 allowed). 0 / -1. */
int config_listen_parse(const char *s, struct config_listen *out);

/* Parses "10.0.0.0/8", "::1/128" or a bare address. 0 / -1. */
int config_cidr_parse(const char *s, struct config_cidr *out);

/* Returns 1 when the binary address (4 or 16 bytes) is inside c. */
int config_cidr_match(const struct config_cidr *c, int family,
                      const unsigned char *addr);

#endif
