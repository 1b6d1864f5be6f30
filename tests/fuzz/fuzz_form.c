/*
 * fuzz_form: request bodies as the daemon reads them: libmicrohttpd's
 * urlencoded post processor fed by http.c (MHD_create_post_processor,
 * post_iterator, field_append with its limits), the JSON body path, the
 * body caps and the Content-Type checks, then the handlers that read the
 * fields.
 *
 * The post processor needs a live MHD connection, so the target starts
 * the real server once, in process (app_open, writer_start, http_start
 * on 127.0.0.1 port 0, as `bandocd serve` does, with a data directory
 * under /dev/shm or /tmp that is removed at exit, or by the next run
 * after a crash), and sends each input as one raw HTTP/1.1 request over
 * a kept-alive loopback connection. Every request comes "through" a
 * trusted proxy with its own X-Forwarded-For client, so rate limits and
 * CAPTCHA lock-outs, which count per client, do not make the replies
 * depend on the inputs before.
 *
 * Input: byte 0: bits 0-2 the route (table below), bits 3-4 the
 * Content-Type (urlencoded, urlencoded with a charset, multipart,
 * JSON), bit 5 an Origin (or, with bit 7, a Referer) of the site, bit 6
 * chunked transfer encoding; byte 1: the chunk size - 1; the rest is the
 * body.
 *
 * Properties, from docs/api.md and http.h:
 * - The reply is one well-formed HTTP/1.1 response whose Content-Length
 *   matches its body. Its status is one the API documents (never 500),
 *   and only a route that can succeed that way succeeds (201 captcha,
 *   202 comments, 200/303 the no-JS form, 401 the admin API).
 * - Every reply carries nosniff and Referrer-Policy; a 429 carries
 *   Retry-After. A JSON reply parses; a JSON error has error.code in
 *   snake_case, a non-empty error.message and, if any, an object of
 *   fields. The errors of the JSON routes are JSON.
 * - A body above the route's cap with a Content-Length is a 413, a
 *   multipart body a 415, a urlencoded body with a raw NUL byte a 400
 *   bad_body (as one with %00 is).
 * - For a "simple" urlencoded body (key=value pairs, keys [a-z0-9_],
 *   non-empty values of [A-Za-z0-9._-] and %XX), sent whole or in
 *   chunks, a reference reader predicts the 400 bad_body (duplicate,
 *   NUL, more than MAX_FIELDS fields, a name above MAX_FIELD_NAME)
 *   exactly: that error and no other.
 * - The admin route has no side effects, so there the same body sent
 *   whole and in chunks gets the same reply, byte for byte, when its
 *   %-escapes are well-formed (libmicrohttpd decodes a broken one
 *   differently when its input ends inside it). With two faults in the
 *   body only the message of the 400 bad_body may differ: which fault
 *   is met first depends on where the input ends.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <linux/tcp.h>
#include <linux/sockios.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sodium.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "buf.h"
#include "config.h"
#include "fuzz.h"
#include "http.h"
#include "bandoc_limits.h"
#include "log.h"
#include "writer.h"

#define REPLY_MAX (1024 * 1024) /* the largest reply read (HTML pages) */
/* ms to wait for a reply: above the default connection_timeout (15 s),
 * the longest libmicrohttpd may leave a request alone. Replies slower
 * than REPLY_SLOW ms are logged. */
#define REPLY_WAIT 30000
#define REPLY_SLOW 2000
/* A reply this late is a stall, even when it comes (bug 9 of
 * docs/fuzzing.md: a request left unread until libmicrohttpd's 15 s
 * connection timeout closed the connection, and then this harness's
 * send on a new connection was answered). */
#define REPLY_STALL 10000
#define SITE_ORIGIN "https://news.example"

enum kind { K_JSON, K_EMBED, K_ADMIN };

/* The routes, with the success status each may give (0: none). */
static const struct froute {
	const char *target; /* request target, maybe with a query */
	enum kind kind;
	unsigned int ok[2];
} froutes[8] = {
    {"/api/v1/captcha", K_JSON, {201, 0}},
    {"/api/v1/comments", K_JSON, {202, 0}},
    {"/embed/comments", K_EMBED, {200, 303}},
    {"/api/v1/views", K_JSON, {200, 0}},
    {"/api/v1/siteverify", K_JSON, {200, 0}},
    {"/admin/one-click", K_JSON, {0, 0}},
    {"/admin/api/bans", K_ADMIN, {401, 0}},
    {"/api/v1/comments?site=news&lang=en&article=a%201", K_JSON, {202, 0}},
};

static const char *const ctypes[4] = {
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=UTF-8",
    "multipart/form-data; boundary=bandoc",
    "application/json",
};

/* Statuses docs/api.md lists for these routes. */
static const unsigned int documented[] = {200, 201, 202, 204, 303, 400, 401,
                                          403, 404, 409, 413, 415, 429, 503};

static struct app app;
static struct config *cfg;
static char datadir[80];
static unsigned short port;
static int conn = -1;
static unsigned long nreq;

