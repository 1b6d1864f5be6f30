/*
 * soak: no request ever stalls (docs/benchmarks.md, "Soak"; ctest soak,
 * label soak, run by ./dev.sh soak, not by every CI run).
 *
 * Starts the real bandocd (tests/support/harness.c) and sends
 * SOAK_REQUESTS requests (default 2,000,000) over SOAK_CONNS kept-alive
 * connections (default 64), one thread each, all behind a trusted proxy
 * with a random client address per request. The mix, per round:
 *  - a comment as the widget sends it: POST /api/v1/captcha, its proof
 *    of work solved and its answer learnt from the daemon's secrets
 *    file (the test-side key holder), POST /api/v1/comments (suspended
 *    for the writer) -> 202;
 *  - a comment as the no-JS page sends it: GET /embed/comments (the
 *    page mints its CAPTCHA on the HTTP thread), POST /embed/comments
 *    (suspended) -> 303, then the redirect followed on the same
 *    connection, as a browser does -> 200;
 *  - a wrong login (an Argon2 hash on a worker, suspended) -> 401, in
 *    0.02 % of rounds: moderators log in rarely, and each costs a worker
 *    about 0.1-0.3 s of CPU here;
 *  - views counted (POST /api/v1/views), comment lists, CAPTCHA issues
 *    and renders (PNG), view reads and /healthz.
 * Every request goes out in 1-4 segments cut at random points, a third
 * of them with pauses of up to 2 ms between the segments, so that the
 * daemon meets its requests in every partial state.
 *
 * The client threads run at nice SOAK_NICE (10), below the daemon.
 *
 * Fails when a single reply took 1 s or more (SOAK_SLOW_MS), when one
 * never came (SOAK_WAIT_MS, 20 s: longer than the 15 s connection
 * timeout), when a reply is not the status its request gets, or when
 * the daemon does not exit cleanly on SIGTERM. No request is ever sent
 * twice. Prints the latency histogram and the counts of each kind.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "harness.h"
#include "pow.h"

#define REPLY_MAX (512 * 1024)
#define NARTICLES 40

enum kind {
	K_CAPTCHA, /* POST /api/v1/captcha */
	K_COMMENT, /* POST /api/v1/comments */
	K_PAGE,    /* GET /embed/comments */
	K_NOJS,    /* POST /embed/comments */
	K_LOGIN,   /* POST /admin/login, wrong password */
	K_VIEW,    /* POST /api/v1/views */
	K_LIST,    /* GET /api/v1/comments */
	K_IMAGE,   /* GET /api/v1/captcha/TOKEN.png */
	K_VREAD,   /* GET /api/v1/views */
	K_HEALTH,  /* GET /healthz */
	NKINDS
};

static const char *const kind_names[NKINDS] = {
    "captcha", "comment", "page",  "nojs",  "login",
    "view",    "list",    "image", "vread", "health"};

/* Upper bounds of the histogram's buckets, in microseconds. */
static const long long bucket_us[] = {500,     1000,    2000,   5000,   10000,
                                      20000,   50000,   100000, 200000, 500000,
                                      1000000, 2000000, 5000000};
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]) + 1)

static struct daemon dmn;
static char secrets[400];
static long total_wanted, slow_ms, wait_ms;
static _Atomic long sent, lost, slow, wrong, done_kind[NKINDS];
static _Atomic long hist[NBUCKETS];
static _Atomic long long max_us;
static _Atomic int reported;

struct conn {
	int id, fd;
	long serial; /* makes every comment body unique (no 409 duplicate) */
	char *buf;
	size_t got;
	char xff[32];
	/* The last reply. */
	int status;
	char *body;
	size_t body_len;
	char location[512];
};

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long
env_long(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? strtol(v, NULL, 10) : dflt;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
}

static int
conn_open(struct conn *c)
{
	int one = 1;

	if ((c->fd = raw_connect(dmn.port)) == -1)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

/* Sends req in 1-4 pieces cut at random points. 0 / -1. */
static int
send_segmented(struct conn *c, const char *req, size_t len)
{
	size_t cuts[4], n = 1 + randombytes_uniform(4), i, at = 0;
	int pause = randombytes_uniform(3) == 0;

	for (i = 0; i + 1 < n; i++)
		cuts[i] = randombytes_uniform((uint32_t)len);
	cuts[n - 1] = len;
	/* Sorted, so the pieces are in order (some may be empty). */
	for (i = 1; i < n; i++) {
		size_t k = cuts[i], j = i;

		while (j > 0 && cuts[j - 1] > k) {
			cuts[j] = cuts[j - 1];
			j--;
		}
		cuts[j] = k;
	}
	for (i = 0; i < n; i++) {
		while (at < cuts[i]) {
			ssize_t k =
			    send(c->fd, req + at, cuts[i] - at, MSG_NOSIGNAL);

			if (k <= 0)
				return -1;
			at += (size_t)k;
		}
		if (pause && i + 1 < n)
			usleep(randombytes_uniform(2000));
	}
	return 0;
}

/* The value of header name in the head (up to CR), or NULL. */
static const char *
head_value(const char *head, const char *name, size_t *len)
{
	size_t n = strlen(name);
	const char *p = head;

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ')
				v++;
			*len = strcspn(v, "\r\n");
			return v;
		}
	}
	return NULL;
}

