#ifndef BANDOC_HARNESS_H
#define BANDOC_HARNESS_H

/*
 * Test harness: runs the real bandocd as a child on 127.0.0.1 port 0
 * with a fresh data directory, reads the port back from --ready-file,
 * and speaks HTTP to it with libcurl or raw sockets.
 */

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

struct daemon {
	pid_t pid;
	unsigned short port;
	char dir[256];    /* temporary directory of this daemon */
	char config[300]; /* its config file */
	char base[64];    /* "http://127.0.0.1:PORT" */
	char log[300];    /* set before daemon_start: its stderr goes there */
};

struct reply {
	long status;
	char *body;
	size_t len;
	char *headers; /* raw header block, lower-cased names kept as sent */
};

/* Creates a temp dir and writes a config: [server] listen on port 0,
 * data_dir in the dir, plus extra (appended verbatim; may add keys to
 * [server] first, then sections). Returns 0 / -1. */
int daemon_config(struct daemon *d, const char *server_extra,
                  const char *sections);
/* Starts bandocd with d->config; waits for the ready file (10 s). */
int daemon_start(struct daemon *d);
/* Sends sig and waits for exit; returns the exit status (or 128+sig). */
int daemon_stop(struct daemon *d, int sig);
/* Stops a daemon still running with SIGTERM and removes the temp dir.
 * Returns its exit status (0 clean, or not running), so that a sanitizer
 * report at exit (leaks) fails the test; -1 if it hung for 30 s. */
int daemon_cleanup(struct daemon *d);
/* daemon_config and then daemon_start: the usual group set-up of an
 * integration test. Returns 0 / -1. */
int daemon_launch(struct daemon *d, const char *server_extra,
                  const char *sections);
/*
 * The usual group teardown (cmocka's signature): *state is the struct
 * daemon the set-up launched, which it stores there. daemon_cleanup of
 * it; 0, or -1 when it did not exit clean.
 */
int harness_teardown(void **state);
/* main's exit status: 1 if cmocka counted failures or any daemon_cleanup
 * failed (cmocka 1.1 exits 0 when only the group teardown failed). */
int harness_exit(int cmocka_failures);
/*
 * main's whole run of a group of cmocka tests (include <cmocka.h>
 * first): the group set-up, the tests, harness_teardown, and the exit
 * status by harness_exit (cmocka 1.1 exits 0 when only the group
 * teardown failed). A macro, as cmocka_run_group_tests is one.
 */
#define HARNESS_RUN_GROUP(tests, setup)                                        \
	harness_exit(cmocka_run_group_tests(tests, setup, harness_teardown))

/*
 * One HTTP request with libcurl: method, path, body (NULL for none) of
 * content_type, extra headers as "Name: value" strings (NULL-ended).
 * Returns 0 / -1; free the reply with reply_free.
 */
int http_do(const struct daemon *d, const char *method, const char *path,
            const char *content_type, const char *body,
            const char *const *headers, struct reply *r);
void reply_free(struct reply *r);
/*
 * http_do for a JSON API: the status into *status and, when out is not
 * NULL, the body parsed into *out (a new reference; NULL when it is not
 * JSON). The reply itself is freed. 0, or -1 as http_do (*out NULL).
 */
int http_json(const struct daemon *d, const char *method, const char *path,
              const char *content_type, const char *body,
              const char *const *headers, long *status, json_t **out);
/* The value of a header in r (case-insensitive), copied into out. */
int reply_header(const struct reply *r, const char *name, char *out,
                 size_t outsz);

/* Raw socket: sends data, reads until the peer closes or timeout_ms;
 * returns bytes read into out (NUL-terminated), -1 on error. */
long raw_exchange(unsigned short port, const char *data, size_t len, char *out,
                  size_t outsz, int timeout_ms);
/* Opens a TCP connection to 127.0.0.1:port; returns the fd or -1. */
int raw_connect(unsigned short port);
/* The same from 127.0.0.<host> (Linux routes all of 127/8 to lo), so a
 * test can look like several clients to per-address limits; host 0: any
 * source address, as raw_connect. */
int raw_connect_from(unsigned short port, int host);

/* Runs a shell command, returns its exit status; output into out. */
int run_cmd(const char *cmd, char *out, size_t outsz);
/*
 * Runs query with the sqlite3 shell on d's database (as another process
 * would, waiting up to 5 s for a lock); its output and errors into out.
 * Returns the shell's exit status, or -1 when the command does not fit.
 */
int test_sql(const struct daemon *d, const char *query, char *out,
             size_t outsz);

/*
 * The test-side key holder: opens a CAPTCHA token with the key derived
 * from the daemon's own secrets file (d->dir/var/secrets), as an
 * operator holding the key could. The daemon has no test mode or back
 * door. Writes the answer; 0 / -1.
 */
int test_token_answer(const char *secrets_path, const char *token, char *answer,
                      size_t answersz);
/* test_token_answer with d's own secrets file. 0 / -1. */
int test_daemon_answer(const struct daemon *d, const char *token, char *answer,
                       size_t answersz);
/*
 * Issues a CAPTCHA for (site, article) over HTTP, learns its answer with
 * test_token_answer and solves its proof of work as a browser would:
 * pow gets the ALTCHA payload percent-encoded for a form body (the value
 * of "altcha=").  0, or -1 when issuing or opening failed (e.g. the
 * daemon is down).
 */
int test_captcha(const struct daemon *d, const char *site, const char *article,
                 char *token, size_t tokensz, char *answer, size_t answersz,
                 char *pow, size_t powsz);
/*
 * test_captcha written as the form fields a page sends with a comment:
 * "captcha_token=TOKEN&captcha_answer=ANSWER&altcha=POW" into out. 0, or
 * -1 when test_captcha failed or out is too small.
 */
int test_captcha_fields(const struct daemon *d, const char *site,
                        const char *article, char *out, size_t outsz);

/* The "code" of a JSON error reply ({"error":{"code":...}}), borrowed
 * from j; NULL when j is NULL or has none. */
const char *test_error_code(const json_t *j);

struct pow_challenge;
/* The ALTCHA payload (base64 JSON) of pc solved with number. 0 / -1. */
int test_pow_payload(const struct pow_challenge *pc, long number, char *out,
                     size_t outsz);
/* The "pow" member of an issue reply, or a bare ALTCHA challenge. 0 / -1. */
int test_pow_from_json(const char *body, struct pow_challenge *pc);

#endif
