/*
 * Unit tests of the moderation operations (moderation.h) without a
 * socket or a writer: a real SQLite database (:memory:, all migrations)
 * and a real config. Each operation is run as the writer would, inside
 * a transaction that is committed on 0 and rolled back on -1, and its
 * outcome, its rows and its audit entry are checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <cmocka.h>

#include "checks.h"
#include "config.h"
#include "moderation.h"
#include "storage.h"

struct fx {
	struct config *cfg;
	struct storage *st;
	struct moderation_who who;
	long long article;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->cfg =
	    config_load_string("[server]\ndata_dir = /nonexistent\n"
	                       "[site.s]\norigins = https://news.example\n",
	                       NULL, NULL);
	assert_non_null(f->cfg);
	f->st = check_storage_open(":memory:");
	assert_non_null(f->st);
	assert_int_equal(storage_article_upsert(f->st, "s", "a1", "Title",
	                                        "https://news.example/a1", 1,
	                                        &f->article),
	                 0);
	f->who.cfg = f->cfg;
	f->who.user = "mod";
	f->who.ip_hash = "00112233445566778899aabbccddeeff";
	f->who.self = "http://127.0.0.1:8080";
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	storage_close(f->st);
	config_free(f->cfg);
	free(f);
	return 0;
}

/* A pending comment; returns its id. */
static long long
comment(struct fx *f, const char *body)
{
	return check_comment_insert(f->st, f->article, 0, 0, STORAGE_PENDING,
	                            body, 10);
}

/* Commits on 0 and rolls back on -1, as the writer's savepoint does. */
static int
run_tx(struct fx *f, int r)
{
	assert_int_equal(
	    r == 0 ? storage_commit(f->st) : storage_rollback(f->st), 0);
	return r;
}

static void
audit_row(void *arg, const struct storage_audit *a)
{
	json_array_append_new(
	    arg, json_pack("{s:s, s:s, s:I}", "action", a->action, "user",
	                   a->user, "comment", (json_int_t)a->comment_id));
}

/* The audit log, newest first, as [{action, user, comment}]. */
static json_t *
audit(struct fx *f)
{
	json_t *list = json_array();

	assert_int_equal(storage_audit_list(f->st, 0, 50, audit_row, list), 0);
	return list;
}

static int
status(struct fx *f, long long id)
{
	char ip[64];
	int st = -1;

	assert_int_equal(storage_admin_status_of(f->st, id, &st, ip, sizeof(ip),
	                                         NULL, NULL, NULL),
	                 STORAGE_OK);
	return st;
}

/* A status change: 200 with the comment as it is now, one audit row
 * naming the action and the moderator; a missing comment is 404. */
static void
test_set_status(void **state)
{
	struct fx *f = *state;
	struct moderation_out out = {0};
	long long id = comment(f, "first");
	json_t *a;

	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(
	    run_tx(f, moderation_set_status(f->st, &f->who, id,
	                                    STORAGE_APPROVED, &out)),
	    0);
	assert_int_equal(out.http, 200);
	assert_string_equal(
	    json_string_value(json_object_get(out.result, "status")),
	    "approved");
	json_decref(out.result);
	assert_int_equal(status(f, id), STORAGE_APPROVED);
	a = audit(f);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(a, 0), "action")),
	    "approve");
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(a, 0), "user")),
	    "mod");
	json_decref(a);

	memset(&out, 0, sizeof(out));
	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(run_tx(f, moderation_set_status(f->st, &f->who, 999999,
	                                                 STORAGE_SPAM, &out)),
	                 -1);
	assert_int_equal(out.http, 404);
	assert_string_equal(out.code, "not_found");
}

/* Bulk is all or nothing: one missing id refuses the whole list and the
 * writer's rollback leaves every comment as it was. */
static void
test_bulk_all_or_nothing(void **state)
{
	struct fx *f = *state;
	struct moderation_out out = {0};
	long long ids[3];

	ids[0] = comment(f, "one");
	ids[1] = comment(f, "two");
	ids[2] = 424242;
	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(run_tx(f, moderation_bulk(f->st, &f->who, ids, 3,
	                                           STORAGE_REJECTED, &out)),
	                 -1);
	assert_int_equal(out.http, 404);
	assert_int_equal(status(f, ids[0]), STORAGE_PENDING);
	assert_int_equal(status(f, ids[1]), STORAGE_PENDING);

	memset(&out, 0, sizeof(out));
	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(run_tx(f, moderation_bulk(f->st, &f->who, ids, 2,
	                                           STORAGE_REJECTED, &out)),
	                 0);
	assert_int_equal(
	    json_integer_value(json_object_get(out.result, "updated")), 2);
	json_decref(out.result);
	assert_int_equal(status(f, ids[1]), STORAGE_REJECTED);
}

