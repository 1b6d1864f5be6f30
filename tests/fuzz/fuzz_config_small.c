/*
 * fuzz_config_small: the small value parsers of config.c, which also
 * see values straight from the config file: config_origin_normalise()
 * (site origins, public_url), config_listen_parse() (listen) and
 * config_cidr_parse() (trusted_proxies).
 *
 * Input: byte 0 picks the parser (modulo 3); for the origin, byte 1 is
 * the output size (the out buffer is a heap block of exactly that size);
 * the rest is the value, a NUL-terminated heap copy.
 *
 * Properties: an origin that parses is a NUL-terminated string inside
 * out that starts with http:// or https://, has no upper-case letter,
 * no path, query or userinfo (config.h) nor any other byte that cannot
 * appear in an Origin header (space, control, quote, backslash, 8-bit),
 * and normalises to itself; a listen address that parses keeps its text
 * verbatim, has a family and a matching addrlen and parses again the
 * same; a CIDR that parses has a family and a prefix within it, and its
 * own address matches it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "config.h"
#include "fuzz.h"

static void
origin(const uint8_t *data, size_t size)
{
	char *s, *out, *host, again[MAX_ORIGIN_LEN + 512];
	size_t outsz, n, i;

	if (size < 1)
		return;
	outsz = data[0] + 1u;
	s = fuzz_dup(data + 1, size - 1, 1);
	if ((out = malloc(outsz)) == NULL)
		abort();
	if (config_origin_normalise(s, out, outsz) == 0) {
		FUZZ_CHECK(memchr(out, '\0', outsz) != NULL);
		n = strlen(out);
		FUZZ_CHECK(strncmp(out, "http://", 7) == 0 ||
		           strncmp(out, "https://", 8) == 0);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(out[i] < 'A' || out[i] > 'Z');
		/* config.h: no path, query or userinfo; and no byte a
		 * browser never puts in an Origin header. */
		host = strstr(out, "://") + 3;
		FUZZ_CHECK(strpbrk(host, "/?#@\\ \t\r\n\"'<>") == NULL);
		for (i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char)out[i] > 0x20 &&
			           (unsigned char)out[i] < 0x7f);
		FUZZ_CHECK(config_origin_normalise(out, again, sizeof(again)) ==
		           0);
		FUZZ_CHECK(strcmp(again, out) == 0);
	}
	free(out);
	free(s);
}

static void
listen_addr(const uint8_t *data, size_t size)
{
	struct config_listen l, l2;
	char *s = fuzz_dup(data, size, 1);

	if (config_listen_parse(s, &l) == 0) {
		FUZZ_CHECK(strcmp(l.text, s) == 0);
		FUZZ_CHECK((l.addr.ss_family == AF_INET &&
		            l.addrlen == sizeof(struct sockaddr_in)) ||
		           (l.addr.ss_family == AF_INET6 &&
		            l.addrlen == sizeof(struct sockaddr_in6)));
		FUZZ_CHECK(config_listen_parse(l.text, &l2) == 0);
		FUZZ_CHECK(l2.addrlen == l.addrlen &&
		           memcmp(&l2.addr, &l.addr, l.addrlen) == 0);
	}
	free(s);
}

static void
cidr(const uint8_t *data, size_t size)
{
	struct config_cidr c;
	char *s = fuzz_dup(data, size, 1);

	if (config_cidr_parse(s, &c) == 0) {
		FUZZ_CHECK((c.family == AF_INET && c.prefix <= 32) ||
		           (c.family == AF_INET6 && c.prefix <= 128));
		FUZZ_CHECK(config_cidr_match(&c, c.family, c.addr) == 1);
		FUZZ_CHECK(config_cidr_match(
		               &c, c.family == AF_INET ? AF_INET6 : AF_INET,
		               c.addr) == 0);
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		origin(data + 1, size - 1);
		break;
	case 1:
		listen_addr(data + 1, size - 1);
		break;
	default:
		cidr(data + 1, size - 1);
		break;
	}
	return 0;
}
