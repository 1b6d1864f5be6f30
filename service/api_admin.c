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
#include "ratelimit.h"
#include "storage.h"
#include "text.h"
#include "webhook.h"
#include "worker.h"
#include "writer.h"

static const char *const status_names[] = {"pending", "approved", "rejected",
                                           "spam", "deleted"};
static const struct {
	const char *name;
	unsigned int bit;
} flag_names[] = {{"watched", STORAGE_FLAG_WATCHED},
                  {"links", STORAGE_FLAG_LINKS},
                  {"honeypot", STORAGE_FLAG_HONEYPOT},
                  {"banned", STORAGE_FLAG_BANNED},
                  {"blocked", STORAGE_FLAG_BLOCKED}};

static int
status_parse(const char *s)
{
	size_t i;

	for (i = 0; i < 5; i++)
		if (strcmp(s, status_names[i]) == 0)
			return (int)i;
	return -1;
}

/* The status an action sets, or -1. */
static int
action_status(const char *action)
{
	static const char *const actions[] = {"restore", "approve", "reject",
	                                      "spam", "delete"};
	size_t i;

	for (i = 0; action != NULL && i < 5; i++)
		if (strcmp(action, actions[i]) == 0)
			return (int)i;
	return -1;
}

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

/* --- comment JSON --- */

static void
history_row(void *arg, const char *action, const char *user, long long at)
{
	json_array_append_new(arg,
	                      json_pack("{s:s, s:s, s:o}", "action", action,
	                                "user", user, "at", api_iso_time(at)));
}

struct cj {
	struct storage *st;
	json_t *out; /* array or single slot */
	long long last_id;
	int n;
};

static json_t *
comment_json(struct storage *st, const struct storage_admin_comment *c)
{
	json_t *o = json_object(), *flags = json_array(), *hist = json_array();
	char ip[13];
	size_t i;

	for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
		if (c->flags & flag_names[i].bit)
			json_array_append_new(flags,
			                      json_string(flag_names[i].name));
	snprintf(ip, sizeof(ip), "%.12s", c->ip_hash);
	storage_admin_history(st, c->id, history_row, hist);
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "site", json_string(c->site));
	json_object_set_new(o, "article", json_string(c->article));
	json_object_set_new(o, "article_title", json_string(c->article_title));
	json_object_set_new(o, "article_url", json_string(c->article_url));
	json_object_set_new(o, "parent_id",
	                    c->parent_id > 0 ? json_integer(c->parent_id)
	                                     : json_null());
	json_object_set_new(o, "parent_excerpt",
	                    c->parent_id > 0 ? json_string(c->parent_excerpt)
	                                     : json_null());
	json_object_set_new(o, "name", json_string(c->name));
	json_object_set_new(o, "email", json_string(c->email));
	json_object_set_new(o, "body", json_string(c->body));
	json_object_set_new(o, "status",
	                    json_string(c->status >= 0 && c->status < 5
	                                    ? status_names[c->status]
	                                    : "?"));
	json_object_set_new(o, "flags", flags);
	json_object_set_new(o, "ip_hash", json_string(ip));
	json_object_set_new(o, "user_agent", json_string(c->user_agent));
	json_object_set_new(o, "created_at", api_iso_time(c->created_at));
	json_object_set_new(o, "updated_at", api_iso_time(c->updated_at));
	json_object_set_new(o, "reply",
	                    c->reply_body != NULL
	                        ? json_pack("{s:s, s:s, s:o}", "name",
	                                    c->reply_name ? c->reply_name : "",
	                                    "body", c->reply_body, "created_at",
	                                    api_iso_time(c->reply_at))
	                        : json_null());
	json_object_set_new(o, "history", hist);
	return o;
}

