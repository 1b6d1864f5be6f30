/*
 * embedgen.c: the build-time tool that turns the files of the repository
 * that go into the binary into one C source providing embed_find() and
 * embed_list() (include/embed.h). CMake builds it for the build machine
 * and runs it whenever one of the files (or the tool) changes:
 *
 *   bandoc-embedgen OUT.c ROOT FILE...
 *
 * FILEs are paths relative to ROOT; without their leading "service/"
 * they become the embedded names. The steps, in the order they run:
 *
 * 1. load():     read every file, sort by name.
 * 2. resolve():  per file, depth first through its references: rewrite
 *                the quoted '/static/NAME' literals of web/ scripts and
 *                styles to the hashed names of the files they name (so
 *                those are resolved first), then hash the result
 *                (BLAKE2b-128, libsodium) and gzip it (zlib, level 9).
 * 3. emit():     write OUT.c.tmp and rename it over OUT.c.
 *
 * embed.h says what each step guarantees. Any error stops the build with
 * a message naming the file: the tool exits 1 and writes no output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zlib.h>

#include "embed.h"

/* The largest file embedded today is a voice of 20 KB; 16 MiB is a
 * mistake (a file added to the wrong folder). */
#define MAX_FILE   (16 * 1024 * 1024)
#define HASH_BYTES (EMBED_HASH_HEX / 2)

struct file {
	char *name;          /* embedded name, e.g. "web/embed.js" */
	char *path;          /* ROOT/FILE */
	unsigned char *data; /* as embedded (after rewriting) */
	size_t len;
	unsigned char *gz; /* NULL when not compressed */
	size_t gz_len;
	char hash[EMBED_HASH_HEX + 1];
	char *hashed; /* "web/embed.0123456789ab.js" */
	int state;    /* 0 not yet, 1 being resolved, 2 done */
};

static struct file *files;
static size_t nfiles;

static void die(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("bandoc-embedgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
xmalloc(size_t n)
{
	void *p = malloc(n > 0 ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
is_web(const struct file *f)
{
	return strncmp(f->name, "web/", 4) == 0;
}

/* Scripts and styles whose '/static/NAME' literals are rewritten. */
static int
is_rewritten(const struct file *f)
{
	return is_web(f) &&
	       (ends_with(f->name, ".js") || ends_with(f->name, ".css") ||
	        ends_with(f->name, ".html"));
}

/* Text that gzip shrinks; pictures and sounds are compressed already. */
static int
is_compressed(const struct file *f)
{
	static const char *ext[] = {".js",  ".css",  ".html",
	                            ".svg", ".json", ".txt"};
	size_t i;

	for (i = 0; is_web(f) && i < sizeof(ext) / sizeof(ext[0]); i++)
		if (ends_with(f->name, ext[i]))
			return 1;
	return 0;
}

static void
read_file(struct file *f)
{
	FILE *fp;
	size_t got;

	if ((fp = fopen(f->path, "rb")) == NULL)
		die("%s: %s", f->path, strerror(errno));
	/* One byte more than the cap tells a file that is too large. */
	f->data = xmalloc(MAX_FILE + 1);
	f->len = 0;
	while ((got = fread(f->data + f->len, 1, MAX_FILE + 1 - f->len, fp)) >
	       0)
		f->len += got;
	if (ferror(fp))
		die("%s: read error", f->path);
	if (f->len > MAX_FILE)
		die("%s: larger than %d bytes", f->path, MAX_FILE);
	fclose(fp);
}

/* Characters of a file name after /static/ (api_demo_static takes no
 * '/' and nothing that starts with '.'). */
static int
name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct file *)a)->name,
	              ((const struct file *)b)->name);
}

static void
load(const char *root, int argc, char **argv)
{
	size_t i, n;

	nfiles = (size_t)argc;
	files = calloc(nfiles > 0 ? nfiles : 1, sizeof(*files));
	if (files == NULL)
		die("out of memory");
	for (i = 0; i < nfiles; i++) {
		const char *rel = argv[i];

		if (strncmp(rel, "service/", 8) == 0)
			rel += 8;
		files[i].name = xstrdup(rel);
		for (n = 0; rel[n] != '\0'; n++)
			if (!name_char((unsigned char)rel[n]) && rel[n] != '/')
				die("%s: only letters, digits and ._-/ may "
				    "name an embedded file",
				    argv[i]);
		n = strlen(root) + strlen(argv[i]) + 2;
		files[i].path = xmalloc(n);
		snprintf(files[i].path, n, "%s/%s", root, argv[i]);
		read_file(&files[i]);
	}
	qsort(files, nfiles, sizeof(*files), by_name);
	for (i = 1; i < nfiles; i++)
		if (strcmp(files[i - 1].name, files[i].name) == 0)
			die("%s: named twice", files[i].name);
}

