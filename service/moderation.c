/*
 * moderation.c: moderators' operations on comments, bans and accounts
 * (moderation.h), each with its audit row and, where the change has an
 * event, the webhook's outbox row, in the writer's transaction.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "app.h"
#include "comments.h"
#include "config.h"
#include "moderation.h"
#include "webhook.h"

static const char *const status_names[] = {"pending", "approved", "rejected",
                                           "spam", "deleted"};
/* The action that sets each status, by status (the audit's words). */
static const char *const status_actions[] = {"restore", "approve", "reject",
                                             "spam", "delete"};
#define NSTATUS (sizeof(status_names) / sizeof(status_names[0]))

const char *
moderation_status_name(int status)
{
	return status >= 0 && (size_t)status < NSTATUS ? status_names[status]
	                                               : "?";
}

int
moderation_status_parse(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NSTATUS; i++)
		if (strcmp(name, status_names[i]) == 0)
			return (int)i;
	return -1;
}

int
moderation_action_status(const char *action)
{
	size_t i;

	for (i = 0; action != NULL && i < NSTATUS; i++)
		if (strcmp(action, status_actions[i]) == 0)
			return (int)i;
	return -1;
}

unsigned int
moderation_flag_parse(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < STORAGE_NFLAGS; i++)
		if (strcmp(name, storage_flags[i].name) == 0)
			return storage_flags[i].bit;
	return 0;
}

/* --- comment JSON --- */

static void
history_row(void *arg, const char *action, const char *user, long long at)
{
	json_array_append_new(arg,
	                      json_pack("{s:s, s:s, s:o}", "action", action,
	                                "user", user, "at", api_iso_time(at)));
}

