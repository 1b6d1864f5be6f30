#ifndef BANDOC_LOG_H
#define BANDOC_LOG_H

/*
 * Logging to stderr (journald under systemd), one write per line so
 * lines from several threads never interleave. Never log secrets:
 * tokens, keys, passwords, raw client addresses in non-access lines.
 */

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN };

/* Sets the least level written. Cannot fail. */
void log_set_level(enum log_level level);
/* Parses "debug", "info", "warn"; returns -1 for anything else. */
int log_level_parse(const char *s, enum log_level *out);

void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_warn appends strerror(errno); log_warnx does not. */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs and exits 1. Only before start-up completes. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
/* Writes an access-log line exactly as given plus a newline. */
void log_access(const char *line);

#endif
