#ifndef BANDOC_WORKER_H
#define BANDOC_WORKER_H

/*
 * worker: a small pool of threads for CPU-heavy work that must not run
 * on an HTTP thread (Argon2 password hashing costs ~57 ms). The HTTP
 * handler suspends its request, submits a job, and the job's done()
 * stages the reply and resumes the request.
 */

#include <stddef.h>

struct worker;

struct worker_job {
	void (*run)(void *arg);  /* on a worker thread */
	void (*done)(void *arg); /* right after run, same thread */
	void *arg;
	struct worker_job *next; /* private */
};

/* Starts n threads with a queue of at most max jobs. NULL on error. */
struct worker *worker_new(size_t n, size_t max);
/* Queues job: 0, or -1 when full or stopping (job not run). */
int worker_submit(struct worker *w, struct worker_job *job);
/* Runs what is queued, then joins the threads and frees. Accepts NULL. */
void worker_free(struct worker *w);

#endif
