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
#include <jansson.h>
#include <sodium.h>
#include <cmocka.h>

#include "audio.h"
#include "checks.h"
#include "captcha.h"
#include "challenge.h"
#include "config.h"
#include "harness.h"
#include "bandoc_limits.h"
#include "pow.h"
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
	struct challenge_answer a;

	memset(&a, 0, sizeof(a));
	a.token = tok;
	a.tlen = tok != NULL ? strlen(tok) : 0;
	a.answer = ans;
	a.alen = ans != NULL ? strlen(ans) : 0;
	return challenge_verify(f->c, f->site, article, &a, (time_t)t, NULL);
}

static void
test_round_trip_and_single_use(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], lower[16];
	size_t i;

	(void)state;
	issue(f, "a1", TOKEN_KIND_IMAGE_NOJS, T0, tok, ans);
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
	issue(f, "a1", TOKEN_KIND_IMAGE_NOJS, T0, tok, ans);
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
	issue(f, "a", TOKEN_KIND_IMAGE_NOJS, T0, tok, ans);
	/* Too fast is refused and does not spend the token. */
	assert_int_equal(check(f, "a", tok, ans, T0 + 1), CHALLENGE_TOO_FAST);
	assert_int_equal(check(f, "a", tok, ans, T0 + 2), CHALLENGE_OK);
	issue(f, "a", TOKEN_KIND_IMAGE_NOJS, T0, tok, ans);
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
	issue(f, "a", TOKEN_KIND_IMAGE_NOJS, T0, tok, ans);
	assert_int_equal(check(f, "b", tok, ans, T0 + 5), CHALLENGE_INVALID);
	assert_int_equal(check(f, "", tok, ans, T0 + 5), CHALLENGE_INVALID);
	/* An empty answer fails, and spends the token. */
	assert_int_equal(check(f, "a", tok, "", T0 + 5), CHALLENGE_MISSING);
	assert_int_equal(check(f, "a", tok, ans, T0 + 5), CHALLENGE_USED);
	/* No token at all, or garbage. */
	assert_int_equal(check(f, "a", NULL, "X", T0), CHALLENGE_MISSING);
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
	issue(f, "a", TOKEN_KIND_IMAGE_NOJS, T0, tok, ans);
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
	issue(f, "a", TOKEN_KIND_IMAGE_NOJS, period_end - 10, tok, ans);
	assert_int_equal(check(f, "a", tok, ans, period_end + 100),
	                 CHALLENGE_OK);
	/* Two rotations later the key is unknown. */
	issue(f, "a", TOKEN_KIND_IMAGE_NOJS, period_end - 10, tok, ans);
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
	issue(f, "a", TOKEN_KIND_AUDIO_NOJS, time(NULL), tok, ans);
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
	issue(f, "a", TOKEN_KIND_IMAGE_NOJS, time(NULL), t1, a1);
	issue(f, "a", TOKEN_KIND_IMAGE_NOJS, time(NULL), t2, a2);
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
	char tok[TOKEN_MAX_TEXT + 1], ans[16], path[128];
	struct storage *st;
	struct writer *w;
	struct writer_task task;
	struct challenge *again;
	long now = time(NULL);

	(void)state;
	snprintf(path, sizeof(path), "%s/db", f->dir);
	st = check_storage_open(path);
	assert_non_null(st);
	w = writer_new(st, 10);
	challenge_task(f->c, &task);
	assert_int_equal(writer_add_task(w, &task), 0);
	assert_int_equal(writer_start(w), 0);
	issue(f, "a", TOKEN_KIND_IMAGE_NOJS, now, tok, ans);
	assert_int_equal(check(f, "a", tok, "WRONG", now + 3), CHALLENGE_WRONG);
	writer_stop(w); /* the task runs once more at stop */
	writer_free(w);
	/* A fresh service (a restarted daemon) loads the spent nonce. */
	again = challenge_new(f->cfg, &f->sec);
	assert_int_equal(challenge_load_spent(again, st, (time_t)now), 0);
	assert_int_equal(challenge_spent_count(again), 1);
	{
		struct challenge_answer a = {tok,         strlen(tok), ans,
		                             strlen(ans), NULL,        0};

		assert_int_equal(challenge_verify(again, f->site, "a", &a,
		                                  (time_t)(now + 4), NULL),
		                 CHALLENGE_USED);
	}
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
		issue(f, "a", TOKEN_KIND_IMAGE_NOJS, T0, tok, ans);
		assert_int_equal(check(f, "a", tok, ans, T0 + 5), CHALLENGE_OK);
	}
	/* Full of live entries: no new challenge, none forgotten. */
	assert_int_equal(challenge_issue(f->c, f->site, "a",
	                                 TOKEN_KIND_IMAGE_NOJS, 0, T0 + 6, tok,
	                                 sizeof(tok)),
	                 -2);
	assert_int_equal(challenge_spent_count(f->c), 1000);
	/* Once they expire, issuing resumes. */
	assert_int_equal(challenge_issue(f->c, f->site, "a",
	                                 TOKEN_KIND_IMAGE_NOJS, 0, T0 + 700,
	                                 tok, sizeof(tok)),
	                 0);
	fx_free(f);
}