/* The last exchanges on the current connection, for a stall report. */
#define HIST 8
static struct {
	char line[96]; /* request line, framing, body length */
	unsigned int status;
	int closing;
	int tries;
	char *req; /* the bytes sent */
	size_t len;
} hist[HIST];
static unsigned int nhist;      /* exchanges on this connection */
static struct timespec t_start; /* when the server started */
static unsigned long nconns;    /* connections made */
static unsigned int myport;     /* conn's local port */
static size_t caps[8];
static int trace;  /* FUZZ_FORM_TRACE=1: one line per reply on stderr */
static char *rbuf; /* REPLY_MAX + 1 bytes, for every reply (a fresh MB
                    * per reply would cost more than the request) */

struct reply {
	unsigned int status;
	char *head; /* the header block, NUL-terminated */
	char *body; /* NUL-terminated copy */
	size_t len;
	int closing; /* Connection: close */
};

static void
reply_clear(struct reply *r)
{
	free(r->head);
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static void fail(const char *what) __attribute__((noreturn));

/* A property that FUZZ_CHECK() cannot spell as a condition. */
static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_form: property failed: %s\n", what);
	abort();
}

/* --- start-up and clean-up --- */

static void
config_error(void *arg, unsigned int line, const char *msg)
{
	(void)arg;
	fprintf(stderr, "fuzz_form: config line %u: %s\n", line, msg);
}

/* Removes a data directory (flat: database, WAL, secrets, salt). */
static void
remove_dir(const char *dir)
{
	char path[300];
	struct dirent *e;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void
remove_datadir(void)
{
	if (datadir[0] != '\0')
		remove_dir(datadir);
}

/*
 * A crash ends the process without atexit(): removes the data
 * directories ("bandoc-fuzz-form.PID.XXXXXX") of processes that are
 * gone.
 */
static void
sweep(const char *base)
{
	char path[300];
	struct dirent *e;
	DIR *d;
	long pid;
	char *end;

	if ((d = opendir(base)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "bandoc-fuzz-form.", 17) != 0)
			continue;
		pid = strtol(e->d_name + 17, &end, 10);
		if (end == e->d_name + 17 || *end != '.' || pid <= 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, e->d_name);
		remove_dir(path);
	}
	closedir(d);
}

/*
 * A config for the running server: one listen address on port 0, the
 * client behind a trusted proxy, limits as high as the table allows (a
 * fuzz run sends millions of requests), two sites so that "site"
 * matters, one with an article pattern, e-mail required, English.
 * views_flush_ms stays at its default: a flush of a minute of fuzzed
 * views (tens of thousands of new articles) held the writer, and so
 * every comment, for over 30 s.
 */
static struct config *
make_config(const char *dir, const char *fonts)
{
	struct buf b;
	struct config *c;
	char *text;

	buf_init(&b, 8192);
	buf_addf(&b,
	         "[server]\nlisten = 127.0.0.1:0\ndata_dir = %s\n"
	         "fonts_dir = %s\nthreads = 1\naccess_log = off\n"
	         "log_level = warn\ntrusted_proxies = 127.0.0.1/32\n"
	         "captcha_spent_max = 10000000\n"
	         "ratelimit_max_clients = 100000\n",
	         dir, fonts);
	buf_adds(&b, "[site.news]\nname = News\norigins = " SITE_ORIGIN "\n"
	             "secret = fuzz-siteverify-secret-0123456789\n"
	             "captcha_min_solve = 0\n"
	             "captcha_per_minute = 10000000\n"
	             "captcha_per_hour = 100000000\n"
	             "new_articles_per_minute = 10000000\n"
	             "comments_per_minute = 10000000\n"
	             "comments_per_hour = 100000000\n"
	             "blocked_words = casino, spam\nwatched_words = http\n"
	             "max_links = 1\n");
	buf_adds(&b, "[site.en]\nlang = en\norigins = https://en.example\n"
	             "article_pattern = ^[0-9]+$\nrequire_email = on\n"
	             "moderation = off\n"
	             "captcha_per_minute = 10000000\n"
	             "captcha_per_hour = 100000000\n"
	             "new_articles_per_minute = 10000000\n");
	text = buf_take(&b, NULL);
	if (text == NULL)
		abort();
	c = config_load_string(text, config_error, NULL);
	free(text);
	return c;
}

