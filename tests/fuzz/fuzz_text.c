/*
 * fuzz_text: the reader-text functions of text.h, which see every
 * comment body, name and e-mail address a client posts:
 * text_normalize(), text_fold(), text_has_word(), text_count_links()
 * and text_email_ok().
 *
 * Input: byte 0: bit 0 multiline, bits 1-7 the length k of the "word"
 * (the last k bytes of the text); the rest is the text, in a heap block
 * of exactly its size.
 *
 * Properties, from text.h: normalisation fails only on invalid UTF-8
 * (a NUL counts as invalid); its result is valid UTF-8 in NFC, *nchars
 * is its number of code points, it holds no C0/C1 control but '\n'
 * (none at all when not multiline), no bidirectional override, isolate
 * or BOM, no blank at either end, no line that starts or ends with a
 * space, at most one blank line in a row; and normalising it again
 * gives it back (idempotence). Folding normalised text cannot fail and
 * leaves no ASCII upper case and no "đ". A word found by text_has_word()
 * is a substring; a non-empty word is found in itself. text_email_ok()
 * accepts only 3..254 bytes with exactly one '@' and no space or
 * control. text_email_key() gives at most MAX_EMAIL_BYTES bytes with no
 * ASCII upper case and no blank at either end, and is idempotent (the
 * key of a key is itself).
 */
#include <utf8proc.h>

#include "fuzz.h"
#include "text.h"

/* The properties of text_email_key() on s (any bytes up to a NUL). */
FUZZ_NO_COVERAGE static void
check_email_key(const char *s)
{
	char *k = text_email_key(s), *k2;
	size_t n, i;

	if (k == NULL)
		return;
	n = strlen(k);
	FUZZ_CHECK(n <= MAX_EMAIL_BYTES);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(k[i] < 'A' || k[i] > 'Z');
	FUZZ_CHECK(n == 0 || (k[0] != ' ' && k[n - 1] != ' '));
	k2 = text_email_key(k);
	FUZZ_CHECK(k2 != NULL && strcmp(k, k2) == 0);
	free(k2);
	free(k);
}

/* Counts the code points of valid UTF-8 s, or returns -1. */
FUZZ_NO_COVERAGE static long
count_utf8(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(s), i = 0, k;
	utf8proc_int32_t c;
	long n = 0;

	while (i < len) {
		k = utf8proc_iterate(p + i, len - i, &c);
		if (k <= 0)
			return -1;
		i += k;
		n++;
	}
	return n;
}

/*
 * Checks normalised text in one pass over its code points. The harness
 * used strstr() and strchr() for the pairs and runs: under ASan each of
 * those measures the whole string again, which cost a tenth of the run.
 * ' ' and '\n' are single bytes that never occur inside a UTF-8
 * sequence, so comparing neighbouring code points finds the same pairs.
 */
