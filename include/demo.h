#ifndef BANDOC_DEMO_H
#define BANDOC_DEMO_H

/*
 * demo: the demo article page served at "/" by ./dev.sh run, built from
 * a plain-text article (the seed article of a Vietnamese provincial
 * portal): first line "TITLE DD/MM/YYYY In trang", then paragraphs
 * separated by blank lines. Lines that stand for what bandoc itself
 * draws (the view counter, the comment form, the CAPTCHA) are dropped.
 */

#include <stddef.h>

struct app_demo;

/* Parses text (len bytes, UTF-8). Returns NULL when it has no title. */
struct app_demo *demo_parse(const char *text, size_t len);
/* Reads and parses a file of at most 1 MiB. NULL on error (logged). */
struct app_demo *demo_load(const char *path);
void demo_free(struct app_demo *d);

#endif