static int
connect_server(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* A signal (see poll_in) can interrupt connect(); the connection
	 * then goes on without it, and is ready once writable. */
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		struct pollfd pfd = {fd, POLLOUT, 0};
		socklen_t l = sizeof(int);
		int err = errno, n;

		if (err == EINTR) {
			while ((n = poll(&pfd, 1, -1)) == -1 && errno == EINTR)
				;
			if (n != 1 ||
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) != 0)
				err = -1;
		}
		if (err != 0) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char tmpl[sizeof(datadir)];
	const char *fonts = getenv("BANDOC_FONTS_DIR"), *base;
	unsigned int allow;
	size_t i, nf;
	struct http_param prm[4];

	(void)argc;
	(void)argv;
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	if (sodium_init() < 0)
		abort();
	log_set_level(LOG_LEVEL_WARN);
	signal(SIGPIPE, SIG_IGN);
	/* tmpfs when there is one: the daemon syncs every write. */
	base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	sweep(base);
	snprintf(tmpl, sizeof(tmpl), "%s/bandoc-fuzz-form.%ld.XXXXXX", base,
	         (long)getpid());
	if (mkdtemp(tmpl) == NULL) {
		perror("fuzz_form: mkdtemp");
		abort();
	}
	memcpy(datadir, tmpl, sizeof(datadir));
	atexit(remove_datadir);
	cfg = make_config(datadir,
	                  fonts != NULL ? fonts : BANDOC_SOURCE_DIR "/fonts");
	if (cfg == NULL)
		abort();
	if (app_open(&app, cfg) != 0 || writer_start(app.writer) != 0 ||
	    (app.http = http_start(&app)) == NULL) {
		fprintf(stderr, "fuzz_form: the server does not start\n");
		abort();
	}
	port = http_port(app.http, 0);
	trace = getenv("FUZZ_FORM_TRACE") != NULL;
	if ((rbuf = malloc(REPLY_MAX + 1)) == NULL)
		abort();
	/* The caps come from the route table, so they cannot drift. */
	for (i = 0; i < 8; i++) {
		char path[128];
		const struct http_route *r;

		snprintf(path, sizeof(path), "%.*s",
		         (int)strcspn(froutes[i].target, "?"),
		         froutes[i].target);
		r = http_route_find(http_routes, HTTP_POST, path, &allow, prm,
		                    4, &nf);
		FUZZ_CHECK(r != NULL && r->body_max > 0);
		caps[i] = r->body_max;
	}
	return 0;
}

/* --- one exchange --- */

/* The value of header name in the block (borrowed, up to "\r\n"). */
FUZZ_NO_COVERAGE static const char *
header(const char *head, const char *name, size_t *len)
{
	size_t n = strlen(name);
	const char *p = strstr(head, "\r\n");

	while (p != NULL && p[2] != '\0' && !(p[2] == '\r' && p[3] == '\n')) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;

			while (*v == ' ')
				v++;
			*len = strcspn(v, "\r\n");
			return v;
		}
		p = strstr(p, "\r\n");
	}
	return NULL;
}

/* Parses the status line and headers; checks their form. */
FUZZ_NO_COVERAGE static void
parse_head(struct reply *r)
{
	const char *h = r->head, *p, *v;
	size_t i, n;

	FUZZ_CHECK(strncmp(h, "HTTP/1.1 ", 9) == 0);
	for (i = 9; i < 12; i++)
		FUZZ_CHECK(h[i] >= '0' && h[i] <= '9');
	FUZZ_CHECK(h[12] == ' ');
	r->status = (unsigned int)(h[9] - '0') * 100 +
	            (unsigned int)(h[10] - '0') * 10 +
	            (unsigned int)(h[11] - '0');
	/* Every line: printable, "Name: value" after the first. */
	for (p = h; *p != '\0';) {
		n = strcspn(p, "\r\n");
		FUZZ_CHECK(p[n] == '\r' && p[n + 1] == '\n');
		for (i = 0; i < n; i++)
			FUZZ_CHECK((unsigned char)p[i] >= 0x20 && p[i] != 0x7f);
		if (p != h && n > 0) {
			size_t k = strcspn(p, ":\r");

			FUZZ_CHECK(k > 0 && k < n && p[k] == ':');
			for (i = 0; i < k; i++)
				FUZZ_CHECK(p[i] != ' ');
		}
		p += n + 2;
	}
	v = header(h, "Connection", &n);
	r->closing = v != NULL && n == 5 && strncasecmp(v, "close", 5) == 0;
}

/* A 4-byte member of MHD_get_connection_info's answer, which points
 * into the connection and is not always aligned for the union. */
static unsigned int
info_u32(struct MHD_Connection *mc, enum MHD_ConnectionInfoType t)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, t);
	unsigned int v = 0;

	if (ci != NULL)
		memcpy(&v, ci, sizeof(v));
	return v;
}

/*
 * poll() for POLLIN on fd for up to ms, through signals: libFuzzer's
 * -timeout alarm (SIGALRM every timeout/2 + 1 s, with a handler and no
 * SA_RESTART) interrupts a poll() with EINTR. Taken for a timeout, that
 * was bug 9 of docs/fuzzing.md: a "stall" every 31 s of a run. Returns
 * poll()'s answer for the one fd (0 once ms have passed).
 */
static int
poll_in(int fd, int ms)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	struct timespec t0, t;
	long left = ms;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((n = poll(&pfd, 1, (int)left)) == -1 && errno == EINTR) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = ms - ((long)(t.tv_sec - t0.tv_sec) * 1000 +
		             (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left < 0)
			left = 0;
	}
	return n;
}

/* send() of all len bytes, through signals; 0 or -1. */
static int
send_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t k = send(fd, p, len, MSG_NOSIGNAL);

		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Records a request about to be sent on conn. */
