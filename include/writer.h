#ifndef BANDOC_WRITER_H
#define BANDOC_WRITER_H

/*
 * writer: the one thread that writes to the database. HTTP threads hand
 * it jobs and suspend their request; the writer runs every queued job
 * inside one transaction (group commit: one fsync for many writes), each
 * job in its own savepoint so that a failing job does not undo the
 * others, and calls each job's done() after the commit is durable.
 * Periodic tasks (view-count flushes, expiry sweeps) run in the same
 * transactions.
 */

#include "storage.h"

struct writer;

struct writer_job {
	/* Runs inside the group transaction; 0 keeps its changes, -1 rolls
	 * them back. On the writer thread. */
	int (*run)(struct storage *st, void *arg);
	/* Called on the writer thread after the transaction: status 0 when
	 * run() returned 0 and the commit is durable, -1 otherwise. */
	void (*done)(void *arg, int status);
	void *arg;
	struct writer_job *next; /* private to the writer */
	int status;              /* private to the writer */
};

/*
 * A periodic task: runs inside a group transaction at least every
 * interval, and once more at stop. committed() (may be NULL) is told
 * whether the transaction committed, so in-memory state can be restored.
 */
struct writer_task {
	int (*run)(struct storage *st, void *arg);
	void (*committed)(void *arg, int ok);
	void *arg;
	unsigned int interval_ms;
};

/* Creates a writer over st (borrowed; must outlive the writer). */
struct writer *writer_new(struct storage *st, size_t max_queue);

/* Adds a periodic task; only before writer_start. 0 / -1. */
int writer_add_task(struct writer *w, const struct writer_task *task);

/* Starts the thread. 0 / -1. */
int writer_start(struct writer *w);

/*
 * Queues job (owned by the caller until done() is called). Returns 0, or
 * -1 when the queue is full or the writer is stopping: then job is not
 * run and done() is not called (reply 503).
 */
int writer_submit(struct writer *w, struct writer_job *job);

/* Jobs waiting now. Cannot fail. */
size_t writer_queue_length(struct writer *w);

/* Finishes every queued job, runs each task once more, joins the thread.
 * Safe to call twice. */
void writer_stop(struct writer *w);

/* Stops if needed and frees. Accepts NULL. */
void writer_free(struct writer *w);

#endif
