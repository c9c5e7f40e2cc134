/*
 * rmt_conn.h: samotop-remote's connection to one MX address: connect by
 * a deadline, replies and writes by deadlines (fdio.h), plain or TLS
 * after STARTTLS (libtls, loaded with dlopen(3) by tlslib.h).
 *
 * TLS is opportunistic: neither certificate nor name is verified (RFC
 * 7435: better than plaintext against a passive listener).  The place
 * where DANE (RFC 7672, OpenSSL's SSL_dane_*) and MTA-STS (RFC 8461) will
 * decide is rmt_conn_starttls()'s policy argument.
 */
#ifndef SAMOTOP_RMT_CONN_H
#define SAMOTOP_RMT_CONN_H

#include <stddef.h>

#include "rmt_mx.h"
#include "rmt_smtp.h"
#include "tlslib.h"

enum rmt_tls_policy {
	RMT_TLS_OPPORTUNISTIC,	/* STARTTLS when offered, unverified */
	RMT_TLS_VERIFY,		/* MTA-STS: the chain to a trusted CA
				   (c->cafile, or the system's) and the
				   server name verified */
	/* later: RMT_TLS_DANE (TLSA validated), RMT_TLS_STS (MTA-STS) */
};

struct rmt_conn {
	int		 fd;		/* -1: closed */
	struct tlslib	*lib;		/* the caller's; loaded on demand */
	struct tls_config *cfg;
	struct tls	*tls;		/* after a handshake */
	char		 in[4096];	/* what was read and not yet used */
	size_t		 off, len;
	char		 why[256];	/* the last failure */
	char		 version[32];	/* "TLSv1.3" */
	char		 cipher[96];	/* "TLS_AES_256_GCM_SHA384" */
	int		 bits;
	const char	*cafile;	/* RMT_TLS_VERIFY's CAs; NULL: system */
};

void	rmt_conn_init(struct rmt_conn *c, struct tlslib *lib);
/* Connect to a:port within ms; 0, or -1 with c->why. */
int	rmt_conn_open(struct rmt_conn *c, const struct rmt_addr *a,
	    unsigned port, long ms);
/* All of buf by deadline (fd_deadline()); 0, or -1 with c->why. */
int	rmt_conn_write(struct rmt_conn *c, const char *buf, size_t len,
	    long long deadline);
/*
 * The next whole reply into r (rmt_reader_init() is called here) by
 * deadline; 0, or -1 with c->why (time-out, closed, not a reply).
 */
int	rmt_conn_reply(struct rmt_conn *c, struct rmt_reader *r, int ehlo,
	    long long deadline);
/*
 * 1 when the server sent more than the reply read (after "220" to
 * STARTTLS that would be an injection: RFC 3207 §6, CVE-2011-0411).
 */
int	rmt_conn_pending(const struct rmt_conn *c);
/*
 * The TLS handshake after "220" to STARTTLS, for servername, by
 * deadline; 0 with version, cipher and bits set, or -1 with c->why.
 */
int	rmt_conn_starttls(struct rmt_conn *c, const char *servername,
	    enum rmt_tls_policy policy, long long deadline);
void	rmt_conn_close(struct rmt_conn *c);

#endif
