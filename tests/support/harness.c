/*
 * harness.c: see harness.h.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "harness.h"
#include "pow.h"
#include "secrets.h"
#include "token.h"

int
daemon_config(struct daemon *d, const char *server_extra, const char *sections)
{
	char tmpl[] = "/tmp/bandoc-test-XXXXXX";
	FILE *fp;

	memset(d, 0, sizeof(*d));
	d->pid = -1;
	if (mkdtemp(tmpl) == NULL)
		return -1;
	snprintf(d->dir, sizeof(d->dir), "%s", tmpl);
	snprintf(d->config, sizeof(d->config), "%s/bandoc.conf", d->dir);
	if ((fp = fopen(d->config, "w")) == NULL)
		return -1;
	fprintf(fp,
	        "[server]\nlisten = 127.0.0.1:0\ndata_dir = %s/var\n"
	        "fonts_dir = %s/fonts\nthreads = 2\n%s\n%s\n",
	        d->dir, BANDOC_SOURCE_DIR, server_extra ? server_extra : "",
	        sections ? sections : "");
	return fclose(fp) == 0 ? 0 : -1;
}

int
daemon_start(struct daemon *d)
{
	char ready[300], buf[128];
	int i;

	snprintf(ready, sizeof(ready), "%s/ready", d->dir);
	unlink(ready);
	d->pid = fork();
	if (d->pid == -1)
		return -1;
	if (d->pid == 0) {
		if (d->log[0] != '\0') {
			int fd =
			    open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);

			if (fd == -1 || dup2(fd, STDERR_FILENO) == -1)
				_exit(126);
		}
		execl(BANDOCD_PATH, "bandocd", "serve", "-c", d->config,
		      "--ready-file", ready, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 1000; i++) {
		FILE *fp = fopen(ready, "r");
		int status;

		if (fp != NULL) {
			char *colon;

			if (fgets(buf, sizeof(buf), fp) != NULL &&
			    (colon = strrchr(buf, ':')) != NULL) {
				d->port = (unsigned short)strtoul(colon + 1,
				                                  NULL, 10);
				fclose(fp);
				snprintf(d->base, sizeof(d->base),
				         "http://127.0.0.1:%u", d->port);
				return 0;
			}
			fclose(fp);
		}
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = -1;
			return -1;
		}
		usleep(10000);
	}
	return -1;
}

int
daemon_stop(struct daemon *d, int sig)
{
	int status = 0;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, sig);
	if (waitpid(d->pid, &status, 0) != d->pid)
		return -1;
	d->pid = -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

/*
 * SIGTERM, then up to 30 s for the exit: LeakSanitizer only reports at
 * an exit, and a daemon that hangs on the way out is a failure too.
 */
static int
stop_clean(struct daemon *d)
{
	int status, i;

	kill(d->pid, SIGTERM);
	for (i = 0; i < 3000; i++) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			d->pid = -1;
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			return 128 + WTERMSIG(status);
		}
		usleep(10000);
	}
	fprintf(stderr,
	        "harness: bandocd %d did not exit within 30 s of "
	        "SIGTERM\n",
	        (int)d->pid);
	daemon_stop(d, SIGKILL);
	return -1;
}

int
daemon_launch(struct daemon *d, const char *server_extra, const char *sections)
{
	if (daemon_config(d, server_extra, sections) != 0)
		return -1;
	return daemon_start(d);
}

static int cleanup_failures;

int
harness_exit(int cmocka_failures)
{
	return cmocka_failures != 0 || cleanup_failures != 0;
}

int
daemon_cleanup(struct daemon *d)
{
	char cmd[300];
	int ret = 0;

	if (d->pid > 0 && (ret = stop_clean(d)) != 0) {
		cleanup_failures++;
		fprintf(stderr,
		        "harness: bandocd exited with %d on SIGTERM "
		        "(a sanitizer report is above)\n",
		        ret);
	}
	if (d->dir[0] != '\0' &&
	    strncmp(d->dir, "/tmp/bandoc-test-", 17) == 0) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
		(void)!system(cmd);
	}
	return ret;
}

int
harness_teardown(void **state)
{
	return daemon_cleanup(*state) == 0 ? 0 : -1;
}

struct grow {
	char *p;
	size_t len;
};

static size_t
grow_cb(char *data, size_t size, size_t n, void *arg)
{
	struct grow *g = arg;
	size_t add = size * n;
	char *np = realloc(g->p, g->len + add + 1);

	if (np == NULL)
		return 0;
	memcpy(np + g->len, data, add);
	g->len += add;
	np[g->len] = '\0';
	g->p = np;
	return add;
}