static struct file *
find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < nfiles; i++)
		if (strncmp(files[i].name, name, len) == 0 &&
		    files[i].name[len] == '\0')
			return &files[i];
	return NULL;
}

static void resolve(struct file *f);

/* Step 1 for one file: its '/static/NAME' literals, rewritten. */
static void
rewrite(struct file *f)
{
	static const char prefix[] = "/static/";
	const size_t plen = sizeof(prefix) - 1;
	unsigned char *out;
	size_t cap = f->len, n = 0, i = 0, hl, need;

	/* Until a literal is rewritten, n + (f->len - i) <= cap. */
	out = xmalloc(cap);
	while (i < f->len) {
		size_t start, end;
		struct file *ref;
		char name[4 + 256];

		if (!(i > 0 &&
		      (f->data[i - 1] == '\'' || f->data[i - 1] == '"') &&
		      f->len - i > plen &&
		      memcmp(f->data + i, prefix, plen) == 0)) {
			out[n++] = f->data[i++];
			continue;
		}
		start = i + plen;
		for (end = start; end < f->len && name_char(f->data[end]);
		     end++)
			;
		if (end == start || end >= f->len ||
		    f->data[end] != f->data[i - 1] || end - start > 255) {
			out[n++] = f->data[i++];
			continue;
		}
		memcpy(name, "web/", 4);
		memcpy(name + 4, f->data + start, end - start);
		name[4 + end - start] = '\0';
		if ((ref = find(name, strlen(name))) == NULL)
			die("%s: '/static/%s' names no embedded file", f->name,
			    name + 4);
		if (ref == f) {
			out[n++] = f->data[i++];
			continue;
		}
		resolve(ref);
		hl = strlen(ref->hashed + 4);
		/* Room for the rest of the input after this, too. */
		if ((need = n + plen + hl + (f->len - end)) > cap) {
			cap = 2 * need;
			if ((out = realloc(out, cap)) == NULL)
				die("out of memory");
		}
		memcpy(out + n, prefix, plen);
		memcpy(out + n + plen, ref->hashed + 4, hl);
		n += plen + hl;
		i = end;
	}
	free(f->data);
	f->data = out;
	f->len = n;
}

/* "dir/stem.HASH.ext" from "dir/stem.ext" ("dir/name.HASH" without an
 * extension). */
static void
name_hashed(struct file *f)
{
	const char *base = strrchr(f->name, '/'), *dot;
	size_t n = strlen(f->name) + 1 + EMBED_URL_HASH_HEX + 1, stem;

	base = base != NULL ? base + 1 : f->name;
	dot = strrchr(base, '.');
	stem = dot != NULL && dot != base ? (size_t)(dot - f->name)
	                                  : strlen(f->name);
	f->hashed = xmalloc(n);
	snprintf(f->hashed, n, "%.*s.%.*s%s", (int)stem, f->name,
	         EMBED_URL_HASH_HEX, f->hash, f->name + stem);
}

/* gzip -9 of the file into f->gz, kept only when it is smaller. */
static void
gzip_file(struct file *f)
{
	z_stream z;
	uLong bound;
	int rc;

	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip wrapper (its header has no name and
	 * a zero time, so the output depends only on the input). */
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		die("%s: deflateInit2 failed", f->name);
	bound = deflateBound(&z, (uLong)f->len);
	f->gz = xmalloc(bound);
	z.next_in = f->data;
	z.avail_in = (uInt)f->len;
	z.next_out = f->gz;
	z.avail_out = (uInt)bound;
	if ((rc = deflate(&z, Z_FINISH)) != Z_STREAM_END)
		die("%s: deflate: %d", f->name, rc);
	f->gz_len = (size_t)z.total_out;
	deflateEnd(&z);
	if (f->gz_len >= f->len) {
		free(f->gz);
		f->gz = NULL;
		f->gz_len = 0;
	}
}

