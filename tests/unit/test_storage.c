/*
 * Unit tests of storage: migrations on :memory: and on a file, a newer
 * database refused, articles, backup, the writer's group commit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <cmocka.h>

#include "checks.h"
#include "harness.h"
#include "storage.h"
#include "writer.h"

static void
test_migrations_memory(void **state)
{
	struct storage *st = check_storage_open(":memory:");
	struct storage_article a;
	long long id, id2;

	(void)state;
	assert_non_null(st);
	assert_true(storage_schema_latest() >= 1);
	assert_int_equal(storage_schema_version(st), storage_schema_latest());
	assert_int_equal(
	    storage_article_upsert(st, "s", "k", "T", NULL, 5, &id), 0);
	assert_int_equal(
	    storage_article_upsert(st, "s", "k", "", "http://u", 9, &id2), 0);
	assert_int_equal(id, id2);
	assert_int_equal(storage_article_get(st, "s", "k", &a), 0);
	assert_string_equal(a.title, "T"); /* empty title keeps the old */
	assert_string_equal(a.url, "http://u");
	assert_int_equal(a.created_at, 5);
	assert_int_equal(storage_article_get(st, "s", "nope", &a), 1);
	storage_close(st);
}

/* storage_user_add names its outcome: a taken name is EXISTS (409 in
 * the API, "exists already" in the CLI), not any failure. */
static void
test_user_add_result(void **state)
{
	struct storage *st = check_storage_open(":memory:");
	struct storage_user u;

	(void)state;
	assert_non_null(st);
	assert_int_equal(storage_user_add(st, "mod", "moderator", "h", 1),
	                 STORAGE_OK);
	assert_int_equal(storage_user_add(st, "mod", "admin", "h2", 2),
	                 STORAGE_EXISTS);
	assert_int_equal(storage_user_get(st, "mod", &u), STORAGE_OK);
	assert_string_equal(u.role, "moderator"); /* untouched */
	assert_int_equal(storage_user_get(st, "nobody", &u), STORAGE_NOT_FOUND);
	/* A role the schema refuses is an error, not "exists". */
	assert_int_equal(storage_user_add(st, "x", "superuser", "h", 3),
	                 STORAGE_ERROR);
	storage_close(st);
}

