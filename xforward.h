/*
 * xforward.h: the XFORWARD command (Postfix's XFORWARD_README), with
 * which samotop-smtpd tells an LMTP helper about the client of a
 * transaction: its address, HELO name, protocol and the message id.
 * Values are xtext (RFC 3461 §4).  Pure.
 */
#ifndef SAMOTOP_XFORWARD_H
#define SAMOTOP_XFORWARD_H

#include <stddef.h>

#define XFORWARD_VALUE_MAX	255

struct xforward {
	char	name[XFORWARD_VALUE_MAX + 1];	/* NAME: client host name */
	char	addr[XFORWARD_VALUE_MAX + 1];	/* ADDR: client IP */
	char	port[XFORWARD_VALUE_MAX + 1];	/* PORT */
	char	helo[XFORWARD_VALUE_MAX + 1];	/* HELO */
	char	proto[XFORWARD_VALUE_MAX + 1];	/* PROTO: SMTP, ESMTP... */
	char	ident[XFORWARD_VALUE_MAX + 1];	/* IDENT: the message id */
	char	tls[XFORWARD_VALUE_MAX + 1];	/* TLS: "TLSv1.3" (samotop's
						 * own; sent only to a helper
						 * that lists it) */
};

#define XFORWARD_ALL		0x7f	/* every attribute above */
#define XFORWARD_LINE_LIMIT	512	/* octets of one command, CRLF too */

/*
 * "XFORWARD NAME=... ADDR=... ..." with every attribute, without CRLF;
 * empty attributes are sent as [UNAVAILABLE].  Returns the length, or 0
 * if it does not fit.
 */
size_t	xforward_format(char *buf, size_t size, const struct xforward *x);
/*
 * The next command carrying attributes of mask not yet in *done, as
 * many as fit in size octets; they are added to *done.  Returns its
 * length, or 0 when nothing is left (or one attribute cannot fit).
 */
size_t	xforward_next(char *buf, size_t size, const struct xforward *x,
	    unsigned mask, unsigned *done);
/*
 * Whether x tells anything worth passing on to the next LMTP server:
 * one of NAME, ADDR, PORT, HELO, PROTO or IDENT (TLS, samotop's own,
 * does not count alone).
 */
int	xforward_any(const struct xforward *x);
/*
 * The attributes a server lists after "XFORWARD" in its EHLO/LHLO, or
 * after "XCLIENT" (the bits of those XCLIENT shares with XFORWARD:
 * NAME, ADDR, PORT, HELO, PROTO).
 */
unsigned xforward_offered(const char *list, size_t len);
/*
 * "XCLIENT ADDR=... PORT=... PROTO=... HELO=... NAME=..." (Postfix's
 * XCLIENT_README; Dovecot's LMTP takes it from its
 * login_trusted_networks) without CRLF: the attributes of mask that x
 * has, in xtext, ADDR with "IPV6:" before an IPv6 address, PROTO as
 * SMTP or ESMTP.  One that would not fit in size is left out.  Returns
 * the length, or 0 when there is no ADDR to send.
 */
size_t	xforward_xclient(char *buf, size_t size, const struct xforward *x,
	    unsigned mask);
/*
 * Parse the arguments of one XFORWARD command (after "XFORWARD ") into
 * x, keeping attributes already there.  Unknown attributes are ignored
 * (XFORWARD_README allows that); [UNAVAILABLE] and [TEMPUNAVAIL] clear
 * one.  Decoded values with control octets are refused.  0 or -1.
 */
int	xforward_parse(struct xforward *x, const char *args, size_t len);

#endif
