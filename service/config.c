/*
 * config.c: the INI file -> struct config, driven by one table of keys.
 *
 * inih (Debian's build) gives no line numbers to the handler, so the file
 * is fed through ini_parse_stream() with a reader that counts lines: when
 * the handler runs, the counter holds the line of the key being handled.
 * The same reader refuses lines longer than inih's INI_MAX_LINE instead
 * of letting inih split them silently.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ini.h>
#include <regex.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "bandoc_limits.h"
#include "log.h"
#include "pow.h"
#include "webhook.h"

/* A limit's integer literal as the text of a default (bandoc_limits.h). */
#define NUM_(x) #x
#define NUM(x)  NUM_(x)

enum key_type { KEY_INT, KEY_BOOL, KEY_STRING, KEY_LIST };
enum key_section { SEC_SERVER, SEC_SITE };

struct key {
	enum key_section section;
	const char *name;
	enum key_type type;
	long long min, max; /* KEY_INT; for strings the max length */
	const char *def;
	size_t offset;
	const char *doc;
};

#define SRV(f)  offsetof(struct config, f)
#define SITE(f) offsetof(struct config_site, f)

/* The one declaration of every key. README.md's table is generated from
 * it (bandocd config-doc) and a test checks that they agree. */
static const struct key keys[] = {
    {SEC_SERVER, "listen", KEY_LIST, 0, MAX_CONFIG_VALUE, "127.0.0.1:8080",
     SRV(listen_raw),
     "Addresses to listen on, `addr:port` or `[v6]:port`, space "
     "separated; the key may be repeated. Port 0 picks a free port."},
    {SEC_SERVER, "data_dir", KEY_STRING, 1, 1024, "./var", SRV(data_dir),
     "Directory of the SQLite database and the secrets file."},
    {SEC_SERVER, "db_file", KEY_STRING, 0, 1024, "", SRV(db_file),
     "SQLite database file; empty means `data_dir/bandoc.db`."},
    {SEC_SERVER, "secrets_file", KEY_STRING, 0, 1024, "", SRV(secrets_file),
     "Server keys (created mode 0600 on first start); empty means "
     "`data_dir/secrets`."},
    {SEC_SERVER, "fonts_dir", KEY_STRING, 1, 1024, "./fonts", SRV(fonts_dir),
     "Directory of the CAPTCHA fonts."},
    {SEC_SERVER, "public_url", KEY_STRING, 0, MAX_ORIGIN_LEN, "",
     SRV(public_url),
     "The daemon's own origin as browsers see it, e.g. "
     "`https://comments.example.org`; empty means `http://` + the first "
     "listen address."},
    {SEC_SERVER, "trusted_proxies", KEY_LIST, 0, MAX_CONFIG_VALUE, "",
     SRV(trusted_proxies_raw),
     "CIDRs of reverse proxies whose `X-Forwarded-For` is believed; "
     "otherwise the socket address is the client. May be repeated."},
    {SEC_SERVER, "metrics_allow", KEY_LIST, 0, MAX_CONFIG_VALUE,
     "127.0.0.0/8, ::1/128", SRV(metrics_allow_raw),
     "CIDRs of clients that may read `/metrics` (the address after the "
     "`trusted_proxies` rule); others get 404."},
    {SEC_SERVER, "metrics_listen", KEY_STRING, 0, 64, "",
     SRV(metrics_listen_raw),
     "A separate address for `/metrics` (and `/healthz`) alone, e.g. "
     "`10.0.0.5:9100`; then the `listen` addresses answer 404 there. "
     "`metrics_allow` applies on it too."},
    {SEC_SERVER, "threads", KEY_INT, 1, MAX_THREADS, NUM(DEFAULT_THREADS),
     SRV(threads), "HTTP threads (each runs its own epoll loop)."},
    {SEC_SERVER, "connection_limit", KEY_INT, 16, MAX_CONNECTION_LIMIT,
     NUM(DEFAULT_CONNECTION_LIMIT), SRV(connection_limit),
     "Simultaneous connections."},
    {SEC_SERVER, "per_ip_connection_limit", KEY_INT, 1, MAX_CONNECTION_LIMIT,
     NUM(DEFAULT_PER_IP_CONNECTION_LIMIT), SRV(per_ip_connection_limit),
     "Simultaneous connections from one socket address."},
    {SEC_SERVER, "connection_timeout", KEY_INT, 1, MAX_CONNECTION_TIMEOUT,
     NUM(DEFAULT_CONNECTION_TIMEOUT), SRV(connection_timeout),
     "Seconds an idle or stalled connection is kept."},
    {SEC_SERVER, "connection_memory", KEY_INT, MIN_CONNECTION_MEMORY,
     MAX_CONNECTION_MEMORY, NUM(DEFAULT_CONNECTION_MEMORY),
     SRV(connection_memory),
     "Bytes of memory per connection for request headers; larger "
     "headers get 431."},
    {SEC_SERVER, "body_max", KEY_INT, MIN_BODY_MAX, MAX_BODY_MAX,
     NUM(DEFAULT_BODY_MAX), SRV(body_max),
     "Largest request body accepted by any route; it lowers a route's own "
     "cap (4 KiB for short forms, 64 KiB for comments, 96 KiB for an "
     "edit), never raises it. Larger bodies get 413."},
    {SEC_SERVER, "busy_timeout_ms", KEY_INT, 0, 60000,
     NUM(DEFAULT_BUSY_TIMEOUT_MS), SRV(busy_timeout_ms),
     "How long a database write waits for a lock before failing with 503."},
    {SEC_SERVER, "access_log", KEY_BOOL, 0, 1, "on", SRV(access_log),
     "One line per request on stderr."},
    {SEC_SERVER, "demo_article", KEY_STRING, 0, 1024, "", SRV(demo_article),
     "Text file of a demo article served at `/` (first line: title, "
     "date, \"In trang\"; then paragraphs); empty: no demo page."},
    {SEC_SERVER, "captcha_key_rotation", KEY_INT, 3600, 604800, "86400",
     SRV(captcha_key_rotation),
     "Seconds between CAPTCHA key rotations; the previous key stays "
     "valid for one TTL."},
    {SEC_SERVER, "captcha_spent_max", KEY_INT, 1000, 10000000, "200000",
     SRV(captcha_spent_max),
     "Used CAPTCHA tokens remembered until they expire; when full, "
     "issuing stops (503) instead of forgetting any."},
    {SEC_SERVER, "ratelimit_max_clients", KEY_INT, 1000, 10000000, "100000",
     SRV(ratelimit_max_clients),
     "Clients tracked by each rate limiter (bounded memory)."},
    {SEC_SERVER, "timezone_offset", KEY_INT, -720, 840, "420",
     SRV(timezone_offset),
     "Minutes east of UTC of the sites' day (per-day views, most-read "
     "lists, the daily view salt); 420 is Vietnam."},
    {SEC_SERVER, "views_flush_ms", KEY_INT, 100, 60000, "1000",
     SRV(views_flush_ms),
     "How often counted views are written to the database; a SIGKILL "
     "loses at most this much."},
    {SEC_SERVER, "views_dedup_max", KEY_INT, 1000, 10000000, "100000",
     SRV(views_dedup_max),
     "Recent (reader, article) hashes remembered per window generation; "
     "when full, the oldest generation is dropped."},
    {SEC_SERVER, "views_cache_max", KEY_INT, 1000, 10000000, "50000",
     SRV(views_cache_max), "Articles whose totals are kept in memory."},
    {SEC_SERVER, "views_bots", KEY_LIST, 0, MAX_CONFIG_VALUE,
     "bot crawler spider preview headless curl wget python-requests "
     "python-urllib go-http-client okhttp java/ libwww httpclient "
     "facebookexternalhit slurp lighthouse pingdom",
     SRV(views_bots),
     "User-Agent substrings (case-insensitive) whose views are not "
     "counted."},
    {SEC_SERVER, "webhook_retry_base", KEY_INT, 1, 3600, "30",
     SRV(webhook_retry_base),
     "Seconds before the first webhook retry; doubled on each failure, "
     "at most 6 hours."},
    {SEC_SERVER, "admin_lockout_window", KEY_INT, 1, 86400, "900",
     SRV(admin_lockout_window),
     "Five failed logins from one address within this many seconds lock "
     "that address out for as long (429); an account's failures are "
     "forgotten this long after the last one."},
    {SEC_SERVER, "admin_login_delay_base_ms", KEY_INT, 1, 60000, "1000",
     SRV(admin_login_delay_base_ms),
     "After five failed logins for one account (from any addresses), the "
     "next attempt from an address that never logged in to it waits this "
     "many milliseconds, doubled with each further failure (429 "
     "`login_throttled`)."},
    {SEC_SERVER, "admin_login_delay_max", KEY_INT, 1, 3600, "60",
     SRV(admin_login_delay_max), "The longest such wait, in seconds."},
    {SEC_SERVER, "admin_secure_cookie", KEY_BOOL, 0, 1, "on",
     SRV(admin_secure_cookie),
     "Mark the moderators' session cookie `Secure` (turn off only for "
     "plain-HTTP loopback development)."},
    {SEC_SERVER, "admin_idle_timeout", KEY_INT, 1, 86400, "1800",
     SRV(admin_idle_timeout),
     "Seconds of inactivity after which a moderator's session ends."},
    {SEC_SERVER, "admin_session_max", KEY_INT, 1, 604800, "43200",
     SRV(admin_session_max),
     "Seconds after login after which a session ends regardless."},
    {SEC_SERVER, "log_level", KEY_STRING, 1, 8, "info", SRV(log_level),
     "`debug`, `info` or `warn`."},
    {SEC_SERVER, "log_format", KEY_STRING, 1, 8, "text", SRV(log_format),
     "`text` (journald adds the time) or `json` (one object a line, with "
     "`ts`; access lines carry method, path, status, bytes, duration_us, "
     "client, request_id)."},

    {SEC_SITE, "name", KEY_STRING, 0, 200, "", SITE(name),
     "Display name of the site; empty means the section's NAME."},
    {SEC_SITE, "origins", KEY_LIST, 0, MAX_CONFIG_VALUE, "", SITE(origins_raw),
     "Exact `scheme://host[:port]` origins of the site's pages, space "
     "separated, may be repeated: CORS and the Origin/Referer check on "
     "writes. The daemon's own origin is always allowed."},
    {SEC_SITE, "lang", KEY_STRING, 2, 2, "vi", SITE(lang),
     "Default language of texts: `vi` or `en`."},
    {SEC_SITE, "secret", KEY_STRING, 0, 128, "", SITE(secret),
     "Secret for `POST /api/v1/siteverify` (at least 24 characters); "
     "empty disables siteverify for the site."},
    {SEC_SITE, "captcha_ttl", KEY_INT, 30, 3600, "600", SITE(captcha_ttl),
     "Seconds a CAPTCHA challenge stays valid."},
    {SEC_SITE, "captcha_min_solve", KEY_INT, 0, 60, "2",
     SITE(captcha_min_solve),
     "Seconds after issue before an answer is accepted (faster is a bot)."},
    {SEC_SITE, "captcha_per_minute", KEY_INT, 1, 10000000, "10",
     SITE(captcha_per_minute),
     "Challenges a client may get per minute (audio: half)."},
    {SEC_SITE, "captcha_per_hour", KEY_INT, 1, 100000000, "60",
     SITE(captcha_per_hour),
     "Challenges a client may get per hour (audio: half)."},
    {SEC_SITE, "captcha_fail_limit", KEY_INT, 1, 1000, "10",
     SITE(captcha_fail_limit),
     "Failed answers within captcha_fail_window after which the client "
     "gets 429 for captcha_fail_window."},
    {SEC_SITE, "views_window", KEY_INT, 1, 604800, "1800", SITE(views_window),
     "Seconds during which the same reader's views of an article count "
     "once (86400: once a day)."},
    {SEC_SITE, "article_pattern", KEY_STRING, 0, 200, "", SITE(article_pattern),
     "POSIX extended regular expression article keys must match, e.g. "
     "`^[0-9]+$`; empty: any key of 1-200 bytes without control "
     "characters."},
    {SEC_SITE, "article_url_pattern", KEY_STRING, 0, 300, "",
     SITE(article_url_pattern),
     "For `bandocd import`: a POSIX extended regular expression with one "
     "group that takes an article's key out of its address in the other "
     "system's export, e.g. `-([0-9]+)\\.html$`; empty: the import needs "
     "`--map FILE` (docs/import.md)."},
    {SEC_SITE, "new_articles_per_minute", KEY_INT, 1, 10000000, "5",
     SITE(new_articles_per_minute),
     "New article keys one client may create per minute (random keys "
     "cannot fill the database)."},
    {SEC_SITE, "moderation", KEY_BOOL, 0, 1, "on", SITE(moderation),
     "New comments wait for a moderator (`off`: published at once, unless "
     "flagged)."},
    {SEC_SITE, "require_email", KEY_BOOL, 0, 1, "off", SITE(require_email),
     "Readers must give an e-mail address (never shown publicly)."},
    {SEC_SITE, "body_max_chars", KEY_INT, 1, 20000, "4000",
     SITE(body_max_chars),
     "Longest comment in characters, after normalisation."},
    {SEC_SITE, "comments_per_minute", KEY_INT, 1, 10000000, "5",
     SITE(comments_per_minute), "Comments one client may post per minute."},
    {SEC_SITE, "comments_per_hour", KEY_INT, 1, 100000000, "30",
     SITE(comments_per_hour), "Comments one client may post per hour."},
    {SEC_SITE, "blocked_words", KEY_LIST, 0, MAX_CONFIG_VALUE, "",
     SITE(blocked_words),
     "Comma-separated words or phrases; a comment containing one is "
     "stored as spam. Matched without case and diacritics (\"đ\" ~ "
     "\"d\") on word boundaries; punctuation and symbols count as "
     "spaces (\"lừa-đảo\" is \"lừa đảo\"), letters spaced apart and "
     "look-alike letters of other scripts do not. May be repeated."},
    {SEC_SITE, "watched_words", KEY_LIST, 0, MAX_CONFIG_VALUE, "",
     SITE(watched_words),
     "Like blocked_words, but the comment waits for a moderator with a "
     "flag."},
    {SEC_SITE, "max_links", KEY_INT, 0, 100, "2", SITE(max_links),
     "More links than this flag a comment for moderation."},
    {SEC_SITE, "comments_order", KEY_STRING, 6, 6, "oldest",
     SITE(comments_order),
     "Order of published comments: `oldest` or `newest` first."},
    {SEC_SITE, "webhook_url", KEY_STRING, 0, 1000, "", SITE(webhook_url),
     "URL that receives a signed JSON POST for each event of "
     "`webhook_events`; empty: none."},
    {SEC_SITE, "webhook_events", KEY_LIST, 0, MAX_CONFIG_VALUE,
     "comment.pending comment.approved comment.rejected comment.spam "
     "comment.deleted",
     SITE(webhook_events_raw),
     "Events the webhook gets: `comment.pending` (a comment waits for "
     "moderation), `comment.approved`, `comment.rejected`, `comment.spam`, "
     "`comment.deleted` (a moderator's change, also a hard delete); "
     "empty: none. May be repeated."},
    {SEC_SITE, "webhook_secret", KEY_STRING, 0, 200, "", SITE(webhook_secret),
     "Key of the `X-Bandoc-Signature: sha256=<HMAC>` header of webhooks "
     "(at least 16 characters when webhook_url is set)."},
    {SEC_SITE, "captcha_fail_window", KEY_INT, 60, 86400, "900",
     SITE(captcha_fail_window), "Seconds of the failure window."},
    {SEC_SITE, "captcha_mode", KEY_STRING, 5, 9, "image", SITE(captcha_mode),
     "`image`: the picture and a proof of work on every challenge; "
     "`invisible`: the proof of work alone, the picture added when the "
     "client's risk rises (a failure, a rate above normal) and always on "
     "the no-JavaScript page."},
    {SEC_SITE, "pow_cost", KEY_INT, POW_MAXNUMBER_MIN, POW_MAXNUMBER_MAX,
     DEFAULT_POW_COST_STR, SITE(pow_cost),
     "ALTCHA `maxnumber` of a client in good standing: the work is half of "
     "it on average (SHA-256 hashes); see docs/captcha.md for what it costs "
     "a phone."},
    {SEC_SITE, "pow_cost_max", KEY_INT, POW_MAXNUMBER_MIN, POW_MAXNUMBER_MAX,
     DEFAULT_POW_COST_MAX_STR, SITE(pow_cost_max),
     "Cap of the adaptive `maxnumber`: the cost doubles with each failure "
     "or challenge above the normal rate, and halves every "
     "`pow_half_life` seconds."},
    {SEC_SITE, "pow_half_life", KEY_INT, 10, 86400, "600", SITE(pow_half_life),
     "Seconds in which a client's extra proof-of-work cost halves."},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct loader {
	struct config *cfg;
	config_error_fn *err;
	void *arg;
	unsigned int line; /* line being parsed */
	unsigned int nerrors;
	/* Line of each key's first assignment, per site (0 = server). */
	unsigned int seen[MAX_SITES + 1][NKEYS];
	char last_section[MAX_SITE_NAME + 16];
	char done_sections[MAX_SITES + 1][MAX_SITE_NAME + 16];
	size_t ndone;
	/* Reader state. */
	const char *str;
	int skipping; /* inside an over-long line */
};

static void problem(struct loader *l, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
problem(struct loader *l, unsigned int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	l->nerrors++;
	if (l->nerrors > MAX_CONFIG_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (l->err != NULL)
		l->err(l->arg, line, msg);
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

int
config_parse_ll(const char *s, long long min, long long max, long long *out)
{
	const char *d;
	char *end;
	long long v;

	if (s == NULL)
		return -1;
	/* Digits only: no blank, "+" or base prefix that strtoll takes. */
	d = s[0] == '-' ? s + 1 : s;
	if (*d < '0' || *d > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
parse_bool(const char *s, long long *out)
{
	if (strcmp(s, "on") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = 1;
	else if (strcmp(s, "off") == 0 || strcmp(s, "no") == 0 ||
	         strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static const struct key *
key_find(enum key_section sec, const char *name, size_t *idx)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].section == sec && strcmp(keys[i].name, name) == 0) {
			*idx = i;
			return &keys[i];
		}
	return NULL;
}

/* Stores a value into base + k->offset. Returns 0 or -1 (out of range;
 * the caller reports). Lists append with a space. */
static int
key_store(const struct key *k, char *base, const char *value, int append)
{
	long long *ip = (long long *)(void *)(base + k->offset);
	char **sp = (char **)(void *)(base + k->offset);
	size_t n = strlen(value);
	char *s;

	switch (k->type) {
	case KEY_INT:
		return config_parse_ll(value, k->min, k->max, ip);
	case KEY_BOOL:
		return parse_bool(value, ip);
	case KEY_STRING:
		if ((long long)n < k->min || (long long)n > k->max)
			return -1;
		if ((s = xstrdup(value)) == NULL)
			return -1;
		free(*sp);
		*sp = s;
		return 0;
	case KEY_LIST:
		if (append && *sp != NULL && **sp != '\0') {
			size_t old = strlen(*sp);

			/* ", " separates items of every list (phrases of
			 * word lists contain spaces). */
			if ((long long)(old + 2 + n) > k->max)
				return -1;
			if ((s = malloc(old + n + 3)) == NULL)
				return -1;
			memcpy(s, *sp, old);
			s[old] = ',';
			s[old + 1] = ' ';
			memcpy(s + old + 2, value, n + 1);
		} else {
			if ((long long)n > k->max)
				return -1;
			if ((s = xstrdup(value)) == NULL)
				return -1;
		}
		free(*sp);
		*sp = s;
		return 0;
	}
	return -1;
}

static const char *
range_text(const struct key *k, char *buf, size_t bufsz)
{
	switch (k->type) {
	case KEY_INT:
		snprintf(buf, bufsz, "%lld..%lld", k->min, k->max);
		break;
	case KEY_BOOL:
		snprintf(buf, bufsz, "on/off");
		break;
	case KEY_STRING:
	case KEY_LIST:
		snprintf(buf, bufsz, "%lld..%lld bytes", k->min, k->max);
		break;
	}
	return buf;
}

/* Returns the site for a section name "site.X" or "site X", creating it
 * on first sight; NULL when the section is not a site. *bad is set when
 * it is a site section with an invalid name or one too many. */
static struct config_site *
site_for(struct loader *l, const char *section, int *bad, size_t *index)
{
	struct config *cfg = l->cfg;
	const char *id;
	size_t i, n;

	*bad = 0;
	if (strncmp(section, "site.", 5) != 0 &&
	    strncmp(section, "site ", 5) != 0)
		return NULL;
	id = section + 5;
	n = strlen(id);
	if (n == 0 || n > MAX_SITE_NAME ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < cfg->nsites; i++)
		if (strcmp(cfg->sites[i].id, id) == 0) {
			*index = i;
			return &cfg->sites[i];
		}
	if (cfg->nsites == MAX_SITES) {
		*bad = 2;
		return NULL;
	}
	if ((cfg->sites[cfg->nsites].id = xstrdup(id)) == NULL) {
		*bad = 3;
		return NULL;
	}
	*index = cfg->nsites;
	return &cfg->sites[cfg->nsites++];
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	const struct key *k;
	struct config_site *site = NULL;
	enum key_section sec;
	size_t idx, slot = 0, si = 0, i;
	int bad, append;
	char *base;

	/* A section seen again after another one is a duplicate section. */
	if (strcmp(section, l->last_section) != 0) {
		for (i = 0; i < l->ndone; i++)
			if (strcmp(l->done_sections[i], section) == 0) {
				problem(l, l->line,
				        "section [%s] appears twice", section);
				break;
			}
		if (l->last_section[0] != '\0' && l->ndone <= MAX_SITES)
			snprintf(l->done_sections[l->ndone++],
			         sizeof(l->done_sections[0]), "%s",
			         l->last_section);
		snprintf(l->last_section, sizeof(l->last_section), "%s",
		         section);
	}

	if (strcmp(section, "server") == 0) {
		sec = SEC_SERVER;
		base = (char *)l->cfg;
	} else if ((site = site_for(l, section, &bad, &si)) != NULL) {
		sec = SEC_SITE;
		base = (char *)site;
		slot = si + 1;
	} else {
		if (bad == 1)
			problem(
			    l, l->line,
			    "bad site name in [%s] (use a-z 0-9 _ -, at most "
			    "%d)",
			    section, MAX_SITE_NAME);
		else if (bad == 2)
			problem(l, l->line, "more than %d sites", MAX_SITES);
		else if (bad == 3)
			problem(l, l->line, "out of memory");
		else
			problem(l, l->line, "unknown section [%s]", section);
		return 1;
	}
	if ((k = key_find(sec, name, &idx)) == NULL) {
		problem(l, l->line, "unknown key '%s' in [%s]", name, section);
		return 1;
	}
	if (l->seen[slot][idx] != 0 && k->type != KEY_LIST) {
		problem(l, l->line,
		        "duplicate key '%s' in [%s] (first set on line %u)",
		        name, section, l->seen[slot][idx]);
		return 1;
	}
	append = l->seen[slot][idx] != 0;
	if (!append)
		l->seen[slot][idx] = l->line;
	if (key_store(k, base, value, append) != 0) {
		char range[64];

		problem(l, l->line, "bad value for '%s' in [%s]: expected %s",
		        name, section, range_text(k, range, sizeof(range)));
	}
	return 1;
}

/* A "[site.NAME]" header creates the site even when no key follows
 * (inih only reports sections through their keys). */
static void
section_seen(struct loader *l, const char *line)
{
	char name[MAX_SITE_NAME + 16];
	const char *p = line + strspn(line, " \t"), *end;
	size_t n;
	int bad;
	size_t idx;

	if (*p != '[' || (end = strchr(p, ']')) == NULL)
		return;
	n = (size_t)(end - p - 1);
	if (n >= sizeof(name))
		return;
	memcpy(name, p + 1, n);
	name[n] = '\0';
	if (site_for(l, name, &bad, &idx) == NULL && bad == 1)
		problem(l, l->line,
		        "bad site name in [%s] (use a-z 0-9 _ -, "
		        "at most %d)",
		        name, MAX_SITE_NAME);
}

/* ini_reader: one line per call, counting lines, refusing long ones. */
static char *
reader(char *str, int num, void *stream)
{
	struct loader *l = stream;
	size_t n;

	for (;;) {
		const char *nl;
		size_t take;

		if (*l->str == '\0')
			return NULL;
		nl = strchr(l->str, '\n');
		take = nl != NULL ? (size_t)(nl - l->str) + 1 : strlen(l->str);
		if (take > (size_t)num - 1)
			take = (size_t)num - 1;
		memcpy(str, l->str, take);
		str[take] = '\0';
		l->str += take;
		n = strlen(str);
		if (l->skipping) {
			/* Rest of an over-long line: drop it. */
			if (n > 0 && str[n - 1] == '\n')
				l->skipping = 0;
			continue;
		}
		l->line++;
		if (n == (size_t)num - 1 && str[n - 1] != '\n') {
			problem(l, l->line, "line longer than %d bytes",
			        num - 2);
			l->skipping = 1;
			str[0] = '\0'; /* an empty line for inih */
		}
		section_seen(l, str);
		return str;
	}
}

/* Fills defaults for keys not set, in the server and in each site. */
/* 1 when key k has no value yet in base: never set, or set to a value
 * that was refused (a string left NULL). */
static int
unset(const struct key *k, const char *base, unsigned int seen)
{
	if (seen == 0)
		return 1;
	return (k->type == KEY_STRING || k->type == KEY_LIST) &&
	       *(char *const *)(const void *)(base + k->offset) == NULL;
}

static int
apply_defaults(struct loader *l)
{
	struct config *cfg = l->cfg;
	size_t i, s;

	/* Refused values get the default too, so that later checks never
	 * meet a NULL (the file is refused anyway). */
	for (i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];

		if (k->section == SEC_SERVER) {
			if (unset(k, (char *)cfg, l->seen[0][i]) &&
			    key_store(k, (char *)cfg, k->def, 0) != 0)
				return -1;
			continue;
		}
		for (s = 0; s < cfg->nsites; s++)
			if (unset(k, (char *)&cfg->sites[s],
			          l->seen[s + 1][i]) &&
			    key_store(k, (char *)&cfg->sites[s], k->def, 0) !=
			        0)
				return -1;
	}
	return 0;
}

/* Splits a space-separated list in place-free fashion: calls fn for each
 * item (copied into a bounded buffer). Returns the number of failures. */
static unsigned int
each_item(const char *list, int (*fn)(void *, const char *), void *arg)
{
	char item[MAX_ORIGIN_LEN + 1];
	unsigned int fails = 0;
	const char *p = list;
	size_t n;

	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t,");
		n = strcspn(p, " \t,");
		if (n == 0)
			break;
		if (n > MAX_ORIGIN_LEN) {
			fails++;
		} else {
			memcpy(item, p, n);
			item[n] = '\0';
			if (fn(arg, item) != 0)
				fails++;
		}
		p += n;
	}
	return fails;
}

/*
 * The callbacks for list values below (add_listen, add_cidr, add_origin,
 * add_event) have the same shape on purpose: capacity, parse, message,
 * count. Each has its own array, parser and wording of the problem; a
 * descriptor table to share the shape would be longer than they are.
 */
struct item_ctx {
	struct loader *l;
	struct config_site *site;
	unsigned int line;
	const char *key;
};

static int
add_listen(void *arg, const char *item)
{
	struct item_ctx *c = arg;
	struct config *cfg = c->l->cfg;

	if (cfg->nlisten == MAX_LISTEN) {
		problem(c->l, c->line, "more than %d listen addresses",
		        MAX_LISTEN);
		return 0;
	}
	if (config_listen_parse(item, &cfg->listen[cfg->nlisten]) != 0) {
		problem(c->l, c->line, "bad listen address '%s'", item);
		return 0;
	}
	cfg->nlisten++;
	return 0;
}

/* A CIDR list into one of the config's arrays (item_ctx.key names it). */
static int
add_cidr(void *arg, const char *item)
{
	struct item_ctx *c = arg;
	struct config *cfg = c->l->cfg;
	int proxies = strcmp(c->key, "trusted_proxies") == 0;
	struct config_cidr *list = proxies ? cfg->proxies : cfg->metrics_allow;
	size_t *n = proxies ? &cfg->nproxies : &cfg->nmetrics_allow;

	if (*n == MAX_PROXIES) {
		problem(c->l, c->line, "more than %d CIDRs in %s", MAX_PROXIES,
		        c->key);
		return 0;
	}
	if (config_cidr_parse(item, &list[*n]) != 0) {
		problem(c->l, c->line, "bad CIDR '%s' in %s", item, c->key);
		return 0;
	}
	(*n)++;
	return 0;
}

static int
add_origin(void *arg, const char *item)
{
	struct item_ctx *c = arg;
	struct config_site *site = c->site;
	char norm[MAX_ORIGIN_LEN + 1];

	if (site->norigins == MAX_ORIGINS) {
		problem(c->l, c->line, "more than %d origins for site '%s'",
		        MAX_ORIGINS, site->id);
		return 0;
	}
	if (config_origin_normalise(item, norm, sizeof(norm)) != 0) {
		problem(
		    c->l, c->line,
		    "bad origin '%s' for site '%s' (want scheme://host[:port])",
		    item, site->id);
		return 0;
	}
	if ((site->origins[site->norigins] = xstrdup(norm)) == NULL) {
		problem(c->l, c->line, "out of memory");
		return 0;
	}
	site->norigins++;
	return 0;
}

static int
add_event(void *arg, const char *item)
{
	struct item_ctx *c = arg;
	int e = webhook_event_parse(item);

	if (e < 0)
		problem(c->l, c->line,
		        "unknown event '%s' in webhook_events of site '%s'",
		        item, c->site->id);
	else
		c->site->webhook_events |= WEBHOOK_BIT(e);
	return 0;
}

static unsigned int
line_of(struct loader *l, size_t slot, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0 &&
		    keys[i].section == (slot == 0 ? SEC_SERVER : SEC_SITE))
			return l->seen[slot][i];
	return 0;
}

/*
 * 1 when a quantifier follows another ("a++", "a*{2}"): glibc's regcomp
 * expands such nests and can need gigabytes for a short pattern (found by
 * the fuzzer). Escaped characters are skipped.
 */
static int
stacked_quantifiers(const char *p)
{
	int prev = 0; /* the previous token was a quantifier */

	for (; *p != '\0'; p++) {
		int q = *p == '*' || *p == '+' || *p == '?' || *p == '{';

		if (*p == '\\' && p[1] != '\0') {
			p++;
			prev = 0;
			continue;
		}
		if (q && prev)
			return 1;
		if (*p == '{') {
			while (*p != '\0' && *p != '}')
				p++;
			if (*p == '\0')
				break;
		}
		prev = q;
	}
	return 0;
}

/* Turns the raw values into their structured forms and checks what the
 * table cannot express. */
static void
finish(struct loader *l)
{
	struct config *cfg = l->cfg;
	struct item_ctx c = {l, NULL, 0, NULL};
	enum log_level lv;
	enum log_format lf;
	char norm[MAX_ORIGIN_LEN + 1];
	size_t i;

	c.line = line_of(l, 0, "listen");
	each_item(cfg->listen_raw, add_listen, &c);
	if (cfg->nlisten == 0)
		problem(l, c.line, "no listen address");
	c.line = line_of(l, 0, "trusted_proxies");
	c.key = "trusted_proxies";
	each_item(cfg->trusted_proxies_raw, add_cidr, &c);
	c.line = line_of(l, 0, "metrics_allow");
	c.key = "metrics_allow";
	each_item(cfg->metrics_allow_raw, add_cidr, &c);
	if (cfg->metrics_listen_raw[0] != '\0' &&
	    config_listen_parse(cfg->metrics_listen_raw,
	                        &cfg->metrics_listen) != 0)
		problem(l, line_of(l, 0, "metrics_listen"),
		        "bad metrics_listen address '%s'",
		        cfg->metrics_listen_raw);
	if (log_level_parse(cfg->log_level, &lv) != 0)
		problem(l, line_of(l, 0, "log_level"),
		        "log_level must be debug, info or warn");
	if (log_format_parse(cfg->log_format, &lf) != 0)
		problem(l, line_of(l, 0, "log_format"),
		        "log_format must be text or json");
	if (cfg->public_url[0] != '\0') {
		if (config_origin_normalise(cfg->public_url, norm,
		                            sizeof(norm)) != 0)
			problem(l, line_of(l, 0, "public_url"),
			        "public_url must be scheme://host[:port]");
		else {
			free(cfg->public_url);
			cfg->public_url = xstrdup(norm);
		}
	}
	/* An empty public_url is worked out by http.c from the first
	 * listen address and its bound port. */
	if (cfg->nsites == 0) {
		/* One site "default" that allows same-origin only. */
		cfg->sites[0].id = xstrdup("default");
		cfg->nsites = 1;
		for (i = 0; i < NKEYS; i++)
			if (keys[i].section == SEC_SITE)
				key_store(&keys[i], (char *)&cfg->sites[0],
				          keys[i].def, 0);
	}
	for (i = 0; i < cfg->nsites; i++) {
		struct config_site *s = &cfg->sites[i];

		c.site = s;
		c.line = line_of(l, i + 1, "origins");
		each_item(s->origins_raw, add_origin, &c);
		c.line = line_of(l, i + 1, "webhook_events");
		s->webhook_events = 0;
		if (each_item(s->webhook_events_raw, add_event, &c) != 0)
			problem(l, c.line,
			        "an item of webhook_events of site '%s' is too "
			        "long",
			        s->id);
		if (s->lang == NULL ||
		    (strcmp(s->lang, "vi") != 0 && strcmp(s->lang, "en") != 0))
			problem(l, line_of(l, i + 1, "lang"),
			        "lang of site '%s' must be vi or en", s->id);
		if (s->secret != NULL && s->secret[0] != '\0' &&
		    strlen(s->secret) < 24)
			problem(l, line_of(l, i + 1, "secret"),
			        "secret of site '%s' must have at least 24 "
			        "characters",
			        s->id);
		if (s->article_pattern != NULL && s->article_pattern[0] &&
		    stacked_quantifiers(s->article_pattern))
			problem(
			    l, line_of(l, i + 1, "article_pattern"),
			    "article_pattern of site '%s' repeats a repetition "
			    "(like \"a++\"): not allowed",
			    s->id);
		else if (s->article_pattern != NULL && s->article_pattern[0] &&
		         regcomp(&s->article_re, s->article_pattern,
		                 REG_EXTENDED | REG_NOSUB) != 0)
			problem(l, line_of(l, i + 1, "article_pattern"),
			        "article_pattern of site '%s' is not a valid "
			        "regular expression",
			        s->id);
		else if (s->article_pattern != NULL && s->article_pattern[0])
			s->has_article_re = 1;
		if (s->article_url_pattern != NULL &&
		    s->article_url_pattern[0] != '\0') {
			if (stacked_quantifiers(s->article_url_pattern))
				problem(
				    l, line_of(l, i + 1, "article_url_pattern"),
				    "article_url_pattern of site '%s' repeats "
				    "a repetition (like \"a++\"): not allowed",
				    s->id);
			else if (regcomp(&s->article_url_re,
			                 s->article_url_pattern,
			                 REG_EXTENDED) != 0)
				problem(
				    l, line_of(l, i + 1, "article_url_pattern"),
				    "article_url_pattern of site '%s' is not a "
				    "valid regular expression",
				    s->id);
			else
				s->has_article_url_re = 1;
			if (s->has_article_url_re &&
			    s->article_url_re.re_nsub < 1)
				problem(
				    l, line_of(l, i + 1, "article_url_pattern"),
				    "article_url_pattern of site '%s' needs a "
				    "group, (...), around the key",
				    s->id);
		}
		if (s->webhook_url[0] != '\0' &&
		    ((strncmp(s->webhook_url, "http://", 7) != 0 &&
		      strncmp(s->webhook_url, "https://", 8) != 0) ||
		     strlen(s->webhook_secret) < 16))
			problem(l, line_of(l, i + 1, "webhook_url"),
			        "webhook_url of site '%s' must be http(s) and "
			        "needs a webhook_secret of 16+ characters",
			        s->id);
		if (s->comments_order == NULL ||
		    (strcmp(s->comments_order, "oldest") != 0 &&
		     strcmp(s->comments_order, "newest") != 0))
			problem(l, line_of(l, i + 1, "comments_order"),
			        "comments_order of site '%s' must be oldest or "
			        "newest",
			        s->id);
		if (s->captcha_mode == NULL ||
		    (strcmp(s->captcha_mode, "image") != 0 &&
		     strcmp(s->captcha_mode, "invisible") != 0))
			problem(l, line_of(l, i + 1, "captcha_mode"),
			        "captcha_mode of site '%s' must be image or "
			        "invisible",
			        s->id);
		else
			s->captcha_invisible =
			    strcmp(s->captcha_mode, "invisible") == 0;
		if (s->pow_cost > s->pow_cost_max)
			problem(l, line_of(l, i + 1, "pow_cost"),
			        "pow_cost of site '%s' exceeds pow_cost_max",
			        s->id);
		if (s->captcha_ttl > cfg->captcha_key_rotation)
			problem(l, line_of(l, i + 1, "captcha_ttl"),
			        "captcha_ttl of site '%s' exceeds "
			        "captcha_key_rotation",
			        s->id);
		if (s->name != NULL && s->name[0] == '\0') {
			free(s->name);
			s->name = xstrdup(s->id);
		}
	}
}

static struct config *
load(struct loader *l)
{
	struct config *cfg = NULL;
	int r;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return NULL;
	l->cfg = cfg;
	r = ini_parse_stream(reader, l, handler, l);
	if (r > 0 && l->nerrors == 0)
		problem(l, (unsigned int)r, "syntax error");
	else if (r < 0)
		problem(l, 0, "cannot read the file");
	if (apply_defaults(l) != 0)
		problem(l, 0, "out of memory");
	else
		finish(l);
	if (l->nerrors > 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *
config_load(const char *path, config_error_fn *err, void *arg)
{
	struct loader *l = NULL;
	struct config *cfg = NULL;
	char *text = NULL;
	FILE *fp = NULL;
	size_t n, k, line = 1;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		goto done;
	l->err = err;
	l->arg = arg;
	/* Read it whole (bounded): a NUL byte anywhere is an error, not a
	 * silent end of its line. */
	if ((fp = fopen(path, "r")) == NULL ||
	    (text = malloc(MAX_CONFIG_BYTES + 1)) == NULL) {
		problem(l, 0, "cannot open the file");
		goto done;
	}
	n = fread(text, 1, MAX_CONFIG_BYTES + 1, fp);
	if (n > MAX_CONFIG_BYTES) {
		problem(l, 0, "larger than %d bytes", MAX_CONFIG_BYTES);
		goto done;
	}
	for (k = 0; k < n; k++) {
		if (text[k] == '\0') {
			problem(l, (unsigned int)line, "NUL byte in line");
			goto done;
		}
		line += text[k] == '\n';
	}
	text[n] = '\0';
	l->str = text;
	cfg = load(l);
done:
	if (fp != NULL)
		fclose(fp);
	free(text);
	free(l);
	return cfg;
}

struct config *
config_load_string(const char *text, config_error_fn *err, void *arg)
{
	struct loader *l;
	struct config *cfg;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->err = err;
	l->arg = arg;
	l->str = text;
	cfg = load(l);
	free(l);
	return cfg;
}

void
config_free(struct config *cfg)
{
	size_t i, j, s;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type != KEY_STRING && keys[i].type != KEY_LIST)
			continue;
		if (keys[i].section == SEC_SERVER) {
			free(*(char **)(void *)((char *)cfg + keys[i].offset));
			continue;
		}
		for (s = 0; s < cfg->nsites; s++)
			free(*(char **)(void *)((char *)&cfg->sites[s] +
			                        keys[i].offset));
	}
	for (s = 0; s < cfg->nsites; s++) {
		free(cfg->sites[s].id);
		if (cfg->sites[s].has_article_re)
			regfree(&cfg->sites[s].article_re);
		if (cfg->sites[s].has_article_url_re)
			regfree(&cfg->sites[s].article_url_re);
		for (j = 0; j < cfg->sites[s].norigins; j++)
			free(cfg->sites[s].origins[j]);
	}
	free(cfg);
}

char *
config_db_path(const struct config *cfg)
{
	const char *dir = cfg->db_file[0] != '\0' ? "" : cfg->data_dir;
	const char *name =
	    cfg->db_file[0] != '\0' ? cfg->db_file : "/bandoc.db";
	size_t n = strlen(dir) + strlen(name) + 1;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s%s", dir, name);
	return p;
}

const struct config_site *
config_site_find(const struct config *cfg, const char *id)
{
	size_t i;

	for (i = 0; i < cfg->nsites; i++)
		if (strcmp(cfg->sites[i].id, id) == 0)
			return &cfg->sites[i];
	return NULL;
}

/* 1 when url starts with origin followed by '/', '?', '#' or its end. */
static int
url_on(const char *url, const char *origin)
{
	size_t n = strlen(origin);

	return strncasecmp(url, origin, n) == 0 &&
	       (url[n] == '\0' || url[n] == '/' || url[n] == '?' ||
	        url[n] == '#');
}

int
config_url_of_site(const struct config_site *site, const char *self_origin,
                   const char *url)
{
	size_t i;

	if (self_origin != NULL && url_on(url, self_origin))
		return 1;
	for (i = 0; i < site->norigins; i++)
		if (url_on(url, site->origins[i]))
			return 1;
	return 0;
}

char *
config_doc_markdown(void)
{
	static const char *types[] = {"integer", "on/off", "string", "list"};
	size_t cap = 16384, len = 0, i;
	char *out, range[64];
	int r;

	if ((out = malloc(cap)) == NULL)
		return NULL;
	r = snprintf(out, cap,
	             "| section | key | type | range | default | meaning |\n"
	             "|---|---|---|---|---|---|\n");
	len = (size_t)r;
	for (i = 0; i < NKEYS; i++) {
		const struct key *k = &keys[i];

		r = snprintf(
		    out + len, cap - len,
		    "| %s | `%s` | %s | %s | %s%s%s | %s |\n",
		    k->section == SEC_SERVER ? "[server]" : "[site.NAME]",
		    k->name, types[k->type],
		    range_text(k, range, sizeof(range)), k->def[0] ? "`" : "",
		    k->def[0] ? k->def : "(empty)", k->def[0] ? "`" : "",
		    k->doc);
		if (r < 0 || (size_t)r >= cap - len) {
			free(out);
			return NULL;
		}
		len += (size_t)r;
	}
	return out;
}

int
config_origin_normalise(const char *s, char *out, size_t outsz)
{
	const char *host, *p;
	size_t hostlen, n, i;
	long long port = -1;
	int https;

	if (strncasecmp(s, "http://", 7) == 0) {
		https = 0;
		host = s + 7;
	} else if (strncasecmp(s, "https://", 8) == 0) {
		https = 1;
		host = s + 8;
	} else
		return -1;
	if (*host == '[') {
		char v6[INET6_ADDRSTRLEN];
		unsigned char bin[16];

		p = strchr(host, ']');
		/* Only a real IPv6 address may stand in brackets. */
		if (p == NULL || (size_t)(p - host - 1) >= sizeof(v6))
			return -1;
		memcpy(v6, host + 1, (size_t)(p - host - 1));
		v6[p - host - 1] = '\0';
		if (inet_pton(AF_INET6, v6, bin) != 1)
			return -1;
		p++;
	} else {
		p = host + strspn(host,
		                  "abcdefghijklmnopqrstuvwxyz"
		                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
	}
	hostlen = (size_t)(p - host);
	if (hostlen == 0 || hostlen > 255)
		return -1;
	if (*p == ':') {
		char digits[8];

		n = strlen(p + 1);
		if (n == 0 || n > 5 || strspn(p + 1, "0123456789") != n)
			return -1;
		memcpy(digits, p + 1, n + 1);
		if (config_parse_ll(digits, 1, 65535, &port) != 0)
			return -1;
	} else if (*p != '\0')
		return -1;
	/* Default ports are dropped, as browsers do in Origin. */
	if ((https && port == 443) || (!https && port == 80))
		port = -1;
	n = (size_t)snprintf(out, outsz, "%s://", https ? "https" : "http");
	if (n + hostlen + 8 > outsz)
		return -1;
	for (i = 0; i < hostlen; i++) {
		char c = host[i];

		out[n++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out[n] = '\0';
	if (port >= 0)
		snprintf(out + n, outsz - n, ":%lld", port);
	return 0;
}

int
config_listen_parse(const char *s, struct config_listen *out)
{
	char host[64];
	const char *colon;
	long long port;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (strlen(s) >= sizeof(out->text))
		return -1;
	if (*s == '[') {
		const char *end = strchr(s, ']');

		if (end == NULL || end[1] != ':')
			return -1;
		n = (size_t)(end - s - 1);
		colon = end + 1;
		if (n == 0 || n >= sizeof(host))
			return -1;
		memcpy(host, s + 1, n);
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		n = (size_t)(colon - s);
		if (n == 0 || n >= sizeof(host))
			return -1;
		memcpy(host, s, n);
	}
	host[n] = '\0';
	if (config_parse_ll(colon + 1, 0, 65535, &port) != 0)
		return -1;
	if (*s == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->addr;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		out->addrlen = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&out->addr;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		out->addrlen = sizeof(*a);
	}
	snprintf(out->text, sizeof(out->text), "%s", s);
	return 0;
}

int
config_cidr_parse(const char *s, struct config_cidr *out)
{
	char addr[64];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	long long prefix;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= sizeof(addr))
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		prefix = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		prefix = 128;
	} else
		return -1;
	if (slash != NULL &&
	    config_parse_ll(slash + 1, 0, prefix, &prefix) != 0)
		return -1;
	out->prefix = (unsigned int)prefix;
	return 0;
}

int
config_cidr_match(const struct config_cidr *c, int family,
                  const unsigned char *addr)
{
	unsigned int full, rest;
	unsigned char mask;

	if (c->family != family)
		return 0;
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(c->addr, addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (c->addr[full] & mask) == (addr[full] & mask);
}
