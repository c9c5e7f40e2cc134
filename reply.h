/*
 * reply.h: every reply samotop-smtpd gives, in one table, with its
 * enhanced status code (RFC 3463).  Pure.
 */
#ifndef SAMOTOP_REPLY_H
#define SAMOTOP_REPLY_H

#include <stddef.h>

#define REPLY_MAX	2048	/* room for the replies to one command */

enum reply_id {
	R_GREETING,		/* 220 HOST ESMTP samotop */
	R_HELO,			/* 250 HOST */
	R_OKAY,			/* 250 2.0.0 Ok */
	R_MAIL_OK,		/* 250 2.1.0 */
	R_RCPT_OK,		/* 250 2.1.5 */
	R_DATA_GO,		/* 354 */
	R_ACCEPTED,		/* 250 2.0.0 Ok: queued as ID */
	R_CHUNK_OK,		/* 250 2.0.0 N octets received */
	R_RSET,			/* 250 2.0.0 Reset */
	R_NOOP,			/* 250 2.0.0 Ok */
	R_VRFY,			/* 252 2.5.2 */
	R_HELP,			/* 214 2.0.0 */
	R_BYE,			/* 221 2.0.0 */
	R_UNKNOWN,		/* 500 5.5.1 */
	R_NOTIMPL,		/* 502 5.5.1 */
	R_LINE_TOO_LONG,	/* 500 5.5.2 */
	R_BARE_LF_COMMAND,	/* 500 5.5.2 */
	R_BARE_CR_COMMAND,	/* 500 5.5.2 */
	R_CONTROL,		/* 501 5.5.2 */
	R_SYNTAX,		/* 501 5.5.4 */
	R_BAD_SENDER,		/* 501 5.1.7 */
	R_BAD_RCPT,		/* 501 5.1.3 */
	R_PARAM_UNKNOWN,	/* 555 5.5.4 */
	R_PARAM_VALUE,		/* 501 5.5.4 */
	R_UTF8_REQUIRED,	/* 553 5.6.7 */
	R_SEQ_HELO,		/* 503 5.5.1 send HELO/EHLO first */
	R_SEQ_MAIL_NESTED,	/* 503 5.5.1 nested MAIL */
	R_SEQ_NEED_MAIL,	/* 503 5.5.1 need MAIL */
	R_SEQ_NEED_RCPT,	/* 503 5.5.1 need RCPT */
	R_SEQ_BINARY,		/* 503 5.5.1 BINARYMIME needs BDAT */
	R_SEQ_BDAT,		/* 503 5.5.1 only BDAT, RSET, QUIT now */
	R_SIZE_EXCEEDED,	/* 552 5.3.4 */
	R_TOO_MANY_RCPTS,	/* 452 4.5.3 */
	R_OTHER_ROUTE,		/* 452 4.5.3 */
	R_NO_MAILBOX,		/* 550 5.1.1 */
	R_RELAY_DENIED,		/* 550 5.7.1 */
	R_NO_POSTMASTER,	/* 550 5.1.1 no route for the postmaster */
	R_BARE_LF,		/* 550 5.6.0 */
	R_BARE_CR,		/* 550 5.6.0 */
	R_LONG_TEXT_LINE,	/* 554 5.6.0 */
	R_HELPER_FAILED,	/* 451 4.3.0 */
	R_PARTIAL,		/* 451 4.3.0 some recipients failed */
	R_TOO_MANY_ERRORS,	/* 421 4.7.0 */
	R_TIMEOUT,		/* 421 4.4.2 */
	R_DESYNC,		/* 421 4.5.0 lost command framing */
	R_SHUTDOWN,		/* 421 4.3.0 local error */
	R_STARTTLS_UNAVAIL,	/* 502 5.5.1 (no certificate) */
	R_STARTTLS_READY,	/* 220 2.0.0 */
	R_TLS_TEMP_UNAVAIL,	/* 454 4.7.0 (libtls could not be set up) */
	R_TLS_ACTIVE,		/* 503 5.5.1 TLS already active */
	R_TLS_IN_TX,		/* 503 5.5.1 not inside a transaction */
	R_TLS_REQUIRED,		/* 530 5.7.0 */
	R_DENIED_CONNECT,	/* 554 5.7.1 deny list, at connect */
	R_DENIED,		/* 550 5.7.1 deny list */
	R_RDNS_REJECT,		/* 554 5.7.25 */
	R_RDNS_TEMPFAIL,	/* 421 4.7.25 */
	R_DNSBL,		/* 554 5.7.1 listed */
	R_SPF_FAIL,		/* 550 5.7.23 */
	R_SPF_TEMPFAIL,		/* 451 4.7.24 */
	R_SPF_PERMERROR,	/* 550 5.7.24 */
	R_GREYLISTED,		/* 451 4.7.1 */
	R_GREYLIST_LIMIT,	/* 451 4.7.1 too many pending */
	R_LOCAL_ERROR,		/* 451 4.3.0 */
	R_EARLY_TALKER,		/* 554 5.5.0 */
	R_UNAUTH_PIPELINING,	/* 554 5.5.0 */
	R_BAD_HELO,		/* 501 5.5.4 */
	R_DMARC_REJECT,		/* 550 5.7.1 DMARC policy reject */
	R_DMARC_TEMPFAIL,	/* 451 4.4.3 DMARC lookup failed */
	R_NO_ROOM,		/* 452 4.3.1 the spool is full */
	R_MILTER_REJECT,	/* 550 5.7.1 a milter's reject */
	R_MILTER_TEMPFAIL,	/* 451 4.7.1 a milter's tempfail, or down */
	R_MILTER_SHUTDOWN,	/* 421 4.7.0 a milter's shutdown */
	R_SCREENER_DENIED,	/* 550 5.7.1 the user denied the sender */
	R_LIMIT_CONNECTIONS,	/* 421 4.7.0 limit-connections */
	R_LIMIT_MESSAGES,	/* 451 4.7.1 limit-messages */
	R_LIMIT_RECIPIENTS,	/* 452 4.5.3 limit-recipients */
	R_AUTH_CHALLENGE,	/* 334 CHALLENGE */
	R_AUTH_OK,		/* 235 2.7.0 */
	R_AUTH_FAILED,		/* 535 5.7.8 wrong login or password */
	R_AUTH_TEMPFAIL,	/* 454 4.7.0 the checker could not tell */
	R_AUTH_LIMITED,		/* 454 4.7.0 the network's failures */
	R_AUTH_TOO_MANY,	/* 421 4.7.0 the session's failures */
	R_AUTH_CANCELLED,	/* 501 5.0.0 "*" */
	R_AUTH_BASE64,		/* 501 5.5.2 not base64 */
	R_AUTH_MALFORMED,	/* 501 5.5.2 not the mechanism's message */
	R_AUTH_MECH,		/* 504 5.5.4 unknown mechanism */
	R_AUTH_LINE,		/* 500 5.5.6 a response line too long */
	R_AUTH_EHLO,		/* 503 5.5.1 AUTH needs EHLO */
	R_AUTH_ALREADY,		/* 503 5.5.1 authenticated before */
	R_AUTH_IN_TX,		/* 503 5.5.1 not inside a transaction */
	R_SENDER_LOGIN,		/* 553 5.7.1 MAIL FROM not the user's */
	R_FROM_LOGIN,		/* 553 5.7.1 From: not the user's */
	R_USER_MESSAGES,	/* 451 4.7.1 user-limit-messages */
	R_USER_RECIPIENTS,	/* 452 4.7.1 user-limit-recipients */
	R_SIGN_FAILED,		/* 451 4.7.0 DKIM signing failed (dkims.h) */
	R__COUNT
};

struct reply {
	char	text[REPLY_MAX];
	size_t	len;
	int	code;		/* of the last line added; 0: none */
	enum reply_id id;	/* of that line; R__COUNT: not ours (a
				   helper's, reply_line's) */
};

/*
 * Append reply id to r, formatted with the arguments its table text
 * takes; esmtp selects whether the enhanced status code is included
 * (RFC 2034: not before EHLO, not in the greeting or the EHLO reply).
 */
void	reply_add(struct reply *r, int esmtp, enum reply_id id, ...);
/*
 * Append one complete line (text without CRLF) whose code is code;
 * truncated if too long.  r->id becomes R__COUNT.
 */
void	reply_line(struct reply *r, int code, const char *line);
/* The code of a reply id (220, 250, 501, ...). */
int	reply_code(enum reply_id id);

#endif
