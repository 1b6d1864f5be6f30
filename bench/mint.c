/*
 * bench_mint SECRETS_FILE SITE ARTICLE N: prints N "token answer pow"
 * lines, CAPTCHA challenges for (SITE, ARTICLE) sealed with the keys of
 * the daemon's secrets file, their answers, as the key holder learns
 * them, and their proofs of work (at the smallest difficulty, solved
 * here; percent-encoded ALTCHA payloads), so that the daemon's full
 * verification runs on every post.
 * For the comment benchmark only: the daemon itself has no such door.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "challenge.h"
#include "config.h"
#include "harness.h"
#include "pow.h"
#include "secrets.h"
#include "token.h"

int
main(int argc, char **argv)
{
	char conf[256], token[TOKEN_MAX_TEXT + 1], answer[16];
	char payload[POW_PAYLOAD_MAX + 1], *esc;
	struct pow_challenge pc;
	long number;
	struct secrets sec;
	struct config *cfg;
	struct challenge *c;
	long n, i;

	if (argc != 5 || (n = strtol(argv[4], NULL, 10)) < 1 || n > 10000000) {
		fprintf(stderr, "usage: bench_mint SECRETS SITE ARTICLE N\n");
		return 2;
	}
	/* A key line: inih only sees sections that have one. */
	snprintf(conf, sizeof(conf), "[site.%s]\nlang = vi\n", argv[2]);
	if (sodium_init() < 0 ||
	    (cfg = config_load_string(conf, NULL, NULL)) == NULL ||
	    secrets_load(&sec, argv[1]) != 0 ||
	    (c = challenge_new(cfg, &sec)) == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		if (challenge_issue(c, &cfg->sites[0], argv[3],
		                    TOKEN_KIND_IMAGE, 0, time(NULL), token,
		                    sizeof(token)) != 0 ||
		    test_token_answer(argv[1], token, answer, sizeof(answer)) !=
		        0 ||
		    challenge_pow(c, &cfg->sites[0], token, "127.0.0.1", NULL,
		                  POW_MAXNUMBER_MIN, time(NULL), &pc) != 0 ||
		    (number = pow_solve(&pc)) < 0 ||
		    test_pow_payload(&pc, number, payload, sizeof(payload)) !=
		        0 ||
		    (esc = curl_easy_escape(NULL, payload, 0)) == NULL)
			return 1;
		printf("%s %s %s\n", token, answer, esc);
		curl_free(esc);
	}
	challenge_free(c);
	config_free(cfg);
	return 0;
}
