/*
 * log.c: leveled logging to stderr, as text or JSON lines (log.h). Each
 * line is formatted into one buffer and written with a single write(2)
 * so that concurrent threads do not interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"

static enum log_level min_level = LOG_LEVEL_INFO;
static enum log_format format = LOG_FORMAT_TEXT;

void
log_set_format(enum log_format f)
{
	format = f;
}

int
log_format_parse(const char *s, enum log_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = LOG_FORMAT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else
		return -1;
	return 0;
}

/* A JSON string of s; bytes that are not UTF-8 become '?'. */
static json_t *
jstr(const char *s)
{
	json_t *j = json_string(s);
	char *copy;
	size_t i;

	if (j != NULL || (copy = strdup(s)) == NULL)
		return j;
	for (i = 0; copy[i] != '\0'; i++)
		if ((unsigned char)copy[i] >= 0x80)
			copy[i] = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

/* Writes o (stolen) as one line, with "ts" first. */
static void
write_json(json_t *o)
{
	struct timespec ts;
	struct tm tm;
	char when[40], *text;
	json_t *line;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + n, sizeof(when) - n, ".%03ldZ", ts.tv_nsec / 1000000);
	line = json_pack("{s:s}", "ts", when);
	if (line == NULL || o == NULL || json_object_update(line, o) != 0 ||
	    (text = json_dumps(line, JSON_COMPACT)) == NULL) {
		json_decref(line);
		json_decref(o);
		return;
	}
	json_decref(line);
	json_decref(o);
	n = strlen(text);
	text[n] = '\n'; /* over the NUL: written by length */
	(void)!write(STDERR_FILENO, text, n + 1);
	free(text);
}

void
log_set_level(enum log_level level)
{
	min_level = level;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	if (strcmp(s, "debug") == 0)
		*out = LOG_LEVEL_DEBUG;
	else if (strcmp(s, "info") == 0)
		*out = LOG_LEVEL_INFO;
	else if (strcmp(s, "warn") == 0)
		*out = LOG_LEVEL_WARN;
	else
		return -1;
	return 0;
}

static void vlog(const char *prefix, int errnum, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
vlog(const char *prefix, int errnum, const char *fmt, va_list ap)
{
	char line[2048];
	size_t n;
	int r;

	r = snprintf(line, sizeof(line), "%s", prefix);
	n = r < 0 ? 0 : (size_t)r;
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (r > 0)
		n += (size_t)r;
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	if (errnum != 0) {
		r = snprintf(line + n, sizeof(line) - n, ": %s",
		             strerror(errnum));
		if (r > 0)
			n += (size_t)r;
		if (n > sizeof(line) - 2)
			n = sizeof(line) - 2;
	}
	if (format == LOG_FORMAT_JSON) {
		size_t p = strlen(prefix);

		line[n] = '\0';
		/* prefix is "level: " */
		write_json(json_pack("{s:s%, s:o}", "level", prefix, p - 2,
		                     "msg", jstr(line + p)));
		return;
	}
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (min_level > LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	vlog("debug: ", 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (min_level > LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	vlog("info: ", 0, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vlog("warn: ", e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warn: ", 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vlog("fatal: ", e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("fatal: ", 0, fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_access(const struct log_access_entry *e)
{
	char buf[1024];
	int n;

	if (format == LOG_FORMAT_JSON) {
		write_json(json_pack(
		    "{s:s, s:s, s:s, s:o, s:i, s:I, s:I, s:s, s:s}", "level",
		    "info", "type", "access", "method", e->method, "path",
		    jstr(e->path), "status", (int)e->status, "bytes",
		    (json_int_t)e->bytes, "duration_us", (json_int_t)e->us,
		    "client", e->client, "request_id", e->request_id));
		return;
	}
	n = snprintf(buf, sizeof(buf) - 1, "%s %s %u %zu %lldus %s req=%s",
	             e->method, e->path, e->status, e->bytes, e->us, e->client,
	             e->request_id);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	(void)!write(STDERR_FILENO, buf, (size_t)n);
}