static void
cj_row(void *arg, const struct storage_admin_comment *c)
{
	struct cj *x = arg;

	if (json_is_array(x->out))
		json_array_append_new(x->out, comment_json(x->st, c));
	else
		x->out = comment_json(x->st, c);
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

struct job {
	struct writer_job job;
	struct worker_job wjob;
	struct http_req *req;
	enum op op;
	int wstatus; /* the writer's outcome: 0 written */
	/* A login's rate-limit keys, made on the HTTP thread. */
	struct admin_login_keys keys;
	struct admin_session a;
	const char *self; /* the daemon's origin, for webhook links */
	long long id, expires_at;
	int status;
	long long *ids;
	size_t nids;
	char *name, *body, *search, *kind, *value, *reason, *password, *site;
	char pwhash[STORAGE_MAX_PWHASH + 1];
	char rehash[STORAGE_MAX_PWHASH + 1];
	int pw_ok, disabled;
	char session[AUTH_SESSION_TEXT];
	unsigned char nonce[16];
	/* The reply. */
	unsigned int http;
	const char *code;
	const char *message;
	json_t *result;
};

static void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	free(j->ids);
	free(j->name);
	free(j->body);
	free(j->search);
	free(j->kind);
	free(j->value);
	free(j->reason);
	free(j->site);
	if (j->password != NULL) {
		sodium_memzero(j->password, strlen(j->password));
		free(j->password);
	}
	sodium_memzero(j->pwhash, sizeof(j->pwhash));
	sodium_memzero(j->session, sizeof(j->session));
	json_decref(j->result);
	free(j);
}

static void
fail(struct job *j, unsigned int http, const char *code, const char *msg)
{
	j->http = http;
	j->code = code;
	j->message = msg;
}

/*
 * A copy of a comment as the database holds it, taken in the writer's
 * transaction just before a change: what the audit detail and the
 * webhook of that change describe.
 */
struct snap {
	long long id, created_at;
	int status;
	unsigned int flags;
	char *site, *article, *title, *url, *name, *email, *body;
	int ok; /* every copy made */
};

static void
snap_free(struct snap *c)
{
	free(c->site);
	free(c->article);
	free(c->title);
	free(c->url);
	free(c->name);
	free(c->email);
	free(c->body);
	memset(c, 0, sizeof(*c));
}

static void
snap_row(void *arg, const struct storage_admin_comment *c)
{
	struct snap *x = arg;

	x->id = c->id;
	x->created_at = c->created_at;
	x->status = c->status >= 0 && c->status < 5 ? c->status : 0;
	x->flags = c->flags;
	x->site = strdup(c->site);
	x->article = strdup(c->article);
	x->title = strdup(c->article_title);
	x->url = strdup(c->article_url);
	x->name = strdup(c->name);
	x->email = strdup(c->email);
	x->body = strdup(c->body);
	x->ok = x->site && x->article && x->title && x->url && x->name &&
	        x->email && x->body;
}

/* Takes the snapshot of comment id: 0, 1 no such comment, -1 error
 * (nothing to free then). */
static int
snap_take(struct storage *st, long long id, struct snap *out)
{
	int r;

	memset(out, 0, sizeof(*out));
	r = storage_admin_get(st, id, snap_row, out);
	if (r == 0 && !out->ok) {
		snap_free(out);
		return -1;
	}
	return r;
}

/* The event of a moderator's change to status to, or -1 (a restore to
 * pending is not one: comment.pending means a new comment). */
static int
status_event(int to)
{
	switch (to) {
	case STORAGE_APPROVED:
		return WEBHOOK_APPROVED;
	case STORAGE_REJECTED:
		return WEBHOOK_REJECTED;
	case STORAGE_SPAM:
		return WEBHOOK_SPAM;
	case STORAGE_DELETED:
		return WEBHOOK_DELETED;
	default:
		return -1;
	}
}

/* Adds the webhook event ev of the comment in c, acted on by j's user,
 * to the outbox (when its site takes it). 0 / -1. */
static int
snap_event(struct storage *st, struct job *j, const struct snap *c,
           enum webhook_event ev, int hard, long long now)
{
	const struct config_site *site =
	    config_site_find(http_req_app(j->req)->cfg, c->site);
	struct webhook_comment w = {c->id,    c->created_at, c->article,
	                            c->title, c->url,        c->name,
	                            c->email, c->body,       c->flags};

	return webhook_enqueue(st, site, ev, &w, j->self, j->a.user, hard, now);
}

