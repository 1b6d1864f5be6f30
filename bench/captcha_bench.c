/*
 * captcha_bench: the CAPTCHA service on one thread, as the daemon runs it:
 *   - issue (seal a token) + render + PNG encode: images per CPU second
 *     and PNG sizes;
 *   - verify (open, checks, spend, compare): microseconds per call;
 *   - proof of work: making a puzzle, parsing + checking a solution (the
 *     part of verify that is new), and the attacker's native solve rate
 *     (SHA-256 tries per second on this core).
 *
 *   captcha_bench [N]      (default 5000; fonts from $BANDOC_FONTS_DIR)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "captcha.h"
#include "challenge.h"
#include "config.h"
#include "harness.h"
#include "pow.h"
#include "secrets.h"
#include "token.h"

static double
cpu(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 5000, i;
	const char *fonts = getenv("BANDOC_FONTS_DIR");
	char dir[] = "/tmp/bandoc-bench-XXXXXX", path[128], cmd[160], out[16];
	struct config *cfg;
	struct secrets sec;
	struct challenge *c;
	const struct config_site *site;
	char(*tokens)[TOKEN_MAX_TEXT + 1], (*answers)[16];
	char(*payloads)[POW_PAYLOAD_MAX + 1];
	struct pow_challenge pc;
	struct pow_solution sol;
	unsigned char raw[POW_KEY_BYTES];
	struct pow_key key;
	long number, tries = 0;
	unsigned char *png;
	size_t len, total = 0, maxlen = 0;
	double t0, t1;
	time_t now = time(NULL);
	long ok = 0;

	if (n < 1 || n > 1000000 || sodium_init() < 0 || mkdtemp(dir) == NULL)
		return 2;
	/* As bandocd serve does (see malloc_tune in service/main.c). */
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 2 * 1024 * 1024);
	cfg = config_load_string("[server]\ncaptcha_spent_max = 2000000\n"
	                         "[site.bench]\ncaptcha_min_solve = 0\n",
	                         NULL, NULL);
	snprintf(path, sizeof(path), "%s/secrets", dir);
	if (cfg == NULL || secrets_load(&sec, path) != 0 ||
	    captcha_init(fonts != NULL ? fonts : "fonts") != 0 ||
	    (c = challenge_new(cfg, &sec)) == NULL ||
	    secrets_derive(&sec, "altcha__", 0, raw, sizeof(raw)) != 0) {
		fprintf(stderr, "captcha_bench: set-up failed\n");
		return 1;
	}
	pow_key_init(&key, raw);
	sodium_memzero(raw, sizeof(raw));
	site = config_site_find(cfg, "bench");
	tokens = calloc((size_t)n, sizeof(*tokens));
	answers = calloc((size_t)n, sizeof(*answers));
	payloads = calloc((size_t)n, sizeof(*payloads));
	if (tokens == NULL || answers == NULL || payloads == NULL)
		return 1;

	t0 = cpu();
	for (i = 0; i < n; i++) {
		if (challenge_issue(c, site, "a1", TOKEN_KIND_IMAGE, 0, now,
		                    tokens[i], sizeof(tokens[i])) != 0 ||
		    challenge_render(c, tokens[i], strlen(tokens[i]), "png",
		                     &png, &len) != 0)
			return 1;
		total += len;
		if (len > maxlen)
			maxlen = len;
		free(png);
	}
	t1 = cpu();
	printf("issue+render+png: %ld images in %.3f s CPU = %.0f images/s on "
	       "one core; PNG mean %zu bytes, max %zu\n",
	       n, t1 - t0, (double)n / (t1 - t0), total / (size_t)n, maxlen);

	/* Puzzles for the tokens: timed, as the daemon makes them. */
	t0 = cpu();
	for (i = 0; i < n; i++)
		if (challenge_pow(c, site, tokens[i], "tin.example.vn", NULL,
		                  POW_MAXNUMBER_MIN, now, &pc) != 0)
			return 1;
	t1 = cpu();
	printf("pow puzzle: %.2f us per challenge\n",
	       (t1 - t0) * 1e6 / (double)n);
	/* The answers and solutions, as a key holder and a client would
	 * (untimed). */
	for (i = 0; i < n; i++)
		if (test_token_answer(path, tokens[i], answers[i],
		                      sizeof(answers[i])) != 0 ||
		    challenge_pow(c, site, tokens[i], "tin.example.vn", NULL,
		                  POW_MAXNUMBER_MIN, now, &pc) != 0 ||
		    (number = pow_solve(&pc)) < 0 ||
		    test_pow_payload(&pc, number, payloads[i],
		                     sizeof(payloads[i])) != 0)
			return 1;
	/* The proof alone: parse + signature + hash, the <= 5 us target. */
	t0 = cpu();
	for (i = 0; i < n; i++)
		ok += pow_parse(payloads[i], strlen(payloads[i]), &sol) == 0 &&
		      pow_check(&key, &sol, (long long)now) == POW_OK;
	t1 = cpu();
	printf("pow verify (parse + HMAC + SHA-256): %ld calls in %.3f s CPU "
	       "= %.2f us per call\n",
	       n, t1 - t0, (t1 - t0) * 1e6 / (double)n);
	/* Every payload is a right answer: the timing is of the full path,
	 * both hashes, not of an early refusal. */
	if (ok != n) {
		fprintf(stderr, "captcha_bench: %ld of %ld proofs passed\n", ok,
		        n);
		return 1;
	}
	t0 = cpu();
	for (i = 0; i < n; i++)
		ok += pow_parse(payloads[i], strlen(payloads[i]), &sol) == 0;
	t1 = cpu();
	printf("  of which parse (base64, JSON, fields, salt): %.2f us\n",
	       (t1 - t0) * 1e6 / (double)n);
	t0 = cpu();
	for (i = 0; i < n; i++)
		ok += pow_parse_how(payloads[i], strlen(payloads[i]), &sol,
		                    POW_READ_JSON) == 0;
	t1 = cpu();
	printf("  parse with jansson alone (any other JSON text): %.2f us\n",
	       (t1 - t0) * 1e6 / (double)n);
	ok = 0;
	t0 = cpu();
	for (i = 0; i < n; i++) {
		struct challenge_answer a = {tokens[i],   strlen(tokens[i]),
		                             answers[i],  strlen(answers[i]),
		                             payloads[i], strlen(payloads[i])};

		ok += challenge_verify(c, site, "a1", &a, now + 1, NULL) ==
		      CHALLENGE_OK;
	}
	t1 = cpu();
	printf("verify: %ld calls (%ld ok) in %.3f s CPU = %.2f us per call "
	       "(token, proof of work, spend, answer)\n",
	       n, ok, t1 - t0, (t1 - t0) * 1e6 / (double)n);
	/* The attacker's side: native solving, one core. */
	t0 = cpu();
	while (cpu() - t0 < 1.0) {
		if (challenge_pow(c, site, tokens[0], "tin.example.vn", NULL,
		                  POW_MAXNUMBER_MAX, now, &pc) != 0 ||
		    (number = pow_solve(&pc)) < 0)
			return 1;
		tries += number + 1;
	}
	t1 = cpu();
	printf("pow solve (native C, one core): %.2f M SHA-256 tries/s\n",
	       (double)tries / (t1 - t0) / 1e6);
	free(payloads);
	challenge_free(c);
	captcha_shutdown();
	config_free(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run_cmd(cmd, out, sizeof(out));
	return ok == n ? 0 : 1;
}
