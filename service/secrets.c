/*
 * secrets.c: the secrets file. Format: INI-like lines "name = hex"; only
 * "master" is defined today. Written once with O_EXCL, mode 0600.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bandoc_limits.h"
#include "log.h"
#include "secrets.h"

static int
create(const char *path, struct secrets *s)
{
	char hex[SECRETS_KEY_BYTES * 2 + 1], text[256];
	int fd, n, ret = -1;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1) {
		log_warn("secrets: cannot create %s", path);
		return -1;
	}
	crypto_kdf_keygen(s->master);
	sodium_bin2hex(hex, sizeof(hex), s->master, sizeof(s->master));
	n = snprintf(
	    text, sizeof(text),
	    "# bandoc server keys. Keep this file private (mode 0600).\n"
	    "# Losing it invalidates CAPTCHA challenges and sessions.\n"
	    "master = %s\n",
	    hex);
	if (n > 0 && write(fd, text, (size_t)n) == n && fsync(fd) == 0)
		ret = 0;
	else
		log_warn("secrets: cannot write %s", path);
	sodium_memzero(hex, sizeof(hex));
	sodium_memzero(text, sizeof(text));
	close(fd);
	if (ret != 0)
		unlink(path);
	else
		log_info("secrets: created %s", path);
	return ret;
}

int
secrets_load(struct secrets *s, const char *path)
{
	char buf[MAX_SECRETS_BYTES + 1];
	const char *p;
	struct stat sb;
	ssize_t n;
	size_t binlen;
	int fd = -1, ret = -1;

	memset(s, 0, sizeof(*s));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		if (create(path, s) != 0)
			return -1;
		s->loaded = 1;
		return 0;
	}
	if (fd == -1) {
		log_warn("secrets: cannot open %s", path);
		return -1;
	}
	if (fstat(fd, &sb) != 0 || (sb.st_mode & 077) != 0) {
		log_warnx("secrets: %s must not be readable by group or others "
		          "(chmod 600)",
		          path);
		goto done;
	}
	n = read(fd, buf, MAX_SECRETS_BYTES);
	if (n <= 0) {
		log_warnx("secrets: %s is empty or unreadable", path);
		goto done;
	}
	buf[n] = '\0';
	/* Find the line that starts with "master = ". */
	for (p = buf; p != NULL && strncmp(p, "master = ", 9) != 0;) {
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	if (p == NULL ||
	    sodium_hex2bin(s->master, sizeof(s->master), p + 9,
	                   SECRETS_KEY_BYTES * 2, NULL, &binlen, NULL) != 0 ||
	    binlen != SECRETS_KEY_BYTES) {
		log_warnx("secrets: %s has no valid master key", path);
		goto done;
	}
	s->loaded = 1;
	ret = 0;
done:
	sodium_memzero(buf, sizeof(buf));
	if (fd != -1)
		close(fd);
	return ret;
}

int
secrets_derive(const struct secrets *s, const char ctx[8], uint64_t id,
               unsigned char *out, size_t len)
{
	if (!s->loaded || len < crypto_kdf_BYTES_MIN ||
	    len > crypto_kdf_BYTES_MAX)
		return -1;
	return crypto_kdf_derive_from_key(out, len, id, ctx, s->master);
}

void
secrets_wipe(struct secrets *s)
{
	if (s != NULL)
		sodium_memzero(s, sizeof(*s));
}
