#ifndef BANDOC_ADMIN_SESSION_H
#define BANDOC_ADMIN_SESSION_H

/*
 * admin_session: the moderators' sessions (cookie token, only its hash
 * is stored; idle timeout and maximum age; last_seen refreshed through
 * the writer), CSRF tokens bound to a session, and the login gate
 * against brute force (lock-out of an address, doubling delay of an
 * account). No HTTP here: the handlers in api_admin.c and the route
 * guard pass plain values in.
 */

#include "app.h"
#include "auth.h"
#include "ratelimit.h"
#include "storage.h"

struct config;

/* A moderator's session, as the guard resolved it. */
struct admin_session {
	char user[STORAGE_MAX_USER + 1];
	char role[16];
	int is_admin;
	unsigned char hash[AUTH_SESSION_HASH];
	char ip_hash[APP_IP_HASH_TEXT];
};

/* What a request needs (the route table's guard column, http.h). */
enum admin_check {
	ADMIN_CHECK_OK,
	ADMIN_CHECK_NO_SESSION, /* none, unknown, expired, disabled: 401 */
	ADMIN_CHECK_CSRF,       /* wrong or missing token or origin: 403 */
	ADMIN_CHECK_ROLE        /* needs the admin role: 403 */
};

/*
 * Resolves the session of cookie (the bandoc_session value, or NULL).
 * csrf/from_self: checked when need_csrf (state-changing requests).
 * need_admin: the admin role. On ADMIN_CHECK_OK *out is filled
 * (ip_hash from the caller's) and, every TOUCH interval, last_seen is
 * refreshed through the writer.
 */
enum admin_check admin_session_check(struct app *app, const char *cookie,
                                     int need_csrf, const char *csrf,
                                     int from_self, int need_admin,
                                     const char ip_hash[APP_IP_HASH_TEXT],
                                     struct admin_session *out);

/*
 * Writer side of a login: makes a session for user (ip_hash: where it
 * logged in from), records the login, stores rehash when not empty and
 * purges expired sessions. text receives the cookie value, hash its
 * stored hash. 0, or -1 on a database error.
 */
int admin_session_create(struct storage *st, const struct config *cfg,
                         const char *user, const char *ip_hash,
                         const char *rehash, char text[AUTH_SESSION_TEXT],
                         unsigned char hash[AUTH_SESSION_HASH]);

/* The Set-Cookie value of a new session (secure: the Secure flag). */
void admin_session_cookie(const char *text, long long secure, char *out,
                          size_t outsz);
/* The Set-Cookie value that ends the session in the browser. */
extern const char admin_session_cookie_clear[];

/* --- the login gate (OWASP's Authentication Cheat Sheet) --- */

/* The rate-limit keys of one login attempt (no name or address kept). */
struct admin_login_keys {
	unsigned char user[RATELIMIT_KEY_BYTES]; /* the account */
	unsigned char ip[RATELIMIT_KEY_BYTES];   /* the address */
	unsigned char pair[RATELIMIT_KEY_BYTES]; /* (account, address) */
};

enum admin_gate {
	ADMIN_GATE_OPEN,
	ADMIN_GATE_LOCKED,   /* the address is locked out: *wait seconds */
	ADMIN_GATE_THROTTLED /* the account is slowed: *wait ms */
};

void admin_login_keys(struct app *app, const char *name, int family,
                      const unsigned char addr[16], struct admin_login_keys *k);
/* May this attempt go on to the password hash? */
enum admin_gate admin_login_gate(struct app *app,
                                 const struct admin_login_keys *k, long *wait);
/* The outcome of the password check (any thread: the limiter locks). */
void admin_login_succeeded(struct app *app, const struct admin_login_keys *k);
void admin_login_failed(struct app *app, const struct admin_login_keys *k);

#endif
