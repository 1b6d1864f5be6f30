/*
 * fuzz.h: what every libFuzzer target of bandoc shares.
 *
 * The targets drive the daemon's parsers only through their public
 * headers. A property that does not hold calls FUZZ_CHECK(), which prints
 * the broken condition and aborts, so libFuzzer records the input as a
 * crash. assert() is not used: the default build type defines NDEBUG.
 */
#ifndef BANDOC_FUZZ_H
#define BANDOC_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

/* libFuzzer's entry points; declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: property failed: %s\n",        \
			        __FILE__, __LINE__, #cond);                    \
			abort();                                               \
		}                                                              \
	} while (0)

/*
 * For a harness function that reads every byte of an output to check
 * it: libFuzzer would instrument each of its comparisons (a callback
 * per byte, and coverage from the harness instead of the code under
 * test). Clang 13 and later.
 */
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))

/*
 * The token key the targets and token_seed.c use for every key id,
 * so that fuzzed tokens get past base64 into the AEAD open and the
 * checks after it; fuzz_auth also uses it as the master key it derives
 * its keys from. Test-only: the daemon's keys come from its secrets
 * file.
 */
static const unsigned char fuzz_token_key[TOKEN_KEY_BYTES] = {
    'b', 'a', 'n', 'd', 'o', 'c', '-', 'f', 'u', 'z', 'z',
    '-', 't', 'e', 's', 't', '-', 'k', 'e', 'y', '-', '0',
    '0', '0', '0', '0', '0', '0', '0', '0', '0', '1'};

/*
 * Copies size bytes of data into a fresh heap block of exactly size
 * bytes, plus a NUL when nul is set, so that AddressSanitizer catches a
 * read one byte past what the parser was given (libFuzzer's own buffer
 * is exact too, but parsers that want a C string need the copy anyway).
 * Returns the block (caller frees; NULL is possible only for an empty
 * input without nul); aborts when out of memory, since a
 * fuzz run has nothing sensible to do then.
 */
static inline char *
fuzz_dup(const uint8_t *data, size_t size, int nul)
{
	size_t n = size + (nul ? 1 : 0);
	char *p = malloc(n);

	/* malloc(0) may give NULL; the parsers then see (NULL, 0). */
	if (p == NULL && n > 0)
		abort();
	if (size > 0)
		memcpy(p, data, size);
	if (nul)
		p[size] = '\0';
	return p;
}

#endif