/* --- proof of work (pow.h, ALTCHA v1) --- */

/* base64(JSON) of a solution, as the ALTCHA widget sends it. */
static void
payload_of(const char *alg, const char *challenge, long number,
           const char *salt, const char *signature, char *out, size_t outsz)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:I, s:s, s:s, s:i}", "algorithm", alg,
	              "challenge", challenge, "number", (json_int_t)number,
	              "salt", salt, "signature", signature, "took", 42);
	char *text = json_dumps(o, JSON_COMPACT);

	assert_non_null(text);
	assert_true(sodium_base64_ENCODED_LEN(
	                strlen(text), sodium_base64_VARIANT_ORIGINAL) <= outsz);
	sodium_bin2base64(out, outsz, (const unsigned char *)text, strlen(text),
	                  sodium_base64_VARIANT_ORIGINAL);
	free(text);
	json_decref(o);
}

/* Issues a token of kind with its puzzle (made at t_pow) and solves it. */
static void
issue_pow(struct fx *f, const char *article, enum token_kind kind, long t,
          long t_pow, char *tok, char *ans, struct pow_challenge *pc,
          char *payload, size_t psz)
{
	long n;

	issue(f, article, kind, t, tok, ans);
	assert_int_equal(challenge_pow(f->c, f->site, tok, "tin.example.vn",
	                               "comment", 2000, (time_t)t_pow, pc),
	                 0);
	n = pow_solve(pc);
	assert_true(n >= 0);
	payload_of("SHA-256", pc->challenge, n, pc->salt, pc->signature,
	           payload, psz);
}

static enum challenge_result
check_pow(struct fx *f, const char *article, const char *tok, const char *ans,
          const char *payload, long t, struct challenge_outcome *o)
{
	struct challenge_answer a;

	memset(&a, 0, sizeof(a));
	a.token = tok;
	a.tlen = tok != NULL ? strlen(tok) : 0;
	a.answer = ans;
	a.alen = ans != NULL ? strlen(ans) : 0;
	a.pow = payload;
	a.plen = payload != NULL ? strlen(payload) : 0;
	return challenge_verify(f->c, f->site, article, &a, (time_t)t, o);
}

static void
test_pow_round_trip(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], pl[POW_PAYLOAD_MAX + 1];
	struct pow_challenge pc;
	struct challenge_outcome o;

	(void)state;
	issue_pow(f, "a", TOKEN_KIND_IMAGE, T0, T0, tok, ans, &pc, pl,
	          sizeof(pl));
	/* The salt names the token, ends with '&' and carries the scope. */
	assert_memory_equal(pc.salt, tok, TOKEN_TEXT_LEN);
	assert_non_null(strstr(pc.salt, "&site=s&host=tin.example.vn"
	                                "&action=comment&maxnumber=2000&"));
	assert_int_equal(pc.salt[strlen(pc.salt) - 1], '&');
	/* The image needs both: without the proof, nothing is spent. */
	assert_int_equal(check_pow(f, "a", tok, ans, NULL, T0 + 5, NULL),
	                 CHALLENGE_POW_INVALID);
	assert_int_equal(check_pow(f, "a", tok, ans, pl, T0 + 5, &o),
	                 CHALLENGE_OK);
	assert_string_equal(o.host, "tin.example.vn");
	assert_string_equal(o.action, "comment");
	assert_int_equal(o.issued_at, (uint64_t)T0);
	/* One solution, one try: replayed with or without the field. */
	assert_int_equal(check_pow(f, "a", tok, ans, pl, T0 + 6, NULL),
	                 CHALLENGE_USED);
	assert_int_equal(check_pow(f, "a", NULL, ans, pl, T0 + 6, NULL),
	                 CHALLENGE_USED);
	fx_free(f);
}

