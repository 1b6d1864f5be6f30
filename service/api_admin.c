/*
 * api_admin.c: the moderators' surface: the login and log-out handlers
 * (sessions and the login gate are admin_session.c's), the route guard,
 * the admin API (comments, bans, audit, stats, users), the admin page,
 * and the one-click links of webhooks. The route table says what each
 * route needs (a session; for state changes its CSRF token and an
 * Origin of the daemon itself; the admin role); http.c checks it through
 * api_admin_guard before a handler here runs.
 * Writes go through the writer; password hashing through the workers.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "admin_session.h"
#include "api.h"
#include "app.h"
#include "assets.h"
#include "auth.h"
#include "bandoc_limits.h"
#include "buf.h"
#include "comments.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "moderation.h"
#include "ratelimit.h"
#include "storage.h"
#include "text.h"
#include "webhook.h"
#include "worker.h"
#include "writer.h"

/* --- sessions (admin_session.c) --- */

static void
client_hash(struct http_req *req, char out[APP_IP_HASH_TEXT])
{
	unsigned char addr[16];
	int family;

	http_req_client_bin(req, &family, addr);
	app_ip_hash(http_req_app(req), family, addr, out);
}

/* The route guard (routes.c): the session, CSRF and role the route's
 * guard column asks for, kept with the request for admin_of(). */
int
api_admin_guard(struct http_req *req, unsigned int need)
{
	struct admin_session *a = malloc(sizeof(*a));
	char ip_hash[APP_IP_HASH_TEXT];
	const char *csrf = http_req_header(req, "X-CSRF-Token");

	if (a == NULL) {
		http_reply_error(req, 503, "unavailable", "Out of memory.");
		return -1;
	}
	if (csrf == NULL)
		csrf = http_req_arg(req, "csrf");
	client_hash(req, ip_hash);
	switch (admin_session_check(
	    http_req_app(req), http_req_cookie(req, "bandoc_session"),
	    (need & HTTP_GUARD_CSRF) != 0, csrf, http_req_from_self(req),
	    (need & HTTP_GUARD_ADMIN) != 0, ip_hash, a)) {
	case ADMIN_CHECK_OK:
		http_req_set_auth(req, a, sizeof(*a));
		return 0;
	case ADMIN_CHECK_NO_SESSION:
		http_reply_error(req, 401, "unauthenticated", "Please log in.");
		break;
	case ADMIN_CHECK_CSRF:
		http_reply_error(req, 403, "csrf",
		                 "Missing or wrong CSRF token or origin.");
		break;
	case ADMIN_CHECK_ROLE:
		http_reply_error(req, 403, "forbidden",
		                 "This needs the admin role.");
		break;
	}
	sodium_memzero(a, sizeof(*a));
	free(a);
	return -1;
}

/* The session of a guarded route's request (never NULL there). */
static const struct admin_session *
admin_of(struct http_req *req)
{
	return http_req_auth(req);
}

/* --- comment JSON (moderation_comment_json) --- */

struct cj {
	struct storage *st;
	json_t *out;
	long long last_id;
	int n;
};

static void
cj_row(void *arg, const struct storage_admin_comment *c)
{
	struct cj *x = arg;

	json_array_append_new(x->out, moderation_comment_json(x->st, c));
	x->last_id = c->id;
	x->n++;
}

/* --- writer jobs for moderation --- */

enum op {
	OP_STATUS,
	OP_EDIT,
	OP_REPLY,
	OP_UNREPLY,
	OP_HARD_DELETE,
	OP_BULK,
	OP_BAN_ADD,
	OP_BAN_DELETE,
	OP_LOGIN,
	OP_LOGOUT,
	OP_USER_ADD,
	OP_USER_DISABLE,
	OP_ONECLICK
};

/*
 * A request's writer job: the operation, its own arguments (u, by op),
 * who acts, and the outcome. Logins and new accounts go through an
 * Argon2 worker first (wjob).
 */
struct job {
	struct writer_job job;
	struct worker_job wjob;
	struct http_req *req;
	enum op op;
	int wstatus; /* the writer's outcome: 0 written */
	struct admin_session a;
	struct moderation_who who; /* a's user and address, the origin */
	long long id;              /* the comment or ban acted on */
	union {
		int status; /* OP_STATUS */
		struct {
			long long *ids;
			size_t n;
			int status;
		} bulk;
		struct {
			char *name,
			    *body; /* OP_EDIT (NULL: unchanged), OP_REPLY */
		} text;
		struct {
			struct moderation_ban b; /* its strings are owned: */
			char *kind, *value, *site, *reason;
		} ban;
		struct {
			char *name, *role; /* OP_USER_ADD, OP_USER_DISABLE */
			int disabled;
		} user;
		struct {
			unsigned char nonce[16];
			long long expires_at;
			int status;
		} oneclick;
	} u;
	/* A login or a new account: the password, its hash, the login's
	 * rate-limit keys (made on the HTTP thread), the new session. */
	char *password;
	char pwhash[STORAGE_MAX_PWHASH + 1];
	char rehash[STORAGE_MAX_PWHASH + 1];
	int pw_ok, disabled;
	struct admin_login_keys keys;
	char session[AUTH_SESSION_TEXT];
	struct moderation_out out;
};

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	switch (j->op) {
	case OP_BULK:
		free(j->u.bulk.ids);
		break;
	case OP_EDIT:
	case OP_REPLY:
		free(j->u.text.name);
		free(j->u.text.body);
		break;
	case OP_BAN_ADD:
		free(j->u.ban.kind);
		free(j->u.ban.value);
		free(j->u.ban.site);
		free(j->u.ban.reason);
		break;
	case OP_USER_ADD:
	case OP_USER_DISABLE:
		free(j->u.user.name);
		free(j->u.user.role);
		break;
	default:
		break;
	}
	if (j->password != NULL) {
		sodium_memzero(j->password, strlen(j->password));
		free(j->password);
	}
	sodium_memzero(j->pwhash, sizeof(j->pwhash));
	sodium_memzero(j->session, sizeof(j->session));
	json_decref(j->out.result);
	free(j);
}

