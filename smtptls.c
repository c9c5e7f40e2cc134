/*
 * smtptls.c: the libtls server side.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <tls.h>

#include "fdio.h"
#include "smtptls.h"

void
smtptls_init(struct smtptls *t)
{
	memset(t, 0, sizeof(*t));
}

static int
failed(struct smtptls *t, const char *what, const char *detail)
{
	snprintf(t->why, sizeof(t->why), "%s: %s", what,
	    detail != NULL ? detail : "unknown error");
	return -1;
}

/* Name both files: the usual cause is a key that is not the cert's. */
static int
keypair_failed(struct smtptls *t, const struct conf *c, const char *detail)
{
	snprintf(t->why, sizeof(t->why), "tls-key %s does not match "
	    "tls-certificate %s, or one is unusable (%s)", c->tls_key,
	    c->tls_certificate, detail != NULL ? detail : "unknown error");
	return -1;
}

static int
load_file(struct smtptls *t, const char *path, uint8_t **buf, size_t *len)
{
	if (path == NULL)
		return 0;
	if ((*buf = tls_load_file(path, len, NULL)) == NULL)
		return failed(t, path, strerror(errno));
	return 0;
}

int
smtptls_load(struct smtptls *t, const struct conf *c)
{
	if (c->tls_certificate == NULL || c->tls_key == NULL)
		return failed(t, "tls", "tls-certificate and tls-key go "
		    "together");
	if (load_file(t, c->tls_certificate, &t->cert, &t->certlen) == -1 ||
	    load_file(t, c->tls_key, &t->key, &t->keylen) == -1 ||
	    load_file(t, c->tls_ocsp_staple, &t->ocsp, &t->ocsplen) == -1)
		return -1;
	return 0;
}

static int
configure(struct smtptls *t, const struct conf *c)
{
	struct tls_config *cfg;
	uint32_t protocols = TLS_PROTOCOLS_DEFAULT;
	int rc = -1;

	if (tls_init() == -1)
		return failed(t, "tls_init", "cannot initialise libtls");
	if ((cfg = tls_config_new()) == NULL)
		return failed(t, "tls_config_new", strerror(errno));
	if (c->tls_protocols != NULL &&
	    tls_config_parse_protocols(&protocols, c->tls_protocols) == -1)
		failed(t, "tls-protocols", c->tls_protocols);
	else if (tls_config_set_protocols(cfg, protocols) == -1)
		failed(t, "tls-protocols", tls_config_error(cfg));
	else if (c->tls_ciphers != NULL &&
	    tls_config_set_ciphers(cfg, c->tls_ciphers) == -1)
		failed(t, "tls-ciphers", tls_config_error(cfg));
	else if (tls_config_set_keypair_ocsp_mem(cfg, t->cert, t->certlen,
	    t->key, t->keylen, t->ocsp, t->ocsplen) == -1)
		keypair_failed(t, c, tls_config_error(cfg));
	else if ((t->server = tls_server()) == NULL)
		failed(t, "tls_server", strerror(errno));
	else if (tls_configure(t->server, cfg) == -1)
		keypair_failed(t, c, tls_error(t->server));
	else
		rc = 0;
	/* The key is in libtls now; no copy of it stays around. */
	tls_config_free(cfg);
	tls_unload_file(t->key, t->keylen);
	t->key = NULL;
	return rc;
}

int
smtptls_check(struct smtptls *t, const struct conf *c)
{
	if (smtptls_load(t, c) == -1 || configure(t, c) == -1)
		return -1;
	return 0;
}

static int
nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int
handshake(struct smtptls *t, int rfd, int wfd, unsigned timeout)
{
	int rc, n;

	for (;;) {
		rc = tls_handshake(t->conn);
		if (rc == 0)
			return 0;
		if (rc != TLS_WANT_POLLIN && rc != TLS_WANT_POLLOUT)
			return failed(t, "handshake", tls_error(t->conn));
		n = fd_wait(rc == TLS_WANT_POLLIN ? rfd : wfd,
		    rc == TLS_WANT_POLLIN ? POLLIN : POLLOUT,
		    (int)timeout * 1000);
		if (n == 0)
			return failed(t, "handshake", "timed out");
		if (n == -1)
			return failed(t, "handshake", strerror(errno));
	}
}

int
smtptls_accept(struct smtptls *t, const struct conf *c, int rfd, int wfd,
    unsigned timeout)
{
	const char *s;

	if (t->server == NULL && configure(t, c) == -1)
		return -1;
	if (nonblocking(rfd) == -1 || nonblocking(wfd) == -1)
		return failed(t, "fcntl", strerror(errno));
	if (tls_accept_fds(t->server, &t->conn, rfd, wfd) == -1)
		return failed(t, "tls_accept_fds", tls_error(t->server));
	if (handshake(t, rfd, wfd, timeout) == -1)
		return -1;
	s = tls_conn_version(t->conn);
	snprintf(t->version, sizeof(t->version), "%s", s != NULL ? s : "");
	s = tls_conn_cipher(t->conn);
	snprintf(t->cipher, sizeof(t->cipher), "%s", s != NULL ? s : "");
	t->bits = tls_conn_cipher_strength(t->conn);
	return 0;
}

void
smtptls_free(struct smtptls *t)
{
	if (t->conn != NULL) {
		(void)tls_close(t->conn);	/* best effort: non-blocking */
		tls_free(t->conn);
	}
	if (t->server != NULL)
		tls_free(t->server);
	if (t->cert != NULL)
		tls_unload_file(t->cert, t->certlen);
	if (t->key != NULL)
		tls_unload_file(t->key, t->keylen);
	if (t->ocsp != NULL)
		tls_unload_file(t->ocsp, t->ocsplen);
	smtptls_init(t);
}
