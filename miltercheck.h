/*
 * miltercheck.h: the milters (samotop.conf's `milter` lines) as one
 * more check of the session, beside policy.h's: each SMTP event goes to
 * the filters (milterconn.h) after samotop's own checks passed it, and
 * their decision becomes the reply, in the same enum policy_verdict.
 *
 * The replies: a filter's REJECT is "550 5.7.1 Rejected by a content
 * filter", its TEMPFAIL, or a filter down under `milter-default
 * tempfail`, "451 4.7.1", its own reply code (SMFIR_REPLYCODE) as it
 * sent it, SHUTDOWN "421 4.7.0" and the end of the session.  A DISCARD
 * is no refusal: the transaction goes on, and the message is answered
 * 250 and delivered nowhere (miltercheck_discarded()), as Sendmail and
 * Postfix do.  At RCPT a refusal is that recipient's alone.
 *
 * The set lives as long as the session: miltercheck_open() before the
 * banner (a session without milters never calls it), then the events,
 * miltercheck_end() at the end of each transaction, miltercheck_close()
 * at the end.  The message's own events (header, body, end) go from
 * inspect.c, which holds the message, to the same set.
 */
#ifndef SAMOTOP_MILTERCHECK_H
#define SAMOTOP_MILTERCHECK_H

#include "address.h"
#include "conf.h"
#include "log.h"
#include "milterconn.h"
#include "parser.h"
#include "policy.h"
#include "reply.h"

struct miltercheck {
	const struct conf	*conf;
	const struct logger	*log;
	int			 discard;	/* this transaction's message */
	struct milter_macros	 macros;
	char			 name[300];	/* {client_name}, or "[ip]" */
	char			 underscore[600];	/* _ */
	char			 mail[ADDR_MAX + 1];
	char			 rcpt[ADDR_MAX + 1];
	char			 tls_version[64];
	char			 cipher[128];
	char			 msgid[64];
	struct milter_set	 set;		/* last: it is large */
};

/*
 * Set up the filters of c (not reached yet); log gets a line for each
 * filter that goes down.  mods: the changes a filter may make at the
 * end of a message (inspect.h's), NULL for none.
 */
void	miltercheck_open(struct miltercheck *m, const struct conf *c,
	    const struct logger *log, const struct milter_mods *mods);
/*
 * CONNECT: reach the filters and tell them the client (ip "" in a
 * pipe session; name its verified name, or "").  Only a filter's
 * shutdown refuses here (421, POLICY_CLOSE); its other refusals, or a
 * filter down under `milter-default tempfail`, come back at HELO and
 * every later command.
 */
enum policy_verdict miltercheck_connect(struct miltercheck *m,
	    const char *ip, const char *port, const char *name,
	    struct reply *r);
/* After STARTTLS, what {tls_version} and {cipher} say. */
void	miltercheck_tls(struct miltercheck *m, const char *version,
	    const char *cipher);
enum policy_verdict miltercheck_helo(struct miltercheck *m,
	    const char *helo, int esmtp, struct reply *r);
/* MAIL: the sender and its ESMTP parameters as cmd has them. */
enum policy_verdict miltercheck_mail(struct miltercheck *m,
	    const struct smtp_cmd *cmd, const char *msgid, int esmtp,
	    struct reply *r);
enum policy_verdict miltercheck_rcpt(struct miltercheck *m,
	    const char *rcpt, int esmtp, struct reply *r);
enum policy_verdict miltercheck_data(struct miltercheck *m, int esmtp,
	    struct reply *r);
/* A decision of the message's own events (inspect.c) as a reply. */
enum policy_verdict miltercheck_reply(struct miltercheck *m,
	    const struct milter_decision *d, int esmtp, struct reply *r);
/* 1 when a filter discarded this transaction's message. */
int	miltercheck_discarded(const struct miltercheck *m);
/* The transaction ended (a message answered, RSET, a new HELO). */
void	miltercheck_end(struct miltercheck *m);
void	miltercheck_close(struct miltercheck *m);

#endif