/* --- the operations table: each op's run() in the writer --- */

static int
run_status(struct storage *st, struct job *j)
{
	return moderation_set_status(st, &j->who, j->id, j->u.status, &j->out);
}

static int
run_bulk(struct storage *st, struct job *j)
{
	return moderation_bulk(st, &j->who, j->u.bulk.ids, j->u.bulk.n,
	                       j->u.bulk.status, &j->out);
}

static int
run_edit(struct storage *st, struct job *j)
{
	return moderation_edit(st, &j->who, j->id, j->u.text.name,
	                       j->u.text.body, &j->out);
}

static int
run_reply(struct storage *st, struct job *j)
{
	return moderation_reply(st, &j->who, j->id, j->u.text.body, &j->out);
}

static int
run_unreply(struct storage *st, struct job *j)
{
	return moderation_reply(st, &j->who, j->id, NULL, &j->out);
}

static int
run_hard_delete(struct storage *st, struct job *j)
{
	return moderation_hard_delete(st, &j->who, j->id, &j->out);
}

static int
run_ban_add(struct storage *st, struct job *j)
{
	return moderation_ban_add(st, &j->who, &j->u.ban.b, &j->out);
}

static int
run_ban_delete(struct storage *st, struct job *j)
{
	return moderation_ban_delete(st, &j->who, j->id, &j->out);
}

static int
run_user_add(struct storage *st, struct job *j)
{
	return moderation_user_add(st, &j->who, j->u.user.name, j->u.user.role,
	                           j->pwhash, &j->out);
}

static int
run_user_disable(struct storage *st, struct job *j)
{
	return moderation_user_disable(st, &j->who, j->u.user.name,
	                               j->u.user.disabled, &j->out);
}

static int
run_oneclick(struct storage *st, struct job *j)
{
	return moderation_oneclick(st, &j->who, j->u.oneclick.nonce,
	                           j->u.oneclick.expires_at, j->id,
	                           j->u.oneclick.status, &j->out);
}

static int
run_login(struct storage *st, struct job *j)
{
	if (admin_session_create(st, j->who.cfg, j->a.user, j->a.ip_hash,
	                         j->rehash, j->session, j->a.hash) != 0) {
		j->out.http = 503;
		j->out.code = "unavailable";
		j->out.message = "The database is unavailable; try again.";
		return -1;
	}
	j->out.http = 200;
	return 0;
}

static int
run_logout(struct storage *st, struct job *j)
{
	if (storage_session_delete(st, j->a.hash, sizeof(j->a.hash)) ==
	    STORAGE_ERROR) {
		j->out.http = 503;
		j->out.code = "unavailable";
		j->out.message = "The database is unavailable; try again.";
		return -1;
	}
	j->out.http = 204;
	return 0;
}

static int (*const op_run[])(struct storage *, struct job *) = {
    [OP_STATUS] = run_status,
    [OP_EDIT] = run_edit,
    [OP_REPLY] = run_reply,
    [OP_UNREPLY] = run_unreply,
    [OP_HARD_DELETE] = run_hard_delete,
    [OP_BULK] = run_bulk,
    [OP_BAN_ADD] = run_ban_add,
    [OP_BAN_DELETE] = run_ban_delete,
    [OP_LOGIN] = run_login,
    [OP_LOGOUT] = run_logout,
    [OP_USER_ADD] = run_user_add,
    [OP_USER_DISABLE] = run_user_disable,
    [OP_ONECLICK] = run_oneclick,
};
_Static_assert(sizeof(op_run) / sizeof(op_run[0]) == OP_ONECLICK + 1,
               "every op has its run()");

/* In the writer: the op, in the group's transaction. */
static int
job_run(struct storage *st, void *arg)
{
	struct job *j = arg;

	return op_run[j->op](st, j);
}