static void
test_pow_wrong_forged_expired(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], pl[POW_PAYLOAD_MAX + 1];
	char sig[POW_HEX_LEN + 1];
	struct pow_challenge pc;
	long n;

	(void)state;
	issue_pow(f, "a", TOKEN_KIND_IMAGE, T0, T0, tok, ans, &pc, pl,
	          sizeof(pl));
	n = pow_solve(&pc);
	/* A wrong number: refused, and the token is not spent. */
	payload_of("SHA-256", pc.challenge, n == 0 ? 1 : n - 1, pc.salt,
	           pc.signature, pl, sizeof(pl));
	assert_int_equal(check_pow(f, "a", tok, ans, pl, T0 + 5, NULL),
	                 CHALLENGE_POW_INVALID);
	/* A forged signature (one hex digit changed). */
	snprintf(sig, sizeof(sig), "%s", pc.signature);
	sig[10] = sig[10] == '0' ? '1' : '0';
	payload_of("SHA-256", pc.challenge, n, pc.salt, sig, pl, sizeof(pl));
	assert_int_equal(check_pow(f, "a", tok, ans, pl, T0 + 5, NULL),
	                 CHALLENGE_POW_INVALID);
	/* A challenge of our own choosing cannot be signed by the client. */
	payload_of(
	    "SHA-256",
	    "0000000000000000000000000000000000000000000000000000000000000000",
	    n, pc.salt, pc.signature, pl, sizeof(pl));
	assert_int_equal(check_pow(f, "a", tok, ans, pl, T0 + 5, NULL),
	                 CHALLENGE_POW_INVALID);
	/* Still unspent: the honest payload passes. */
	payload_of("SHA-256", pc.challenge, n, pc.salt, pc.signature, pl,
	           sizeof(pl));
	assert_int_equal(check_pow(f, "a", tok, ans, pl, T0 + 5, NULL),
	                 CHALLENGE_OK);
	/* A puzzle that expires before its token (made 590 s earlier). */
	issue_pow(f, "a", TOKEN_KIND_IMAGE, T0, T0 - 590, tok, ans, &pc, pl,
	          sizeof(pl));
	assert_int_equal(check_pow(f, "a", tok, ans, pl, T0 + 20, NULL),
	                 CHALLENGE_EXPIRED);
	fx_free(f);
}

/*
 * CVE-2025-68113: SHA-256(salt || number) is the same when digits move
 * from the number to the end of the salt, so a verifier that reads
 * parameters from such a salt can be fed other values under a valid
 * signature.  Our salt must end with '&', so the move is refused.
 */
static void
test_pow_spliced_salt(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], pl[POW_PAYLOAD_MAX + 1];
	char salt[POW_SALT_MAX + 2], num[24];
	struct pow_challenge pc;
	struct pow_solution sol;
	long n;

	(void)state;
	do {
		issue_pow(f, "a", TOKEN_KIND_IMAGE, T0, T0, tok, ans, &pc, pl,
		          sizeof(pl));
		n = pow_solve(&pc);
	} while (n < 10);
	snprintf(num, sizeof(num), "%ld", n);
	snprintf(salt, sizeof(salt), "%s%c", pc.salt, num[0]);
	payload_of("SHA-256", pc.challenge, strtol(num + 1, NULL, 10), salt,
	           pc.signature, pl, sizeof(pl));
	assert_int_equal(pow_parse(pl, strlen(pl), &sol), -1);
	assert_int_equal(check_pow(f, "a", tok, ans, pl, T0 + 5, NULL),
	                 CHALLENGE_POW_INVALID);
	fx_free(f);
}

