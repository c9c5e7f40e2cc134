/*
 * scr_httpconn.c: the web page's connection (scr_http.h, scr_http_serve()):
 * TLS or plain descriptors, made non-blocking so that every read and
 * write waits until a deadline at most, requests read whole into one
 * fixed buffer (the parser's limits bound it), answered by
 * scr_http_handle(), one log line each.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <tls.h>
#include <unistd.h>

#include "fdio.h"
#include "scr_http.h"
#include "smtptls.h"

/* The connection: plain descriptors, or TLS over them. */
struct conn {
	int		 rfd, wfd;
	struct smtptls	*tls;		/* NULL: plain */
	char		 buf[SCR_HTTP_HEAD_MAX + SCR_HTTP_BODY_MAX + 1024];
	size_t		 len;
};

/* Read more into c->buf by deadline: > 0, 0 at EOF, -1 (errno). */
static ssize_t
conn_read(struct conn *c, long long deadline)
{
	size_t room = sizeof(c->buf) - c->len;
	ssize_t n;
	int w;

	if (room == 0) {	/* the limits keep it from happening */
		errno = ENOBUFS;
		return -1;
	}
	for (;;) {
		short ev = POLLIN;

		if (c->tls == NULL)
			n = fd_read_some(c->rfd, c->buf + c->len, room);
		else {
			n = c->tls->lib.read(c->tls->conn, c->buf + c->len,
			    room);
			if (n == TLS_WANT_POLLOUT)
				ev = POLLOUT;
			else if (n == -1)
				errno = EPROTO;
		}
		if (n >= 0)
			break;
		if (c->tls == NULL ? errno != EAGAIN :
		    n != TLS_WANT_POLLIN && n != TLS_WANT_POLLOUT)
			return -1;
		w = fd_wait_until(ev == POLLIN ? c->rfd : c->wfd, ev,
		    deadline);
		if (w == 0)
			errno = ETIMEDOUT;
		if (w <= 0)
			return -1;
	}
	c->len += (size_t)n;
	return n;
}

