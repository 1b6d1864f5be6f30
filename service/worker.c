/*
 * worker.c: see worker.h.
 */
#include <pthread.h>
#include <stdlib.h>

#include "worker.h"

struct worker {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t *threads;
	size_t n, started, queued, max;
	struct worker_job *head, *tail;
	int stopping;
};

static void *
loop(void *arg)
{
	struct worker *w = arg;
	struct worker_job *j;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->cond, &w->lock);
		j = w->head;
		if (j == NULL) {
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		w->head = j->next;
		if (w->head == NULL)
			w->tail = NULL;
		w->queued--;
		pthread_mutex_unlock(&w->lock);
		j->run(j->arg);
		j->done(j->arg);
	}
}

struct worker *
worker_new(size_t n, size_t max)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (w == NULL || (w->threads = calloc(n, sizeof(pthread_t))) == NULL) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->n = n;
	w->max = max;
	for (w->started = 0; w->started < n; w->started++)
		if (pthread_create(&w->threads[w->started], NULL, loop, w) !=
		    0) {
			worker_free(w);
			return NULL;
		}
	return w;
}

/* The same bounded FIFO push as writer_submit (writer.c), on purpose:
 * the two queues hold different job types and are a dozen lines each;
 * a shared generic queue would cost casts for nothing. Keep them alike. */
int
worker_submit(struct worker *w, struct worker_job *job)
{
	int ret = -1;

	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (!w->stopping && w->queued < w->max) {
		if (w->tail != NULL)
			w->tail->next = job;
		else
			w->head = job;
		w->tail = job;
		w->queued++;
		pthread_cond_signal(&w->cond);
		ret = 0;
	}
	pthread_mutex_unlock(&w->lock);
	return ret;
}

void
worker_free(struct worker *w)
{
	size_t i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->started; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w->threads);
	free(w);
}