FUZZ_NO_COVERAGE static void
check_normalized(const char *out, size_t nchars, int multiline)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)out;
	utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(out), i = 0, k;
	utf8proc_int32_t c, prev = 0, prev2 = 0;
	utf8proc_uint8_t *nfc;
	size_t n = 0;

	while (i < len) {
		k = utf8proc_iterate(p + i, len - i, &c);
		FUZZ_CHECK(k > 0);
		FUZZ_CHECK(c == '\n' ||
		           utf8proc_category(c) != UTF8PROC_CATEGORY_CC);
		FUZZ_CHECK(!(c >= 0x202a && c <= 0x202e) &&
		           !(c >= 0x2066 && c <= 0x2069) && c != 0xfeff &&
		           c != 0x200e && c != 0x200f);
		FUZZ_CHECK(multiline || c != '\n');
		/* No " \n", no "\n ", no "\n\n\n". */
		FUZZ_CHECK(!(prev == ' ' && c == '\n'));
		FUZZ_CHECK(!(prev == '\n' && c == ' '));
		FUZZ_CHECK(!(prev2 == '\n' && prev == '\n' && c == '\n'));
		prev2 = prev;
		prev = c;
		i += k;
		n++;
	}
	FUZZ_CHECK(n == nchars);
	if (len > 0) {
		FUZZ_CHECK(out[0] != ' ' && out[0] != '\n');
		FUZZ_CHECK(out[len - 1] != ' ' && out[len - 1] != '\n');
	}
	/* text.h: NFC. */
	nfc = utf8proc_NFC((const utf8proc_uint8_t *)out);
	FUZZ_CHECK(nfc != NULL);
	FUZZ_CHECK(strcmp((const char *)nfc, out) == 0);
	free(nfc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *out = NULL, *again = NULL, *folded = NULL, *w = NULL;
	char *wfold = NULL, *raw = NULL, *words, *again2;
	size_t len, n, n2, wn, wlen, i;
	int multiline;
	enum text_result r;

	if (size < 1)
		return 0;
	multiline = data[0] & 1;
	wlen = (size_t)(data[0] >> 1);
	len = size - 1;
	in = fuzz_dup(data + 1, len, 0);

	r = text_normalize(in, len, multiline, &out, &n);
	FUZZ_CHECK(r == TEXT_OK || r == TEXT_INVALID_UTF8);
	if (r != TEXT_OK) {
		FUZZ_CHECK(out == NULL);
		goto done;
	}
	FUZZ_CHECK(memchr(in != NULL ? in : "", '\0', len) == NULL);
	check_normalized(out, n, multiline);
	FUZZ_CHECK(text_normalize(out, strlen(out), multiline, &again, &n2) ==
	           TEXT_OK);
	FUZZ_CHECK(strcmp(again, out) == 0 && n2 == n);

	folded = text_fold(out);
	FUZZ_CHECK(folded != NULL);
	FUZZ_CHECK(count_utf8(folded) >= 0);
	/* No ASCII capital and no "đ" (c4 91), in one pass. */
	for (i = 0; folded[i] != '\0'; i++) {
		FUZZ_CHECK(folded[i] < 'A' || folded[i] > 'Z');
		FUZZ_CHECK(!(folded[i] == '\xc4' && folded[i + 1] == '\x91'));
	}

	/* The word-filter folding: never longer, no run of two spaces, no
	 * ASCII punctuation, and idempotent. */
	words = text_fold_words(out);
	FUZZ_CHECK(words != NULL && strlen(words) <= strlen(folded));
	FUZZ_CHECK(strstr(words, "  ") == NULL);
	for (i = 0; words[i] != '\0'; i++)
		FUZZ_CHECK(!((words[i] >= '!' && words[i] <= '/') ||
		             (words[i] >= ':' && words[i] <= '@')));
	again2 = text_fold_words(words);
	FUZZ_CHECK(again2 != NULL && strcmp(again2, words) == 0);
	free(again2);
	free(words);

	/* The word: the last wlen bytes of the text, made a phrase. */
	if (wlen > len)
		wlen = len;
	if (text_normalize(in + len - wlen, wlen, 0, &w, &wn) == TEXT_OK &&
	    (wfold = text_fold(w)) != NULL) {
		if (text_has_word(folded, wfold))
			FUZZ_CHECK(strstr(folded, wfold) != NULL);
		if (wfold[0] != '\0')
			FUZZ_CHECK(text_has_word(wfold, wfold) == 1);
	}

done:
	/* The C-string checks, on the raw bytes (up to a NUL). */
	raw = fuzz_dup(data + 1, len, 1);
	FUZZ_CHECK(text_count_links(raw) >= 0);
	check_email_key(raw);
	if (text_email_ok(raw)) {
		n = strlen(raw);
		FUZZ_CHECK(n >= 3 && n <= 254);
		FUZZ_CHECK(strchr(raw, '@') != NULL &&
		           strchr(raw, '@') == strrchr(raw, '@'));
		for (i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char)raw[i] > 0x20 &&
			           (unsigned char)raw[i] != 0x7f);
	}
	free(raw);
	free(wfold);
	free(w);
	free(folded);
	free(again);
	free(out);
	free(in);
	return 0;
}
