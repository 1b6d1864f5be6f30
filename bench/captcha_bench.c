/*
 * captcha_bench: the CAPTCHA service on one thread, as the daemon runs it:
 *   - issue (seal a token) + render + PNG encode: images per CPU second
 *     and PNG sizes;
 *   - verify (open, checks, spend, compare): microseconds per call.
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
	    (c = challenge_new(cfg, &sec)) == NULL) {
		fprintf(stderr, "captcha_bench: set-up failed\n");
		return 1;
	}
	site = config_site_find(cfg, "bench");
	tokens = calloc((size_t)n, sizeof(*tokens));
	answers = calloc((size_t)n, sizeof(*answers));
	if (tokens == NULL || answers == NULL)
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

	/* The answers, as a key holder learns them (untimed). */
	for (i = 0; i < n; i++)
		if (test_token_answer(path, tokens[i], answers[i],
		                      sizeof(answers[i])) != 0)
			return 1;
	t0 = cpu();
	for (i = 0; i < n; i++)
		ok += challenge_verify(c, site, "a1", tokens[i],
		                       strlen(tokens[i]), answers[i],
		                       strlen(answers[i]), now + 1,
		                       NULL) == CHALLENGE_OK;
	t1 = cpu();
	printf("verify: %ld calls (%ld ok) in %.3f s CPU = %.2f us per call\n",
	       n, ok, t1 - t0, (t1 - t0) * 1e6 / (double)n);
	challenge_free(c);
	captcha_shutdown();
	config_free(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run_cmd(cmd, out, sizeof(out));
	return ok == n ? 0 : 1;
}
