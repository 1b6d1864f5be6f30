/*
 * Unit tests of CAPTCHA tokens and the challenge service: every rule of
 * verification, key rotation, the spent set (persistence, fail-closed),
 * deterministic rendering.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gd.h>
#include <cmocka.h>

#include "audio.h"
#include "captcha.h"
#include "challenge.h"
#include "config.h"
#include "harness.h"
#include "secrets.h"
#include "storage.h"
#include "token.h"
#include "writer.h"

#define T0 1800000000L /* a fixed "now" */

struct fx {
	char dir[64];
	struct config *cfg;
	struct secrets sec;
	struct challenge *c;
	const struct config_site *site;
};

static struct fx *
fx_new(const char *extra_server)
{
	struct fx *f = calloc(1, sizeof(*f));
	char text[1024], path[128];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/bandoc-ch-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(text, sizeof(text),
	         "[server]\n%s\n[site.s]\ncaptcha_ttl = 600\n"
	         "captcha_min_solve = 2\n",
	         extra_server);
	f->cfg = config_load_string(text, NULL, NULL);
	assert_non_null(f->cfg);
	snprintf(path, sizeof(path), "%s/secrets", f->dir);
	assert_int_equal(secrets_load(&f->sec, path), 0);
	f->c = challenge_new(f->cfg, &f->sec);
	assert_non_null(f->c);
	f->site = config_site_find(f->cfg, "s");
	return f;
}

static void
fx_free(struct fx *f)
{
	char cmd[128], out[64];

	challenge_free(f->c);
	config_free(f->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	run_cmd(cmd, out, sizeof(out));
	free(f);
}

/* Issues at t and learns the answer as the test key holder. */
static void
issue(struct fx *f, const char *article, enum token_kind kind, long t,
      char *tok, char *answer)
{
	char path[128];

	assert_int_equal(challenge_issue(f->c, f->site, article, kind, 0,
	                                 (time_t)t, tok, TOKEN_MAX_TEXT + 1),
	                 0);
	assert_int_equal(strlen(tok), TOKEN_TEXT_LEN);
	snprintf(path, sizeof(path), "%s/secrets", f->dir);
	assert_int_equal(test_token_answer(path, tok, answer, 16), 0);
}

static enum challenge_result
check(struct fx *f, const char *article, const char *tok, const char *ans,
      long t)
{
	return challenge_verify(f->c, f->site, article, tok, strlen(tok), ans,
	                        ans != NULL ? strlen(ans) : 0, (time_t)t, NULL);
}

static void
test_round_trip_and_single_use(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], lower[16];
	size_t i;

	(void)state;
	issue(f, "a1", TOKEN_KIND_IMAGE, T0, tok, ans);
	assert_true(strlen(ans) >= CAPTCHA_ANSWER_MIN &&
	            strlen(ans) <= CAPTCHA_ANSWER_MAX);
	/* Typed in lower case with spaces: still right, once. */
	for (i = 0; ans[i]; i++)
		lower[i] =
		    (char)(ans[i] >= 'A' && ans[i] <= 'Z' ? ans[i] - 'A' + 'a'
		                                          : ans[i]);
	lower[i] = '\0';
	assert_int_equal(check(f, "a1", tok, lower, T0 + 5), CHALLENGE_OK);
	/* Replay after success. */
	assert_int_equal(check(f, "a1", tok, ans, T0 + 6), CHALLENGE_USED);
	/* A failed attempt also spends the token. */
	issue(f, "a1", TOKEN_KIND_IMAGE, T0, tok, ans);
	assert_int_equal(check(f, "a1", tok, "WRONG", T0 + 5), CHALLENGE_WRONG);
	assert_int_equal(check(f, "a1", tok, ans, T0 + 6), CHALLENGE_USED);
	fx_free(f);
}

static void
test_time_rules(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16];

	(void)state;
	issue(f, "a", TOKEN_KIND_IMAGE, T0, tok, ans);
	/* Too fast is refused and does not spend the token. */
	assert_int_equal(check(f, "a", tok, ans, T0 + 1), CHALLENGE_TOO_FAST);
	assert_int_equal(check(f, "a", tok, ans, T0 + 2), CHALLENGE_OK);
	issue(f, "a", TOKEN_KIND_IMAGE, T0, tok, ans);
	assert_int_equal(check(f, "a", tok, ans, T0 + 600), CHALLENGE_EXPIRED);
	assert_int_equal(check(f, "a", tok, ans, T0 + 599), CHALLENGE_OK);
	fx_free(f);
}