/* On the HTTP thread, resumed: the reply from what the job recorded. */
static void
job_reply(struct http_req *req, void *arg)
{
	struct job *j = arg;
	struct app *app = http_req_app(req);

	if (j->wstatus != 0 && j->out.code == NULL) {
		j->out.http = 503;
		j->out.code = "unavailable";
		j->out.message = "The database is unavailable.";
	}
	if (j->out.code != NULL)
		http_reply_error(req, j->out.http, j->out.code, j->out.message);
	else if (j->op == OP_LOGIN) {
		char cookie[256], csrf[AUTH_CSRF_TEXT];

		auth_csrf(j->a.hash, csrf);
		http_reply_json(req, 200,
		                json_pack("{s:s, s:s, s:s}", "name", j->a.user,
		                          "role", j->a.role, "csrf", csrf));
		admin_session_cookie(j->session, app->cfg->admin_secure_cookie,
		                     cookie, sizeof(cookie));
		http_reply_header(req, "Set-Cookie", cookie);
		sodium_memzero(cookie, sizeof(cookie));
	} else if (j->op == OP_LOGOUT) {
		http_reply_bytes(req, 204, NULL, "", 0, 1);
		http_reply_header(req, "Set-Cookie",
		                  admin_session_cookie_clear);
	} else if (j->op == OP_ONECLICK) {
		static const char page[] =
		    "<!doctype html><html lang=\"vi\"><head><meta charset="
		    "\"utf-8\"><title>bandoc</title></head><body><p>Đã thực "
		    "hiện. / Done.</p></body></html>";

		http_reply_html(req, 200, page, sizeof(page) - 1, NULL);
	} else if (j->out.http == 204)
		http_reply_bytes(req, 204, NULL, "", 0, 1);
	else {
		http_reply_json(req, j->out.http, j->out.result);
		j->out.result = NULL;
	}
	job_free(j);
}

/* On the writer thread: records the outcome and resumes, nothing else. */
static void
job_done(void *arg, int status)
{
	struct job *j = arg;

	j->wstatus = status;
	http_req_resume_with(j->req, job_reply, j);
}

/* On the HTTP thread: the 503 of a job that could not go on. */
static void
job_reply_busy(struct http_req *req, void *arg)
{
	http_reply_error(req, 503, "unavailable", "Try again.");
	job_free(arg);
}

static struct job *
job_new(struct http_req *req, enum op op, const struct admin_session *a)
{
	struct job *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		http_reply_error(req, 503, "unavailable", "Out of memory.");
		return NULL;
	}
	j->req = req;
	j->op = op;
	if (a != NULL)
		j->a = *a;
	j->who.cfg = http_req_app(req)->cfg;
	j->who.user = j->a.user;
	j->who.ip_hash = j->a.ip_hash;
	j->who.self = http_self_origin(req);
	j->job.run = job_run;
	j->job.done = job_done;
	j->job.arg = j;
	return j;
}

static void
submit(struct http_req *req, struct job *j)
{
	http_req_suspend(req);
	if (writer_submit(http_req_app(req)->writer, &j->job) != 0) {
		http_req_unsuspend(req);
		http_reply_error(req, 503, "unavailable",
		                 "Too busy; try again.");
		api_retry_after(req, 5);
		job_free(j);
	}
}

/* A job on the route's "#id" (the route matched only a valid one). */
static void
submit_id(struct http_req *req, enum op op)
{
	struct job *j = job_new(req, op, admin_of(req));

	if (j == NULL)
		return;
	j->id = http_req_param_id(req, "id");
	submit(req, j);
}

/* --- comments --- */

void
api_admin_comments(struct http_req *req)
{
	struct app *app = http_req_app(req);
	struct storage_admin_filter f;
	const char *v;
	char *folded = NULL;
	long long n;
	struct cj x;

	memset(&f, 0, sizeof(f));
	f.status = -1;
	f.site = f.article = f.q = "";
	f.limit = ADMIN_LIST_DEFAULT;
	if ((v = http_req_arg(req, "status")) != NULL && *v != '\0' &&
	    (f.status = moderation_status_parse(v)) < 0) {
		http_reply_error(
		    req, 400, "invalid_status",
		    "status must be pending, approved, rejected, spam or "
		    "deleted.");
		return;
	}
	if ((v = http_req_arg(req, "site")) != NULL)
		f.site = v;
	if ((v = http_req_arg(req, "article")) != NULL)
		f.article = v;
	if ((v = http_req_arg(req, "flag")) != NULL && *v != '\0') {
		f.flags = moderation_flag_parse(v);
		if (f.flags == 0) {
			http_reply_error(req, 400, "invalid_flag",
			                 "Unknown flag.");
			return;
		}
	}
	if ((v = http_req_arg(req, "order")) != NULL)
		f.oldest_first = strcmp(v, "oldest") == 0;
	if ((v = http_req_arg(req, "before")) != NULL && *v != '\0' &&
	    config_parse_ll(v, 1, LLONG_MAX, &f.cursor) != 0) {
		http_reply_error(req, 400, "invalid_cursor", "Bad cursor.");
		return;
	}
	if ((v = http_req_arg(req, "limit")) != NULL) {
		if (config_parse_ll(v, 1, ADMIN_MAX_LIST, &n) != 0) {
			http_reply_error(
			    req, 400, "invalid_limit",
			    "limit must be 1.." LIMIT_STR(ADMIN_MAX_LIST) ".");
			return;
		}
		f.limit = (int)n;
	}
	if ((v = http_req_arg(req, "q")) != NULL && *v != '\0') {
		if (strlen(v) > ADMIN_MAX_QUERY_BYTES ||
		    (folded = text_fold(v)) == NULL) {
			http_reply_error(
			    req, 400, "invalid_query",
			    "The search is too long or not UTF-8.");
			return;
		}
		f.q = folded;
	}
	x.st = app_reader(app);
	x.out = json_array();
	x.last_id = 0;
	x.n = 0;
	if (x.st == NULL || storage_admin_list(x.st, &f, cj_row, &x) != 0) {
		json_decref(x.out);
		free(folded);
		http_reply_error(req, 503, "unavailable",
		                 "The database is unavailable.");
		return;
	}
	free(folded);
	http_reply_json(
	    req, 200,
	    json_pack("{s:o, s:o}", "comments", x.out, "next",
	              x.n == f.limit ? json_integer(x.last_id) : json_null()));
}

