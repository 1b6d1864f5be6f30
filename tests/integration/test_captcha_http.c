/*
 * Integration tests of the CAPTCHA endpoints over HTTP: issue, render,
 * siteverify with every error code, rate limits, failure lock-out, body
 * limits, graceful shutdown with a request in flight.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <jansson.h>
#include <cmocka.h>

#include <curl/curl.h>

#include "checks.h"
#include "harness.h"
#include "bandoc_limits.h"
#include "pow.h"

#define SECRET "0123456789abcdef0123456789abcdef"

static struct daemon d;

static int
setup(void **state)
{
	*state = &d;
	return daemon_launch(
	    &d, "",
	    "[site.lamdong]\norigins = https://baolamdong.vn\n"
	    "secret = " SECRET "\ncaptcha_min_solve = 0\n"
	    "captcha_per_minute = 1000\ncaptcha_per_hour = 10000\n"
	    "captcha_fail_limit = 1000\n"
	    "[site.strict]\ncaptcha_per_minute = 3\ncaptcha_per_hour = "
	    "100\n"
	    "captcha_fail_limit = 3\ncaptcha_min_solve = 0\n"
	    "secret = strict-site-secret-0123456789\n"
	    "[site.quiet]\ncaptcha_mode = invisible\ncaptcha_min_solve = "
	    "0\n"
	    "captcha_per_minute = 1000\ncaptcha_per_hour = 10000\n"
	    "captcha_fail_limit = 1000\npow_cost = 2000\n"
	    "origins = https://tin.example.vn\n"
	    "secret = quiet-site-secret-0123456789\n");
}

/* The solved proof of work of the last issue(), percent-encoded. */
static char pow_esc[2 * POW_PAYLOAD_MAX];
/* And the last reply's JSON. */
static json_t *last;

/* Solves the puzzle of a reply (JSON text) into pow_esc. */
static void
solve_reply(const char *body)
{
	char payload[POW_PAYLOAD_MAX + 1], *e;
	struct pow_challenge pc;
	long n;

	assert_int_equal(test_pow_from_json(body, &pc), 0);
	n = pow_solve(&pc);
	assert_true(n >= 0);
	assert_int_equal(test_pow_payload(&pc, n, payload, sizeof(payload)), 0);
	e = curl_easy_escape(NULL, payload, 0);
	snprintf(pow_esc, sizeof(pow_esc), "%s", e);
	curl_free(e);
}

/* Issues a challenge; returns 0 and fills token (and pow_esc, last). */
static int
issue(const char *body, char *token, size_t tsz, long *status)
{
	struct reply r;
	json_t *j;
	int ret = -1;

	if (http_do(&d, "POST", "/api/v1/captcha",
	            "application/x-www-form-urlencoded", body, NULL, &r) != 0)
		return -1;
	*status = r.status;
	j = json_loads(r.body, 0, NULL);
	if (r.status == 201 && j != NULL &&
	    json_string_value(json_object_get(j, "token")) != NULL) {
		snprintf(token, tsz, "%s",
		         json_string_value(json_object_get(j, "token")));
		solve_reply(r.body);
		ret = 0;
	}
	json_decref(last);
	last = j;
	reply_free(&r);
	return ret;
}

static void
answer_of(const char *token, char *ans, size_t n)
{
	assert_int_equal(test_daemon_answer(&d, token, ans, n), 0);
}

static json_t *
siteverify(const char *body)
{
	json_t *j;
	long st;

	assert_int_equal(http_json(&d, "POST", "/api/v1/siteverify",
	                           "application/x-www-form-urlencoded", body,
	                           NULL, &st, &j),
	                 0);
	assert_int_equal(st, 200);
	assert_non_null(j);
	return j;
}

static const char *
first_code(json_t *j)
{
	return json_string_value(
	    json_array_get(json_object_get(j, "error-codes"), 0));
}

