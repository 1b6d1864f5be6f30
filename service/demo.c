/*
 * demo.c: parses the demo article. See demo.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "demo.h"
#include "log.h"

#define MAX_DEMO_BYTES      (1024 * 1024)
#define MAX_DEMO_PARAGRAPHS 200

static char *
dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int
is_date(const char *s, size_t n)
{
	/* DD/MM/YYYY */
	static const char shape[] = "00/00/0000";
	size_t i;

	if (n != 10)
		return 0;
	for (i = 0; i < n; i++)
		if (shape[i] == '0' ? (s[i] < '0' || s[i] > '9') : s[i] != '/')
			return 0;
	return 1;
}

/* Lines the daemon draws itself; not part of the article text. */
static int
dropped(const char *s, size_t n)
{
	static const char *prefixes[] = {"Lượt xem", "Góp ý của bạn đọc",
	                                 "CAPTCHA image",
	                                 "Enter the code shown above"};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (n >= strlen(prefixes[i]) &&
		    memcmp(s, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

struct app_demo *
demo_parse(const char *text, size_t len)
{
	struct app_demo *d = NULL;
	const char *p = text, *end = text + len, *nl;
	size_t n;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->paragraphs = calloc(MAX_DEMO_PARAGRAPHS, sizeof(char *));
	if (d->paragraphs == NULL)
		goto fail;
	/* Title line: strip "In trang" and the date at its end. */
	nl = memchr(p, '\n', (size_t)(end - p));
	n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
		n--;
	if (n >= 8 && memcmp(p + n - 8, "In trang", 8) == 0)
		n -= 8;
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n >= 10 && is_date(p + n - 10, 10)) {
		d->date = dup_n(p + n - 10, 10);
		n -= 10;
	} else
		d->date = dup_n("", 0);
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n == 0)
		goto fail;
	d->title = dup_n(p, n);
	if (d->title == NULL || d->date == NULL)
		goto fail;
	p = nl != NULL ? nl + 1 : end;
	while (p < end && d->nparagraphs < MAX_DEMO_PARAGRAPHS) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
			n--;
		if (n > 0 && !dropped(p, n)) {
			d->paragraphs[d->nparagraphs] = dup_n(p, n);
			if (d->paragraphs[d->nparagraphs] == NULL)
				goto fail;
			d->nparagraphs++;
		}
		p = nl != NULL ? nl + 1 : end;
	}
	return d;
fail:
	demo_free(d);
	return NULL;
}

struct app_demo *
demo_load(const char *path)
{
	struct app_demo *d = NULL;
	char *text = NULL;
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("demo: cannot open %s", path);
		return NULL;
	}
	if ((text = malloc(MAX_DEMO_BYTES)) == NULL)
		goto done;
	n = fread(text, 1, MAX_DEMO_BYTES, fp);
	if ((d = demo_parse(text, n)) == NULL)
		log_warnx("demo: %s has no title line", path);
done:
	free(text);
	fclose(fp);
	return d;
}

void
demo_free(struct app_demo *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nparagraphs; i++)
		free(d->paragraphs[i]);
	free(d->paragraphs);
	free(d->title);
	free(d->date);
	free(d);
}
