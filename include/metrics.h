#ifndef BANDOC_METRICS_H
#define BANDOC_METRICS_H

/*
 * metrics: a small registry of counters and gauges rendered in the
 * Prometheus text format by GET /metrics. Counters are lock-free
 * (relaxed atomics) so any thread may add to them.
 */

#include <stddef.h>

struct metrics_counter;

/*
 * Registers a counter (name must be a constant string that outlives the
 * process). Returns the counter, or a shared dummy that counts nothing
 * when the registry is full, so callers never check. Call at start-up.
 */
struct metrics_counter *metrics_counter_new(const char *name, const char *help);

/* Adds n. Accepts NULL. Cannot fail. */
void metrics_add(struct metrics_counter *c, unsigned long long n);

/* Current value. */
unsigned long long metrics_get(const struct metrics_counter *c);

/* Registers a gauge read through fn(arg) at render time. */
void metrics_gauge_new(const char *name, const char *help,
                       double (*fn)(void *arg), void *arg);

/*
 * Renders every registered metric plus the HTTP ones (given by the
 * caller as extra text) into a malloc'd NUL-terminated string. NULL on
 * ENOMEM.
 */
char *metrics_render(const char *extra);

/* Forgets every registration (tests). */
void metrics_reset(void);

#endif