static void
hist_add(const char *req, size_t len, int tries)
{
	const char *te = strstr(req, "Transfer-Encoding: chunked");
	const char *cl = strstr(req, "Content-Length: ");
	size_t head = (size_t)(strstr(req, "\r\n\r\n") - req) + 4;

	snprintf(hist[nhist % HIST].line, sizeof(hist[0].line),
	         "%.*s %s %zu bytes (head %zu)", (int)strcspn(req, "\r"), req,
	         te != NULL && te < req + head ? "chunked"
	         : cl != NULL                  ? "length"
	                                       : "none",
	         len, head);
	hist[nhist % HIST].status = 0;
	hist[nhist % HIST].closing = 0;
	hist[nhist % HIST].tries = tries;
	free(hist[nhist % HIST].req);
	hist[nhist % HIST].req = fuzz_dup((const uint8_t *)req, len, 0);
	hist[nhist % HIST].len = len;
	nhist++;
}

static void
hist_dump(void)
{
	unsigned int i = nhist > HIST ? nhist - HIST : 0;

	for (; i < nhist; i++)
		fprintf(stderr,
		        "fuzz_form: stall: exchange %u on this connection: %s "
		        "-> %u%s (try %d)\n",
		        i + 1, hist[i % HIST].line, hist[i % HIST].status,
		        hist[i % HIST].closing ? " close" : "",
		        hist[i % HIST].tries + 1);
	/* The bytes, to replay the sequence: stall-<n>.req in the working
	 * directory, oldest first. */
	for (i = nhist > HIST ? nhist - HIST : 0; i < nhist; i++) {
		char name[32];
		FILE *f;

		snprintf(name, sizeof(name), "stall-%u.req", i + 1);
		if ((f = fopen(name, "wb")) != NULL) {
			fwrite(hist[i % HIST].req, 1, hist[i % HIST].len, f);
			fclose(f);
		}
	}
}

/* The kernel's lines of /proc/net/tcp for conn's port (both ends):
 * tx_queue:rx_queue without touching either socket. */
static void
proc_net_tcp(const char *when)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[256], want[16];

	if (f == NULL)
		return;
	snprintf(want, sizeof(want), ":%04X ", myport);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, want) != NULL)
			fprintf(stderr, "fuzz_form: stall: %s: %s", when, line);
	fclose(f);
}

/*
 * After a stall: where the bytes are (docs/fuzzing.md, bug 9). The
 * kernel's view of both sockets, first without touching them and again
 * 2 s later; the server's socket (by the address pair), the bytes it has
 * not read, whether it is in one of the epoll sets (/proc/self/fdinfo),
 * TCP_INFO of both ends; what libmicrohttpd says of the connection; the
 * last exchanges; every thread's stack, and with a libmicrohttpd that has
 * debug info, its struct of the connection (gdb).
 */