/*
 * Reads one reply. 0, 1 when the connection ended before any byte of
 * it (a keep-alive connection the server closed: allowed only between
 * requests, see exchange()), -1 when it is lost (nothing in wait_ms,
 * or cut short).
 */
static int
read_reply(struct conn *c, long long deadline_us, int *closing)
{
	size_t hlen = 0, want = 0, n;
	char *end = NULL;
	const char *v;

	c->got = 0;
	for (;;) {
		struct pollfd pfd = {c->fd, POLLIN, 0};
		long long left = deadline_us - now_us();
		ssize_t k;

		if (end != NULL && c->got >= hlen + want)
			break;
		if (left <= 0 || poll(&pfd, 1, (int)(left / 1000) + 1) != 1)
			return -1;
		k = recv(c->fd, c->buf + c->got, REPLY_MAX - c->got, 0);
		if (k <= 0)
			return c->got == 0 ? 1 : -1;
		c->got += (size_t)k;
		c->buf[c->got] = '\0';
		if (end == NULL && (end = strstr(c->buf, "\r\n\r\n")) != NULL) {
			hlen = (size_t)(end - c->buf) + 4;
			if (strncmp(c->buf, "HTTP/1.1 ", 9) != 0)
				return -1;
			c->status = atoi(c->buf + 9);
			v = head_value(c->buf, "Content-Length", &n);
			want = v != NULL ? strtoul(v, NULL, 10) : 0;
			if (hlen + want > REPLY_MAX)
				return -1;
		}
	}
	*closing = (v = head_value(c->buf, "Connection", &n)) != NULL &&
	           n == 5 && strncasecmp(v, "close", 5) == 0;
	c->location[0] = '\0';
	if ((v = head_value(c->buf, "Location", &n)) != NULL &&
	    n < sizeof(c->location)) {
		memcpy(c->location, v, n);
		c->location[n] = '\0';
	}
	c->body = c->buf + hlen;
	c->body_len = want;
	c->body[want] = '\0';
	return 0;
}

static void
report(const struct conn *c, const char *what, const char *req, long long us)
{
	if (atomic_fetch_add(&reported, 1) >= 20)
		return;
	fprintf(stderr,
	        "soak: conn %d: %s after %lld ms: %.*s (%zu bytes of "
	        "reply)\n",
	        c->id, what, us / 1000, (int)strcspn(req, "\r"), req, c->got);
}

/*
 * One request and its reply, timed from its first byte to the reply's
 * last. Returns 0 when the reply has the status want, else -1 (counted).
 */