/*
 * Changes one comment's status with its audit row and, when the status
 * changes to one that has an event, the webhook's outbox row, all in the
 * writer's transaction. 0, 1 no such comment, -1 error.
 */
static int
set_status(struct storage *st, struct job *j, long long id, int to,
           const char *action)
{
	long long now = (long long)time(NULL);
	int from, r, ev = status_event(to);
	struct snap c;
	char ip[33];

	r = storage_admin_status_of(st, id, &from, ip, sizeof(ip), NULL, NULL,
	                            NULL);
	if (r != 0)
		return r;
	if (storage_admin_set_status(st, id, to, now) < 0 ||
	    storage_audit_add(st, now, j->a.user, action, id, j->a.ip_hash,
	                      status_names[from], status_names[to]) != 0)
		return -1;
	if (ev < 0 || from == to)
		return 0;
	if (snap_take(st, id, &c) != 0)
		return -1;
	r = snap_event(st, j, &c, (enum webhook_event)ev, 0, now);
	snap_free(&c);
	return r;
}

/* Dumps o (stolen) compactly; NULL when out of memory. */
static char *
json_text(json_t *o)
{
	char *t = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return t;
}

/*
 * The audit detail of a hard delete: where the comment was, who wrote it
 * and when, and a digest of its text (BLAKE2b-128, hex: `b2sum -l 128`
 * of the body gives the same), so that a copy can be recognised later.
 * Neither the text nor the e-mail address is kept: a deletion for
 * privacy stays a deletion.
 */
static char *
delete_detail(const struct snap *c)
{
	unsigned char h[16];
	char hex[sizeof(h) * 2 + 1];

	crypto_generichash(h, sizeof(h), (const unsigned char *)c->body,
	                   strlen(c->body), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	return json_text(
	    json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "site", c->site,
	              "article", c->article, "name", c->name, "created_at",
	              api_iso_time(c->created_at), "status",
	              status_names[c->status], "body_blake2b_128", hex));
}

/* Deletes comment j->id for ever with its audit row. 0, 1 no such
 * comment, -1 error. */
static int
hard_delete(struct storage *st, struct job *j, long long now)
{
	struct snap c;
	char *detail = NULL;
	int r;

	if ((r = snap_take(st, j->id, &c)) != 0)
		return r;
	r = -1;
	if ((detail = delete_detail(&c)) == NULL ||
	    snap_event(st, j, &c, WEBHOOK_DELETED, 1, now) != 0 ||
	    storage_admin_delete(st, j->id) != 1 ||
	    storage_audit_add_detail(st, now, j->a.user, "hard_delete", j->id,
	                             j->a.ip_hash, NULL, NULL, detail) != 0)
		goto done;
	r = 0;
done:
	free(detail);
	snap_free(&c);
	return r;
}

/* The audit detail of a ban or unban: the ban as stored (an address
 * as its keyed hash). */
static char *
ban_detail(const struct storage_ban *b)
{
	return json_text(json_pack(
	    "{s:I, s:s, s:s, s:o, s:o, s:s}", "ban_id", (json_int_t)b->id,
	    "kind", b->kind, "value", b->value, "site",
	    b->site ? json_string(b->site) : json_null(), "expires_at",
	    api_iso_time(b->expires_at), "reason", b->reason));
}

static void
ban_audit_row(void *arg, const struct storage_ban *b)
{
	*(char **)arg = ban_detail(b);
}

/* Appends the audit row of action (ban, unban) on ban id, read back as
 * stored. 0, 1 no such ban, -1 error. */
static int
ban_audit(struct storage *st, struct job *j, const char *action, long long id,
          long long now)
{
	int ban = strcmp(action, "ban") == 0;
	char *detail = NULL;
	int r = storage_ban_get(st, id, ban_audit_row, &detail);

	if (r == 0 &&
	    (detail == NULL ||
	     storage_audit_add_detail(st, now, j->a.user, action,
	                              ban ? j->id : 0, j->a.ip_hash, NULL,
	                              ban ? j->kind : NULL, detail) != 0))
		r = -1;
	free(detail);
	return r;
}

static int
result_comment(struct storage *st, struct job *j, long long id)
{
	struct cj x = {st, NULL, 0, 0};

	if (storage_admin_get(st, id, cj_row, &x) != 0)
		return -1;
	j->result = x.out;
	j->http = 200;
	return 0;
}