static int
conn_write(struct conn *c, const char *p, size_t len, long long deadline)
{
	ssize_t n;

	if (c->tls == NULL) {
		/* A client that does not read must not hold us. */
		while (len > 0) {
			if (fd_wait_until(c->wfd, POLLOUT, deadline) <= 0)
				return -1;
			if ((n = write(c->wfd, p, len)) == -1) {
				if (errno == EINTR || errno == EAGAIN)
					continue;
				return -1;
			}
			p += n;
			len -= (size_t)n;
		}
		return 0;
	}
	while (len > 0) {
		n = c->tls->lib.write(c->tls->conn, p, len);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
			if (fd_wait_until(n == TLS_WANT_POLLIN ? c->rfd :
			    c->wfd, n == TLS_WANT_POLLIN ? POLLIN : POLLOUT,
			    deadline) <= 0)
				return -1;
			continue;
		}
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *
method_name(enum scr_method m)
{
	return m == SCR_GET ? "GET" : m == SCR_HEAD ? "HEAD" :
	    m == SCR_POST ? "POST" : "other";
}

static void
log_request(const struct scr_http *h, const struct scr_http_req *r,
    int status, const char *client)
{
	char st[8];

	snprintf(st, sizeof(st), "%d", status);
	log_event(h->lg, status >= 500 ? LVL_WARN : status >= 400 ?
	    LVL_WARN : LVL_INFO, "http", "client", client,
	    "method", r->method != 0 ? method_name(r->method) : NULL,
	    "target", r->path[0] != '\0' ? r->path : NULL,
	    "status", st, "user", h->user[0] != '\0' ? h->user : NULL,
	    "error", h->why, NULL);
}

/* One request (the last one allowed: last): 1 go on, 0 it ends. */
static int
one_request(struct scr_http *h, struct conn *c, const char *client, int last)
{
	struct scr_http_req r;
	struct scr_buf out = { 0 };
	long long deadline = fd_deadline(SCR_HTTP_DEADLINE * 1000L);
	size_t need;
	ssize_t n;
	int head, status, ok;

	while ((head = scr_http_parse(c->buf, c->len, &r)) == 0) {
		if ((n = conn_read(c, deadline)) > 0)
			continue;
		if (c->len == 0)
			return 0;	/* closed, or idle: quietly */
		if (n == -1 && errno == ETIMEDOUT) {
			r.status = 408;
			r.error = "request not complete by the deadline";
			head = -1;
			break;
		}
		log_event(h->lg, LVL_WARN, "http", "client", client,
		    "error", n == 0 ? "connection closed in a request" :
		    strerror(errno), NULL);
		return 0;
	}
	if (head > 0) {
		need = (size_t)head + r.content_length;
		while (c->len < need) {
			if ((n = conn_read(c, deadline)) > 0)
				continue;
			if (n == -1 && errno == ETIMEDOUT) {
				r.status = 408;
				r.error = "body not complete by the deadline";
				head = -1;
				break;
			}
			log_event(h->lg, LVL_WARN, "http", "client", client,
			    "error", "connection closed in a body", NULL);
			return 0;
		}
	}
	if (head == -1) {
		scr_http_refuse(h, &r, &out);
		status = r.status;
	} else {
		if (last)
			r.keep_alive = 0;	/* "Connection: close" */
		status = scr_http_handle(h, &r, c->buf + head,
		    r.content_length, &out);
	}
	log_request(h, &r, status, client);
	ok = !out.failed && conn_write(c, out.p, out.len,
	    fd_deadline(SCR_HTTP_DEADLINE * 1000L)) == 0;
	scr_buf_free(&out);
	if (!ok || h->close || head == -1)
		return 0;
	need = (size_t)head + r.content_length;
	memmove(c->buf, c->buf + need, c->len - need);
	c->len -= need;
	return 1;
}

/* The TLS set-up: smtptls with the page's own certificate and key. */
static struct smtptls *
tls_start(const struct conf *cf, int rfd, int wfd, const struct logger *lg)
{
	struct smtptls *t;
	struct conf *tc;
	int rc = -1;

	if ((t = malloc(sizeof(*t))) == NULL ||
	    (tc = malloc(sizeof(*tc))) == NULL) {
		free(t);
		log_event(lg, LVL_ERROR, "tls", "error", strerror(errno),
		    NULL);
		return NULL;
	}
	smtptls_init(t);
	/* smtptls reads tls-*: a copy of the configuration with ours. */
	memcpy(tc, cf, sizeof(*tc));
	tc->tls_certificate = cf->screener_tls_cert;
	tc->tls_key = cf->screener_tls_key;
	tc->tls_ocsp_staple = NULL;
	tc->tls_implicit = 1;	/* browsers: forward-secret AEAD only */
	if (smtptls_load(t, tc) == 0 &&
	    smtptls_accept(t, tc, rfd, wfd, SCR_HTTP_DEADLINE) == 0)
		rc = 0;
	free(tc);
	if (rc == -1) {
		log_event(lg, LVL_WARN, "tls", "error", t->why, NULL);
		smtptls_free(t);
		free(t);
		return NULL;
	}
	return t;
}

static const char *
client_of(void)
{
	const char *s = getenv("TCPREMOTEIP");

	if (s == NULL)
		s = getenv("REMOTE_ADDR");
	return s;
}

int
scr_http_serve(const struct conf *cf, const struct scr_source *src, int rfd,
    int wfd)
{
	struct logger lg;
	struct scr_http h;
	struct conn *c;
	const char *client = client_of();
	unsigned i;

	log_init(&lg, 2, cf->log_level, "prog=samotop-screener");
	if (cf->log_sink == LOG_SINK_SYSLOG)
		log_use_syslog(&lg, "samotop-screener");
	if (cf->leave_no_trace)
		log_notrace(&lg, NULL, NULL);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_event(&lg, LVL_ERROR, "http", "error", strerror(errno),
		    NULL);
		return EX_OSERR;
	}
	c->rfd = rfd;
	c->wfd = wfd;
	/* A client gone while it is answered is an error, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	scr_http_init(&h, cf, src, &lg);
	if (cf->screener_tls_cert != NULL && cf->screener_tls_key != NULL) {
		if ((c->tls = tls_start(cf, rfd, wfd, &lg)) == NULL) {
			free(c);
			return 0;	/* the client's failure, logged */
		}
		h.tls = 1;
	} else if (fd_set_flags(rfd, 1) == -1 || fd_set_flags(wfd, 1) == -1) {
		/* Non-blocking, so that no read or write outlasts a deadline. */
		log_event(&lg, LVL_ERROR, "http", "error", strerror(errno),
		    NULL);
		free(c);
		return EX_OSERR;
	}
	for (i = 0; i < SCR_HTTP_REQUESTS_MAX; i++)
		if (!one_request(&h, c, client,
		    i + 1 == SCR_HTTP_REQUESTS_MAX))
			break;
	scr_http_done(&h);
	if (c->tls != NULL) {
		smtptls_free(c->tls);
		free(c->tls);
	}
	explicit_bzero(c->buf, sizeof(c->buf));
	free(c);
	return 0;
}