static int
exchange(struct conn *c, enum kind k, const char *method, const char *path,
         const char *ctype, const char *body, int want)
{
	char *req;
	size_t blen = body != NULL ? strlen(body) : 0;
	long long t0, us;
	int len, r, closing = 0, fresh = 0;
	size_t b;

	if (atomic_fetch_add(&sent, 1) >= total_wanted) {
		atomic_fetch_sub(&sent, 1);
		return -2; /* the end */
	}
	len = asprintf(&req,
	               "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
	               "User-Agent: bandoc-soak\r\nX-Forwarded-For: %s\r\n"
	               "Origin: %s\r\n%s%s%s"
	               "Content-Length: %zu\r\n\r\n%s",
	               method, path, dmn.port, c->xff, dmn.base,
	               ctype != NULL ? "Content-Type: " : "",
	               ctype != NULL ? ctype : "", ctype != NULL ? "\r\n" : "",
	               blen, body != NULL ? body : "");
	if (len < 0)
		abort();
	if (c->fd == -1) {
		if (conn_open(c) != 0)
			abort();
		fresh = 1;
	}
	t0 = now_us();
	for (;;) {
		if (send_segmented(c, req, (size_t)len) == 0 &&
		    (r = read_reply(c, t0 + wait_ms * 1000, &closing)) == 0)
			break;
		/* A kept-alive connection the server had closed before this
		 * request (the first send or the first read says so): then,
		 * and only then, a new connection. Never twice, never after
		 * a reply began or the wait ran out. */
		if (!fresh && r == 1) {
			conn_close(c);
			if (conn_open(c) != 0)
				abort();
			fresh = 1;
			t0 = now_us();
			continue;
		}
		us = now_us() - t0;
		report(c, r == 1 ? "closed without a reply" : "NO REPLY", req,
		       us);
		atomic_fetch_add(&lost, 1);
		conn_close(c);
		free(req);
		return -1;
	}
	us = now_us() - t0;
	for (b = 0; b < NBUCKETS - 1 && us > bucket_us[b]; b++)
		;
	atomic_fetch_add(&hist[b], 1);
	atomic_fetch_add(&done_kind[k], 1);
	{
		long long m = atomic_load(&max_us);

		while (us > m && !atomic_compare_exchange_weak(&max_us, &m, us))
			;
	}
	if (us >= slow_ms * 1000) {
		atomic_fetch_add(&slow, 1);
		report(c, "SLOW", req, us);
	}
	if (closing)
		conn_close(c);
	if (c->status != want) {
		atomic_fetch_add(&wrong, 1);
		if (atomic_fetch_add(&reported, 1) < 20)
			fprintf(stderr, "soak: %s: %d, not %d: %.300s\n",
			        kind_names[k], c->status, want, c->body);
		free(req);
		return -1;
	}
	free(req);
	return 0;
}

/* The JSON string member name of the last reply, copied (no escapes in
 * the values read here). 0 / -1. */
