/*
 * fuzz_wav: audio_wav_parse(), the RIFF/WAVE reader of the voices.
 * Today it reads only the recordings embedded at build time, but it is
 * exported as a parser of untrusted bytes ("cannot crash on any input").
 *
 * Input: the file bytes, in a heap block of exactly that size.
 *
 * Properties: on success the samples lie inside the buffer (pcm +
 * 2 * nsamples <= end; every byte is read so that AddressSanitizer
 * would see one outside) and come after at least a RIFF/WAVE header, a
 * 16-byte fmt chunk and a data chunk header (44 bytes).
 */
#include "audio.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = fuzz_dup(data, size, 0);
	const unsigned char *buf = (const unsigned char *)copy;
	const unsigned char *pcm = NULL;
	size_t n = 0, i;
	volatile unsigned int sum = 0;

	if (audio_wav_parse(buf, size, &pcm, &n) == 0) {
		/* RIFF header, a fmt chunk of >= 16 bytes, a data header. */
		FUZZ_CHECK(pcm >= buf + AUDIO_WAV_HEADER_BYTES &&
		           pcm <= buf + size);
		FUZZ_CHECK(memcmp(buf, "RIFF", 4) == 0 &&
		           memcmp(buf + 8, "WAVE", 4) == 0);
		FUZZ_CHECK(n <= (size_t)(buf + size - pcm) / 2);
		for (i = 0; i < 2 * n; i++)
			sum += pcm[i];
	}
	(void)sum;
	free(copy);
	return 0;
}
