/*
 * captcha_render_bench: renders CAPTCHA images on one thread and reports
 * the speed of render + PNG encode and the PNG sizes; or writes a sample
 * set for tests/ocr/ocr-check.sh.
 *
 *   captcha_render_bench [-s SCALE] [N]       time N renders (default 5000)
 *   captcha_render_bench --sample DIR N [-s SCALE]
 *                                             write DIR/NNNN.png and
 *                                             DIR/answers.tsv
 *
 * Fonts come from $BANDOC_FONTS_DIR (default "fonts").  Answers and seeds
 * are drawn before the clock starts, so only rendering is timed; the
 * rate is per second of CPU time of this single thread.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime() */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>

#include <sodium.h>

#include "captcha.h"

#define BENCH_N_MAX 10000000L

struct job {
	char answer[CAPTCHA_ANSWER_MAX + 1];
	unsigned char seed[CAPTCHA_SEED_BYTES];
};

static void
usage(void)
{
	fprintf(stderr,
	        "usage: captcha_render_bench [-s 1|2] [N]\n"
	        "       captcha_render_bench --sample DIR N [-s 1|2]\n");
	exit(2);
}

/* Parses a count in 1..BENCH_N_MAX; returns -1 if s is not one. */
static long
parse_count(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 1 || v > BENCH_N_MAX)
		return -1;
	return v;
}

static double
now(clockid_t clock)
{
	struct timespec ts;

	(void)clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
write_sample(const char *dir, long n, int scale)
{
	char path[4096];
	FILE *tsv = NULL, *fp = NULL;
	unsigned char *png = NULL;
	size_t len;
	long i;
	int k, ret = -1;
	struct job j;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		perror(dir);
		goto done;
	}
	k = snprintf(path, sizeof(path), "%s/answers.tsv", dir);
	if (k < 0 || (size_t)k >= sizeof(path))
		goto done;
	if ((tsv = fopen(path, "w")) == NULL) {
		perror(path);
		goto done;
	}
	for (i = 0; i < n; i++) {
		captcha_answer_new(j.answer);
		randombytes_buf(j.seed, sizeof(j.seed));
		if (captcha_render_png(j.answer, j.seed, scale, &png, &len) ==
		    -1) {
			fprintf(stderr, "render failed\n");
			goto done;
		}
		k = snprintf(path, sizeof(path), "%s/%04ld.png", dir, i);
		if (k < 0 || (size_t)k >= sizeof(path))
			goto done;
		if ((fp = fopen(path, "wb")) == NULL ||
		    fwrite(png, 1, len, fp) != len || fclose(fp) != 0) {
			fp = NULL;
			perror(path);
			goto done;
		}
		fp = NULL;
		free(png);
		png = NULL;
		fprintf(tsv, "%04ld.png\t%s\n", i, j.answer);
	}
	if (fclose(tsv) != 0) {
		tsv = NULL;
		goto done;
	}
	tsv = NULL;
	ret = 0;
done:
	free(png);
	if (fp != NULL)
		(void)fclose(fp);
	if (tsv != NULL)
		(void)fclose(tsv);
	return ret;
}

static int
bench(long n, int scale)
{
	struct job *jobs = NULL;
	unsigned char *png;
	size_t len, max = 0;
	double total = 0.0, t0, t1, c0, c1;
	long i;
	int ret = -1;

	if ((jobs = calloc((size_t)n, sizeof(*jobs))) == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		captcha_answer_new(jobs[i].answer);
		randombytes_buf(jobs[i].seed, sizeof(jobs[i].seed));
	}
	t0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++) {
		if (captcha_render_png(jobs[i].answer, jobs[i].seed, scale,
		                       &png, &len) == -1) {
			fprintf(stderr, "render failed\n");
			goto done;
		}
		total += (double)len;
		if (len > max)
			max = len;
		free(png);
	}
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	t1 = now(CLOCK_MONOTONIC);
	/*
	 * CPU time is the fairer figure on a shared machine: the program
	 * is single-threaded, so it is the time of one core.
	 */
	printf("scale %d: %ld images, %.3f s CPU (%.3f s wall): "
	       "%.0f images/s per core, PNG mean %.0f bytes, max %zu bytes\n",
	       scale, n, c1 - c0, t1 - t0, (double)n / (c1 - c0),
	       total / (double)n, max);
	ret = 0;
done:
	free(jobs);
	return ret;
}

int
main(int argc, char *argv[])
{
	const char *fonts = getenv("BANDOC_FONTS_DIR");
	const char *dir = NULL;
	long n = 5000;
	int i, scale = 1, ret = 1;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc) {
			scale = argv[i + 1][0] - '0';
			if ((scale != 1 && scale != 2) ||
			    argv[i + 1][1] != '\0')
				usage();
			i++;
		} else if (strcmp(argv[i], "--sample") == 0 && i + 2 < argc) {
			dir = argv[i + 1];
			if ((n = parse_count(argv[i + 2])) < 0)
				usage();
			i += 2;
		} else if ((n = parse_count(argv[i])) < 0)
			usage();
	}
	if (fonts == NULL || fonts[0] == '\0')
		fonts = "fonts";
	if (captcha_init(fonts) == -1) {
		fprintf(stderr, "captcha_init: %s\n", captcha_strerror());
		goto done;
	}
	if (dir != NULL ? write_sample(dir, n, scale) : bench(n, scale))
		goto done;
	ret = 0;
done:
	captcha_shutdown();
	return ret;
}