json_t *
moderation_comment_json(struct storage *st,
                        const struct storage_admin_comment *c)
{
	json_t *o = json_object(), *flags = json_array(), *hist = json_array();
	char ip[13];
	size_t i;

	for (i = 0; i < STORAGE_NFLAGS; i++)
		if (c->flags & storage_flags[i].bit)
			json_array_append_new(
			    flags, json_string(storage_flags[i].name));
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

struct one {
	struct storage *st;
	json_t *o;
};

static void
one_row(void *arg, const struct storage_admin_comment *c)
{
	struct one *x = arg;

	json_decref(x->o);
	x->o = moderation_comment_json(x->st, c);
}

static void
fail(struct moderation_out *out, unsigned int http, const char *code,
     const char *msg)
{
	out->http = http;
	out->code = code;
	out->message = msg;
}

/* The reply to a database error (the writer rolls back). */
static int
db_error(struct moderation_out *out)
{
	fail(out, 503, "unavailable",
	     "The database is unavailable; try again.");
	return -1;
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

/* Adds the webhook event ev of the comment in c, acted on by w's user,
 * to the outbox (when its site takes it). 0 / -1. */
static int
snap_event(struct storage *st, const struct moderation_who *w,
           const struct snap *c, enum webhook_event ev, int hard, long long now)
{
	const struct config_site *site = config_site_find(w->cfg, c->site);
	struct webhook_comment wc = {c->id,    c->created_at, c->article,
	                             c->title, c->url,        c->name,
	                             c->email, c->body,       c->flags};

	return webhook_enqueue(st, site, ev, &wc, w->self, w->user, hard, now);
}

/*
 * Changes one comment's status with its audit row and, when the status
 * changes to one that has an event, the webhook's outbox row, all in the
 * writer's transaction. 0, 1 no such comment, -1 error.
 */
static int
set_status(struct storage *st, const struct moderation_who *w, long long id,
           int to, const char *action)
{
	long long now = (long long)time(NULL);
	int from, r, ev = status_event(to);
	struct snap c;
	char ip[33];

	r = storage_admin_status_of(st, id, &from, ip, sizeof(ip), NULL, NULL,
	                            NULL);
	if (r != 0)
		return r;
	if (storage_admin_set_status(st, id, to, now) != STORAGE_OK ||
	    storage_audit_add(st, now, w->user, action, id, w->ip_hash,
	                      status_names[from], status_names[to]) != 0)
		return -1;
	if (ev < 0 || from == to)
		return 0;
	if (snap_take(st, id, &c) != 0)
		return -1;
	r = snap_event(st, w, &c, (enum webhook_event)ev, 0, now);
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

/* Deletes comment id for ever with its audit row. 0, 1 no such
 * comment, -1 error. */
static int
hard_delete(struct storage *st, const struct moderation_who *w, long long id,
            long long now)
{
	struct snap c;
	char *detail = NULL;
	int r;

	if ((r = snap_take(st, id, &c)) != 0)
		return r;
	r = -1;
	if ((detail = delete_detail(&c)) == NULL ||
	    snap_event(st, w, &c, WEBHOOK_DELETED, 1, now) != 0 ||
	    storage_admin_delete(st, id) != STORAGE_OK ||
	    storage_audit_add_detail(st, now, w->user, "hard_delete", id,
	                             w->ip_hash, NULL, NULL, detail) != 0)
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
 * stored; comment_id and kind for a ban. 0, 1 no such ban, -1 error. */
static int
ban_audit(struct storage *st, const struct moderation_who *w,
          const char *action, long long id, long long comment_id,
          const char *kind, long long now)
{
	int ban = strcmp(action, "ban") == 0;
	char *detail = NULL;
	int r = storage_ban_get(st, id, ban_audit_row, &detail);

	if (r == 0 && (detail == NULL ||
	               storage_audit_add_detail(
	                   st, now, w->user, action, ban ? comment_id : 0,
	                   w->ip_hash, NULL, ban ? kind : NULL, detail) != 0))
		r = -1;
	free(detail);
	return r;
}

/* out: 200 with comment id as it is now. 0 / -1. */
static int
result_comment(struct storage *st, long long id, struct moderation_out *out)
{
	struct one x = {st, NULL};

	if (storage_admin_get(st, id, one_row, &x) != 0 || x.o == NULL) {
		json_decref(x.o);
		return -1;
	}
	out->result = x.o;
	out->http = 200;
	return 0;
}

/* --- the operations --- */

int
moderation_set_status(struct storage *st, const struct moderation_who *w,
                      long long id, int to, struct moderation_out *out)
{
	int r = set_status(st, w, id, to, status_actions[to]);

	if (r == STORAGE_NOT_FOUND) {
		fail(out, 404, "not_found", "No such comment.");
		return -1;
	}
	if (r < 0 || result_comment(st, id, out) != 0)
		return db_error(out);
	return 0;
}

int
moderation_bulk(struct storage *st, const struct moderation_who *w,
                const long long *ids, size_t n, int to,
                struct moderation_out *out)
{
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		r = set_status(st, w, ids[i], to, status_actions[to]);
		if (r == STORAGE_NOT_FOUND) {
			/* All or nothing: the writer rolls back. */
			fail(out, 404, "not_found",
			     "A comment of the list does not exist; nothing "
			     "was changed.");
			return -1;
		}
		if (r < 0)
			return db_error(out);
	}
	out->result = json_pack("{s:I}", "updated", (json_int_t)n);
	out->http = 200;
	return 0;
}

int
moderation_edit(struct storage *st, const struct moderation_who *w,
                long long id, const char *name, const char *body,
                struct moderation_out *out)
{
	long long now = (long long)time(NULL);
	char *oldname = NULL, *oldbody = NULL, *before, *after, *search;
	char ip[APP_IP_HASH_TEXT];
	int r, from;

	r = storage_admin_status_of(st, id, &from, ip, sizeof(ip), &oldname,
	                            &oldbody, NULL);
	if (r == STORAGE_NOT_FOUND) {
		fail(out, 404, "not_found", "No such comment.");
		return -1;
	}
	if (r < 0)
		return db_error(out);
	if (name == NULL)
		name = oldname;
	if (body == NULL)
		body = oldbody;
	before = json_text(
	    json_pack("{s:s, s:s}", "name", oldname, "body", oldbody));
	after = json_text(json_pack("{s:s, s:s}", "name", name, "body", body));
	search = comments_search_text(name, "", body);
	r = storage_admin_edit(st, id, name, body, search ? search : "", now) ==
	        STORAGE_OK &&
	    storage_audit_add(st, now, w->user, "edit", id, w->ip_hash, before,
	                      after) == 0;
	free(oldname);
	free(oldbody);
	free(before);
	free(after);
	free(search);
	if (!r || result_comment(st, id, out) != 0)
		return db_error(out);
	return 0;
}

int
moderation_reply(struct storage *st, const struct moderation_who *w,
                 long long id, const char *body, struct moderation_out *out)
{
	long long now = (long long)time(NULL);
	/* The public sees the newsroom, not the moderator's login (the audit
	 * log keeps who it was). */
	enum storage_result r =
	    storage_admin_reply(st, id, "Ban biên tập", body, now);

	if (r == STORAGE_NOT_FOUND) {
		fail(out, 404, "not_found", "No such comment.");
		return -1;
	}
	if (r != STORAGE_OK ||
	    storage_audit_add(st, now, w->user,
	                      body != NULL ? "reply" : "unreply", id,
	                      w->ip_hash, NULL, body) != 0 ||
	    result_comment(st, id, out) != 0)
		return db_error(out);
	return 0;
}

int
moderation_hard_delete(struct storage *st, const struct moderation_who *w,
                       long long id, struct moderation_out *out)
{
	int r = hard_delete(st, w, id, (long long)time(NULL));

	if (r == STORAGE_NOT_FOUND) {
		fail(out, 404, "not_found", "No such comment.");
		return -1;
	}
	if (r < 0)
		return db_error(out);
	out->http = 204;
	return 0;
}

int
moderation_ban_add(struct storage *st, const struct moderation_who *w,
                   const struct moderation_ban *b, struct moderation_out *out)
{
	long long now = (long long)time(NULL), newid;
	const char *kind = b->kind, *value = b->value;
	char ip[APP_IP_HASH_TEXT];
	int r, from;

	if (b->comment_id > 0) {
		/* The address of a comment: its stored hash. */
		r = storage_admin_status_of(st, b->comment_id, &from, ip,
		                            sizeof(ip), NULL, NULL, NULL);
		if (r == STORAGE_NOT_FOUND) {
			fail(out, 404, "not_found", "No such comment.");
			return -1;
		}
		if (r < 0)
			return db_error(out);
		kind = "ip";
		value = ip;
	}
	if (kind == NULL || value == NULL ||
	    storage_ban_add(st, kind, value, b->site, b->reason, b->expires_at,
	                    now, w->user, &newid) != 0 ||
	    ban_audit(st, w, "ban", newid, b->comment_id, kind, now) != 0)
		return db_error(out);
	out->result =
	    json_pack("{s:I, s:s, s:s, s:o, s:s, s:o, s:o, s:s}", "id",
	              (json_int_t)newid, "kind", kind, "value", value, "site",
	              b->site ? json_string(b->site) : json_null(), "reason",
	              b->reason ? b->reason : "", "expires_at",
	              api_iso_time(b->expires_at), "created_at",
	              api_iso_time(now), "created_by", w->user);
	out->http = 201;
	return 0;
}

int
moderation_ban_delete(struct storage *st, const struct moderation_who *w,
                      long long id, struct moderation_out *out)
{
	/* The audit row says what was lifted: read it first, in the same
	 * transaction. */
	int r = ban_audit(st, w, "unban", id, 0, NULL, (long long)time(NULL));

	if (r == STORAGE_NOT_FOUND) {
		fail(out, 404, "not_found", "No such ban.");
		return -1;
	}
	if (r < 0 || storage_ban_delete(st, id) != STORAGE_OK)
		return db_error(out);
	out->http = 204;
	return 0;
}

int
moderation_user_add(struct storage *st, const struct moderation_who *w,
                    const char *name, const char *role, const char *pwhash,
                    struct moderation_out *out)
{
	long long now = (long long)time(NULL);

	switch (storage_user_add(st, name, role, pwhash, now)) {
	case STORAGE_OK:
		break;
	case STORAGE_EXISTS:
		fail(out, 409, "exists", "This user exists already.");
		return -1;
	default:
		return db_error(out);
	}
	if (storage_audit_add(st, now, w->user, "user_add", 0, w->ip_hash, NULL,
	                      name) != 0)
		return db_error(out);
	out->result = json_pack("{s:s, s:s}", "name", name, "role", role);
	out->http = 201;
	return 0;
}

int
moderation_user_disable(struct storage *st, const struct moderation_who *w,
                        const char *name, int disabled,
                        struct moderation_out *out)
{
	long long now = (long long)time(NULL);
	enum storage_result r = storage_user_set_disabled(st, name, disabled);

	if (r == STORAGE_NOT_FOUND) {
		fail(out, 404, "not_found", "No such user.");
		return -1;
	}
	if (r != STORAGE_OK ||
	    storage_audit_add(st, now, w->user,
	                      disabled ? "user_disable" : "user_enable", 0,
	                      w->ip_hash, NULL, name) != 0)
		return db_error(out);
	out->result =
	    json_pack("{s:s, s:b}", "name", name, "disabled", disabled);
	out->http = 200;
	return 0;
}

int
moderation_oneclick(struct storage *st, const struct moderation_who *w,
                    const unsigned char nonce[16], long long expires_at,
                    long long id, int status, struct moderation_out *out)
{
	int r = storage_oneclick_use(st, nonce, 16, expires_at);

	if (r == STORAGE_CONFLICT) {
		fail(out, 409, "used", "This link was already used.");
		return -1;
	}
	if (r < 0)
		return db_error(out);
	r = set_status(st, w, id, status, status_actions[status]);
	if (r == STORAGE_NOT_FOUND) {
		fail(out, 404, "not_found", "No such comment.");
		return -1;
	}
	if (r < 0)
		return db_error(out);
	out->http = 200;
	return 0;
}