void
api_admin_comment_action(struct http_req *req)
{
	const char *action = http_req_param(req, "action");
	const struct admin_session *a = admin_of(req);
	struct job *j;
	long long id = http_req_param_id(req, "id");
	int to;

	if (strcmp(action, "reply") == 0) {
		const char *body = http_req_arg(req, "body");
		size_t nc;
		char *norm = NULL;

		if (body == NULL ||
		    text_normalize(body, http_req_arg_len(req, "body"), 1,
		                   &norm, &nc) != TEXT_OK ||
		    nc == 0 || nc > ADMIN_MAX_REPLY_CHARS) {
			free(norm);
			http_reply_error(
			    req, 400, "invalid_fields",
			    "The reply must be 1-" LIMIT_STR(
			        ADMIN_MAX_REPLY_CHARS) " characters of text.");
			return;
		}
		if ((j = job_new(req, OP_REPLY, a)) == NULL) {
			free(norm);
			return;
		}
		j->id = id;
		j->u.text.body = norm;
		submit(req, j);
		return;
	}
	if ((to = moderation_action_status(action)) < 0) {
		http_reply_error(req, 404, "not_found", "No such action.");
		return;
	}
	if ((j = job_new(req, OP_STATUS, a)) == NULL)
		return;
	j->id = id;
	j->u.status = to;
	submit(req, j);
}

void
api_admin_comment_edit(struct http_req *req)
{
	const struct admin_session *a = admin_of(req);
	struct job *j;
	long long id = http_req_param_id(req, "id");
	const char *name = http_req_arg(req, "name");
	const char *body = http_req_arg(req, "body");
	char *nn = NULL, *nb = NULL;
	json_t *fields = NULL;
	size_t nc;

	if (name != NULL && (text_normalize(name, http_req_arg_len(req, "name"),
	                                    0, &nn, &nc) != TEXT_OK ||
	                     nc == 0 || nc > MAX_NAME_CHARS))
		fields = json_pack(
		    "{s:s}", "name",
		    "1-" LIMIT_STR(MAX_NAME_CHARS) " characters of text.");
	if (body != NULL && (text_normalize(body, http_req_arg_len(req, "body"),
	                                    1, &nb, &nc) != TEXT_OK ||
	                     nc == 0 || nc > ADMIN_MAX_EDIT_CHARS)) {
		if (fields == NULL)
			fields = json_object();
		json_object_set_new(
		    fields, "body",
		    json_string("1-" LIMIT_STR(
		        ADMIN_MAX_EDIT_CHARS) " characters of text."));
	}
	if (fields != NULL || (name == NULL && body == NULL)) {
		free(nn);
		free(nb);
		http_reply_error_extra(
		    req, 400, "invalid_fields", "Check the fields.",
		    fields != NULL ? json_pack("{s:o}", "fields", fields)
		                   : NULL);
		return;
	}
	if ((j = job_new(req, OP_EDIT, a)) == NULL) {
		free(nn);
		free(nb);
		return;
	}
	j->id = id;
	j->u.text.name = nn;
	j->u.text.body = nb;
	submit(req, j);
}

void
api_admin_comment_delete(struct http_req *req)
{
	submit_id(req, OP_HARD_DELETE);
}

void
api_admin_reply_delete(struct http_req *req)
{
	submit_id(req, OP_UNREPLY);
}

void
api_admin_bulk(struct http_req *req)
{
	json_t *body = http_req_json(req), *ids;
	const char *action;
	const struct admin_session *a = admin_of(req);
	struct job *j;
	size_t i, n;
	int to;

	ids = body != NULL ? json_object_get(body, "ids") : NULL;
	action = http_req_arg(req, "action");
	n = json_array_size(ids);
	to = moderation_action_status(action);
	if (!json_is_array(ids) || n == 0 || n > ADMIN_MAX_BULK || to < 0) {
		http_reply_error(
		    req, 400, "invalid_fields",
		    "Send {\"ids\": [1.." LIMIT_STR(
		        ADMIN_MAX_BULK) " ids], \"action\": "
		                        "approve|reject|spam|delete|restore}.");
		return;
	}
	if ((j = job_new(req, OP_BULK, a)) == NULL)
		return;
	if ((j->u.bulk.ids = calloc(n, sizeof(*j->u.bulk.ids))) == NULL) {
		job_free(j);
		http_reply_error(req, 503, "unavailable", "Out of memory.");
		return;
	}
	for (i = 0; i < n; i++) {
		json_t *v = json_array_get(ids, i);

		if (!json_is_integer(v) || json_integer_value(v) <= 0) {
			job_free(j);
			http_reply_error(req, 400, "invalid_fields",
			                 "ids must be positive integers.");
			return;
		}
		j->u.bulk.ids[i] = json_integer_value(v);
	}
	j->u.bulk.n = n;
	j->u.bulk.status = to;
	submit(req, j);
}