static int
json_member(const struct conn *c, const char *name, char *out, size_t outsz)
{
	char key[64];
	const char *p, *e;

	snprintf(key, sizeof(key), "\"%s\":\"", name);
	if ((p = strstr(c->body, key)) == NULL)
		return -1;
	p += strlen(key);
	if ((e = strchr(p, '"')) == NULL || (size_t)(e - p) >= outsz)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

static void
new_client(struct conn *c)
{
	snprintf(c->xff, sizeof(c->xff), "10.%u.%u.%u",
	         randombytes_uniform(256), randombytes_uniform(256),
	         1 + randombytes_uniform(254));
}

/* A comment through the JSON API. */
static int
round_comment(struct conn *c, int article)
{
	char body[2048], token[512], answer[32], payload[POW_PAYLOAD_MAX + 1];
	struct pow_challenge pc;
	long n;
	int r;

	snprintf(body, sizeof(body), "site=news&article=a%d", article);
	if ((r = exchange(c, K_CAPTCHA, "POST", "/api/v1/captcha",
	                  "application/x-www-form-urlencoded", body, 201)) != 0)
		return r;
	if (json_member(c, "token", token, sizeof(token)) != 0 ||
	    test_pow_from_json(c->body, &pc) != 0 || (n = pow_solve(&pc)) < 0 ||
	    test_pow_payload(&pc, n, payload, sizeof(payload)) != 0 ||
	    test_token_answer(secrets, token, answer, sizeof(answer)) != 0) {
		fprintf(stderr, "soak: cannot solve %.200s\n", c->body);
		atomic_fetch_add(&wrong, 1);
		return -1;
	}
	snprintf(body, sizeof(body),
	         "{\"site\":\"news\",\"article\":\"a%d\",\"name\":\"Soak\","
	         "\"body\":\"Bình luận thử %d.%ld\",\"captcha_token\":\"%s\","
	         "\"captcha_answer\":\"%s\",\"altcha\":\"%s\"}",
	         article, c->id, ++c->serial, token, answer, payload);
	return exchange(c, K_COMMENT, "POST", "/api/v1/comments",
	                "application/json", body, 202);
}

/* A comment through the no-JS page, and the redirect after it. */
static int
round_nojs(struct conn *c, int article)
{
	char path[128], body[2048], token[512], answer[32];
	const char *p, *e;
	int r;

	snprintf(path, sizeof(path), "/embed/comments?site=news&article=a%d",
	         article);
	if ((r = exchange(c, K_PAGE, "GET", path, NULL, NULL, 200)) != 0)
		return r;
	if ((p = strstr(c->body, "name=\"captcha_token\" value=\"")) == NULL ||
	    (e = strchr(p + 28, '"')) == NULL ||
	    (size_t)(e - p - 28) >= sizeof(token)) {
		fprintf(stderr, "soak: no token in the page\n");
		atomic_fetch_add(&wrong, 1);
		return -1;
	}
	memcpy(token, p + 28, (size_t)(e - p - 28));
	token[e - p - 28] = '\0';
	if (test_token_answer(secrets, token, answer, sizeof(answer)) != 0) {
		atomic_fetch_add(&wrong, 1);
		return -1;
	}
	snprintf(body, sizeof(body),
	         "site=news&article=a%d&lang=vi&name=Soak&body=Kh%%C3%%B4ng+"
	         "JS+%d.%ld&captcha_token=%s&captcha_answer=%s&do=send",
	         article, c->id, ++c->serial, token, answer);
	if ((r = exchange(c, K_NOJS, "POST", "/embed/comments",
	                  "application/x-www-form-urlencoded", body, 303)) != 0)
		return r;
	if (c->location[0] != '/') {
		atomic_fetch_add(&wrong, 1);
		return -1;
	}
	snprintf(path, sizeof(path), "%.*s", (int)strcspn(c->location, "#"),
	         c->location);
	return exchange(c, K_PAGE, "GET", path, NULL, NULL, 200);
}

static void *
client(void *arg)
{
	struct conn *c = arg;
	char path[160], body[256], file[600];
	int r = 0;

	if ((c->buf = malloc(REPLY_MAX + 1)) == NULL)
		abort();
	while (r != -2) {
		uint32_t pick = randombytes_uniform(10000);
		int article = (int)randombytes_uniform(NARTICLES);

		new_client(c);
		if (pick < 1500) {
			r = round_comment(c, article);
		} else if (pick < 2300) {
			r = round_nojs(c, article);
		} else if (pick < 2302) {
			snprintf(body, sizeof(body),
			         "username=soak%u&password=not-the-password",
			         randombytes_uniform(1000000));
			r = exchange(c, K_LOGIN, "POST", "/admin/login",
			             "application/x-www-form-urlencoded", body,
			             401);
		} else if (pick < 5000) {
			snprintf(body, sizeof(body), "site=news&article=a%d",
			         article);
			r = exchange(c, K_VIEW, "POST", "/api/v1/views",
			             "application/x-www-form-urlencoded", body,
			             200);
		} else if (pick < 7500) {
			snprintf(path, sizeof(path),
			         "/api/v1/comments?site=news&article=a%d",
			         article);
			r = exchange(c, K_LIST, "GET", path, NULL, NULL, 200);
		} else if (pick < 9000) {
			snprintf(body, sizeof(body), "site=news&article=a%d",
			         article);
			r = exchange(c, K_CAPTCHA, "POST", "/api/v1/captcha",
			             "application/x-www-form-urlencoded", body,
			             201);
			if (r == 0 &&
			    json_member(c, "image", file, sizeof(file)) == 0)
				r = exchange(c, K_IMAGE, "GET", file, NULL,
				             NULL, 200);
		} else if (pick < 9600) {
			snprintf(path, sizeof(path),
			         "/api/v1/views?site=news&article=a%d",
			         article);
			r = exchange(c, K_VREAD, "GET", path, NULL, NULL, 200);
		} else {
			r = exchange(c, K_HEALTH, "GET", "/healthz", NULL, NULL,
			             200);
		}
	}
	conn_close(c);
	free(c->buf);
	return NULL;
}

/* The harness writes threads = 2: SOAK_THREADS changes it. 0 / -1. */
static int
set_threads(long n)
{
	char text[8192], *p;
	size_t len;
	FILE *fp;

	if ((fp = fopen(dmn.config, "r")) == NULL)
		return -1;
	len = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[len] = '\0';
	if ((p = strstr(text, "threads = 2\n")) == NULL || n < 1 || n > 9)
		return -1;
	p[10] = (char)('0' + n);
	if ((fp = fopen(dmn.config, "w")) == NULL)
		return -1;
	fwrite(text, 1, len, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

int
main(void)
{
	long nconns = env_long("SOAK_CONNS", 64), i, n = 0;
	struct conn *conns;
	pthread_t *th;
	long long t0, us;
	size_t b;
	int status, ok;
	char extra[512];

	total_wanted = env_long("SOAK_REQUESTS", 2000000);
	slow_ms = env_long("SOAK_SLOW_MS", 1000);
	wait_ms = env_long("SOAK_WAIT_MS", 20000);
	if (sodium_init() < 0 || nconns < 1 || nconns > 1000 ||
	    total_wanted < 1)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* Limits as high as the table allows: this is one proxy in front
	 * of millions of readers. */
	snprintf(extra, sizeof(extra),
	         "trusted_proxies = 127.0.0.1/32\naccess_log = off\n"
	         "log_level = warn\nper_ip_connection_limit = 4096\n"
	         "captcha_spent_max = 10000000\n"
	         "ratelimit_max_clients = 1000000\n%s",
	         getenv("SOAK_SERVER") != NULL ? getenv("SOAK_SERVER") : "");
	if (daemon_config(&dmn, extra,
	                  "[site.news]\nname = News\n"
	                  "origins = http://127.0.0.1\n"
	                  "captcha_min_solve = 0\npow_cost = 1000\n"
	                  "pow_cost_max = 1000\n"
	                  "captcha_per_minute = 10000000\n"
	                  "captcha_per_hour = 100000000\n"
	                  "new_articles_per_minute = 10000000\n"
	                  "comments_per_minute = 10000000\n"
	                  "comments_per_hour = 100000000\n") != 0 ||
	    snprintf(dmn.log, sizeof(dmn.log), "%s/daemon.log", dmn.dir) < 0 ||
	    set_threads(env_long("SOAK_THREADS", 2)) != 0 ||
	    daemon_start(&dmn) != 0) {
		fprintf(stderr, "soak: the daemon does not start\n");
		daemon_cleanup(&dmn);
		return 1;
	}
	snprintf(secrets, sizeof(secrets), "%s/var/secrets", dmn.dir);
	/* The load comes from this machine's cores too: at the daemon's
	 * priority, 64 client threads take most of two cores, and a login's
	 * Argon2 (0.1-0.3 s of CPU) then measures the scheduler, not the
	 * daemon. Below it (SOAK_NICE, default 10; the threads made next
	 * inherit it), the clients use what the daemon leaves, as a load
	 * from elsewhere would. */
	if (setpriority(PRIO_PROCESS, 0, (int)env_long("SOAK_NICE", 10)) != 0)
		perror("soak: setpriority");
	printf("soak: %ld requests over %ld kept-alive connections to %s "
	       "(clients at nice %d)\n",
	       total_wanted, nconns, dmn.base, getpriority(PRIO_PROCESS, 0));
	fflush(stdout);
	conns = calloc((size_t)nconns, sizeof(*conns));
	th = calloc((size_t)nconns, sizeof(*th));
	if (conns == NULL || th == NULL)
		abort();
	t0 = now_us();
	for (i = 0; i < nconns; i++) {
		conns[i].id = (int)i;
		conns[i].fd = -1;
		if (pthread_create(&th[i], NULL, client, &conns[i]) != 0)
			abort();
	}
	for (i = 0; i < nconns; i++)
		pthread_join(th[i], NULL);
	us = now_us() - t0;
	status = daemon_stop(&dmn, SIGTERM);

	for (b = 0; b < NBUCKETS; b++)
		n += atomic_load(&hist[b]);
	printf("soak: %ld replies in %.1f s (%.0f/s), max %.1f ms\n", n,
	       (double)us / 1e6, (double)n * 1e6 / (double)us,
	       (double)atomic_load(&max_us) / 1000.0);
	printf("soak: latency histogram (replies up to each bound)\n");
	for (b = 0; b < NBUCKETS; b++) {
		long v = atomic_load(&hist[b]);

		if (b < NBUCKETS - 1)
			printf("  <= %7.1f ms %9ld  %6.3f %%\n",
			       (double)bucket_us[b] / 1000.0, v,
			       n > 0 ? 100.0 * (double)v / (double)n : 0.0);
		else
			printf("  >  %7.1f ms %9ld  %6.3f %%\n",
			       (double)bucket_us[b - 1] / 1000.0, v,
			       n > 0 ? 100.0 * (double)v / (double)n : 0.0);
	}
	printf("soak: by kind:");
	for (i = 0; i < NKINDS; i++)
		printf(" %s %ld", kind_names[i], atomic_load(&done_kind[i]));
	printf("\nsoak: slow (>= %ld ms) %ld, lost %ld, wrong status %ld, "
	       "daemon exit %d\n",
	       slow_ms, atomic_load(&slow), atomic_load(&lost),
	       atomic_load(&wrong), status);
	ok = atomic_load(&slow) == 0 && atomic_load(&lost) == 0 &&
	     atomic_load(&wrong) == 0 && status == 0 && n == total_wanted;
	printf("soak: %s\n", ok ? "PASS" : "FAIL");
	if (!ok)
		fprintf(stderr, "soak: the daemon's log: %s\n", dmn.log);
	else
		daemon_cleanup(&dmn);
	free(conns);
	free(th);
	curl_global_cleanup();
	return ok ? 0 : 1;
}
