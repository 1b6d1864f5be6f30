/*
 * threshold: binarises a CAPTCHA image the way a generic solver would, for
 * tests/ocr/ocr-check.sh.  Grey levels, Otsu's threshold, dark pixels
 * become black and the rest white; the result is scaled up by an integer
 * factor (tesseract prefers big glyphs) and gets a white border.
 *
 *   threshold IN.png OUT.png [FACTOR]     FACTOR 1..4, default 1
 *
 * Build: gcc -std=c11 -O2 tests/ocr/threshold.c -lgd -o threshold
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gd.h>

#define BORDER 10

static int
grey(gdImagePtr im, int x, int y)
{
	int c = gdImageGetTrueColorPixel(im, x, y);

	/* Rec. 601 luma, integer. */
	return (299 * gdTrueColorGetRed(c) + 587 * gdTrueColorGetGreen(c) +
	        114 * gdTrueColorGetBlue(c)) /
	       1000;
}

/* Otsu: the level that maximises the between-class variance. */
static int
otsu(const unsigned long hist[256], unsigned long total)
{
	double sum = 0.0, sumb = 0.0, best = -1.0;
	unsigned long wb = 0;
	int i, level = 128;

	for (i = 0; i < 256; i++)
		sum += (double)i * (double)hist[i];
	for (i = 0; i < 256; i++) {
		unsigned long wf;
		double mb, mf, between;

		wb += hist[i];
		if (wb == 0)
			continue;
		wf = total - wb;
		if (wf == 0)
			break;
		sumb += (double)i * (double)hist[i];
		mb = sumb / (double)wb;
		mf = (sum - sumb) / (double)wf;
		between = (double)wb * (double)wf * (mb - mf) * (mb - mf);
		if (between > best) {
			best = between;
			level = i;
		}
	}
	return level;
}

int
main(int argc, char *argv[])
{
	unsigned long hist[256];
	gdImagePtr in = NULL, out = NULL;
	FILE *fp = NULL;
	long factor = 1;
	int x, y, level, black, ret = 1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: threshold IN.png OUT.png [FACTOR]\n");
		return 2;
	}
	if (argc == 4) {
		char *end;

		factor = strtol(argv[3], &end, 10);
		if (*end != '\0' || factor < 1 || factor > 4) {
			fprintf(stderr, "threshold: FACTOR must be 1..4\n");
			return 2;
		}
	}
	if ((fp = fopen(argv[1], "rb")) == NULL) {
		perror(argv[1]);
		goto done;
	}
	in = gdImageCreateFromPng(fp);
	(void)fclose(fp);
	fp = NULL;
	if (in == NULL) {
		fprintf(stderr, "threshold: %s: not a PNG\n", argv[1]);
		goto done;
	}
	memset(hist, 0, sizeof(hist));
	for (y = 0; y < gdImageSY(in); y++)
		for (x = 0; x < gdImageSX(in); x++)
			hist[grey(in, x, y)]++;
	level = otsu(hist, (unsigned long)gdImageSX(in) *
	                       (unsigned long)gdImageSY(in));

	out = gdImageCreate(gdImageSX(in) * (int)factor + 2 * BORDER,
	                    gdImageSY(in) * (int)factor + 2 * BORDER);
	if (out == NULL)
		goto done;
	/* Index 0, the first colour allocated, is the background. */
	(void)gdImageColorAllocate(out, 255, 255, 255);
	black = gdImageColorAllocate(out, 0, 0, 0);
	for (y = 0; y < gdImageSY(in); y++)
		for (x = 0; x < gdImageSX(in); x++)
			if (grey(in, x, y) <= level)
				gdImageFilledRectangle(
				    out, BORDER + x * (int)factor,
				    BORDER + y * (int)factor,
				    BORDER + (x + 1) * (int)factor - 1,
				    BORDER + (y + 1) * (int)factor - 1, black);
	if ((fp = fopen(argv[2], "wb")) == NULL) {
		perror(argv[2]);
		goto done;
	}
	gdImagePng(out, fp);
	if (fclose(fp) != 0) {
		fp = NULL;
		perror(argv[2]);
		goto done;
	}
	fp = NULL;
	ret = 0;
done:
	if (fp != NULL)
		(void)fclose(fp);
	if (out != NULL)
		gdImageDestroy(out);
	if (in != NULL)
		gdImageDestroy(in);
	return ret;
}