int
http_do(const struct daemon *d, const char *method, const char *path,
        const char *content_type, const char *body, const char *const *headers,
        struct reply *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *hl = NULL;
	struct grow b = {NULL, 0}, h = {NULL, 0};
	char url[2048], ct[256];
	CURLcode rc;

	memset(r, 0, sizeof(*r));
	if (c == NULL)
		return -1;
	snprintf(url, sizeof(url), "%s%s", d->base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	if (content_type != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
		hl = curl_slist_append(hl, ct);
	}
	hl = curl_slist_append(hl, "Expect:");
	for (; headers != NULL && *headers != NULL; headers++)
		hl = curl_slist_append(hl, *headers);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, grow_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, grow_cb);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	r->body = b.p != NULL ? b.p : calloc(1, 1);
	r->len = b.len;
	r->headers = h.p != NULL ? h.p : calloc(1, 1);
	return rc == CURLE_OK ? 0 : -1;
}

void
reply_free(struct reply *r)
{
	free(r->body);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}

int
http_json(const struct daemon *d, const char *method, const char *path,
          const char *content_type, const char *body,
          const char *const *headers, long *status, json_t **out)
{
	struct reply r;
	int ret;

	ret = http_do(d, method, path, content_type, body, headers, &r);
	*status = r.status;
	if (out != NULL)
		*out = ret == 0 ? json_loads(r.body, 0, NULL) : NULL;
	reply_free(&r);
	return ret;
}

