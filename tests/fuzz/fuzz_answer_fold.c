/*
 * fuzz_answer_fold: the typed-answer normalisers captcha_answer_fold()
 * (image) and audio_answer_fold() (digits), which see every answer a
 * client sends.
 *
 * Input: byte 0 picks the function (even: image, odd: audio), byte 1
 * the output size (0..255; the out buffer is a heap block of exactly that
 * size so that AddressSanitizer sees any write past it); the rest is the
 * answer, in a heap block of exactly its length.
 *
 * Properties: the result is -1 or 0..outsz-1; on -1 out is "" (when
 * outsz > 0); on success out is NUL-terminated at the result, holds only
 * alphabet symbols (image, at most CAPTCHA_ANSWER_MAX, input at most
 * CAPTCHA_FOLD_INPUT_MAX bytes) or ASCII digits (audio); folding the
 * folded output again gives it back (idempotence); and the result with a
 * small out buffer is the result with a roomy one when it fits, else -1.
 */
#include "audio.h"
#include "captcha.h"
#include "fuzz.h"

typedef int fold_fn(const char *in, size_t len, char *out, size_t outsz);

static int
symbol_ok(int image, char ch)
{
	if (!image)
		return ch >= '0' && ch <= '9';
	return ch != '\0' && strchr(captcha_alphabet, ch) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fold_fn *fold;
	char *in, *out = NULL, *big = NULL, *again = NULL;
	size_t outsz, len, bigsz, i;
	int image, r, rbig, r2;

	if (size < 2)
		return 0;
	image = (data[0] & 1) == 0;
	fold = image ? captcha_answer_fold : audio_answer_fold;
	outsz = data[1];
	len = size - 2;
	in = fuzz_dup(data + 2, len, 0);
	out = malloc(outsz);
	if (out == NULL && outsz > 0)
		abort();

	r = fold(in, len, out, outsz);
	FUZZ_CHECK(r >= -1);
	if (outsz == 0) {
		FUZZ_CHECK(r == -1);
		goto done;
	}
	if (r == -1) {
		FUZZ_CHECK(out[0] == '\0');
	} else {
		FUZZ_CHECK((size_t)r <= outsz - 1);
		FUZZ_CHECK(out[r] == '\0');
		FUZZ_CHECK(strlen(out) == (size_t)r);
		for (i = 0; i < (size_t)r; i++)
			FUZZ_CHECK(symbol_ok(image, out[i]));
		if (image) {
			FUZZ_CHECK(r <= CAPTCHA_ANSWER_MAX);
			FUZZ_CHECK(len <= CAPTCHA_FOLD_INPUT_MAX);
		}
		/* Idempotence: the canonical form folds to itself. */
		again = malloc(outsz);
		if (again == NULL)
			abort();
		r2 = fold(out, (size_t)r, again, outsz);
		FUZZ_CHECK(r2 == r);
		FUZZ_CHECK(strcmp(again, out) == 0);
	}

	/* Only the room in out may change the outcome. */
	bigsz = len + 1 > outsz ? len + 1 : outsz;
	if ((big = malloc(bigsz)) == NULL)
		abort();
	rbig = fold(in, len, big, bigsz);
	if (rbig >= 0 && (size_t)rbig <= outsz - 1) {
		FUZZ_CHECK(r == rbig);
		FUZZ_CHECK(strcmp(out, big) == 0);
	} else
		FUZZ_CHECK(r == -1);
done:
	free(again);
	free(big);
	free(out);
	free(in);
	return 0;
}