static void
test_pow_scope(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], pl[POW_PAYLOAD_MAX + 1];
	char tok2[TOKEN_MAX_TEXT + 1], ans2[16];
	struct pow_challenge pc;

	(void)state;
	issue_pow(f, "a", TOKEN_KIND_IMAGE, T0, T0, tok, ans, &pc, pl,
	          sizeof(pl));
	/* Another article than the token's. */
	assert_int_equal(check_pow(f, "b", tok, ans, pl, T0 + 5, NULL),
	                 CHALLENGE_INVALID);
	/* A proof made for another token than the one in the field. */
	issue(f, "a", TOKEN_KIND_IMAGE, T0, tok2, ans2);
	assert_int_equal(check_pow(f, "a", tok2, ans2, pl, T0 + 5, NULL),
	                 CHALLENGE_INVALID);
	/* The no-JS kinds need no proof; the others refuse to go without. */
	assert_int_equal(check_pow(f, "a", tok2, ans2, NULL, T0 + 5, NULL),
	                 CHALLENGE_POW_INVALID);
	fx_free(f);
}

/* captcha_mode = invisible: the proof alone. */
static void
test_pow_invisible_kind(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], pl[POW_PAYLOAD_MAX + 1];
	unsigned char *data = NULL;
	struct pow_challenge pc;
	size_t len;

	(void)state;
	issue_pow(f, "a", TOKEN_KIND_POW, T0, T0, tok, ans, &pc, pl,
	          sizeof(pl));
	assert_int_equal(check_pow(f, "a", tok, NULL, NULL, T0 + 5, NULL),
	                 CHALLENGE_POW_INVALID);
	/* No picture to see for a POW token. */
	assert_int_equal(
	    challenge_render(f->c, tok, strlen(tok), "png", &data, &len), -1);
	assert_int_equal(check_pow(f, "a", NULL, NULL, pl, T0 + 5, NULL),
	                 CHALLENGE_OK);
	assert_int_equal(check_pow(f, "a", NULL, NULL, pl, T0 + 6, NULL),
	                 CHALLENGE_USED);
	fx_free(f);
}

