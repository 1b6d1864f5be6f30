#ifndef BANDOC_LOG_H
#define BANDOC_LOG_H

/*
 * Logging to stderr (journald under systemd), one write per line so
 * lines from several threads never interleave. Never log secrets:
 * tokens, keys, passwords, raw client addresses in non-access lines.
 */

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN };

/*
 * text: "level: message" and access lines "GET /path 200 11 16us
 * 127.0.0.1 req=ID" (journald adds the time).  json: one object a line,
 * {"ts","level","msg"}, and for access lines {"ts","level":"info",
 * "type":"access","method","path","status","bytes","duration_us",
 * "client","request_id"} (for Loki, Elasticsearch, journald's
 * JSON-aware viewers).
 */
enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };
void log_set_format(enum log_format format);
/* Parses "text", "json"; returns -1 for anything else. */
int log_format_parse(const char *s, enum log_format *out);

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
/* One request of the access log. */
struct log_access_entry {
	const char *method, *path, *client, *request_id;
	unsigned int status;
	size_t bytes;
	long long us;
};
void log_access(const struct log_access_entry *e);

#endif