int
reply_header(const struct reply *r, const char *name, char *out, size_t outsz)
{
	const char *p = r->headers;
	size_t n = strlen(name);

	while (p != NULL && *p != '\0') {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			size_t len;

			while (*v == ' ')
				v++;
			len = strcspn(v, "\r\n");
			if (len >= outsz)
				len = outsz - 1;
			memcpy(out, v, len);
			out[len] = '\0';
			return 0;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

int
raw_connect_from(unsigned short port, int host)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(0x7f000000u | (unsigned int)host);
	if (host != 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto fail;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

int
raw_connect(unsigned short port)
{
	return raw_connect_from(port, 0);
}

long
raw_exchange(unsigned short port, const char *data, size_t len, char *out,
             size_t outsz, int timeout_ms)
{
	int fd = raw_connect(port);
	size_t got = 0;
	struct pollfd pfd;

	if (fd == -1)
		return -1;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	while (got < outsz - 1 && poll(&pfd, 1, timeout_ms) == 1) {
		ssize_t n = read(fd, out + got, outsz - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	out[got] = '\0';
	close(fd);
	return (long)got;
}

int
run_cmd(const char *cmd, char *out, size_t outsz)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	if (p == NULL)
		return -1;
	n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int
test_sql(const struct daemon *d, const char *query, char *out, size_t outsz)
{
	char cmd[4096];
	int n;

	n = snprintf(
	    cmd, sizeof(cmd),
	    "sqlite3 -cmd '.timeout 5000' %s/var/bandoc.db \"%s\" 2>&1", d->dir,
	    query);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return run_cmd(cmd, out, outsz);
}

struct key_ctx {
	struct secrets s;
};

static int
test_key(void *arg, uint32_t key_id, unsigned char key[TOKEN_KEY_BYTES])
{
	struct key_ctx *k = arg;

	return secrets_derive(&k->s, "captcha_", key_id, key, TOKEN_KEY_BYTES);
}

int
test_token_answer(const char *secrets_path, const char *token, char *answer,
                  size_t answersz)
{
	struct key_ctx k;
	struct token_claims c;
	int ret = -1;

	if (secrets_load(&k.s, secrets_path) != 0)
		return -1;
	if (token_open(token, strlen(token), test_key, &k, &c) == 0 &&
	    strlen(c.answer) < answersz) {
		memcpy(answer, c.answer, strlen(c.answer) + 1);
		ret = 0;
	}
	secrets_wipe(&k.s);
	return ret;
}

int
test_daemon_answer(const struct daemon *d, const char *token, char *answer,
                   size_t answersz)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/var/secrets", d->dir);
	return test_token_answer(path, token, answer, answersz);
}

int
test_pow_payload(const struct pow_challenge *pc, long number, char *out,
                 size_t outsz)
{
	json_t *o;
	char *text;
	int ret = -1;

	o = json_pack("{s:s, s:s, s:I, s:s, s:s}", "algorithm", "SHA-256",
	              "challenge", pc->challenge, "number", (json_int_t)number,
	              "salt", pc->salt, "signature", pc->signature);
	if (o == NULL || (text = json_dumps(o, JSON_COMPACT)) == NULL)
		goto done;
	if (sodium_base64_ENCODED_LEN(
	        strlen(text), sodium_base64_VARIANT_ORIGINAL) <= outsz) {
		sodium_bin2base64(out, outsz, (const unsigned char *)text,
		                  strlen(text), sodium_base64_VARIANT_ORIGINAL);
		ret = 0;
	}
	free(text);
done:
	json_decref(o);
	return ret;
}

int
test_pow_from_json(const char *body, struct pow_challenge *pc)
{
	json_t *root = json_loads(body, 0, NULL), *p;
	const char *salt, *ch, *sig;
	json_int_t max;
	int ret = -1;

	p = json_object_get(root, "pow");
	if (p == NULL)
		p = root; /* a bare ALTCHA challenge */
	if (json_unpack(p, "{s:s, s:s, s:I, s:s}", "salt", &salt, "challenge",
	                &ch, "maxnumber", &max, "signature", &sig) != 0 ||
	    strlen(salt) > POW_SALT_MAX || strlen(ch) != POW_HEX_LEN ||
	    strlen(sig) != POW_HEX_LEN || max < 0)
		goto done;
	snprintf(pc->salt, sizeof(pc->salt), "%s", salt);
	snprintf(pc->challenge, sizeof(pc->challenge), "%s", ch);
	snprintf(pc->signature, sizeof(pc->signature), "%s", sig);
	pc->maxnumber = (unsigned long)max;
	ret = 0;
done:
	json_decref(root);
	return ret;
}

/* Percent-encodes the base64 payload for a form body (+ / =). */
static void
form_escape(const char *in, char *out, size_t outsz)
{
	size_t o = 0;

	for (; *in != '\0' && o + 4 < outsz; in++) {
		if (*in == '+' || *in == '/' || *in == '=')
			o += (size_t)snprintf(out + o, outsz - o, "%%%02X",
			                      (unsigned char)*in);
		else
			out[o++] = *in;
	}
	out[o] = '\0';
}

int
test_captcha(const struct daemon *d, const char *site, const char *article,
             char *token, size_t tokensz, char *answer, size_t answersz,
             char *pow, size_t powsz)
{
	char body[512], payload[POW_PAYLOAD_MAX + 1];
	struct pow_challenge pc;
	const char *t, *e;
	struct reply r;
	long n;
	int ret = -1;

	snprintf(body, sizeof(body), "site=%s&article=%s", site, article);
	if (http_do(d, "POST", "/api/v1/captcha",
	            "application/x-www-form-urlencoded", body, NULL, &r) != 0 ||
	    r.status != 201)
		goto done;
	/* {"token":"b1....", ...}: the token has no quote or backslash. */
	if ((t = strstr(r.body, "\"token\":\"")) == NULL ||
	    (e = strchr(t + 9, '"')) == NULL || (size_t)(e - t - 9) >= tokensz)
		goto done;
	memcpy(token, t + 9, (size_t)(e - t - 9));
	token[e - t - 9] = '\0';
	/* The work a browser does, here in C. */
	if (test_pow_from_json(r.body, &pc) != 0 || (n = pow_solve(&pc)) < 0 ||
	    test_pow_payload(&pc, n, payload, sizeof(payload)) != 0)
		goto done;
	form_escape(payload, pow, powsz);
	ret = test_daemon_answer(d, token, answer, answersz);
done:
	reply_free(&r);
	return ret;
}

int
test_captcha_fields(const struct daemon *d, const char *site,
                    const char *article, char *out, size_t outsz)
{
	char token[256], ans[16], pow[2 * POW_PAYLOAD_MAX];
	int n;

	if (test_captcha(d, site, article, token, sizeof(token), ans,
	                 sizeof(ans), pow, sizeof(pow)) != 0)
		return -1;
	n = snprintf(out, outsz, "captcha_token=%s&captcha_answer=%s&altcha=%s",
	             token, ans, pow);
	return n >= 0 && (size_t)n < outsz ? 0 : -1;
}

const char *
test_error_code(const json_t *j)
{
	return json_string_value(
	    json_object_get(json_object_get(j, "error"), "code"));
}
