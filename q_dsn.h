/*
 * q_dsn.h: a delivery status notification (a bounce, or a delay
 * warning) for a queued message, RFC 3464 multipart/report:
 *
 *	1. text/plain: which recipients failed (or are delayed) and why,
 *	   the remote host's reply;
 *	2. message/delivery-status: Reporting-MTA: dns; HOSTNAME,
 *	   Arrival-Date, then per recipient Final-Recipient: rfc822,
 *	   Action: failed | delayed, Status: X.Y.Z (the reply's enhanced
 *	   code, or derived from its code), Remote-MTA: dns and
 *	   Diagnostic-Code: smtp (the reply) when there was one;
 *	3. text/rfc822-headers: the original message's header.
 *
 * (A global DSN, RFC 6533, when an address is UTF-8: q_dsn_format().)
 * From: MAILER-DAEMON@HOSTNAME, Auto-Submitted: auto-replied, to the
 * original sender; the caller queues it with the null sender <> (so a
 * DSN is never answered by another).  Formatting is pure: the caller
 * gives the times and the IDs.
 */
#ifndef SAMOTOP_Q_DSN_H
#define SAMOTOP_Q_DSN_H

#include <stddef.h>
#include <time.h>

#define Q_DSN_HEADER_MAX	(64 * 1024)	/* of the original, quoted */
#define Q_DSN_STATUS_LEN	16		/* "5.1.10" and its NUL */

enum q_dsn_action { Q_DSN_FAILED, Q_DSN_DELAYED };

struct q_dsn_rcpt {
	const char	*addr;		/* the recipient, no brackets */
	int		 action;	/* enum q_dsn_action */
	int		 code;		/* the last reply's code; 0: none */
	const char	*text;		/* the reply's text, or why not */
	const char	*remote;	/* the remote host; NULL: none */
};

struct q_dsn {
	const char		*hostname;	/* this MTA */
	const char		*id;		/* the original's queue ID */
	const char		*dsn_id;	/* unique: Message-ID, boundary */
	const char		*sender;	/* the original's sender: To: */
	time_t			 arrival;	/* the original was queued */
	time_t			 now;		/* Date: */
	time_t			 until;		/* delayed: retried until */
	const struct q_dsn_rcpt	*rcpt;
	size_t			 nrcpt;
	const char		*header;	/* the original's header */
	size_t			 header_len;	/* (q_dsn_header_len()) */
};

/*
 * The RFC 3463 status of a reply into out: the enhanced code the text
 * starts with when it has one of the reply's class, else derived from
 * the code (5xx 5.0.0, 4xx 4.0.0, 2xx 2.0.0).  Without a code (0: no
 * reply, as for an expiry) a 4.x.x or 5.x.x the text starts with, else
 * 4.0.0 for a delay, 5.0.0 for a failure.  Pure.
 */
void	q_dsn_status(int code, const char *text, int action,
	    char out[Q_DSN_STATUS_LEN]);

/*
 * The length of the header of the canonical message msg[0..len): up to
 * and with the CRLF before the empty line (the whole message when it
 * has no body), cut at the last whole line within Q_DSN_HEADER_MAX.
 * Pure.
 */
size_t	q_dsn_header_len(const char *msg, size_t len);

/*
 * The DSN's canonical content (CRLF) in a buffer the caller frees, its
 * length in *len, and in *flags: Q_DSN_8BIT when it holds 8-bit octets
 * (queue it with BODY=8BITMIME), Q_DSN_UTF8 when an address is UTF-8
 * (RFC 6531): then it is a global DSN (RFC 6533: report-type
 * global-delivery-status, Final-Recipient: utf-8, message/global-headers)
 * to be queued with SMTPUTF8.  NULL with errno EINVAL when the sender is
 * empty (no DSN to <>) or nothing is reported, or ENOMEM.  Pure.
 */
#define Q_DSN_8BIT	0x01
#define Q_DSN_UTF8	0x02

char	*q_dsn_format(const struct q_dsn *d, size_t *len, int *flags);

#endif