/* --- bans --- */

static void
ban_row(void *arg, const struct storage_ban *b)
{
	json_array_append_new(
	    arg, json_pack(
	             "{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:s}", "id",
	             (json_int_t)b->id, "kind", b->kind, "value", b->value,
	             "site", b->site ? json_string(b->site) : json_null(),
	             "reason", b->reason, "expires_at",
	             api_iso_time(b->expires_at), "created_at",
	             api_iso_time(b->created_at), "created_by", b->created_by));
}

void
api_admin_bans(struct http_req *req)
{
	struct app *app = http_req_app(req);
	struct storage *rd;
	json_t *list;

	list = json_array();
	if ((rd = app_reader(app)) == NULL ||
	    storage_ban_list(rd, ban_row, list) != 0) {
		json_decref(list);
		http_reply_error(req, 503, "unavailable", "Unavailable.");
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o}", "bans", list));
}

void
api_admin_ban_add(struct http_req *req)
{
	const char *cid = http_req_arg(req, "comment_id");
	const char *kind = http_req_arg(req, "kind");
	const char *value = http_req_arg(req, "value");
	const char *reason = http_req_arg(req, "reason");
	const char *exp = http_req_arg(req, "expires_in");
	const char *site = http_req_arg(req, "site");
	const struct admin_session *a = admin_of(req);
	struct job *j;
	long long id = 0, expires_in = 0;
	char hash[STORAGE_HASH_BYTES * 2 + 1], *ekey = NULL;
	unsigned char addr[16] = {0};

	/* A site ban: one of the configured sites; none or "": all. */
	if (site != NULL && *site != '\0' &&
	    (strlen(site) > MAX_SITE_NAME ||
	     config_site_find(http_req_app(req)->cfg, site) == NULL)) {
		http_reply_error(req, 400, "invalid_site",
		                 "site must be the name of a configured site, "
		                 "or empty for all sites.");
		return;
	}
	/* An address ban is kept as the address's hash, as comments keep
	 * it; anything but an address (or such a hash) could never match
	 * anyone. */
	if (kind != NULL && value != NULL && strcmp(kind, "ip") == 0) {
		if (inet_pton(AF_INET, value, addr) == 1)
			app_ip_hash(http_req_app(req), AF_INET, addr, hash);
		else if (inet_pton(AF_INET6, value, addr) == 1)
			app_ip_hash(http_req_app(req), AF_INET6, addr, hash);
		else if (strlen(value) == sizeof(hash) - 1 &&
		         strspn(value, "0123456789abcdef") == sizeof(hash) - 1)
			memcpy(hash, value, sizeof(hash));
		else {
			http_reply_error(
			    req, 400, "invalid_fields",
			    "An ip ban takes one IPv4 or IPv6 address "
			    "(an IPv6 address bans its /64), or a "
			    "comment_id.");
			return;
		}
		value = hash;
	}
	if (cid != NULL && config_parse_ll(cid, 1, LLONG_MAX, &id) != 0)
		id = -1;
	if (exp != NULL && *exp != '\0' &&
	    config_parse_ll(exp, 1, ADMIN_MAX_BAN_SECONDS, &expires_in) != 0)
		id = -1;
	if (id < 0 ||
	    (id == 0 &&
	     (kind == NULL || value == NULL ||
	      (strcmp(kind, "email") != 0 && strcmp(kind, "ip") != 0) ||
	      (strcmp(kind, "email") == 0 && !text_email_ok(value)) ||
	      strlen(value) > MAX_EMAIL_BYTES)) ||
	    (reason != NULL && strlen(reason) > ADMIN_MAX_BAN_REASON)) {
		http_reply_error(
		    req, 400, "invalid_fields",
		    "Send comment_id, or kind (email|ip) and value; optional "
		    "site, reason (<= " LIMIT_STR(
		        ADMIN_MAX_BAN_REASON) ") and expires_in (seconds).");
		return;
	}
	/* An e-mail ban is stored as its key: an IDN domain in ASCII. */
	if (id == 0 && strcmp(kind, "email") == 0 &&
	    (ekey = text_email_key(value)) == NULL) {
		http_reply_error(req, 400, "invalid_fields",
		                 "The e-mail address's domain is not a valid "
		                 "domain name.");
		return;
	}
	if ((j = job_new(req, OP_BAN_ADD, a)) == NULL) {
		free(ekey);
		return;
	}
	j->u.ban.kind = kind != NULL ? strdup(kind) : NULL;
	j->u.ban.value = ekey != NULL    ? ekey
	                 : value != NULL ? strdup(value)
	                                 : NULL;
	j->u.ban.site = site != NULL && *site != '\0' ? strdup(site) : NULL;
	if (site != NULL && *site != '\0' && j->u.ban.site == NULL) {
		/* Not a ban on every site instead. */
		job_free(j);
		http_reply_error(req, 503, "unavailable", "Out of memory.");
		return;
	}
	j->u.ban.reason = strdup(reason != NULL ? reason : "");
	j->u.ban.b.comment_id = id;
	j->u.ban.b.kind = j->u.ban.kind;
	j->u.ban.b.value = j->u.ban.value;
	j->u.ban.b.site = j->u.ban.site;
	j->u.ban.b.reason = j->u.ban.reason;
	j->u.ban.b.expires_at =
	    expires_in > 0 ? (long long)time(NULL) + expires_in : 0;
	submit(req, j);
}