static void
test_issue_and_render(void **state)
{
	char token[256], path[512], v[128];
	struct reply r;
	json_t *j;
	long st;

	(void)state;
	assert_int_equal(
	    http_do(&d, "POST", "/api/v1/captcha", "application/json",
	            "{\"site\":\"lamdong\",\"article\":\"12345\"}", NULL, &r),
	    0);
	assert_int_equal(r.status, 201);
	assert_int_equal(reply_header(&r, "Cache-Control", v, sizeof(v)), 0);
	assert_string_equal(v, "no-store");
	j = json_loads(r.body, 0, NULL);
	assert_non_null(j);
	snprintf(token, sizeof(token), "%s",
	         json_string_value(json_object_get(j, "token")));
	assert_true(strlen(token) <= 120);
	snprintf(path, sizeof(path), "/api/v1/captcha/%s.png", token);
	assert_string_equal(json_string_value(json_object_get(j, "image")),
	                    path);
	assert_int_equal(json_integer_value(json_object_get(j, "expires_in")),
	                 600);
	json_decref(j);
	reply_free(&r);
	assert_int_equal(http_do(&d, "GET", path, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "\x89PNG", 4);
	assert_true(r.len <= 4096);
	reply_header(&r, "Content-Type", v, sizeof(v));
	assert_string_equal(v, "image/png");
	reply_header(&r, "Cache-Control", v, sizeof(v));
	assert_string_equal(v, "no-store");
	reply_free(&r);
	snprintf(path, sizeof(path), "/api/v1/captcha/%s@2x.png", token);
	check_get(&d, path, 200);
	/* An image token has no audio; a broken token is 404. */
	snprintf(path, sizeof(path), "/api/v1/captcha/%s.wav", token);
	check_get(&d, path, 404);
	token[10] = token[10] == 'A' ? 'B' : 'A';
	snprintf(path, sizeof(path), "/api/v1/captcha/%s.png", token);
	check_get(&d, path, 404);
	/* Audio. */
	assert_int_equal(
	    issue("site=lamdong&kind=audio&lang=en", token, sizeof(token), &st),
	    0);
	snprintf(path, sizeof(path), "/api/v1/captcha/%s.wav", token);
	assert_int_equal(http_do(&d, "GET", path, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "RIFF", 4);
	reply_header(&r, "Content-Type", v, sizeof(v));
	assert_string_equal(v, "audio/wav");
	reply_free(&r);
}

static void
test_issue_errors(void **state)
{
	struct reply r;

	(void)state;
	assert_int_equal(http_do(&d, "POST", "/api/v1/captcha",
	                         "application/x-www-form-urlencoded",
	                         "site=nope", NULL, &r),
	                 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "unknown_site"));
	reply_free(&r);
	assert_int_equal(http_do(&d, "POST", "/api/v1/captcha",
	                         "application/x-www-form-urlencoded",
	                         "site=lamdong&kind=video", NULL, &r),
	                 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "invalid_kind"));
	reply_free(&r);
	assert_int_equal(http_do(&d, "POST", "/api/v1/captcha",
	                         "application/x-www-form-urlencoded",
	                         "site=lamdong&article=a%01b", NULL, &r),
	                 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "invalid_article"));
	reply_free(&r);
	assert_int_equal(http_do(&d, "POST", "/api/v1/captcha", "text/plain",
	                         "site=lamdong", NULL, &r),
	                 0);
	assert_int_equal(r.status, 415);
	reply_free(&r);
	assert_int_equal(http_do(&d, "POST", "/api/v1/captcha",
	                         "application/json", "{\"site\":", NULL, &r),
	                 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "invalid_json"));
	reply_free(&r);
	assert_int_equal(http_do(&d, "POST", "/api/v1/captcha",
	                         "application/x-www-form-urlencoded",
	                         "site=lamdong&site=x", NULL, &r),
	                 0);
	assert_int_equal(r.status, 400);
	reply_free(&r);
	{
		/* Above HTTP_DISCARD_MAX: refused from the headers alone,
		 * before the body is read. */
		static const char big[] =
		    "POST /api/v1/captcha HTTP/1.1\r\n"
		    "Host: x\r\nContent-Type: application/"
		    "json\r\nContent-Length: 1048577\r\n\r\n";
		char out[2048];

		assert_true(raw_exchange(d.port, big, sizeof(big) - 1, out,
		                         sizeof(out), 2000) > 0);
		assert_non_null(strstr(out, "HTTP/1.1 413"));
		assert_non_null(strstr(out, "body_too_large"));
	}
}

