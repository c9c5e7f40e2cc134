/*
 * tlsrpt_mail.h: a TLS report as a mail message (RFC 8460 §5.3): a
 * multipart/report; report-type="tlsrpt" with a short text part and
 * the report attached (base64), the Subject "Report Domain: D
 * Submitter: S Report-ID: <ID>", and the TLS-Report-Domain and
 * TLS-Report-Submitter header fields.  Canonical (CRLF line ends), ready
 * for the queue (q_write.h).  Pure.
 */
#ifndef SAMOTOP_TLSRPT_MAIL_H
#define SAMOTOP_TLSRPT_MAIL_H

#include <stddef.h>
#include <time.h>

/* The message's size, at most, for an attachment of len octets. */
#define TLSRPT_MAIL_MAX(len)	((len) / 57 * 78 + 78 + 8192)

struct tlsrpt_mail {
	const char	*from;		/* From: and the envelope sender */
	const char	*to;		/* the rua's address */
	const char	*domain;	/* the policy domain */
	const char	*submitter;	/* our host name */
	const char	*report_id;	/* also the Message-ID */
	time_t		 date;		/* Date: */
	const char	*period;	/* "2026-12-02" (UTC), for the text */
	const char	*filename;	/* the attachment's (§5.1) */
	const char	*ctype;		/* "application/tlsrpt+gzip" */
	const unsigned char *report;	/* the attachment */
	size_t		 len;
};

/*
 * The message into buf[0..size) (TLSRPT_MAIL_MAX(m->len) always does):
 * its length, or 0 when it does not fit or a header value holds a
 * control octet, a quote or a line break.
 */
size_t	tlsrpt_mail(const struct tlsrpt_mail *m, char *buf, size_t size);

/*
 * 1 when the header of msg[0..len) (up to its first empty line) has a
 * TLS-Report-Domain field, as the reports tlsrpt_mail() makes do; 0
 * otherwise.  Pure.
 */
int	tlsrpt_mail_is_report(const char *msg, size_t len);

#endif