/* Malformed payloads are refused by the parser, before any hashing. */
static void
test_pow_parse_refuses(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], pl[POW_PAYLOAD_MAX + 1];
	char salt[POW_SALT_MAX + 1], big[POW_PAYLOAD_MAX + 2], upper[65];
	struct pow_challenge pc;
	struct pow_solution sol;
	char *p;
	long n;
	size_t i;

	(void)state;
	issue_pow(f, "a", TOKEN_KIND_IMAGE, T0, T0, tok, ans, &pc, pl,
	          sizeof(pl));
	n = pow_solve(&pc);
	assert_int_equal(pow_parse(pl, strlen(pl), &sol), 0);
	assert_int_equal(sol.number, (unsigned long)n);
	assert_int_equal(sol.maxnumber, 2000);
	/* Out of range: number above maxnumber, maxnumber out of bounds. */
	payload_of("SHA-256", pc.challenge, 2001, pc.salt, pc.signature, pl,
	           sizeof(pl));
	assert_int_equal(pow_parse(pl, strlen(pl), &sol), -1);
	snprintf(salt, sizeof(salt), "%s", pc.salt);
	p = strstr(salt, "maxnumber=2000&");
	assert_non_null(p);
	memcpy(p, "maxnumber=0999&", 15);
	payload_of("SHA-256", pc.challenge, 5, salt, pc.signature, pl,
	           sizeof(pl));
	assert_int_equal(pow_parse(pl, strlen(pl), &sol), -1);
	snprintf(p, sizeof(salt) - (size_t)(p - salt), "maxnumber=999&");
	payload_of("SHA-256", pc.challenge, 5, salt, pc.signature, pl,
	           sizeof(pl));
	assert_int_equal(pow_parse(pl, strlen(pl), &sol), -1);
	snprintf(p, sizeof(salt) - (size_t)(p - salt), "maxnumber=50000001&");
	payload_of("SHA-256", pc.challenge, 5, salt, pc.signature, pl,
	           sizeof(pl));
	assert_int_equal(pow_parse(pl, strlen(pl), &sol), -1);
	/* Another algorithm, upper-case or short hex, a negative number. */
	payload_of("SHA-512", pc.challenge, n, pc.salt, pc.signature, pl,
	           sizeof(pl));
	assert_int_equal(pow_parse(pl, strlen(pl), &sol), -1);
	for (i = 0; i < 64; i++)
		upper[i] = (char)(pc.challenge[i] >= 'a' ? pc.challenge[i] - 32
		                                         : pc.challenge[i]);
	upper[64] = '\0';
	payload_of("SHA-256", upper, n, pc.salt, pc.signature, pl, sizeof(pl));
	assert_int_equal(pow_parse(pl, strlen(pl), &sol), -1);
	payload_of("SHA-256", "abc", n, pc.salt, pc.signature, pl, sizeof(pl));
	assert_int_equal(pow_parse(pl, strlen(pl), &sol), -1);
	payload_of("SHA-256", pc.challenge, -1, pc.salt, pc.signature, pl,
	           sizeof(pl));
	assert_int_equal(pow_parse(pl, strlen(pl), &sol), -1);
	/* Not base64, not JSON, too long, empty. */
	assert_int_equal(pow_parse("!!!!", 4, &sol), -1);
	assert_int_equal(pow_parse("bm90IGpzb24=", 12, &sol), -1);
	memset(big, 'A', sizeof(big));
	assert_int_equal(pow_parse(big, sizeof(big), &sol), -1);
	assert_int_equal(pow_parse("", 0, &sol), -1);
	assert_int_equal(check_pow(f, "a", tok, ans, "!!!!", T0 + 5, NULL),
	                 CHALLENGE_POW_INVALID);
	fx_free(f);
}

/* text as a payload: base64 of it, padded. */
static void
b64_of(const char *text, char *out, size_t outsz)
{
	assert_true(sodium_base64_ENCODED_LEN(
	                strlen(text), sodium_base64_VARIANT_ORIGINAL) <= outsz);
	sodium_bin2base64(out, outsz, (const unsigned char *)text, strlen(text),
	                  sodium_base64_VARIANT_ORIGINAL);
}

/*
 * The compact text (what the widget sends) is read literally, anything
 * else by jansson: both readings give the same solution, and the
 * literal one accepts nothing but that one text.
 */