static void
test_scope_and_missing(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16];

	(void)state;
	issue(f, "a", TOKEN_KIND_IMAGE, T0, tok, ans);
	assert_int_equal(check(f, "b", tok, ans, T0 + 5), CHALLENGE_INVALID);
	assert_int_equal(check(f, "", tok, ans, T0 + 5), CHALLENGE_INVALID);
	/* An empty answer fails, and spends the token. */
	assert_int_equal(check(f, "a", tok, "", T0 + 5), CHALLENGE_MISSING);
	assert_int_equal(check(f, "a", tok, ans, T0 + 5), CHALLENGE_USED);
	/* No token at all, or garbage. */
	assert_int_equal(
	    challenge_verify(f->c, f->site, "a", NULL, 0, "X", 1, T0, NULL),
	    CHALLENGE_MISSING);
	assert_int_equal(check(f, "a", "", "", T0 + 5), CHALLENGE_MISSING);
	assert_int_equal(check(f, "a", "b1.nope", "", T0 + 5),
	                 CHALLENGE_INVALID);
	fx_free(f);
}

static void
test_every_flipped_char_refused(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], bad[TOKEN_MAX_TEXT + 1];
	size_t i;

	(void)state;
	issue(f, "a", TOKEN_KIND_IMAGE, T0, tok, ans);
	for (i = 0; i < strlen(tok); i++) {
		memcpy(bad, tok, sizeof(bad));
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		if (check(f, "a", bad, ans, T0 + 5) != CHALLENGE_INVALID)
			fail_msg("flipping char %zu was not refused", i);
	}
	/* Found by the fuzzer: libsodium reads 8-bit bytes as '_'; a token
	 * has one spelling only. */
	memcpy(bad, tok, sizeof(bad));
	for (i = 3; i < strlen(bad); i++)
		if (bad[i] == '_' || bad[i] == '-')
			break;
	if (i < strlen(bad)) {
		bad[i] = (char)0x80;
		assert_int_equal(check(f, "a", bad, ans, T0 + 5),
		                 CHALLENGE_INVALID);
	}
	/* Truncated or extended. */
	memcpy(bad, tok, sizeof(bad));
	bad[TOKEN_TEXT_LEN - 1] = '\0';
	assert_int_equal(check(f, "a", bad, ans, T0 + 5), CHALLENGE_INVALID);
	/* The original is still good (nothing above spent it). */
	assert_int_equal(check(f, "a", tok, ans, T0 + 5), CHALLENGE_OK);
	fx_free(f);
}

static void
test_key_rotation(void **state)
{
	struct fx *f = fx_new("captcha_key_rotation = 3600");
	char tok[TOKEN_MAX_TEXT + 1], ans[16];
	long period_end = (T0 / 3600 + 1) * 3600;

	(void)state;
	/* Issued just before a rotation: valid after it, for its TTL. */
	issue(f, "a", TOKEN_KIND_IMAGE, period_end - 10, tok, ans);
	assert_int_equal(check(f, "a", tok, ans, period_end + 100),
	                 CHALLENGE_OK);
	/* Two rotations later the key is unknown. */
	issue(f, "a", TOKEN_KIND_IMAGE, period_end - 10, tok, ans);
	assert_int_equal(check(f, "a", tok, ans, period_end + 3600 + 5),
	                 CHALLENGE_INVALID);
	fx_free(f);
}

static void
test_audio_kind(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], spaced[32];
	unsigned char *data = NULL;
	size_t len;

	(void)state;
	assert_int_equal(audio_init(), 0);
	issue(f, "a", TOKEN_KIND_AUDIO, time(NULL), tok, ans);
	assert_true(strlen(ans) >= 5 && strlen(ans) <= 6);
	assert_int_equal(strspn(ans, "0123456789"), strlen(ans));
	/* An audio token renders as WAV, never as an image. */
	assert_int_equal(
	    challenge_render(f->c, tok, strlen(tok), "png", &data, &len), -1);
	assert_int_equal(
	    challenge_render(f->c, tok, strlen(tok), "wav", &data, &len), 0);
	assert_memory_equal(data, "RIFF", 4);
	free(data);
	snprintf(spaced, sizeof(spaced), "%.2s %.2s-%s", ans, ans + 2, ans + 4);
	assert_int_equal(check(f, "a", tok, spaced, time(NULL) + 5),
	                 CHALLENGE_OK);
	fx_free(f);
}

