/*
 * rmt_conn.c: one SMTP connection of samotop-remote, plain or TLS.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "fdio.h"
#include "rmt_conn.h"

void
rmt_conn_init(struct rmt_conn *c, struct tlslib *lib, struct ssllib *ssllib)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->lib = lib;
	c->ssllib = ssllib;
}

int
rmt_conn_open(struct rmt_conn *c, const struct rmt_addr *a, unsigned port,
    long ms)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (a->family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((unsigned short)port);
		memcpy(&s4->sin_addr, a->a, 4);
		len = sizeof(*s4);
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((unsigned short)port);
		memcpy(&s6->sin6_addr, a->a, 16);
		len = sizeof(*s6);
	}
	c->off = c->len = 0;
	if ((c->fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    fd_connect(c->fd, (struct sockaddr *)&ss, len,
	    fd_deadline(ms)) == -1 || fd_set_flags(c->fd, 1) == -1) {
		snprintf(c->why, sizeof(c->why), "connect: %s",
		    strerror(errno));
		rmt_conn_close(c);
		return -1;
	}
	/*
	 * No Nagle: the final ".\r\n" is a small write after the message,
	 * and would wait for the peer's delayed ACK (some 40 ms a message,
	 * bench/outqueue.py found).  The writes are whole commands and
	 * blocks, so nothing is lost by sending each at once.
	 */
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return 0;
}

/* A TLS call's wish to wait, waited for; 1 to retry, 0 time-out. */
static int
tls_wait(struct rmt_conn *c, ssize_t rc, long long deadline)
{
	return fd_wait_until(c->fd, rc == TLS_WANT_POLLIN ? POLLIN : POLLOUT,
	    deadline) > 0;
}

int
rmt_conn_write(struct rmt_conn *c, const char *buf, size_t len,
    long long deadline)
{
	ssize_t n;

	while (len > 0) {
		if (c->ssl != NULL) {
			if ((n = rmt_conn_ssl_io(c, 1, (void *)(uintptr_t)buf,
			    len, deadline)) <= 0)
				return -1;
		} else if (c->tls != NULL) {
			n = c->lib->write(c->tls, buf, len);
			if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
				if (!tls_wait(c, n, deadline))
					goto timeout;
				continue;
			}
			if (n < 0) {
				snprintf(c->why, sizeof(c->why), "TLS write: "
				    "%s", c->lib->error(c->tls));
				return -1;
			}
		} else {
			n = write(c->fd, buf, len);
			if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
				if (fd_wait_until(c->fd, POLLOUT,
				    deadline) <= 0)
					goto timeout;
				continue;
			}
			if (n == -1) {
				snprintf(c->why, sizeof(c->why), "write: %s",
				    strerror(errno));
				return -1;
			}
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
timeout:
	snprintf(c->why, sizeof(c->why), "time-out writing");
	return -1;
}

/* Fill c->in; 0, or -1 with why. */
static int
fill(struct rmt_conn *c, long long deadline)
{
	ssize_t n;

	for (;;) {
		if (c->ssl != NULL) {
			if ((n = rmt_conn_ssl_io(c, 0, c->in, sizeof(c->in),
			    deadline)) == -1)
				return -1;
		} else if (c->tls != NULL) {
			n = c->lib->read(c->tls, c->in, sizeof(c->in));
			if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
				if (!tls_wait(c, n, deadline))
					break;
				continue;
			}
			if (n < 0) {
				snprintf(c->why, sizeof(c->why), "TLS read: "
				    "%s", c->lib->error(c->tls));
				return -1;
			}
		} else {
			n = read(c->fd, c->in, sizeof(c->in));
			if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
				if (fd_wait_until(c->fd, POLLIN,
				    deadline) <= 0)
					break;
				continue;
			}
			if (n == -1) {
				snprintf(c->why, sizeof(c->why), "read: %s",
				    strerror(errno));
				return -1;
			}
		}
		if (n == 0) {
			snprintf(c->why, sizeof(c->why), "connection closed "
			    "by the server");
			return -1;
		}
		c->off = 0;
		c->len = (size_t)n;
		return 0;
	}
	snprintf(c->why, sizeof(c->why), "time-out waiting for a reply");
	return -1;
}