static void
test_pow_two_readings(void **state)
{
	struct fx *f = fx_new("");
	char tok[TOKEN_MAX_TEXT + 1], ans[16], pl[POW_PAYLOAD_MAX + 1];
	char compact[POW_PAYLOAD_MAX], text[POW_PAYLOAD_MAX],
	    esc[POW_SALT_MAX + 8];
	struct pow_challenge pc;
	struct pow_solution a, b;
	long n;
	size_t i, len;
	/* Changes to the compact text: its closing brace replaced by. */
	struct {
		const char *end;
		int ok; /* jansson accepts it */
	} other[] = {
	    {",\"took\":412}", 1}, /* the stock widget's extra member */
	    {"} ", 1},             /* trailing white space */
	    {"}x", 0},             /* trailing garbage */
	    {",\"number\":1}", 0}, /* a duplicate member */
	};

	(void)state;
	issue_pow(f, "a", TOKEN_KIND_IMAGE, T0, T0, tok, ans, &pc, pl,
	          sizeof(pl));
	n = pow_solve(&pc);
	/* issue_pow's payload has "took": jansson's alone. */
	assert_int_equal(pow_parse_how(pl, strlen(pl), &a, POW_READ_JSON), 0);
	assert_int_equal(pow_parse_how(pl, strlen(pl), &b, POW_READ_COMPACT),
	                 -1);
	assert_int_equal(a.number, (unsigned long)n);
	len =
	    (size_t)snprintf(compact, sizeof(compact),
	                     "{\"algorithm\":\"SHA-256\",\"challenge\":\"%s\","
	                     "\"number\":%ld,\"salt\":\"%s\",\"signature\":"
	                     "\"%s\"}",
	                     pc.challenge, n, pc.salt, pc.signature);
	b64_of(compact, pl, sizeof(pl));
	assert_int_equal(pow_parse_how(pl, strlen(pl), &b, POW_READ_COMPACT),
	                 0);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(pow_parse_how(pl, strlen(pl), &b, POW_READ_JSON), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		snprintf(text, sizeof(text), "%.*s%s", (int)len - 1, compact,
		         other[i].end);
		b64_of(text, pl, sizeof(pl));
		assert_int_equal(
		    pow_parse_how(pl, strlen(pl), &b, POW_READ_COMPACT), -1);
		assert_int_equal(pow_parse(pl, strlen(pl), &b),
		                 other[i].ok ? 0 : -1);
		if (other[i].ok)
			assert_memory_equal(&a, &b, sizeof(a));
	}
	/* Spaces between members, a leading zero. */
	snprintf(text, sizeof(text),
	         "{\"algorithm\": \"SHA-256\", \"challenge\": \"%s\", "
	         "\"number\": %ld, \"salt\": \"%s\", \"signature\": \"%s\"}",
	         pc.challenge, n, pc.salt, pc.signature);
	b64_of(text, pl, sizeof(pl));
	assert_int_equal(pow_parse_how(pl, strlen(pl), &b, POW_READ_COMPACT),
	                 -1);
	assert_int_equal(pow_parse(pl, strlen(pl), &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	snprintf(text, sizeof(text),
	         "{\"algorithm\":\"SHA-256\",\"challenge\":\"%s\","
	         "\"number\":0%ld,\"salt\":\"%s\",\"signature\":\"%s\"}",
	         pc.challenge, n, pc.salt, pc.signature);
	b64_of(text, pl, sizeof(pl));
	assert_int_equal(pow_parse(pl, strlen(pl), &b), -1);
	/* An escape in the salt ("\u0062" is 'b', the token's first
	 * byte): only jansson reads it, to the same salt. */
	assert_int_equal(pc.salt[0], 'b');
	snprintf(esc, sizeof(esc), "\\u0062%.*s", POW_SALT_MAX, pc.salt + 1);
	snprintf(text, sizeof(text),
	         "{\"algorithm\":\"SHA-256\",\"challenge\":\"%s\","
	         "\"number\":%ld,\"salt\":\"%s\",\"signature\":\"%s\"}",
	         pc.challenge, n, esc, pc.signature);
	b64_of(text, pl, sizeof(pl));
	assert_int_equal(pow_parse_how(pl, strlen(pl), &b, POW_READ_COMPACT),
	                 -1);
	assert_int_equal(pow_parse(pl, strlen(pl), &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	fx_free(f);
}

static void
test_pow_cost(void **state)
{
	struct fx *f = fx_new("");

	(void)state;
	assert_int_equal(f->site->pow_cost, DEFAULT_POW_COST);
	assert_int_equal(challenge_pow_cost(f->site, 0.0), DEFAULT_POW_COST);
	assert_int_equal(challenge_pow_cost(f->site, 0.99), DEFAULT_POW_COST);
	assert_int_equal(challenge_pow_cost(f->site, 1.0),
	                 2 * DEFAULT_POW_COST);
	assert_int_equal(challenge_pow_cost(f->site, 3.5),
	                 8 * DEFAULT_POW_COST);
	assert_int_equal(challenge_pow_cost(f->site, 1000.0),
	                 DEFAULT_POW_COST_MAX);
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
	    cmocka_unit_test(test_pow_round_trip),
	    cmocka_unit_test(test_pow_wrong_forged_expired),
	    cmocka_unit_test(test_pow_spliced_salt),
	    cmocka_unit_test(test_pow_scope),
	    cmocka_unit_test(test_pow_invisible_kind),
	    cmocka_unit_test(test_pow_parse_refuses),
	    cmocka_unit_test(test_pow_two_readings),
	    cmocka_unit_test(test_pow_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
