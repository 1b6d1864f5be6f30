/*
 * log.c: leveled logging to stderr. Each line is formatted into one
 * buffer and written with a single write(2) so that concurrent threads
 * do not interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static enum log_level min_level = LOG_LEVEL_INFO;

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
log_access(const char *line)
{
	char buf[1024];
	size_t n = strlen(line);

	if (n > sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	memcpy(buf, line, n);
	buf[n++] = '\n';
	(void)!write(STDERR_FILENO, buf, n);
}
