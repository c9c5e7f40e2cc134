/*
 * state.h: the SMTP session state machine.  Pure: it sees commands and
 * the results of the checks the session ran for it, decides every reply
 * and the next state, and tells the session which work (a check, a
 * delivery, reading data) a command needs: the session carries out,
 * the core decides (OpenSMTPD's check/proceed).
 */
#ifndef SAMOTOP_STATE_H
#define SAMOTOP_STATE_H

#include "address.h"
#include "conf.h"
#include "parser.h"
#include "reply.h"

enum phase {
	PH_START,	/* no HELO/EHLO yet */
	PH_READY,	/* greeted, no transaction */
	PH_MAIL,	/* MAIL accepted, no recipient yet */
	PH_RCPT,	/* at least one recipient accepted */
	PH_BDAT,	/* inside a BDAT sequence */
};

enum action {
	ACT_REPLY,	/* send the reply */
	ACT_CLOSE,	/* send the reply, then end the session */
	ACT_HELO,	/* check the name, then state_helo() */
	ACT_MAIL,	/* check the sender, then state_mail() */
	ACT_RCPT,	/* route and check: state_rcpt_route(), then
			 * state_rcpt_accepted() or _refused() */
	ACT_RSET,	/* end the transaction, then send the reply */
	ACT_DATA,	/* start DATA, then state_tx_end() */
	ACT_BDAT,	/* take cmd->chunk octets into the message; a
			 * refusal or LAST ends with state_tx_end() */
	ACT_BDAT_SKIP,	/* reply, then read and drop cmd->chunk octets */
	ACT_DESYNC,	/* reply, then end: the client's octets can't be framed */
	ACT_STARTTLS,	/* send the reply (220), then the TLS handshake */
	ACT_AUTH,	/* the SASL exchange (cmd->arg, cmd->ir) and the
			 * password's check, then state_auth_done() */
};

/* How an AUTH ended (the session's findings, for state_auth_done()). */
enum auth_result {
	AUTH_RES_OK,		/* the checker said yes */
	AUTH_RES_FAIL,		/* no, or PLAIN for another identity */
	AUTH_RES_TEMP,		/* the checker could not tell */
	AUTH_RES_LIMITED,	/* the client's network failed too often */
	AUTH_RES_CANCEL,	/* "*" */
	AUTH_RES_BASE64,	/* a response that is no base64 */
	AUTH_RES_MALFORMED,	/* base64, but not the mechanism's */
	AUTH_RES_MECH,		/* no such mechanism */
	AUTH_RES_LINE,		/* a response line over AUTH_LINE_MAX */
};

/*
 * The one transaction, from MAIL to its end (OpenSMTPD's smtp_tx): its
 * only begin is state_mail(), its only end state_tx_end().
 */
struct smtp_tx {
	unsigned		 id;		/* its number; 0: none open */
	struct mailbox		 sender;
	int			 smtputf8;
	enum body_type		 body;
	unsigned		 nrcpt;		/* recipients accepted */
	unsigned		 nrefused;	/* recipients refused, 4xx/5xx */
	unsigned		 chunks;	/* BDAT commands taken */
	const void		*route;		/* its recipients' route */
};

struct smtp_state {
	const struct conf	*conf;
	enum phase		 phase;
	int			 esmtp;		/* greeted with EHLO */
	int			 tls_offered;	/* a certificate is configured */
	int			 tls_active;	/* STARTTLS or implicit TLS done */
	int			 auth_offered;	/* a password checker is set */
	int			 authenticated;	/* AUTH succeeded */
	unsigned		 auth_failures;	/* AUTH_RES_FAIL so far */
	char			 helo[HELO_MAX + 1];
	unsigned		 errors;
	unsigned		 transactions;	/* messages begun */
	struct smtp_tx		 tx;
};

/* How a command line was framed (io.c's findings, as flags). */
#define LINE_TOO_LONG	0x01	/* over max-command-line */
#define LINE_BARE_LF	0x02	/* a LF without CR in it, or ending it */
#define LINE_BARE_CR	0x04	/* a CR without LF in it */

void		state_init(struct smtp_state *st, const struct conf *c);
/*
 * Before a line is parsed: 0 when it may be, or -1 with its refusal in
 * r (a line that is not one clean command is refused whole, never
 * split into two, RFC 5321 §2.3.8).
 */
int		state_line(const struct smtp_state *st, unsigned flags,
		    struct reply *r);
/* The EHLO/HELO reply and the greeting come from here too. */
void		state_greeting(const struct smtp_state *st, struct reply *r);
enum action	state_command(struct smtp_state *st,
		    const struct smtp_cmd *cmd, struct reply *r);
/* ACT_HELO passed its checks: greet (any transaction ended first). */
void		state_helo(struct smtp_state *st, const struct smtp_cmd *cmd,
		    struct reply *r);
/* ACT_MAIL passed its checks: the transaction begins. */
void		state_mail(struct smtp_state *st, const struct smtp_cmd *cmd,
		    struct reply *r);
/*
 * ACT_RCPT found its route: 0 when the transaction may take it, or -1
 * with the refusal in r (one route per transaction, DESIGN.md).
 */
int		state_rcpt_route(struct smtp_state *st, const void *route,
		    struct reply *r);
/* The recipient of ACT_RCPT was accepted, by the helper of route. */
void		state_rcpt_accepted(struct smtp_state *st, const void *route);
/* The recipient of ACT_RCPT was refused (4xx or 5xx). */
void		state_rcpt_refused(struct smtp_state *st);
/*
 * After the data, a milter changed the recipients: n (at most the
 * configured max-recipients) are the message's now, on the same route.
 */
void		state_rcpt_replaced(struct smtp_state *st, unsigned n);
/*
 * The end of the transaction: RSET, a new greeting, a message answered
 * or refused.  The session ends the helper's transaction beside it.
 */
void		state_tx_end(struct smtp_state *st);
/*
 * TLS is up: the session starts over, the client must greet again
 * (RFC 3207 §4.2).
 */
void		state_tls_started(struct smtp_state *st);
/*
 * ACT_AUTH ended with res: the reply in r, and ACT_CLOSE after the
 * auth-max-failures'th failure (421).  AUTH is offered only under TLS,
 * and only outside a transaction (RFC 4954 §4).
 */
enum action	state_auth_done(struct smtp_state *st, enum auth_result res,
		    struct reply *r);
/*
 * A reply with this code was sent.  Returns 1 when it was the error
 * that reached max-errors: the session ends with R_TOO_MANY_ERRORS.
 */
int		state_replied(struct smtp_state *st, int code);

#endif