/* An account: 201, then the same name 409 exists (nothing audited for
 * the refusal); disabling an unknown one is 404. */
static void
test_users(void **state)
{
	struct fx *f = *state;
	struct moderation_out out = {0};
	json_t *a;

	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(
	    run_tx(f, moderation_user_add(f->st, &f->who, "newmod", "moderator",
	                                  "$argon2id$x", &out)),
	    0);
	assert_int_equal(out.http, 201);
	json_decref(out.result);
	memset(&out, 0, sizeof(out));
	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(
	    run_tx(f, moderation_user_add(f->st, &f->who, "newmod", "admin",
	                                  "$argon2id$y", &out)),
	    -1);
	assert_int_equal(out.http, 409);
	assert_string_equal(out.code, "exists");
	a = audit(f);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(a, 0), "action")),
	    "user_add");
	json_decref(a);
	memset(&out, 0, sizeof(out));
	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(run_tx(f, moderation_user_disable(f->st, &f->who,
	                                                   "nobody", 1, &out)),
	                 -1);
	assert_int_equal(out.http, 404);
}

/* A one-click link acts once: the second use of its nonce is 409 and
 * changes nothing; the audit names "one-click" as the actor. */
static void
test_oneclick_once(void **state)
{
	struct fx *f = *state;
	struct moderation_out out = {0};
	struct moderation_who w = f->who;
	unsigned char nonce[16] = {1, 2, 3};
	long long id = comment(f, "clicked");
	json_t *a;

	w.user = "one-click";
	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(
	    run_tx(f, moderation_oneclick(f->st, &w, nonce, 1LL << 40, id,
	                                  STORAGE_APPROVED, &out)),
	    0);
	assert_int_equal(out.http, 200);
	assert_int_equal(status(f, id), STORAGE_APPROVED);
	a = audit(f);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(a, 0), "user")),
	    "one-click");
	json_decref(a);
	memset(&out, 0, sizeof(out));
	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(
	    run_tx(f, moderation_oneclick(f->st, &w, nonce, 1LL << 40, id,
	                                  STORAGE_REJECTED, &out)),
	    -1);
	assert_int_equal(out.http, 409);
	assert_string_equal(out.code, "used");
	assert_int_equal(status(f, id), STORAGE_APPROVED);
}

/* A ban on a comment's address stores that comment's address hash; a
 * hard delete is 204 and leaves an audit row but no comment. */
static void
test_ban_and_hard_delete(void **state)
{
	struct fx *f = *state;
	struct moderation_out out = {0};
	struct moderation_ban b = {0};
	long long id = comment(f, "banned");
	char ip[64];
	int st;
	json_t *a;

	b.comment_id = id;
	b.reason = "spam";
	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(
	    run_tx(f, moderation_ban_add(f->st, &f->who, &b, &out)), 0);
	assert_int_equal(out.http, 201);
	assert_string_equal(
	    json_string_value(json_object_get(out.result, "kind")), "ip");
	assert_string_equal(
	    json_string_value(json_object_get(out.result, "value")),
	    "ffeeddccbbaa99887766554433221100");
	json_decref(out.result);
	memset(&out, 0, sizeof(out));
	assert_int_equal(storage_begin(f->st), 0);
	assert_int_equal(
	    run_tx(f, moderation_hard_delete(f->st, &f->who, id, &out)), 0);
	assert_int_equal(out.http, 204);
	assert_int_equal(storage_admin_status_of(f->st, id, &st, ip, sizeof(ip),
	                                         NULL, NULL, NULL),
	                 STORAGE_NOT_FOUND);
	a = audit(f);
	assert_string_equal(
	    json_string_value(json_object_get(json_array_get(a, 0), "action")),
	    "hard_delete");
	json_decref(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_set_status, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bulk_all_or_nothing, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_users, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_oneclick_once, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_ban_and_hard_delete, setup,
	                                    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
