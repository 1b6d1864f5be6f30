/*
 * metrics.c: the registry behind GET /metrics.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include "bandoc_limits.h"
#include "metrics.h"

struct metrics_counter {
	const char *name;
	const char *help;
	_Atomic unsigned long long value;
};

struct gauge {
	const char *name;
	const char *help;
	double (*fn)(void *);
	void *arg;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct metrics_counter counters[MAX_METRICS];
static size_t ncounters;
static struct gauge gauges[MAX_METRICS];
static size_t ngauges;
static struct metrics_counter dummy;

struct metrics_counter *
metrics_counter_new(const char *name, const char *help)
{
	struct metrics_counter *c = &dummy;
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < ncounters; i++)
		if (strcmp(counters[i].name, name) == 0) {
			c = &counters[i];
			goto done;
		}
	if (ncounters < MAX_METRICS) {
		c = &counters[ncounters++];
		c->name = name;
		c->help = help;
		atomic_store(&c->value, 0);
	}
done:
	pthread_mutex_unlock(&lock);
	return c;
}

void
metrics_add(struct metrics_counter *c, unsigned long long n)
{
	if (c != NULL)
		atomic_fetch_add_explicit(&c->value, n, memory_order_relaxed);
}

unsigned long long
metrics_get(const struct metrics_counter *c)
{
	return atomic_load_explicit(&((struct metrics_counter *)c)->value,
	                            memory_order_relaxed);
}

void
metrics_gauge_new(const char *name, const char *help, double (*fn)(void *arg),
                  void *arg)
{
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < ngauges; i++)
		if (strcmp(gauges[i].name, name) == 0) {
			gauges[i].fn = fn;
			gauges[i].arg = arg;
			goto done;
		}
	if (ngauges < MAX_METRICS) {
		gauges[ngauges].name = name;
		gauges[ngauges].help = help;
		gauges[ngauges].fn = fn;
		gauges[ngauges].arg = arg;
		ngauges++;
	}
done:
	pthread_mutex_unlock(&lock);
}

char *
metrics_render(const char *extra)
{
	size_t cap, len = 0, i;
	char *out;
	int r;

	cap = (ncounters + ngauges) * 256 + strlen(extra) + 1;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	out[0] = '\0';
	pthread_mutex_lock(&lock);
	for (i = 0; i < ncounters; i++) {
		r = snprintf(out + len, cap - len,
		             "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
		             counters[i].name, counters[i].help,
		             counters[i].name, counters[i].name,
		             metrics_get(&counters[i]));
		if (r > 0 && (size_t)r < cap - len)
			len += (size_t)r;
	}
	for (i = 0; i < ngauges; i++) {
		r = snprintf(out + len, cap - len,
		             "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n",
		             gauges[i].name, gauges[i].help, gauges[i].name,
		             gauges[i].name, gauges[i].fn(gauges[i].arg));
		if (r > 0 && (size_t)r < cap - len)
			len += (size_t)r;
	}
	pthread_mutex_unlock(&lock);
	if (strlen(extra) < cap - len)
		memcpy(out + len, extra, strlen(extra) + 1);
	return out;
}

void
metrics_reset(void)
{
	pthread_mutex_lock(&lock);
	ncounters = 0;
	ngauges = 0;
	pthread_mutex_unlock(&lock);
}
