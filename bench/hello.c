/*
 * bench_hello: the smallest libmicrohttpd server that answers like bandocd's
 * GET /healthz, used by bench/bench.sh as the baseline ("bare") figure.
 *
 *	bench_hello PORT [READY_FILE [THREADS]]
 *
 * Listens on 127.0.0.1:PORT (0 picks a free port) with an epoll thread pool
 * of THREADS threads (default 2, as bandocd's `threads = 2`), answers every
 * request with 200 "ok" text/plain, writes "127.0.0.1:PORT\n" to READY_FILE
 * once it is listening, and stops cleanly on SIGTERM or SIGINT.
 *
 * Request bodies are read and thrown away so that POST scenarios can be
 * compared too.
 */

#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#define HELLO_DEFAULT_THREADS 2
/* More threads than this on a benchmark box is a typo, not a setting. */
#define HELLO_MAX_THREADS 256

static const char hello_body[] = "ok";

/*
 * Marker stored in *con_cls after the first call for a request.  Any non-NULL
 * value would do; nothing is allocated, so nothing needs freeing.
 */
static int request_seen;

/*
 * Parses a decimal number in [min, max] from s into *out.  Returns 0, or -1
 * when s is not entirely such a number.
 */
static int
parse_long(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * Writes "127.0.0.1:PORT\n" to path through a temporary file and rename(),
 * so a reader polling for the file never sees it half written.  Returns 0 or
 * -1 (after printing why).
 */
static int
write_ready_file(const char *path, unsigned int port)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int n, ret = -1;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		fprintf(stderr, "bench_hello: ready file path too long\n");
		goto done;
	}
	if ((f = fopen(tmp, "w")) == NULL) {
		perror(tmp);
		goto done;
	}
	if (fprintf(f, "127.0.0.1:%u\n", port) < 0) {
		perror(tmp);
		goto done;
	}
	if (fclose(f) != 0) {
		f = NULL;
		perror(tmp);
		goto done;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		perror(path);
		goto done;
	}
	ret = 0;
done:
	if (f != NULL)
		fclose(f);
	return ret;
}

/*
 * Access handler.  libmicrohttpd 0.9.75 closes the connection after the reply
 * (`Connection: close`) when a response is queued on the first call for a
 * request, which costs about 8x in throughput with keep-alive clients.  So the
 * first call only marks the request, body calls discard the data, and the
 * reply is queued on the final call, exactly as bandocd's http.c does.
 */
static enum MHD_Result
answer(void *cls, struct MHD_Connection *conn, const char *url,
       const char *method, const char *version, const char *upload_data,
       size_t *upload_data_size, void **con_cls)
{
	struct MHD_Response *resp = cls;

	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;

	if (*con_cls == NULL) {
		*con_cls = &request_seen;
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	return MHD_queue_response(conn, MHD_HTTP_OK, resp);
}

int
main(int argc, char **argv)
{
	struct MHD_Daemon *d = NULL;
	struct MHD_Response *resp = NULL;
	const union MHD_DaemonInfo *info;
	struct sockaddr_in sin;
	sigset_t sigs;
	long port = 0, threads = HELLO_DEFAULT_THREADS;
	const char *ready_file = NULL;
	int sig, ret = 1;

	if (argc < 2 || argc > 4) {
		fprintf(stderr,
		        "usage: bench_hello PORT [READY_FILE [THREADS]]\n");
		return 2;
	}
	if (parse_long(argv[1], 0, 65535, &port) != 0) {
		fprintf(stderr, "bench_hello: bad port '%s'\n", argv[1]);
		return 2;
	}
	if (argc > 2 && argv[2][0] != '\0')
		ready_file = argv[2];
	if (argc > 3 &&
	    parse_long(argv[3], 1, HELLO_MAX_THREADS, &threads) != 0) {
		fprintf(stderr, "bench_hello: bad thread count '%s'\n",
		        argv[3]);
		return 2;
	}

	/*
	 * Block the stop signals before any thread exists, so that every
	 * libmicrohttpd thread inherits the mask and only sigwait() below
	 * receives them.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0) {
		fprintf(stderr, "bench_hello: cannot block signals\n");
		goto done;
	}
	/* A client that hangs up mid-reply must not kill the server. */
	signal(SIGPIPE, SIG_IGN);

	resp = MHD_create_response_from_buffer(sizeof(hello_body) - 1,
	                                       (void *)(uintptr_t)hello_body,
	                                       MHD_RESPMEM_PERSISTENT);
	if (resp == NULL ||
	    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	                            "text/plain") != MHD_YES) {
		fprintf(stderr, "bench_hello: cannot build the response\n");
		goto done;
	}

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, answer, resp, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)&sin, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned int)threads, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "bench_hello: cannot start on 127.0.0.1:%ld\n",
		        port);
		goto done;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0) {
		fprintf(stderr, "bench_hello: cannot read the bound port\n");
		goto done;
	}
	if (ready_file != NULL && write_ready_file(ready_file, info->port) != 0)
		goto done;

	do {
		if (sigwait(&sigs, &sig) != 0)
			goto done;
	} while (sig != SIGTERM && sig != SIGINT);
	ret = 0;
done:
	if (d != NULL)
		MHD_stop_daemon(d);
	if (resp != NULL)
		MHD_destroy_response(resp);
	return ret;
}
