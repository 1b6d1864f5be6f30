/*
 * bandoc-test-answer SECRETS_FILE TOKEN: prints the answer sealed in a
 * CAPTCHA token, using the key derived from the daemon's secrets file.
 * For tests and benchmarks only (the browser tests and the comment
 * benchmark use it); it holds the key the way an operator does, the
 * daemon itself has no such door.
 */
#include <sodium.h>
#include <stdio.h>

#include "harness.h"

int
main(int argc, char **argv)
{
	char answer[16];

	if (argc != 3) {
		fprintf(stderr,
		        "usage: bandoc-test-answer SECRETS_FILE TOKEN\n");
		return 2;
	}
	if (sodium_init() < 0 ||
	    test_token_answer(argv[1], argv[2], answer, sizeof(answer)) != 0) {
		fprintf(stderr,
		        "bandoc-test-answer: the token does not open\n");
		return 1;
	}
	printf("%s\n", answer);
	return 0;
}