static void
stall_report(void)
{
	struct sockaddr_in me, peer;
	socklen_t len = sizeof(me);
	struct MHD_Connection *mc = atomic_load(&http_fuzz_last_conn);
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int sfd = -1, unread = -1;

	proc_net_tcp("first");
	sleep(2);
	proc_net_tcp("2 s later");
	{
		/* The server's socket by its inode (readlink touches no
		 * socket), then one call on it alone. */
		FILE *f = fopen("/proc/net/tcp", "r");
		char line[256], want[16], link[64], path[64];
		unsigned long ino = 0;
		struct dirent *e;

		snprintf(want, sizeof(want), ":%04X 01", myport);
		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			unsigned int lp;
			unsigned long in;

			if (strstr(line, want) != NULL &&
			    sscanf(
			        line,
			        "%*s %*8s:%4X %*s %*s %*s %*s %*s %*s %*s %lu",
			        &lp, &in) == 2 &&
			    lp == port)
				ino = in;
		}
		if (f != NULL)
			fclose(f);
		while (dir != NULL && (e = readdir(dir)) != NULL) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/self/fd/%s",
			         e->d_name);
			if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
				continue;
			link[n] = '\0';
			snprintf(line, sizeof(line), "socket:[%lu]", ino);
			if (ino != 0 && strcmp(link, line) == 0) {
				struct sockaddr_in a;
				socklen_t l = sizeof(a);

				fprintf(stderr,
				        "fuzz_form: stall: server socket fd %s "
				        "(inode %lu): getpeername\n",
				        e->d_name, ino);
				(void)getpeername(atoi(e->d_name),
				                  (struct sockaddr *)&a, &l);
				proc_net_tcp("after getpeername on the server "
				             "socket alone");
				sleep(1);
				proc_net_tcp("1 s after that");
			}
		}
		if (dir != NULL)
			rewinddir(dir);
	}
	if (getsockname(conn, (struct sockaddr *)&me, &len) != 0 ||
	    dir == NULL) {
		if (dir != NULL)
			closedir(dir);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		int fd = atoi(de->d_name);
		struct sockaddr_in a;
		socklen_t l = sizeof(a);

		if (fd <= 2 || fd == conn ||
		    getpeername(fd, (struct sockaddr *)&a, &l) != 0 ||
		    a.sin_family != AF_INET || a.sin_port != me.sin_port)
			continue;
		l = sizeof(peer);
		if (getsockname(fd, (struct sockaddr *)&peer, &l) == 0 &&
		    ntohs(peer.sin_port) == port)
			sfd = fd;
	}
	proc_net_tcp("after getsockname and getpeername");
	if (sfd != -1)
		(void)ioctl(sfd, FIONREAD, &unread);
	{
		struct timespec t;

		clock_gettime(CLOCK_MONOTONIC, &t);
		fprintf(stderr,
		        "fuzz_form: stall: %.3f s after the start, %lu "
		        "requests, %lu connections, client port %u\n",
		        (double)(t.tv_sec - t_start.tv_sec) +
		            (double)(t.tv_nsec - t_start.tv_nsec) / 1e9,
		        nreq, nconns, ntohs(me.sin_port));
	}
	fprintf(stderr, "fuzz_form: stall: server socket %d, %d bytes unread\n",
	        sfd, unread);
	{
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);
		int outq = -1;
		unsigned long long sent = 0;
		unsigned int i;

		for (i = 0; i < nhist && i < HIST; i++)
			sent += hist[(nhist - 1 - i) % HIST].len;
		(void)ioctl(conn, SIOCOUTQ, &outq);
		memset(&ti, 0, sizeof(ti));
		if (sfd != -1 &&
		    getsockopt(sfd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0)
			fprintf(stderr,
			        "fuzz_form: stall: server tcp state %u, "
			        "bytes received %llu, segs in %u, last data "
			        "%u ms ago, rcv_space %u\n",
			        ti.tcpi_state,
			        (unsigned long long)ti.tcpi_bytes_received,
			        ti.tcpi_segs_in, ti.tcpi_last_data_recv,
			        ti.tcpi_rcv_space);
		tl = sizeof(ti);
		memset(&ti, 0, sizeof(ti));
		if (getsockopt(conn, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0)
			fprintf(stderr,
			        "fuzz_form: stall: client tcp state %u, bytes "
			        "acked %llu, unsent/unacked %d, last %u "
			        "exchanges sent %llu bytes, retrans %u\n",
			        ti.tcpi_state,
			        (unsigned long long)ti.tcpi_bytes_acked, outq,
			        nhist < HIST ? nhist : HIST, sent,
			        ti.tcpi_total_retrans);
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL) {
		char path[64], line[256], want[32];
		FILE *f;
		int epoll = 0, found = 0;

		snprintf(path, sizeof(path), "/proc/self/fdinfo/%s",
		         de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		snprintf(want, sizeof(want), "tfd: %8d ", sfd);
		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, "tfd:", 4) == 0)
				epoll = 1;
			if (strncmp(line, want, strlen(want)) == 0) {
				found = 1;
				fprintf(stderr,
				        "fuzz_form: stall: epoll fd %s: %s",
				        de->d_name, line);
			}
		}
		if (epoll && !found)
			fprintf(
			    stderr,
			    "fuzz_form: stall: epoll fd %s: socket %d not in "
			    "its set\n",
			    de->d_name, sfd);
		fclose(f);
	}
	closedir(dir);
	fprintf(stderr, "fuzz_form: stall: last connection %s\n",
	        mc == NULL ? "unknown"
	        : info_u32(mc, MHD_CONNECTION_INFO_CONNECTION_SUSPENDED) ==
	                MHD_YES
	            ? "SUSPENDED"
	            : "not suspended");
	if (mc != NULL)
		fprintf(stderr,
		        "fuzz_form: stall: its fd %d, status queued %u, "
		        "timeout %u s\n",
		        (int)info_u32(mc, MHD_CONNECTION_INFO_CONNECTION_FD),
		        info_u32(mc, MHD_CONNECTION_INFO_HTTP_STATUS),
		        info_u32(mc, MHD_CONNECTION_INFO_CONNECTION_TIMEOUT));
	http_fuzz_req_dump(stderr);
	hist_dump();
	{
		char cmd[512];

		/* With a libmicrohttpd that has debug info (one built from
		 * source), gdb also prints its state of the connection. */
		snprintf(cmd, sizeof(cmd),
		         "gdb -p %d -batch -ex 'thread apply all bt' "
		         "-ex 'p *(struct MHD_Connection *)%p' "
		         "-ex 'p *((struct MHD_Connection *)%p)->daemon' "
		         "2>&1 | grep -v '^\\[' >&2",
		         (int)getpid(), (void *)mc, (void *)mc);
		(void)!system(cmd);
	}
}

/* Reads one reply from conn. 0, or -1 when the connection ended
 * before any byte of it came (the caller may send again). */
