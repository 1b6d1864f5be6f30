#ifndef BANDOC_MODERATION_H
#define BANDOC_MODERATION_H

/*
 * moderation: what moderators (and one-click links) do to comments,
 * bans and accounts, each operation a function with its own typed
 * arguments and its audit entry (and, for a status change or a hard
 * delete, the webhook's outbox row), written in the writer's
 * transaction. No HTTP here: api_admin.c checks the request, hands an
 * operation to the writer and replies from struct moderation_out.
 *
 * Every operation runs inside a writer job's run() (writer.h) and returns
 * 0 (commit) or -1 (the writer rolls the job back); out says what the
 * reply is either way.
 */

#include <stddef.h>
#include <jansson.h>

#include "storage.h"

struct config;

/* Who acts: the audit log's user and address, and for webhook links the
 * daemon's origin. */
struct moderation_who {
	const struct config *cfg;
	const char *user;    /* a moderator's name, or "one-click" */
	const char *ip_hash; /* app_ip_hash of the request */
	const char *self;    /* the daemon's origin */
};

/* The outcome: http status with result (owned, may be NULL for 204), or
 * an error code and message (static strings). */
struct moderation_out {
	unsigned int http;
	const char *code;
	const char *message;
	json_t *result;
};

/* Status names by STORAGE_* status, for the API ("pending", ...). */
const char *moderation_status_name(int status);
/* The status of a name, or -1. */
int moderation_status_parse(const char *name);
/* The status an action sets ("approve" -> STORAGE_APPROVED, "restore"
 * -> pending, ...), or -1 (NULL too). */
int moderation_action_status(const char *action);
/* The STORAGE_FLAG_* bit of a flag name ("links", ...), or 0. */
unsigned int moderation_flag_parse(const char *name);

/* The admin JSON of a comment with its history (st: any connection). */
json_t *moderation_comment_json(struct storage *st,
                                const struct storage_admin_comment *c);

/* One comment to status `to` (result: the comment). 404 if none. */
int moderation_set_status(struct storage *st, const struct moderation_who *w,
                          long long id, int to, struct moderation_out *out);
/* All of ids or none (404 if any is missing); result: {"updated": n}. */
int moderation_bulk(struct storage *st, const struct moderation_who *w,
                    const long long *ids, size_t n, int to,
                    struct moderation_out *out);
/* New name and/or body (NULL: unchanged; both normalised already). */
int moderation_edit(struct storage *st, const struct moderation_who *w,
                    long long id, const char *name, const char *body,
                    struct moderation_out *out);
/* The newsroom's reply under comment id; body NULL removes it. */
int moderation_reply(struct storage *st, const struct moderation_who *w,
                     long long id, const char *body,
                     struct moderation_out *out);
/* Deletes comment id for ever (the audit keeps a digest, not the text);
 * 204. */
int moderation_hard_delete(struct storage *st, const struct moderation_who *w,
                           long long id, struct moderation_out *out);

/* A ban: of the address of comment_id (> 0), else of kind/value. */
struct moderation_ban {
	long long comment_id;
	const char *kind; /* "email" | "ip" (value: its key or hash) */
	const char *value;
	const char *site; /* NULL: every site */
	const char *reason;
	long long expires_at; /* 0: never */
};
/* 201 with the ban as stored. */
int moderation_ban_add(struct storage *st, const struct moderation_who *w,
                       const struct moderation_ban *b,
                       struct moderation_out *out);
/* Lifts ban id (the audit says what it was); 204, 404 if none. */
int moderation_ban_delete(struct storage *st, const struct moderation_who *w,
                          long long id, struct moderation_out *out);

/* A new account (pwhash: Argon2 already); 201, 409 if the name exists. */
int moderation_user_add(struct storage *st, const struct moderation_who *w,
                        const char *name, const char *role, const char *pwhash,
                        struct moderation_out *out);
/* Disables or enables an account; 404 if none. */
int moderation_user_disable(struct storage *st, const struct moderation_who *w,
                            const char *name, int disabled,
                            struct moderation_out *out);

/* A one-click link's action: spends its nonce (409 if used), then sets
 * comment id to status (approve or reject). */
int moderation_oneclick(struct storage *st, const struct moderation_who *w,
                        const unsigned char nonce[16], long long expires_at,
                        long long id, int status, struct moderation_out *out);

#endif
