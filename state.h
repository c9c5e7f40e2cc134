/*
 * state.h: the SMTP session state machine.  Pure: it sees commands and
 * results, decides the reply and the next state, and tells the caller
 * which I/O (delivery, reading data) a command needs.
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
	ACT_RCPT,	/* route and ask the helper, then state_rcpt_done() */
	ACT_DATA,	/* start DATA, then state_message_done() */
	ACT_BDAT,	/* take cmd->chunk octets into the message */
	ACT_BDAT_SKIP,	/* reply, then read and drop cmd->chunk octets */
	ACT_DESYNC,	/* reply, then end: the client's octets can't be framed */
	ACT_STARTTLS,	/* send the reply (220), then the TLS handshake */
};

struct smtp_state {
	const struct conf	*conf;
	enum phase		 phase;
	int			 esmtp;		/* greeted with EHLO */
	int			 tls_offered;	/* a certificate is configured */
	int			 tls_active;	/* STARTTLS or implicit TLS done */
	char			 helo[HELO_MAX + 1];
	unsigned		 errors;
	unsigned		 transactions;	/* messages begun */
	/* the transaction */
	struct mailbox		 sender;
	int			 smtputf8;
	enum body_type		 body;
	unsigned		 nrcpt;		/* accepted recipients */
	int			 bdat_failed;	/* a chunk was refused */
};

void		state_init(struct smtp_state *st, const struct conf *c);
/* The EHLO/HELO reply and the greeting come from here too. */
void		state_greeting(const struct smtp_state *st, struct reply *r);
enum action	state_command(struct smtp_state *st,
		    const struct smtp_cmd *cmd, struct reply *r);
/*
 * TLS is up: the session starts over, the client must greet again
 * (RFC 3207 §4.2).
 */
void		state_tls_started(struct smtp_state *st);
/* The caller accepted (1) or refused (0) the recipient of ACT_RCPT. */
void		state_rcpt_done(struct smtp_state *st, int accepted);
/* The message of ACT_DATA or the LAST chunk of BDAT has been answered. */
void		state_message_done(struct smtp_state *st);
/* End the transaction (RSET, or a refused BDAT chunk). */
void		state_reset(struct smtp_state *st);
/*
 * Count a 4xx/5xx reply.  Returns 1 when the session has reached
 * max-errors and must end with R_TOO_MANY_ERRORS.
 */
int		state_error(struct smtp_state *st);

#endif