static void
test_siteverify_codes(void **state)
{
	char token[256], ans[16], body[4096];
	json_t *j;
	long st;

	(void)state;
	j = siteverify("token=x&answer=y");
	assert_false(json_is_true(json_object_get(j, "success")));
	assert_string_equal(first_code(j), "missing-input-secret");
	json_decref(j);
	j = siteverify("secret=wrong-secret-wrong-secret&token=x");
	assert_string_equal(first_code(j), "invalid-input-secret");
	json_decref(j);
	j = siteverify("secret=" SECRET);
	assert_string_equal(first_code(j), "missing-input-response");
	json_decref(j);
	j = siteverify("secret=" SECRET "&token=garbage&answer=ABCDE");
	assert_string_equal(first_code(j), "invalid-input-response");
	json_decref(j);

	assert_int_equal(issue("site=lamdong", token, sizeof(token), &st), 0);
	answer_of(token, ans, sizeof(ans));
	snprintf(body, sizeof(body),
	         "secret=" SECRET "&token=%s&answer=WRONG&altcha=%s", token,
	         pow_esc);
	j = siteverify(body);
	assert_string_equal(first_code(j), "wrong-answer");
	assert_string_equal(json_string_value(json_object_get(j, "site")),
	                    "lamdong");
	assert_non_null(json_object_get(j, "challenge_ts"));
	json_decref(j);
	/* The failed attempt used it up: the right answer is too late. */
	snprintf(body, sizeof(body),
	         "secret=" SECRET "&token=%s&answer=%s&altcha=%s", token, ans,
	         pow_esc);
	j = siteverify(body);
	assert_string_equal(first_code(j), "timeout-or-duplicate");
	json_decref(j);

	assert_int_equal(issue("site=lamdong", token, sizeof(token), &st), 0);
	answer_of(token, ans, sizeof(ans));
	snprintf(body, sizeof(body),
	         "secret=" SECRET "&token=%s&answer=%s&altcha=%s", token, ans,
	         pow_esc);
	j = siteverify(body);
	assert_true(json_is_true(json_object_get(j, "success")));
	assert_int_equal(json_array_size(json_object_get(j, "error-codes")), 0);
	json_decref(j);
	j = siteverify(body);
	assert_string_equal(first_code(j), "timeout-or-duplicate");
	json_decref(j);
	/* A token of another site's scope does not verify here. */
	assert_int_equal(issue("site=strict", token, sizeof(token), &st), 0);
	answer_of(token, ans, sizeof(ans));
	snprintf(body, sizeof(body),
	         "secret=" SECRET "&token=%s&answer=%s&altcha=%s", token, ans,
	         pow_esc);
	j = siteverify(body);
	assert_string_equal(first_code(j), "invalid-input-response");
	json_decref(j);
}

static void
test_rate_limit_and_lockout(void **state)
{
	char token[256], body[4096], v[32];
	struct reply r;
	long st;
	int i;

	(void)state;
	/* 3 a minute (one was used by an earlier test). */
	for (i = 0;
	     i < 4 && issue("site=strict", token, sizeof(token), &st) == 0; i++)
		;
	assert_int_equal(i, 2);
	assert_int_equal(http_do(&d, "POST", "/api/v1/captcha",
	                         "application/x-www-form-urlencoded",
	                         "site=strict", NULL, &r),
	                 0);
	assert_int_equal(r.status, 429);
	assert_non_null(strstr(r.body, "rate_limited"));
	assert_int_equal(reply_header(&r, "Retry-After", v, sizeof(v)), 0);
	assert_true(atoi(v) >= 1 && atoi(v) <= 60);
	reply_free(&r);
	/* The other site's limits are separate. */
	assert_int_equal(issue("site=lamdong", token, sizeof(token), &st), 0);

	/* Three wrong answers on the strict site lock the client out. */
	for (i = 0; i < 3; i++) {
		json_t *j;

		snprintf(
		    body, sizeof(body),
		    "secret=strict-site-secret-0123456789&token=%s&answer=NO"
		    "&remoteip=127.0.0.1",
		    i == 0 ? token : "x");
		j = siteverify(body);
		json_decref(j);
	}
	assert_int_equal(http_do(&d, "POST", "/api/v1/captcha",
	                         "application/x-www-form-urlencoded",
	                         "site=strict", NULL, &r),
	                 0);
	assert_int_equal(r.status, 429);
	assert_non_null(strstr(r.body, "too_many_failures"));
	assert_int_equal(reply_header(&r, "Retry-After", v, sizeof(v)), 0);
	assert_true(atoi(v) > 800 && atoi(v) <= 900);
	reply_free(&r);
}