int
rmt_conn_reply(struct rmt_conn *c, struct rmt_reader *r, int ehlo,
    long long deadline)
{
	enum rmt_read st;
	size_t used;

	rmt_reader_init(r, ehlo);
	for (;;) {
		if (c->off == c->len && fill(c, deadline) == -1)
			return -1;
		st = rmt_reader_feed(r, c->in + c->off, c->len - c->off,
		    &used);
		c->off += used;
		if (st == RMT_READ_DONE)
			return 0;
		if (st == RMT_READ_BAD) {
			snprintf(c->why, sizeof(c->why), "not an SMTP reply");
			return -1;
		}
	}
}

int
rmt_conn_pending(const struct rmt_conn *c)
{
	return c->off < c->len;
}

int
rmt_conn_starttls(struct rmt_conn *c, const char *servername,
    enum rmt_tls_policy policy, const struct rmt_dane_host *dane,
    long long deadline)
{
	struct tlslib *l = c->lib;
	char why[200];
	const char *s;
	int rc;

	if (policy == RMT_TLS_DANE)
		return rmt_conn_dane_handshake(c, servername, dane, deadline);
	if (policy == RMT_TLS_VERIFY)
		return rmt_conn_verify_handshake(c, servername, deadline);
	if (tlslib_open(l, why, sizeof(why)) == -1) {
		snprintf(c->why, sizeof(c->why), "libtls: %s", why);
		return -1;
	}
	if (l->init() == -1 || (c->cfg = l->config_new()) == NULL ||
	    (c->tls = l->client()) == NULL) {
		snprintf(c->why, sizeof(c->why), "libtls: out of memory");
		return -1;
	}
	/*
	 * No authentication (RFC 7435): MX names come from unsigned DNS,
	 * so checking them against a certificate proves nothing.  DANE
	 * (RFC 7672) and MTA-STS (RFC 8461) are the policies that verify
	 * (above), each with its own reference identifiers.
	 */
	l->config_insecure_noverifycert(c->cfg);
	l->config_insecure_noverifyname(c->cfg);
	if (l->configure(c->tls, c->cfg) == -1 ||
	    l->connect_socket(c->tls, c->fd, servername) == -1) {
		snprintf(c->why, sizeof(c->why), "TLS set-up: %s",
		    l->error(c->tls));
		return -1;
	}
	while ((rc = l->handshake(c->tls)) != 0) {
		if (rc != TLS_WANT_POLLIN && rc != TLS_WANT_POLLOUT) {
			snprintf(c->why, sizeof(c->why), "TLS handshake: %s",
			    (s = l->error(c->tls)) != NULL ? s : "failed");
			return -1;
		}
		if (!tls_wait(c, rc, deadline)) {
			snprintf(c->why, sizeof(c->why), "TLS handshake: "
			    "time-out");
			return -1;
		}
	}
	snprintf(c->version, sizeof(c->version), "%s",
	    (s = l->conn_version(c->tls)) != NULL ? s : "?");
	snprintf(c->cipher, sizeof(c->cipher), "%s",
	    (s = l->conn_cipher(c->tls)) != NULL ? s : "?");
	c->bits = l->conn_cipher_strength(c->tls);
	return 0;
}

void
rmt_conn_close(struct rmt_conn *c)
{
	rmt_conn_ssl_close(c);
	if (c->tls != NULL) {
		/* close_notify, without waiting for the peer's */
		(void)c->lib->close(c->tls);
		c->lib->free(c->tls);
		c->tls = NULL;
	}
	if (c->cfg != NULL) {
		c->lib->config_free(c->cfg);
		c->cfg = NULL;
	}
	if (c->fd != -1) {
		close(c->fd);
		c->fd = -1;
	}
	c->off = c->len = 0;
	c->version[0] = c->cipher[0] = '\0';
	c->bits = 0;
}