static const char *
op_action(int status)
{
	static const char *const actions[] = {"restore", "approve", "reject",
	                                      "spam", "delete"};

	return actions[status];
}

static int
job_run(struct storage *st, void *arg)
{
	struct job *j = arg;
	long long now = (long long)time(NULL), newid;
	char *oldname = NULL, *oldbody = NULL, ip[33], *b = NULL, *a = NULL;
	int r, from;
	size_t i;

	switch (j->op) {
	case OP_STATUS:
		r = set_status(st, j, j->id, j->status, op_action(j->status));
		if (r == 1) {
			fail(j, 404, "not_found", "No such comment.");
			return -1;
		}
		if (r < 0 || result_comment(st, j, j->id) != 0)
			goto err;
		return 0;
	case OP_BULK:
		for (i = 0; i < j->nids; i++) {
			r = set_status(st, j, j->ids[i], j->status,
			               op_action(j->status));
			if (r == 1) {
				/* All or nothing: the writer rolls back. */
				fail(j, 404, "not_found",
				     "A comment of the list does not exist; "
				     "nothing was changed.");
				return -1;
			}
			if (r < 0)
				goto err;
		}
		j->result = json_pack("{s:I}", "updated", (json_int_t)j->nids);
		j->http = 200;
		return 0;
	case OP_EDIT:
		r = storage_admin_status_of(st, j->id, &from, ip, sizeof(ip),
		                            &oldname, &oldbody, NULL);
		if (r == 1) {
			fail(j, 404, "not_found", "No such comment.");
			return -1;
		}
		if (r < 0)
			goto err;
		b = json_text(
		    json_pack("{s:s, s:s}", "name", oldname, "body", oldbody));
		a = json_text(json_pack("{s:s, s:s}", "name",
		                        j->name ? j->name : oldname, "body",
		                        j->body ? j->body : oldbody));
		j->search =
		    comments_search_text(j->name ? j->name : oldname, "",
		                         j->body ? j->body : oldbody);
		r = storage_admin_edit(st, j->id, j->name ? j->name : oldname,
		                       j->body ? j->body : oldbody,
		                       j->search ? j->search : "", now) == 1 &&
		    storage_audit_add(st, now, j->a.user, "edit", j->id,
		                      j->a.ip_hash, b, a) == 0;
		free(oldname);
		free(oldbody);
		free(b);
		free(a);
		if (!r || result_comment(st, j, j->id) != 0)
			goto err;
		return 0;
	case OP_REPLY:
	case OP_UNREPLY:
		/* The public sees the newsroom, not the moderator's login
		 * (the audit log keeps who it was). */
		r = storage_admin_reply(st, j->id, "Ban biên tập",
		                        j->op == OP_REPLY ? j->body : NULL,
		                        now);
		if (r == 0) {
			fail(j, 404, "not_found", "No such comment.");
			return -1;
		}
		if (r < 0 ||
		    storage_audit_add(st, now, j->a.user,
		                      j->op == OP_REPLY ? "reply" : "unreply",
		                      j->id, j->a.ip_hash, NULL,
		                      j->op == OP_REPLY ? j->body : NULL) !=
		        0 ||
		    result_comment(st, j, j->id) != 0)
			goto err;
		return 0;
	case OP_HARD_DELETE:
		r = hard_delete(st, j, now);
		if (r == 1) {
			fail(j, 404, "not_found", "No such comment.");
			return -1;
		}
		if (r < 0)
			goto err;
		j->http = 204;
		return 0;
	case OP_BAN_ADD:
		if (j->id > 0) {
			r = storage_admin_status_of(
			    st, j->id, &from, ip, sizeof(ip), NULL, NULL, NULL);
			if (r == 1) {
				fail(j, 404, "not_found", "No such comment.");
				return -1;
			}
			if (r < 0)
				goto err;
			free(j->kind);
			free(j->value);
			j->kind = strdup("ip");
			j->value = strdup(ip);
		}
		if (j->kind == NULL || j->value == NULL ||
		    storage_ban_add(st, j->kind, j->value, j->site, j->reason,
		                    j->expires_at, now, j->a.user,
		                    &newid) != 0 ||
		    ban_audit(st, j, "ban", newid, now) != 0)
			goto err;
		j->result = json_pack(
		    "{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:s}", "id",
		    (json_int_t)newid, "kind", j->kind, "value", j->value,
		    "site", j->site ? json_string(j->site) : json_null(),
		    "reason", j->reason ? j->reason : "", "expires_at",
		    api_iso_time(j->expires_at), "created_at",
		    api_iso_time(now), "created_by", j->a.user);
		j->http = 201;
		return 0;
	case OP_BAN_DELETE:
		/* The audit row says what was lifted: read it first, in the
		 * same transaction. */
		r = ban_audit(st, j, "unban", j->id, now);
		if (r == 1) {
			fail(j, 404, "not_found", "No such ban.");
			return -1;
		}
		if (r < 0 || storage_ban_delete(st, j->id) != 1)
			goto err;
		j->http = 204;
		return 0;
	case OP_LOGIN:
		if (admin_session_create(st, http_req_app(j->req)->cfg,
		                         j->a.user, j->a.ip_hash, j->rehash,
		                         j->session, j->a.hash) != 0)
			goto err;
		j->http = 200;
		return 0;
	case OP_LOGOUT:
		if (storage_session_delete(st, j->a.hash, sizeof(j->a.hash)) <
		    0)
			goto err;
		j->http = 204;
		return 0;
	case OP_USER_ADD:
		if (storage_user_add(st, j->name, j->kind, j->pwhash, now) !=
		    0) {
			fail(j, 409, "exists", "This user exists already.");
			return -1;
		}
		storage_audit_add(st, now, j->a.user, "user_add", 0,
		                  j->a.ip_hash, NULL, j->name);
		j->result =
		    json_pack("{s:s, s:s}", "name", j->name, "role", j->kind);
		j->http = 201;
		return 0;
	case OP_USER_DISABLE:
		r = storage_user_set_disabled(st, j->name, j->disabled);
		if (r == 0) {
			fail(j, 404, "not_found", "No such user.");
			return -1;
		}
		if (r < 0 || storage_audit_add(
		                 st, now, j->a.user,
		                 j->disabled ? "user_disable" : "user_enable",
		                 0, j->a.ip_hash, NULL, j->name) != 0)
			goto err;
		j->result = json_pack("{s:s, s:b}", "name", j->name, "disabled",
		                      j->disabled);
		j->http = 200;
		return 0;
	case OP_ONECLICK:
		r = storage_oneclick_use(st, j->nonce, sizeof(j->nonce),
		                         j->expires_at);
		if (r == 1) {
			fail(j, 409, "used", "This link was already used.");
			return -1;
		}
		if (r < 0)
			goto err;
		snprintf(j->a.user, sizeof(j->a.user), "one-click");
		r = set_status(st, j, j->id, j->status,
		               j->status == STORAGE_APPROVED ? "approve"
		                                             : "reject");
		if (r == 1) {
			fail(j, 404, "not_found", "No such comment.");
			return -1;
		}
		if (r < 0)
			goto err;
		j->http = 200;
		return 0;
	}
err:
	fail(j, 503, "unavailable", "The database is unavailable; try again.");
	return -1;
}