/*
 * siteverify as a drop-in for reCAPTCHA/Turnstile: the form's one value
 * goes as "response" (the ALTCHA payload, ":" and the answer), the
 * reader's address as "remoteip"; hostname and action come back.
 */
static void
test_siteverify_dropin(void **state)
{
	char token[256], ans[16], body[4096];
	const char *h[] = {"Origin: https://baolamdong.vn", NULL};
	struct reply r;
	json_t *j;
	long st;

	(void)state;
	assert_int_equal(http_do(&d, "POST", "/api/v1/captcha",
	                         "application/x-www-form-urlencoded",
	                         "site=lamdong&action=contact_form", h, &r),
	                 0);
	assert_int_equal(r.status, 201);
	j = json_loads(r.body, 0, NULL);
	snprintf(token, sizeof(token), "%s",
	         json_string_value(json_object_get(j, "token")));
	json_decref(j);
	solve_reply(r.body);
	reply_free(&r);
	answer_of(token, ans, sizeof(ans));
	snprintf(body, sizeof(body),
	         "secret=" SECRET "&response=%s%%3A%s&remoteip=203.0.113.9",
	         pow_esc, ans);
	j = siteverify(body);
	assert_true(json_is_true(json_object_get(j, "success")));
	assert_string_equal(json_string_value(json_object_get(j, "hostname")),
	                    "baolamdong.vn");
	assert_string_equal(json_string_value(json_object_get(j, "action")),
	                    "contact_form");
	json_decref(j);
	j = siteverify(body);
	assert_string_equal(first_code(j), "timeout-or-duplicate");
	json_decref(j);
	/* A token without its proof of work is refused, and not spent. */
	assert_int_equal(issue("site=lamdong", token, sizeof(token), &st), 0);
	answer_of(token, ans, sizeof(ans));
	snprintf(body, sizeof(body), "secret=" SECRET "&response=%s&answer=%s",
	         token, ans);
	j = siteverify(body);
	assert_string_equal(first_code(j), "invalid-input-response");
	json_decref(j);
	snprintf(body, sizeof(body), "secret=" SECRET "&response=%s%%3A%s",
	         pow_esc, ans);
	j = siteverify(body);
	assert_true(json_is_true(json_object_get(j, "success")));
	json_decref(j);
}

