/*
 * rmt_conn_dane.c: samotop-remote's TLS with DANE (RFC 7672), made with
 * libssl's SSL_dane_* calls (ssllib.h), as Postfix makes it: the host's
 * usable TLSA records are given to OpenSSL, which matches the chain the
 * server sends against them (DANE-EE(3): the server's own certificate or
 * key, whatever its names, issuer or dates, 3.1.1; DANE-TA(2): a trust
 * anchor in the chain, then the usual chain checks and the MX host name,
 * 3.1.2); the verdict is read after the handshake.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fdio.h"
#include "rmt_conn.h"

/* libssl's last error as text into c->why, after what. */
static void
ssl_why(struct rmt_conn *c, const char *what)
{
	char e[160] = "";
	unsigned long code;

	if ((code = c->ssllib->err_get()) != 0)
		c->ssllib->err_string(code, e, sizeof(e));
	snprintf(c->why, sizeof(c->why), "%s%s%s", what, e[0] != '\0' ?
	    ": " : "", e);
	c->ssllib->err_clear();
}

/*
 * Wait as SSL_get_error() says after rc; 1 to retry, 0 time-out, -1
 * another error (c->why, after what), 2 the peer closed.
 */
static int
ssl_wait(struct rmt_conn *c, int rc, long long deadline, const char *what)
{
	switch (c->ssllib->get_error(c->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		return fd_wait_until(c->fd, POLLIN, deadline) > 0;
	case SSL_ERROR_WANT_WRITE:
		return fd_wait_until(c->fd, POLLOUT, deadline) > 0;
	case SSL_ERROR_ZERO_RETURN:
		return 2;
	case SSL_ERROR_SYSCALL:
		if (errno != 0) {
			snprintf(c->why, sizeof(c->why), "%s: %s", what,
			    strerror(errno));
			return -1;
		}
		/* FALLTHROUGH */
	default:
		ssl_why(c, what);
		return -1;
	}
}

ssize_t
rmt_conn_ssl_io(struct rmt_conn *c, int writing, void *buf, size_t len,
    long long deadline)
{
	int n, w, k = len > 1 << 30 ? 1 << 30 : (int)len;

	for (;;) {
		errno = 0;
		n = writing ? c->ssllib->write(c->ssl, buf, k) :
		    c->ssllib->read(c->ssl, buf, k);
		if (n > 0)
			return n;
		w = ssl_wait(c, n, deadline, writing ? "TLS write" :
		    "TLS read");
		if (w == 2 || (w == -1 && !writing && n == 0 &&
		    errno == 0)) {
			snprintf(c->why, sizeof(c->why), "connection closed "
			    "by the server");
			return 0;
		}
		if (w == 0) {
			snprintf(c->why, sizeof(c->why), "time-out %s",
			    writing ? "writing" : "waiting for a reply");
			return -1;
		}
		if (w == -1)
			return -1;
	}
}

/* The verdict after the handshake: 0 matched, -1 not (c->why). */
static int
verdict(struct rmt_conn *c, const struct rmt_dane_host *d)
{
	struct ssllib *l = c->ssllib;
	const unsigned char *data;
	size_t dlen;
	uint8_t u, s, m;
	long v;

	if (d->ntlsa == 0) {
		/* RFC 7672 2.2: secure but unusable records: TLS anyway */
		snprintf(c->dane, sizeof(c->dane), "unusable");
		return 0;
	}
	v = l->verify_result(c->ssl);
	if (v == X509_V_OK && (c->depth = l->dane_authority(c->ssl, NULL,
	    NULL)) >= 0 && l->dane_tlsa(c->ssl, &u, &s, &m, &data,
	    &dlen) >= 0) {
		snprintf(c->dane, sizeof(c->dane), "pass");
		c->usage = u;
		c->selector = s;
		c->mtype = m;
		return 0;
	}
	snprintf(c->dane, sizeof(c->dane), "fail");
	c->verify = v;
	snprintf(c->why, sizeof(c->why), "DANE: the certificate matches no "
	    "TLSA record (%s)", v != X509_V_OK ? l->verify_string(v) :
	    "no authority");
	return -1;
}

/* SSL_connect() by deadline: 0, or -1 with c->why. */
static int
handshake(struct rmt_conn *c, long long deadline)
{
	int rc, w;

	c->ssllib->set_verify(c->ssl, SSL_VERIFY_NONE, NULL);
	while ((rc = c->ssllib->connect(c->ssl)) != 1) {
		if ((w = ssl_wait(c, rc, deadline, "TLS handshake")) == 1)
			continue;
		if (w == 0)
			snprintf(c->why, sizeof(c->why), "TLS handshake: "
			    "time-out");
		else if (w == 2)
			snprintf(c->why, sizeof(c->why), "TLS handshake: "
			    "connection closed");
		return -1;
	}
	return 0;
}

/* The version and cipher of an established connection. */
static void
established(struct rmt_conn *c)
{
	struct ssllib *l = c->ssllib;
	const SSL_CIPHER *ci;

	snprintf(c->version, sizeof(c->version), "%s", l->version(c->ssl));
	if ((ci = l->current_cipher(c->ssl)) != NULL) {
		snprintf(c->cipher, sizeof(c->cipher), "%s",
		    l->cipher_name(ci));
		c->bits = l->cipher_bits(ci, NULL);
	}
}

int
rmt_conn_dane_handshake(struct rmt_conn *c, const char *servername,
    const struct rmt_dane_host *d, long long deadline)
{
	struct ssllib *l = c->ssllib;
	char why[200];
	size_t i;
	int rc, usable = 0;

	if (ssllib_open(l, why, sizeof(why)) == -1) {
		snprintf(c->why, sizeof(c->why), "libssl: %s", why);
		return -1;
	}
	l->err_clear();
	if ((c->sctx = l->ctx_new(l->client_method())) == NULL ||
	    l->ctx_dane_enable(c->sctx) <= 0 ||
	    /* DANE-EE(3): the key is the identity, names are not (3.1.1) */
	    (l->ctx_dane_set_flags(c->sctx, DANE_FLAG_NO_DANE_EE_NAMECHECKS),
	    (c->ssl = l->new(c->sctx)) == NULL) ||
	    l->set_fd(c->ssl, c->fd) != 1 ||
	    /* SNI: the TLSA base domain (RFC 7672 8.1) */
	    l->ctrl(c->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME,
	    TLSEXT_NAMETYPE_host_name, (void *)(uintptr_t)servername) != 1) {
		ssl_why(c, "TLS set-up");
		return -1;
	}
	if (d->ntlsa > 0) {
		/* DANE-TA(2)'s name check: the MX host name (3.2.2) */
		if (l->dane_enable(c->ssl, servername) <= 0) {
			ssl_why(c, "TLS set-up: DANE");
			return -1;
		}
		l->set_hostflags(c->ssl,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		for (i = 0; i < d->ntlsa; i++) {
			rc = l->dane_tlsa_add(c->ssl, d->tlsa[i].usage,
			    d->tlsa[i].selector, d->tlsa[i].mtype,
			    d->tlsa[i].data, d->tlsa[i].len);
			if (rc < 0) {
				ssl_why(c, "TLS set-up: a TLSA record");
				return -1;
			}
			usable += rc > 0;
		}
		if (usable == 0) {
			snprintf(c->why, sizeof(c->why), "DANE: OpenSSL can "
			    "use none of the TLSA records");
			snprintf(c->dane, sizeof(c->dane), "fail");
			return -1;
		}
	}
	/* not at the handshake: verdict() reads the result and says why */
	if (handshake(c, deadline) == -1 || verdict(c, d) == -1)
		return -1;
	established(c);
	return 0;
}

int
rmt_conn_verify_handshake(struct rmt_conn *c, const char *servername,
    long long deadline)
{
	struct ssllib *l = c->ssllib;
	char why[200];
	long v;

	if (ssllib_open(l, why, sizeof(why)) == -1) {
		snprintf(c->why, sizeof(c->why), "libssl: %s", why);
		return -1;
	}
	l->err_clear();
	/* RFC 8461 §4.2: a chain to a trusted authority, the MX's name */
	if ((c->sctx = l->ctx_new(l->client_method())) == NULL ||
	    (c->cafile != NULL ? l->ctx_load_verify_locations(c->sctx,
	    c->cafile, NULL) : l->ctx_default_verify_paths(c->sctx)) != 1) {
		ssl_why(c, c->cafile != NULL ? "TLS CA file" : "TLS CAs");
		return -1;
	}
	if ((c->ssl = l->new(c->sctx)) == NULL ||
	    l->set_fd(c->ssl, c->fd) != 1 ||
	    l->ctrl(c->ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME,
	    TLSEXT_NAMETYPE_host_name, (void *)(uintptr_t)servername) != 1 ||
	    l->set1_host(c->ssl, servername) != 1) {
		ssl_why(c, "TLS set-up");
		return -1;
	}
	/* a wildcard only as a whole left-most label (RFC 8461 §4.2) */
	l->set_hostflags(c->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	/*
	 * Not at the handshake: the verdict is read after it, so that it
	 * says which check failed; nothing is sent over a connection
	 * whose certificate failed.
	 */
	if (handshake(c, deadline) == -1)
		return -1;
	if ((v = l->verify_result(c->ssl)) != X509_V_OK) {
		c->verify = v;
		snprintf(c->why, sizeof(c->why), "TLS handshake: certificate "
		    "verification failed: %s", l->verify_string(v));
		return -1;
	}
	established(c);
	return 0;
}

enum tlsrpt_result
rmt_conn_failure(const struct rmt_conn *c)
{
	switch (c->verify) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return TLSRPT_CERT_EXPIRED;
	case X509_V_ERR_HOSTNAME_MISMATCH:
		return TLSRPT_CERT_HOST_MISMATCH;
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_UNTRUSTED:
	case X509_V_ERR_CERT_REJECTED:
	case X509_V_ERR_INVALID_CA:
		return TLSRPT_CERT_NOT_TRUSTED;
	case X509_V_ERR_DANE_NO_MATCH:
		return TLSRPT_TLSA_INVALID;
	default:
		break;
	}
	/* DANE's verdict without a verification error: no record matched */
	return strcmp(c->dane, "fail") == 0 ? TLSRPT_TLSA_INVALID :
	    TLSRPT_VALIDATION_FAILURE;
}

void
rmt_conn_ssl_close(struct rmt_conn *c)
{
	if (c->ssl != NULL) {
		(void)c->ssllib->shutdown(c->ssl);
		c->ssllib->free(c->ssl);
		c->ssl = NULL;
	}
	if (c->sctx != NULL) {
		c->ssllib->ctx_free(c->sctx);
		c->sctx = NULL;
	}
	if (c->ssllib != NULL && c->ssllib->handle != NULL)
		c->ssllib->err_clear();
}
