/*
 * rmt_conn.h: samotop-remote's connection to one MX address: connect by
 * a deadline, replies and writes by deadlines (fdio.h), plain or TLS
 * after STARTTLS (libtls, loaded with dlopen(3) by tlslib.h).
 *
 * TLS is opportunistic: neither certificate nor name is verified (RFC
 * 7435: better than plaintext against a passive listener), unless the
 * host has DANE TLSA records (RFC 7672, rmt_dane.h): then the handshake
 * is libssl's own (ssllib.h, rmt_conn_dane.c), since libtls has no DANE
 * API, and the certificate must match a usable record; or the domain has
 * an MTA-STS policy (RFC 8461): then the chain and the name are verified,
 * with libssl too, whose verdict says which check failed (for TLS-RPT,
 * rmt_conn_failure()).
 */
#ifndef SAMOTOP_RMT_CONN_H
#define SAMOTOP_RMT_CONN_H

#include <stddef.h>
#include <sys/types.h>

#include "rmt_dane.h"
#include "rmt_mx.h"
#include "rmt_smtp.h"
#include "ssllib.h"
#include "tlslib.h"
#include "tlsrpt.h"

enum rmt_tls_policy {
	RMT_TLS_OPPORTUNISTIC,	/* STARTTLS when offered, unverified */
	RMT_TLS_VERIFY,		/* MTA-STS: the chain to a trusted CA
				   (c->cafile, or the system's) and the
				   server name verified (libssl) */
	RMT_TLS_DANE,		/* secure TLSA records (RFC 7672): libssl,
				   the certificate matched to them */
};

struct rmt_conn {
	int		 fd;		/* -1: closed */
	struct tlslib	*lib;		/* the caller's; loaded on demand */
	struct tls_config *cfg;
	struct tls	*tls;		/* after a handshake */
	struct ssllib	*ssllib;	/* the caller's; loaded for DANE */
	SSL_CTX		*sctx;		/* DANE: libssl's own connection */
	SSL		*ssl;
	char		 in[4096];	/* what was read and not yet used */
	size_t		 off, len;
	char		 why[256];	/* the last failure */
	char		 version[32];	/* "TLSv1.3" */
	char		 cipher[96];	/* "TLS_AES_256_GCM_SHA384" */
	int		 bits;
	const char	*cafile;	/* RMT_TLS_VERIFY's CAs; NULL: system */
	/* DANE: "pass" (a record matched), "fail" (none did: c->why),
	   "unusable" (secure records, none usable: TLS unauthenticated),
	   "" without DANE; the record that matched */
	char		 dane[16];
	int		 depth;		/* of the matched certificate */
	long		 verify;	/* libssl's X509_V_* verdict on a
					   certificate it refused, or 0 */
	unsigned char	 usage, selector, mtype;
};

void	rmt_conn_init(struct rmt_conn *c, struct tlslib *lib,
	    struct ssllib *ssllib);
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
 * RMT_TLS_DANE: dane is the host's (RMT_DANE_SECURE), c->dane says how
 * it went; a certificate that matches none of its usable records is -1
 * with c->dane "fail".
 */
int	rmt_conn_starttls(struct rmt_conn *c, const char *servername,
	    enum rmt_tls_policy policy, const struct rmt_dane_host *dane,
	    long long deadline);
void	rmt_conn_close(struct rmt_conn *c);

/* rmt_conn_dane.c: the libssl side, for the functions above. */
/* The DANE handshake (rmt_conn_starttls()'s RMT_TLS_DANE). */
int	rmt_conn_dane_handshake(struct rmt_conn *c, const char *servername,
	    const struct rmt_dane_host *dane, long long deadline);
/*
 * SSL_read (writing 0) or SSL_write (1) of buf by deadline: octets
 * moved (> 0), 0 the server closed, -1 with c->why.
 */
ssize_t	rmt_conn_ssl_io(struct rmt_conn *c, int writing, void *buf,
	    size_t len, long long deadline);
/*
 * The verified handshake (rmt_conn_starttls()'s RMT_TLS_VERIFY): the
 * chain to c->cafile's authorities or the system's, and servername in
 * the certificate; a certificate refused is -1 with c->verify set.
 */
int	rmt_conn_verify_handshake(struct rmt_conn *c, const char *servername,
	    long long deadline);
/*
 * What a failed handshake (DANE or verified) was, as a TLS-RPT result
 * type (RFC 8460 §4.3), from c->verify and c->dane: an expired or not
 * yet valid certificate, one for another name, one of no trusted
 * authority, one that matches no TLSA record; else validation-failure.
 */
enum tlsrpt_result rmt_conn_failure(const struct rmt_conn *c);
/* close_notify, without waiting; frees c->ssl and c->sctx. */
void	rmt_conn_ssl_close(struct rmt_conn *c);

#endif