/* Step 2 for one file, after the files it names. */
static void
resolve(struct file *f)
{
	unsigned char h[HASH_BYTES];

	if (f->state == 2)
		return;
	if (f->state == 1)
		die("%s: its '/static/' references form a cycle", f->name);
	f->state = 1;
	if (is_rewritten(f))
		rewrite(f);
	crypto_generichash(h, sizeof(h), f->data, f->len, NULL, 0);
	sodium_bin2hex(f->hash, sizeof(f->hash), h, sizeof(h));
	name_hashed(f);
	if (is_compressed(f))
		gzip_file(f);
	f->state = 2;
}

static void
emit_bytes(FILE *fp, const char *var, size_t i, const unsigned char *p,
           size_t n, int nul)
{
	size_t k;

	fprintf(fp, "static const unsigned char %s%zu[] = {", var, i);
	for (k = 0; k < n; k++)
		fprintf(fp, "%s0x%02x,", k % 16 == 0 ? "\n" : "", p[k]);
	/* The raw bytes end in a NUL that len does not count, so that a
	 * migration is also a C string. */
	fprintf(fp, "%s};\n", nul ? "0x00" : "");
}

static void
emit(const char *out)
{
	size_t i, n = strlen(out) + 5;
	char *tmp = xmalloc(n);
	FILE *fp;

	snprintf(tmp, n, "%s.tmp", out);
	if ((fp = fopen(tmp, "w")) == NULL)
		die("%s: %s", tmp, strerror(errno));
	fputs("/* Generated by cmake/embedgen.c; do not edit. */\n"
	      "#include <string.h>\n#include \"embed.h\"\n",
	      fp);
	for (i = 0; i < nfiles; i++) {
		emit_bytes(fp, "e", i, files[i].data, files[i].len, 1);
		if (files[i].gz != NULL)
			emit_bytes(fp, "z", i, files[i].gz, files[i].gz_len, 0);
	}
	fputs("\nstatic const struct embed_file files[] = {\n", fp);
	for (i = 0; i < nfiles; i++) {
		const struct file *f = &files[i];
		char z[32];

		if (f->gz != NULL)
			snprintf(z, sizeof(z), "z%zu", i);
		else
			snprintf(z, sizeof(z), "NULL");
		fprintf(
		    fp,
		    "\t{\"%s\", e%zu, %zu, %s, %zu, \"%s\", \"\\\"%s\\\"\", ",
		    f->name, i, f->len, z, f->gz_len, f->hash, f->hash);
		if (f->gz != NULL)
			fprintf(fp, "\"\\\"%s-gzip\\\"\", ", f->hash);
		else
			fputs("NULL, ", fp);
		fprintf(fp, "\"%s\"},\n", f->hashed);
	}
	fputs("\t{NULL, NULL, 0, NULL, 0, NULL, NULL, NULL, NULL}\n};\n\n"
	      "const struct embed_file *\nembed_find(const char *name)\n{\n"
	      "\tconst struct embed_file *f;\n\n"
	      "\tfor (f = files; f->name != NULL; f++)\n"
	      "\t\tif (strcmp(f->name, name) == 0)\n\t\t\treturn f;\n"
	      "\treturn NULL;\n}\n\n"
	      "const struct embed_file *\nembed_list(void)\n{\n"
	      "\treturn files;\n}\n",
	      fp);
	if (ferror(fp) || fclose(fp) != 0)
		die("%s: write error", tmp);
	if (rename(tmp, out) != 0)
		die("%s: %s", out, strerror(errno));
	free(tmp);
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 3)
		die("usage: bandoc-embedgen OUT.c ROOT FILE...");
	if (sodium_init() < 0)
		die("sodium_init failed");
	load(argv[2], argc - 3, argv + 3);
	for (i = 0; i < nfiles; i++)
		resolve(&files[i]);
	emit(argv[1]);
	for (i = 0; i < nfiles; i++) {
		free(files[i].name);
		free(files[i].path);
		free(files[i].data);
		free(files[i].gz);
		free(files[i].hashed);
	}
	free(files);
	return 0;
}