static int
read_reply(struct reply *r)
{
	char *buf = rbuf, *end = NULL;
	size_t got = 0, hlen = 0, want = 0, n;
	const char *cl;
	int ret = -1;

	for (;;) {
		ssize_t k;

		if (end != NULL && got >= hlen + want)
			break;
		FUZZ_CHECK(got < REPLY_MAX);
		if (poll_in(conn, REPLY_WAIT) != 1) {
			fprintf(stderr,
			        "fuzz_form: %zu bytes of reply in %d ms"
			        ", %u requests in flight\n",
			        got, REPLY_WAIT, http_inflight(app.http));
			if (got == 0)
				stall_report();
			/* Nothing at all, or a reply cut short: both fail
			 * (bug 9 of docs/fuzzing.md was a request never
			 * read; this harness once sent it again instead). */
			fail("no reply");
		}
		k = recv(conn, buf + got, REPLY_MAX - got, 0);
		if (k <= 0 && got == 0)
			goto done;
		FUZZ_CHECK(k > 0); /* the reply was cut short */
		got += (size_t)k;
		buf[got] = '\0';
		if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL) {
			hlen = (size_t)(end - buf) + 4;
			r->head = fuzz_dup((const uint8_t *)buf, hlen - 2, 1);
			parse_head(r);
			cl = header(r->head, "Content-Length", &n);
			if (r->status == 204 || r->status == 304) {
				want = 0;
			} else {
				char *e;

				FUZZ_CHECK(cl != NULL && n > 0 && n < 10);
				want = strtoul(cl, &e, 10);
				FUZZ_CHECK(e == cl + n);
			}
		}
	}
	/* One reply per request: nothing may follow it. */
	FUZZ_CHECK(got == hlen + want);
	r->body = fuzz_dup((const uint8_t *)buf + hlen, want, 1);
	r->len = want;
	ret = 0;
done:
	return ret;
}

/*
 * Closes conn after a reply that said "Connection: close", once the
 * server has closed its end: then TIME_WAIT is the server's. Were it
 * ours, thousands of closes a minute would use up the loopback's
 * ephemeral ports and connect() would fail.
 */
static void
hang_up(void)
{
	char c;

	if (poll_in(conn, 1000) == 1)
		(void)!recv(conn, &c, 1, 0);
	close(conn);
	conn = -1;
}

/* Sends req and reads the reply, on the kept-alive connection or a
 * new one. Returns 0, or -1 when the server cut the connection without
 * a reply (allowed only for a client that keeps sending). */
static int
exchange(const char *req, size_t len, struct reply *r)
{
	struct timespec t0, t1;
	long ms;
	int tries;

	memset(r, 0, sizeof(*r));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (tries = 0; tries < 2; tries++) {
		if (conn == -1) {
			FUZZ_CHECK((conn = connect_server()) != -1);
			nhist = 0;
			nconns++;
			{
				struct sockaddr_in a;
				socklen_t al = sizeof(a);

				if (getsockname(conn, (struct sockaddr *)&a,
				                &al) == 0)
					myport = ntohs(a.sin_port);
			}
		}
		/* A closed keep-alive connection shows here or as an end
		 * before the reply: send once more on a new one. */
		hist_add(req, len, tries);
		if (send_all(conn, req, len) == 0 && read_reply(r) == 0) {
			hist[(nhist - 1) % HIST].status = r->status;
			hist[(nhist - 1) % HIST].closing = r->closing;
			if (r->closing)
				hang_up();
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ms = (long)(t1.tv_sec - t0.tv_sec) * 1000 +
			     (t1.tv_nsec - t0.tv_nsec) / 1000000;
			if (ms > REPLY_SLOW)
				fprintf(stderr,
				        "fuzz_form: slow reply: %ld ms "
				        "for %.*s (%d tries)\n",
				        ms, (int)strcspn(req, "\r"), req,
				        tries + 1);
			if (ms > REPLY_STALL)
				fail("stall: a reply after more than "
				     "REPLY_STALL ms");
			return 0;
		}
		close(conn);
		conn = -1;
	}
	return -1;
}

/*
 * Waits until the server has finished every request (its completed
 * callback frees the request), so that the next input starts on an idle
 * server and libFuzzer counts this input's mallocs and frees together.
 */
static void
wait_idle(void)
{
	struct timespec ts = {0, 20 * 1000};
	unsigned int i;

	for (i = 0; http_inflight(app.http) > 0; i++) {
		FUZZ_CHECK(i < 250000); /* 5 s: a request never ends */
		nanosleep(&ts, NULL);
	}
}

/* Builds the request for route, content type and framing. */
static char *
build(size_t route, unsigned int op, size_t chunk, int chunked,
      const uint8_t *body, size_t len, size_t *outlen)
{
	struct buf b;
	unsigned long c = ++nreq;
	size_t i, k;
	char *out;

	buf_init(&b, 2048 + len + (len / chunk + 1) * 16);
	buf_addf(&b,
	         "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
	         "X-Forwarded-For: 10.%lu.%lu.%lu\r\n"
	         "Content-Type: %s\r\nUser-Agent: fuzz_form\r\n",
	         froutes[route].target, (c >> 16) & 255, (c >> 8) & 255,
	         c & 255, ctypes[(op >> 3) & 3]);
	if (op & 0x20)
		buf_adds(&b, op & 0x80 ? "Origin: https://evil.example\r\n"
		                       : "Origin: " SITE_ORIGIN "\r\n");
	else if (op & 0x80)
		buf_adds(&b, "Referer: " SITE_ORIGIN "/a/1\r\n");
	if (!chunked) {
		buf_addf(&b, "Content-Length: %zu\r\n\r\n", len);
		buf_add(&b, body, len);
	} else {
		buf_adds(&b, "Transfer-Encoding: chunked\r\n\r\n");
		for (i = 0; i < len; i += k) {
			k = len - i < chunk ? len - i : chunk;
			buf_addf(&b, "%zx\r\n", k);
			buf_add(&b, body + i, k);
			buf_adds(&b, "\r\n");
		}
		buf_adds(&b, "0\r\n\r\n");
	}
	FUZZ_CHECK(!b.failed);
	out = buf_take(&b, outlen);
	FUZZ_CHECK(out != NULL);
	return out;
}