static void
test_render_deterministic(void **state)
{
	struct fx *f = fx_new("");
	char t1[TOKEN_MAX_TEXT + 1], t2[TOKEN_MAX_TEXT + 1], a1[16], a2[16];
	unsigned char *p1 = NULL, *p2 = NULL, *p3 = NULL;
	size_t l1, l2, l3;
	gdImagePtr im;

	(void)state;
	assert_int_equal(captcha_init(getenv("BANDOC_FONTS_DIR")
	                                  ? getenv("BANDOC_FONTS_DIR")
	                                  : "fonts"),
	                 0);
	issue(f, "a", TOKEN_KIND_IMAGE, time(NULL), t1, a1);
	issue(f, "a", TOKEN_KIND_IMAGE, time(NULL), t2, a2);
	assert_int_equal(
	    challenge_render(f->c, t1, strlen(t1), "png", &p1, &l1), 0);
	assert_int_equal(
	    challenge_render(f->c, t1, strlen(t1), "png", &p2, &l2), 0);
	assert_int_equal(
	    challenge_render(f->c, t2, strlen(t2), "png", &p3, &l3), 0);
	assert_int_equal(l1, l2);
	assert_memory_equal(p1, p2, l1);
	assert_true(l1 != l3 || memcmp(p1, p3, l1) != 0);
	assert_true(l1 <= 4096);
	im = gdImageCreateFromPngPtr((int)l1, p1);
	assert_non_null(im);
	assert_int_equal(gdImageSX(im), 220);
	assert_int_equal(gdImageSY(im), 80);
	gdImageDestroy(im);
	free(p1);
	free(p2);
	free(p3);
	assert_int_equal(
	    challenge_render(f->c, t1, strlen(t1), "2x.png", &p1, &l1), 0);
	im = gdImageCreateFromPngPtr((int)l1, p1);
	assert_non_null(im);
	assert_int_equal(gdImageSX(im), 440);
	gdImageDestroy(im);
	free(p1);
	assert_int_equal(
	    challenge_render(f->c, t1, strlen(t1), "wav", &p1, &l1), -1);
	assert_int_equal(challenge_render(f->c, "b1.x", 4, "png", &p1, &l1),
	                 -1);
	captcha_shutdown();
	fx_free(f);
}

static void
test_spent_persisted_across_restart(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], path[128], err[128];
	struct storage *st;
	struct writer *w;
	struct writer_task task;
	struct challenge *again;
	long now = time(NULL);

	(void)state;
	snprintf(path, sizeof(path), "%s/db", f->dir);
	st = storage_open(path, 100, err, sizeof(err));
	assert_non_null(st);
	w = writer_new(st, 10);
	challenge_task(f->c, &task);
	assert_int_equal(writer_add_task(w, &task), 0);
	assert_int_equal(writer_start(w), 0);
	issue(f, "a", TOKEN_KIND_IMAGE, now, tok, ans);
	assert_int_equal(check(f, "a", tok, "WRONG", now + 3), CHALLENGE_WRONG);
	writer_stop(w); /* the task runs once more at stop */
	writer_free(w);
	/* A fresh service (a restarted daemon) loads the spent nonce. */
	again = challenge_new(f->cfg, &f->sec);
	assert_int_equal(challenge_load_spent(again, st, (time_t)now), 0);
	assert_int_equal(challenge_spent_count(again), 1);
	assert_int_equal(challenge_verify(again, f->site, "a", tok, strlen(tok),
	                                  ans, strlen(ans), (time_t)(now + 4),
	                                  NULL),
	                 CHALLENGE_USED);
	challenge_free(again);
	storage_close(st);
	fx_free(f);
}

static void
test_fail_closed_when_full(void **state)
{
	struct fx *f = fx_new("captcha_spent_max = 1000");
	char tok[TOKEN_MAX_TEXT + 1], ans[16];
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		issue(f, "a", TOKEN_KIND_IMAGE, T0, tok, ans);
		assert_int_equal(check(f, "a", tok, ans, T0 + 5), CHALLENGE_OK);
	}
	/* Full of live entries: no new challenge, none forgotten. */
	assert_int_equal(challenge_issue(f->c, f->site, "a", TOKEN_KIND_IMAGE,
	                                 0, T0 + 6, tok, sizeof(tok)),
	                 -2);
	assert_int_equal(challenge_spent_count(f->c), 1000);
	/* Once they expire, issuing resumes. */
	assert_int_equal(challenge_issue(f->c, f->site, "a", TOKEN_KIND_IMAGE,
	                                 0, T0 + 700, tok, sizeof(tok)),
	                 0);
	fx_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_and_single_use),
	    cmocka_unit_test(test_time_rules),
	    cmocka_unit_test(test_scope_and_missing),
	    cmocka_unit_test(test_every_flipped_char_refused),
	    cmocka_unit_test(test_key_rotation),
	    cmocka_unit_test(test_audio_kind),
	    cmocka_unit_test(test_render_deterministic),
	    cmocka_unit_test(test_spent_persisted_across_restart),
	    cmocka_unit_test(test_fail_closed_when_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