/* On the HTTP thread, resumed: the reply from what the job recorded. */
static void
job_reply(struct http_req *req, void *arg)
{
	struct job *j = arg;
	struct app *app = http_req_app(req);

	if (j->wstatus != 0 && j->code == NULL)
		fail(j, 503, "unavailable", "The database is unavailable.");
	if (j->code != NULL)
		http_reply_error(req, j->http, j->code, j->message);
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
	} else if (j->http == 204)
		http_reply_bytes(req, 204, NULL, "", 0, 1);
	else {
		http_reply_json(req, j->http, j->result);
		j->result = NULL;
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
	j->self = http_self_origin(req);
	if (a != NULL)
		j->a = *a;
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
	size_t i;

	memset(&f, 0, sizeof(f));
	f.status = -1;
	f.site = f.article = f.q = "";
	f.limit = ADMIN_LIST_DEFAULT;
	if ((v = http_req_arg(req, "status")) != NULL && *v != '\0' &&
	    (f.status = status_parse(v)) < 0) {
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
		for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (strcmp(v, flag_names[i].name) == 0)
				f.flags = flag_names[i].bit;
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

	if (id < 0) {
		http_reply_error(req, 404, "not_found", "No such comment.");
		return;
	}
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
		j->body = norm;
		submit(req, j);
		return;
	}
	if ((to = action_status(action)) < 0) {
		http_reply_error(req, 404, "not_found", "No such action.");
		return;
	}
	if ((j = job_new(req, OP_STATUS, a)) == NULL)
		return;
	j->id = id;
	j->status = to;
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

	if (id < 0) {
		http_reply_error(req, 404, "not_found", "No such comment.");
		return;
	}
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
	j->name = nn;
	j->body = nb;
	submit(req, j);
}

