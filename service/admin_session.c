/*
 * admin_session.c: moderators' sessions, CSRF and the login gate.
 *
 * Brute force, after OWASP's Authentication Cheat Sheet: an address with
 * ADMIN_LOGIN_FAIL_LIMIT failures in admin_lockout_window is locked out
 * for as long; an account with as many failures (from anywhere) is never
 * locked, only slowed: each further attempt from an address that never
 * logged in to it waits a doubling delay (admin_login_delay_base_ms up
 * to admin_login_delay_max), so failures sent from many addresses cannot
 * keep its moderator out. Addresses that logged in to the account before
 * pass the delay (their own failures still count). Both checks come
 * before the Argon2 hash, which is what they protect.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "admin_session.h"
#include "bandoc_limits.h"
#include "config.h"
#include "writer.h"

const char admin_session_cookie_clear[] =
    "bandoc_session=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0";

/* --- sessions --- */

struct touch_job {
	struct writer_job job;
	unsigned char hash[AUTH_SESSION_HASH];
	long long now;
};

static int
touch_run(struct storage *st, void *arg)
{
	struct touch_job *t = arg;

	return storage_session_touch(st, t->hash, sizeof(t->hash), t->now) ==
	               STORAGE_ERROR
	           ? -1
	           : 0;
}

static void
touch_done(void *arg, int status)
{
	(void)status;
	free(arg);
}

/* Refreshes last_seen often enough for the idle timeout to hold, without
 * a write on every request. Best effort: a busy writer skips one. */
static void
touch(struct app *app, const struct storage_session *s,
      const unsigned char hash[AUTH_SESSION_HASH], long long now)
{
	long long every = app->cfg->admin_idle_timeout / 2;
	struct touch_job *t;

	if (every > ADMIN_TOUCH_EVERY)
		every = ADMIN_TOUCH_EVERY;
	if (now - s->last_seen < every || (t = calloc(1, sizeof(*t))) == NULL)
		return;
	memcpy(t->hash, hash, sizeof(t->hash));
	t->now = now;
	t->job.run = touch_run;
	t->job.done = touch_done;
	t->job.arg = t;
	if (writer_submit(app->writer, &t->job) != 0)
		free(t);
}

enum admin_check
admin_session_check(struct app *app, const char *cookie, int need_csrf,
                    const char *csrf, int from_self, int need_admin,
                    const char ip_hash[APP_IP_HASH_TEXT],
                    struct admin_session *out)
{
	const struct config *cfg = app->cfg;
	struct storage_session s;
	struct storage *rd = app_reader(app);
	long long now = (long long)time(NULL);

	memset(out, 0, sizeof(*out));
	if (auth_session_hash(cookie, out->hash) != 0 || rd == NULL ||
	    storage_session_get(rd, out->hash, sizeof(out->hash), &s) != 0 ||
	    s.disabled || s.last_seen + cfg->admin_idle_timeout < now ||
	    s.created_at + cfg->admin_session_max < now)
		return ADMIN_CHECK_NO_SESSION;
	if (need_csrf && (!auth_csrf_ok(out->hash, csrf) || !from_self))
		return ADMIN_CHECK_CSRF;
	memcpy(out->user, s.user, sizeof(out->user));
	memcpy(out->role, s.role, sizeof(out->role));
	out->is_admin = strcmp(s.role, "admin") == 0;
	if (need_admin && !out->is_admin)
		return ADMIN_CHECK_ROLE;
	memcpy(out->ip_hash, ip_hash, sizeof(out->ip_hash));
	touch(app, &s, out->hash, now);
	return ADMIN_CHECK_OK;
}

int
admin_session_create(struct storage *st, const struct config *cfg,
                     const char *user, const char *ip_hash, const char *rehash,
                     char text[AUTH_SESSION_TEXT],
                     unsigned char hash[AUTH_SESSION_HASH])
{
	long long now = (long long)time(NULL);

	auth_session_new(text, hash);
	if (storage_session_add(st, hash, AUTH_SESSION_HASH, user, now,
	                        ip_hash) != 0 ||
	    storage_user_logged_in(st, user, now) == STORAGE_ERROR ||
	    (rehash[0] != '\0' &&
	     storage_user_set_hash(st, user, rehash) == STORAGE_ERROR) ||
	    storage_session_purge(st, now - cfg->admin_idle_timeout,
	                          now - cfg->admin_session_max) < 0)
		return -1;
	return 0;
}

void
admin_session_cookie(const char *text, long long secure, char *out,
                     size_t outsz)
{
	snprintf(out, outsz,
	         "bandoc_session=%s; Path=/admin; HttpOnly; SameSite=Strict%s",
	         text, secure ? "; Secure" : "");
}

/* --- the login gate --- */

/* Wall-clock seconds with their fraction: the clock of the rate limiter's
 * other callers (time(NULL)), fine enough for delays in milliseconds. */
static double
login_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
login_delay(const struct app *app, struct ratelimit_delay *d)
{
	d->free_fails = ADMIN_LOGIN_FAIL_LIMIT;
	d->base_ms = (unsigned int)app->cfg->admin_login_delay_base_ms;
	d->max_ms = (unsigned int)app->cfg->admin_login_delay_max * 1000u;
	d->window = (unsigned int)app->cfg->admin_lockout_window;
}

void
admin_login_keys(struct app *app, const char *name, int family,
                 const unsigned char addr[16], struct admin_login_keys *k)
{
	unsigned char uh[16];

	/* The account's key: a hash of the name in place of an address. */
	crypto_generichash(uh, sizeof(uh), (const unsigned char *)name,
	                   strlen(name), NULL, 0);
	ratelimit_key(app->ratelimit, "login-user", "", AF_INET6, uh, k->user);
	ratelimit_key(app->ratelimit, "login-ip", "", family, addr, k->ip);
	ratelimit_key(app->ratelimit, "login-known", name, family, addr,
	              k->pair);
}

enum admin_gate
admin_login_gate(struct app *app, const struct admin_login_keys *k, long *wait)
{
	struct ratelimit_delay d;
	double now = login_now();

	if ((*wait = ratelimit_locked(app->ratelimit, k->ip, now)) > 0)
		return ADMIN_GATE_LOCKED;
	login_delay(app, &d);
	if (!ratelimit_known(app->ratelimit, k->pair) &&
	    (*wait = ratelimit_delay_take(app->ratelimit, k->user, &d, now)) >
	        0)
		return ADMIN_GATE_THROTTLED;
	return ADMIN_GATE_OPEN;
}

void
admin_login_succeeded(struct app *app, const struct admin_login_keys *k)
{
	/* This address is known to the account from now on. */
	ratelimit_known_add(app->ratelimit, k->pair, login_now());
}

void
admin_login_failed(struct app *app, const struct admin_login_keys *k)
{
	struct ratelimit_delay d;

	login_delay(app, &d);
	ratelimit_delay_fail(app->ratelimit, k->user, &d, login_now());
	ratelimit_fail(app->ratelimit, k->ip, ADMIN_LOGIN_FAIL_LIMIT,
	               (unsigned int)app->cfg->admin_lockout_window,
	               login_now());
}
