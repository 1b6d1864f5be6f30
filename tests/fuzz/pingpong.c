/*
 * pingpong: the traffic pattern of fuzz_form without bandoc and without
 * libmicrohttpd, to tell a lost wake-up in the kernel from one of ours
 * (bug 9, docs/fuzzing.md).
 *
 * One process, two threads, as in fuzz_form: a server thread with a
 * non-blocking, edge-triggered epoll loop (as libmicrohttpd 0.9.75 runs
 * it: read until a short read, answer, keep the connection or close it
 * first), and a client thread that sends a request of 200-6000 bytes on
 * a kept-alive loopback connection and waits for the whole answer with
 * poll(). Every 20th answer closes the connection (the server closes
 * first, as after "Connection: close"), so connections churn at the
 * rate fuzz_form's do.
 *
 * When an answer takes more than STALL_MS, it prints the kernel's view
 * of both sockets (/proc/net/tcp: tx_queue:rx_queue) and exits 1; after
 * SECONDS without one it exits 0.
 *
 *   pingpong [SECONDS [idle,cork]]   (default 300; idle: sleep 20 us
 *        after each answer, as fuzz_form does; cork: send each answer
 *        between TCP_CORK on and off, as libmicrohttpd does)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STALL_MS  5000
#define CLOSE_ALL 20
#define REQ_MAX   6000
#define REPLY_LEN 400

static int lfd;
static int cork; /* "cork" on the command line */
static unsigned short port;

/* A request is its length (4 bytes) and that many bytes. */
struct conn {
	int fd;
	char buf[REQ_MAX + 4];
	size_t got;
	unsigned long served;
};

static void
serve(struct conn *c, int ep)
{
	static unsigned long total;
	char reply[REPLY_LEN];

	for (;;) {
		size_t space = sizeof(c->buf) - c->got;
		ssize_t n = recv(c->fd, c->buf + c->got, space, 0);
		unsigned int want;

		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
			close(c->fd);
			free(c);
			return;
		}
		if (n > 0)
			c->got += (size_t)n;
		if (c->got >= 4) {
			memcpy(&want, c->buf, 4);
			if (c->got >= 4 + want) {
				int on = 1, off = 0;

				memset(reply, 'r', sizeof(reply));
				/* Corked, as libmicrohttpd 0.9.75 sends a
				 * reply, then uncorked to push it. */
				if (cork)
					setsockopt(c->fd, IPPROTO_TCP, TCP_CORK,
					           &on, sizeof(on));
				(void)!send(c->fd, reply, sizeof(reply),
				            MSG_NOSIGNAL);
				if (cork)
					setsockopt(c->fd, IPPROTO_TCP, TCP_CORK,
					           &off, sizeof(off));
				c->got = 0;
				if (++total % CLOSE_ALL == 0) {
					epoll_ctl(ep, EPOLL_CTL_DEL, c->fd,
					          NULL);
					close(c->fd);
					free(c);
					return;
				}
			}
		}
		/* A short read: the socket is drained (libmicrohttpd clears
		 * its read-ready flag here and waits for the next edge). */
		if (n < 0 || (size_t)n < space)
			return;
	}
}

static void *
server(void *arg)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {EPOLLIN, {.ptr = NULL}}, evs[64];

	(void)arg;
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
	for (;;) {
		int i, n = epoll_wait(ep, evs, 64, 15000);

		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL) {
				int fd = accept4(lfd, NULL, NULL,
				                 SOCK_NONBLOCK | SOCK_CLOEXEC);
				struct conn *c;
				struct epoll_event ce;

				if (fd < 0 ||
				    (c = calloc(1, sizeof(*c))) == NULL)
					continue;
				c->fd = fd;
				ce.events =
				    EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLET;
				ce.data.ptr = c;
				epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
				serve(c, ep);
			} else if (evs[i].events & EPOLLIN) {
				serve(evs[i].data.ptr, ep);
			}
		}
	}
	return NULL;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void
proc_net_tcp(unsigned int myport)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[256], want[16];

	snprintf(want, sizeof(want), ":%04X ", myport);
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, want) != NULL)
			fprintf(stderr, "pingpong: %s", line);
	if (f != NULL)
		fclose(f);
}

int
main(int argc, char **argv)
{
	long seconds = argc > 1 ? atol(argv[1]) : 300;
	int idle = argc > 2 && strstr(argv[2], "idle") != NULL;

	cork = argc > 2 && strstr(argv[2], "cork") != NULL;
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	pthread_t t;
	struct timespec start;
	char req[REQ_MAX + 4], reply[REPLY_LEN];
	unsigned long nreq = 0, nconn = 0;
	unsigned int seed = 1, myport = 0;
	int c = -1;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(lfd, 128) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) != 0)
		return 2;
	port = ntohs(a.sin_port);
	pthread_create(&t, NULL, server, NULL);
	memset(req, 'q', sizeof(req));
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (ms_since(&start) < seconds * 1000) {
		unsigned int len = 200 + (unsigned int)rand_r(&seed) % 5800;
		struct timespec t0;
		size_t got = 0;

		if (c == -1) {
			c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
			a.sin_port = htons(port);
			if (connect(c, (struct sockaddr *)&a, sizeof(a)) != 0)
				return 2;
			al = sizeof(a);
			{
				struct sockaddr_in me;
				socklen_t ml = sizeof(me);

				getsockname(c, (struct sockaddr *)&me, &ml);
				myport = ntohs(me.sin_port);
			}
			nconn++;
		}
		memcpy(req, &len, 4);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (send(c, req, 4 + len, MSG_NOSIGNAL) != (ssize_t)(4 + len)) {
			close(c);
			c = -1;
			continue;
		}
		nreq++;
		while (got < REPLY_LEN) {
			struct pollfd p = {c, POLLIN, 0};
			ssize_t n;

			if (poll(&p, 1, STALL_MS) != 1) {
				fprintf(
				    stderr,
				    "pingpong: no answer in %d ms: request %lu "
				    "(%u bytes), connection %lu, %ld s after "
				    "the start, port %u; got %zu\n",
				    STALL_MS, nreq, len, nconn,
				    ms_since(&start) / 1000, myport, got);
				proc_net_tcp(myport);
				return 1;
			}
			n = recv(c, reply, sizeof(reply) - got, 0);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		/* fuzz_form then waits for the server's completion callback
		 * in 20 us sleeps (wait_idle): the CPU idles between requests.
		 */
		if (idle) {
			struct timespec ts = {0, 20 * 1000};

			nanosleep(&ts, NULL);
		}
		if (ms_since(&t0) > 1000)
			fprintf(stderr, "pingpong: slow answer: %ld ms\n",
			        ms_since(&t0));
		if (got < REPLY_LEN) { /* closed by the server */
			close(c);
			c = -1;
			continue;
		}
		/* The server closes after every CLOSE_ALL-th answer: wait for
		 * its FIN, so TIME_WAIT is the server's (as fuzz_form). */
		if (nreq % CLOSE_ALL == 0) {
			struct pollfd p = {c, POLLIN, 0};
			char ch;

			if (poll(&p, 1, 1000) == 1)
				(void)!recv(c, &ch, 1, 0);
			close(c);
			c = -1;
		}
	}
	printf("pingpong: %lu requests on %lu connections in %ld s, no "
	       "answer later than %d ms\n",
	       nreq, nconn, seconds, STALL_MS);
	return 0;
}