void
api_admin_ban_delete(struct http_req *req)
{
	submit_id(req, OP_BAN_DELETE);
}

/* --- audit, stats, me, users --- */

static void
audit_row(void *arg, const struct storage_audit *e)
{
	json_t *d,
	    *o = json_pack("{s:I, s:o, s:s, s:s, s:s}", "id", (json_int_t)e->id,
	                   "at", api_iso_time(e->at), "user", e->user, "action",
	                   e->action, "ip_hash", e->ip_hash);

	json_object_set_new(o, "comment_id",
	                    e->comment_id > 0 ? json_integer(e->comment_id)
	                                      : json_null());
	json_object_set_new(o, "before",
	                    e->before ? json_string(e->before) : json_null());
	json_object_set_new(o, "after",
	                    e->after ? json_string(e->after) : json_null());
	/* Written by this daemon as a JSON object; a row that would not
	 * parse is still shown, as a string. */
	json_object_set_new(o, "detail",
	                    e->detail == NULL ? json_null()
	                    : (d = json_loads(e->detail, 0, NULL)) != NULL
	                        ? d
	                        : json_string(e->detail));
	json_array_append_new(arg, o);
}

void
api_admin_audit(struct http_req *req)
{
	struct app *app = http_req_app(req);
	const char *b = http_req_arg(req, "before");
	const char *l = http_req_arg(req, "limit");
	long long before = 0, limit = ADMIN_AUDIT_DEFAULT;
	struct storage *rd;
	json_t *list;
	size_t n;

	if (b != NULL && *b != '\0' &&
	    config_parse_ll(b, 1, LLONG_MAX, &before) != 0) {
		http_reply_error(req, 400, "invalid_cursor", "Bad cursor.");
		return;
	}
	if (l != NULL && config_parse_ll(l, 1, ADMIN_MAX_LIST, &limit) != 0) {
		http_reply_error(
		    req, 400, "invalid_limit",
		    "limit must be 1.." LIMIT_STR(ADMIN_MAX_LIST) ".");
		return;
	}
	list = json_array();
	if ((rd = app_reader(app)) == NULL ||
	    storage_audit_list(rd, before, (int)limit, audit_row, list) != 0) {
		json_decref(list);
		http_reply_error(req, 503, "unavailable", "Unavailable.");
		return;
	}
	n = json_array_size(list);
	http_reply_json(req, 200,
	                json_pack("{s:o, s:o}", "entries", list, "next",
	                          n == (size_t)limit
	                              ? json_copy(json_object_get(
	                                    json_array_get(list, n - 1), "id"))
	                              : json_null()));
}

struct stats_ctx {
	json_t *by_status, *by_site;
};

static void
stats_row(void *arg, const char *site, int status, long long n)
{
	struct stats_ctx *s = arg;
	json_t *o = json_object_get(s->by_site, site);
	const char *name = moderation_status_name(status);

	if (o == NULL) {
		o = json_object();
		json_object_set_new(s->by_site, site, o);
	}
	json_object_set_new(o, name, json_integer(n));
	json_object_set_new(s->by_status, name,
	                    json_integer(n + json_integer_value(json_object_get(
	                                         s->by_status, name))));
}

void
api_admin_stats(struct http_req *req)
{
	struct app *app = http_req_app(req);
	struct stats_ctx s;
	struct storage *rd;
	long long today, oldest, now = (long long)time(NULL), tz, day_start;
	size_t i;

	s.by_status = json_object();
	s.by_site = json_object();
	for (i = STORAGE_PENDING; i <= STORAGE_DELETED; i++)
		json_object_set_new(s.by_status, moderation_status_name((int)i),
		                    json_integer(0));
	/* Every site appears, even one with no comment yet. */
	for (i = 0; i < app->cfg->nsites; i++)
		json_object_set_new(s.by_site, app->cfg->sites[i].id,
		                    json_object());
	tz = app->cfg->timezone_offset * 60;
	day_start = ((now + tz) / 86400) * 86400 - tz;
	if ((rd = app_reader(app)) == NULL ||
	    storage_stats(rd, day_start, stats_row, &s, &today, &oldest) != 0) {
		json_decref(s.by_status);
		json_decref(s.by_site);
		http_reply_error(req, 503, "unavailable", "Unavailable.");
		return;
	}
	http_reply_json(
	    req, 200,
	    json_pack("{s:o, s:o, s:I, s:o}", "by_status", s.by_status,
	              "by_site", s.by_site, "today", (json_int_t)today,
	              "oldest_pending_age",
	              oldest > 0 ? json_integer(now - oldest) : json_null()));
}

void
api_admin_me(struct http_req *req)
{
	const struct admin_session *a = admin_of(req);
	char csrf[AUTH_CSRF_TEXT];

	auth_csrf(a->hash, csrf);
	http_reply_json(req, 200,
	                json_pack("{s:s, s:s, s:s}", "name", a->user, "role",
	                          a->role, "csrf", csrf));
}

static void
user_row(void *arg, const struct storage_user *u)
{
	json_array_append_new(
	    arg, json_pack("{s:s, s:s, s:b, s:o, s:o}", "name", u->name, "role",
	                   u->role, "disabled", u->disabled, "created_at",
	                   api_iso_time(u->created_at), "last_login",
	                   api_iso_time(u->last_login)));
}