void
api_admin_comment_delete(struct http_req *req)
{
	const struct admin_session *a = admin_of(req);
	struct job *j;
	long long id = http_req_param_id(req, "id");

	if (id < 0) {
		http_reply_error(req, 404, "not_found", "No such comment.");
		return;
	}
	if ((j = job_new(req, OP_HARD_DELETE, a)) == NULL)
		return;
	j->id = id;
	submit(req, j);
}

void
api_admin_reply_delete(struct http_req *req)
{
	const struct admin_session *a = admin_of(req);
	struct job *j;
	long long id = http_req_param_id(req, "id");

	if (id < 0) {
		http_reply_error(req, 404, "not_found", "No such comment.");
		return;
	}
	if ((j = job_new(req, OP_UNREPLY, a)) == NULL)
		return;
	j->id = id;
	submit(req, j);
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
	to = action_status(action);
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
	if ((j->ids = calloc(n, sizeof(*j->ids))) == NULL) {
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
		j->ids[i] = json_integer_value(v);
	}
	j->nids = n;
	j->status = to;
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
			comments_ip_hash_of(http_req_app(req), AF_INET, addr,
			                    hash);
		else if (inet_pton(AF_INET6, value, addr) == 1)
			comments_ip_hash_of(http_req_app(req), AF_INET6, addr,
			                    hash);
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
	j->id = id;
	j->kind = kind != NULL ? strdup(kind) : NULL;
	j->value = ekey != NULL ? ekey : value != NULL ? strdup(value) : NULL;
	j->site = site != NULL && *site != '\0' ? strdup(site) : NULL;
	if (site != NULL && *site != '\0' && j->site == NULL) {
		/* Not a ban on every site instead. */
		job_free(j);
		http_reply_error(req, 503, "unavailable", "Out of memory.");
		return;
	}
	j->reason = strdup(reason != NULL ? reason : "");
	j->expires_at = expires_in > 0 ? (long long)time(NULL) + expires_in : 0;
	submit(req, j);
}

void
api_admin_ban_delete(struct http_req *req)
{
	const struct admin_session *a = admin_of(req);
	struct job *j;
	long long id = http_req_param_id(req, "id");

	if ((j = job_new(req, OP_BAN_DELETE, a)) == NULL)
		return;
	j->id = id;
	submit(req, j);
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
	const char *name =
	    status >= 0 && status < 5 ? status_names[status] : "?";

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
	for (i = 0; i < 5; i++)
		json_object_set_new(s.by_status, status_names[i],
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
	j->name = strdup(name);
	j->kind = strdup(role);
	j->password = strdup(pw);
	j->wjob.run = hash_run;
	j->wjob.done = hash_done;
	j->wjob.arg = j;
	http_req_suspend(req);
	if (j->name == NULL || j->kind == NULL || j->password == NULL ||
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
	j->name = strdup(name);
	j->disabled = strcmp(action, "disable") == 0;
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
	j->status =
	    action == AUTH_APPROVE ? STORAGE_APPROVED : STORAGE_REJECTED;
	j->expires_at = expires;
	memcpy(j->nonce, nonce, sizeof(nonce));
	client_hash(req, j->a.ip_hash);
	submit(req, j);
}