static void
test_migrations_file_and_newer_refused(void **state)
{
	char dir[] = "/tmp/bandoc-st-XXXXXX", path[128], err[256], cmd[256],
	     out[256];
	struct storage_conf sc;
	struct storage *st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/db", dir);
	st = check_storage_open(path);
	assert_non_null(st);
	storage_close(st);
	/* Opening again applies nothing and keeps the version. */
	st = check_storage_open(path);
	assert_non_null(st);
	assert_int_equal(storage_schema_version(st), storage_schema_latest());
	storage_close(st);
	/* A database from the future is refused with a clear message. */
	snprintf(cmd, sizeof(cmd), "sqlite3 %s 'PRAGMA user_version = 999'",
	         path);
	assert_int_equal(run_cmd(cmd, out, sizeof(out)), 0);
	sc = check_sqlite_conf(path);
	st = storage_open(&sc, err, sizeof(err));
	assert_null(st);
	assert_non_null(strstr(err, "schema version 999"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(run_cmd(cmd, out, sizeof(out)), 0);
}

static void
test_backup(void **state)
{
	char dir[] = "/tmp/bandoc-st-XXXXXX", src[128], dst[128], err[256],
	     cmd[256], out[256];
	struct storage_conf sc;
	struct storage *st, *copy;
	struct storage_article a;
	long long id;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/src.db", dir);
	snprintf(dst, sizeof(dst), "%s/dst.db", dir);
	sc = check_sqlite_conf(src);
	st = check_storage_open(src);
	assert_non_null(st);
	assert_int_equal(
	    storage_article_upsert(st, "s", "k1", "Tiêu đề", NULL, 1, &id), 0);
	/* The source stays open (as in a running daemon). */
	assert_int_equal(storage_backup(&sc, dst, err, sizeof(err)),
	                 STORAGE_OK);
	/* Refuses to overwrite. */
	assert_int_equal(storage_backup(&sc, dst, err, sizeof(err)),
	                 STORAGE_EXISTS);
	copy = check_storage_open(dst);
	assert_non_null(copy);
	assert_int_equal(storage_article_get(copy, "s", "k1", &a), 0);
	assert_string_equal(a.title, "Tiêu đề");
	storage_close(copy);
	storage_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(run_cmd(cmd, out, sizeof(out)), 0);
}

/* --- writer --- */

struct job_ctx {
	struct writer_job job;
	char key[32];
	int fail;
	int status;
	pthread_mutex_t *lock;
	pthread_cond_t *cond;
	int *left;
};

static int
job_run(struct storage *st, void *arg)
{
	struct job_ctx *j = arg;
	long long id;

	if (storage_article_upsert(st, "w", j->key, "t", NULL, 1, &id) != 0)
		return -1;
	return j->fail ? -1 : 0;
}

static void
job_done(void *arg, int status)
{
	struct job_ctx *j = arg;

	pthread_mutex_lock(j->lock);
	j->status = status;
	if (--*j->left == 0)
		pthread_cond_signal(j->cond);
	pthread_mutex_unlock(j->lock);
}

static int task_runs, task_commits;

static int
task_run(struct storage *st, void *arg)
{
	(void)st;
	(void)arg;
	task_runs++;
	return 0;
}

static void
task_committed(void *arg, int ok)
{
	(void)arg;
	task_commits += ok;
}

static void
test_writer_group_commit(void **state)
{
	enum { N = 200 };
	static struct job_ctx jobs[N];
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
	struct writer_task task = {task_run, task_committed, NULL, 10000};
	struct storage *st = check_storage_open(":memory:");
	struct storage_article a;
	struct writer *w;
	int left = N, i;

	(void)state;
	assert_non_null(st);
	w = writer_new(st, 1000);
	assert_non_null(w);
	assert_int_equal(writer_add_task(w, &task), 0);
	assert_int_equal(writer_start(w), 0);
	assert_int_equal(writer_add_task(w, &task), -1); /* too late */
	for (i = 0; i < N; i++) {
		jobs[i].job.run = job_run;
		jobs[i].job.done = job_done;
		jobs[i].job.arg = &jobs[i];
		snprintf(jobs[i].key, sizeof(jobs[i].key), "k%d", i);
		jobs[i].fail = (i % 10 == 3); /* some jobs fail */
		jobs[i].status = 99;
		jobs[i].lock = &lock;
		jobs[i].cond = &cond;
		jobs[i].left = &left;
		assert_int_equal(writer_submit(w, &jobs[i].job), 0);
	}
	pthread_mutex_lock(&lock);
	while (left > 0)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	writer_stop(w);
	/* Stopped: further jobs are refused, not lost silently. */
	assert_int_equal(writer_submit(w, &jobs[0].job), -1);
	for (i = 0; i < N; i++) {
		int want = jobs[i].fail ? 1 : 0;

		assert_int_equal(jobs[i].status, jobs[i].fail ? -1 : 0);
		/* A failed job's changes are rolled back, others kept. */
		assert_int_equal(storage_article_get(st, "w", jobs[i].key, &a),
		                 want);
	}
	/* The periodic task ran once more at stop and was committed. */
	assert_true(task_runs >= 1);
	assert_int_equal(task_commits, task_runs);
	writer_free(w);
	storage_close(st);
}

static void
test_writer_queue_full(void **state)
{
	struct storage *st = check_storage_open(":memory:");
	struct writer *w = writer_new(st, 0);
	struct writer_job j = {job_run, job_done, NULL, NULL, 0};

	(void)state;
	assert_int_equal(writer_start(w), 0);
	assert_int_equal(writer_submit(w, &j), -1);
	writer_free(w);
	storage_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrations_memory),
	    cmocka_unit_test(test_user_add_result),
	    cmocka_unit_test(test_migrations_file_and_newer_refused),
	    cmocka_unit_test(test_backup),
	    cmocka_unit_test(test_writer_group_commit),
	    cmocka_unit_test(test_writer_queue_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
