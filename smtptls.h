/*
 * smtptls.h: TLS for the client side of a session, with libtls.
 * (Not "tls.h": that is libtls's own header.)
 *
 * The certificate and key are read before the banner, so that a broken
 * set-up shows at once; libtls itself is loaded and initialised only when
 * a client asks for STARTTLS (or connects to the implicit-TLS port), so
 * that a plaintext session pays nothing for TLS.
 */
#ifndef SAMOTOP_SMTPTLS_H
#define SAMOTOP_SMTPTLS_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "tlslib.h"

struct smtptls {
	struct tlslib	 lib;		/* loaded at the first handshake */
	uint8_t		*cert, *key, *ocsp;
	size_t		 certlen, keylen, ocsplen;
	struct tls	*server;
	struct tls	*conn;		/* the session's, once accepted */
	char		 why[600];	/* the last failure */
	char		 version[32];	/* "TLSv1.3" */
	char		 cipher[96];	/* "TLS_AES_256_GCM_SHA384" */
	int		 bits;
};

void	smtptls_init(struct smtptls *t);
/* Read certificate, key and OCSP response; -1 with t->why. */
int	smtptls_load(struct smtptls *t, const struct conf *c);
/* Load and configure fully, as `samotop-smtpd -n` does; -1 with why. */
int	smtptls_check(struct smtptls *t, const struct conf *c);
/*
 * Load libtls and set up the server context, once: before a session
 * says "220 Ready to start TLS", so that it can still say 454 instead.
 * 0, or -1 with t->why.
 */
int	smtptls_prepare(struct smtptls *t, const struct conf *c);
/*
 * Handshake on rfd/wfd (made non-blocking) within timeout seconds.
 * 0 with t->conn, version and cipher set; -1 with t->why.
 */
int	smtptls_accept(struct smtptls *t, const struct conf *c, int rfd,
	    int wfd, unsigned timeout);
/* Close the connection (close_notify) and free everything. */
void	smtptls_free(struct smtptls *t);

#endif