/* --- the checks --- */

static int
snake_case(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return 0;
	return 1;
}

/* Checks one reply of route. Copies error.code and error.message of a
 * JSON error into code and msg ("" otherwise) for the caller's checks. */
static void
check_reply(size_t route, const struct reply *r, char *code, size_t codesz,
            char *msg, size_t msgsz)
{
	const struct froute *fr = &froutes[route];
	const char *ct;
	size_t n, i;
	int known = 0, json;

	code[0] = msg[0] = '\0';
	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++)
		if (documented[i] == r->status)
			known = 1;
	if (!known)
		fprintf(stderr, "status %u\n%s\n%s\n", r->status, r->head,
		        r->body);
	FUZZ_CHECK(known);
	if (r->status < 400)
		FUZZ_CHECK(r->status == fr->ok[0] || r->status == fr->ok[1]);
	if (r->status == 401)
		FUZZ_CHECK(fr->kind == K_ADMIN);
	FUZZ_CHECK(header(r->head, "X-Content-Type-Options", &n) != NULL);
	FUZZ_CHECK(header(r->head, "Referrer-Policy", &n) != NULL);
	if (r->status == 429)
		FUZZ_CHECK(header(r->head, "Retry-After", &n) != NULL);
	ct = header(r->head, "Content-Type", &n);
	json =
	    ct != NULL && n >= 16 && strncmp(ct, "application/json", 16) == 0;
	if (r->status >= 400 && fr->kind != K_EMBED)
		FUZZ_CHECK(json);
	if (json) {
		json_error_t jerr;
		json_t *j = json_loadb(r->body, r->len, 0, &jerr), *e, *c, *m,
		       *f;

		FUZZ_CHECK(j != NULL && json_is_object(j));
		if (r->status >= 400) {
			e = json_object_get(j, "error");
			FUZZ_CHECK(json_is_object(e));
			c = json_object_get(e, "code");
			m = json_object_get(e, "message");
			f = json_object_get(e, "fields");
			FUZZ_CHECK(json_is_string(c) &&
			           snake_case(json_string_value(c)));
			FUZZ_CHECK(json_is_string(m) &&
			           json_string_length(m) > 0);
			FUZZ_CHECK(f == NULL || json_is_object(f));
			snprintf(code, codesz, "%s", json_string_value(c));
			snprintf(msg, msgsz, "%s", json_string_value(m));
		}
		json_decref(j);
	}
}

static int
hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
key_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static int
value_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/*
 * 1 when every '%' of the body starts a "%XX" escape. libmicrohttpd
 * 0.9.75 decodes a broken escape ("%x%00") differently when its input
 * ends inside it, so only bodies without one must read the same whole
 * and in chunks.
 */
static int
escapes_ok(const uint8_t *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] == '%' && (i + 2 >= len || hexval(b[i + 1]) < 0 ||
		                    hexval(b[i + 2]) < 0))
			return 0;
	return 1;
}

/*
 * The reference reader of a simple urlencoded body (see the top).
 * Returns -1 when the body is not simple, else the field_error that
 * http.c must report for it, in its order: per field, a name above
 * MAX_FIELD_NAME (4), a name seen before (2), one field too many (1), a
 * NUL in the value (3); 0 for a body it must take.
 */
static int
simple_form_error(const uint8_t *b, size_t len)
{
	char names[MAX_FIELDS][MAX_FIELD_NAME + 1];
	size_t nf = 0, i = 0, start, klen, j;
	int err = 0, nul;

	if (len == 0)
		return -1;
	for (;;) {
		for (start = i; i < len && key_char(b[i]); i++)
			;
		klen = i - start;
		if (klen == 0 || klen > 200 || i == len || b[i] != '=')
			return -1;
		/* Values are not empty: libmicrohttpd passes "a=" as an
		 * empty piece, which http.c may join to a next "a=". */
		if (++i == len || b[i] == '&')
			return -1;
		for (nul = 0; i < len && b[i] != '&';) {
			if (b[i] == '%') {
				if (i + 2 >= len || hexval(b[i + 1]) < 0 ||
				    hexval(b[i + 2]) < 0)
					return -1;
				if (hexval(b[i + 1]) == 0 &&
				    hexval(b[i + 2]) == 0)
					nul = 1;
				i += 3;
			} else if (value_char(b[i]))
				i++;
			else
				return -1;
		}
		if (err == 0) {
			for (j = 0; j < nf; j++)
				if (strlen(names[j]) == klen &&
				    memcmp(names[j], b + start, klen) == 0)
					break;
			if (klen > MAX_FIELD_NAME)
				err = 4;
			else if (j < nf)
				err = 2;
			else if (nf == MAX_FIELDS)
				err = 1;
			else {
				memcpy(names[nf], b + start, klen);
				names[nf++][klen] = '\0';
				if (nul)
					err = 3;
			}
		}
		if (i == len)
			return err;
		if (++i == len)
			return -1; /* a trailing '&' */
	}
}