void
api_admin_users(struct http_req *req)
{
	struct app *app = http_req_app(req);
	struct storage *rd;
	json_t *list;

	list = json_array();
	if ((rd = app_reader(app)) == NULL ||
	    storage_user_list(rd, user_row, list) != 0) {
		json_decref(list);
		http_reply_error(req, 503, "unavailable", "Unavailable.");
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o}", "users", list));
}

/* Worker: hash a new user's password, then hand the insert over. */
static void
hash_run(void *arg)
{
	struct job *j = arg;

	j->pw_ok = auth_hash_password(j->password, j->pwhash) == 0;
}

static void
hash_done(void *arg)
{
	struct job *j = arg;

	if (!j->pw_ok ||
	    writer_submit(http_req_app(j->req)->writer, &j->job) != 0)
		http_req_resume_with(j->req, job_reply_busy, j);
}

int
api_admin_name_ok(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n >= 1 && n <= STORAGE_MAX_USER &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

void
api_admin_user_add(struct http_req *req)
{
	const char *name = http_req_arg(req, "name");
	const char *role = http_req_arg(req, "role");
	const char *pw = http_req_arg(req, "password");
	const struct admin_session *a = admin_of(req);
	struct job *j;

	if (!api_admin_name_ok(name) || role == NULL ||
	    (strcmp(role, "admin") != 0 && strcmp(role, "moderator") != 0) ||
	    pw == NULL || strlen(pw) < AUTH_PASSWORD_MIN ||
	    strlen(pw) > AUTH_PASSWORD_MAX) {
		http_reply_error(
		    req, 400, "invalid_fields",
		    "name (a-z 0-9 . _ -), role (admin|moderator) and a "
		    "password of at least 12 characters.");
		return;
	}
	if ((j = job_new(req, OP_USER_ADD, a)) == NULL)
		return;
	j->u.user.name = strdup(name);
	j->u.user.role = strdup(role);
	j->password = strdup(pw);
	j->wjob.run = hash_run;
	j->wjob.done = hash_done;
	j->wjob.arg = j;
	http_req_suspend(req);
	if (j->u.user.name == NULL || j->u.user.role == NULL ||
	    j->password == NULL ||
	    worker_submit(http_req_app(req)->workers, &j->wjob) != 0) {
		http_req_unsuspend(req);
		http_reply_error(req, 503, "unavailable", "Too busy.");
		job_free(j);
	}
}

void
api_admin_user_state(struct http_req *req)
{
	const char *name = http_req_param(req, "name");
	const char *action = http_req_param(req, "action");
	const struct admin_session *a = admin_of(req);
	struct job *j;

	if (!api_admin_name_ok(name) ||
	    (strcmp(action, "disable") != 0 && strcmp(action, "enable") != 0)) {
		http_reply_error(req, 404, "not_found", "No such user.");
		return;
	}
	if ((j = job_new(req, OP_USER_DISABLE, a)) == NULL)
		return;
	j->u.user.name = strdup(name);
	j->u.user.disabled = strcmp(action, "disable") == 0;
	submit(req, j);
}

/* --- login and logout (the gate: admin_session.c) --- */

static void
check_run(void *arg)
{
	struct job *j = arg;
	int rehash = 0;

	j->pw_ok = auth_check_password(j->pwhash[0] ? j->pwhash : NULL,
	                               j->password, &rehash);
	if (j->pw_ok && rehash &&
	    auth_hash_password(j->password, j->rehash) != 0)
		j->rehash[0] = '\0';
}

/* On the HTTP thread: a failed login's reply. */
static void
login_failed_reply(struct http_req *req, void *arg)
{
	http_reply_error(req, 401, "login_failed",
	                 "Wrong user name or password.");
	job_free(arg);
}

/* On a worker: records the outcome in the (locked) rate limits with the
 * keys the HTTP thread made, then hands over or resumes. */
static void
check_done(void *arg)
{
	struct job *j = arg;
	struct app *app = http_req_app(j->req);

	if (j->pw_ok && !j->disabled) {
		admin_login_succeeded(app, &j->keys);
		if (writer_submit(app->writer, &j->job) == 0)
			return; /* the writer makes the session */
	}
	admin_login_failed(app, &j->keys);
	log_info("admin: failed login");
	http_req_resume_with(j->req, login_failed_reply, j);
}

void
api_admin_login(struct http_req *req)
{
	struct app *app = http_req_app(req);
	const char *name = http_req_arg(req, "username");
	const char *pw = http_req_arg(req, "password");
	struct admin_login_keys keys;
	struct storage_user u;
	struct storage *rd;
	struct job *j;
	unsigned char addr[16];
	long wait;
	int family, r;

	if (!http_req_from_self(req)) {
		http_reply_error(req, 403, "csrf",
		                 "Log in from the daemon's own page.");
		return;
	}
	if (name == NULL || pw == NULL || strlen(name) > STORAGE_MAX_USER ||
	    strlen(pw) > AUTH_PASSWORD_MAX || *name == '\0') {
		http_reply_error(req, 401, "login_failed",
		                 "Wrong user name or password.");
		return;
	}
	http_req_client_bin(req, &family, addr);
	admin_login_keys(app, name, family, addr, &keys);
	switch (admin_login_gate(app, &keys, &wait)) {
	case ADMIN_GATE_OPEN:
		break;
	case ADMIN_GATE_LOCKED:
		http_reply_error(req, 429, "too_many_attempts",
		                 "Too many failed logins; try again later.");
		api_retry_after(req, wait);
		return;
	case ADMIN_GATE_THROTTLED:
		log_info("admin: login throttled");
		http_reply_error(req, 429, "login_throttled",
		                 "Too many failed logins for this account; "
		                 "wait before the next try.");
		api_retry_after(req, (wait + 999) / 1000);
		return;
	}
	if ((rd = app_reader(app)) == NULL ||
	    (r = storage_user_get(rd, name, &u)) < 0) {
		http_reply_error(req, 503, "unavailable", "Try again.");
		return;
	}
	if ((j = job_new(req, OP_LOGIN, NULL)) == NULL)
		return;
	snprintf(j->a.user, sizeof(j->a.user), "%s", name);
	j->keys = keys;
	if (r == 0) {
		memcpy(j->pwhash, u.hash, sizeof(j->pwhash));
		memcpy(j->a.role, u.role, sizeof(j->a.role));
		j->disabled = u.disabled;
	} /* unknown: checked against the dummy hash, same cost */
	sodium_memzero(&u, sizeof(u));
	client_hash(req, j->a.ip_hash);
	j->password = strdup(pw);
	j->wjob.run = check_run;
	j->wjob.done = check_done;
	j->wjob.arg = j;
	http_req_suspend(req);
	if (j->password == NULL || worker_submit(app->workers, &j->wjob) != 0) {
		http_req_unsuspend(req);
		http_reply_error(req, 503, "unavailable",
		                 "Too busy; try again.");
		api_retry_after(req, 2);
		job_free(j);
	}
}

void
api_admin_logout(struct http_req *req)
{
	const struct admin_session *a = admin_of(req);
	struct job *j;

	if ((j = job_new(req, OP_LOGOUT, a)) == NULL)
		return;
	submit(req, j);
}

/* --- pages --- */

void
api_admin_page(struct http_req *req)
{
	const char *lang = http_req_arg(req, "lang");
	char html[1024];
	int n;

	n = snprintf(
	    html, sizeof(html),
	    "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><meta name=\"robots\" content=\"noindex\">"
	    "<title>bandoc — %s</title><link rel=\"stylesheet\" "
	    "href=\"/static/%s\"></head><body><div id=\"bandoc-admin\" "
	    "data-lang=\"%s\"></div><script src=\"/static/%s\"></script>"
	    "</body></html>\n",
	    lang != NULL && strcmp(lang, "en") == 0 ? "en" : "vi",
	    lang != NULL && strcmp(lang, "en") == 0 ? "Moderation"
	                                            : "Kiểm duyệt",
	    assets_hashed("admin.css"),
	    lang != NULL && strcmp(lang, "en") == 0 ? "en" : "vi",
	    assets_hashed("admin.js"));
	http_reply_html(req, 200, html, (size_t)n, NULL);
	http_reply_header(req, "X-Frame-Options", "DENY");
}

/* GET: a confirmation page (link scanners must not act); POST acts. */
void
api_admin_oneclick(struct http_req *req)
{
	const char *t = http_req_arg(req, "t");
	long long id, expires;
	enum auth_action action;
	unsigned char nonce[16];
	struct job *j;
	struct buf b;
	char *html;
	size_t len;

	if (auth_oneclick_open(t, (long long)time(NULL), &id, &action, &expires,
	                       nonce) != 0) {
		http_reply_error(req, 403, "invalid_link",
		                 "This link is not valid or has expired.");
		return;
	}
	if (http_req_method(req) == HTTP_GET) {
		buf_init(&b, 8192);
		buf_addf(&b,
		         "<!doctype html><html lang=\"vi\"><head><meta "
		         "charset=\"utf-8\"><meta name=\"robots\" content="
		         "\"noindex\"><title>bandoc</title></head><body>"
		         "<form method=\"post\" action=\"/admin/one-click"
		         "\"><p>%s góp ý số %lld? / %s comment #%lld?</p>"
		         "<input type=\"hidden\" name=\"t\" value=\"",
		         action == AUTH_APPROVE ? "Duyệt" : "Từ chối", id,
		         action == AUTH_APPROVE ? "Approve" : "Reject", id);
		buf_add_html(&b, t);
		buf_adds(&b, "\"><button type=\"submit\">OK</button></form>"
		             "</body></html>");
		if ((html = buf_take(&b, &len)) == NULL) {
			http_reply_error(req, 500, "out_of_memory", "OOM");
			return;
		}
		http_reply_html(req, 200, html, len, NULL);
		free(html);
		return;
	}
	if ((j = job_new(req, OP_ONECLICK, NULL)) == NULL)
		return;
	j->id = id;
	j->u.oneclick.status =
	    action == AUTH_APPROVE ? STORAGE_APPROVED : STORAGE_REJECTED;
	j->u.oneclick.expires_at = expires;
	memcpy(j->u.oneclick.nonce, nonce, sizeof(nonce));
	snprintf(j->a.user, sizeof(j->a.user), "one-click");
	client_hash(req, j->a.ip_hash);
	submit(req, j);
}