/* captcha_mode = invisible: the work alone, the picture when risk rises. */
static void
test_invisible_mode(void **state)
{
	char token[256], body[4096], path[256];
	struct reply r;
	json_t *j;
	long st, max0, max1;
	int i;

	(void)state;
	assert_int_equal(issue("site=quiet", token, sizeof(token), &st), 0);
	assert_string_equal(json_string_value(json_object_get(last, "kind")),
	                    "pow");
	assert_null(json_object_get(last, "image"));
	max0 = (long)json_integer_value(
	    json_object_get(json_object_get(last, "pow"), "maxnumber"));
	assert_int_equal(max0, 2000);
	snprintf(body, sizeof(body),
	         "secret=quiet-site-secret-0123456789&response=%s", pow_esc);
	j = siteverify(body);
	assert_true(json_is_true(json_object_get(j, "success")));
	json_decref(j);
	/* A failed proof (counted against the reader by remoteip 127.0.0.1,
	 * the test client): the cost doubles and the picture appears. */
	assert_int_equal(issue("site=quiet", token, sizeof(token), &st), 0);
	snprintf(body, sizeof(body),
	         "secret=quiet-site-secret-0123456789&response=%s"
	         "&remoteip=127.0.0.1",
	         "eyJhbGdvcml0aG0iOiJTSEEtMjU2In0%3D");
	j = siteverify(body);
	assert_string_equal(first_code(j), "invalid-input-response");
	json_decref(j);
	assert_int_equal(issue("site=quiet", token, sizeof(token), &st), 0);
	assert_string_equal(json_string_value(json_object_get(last, "kind")),
	                    "image");
	assert_non_null(json_object_get(last, "image"));
	max1 = (long)json_integer_value(
	    json_object_get(json_object_get(last, "pow"), "maxnumber"));
	assert_true(max1 >= 2 * max0);
	/* The stock ALTCHA widget's endpoint: a bare v1 challenge, and only
	 * for an invisible-mode site. */
	assert_int_equal(http_do(&d, "GET", "/api/v1/altcha?site=quiet", NULL,
	                         NULL, NULL, &r),
	                 0);
	assert_int_equal(r.status, 200);
	j = json_loads(r.body, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "algorithm")),
	                    "SHA-256");
	assert_non_null(json_object_get(j, "salt"));
	assert_non_null(json_object_get(j, "signature"));
	assert_null(json_object_get(j, "token"));
	json_decref(j);
	solve_reply(r.body);
	reply_free(&r);
	snprintf(body, sizeof(body),
	         "secret=quiet-site-secret-0123456789&response=%s", pow_esc);
	j = siteverify(body);
	assert_true(json_is_true(json_object_get(j, "success")));
	json_decref(j);
	assert_int_equal(http_do(&d, "GET", "/api/v1/altcha?site=lamdong", NULL,
	                         NULL, NULL, &r),
	                 0);
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(r.body, "image_mode"));
	reply_free(&r);
	/* Issues above the normal rate raise the cost too. */
	for (i = 0; i < 12; i++)
		assert_int_equal(issue("site=lamdong&article=burst", token,
		                       sizeof(token), &st),
		                 0);
	assert_true(json_integer_value(json_object_get(
	                json_object_get(last, "pow"), "maxnumber")) >=
	            4 * DEFAULT_POW_COST);
	/* The no-JS page always shows the picture, without any work. */
	snprintf(path, sizeof(path), "/embed/comments?site=quiet&article=n1");
	assert_int_equal(http_do(&d, "GET", path, NULL, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "bandoc-captcha-img"));
	reply_free(&r);
}

static void
test_graceful_shutdown_in_flight(void **state)
{
	static const char head[] = "POST /api/v1/captcha HTTP/1.1\r\n"
	                           "Host: x\r\nContent-Type: application/"
	                           "x-www-form-urlencoded\r\n"
	                           "Content-Length: 12\r\n\r\nsite=";
	char out[4096];
	size_t got = 0;
	ssize_t n;
	int fd = raw_connect(d.port);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, head, sizeof(head) - 1),
	                 (ssize_t)sizeof(head) - 1);
	usleep(200000);
	kill(d.pid, SIGTERM); /* the request is in flight */
	usleep(200000);
	assert_int_equal(write(fd, "lamdong", 7), 7);
	while ((n = read(fd, out + got, sizeof(out) - 1 - got)) > 0) {
		got += (size_t)n;
		out[got] = '\0';
		if (strstr(out, "\"token\"") != NULL)
			break;
	}
	close(fd);
	assert_non_null(strstr(out, "HTTP/1.1 201"));
	assert_int_equal(daemon_stop(&d, 0), 0); /* exits 0 by itself */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_issue_and_render),
	    cmocka_unit_test(test_issue_errors),
	    cmocka_unit_test(test_siteverify_codes),
	    cmocka_unit_test(test_rate_limit_and_lockout),
	    cmocka_unit_test(test_siteverify_dropin),
	    cmocka_unit_test(test_invisible_mode),
	    cmocka_unit_test(test_graceful_shutdown_in_flight),
	};

	return HARNESS_RUN_GROUP(tests, setup);
}