/* Overwrites the value of an error body's "request_id" with 'x's. */
static void
blank_request_id(char *body)
{
	char *p = body != NULL ? strstr(body, "\"request_id\":\"") : NULL;

	if (p == NULL)
		return;
	for (p += strlen("\"request_id\":\""); *p != '\0' && *p != '"'; p++)
		*p = 'x';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* The messages of http.c's field errors, in field_error order. */
	static const char *const bad_body[] = {
	    "The body cannot be read.", "Too many fields.",
	    "A field appears twice.", "A field contains a NUL byte.",
	    "A field name is too long."};
	struct reply r, r2;
	char code[64], msg[256], code2[64], msg2[256], *req;
	const uint8_t *body;
	size_t route, chunk, len, reqlen, cap;
	unsigned int op, ct;
	int chunked, form, expect;

	if (size < 2)
		return 0;
	op = data[0];
	route = op & 7;
	ct = (op >> 3) & 3;
	chunked = (op & 0x40) != 0;
	chunk = (size_t)data[1] + 1;
	body = data + 2;
	len = size - 2;
	cap = caps[route];
	form = ct <= 1;

	req = build(route, op, chunk, chunked, body, len, &reqlen);
	if (exchange(req, reqlen, &r) != 0) {
		/* Cut off: only a chunked body past twice the cap. */
		FUZZ_CHECK(chunked && len > 2 * cap);
		goto done;
	}
	check_reply(route, &r, code, sizeof(code), msg, sizeof(msg));
	if (trace)
		fprintf(stderr, "fuzz_form: %s %s%s: %u %s %s\n",
		        froutes[route].target, ctypes[ct],
		        chunked ? " chunked" : "", r.status, code, msg);

	/* Caps and types, decided before any body is read. */
	if (!chunked && len > cap)
		FUZZ_CHECK(r.status == 413 &&
		           strcmp(code, "body_too_large") == 0);
	else if (ct == 2 && len > 0)
		FUZZ_CHECK(r.status == 415);
	else if (chunked && len > cap && form)
		FUZZ_CHECK(r.status == 413 || strcmp(code, "bad_body") == 0);
	else if (chunked && len > cap)
		FUZZ_CHECK(r.status == 413);

	/* docs/api.md: a field with a NUL byte is a 400; a raw one too. */
	if (form && len <= cap && memchr(body, '\0', len) != NULL)
		FUZZ_CHECK(r.status == 400 && strcmp(code, "bad_body") == 0);

	/* The reference reader, for bodies within the cap. */
	if (form && len <= cap &&
	    (expect = simple_form_error(body, len)) >= 0) {
		if (expect > 0 &&
		    (r.status != 400 || strcmp(code, "bad_body") ||
		     strcmp(msg, bad_body[expect]))) {
			fprintf(stderr, "expected bad_body \"%s\", got %u %s\n",
			        bad_body[expect], r.status, code);
			fail("the field error was not reported");
		}
		if (expect == 0 && strcmp(code, "bad_body") == 0) {
			fprintf(stderr, "got bad_body \"%s\"\n", msg);
			fail("a good body was refused");
		}
	}

	/* The admin route: whole and chunked give the same reply. */
	if (froutes[route].kind == K_ADMIN && len > 0 && len <= cap &&
	    escapes_ok(body, len)) {
		free(req);
		req = build(route, op, chunk, !chunked, body, len, &reqlen);
		FUZZ_CHECK(exchange(req, reqlen, &r2) == 0);
		check_reply(route, &r2, code2, sizeof(code2), msg2,
		            sizeof(msg2));
		/* With two faults in a body, which one is met first
		 * depends on where libmicrohttpd's input ends (it checks
		 * a whole value it holds before passing any of it): then
		 * only the message may differ. */
		/* Each request has its own id: not part of the comparison. */
		blank_request_id(r.body);
		blank_request_id(r2.body);
		if (!(r.status == 400 && strcmp(code, "bad_body") == 0 &&
		      strcmp(code2, "bad_body") == 0) &&
		    (r2.status != r.status || r2.len != r.len ||
		     memcmp(r2.body, r.body, r.len) != 0)) {
			fprintf(stderr, "%s: %u %s\n%s: %u %s\n",
			        chunked ? "chunked" : "whole", r.status, r.body,
			        chunked ? "whole" : "chunked", r2.status,
			        r2.body);
			fail("whole and chunked bodies differ");
		}
		reply_clear(&r2);
	}
done:
	wait_idle();
	reply_clear(&r);
	free(req);
	return 0;
}
