/*
 * smtptls.c: the libtls server side.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tls.h>

#include <openssl/crypto.h>

#include "fdio.h"
#include "smtptls.h"
#include "tlslib.h"

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

/* Keys and certificates are small; anything larger is a mistake. */
#define TLS_FILE_MAX	(1024 * 1024)

static int
load_file(struct smtptls *t, const char *path, uint8_t **buf, size_t *len)
{
	char *text, why[64];
	int rc;

	if (path == NULL)
		return 0;
	if ((rc = fd_read_file(path, TLS_FILE_MAX, &text, len)) != 0)
		return failed(t, path, fd_read_file_error(rc, TLS_FILE_MAX, why,
		    sizeof(why)));
	*buf = (uint8_t *)text;
	return 0;
}

/* The key is wiped before its memory goes back. */
static void
unload_file(uint8_t **buf, size_t len)
{
	if (*buf == NULL)
		return;
	explicit_bzero(*buf, len);
	free(*buf);
	*buf = NULL;
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

/*
 * libtls' "secure" (its default) admits CBC suites and RSA key exchange,
 * which senders on port 25 may still need.  Implicit TLS (port 465) has
 * only submission clients, all of which speak forward-secret AEAD, so
 * without tls-ciphers they get nothing else.  TLS 1.3's suites are all
 * of that kind and are not named by this list.
 */
#define TLS_CIPHERS_IMPLICIT	"ECDHE+AESGCM:ECDHE+CHACHA20"

static const char *
ciphers(const struct conf *c)
{
	if (c->tls_ciphers != NULL)
		return c->tls_ciphers;
	return c->tls_implicit ? TLS_CIPHERS_IMPLICIT : NULL;
}

static int
configure(struct smtptls *t, const struct conf *c)
{
	const struct tlslib *l = &t->lib;
	struct tls_config *cfg;
	uint32_t protocols = TLS_PROTOCOLS_DEFAULT;
	int rc = -1;

	if (tlslib_open(&t->lib, t->why, sizeof(t->why)) == -1)
		return -1;
	/*
	 * Before tls_init(), which would ask for the defaults: OpenSSL 3
	 * then does not fill its tables of every cipher and digest by name
	 * (the server fetches what it uses from the provider), nor free all
	 * it holds from an atexit(3) handler as the session's process ends.
	 * Both were paid by every STARTTLS session (bench/results.md).
	 */
	if (l->openssl_init_crypto(OPENSSL_INIT_NO_ADD_ALL_CIPHERS |
	    OPENSSL_INIT_NO_ATEXIT, NULL) != 1)
		return failed(t, "OPENSSL_init_crypto", "cannot initialise "
		    "OpenSSL");
	if (l->init() == -1)
		return failed(t, "tls_init", "cannot initialise libtls");
	if ((cfg = l->config_new()) == NULL)
		return failed(t, "tls_config_new", strerror(errno));
	if (c->tls_protocols != NULL &&
	    l->config_parse_protocols(&protocols, c->tls_protocols) == -1)
		failed(t, "tls-protocols", c->tls_protocols);
	else if (l->config_set_protocols(cfg, protocols) == -1)
		failed(t, "tls-protocols", l->config_error(cfg));
	else if (ciphers(c) != NULL &&
	    l->config_set_ciphers(cfg, ciphers(c)) == -1)
		failed(t, "tls-ciphers", l->config_error(cfg));
	else if (l->config_set_keypair_ocsp_mem(cfg, t->cert, t->certlen,
	    t->key, t->keylen, t->ocsp, t->ocsplen) == -1)
		keypair_failed(t, c, l->config_error(cfg));
	else if ((t->server = l->server()) == NULL)
		failed(t, "tls_server", strerror(errno));
	else if (l->configure(t->server, cfg) == -1)
		keypair_failed(t, c, l->error(t->server));
	else
		rc = 0;
	/* The key is in libtls now; no copy of it stays around. */
	l->config_free(cfg);
	unload_file(&t->key, t->keylen);
	return rc;
}

int
smtptls_prepare(struct smtptls *t, const struct conf *c)
{
	return t->server != NULL ? 0 : configure(t, c);
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

/* The whole handshake within timeout: a client dripping it is cut off. */
static int
handshake(struct smtptls *t, int rfd, int wfd, unsigned timeout)
{
	long long end = fd_deadline((long)timeout * 1000);
	int rc, n;

	for (;;) {
		rc = t->lib.handshake(t->conn);
		if (rc == 0)
			return 0;
		if (rc != TLS_WANT_POLLIN && rc != TLS_WANT_POLLOUT)
			return failed(t, "handshake", t->lib.error(t->conn));
		n = fd_wait_until(rc == TLS_WANT_POLLIN ? rfd : wfd,
		    rc == TLS_WANT_POLLIN ? POLLIN : POLLOUT, end);
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
	const struct tlslib *l = &t->lib;
	const char *s;

	if (smtptls_prepare(t, c) == -1)
		return -1;
	if (nonblocking(rfd) == -1 || nonblocking(wfd) == -1)
		return failed(t, "fcntl", strerror(errno));
	if (l->accept_fds(t->server, &t->conn, rfd, wfd) == -1)
		return failed(t, "tls_accept_fds", l->error(t->server));
	if (handshake(t, rfd, wfd, timeout) == -1)
		return -1;
	s = l->conn_version(t->conn);
	snprintf(t->version, sizeof(t->version), "%s", s != NULL ? s : "");
	s = l->conn_cipher(t->conn);
	snprintf(t->cipher, sizeof(t->cipher), "%s", s != NULL ? s : "");
	t->bits = l->conn_cipher_strength(t->conn);
	return 0;
}

void
smtptls_free(struct smtptls *t)
{
	if (t->conn != NULL) {
		(void)t->lib.close(t->conn);	/* best effort: non-blocking */
		t->lib.free(t->conn);
	}
	if (t->server != NULL)
		t->lib.free(t->server);
	unload_file(&t->cert, t->certlen);
	unload_file(&t->key, t->keylen);
	unload_file(&t->ocsp, t->ocsplen);
	tlslib_close(&t->lib);
	smtptls_init(t);
}
