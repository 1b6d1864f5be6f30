/*
 * writer.c: group commit on one thread. See writer.h for the contract.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "bandoc_limits.h"
#include "log.h"
#include "metrics.h"
#include "writer.h"

#define MAX_TASKS 8

struct writer {
	struct storage *st;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct writer_job *head, *tail;
	size_t queued, max_queue;
	int started, stopping;
	struct writer_task tasks[MAX_TASKS];
	unsigned long long next_due[MAX_TASKS];
	size_t ntasks;
	struct metrics_counter *m_jobs, *m_failed, *m_batches;
};

static unsigned long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000ULL +
	       (unsigned long long)ts.tv_nsec / 1000000ULL;
}

struct writer *
writer_new(struct storage *st, size_t max_queue)
{
	struct writer *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->st = st;
	w->max_queue = max_queue;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->m_jobs = metrics_counter_new("bandoc_writer_jobs_total",
	                                "Jobs committed by the writer.");
	w->m_failed = metrics_counter_new("bandoc_writer_jobs_failed_total",
	                                  "Jobs the writer could not commit.");
	w->m_batches = metrics_counter_new("bandoc_writer_commits_total",
	                                   "Group-commit transactions.");
	return w;
}

/* Absolute CLOCK_REALTIME time ms from now, for pthread_cond_timedwait. */
static struct timespec
deadline_in(unsigned long long ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)((ms % 1000) * 1000000ULL);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

int
writer_add_task(struct writer *w, const struct writer_task *task)
{
	if (w->started || w->ntasks == MAX_TASKS)
		return -1;
	w->tasks[w->ntasks] = *task;
	w->next_due[w->ntasks] = now_ms() + task->interval_ms;
	w->ntasks++;
	return 0;
}

/* Runs one group: the taken jobs and the due tasks (all tasks when
 * force). */
static void
run_group(struct writer *w, struct writer_job *jobs, int force)
{
	struct writer_job *j, *next;
	int due[MAX_TASKS] = {0};
	unsigned long long now = now_ms();
	size_t i, njobs = 0;
	int ok, any = jobs != NULL;

	for (i = 0; i < w->ntasks; i++)
		if (force || now >= w->next_due[i]) {
			due[i] = 1;
			any = 1;
			w->next_due[i] = now + w->tasks[i].interval_ms;
		}
	if (!any)
		return;
	ok = storage_begin(w->st) == 0;
	for (j = jobs; j != NULL; j = j->next) {
		njobs++;
		j->status = -1;
		if (!ok)
			continue;
		if (storage_savepoint(w->st) != 0)
			continue;
		if (j->run(w->st, j->arg) == 0) {
			if (storage_release(w->st) == 0)
				j->status = 0;
		} else
			storage_rollback_to(w->st);
	}
	for (i = 0; i < w->ntasks && ok; i++) {
		if (!due[i])
			continue;
		if (storage_savepoint(w->st) != 0)
			continue;
		if (w->tasks[i].run(w->st, w->tasks[i].arg) == 0)
			storage_release(w->st);
		else {
			storage_rollback_to(w->st);
			due[i] = 2; /* not written */
		}
	}
	if (ok && storage_commit(w->st) != 0) {
		storage_rollback(w->st);
		ok = 0;
	}
	if (ok)
		metrics_add(w->m_batches, 1);
	for (i = 0; i < w->ntasks; i++)
		if (due[i] != 0 && w->tasks[i].committed != NULL)
			w->tasks[i].committed(w->tasks[i].arg,
			                      ok && due[i] == 1);
	for (j = jobs; j != NULL; j = next) {
		next = j->next;
		if (!ok)
			j->status = -1;
		if (j->status == 0)
			metrics_add(w->m_jobs, 1);
		else
			metrics_add(w->m_failed, 1);
		j->done(j->arg, j->status);
	}
	(void)njobs;
}

static unsigned long long
next_deadline(struct writer *w)
{
	unsigned long long d = ~0ULL;
	size_t i;

	for (i = 0; i < w->ntasks; i++)
		if (w->next_due[i] < d)
			d = w->next_due[i];
	return d;
}

static void *
loop(void *arg)
{
	struct writer *w = arg;
	struct writer_job *jobs, *last;
	size_t n;
	int stopping;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->head == NULL && !w->stopping) {
			unsigned long long d = next_deadline(w), now = now_ms();
			struct timespec ts;

			if (d <= now)
				break;
			if (d == ~0ULL) {
				pthread_cond_wait(&w->cond, &w->lock);
				continue;
			}
			ts = deadline_in(d - now);
			if (pthread_cond_timedwait(&w->cond, &w->lock, &ts) ==
			    ETIMEDOUT)
				break;
		}
		/* Take a bounded batch from the head of the queue. */
		jobs = w->head;
		last = NULL;
		for (n = 0; w->head != NULL && n < MAX_WRITER_BATCH; n++) {
			last = w->head;
			w->head = w->head->next;
		}
		if (last != NULL)
			last->next = NULL;
		if (w->head == NULL)
			w->tail = NULL;
		w->queued -= n;
		stopping = w->stopping && w->head == NULL;
		pthread_mutex_unlock(&w->lock);
		run_group(w, n > 0 ? jobs : NULL, stopping);
		if (stopping)
			break;
	}
	return NULL;
}

int
writer_start(struct writer *w)
{
	if (pthread_create(&w->thread, NULL, loop, w) != 0) {
		log_warnx("writer: cannot start the thread");
		return -1;
	}
	w->started = 1;
	return 0;
}

/* The same bounded FIFO push as worker_submit (worker.c), on purpose
 * (see there). */
int
writer_submit(struct writer *w, struct writer_job *job)
{
	int ret = -1;

	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->stopping || !w->started || w->queued >= w->max_queue)
		goto done;
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	w->queued++;
	pthread_cond_signal(&w->cond);
	ret = 0;
done:
	pthread_mutex_unlock(&w->lock);
	return ret;
}

size_t
writer_queue_length(struct writer *w)
{
	size_t n;

	pthread_mutex_lock(&w->lock);
	n = w->queued;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void
writer_stop(struct writer *w)
{
	if (w == NULL || !w->started)
		return;
	/* The stop of every thread of ours (webhook.c). */
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->started = 0;
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	writer_stop(w);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
