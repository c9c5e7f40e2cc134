/*
 * policy.h: the spam checks of one session, in the order a session meets
 * them.  Each check returns a decision and logs it with its reason; the
 * session turns a refusal into its reply.  An allow-list entry that
 * matches ends the later checks of its scope: a client's, HELO's or
 * rDNS name's the session, a sender's its transaction, a recipient's
 * that recipient (samotop.conf(5), SPAM CHECKS).
 */
#ifndef SAMOTOP_POLICY_H
#define SAMOTOP_POLICY_H

#include "conf.h"
#include "greylist.h"
#include "log.h"
#include "rdns.h"
#include "reply.h"
#include "spf.h"

enum policy_verdict {
	POLICY_PASS,		/* go on */
	POLICY_REFUSE,		/* send the reply; the session goes on */
	POLICY_CLOSE,		/* send the reply, then end the session */
};

struct policy {
	const struct conf	*conf;
	const struct logger	*log;
	const char		*ip;		/* "" in a pipe session */
	int			 client_allowed;	/* client, HELO or rDNS
						 * allowed: the session */
	int			 sender_allowed;	/* the transaction */
	int			 rcpt_allowed;	/* the recipient checked last */
	int			 rdns_done;
	enum rdns_result	 rdns;
	char			 rdns_name[256];
	int			 spf_done;
	struct spf_verdict	 spf;
	struct spf_ctx		 spf_ctx;
	struct greylist		 grey;
	int			 tls;		/* the session is encrypted */
	char			 tls_desc[200];
};

void	policy_init(struct policy *p, const struct conf *c,
	    const struct logger *log, const char *ip);
void	policy_free(struct policy *p);
/* Before the greeting: client lists, reverse DNS, DNS block lists. */
enum policy_verdict policy_connect(struct policy *p, struct reply *r);
/* The client's verified name ("" when unknown), for Received:. */
const char *policy_client_name(const struct policy *p);
enum policy_verdict policy_helo(struct policy *p, const char *helo,
	    int esmtp, struct reply *r);
enum policy_verdict policy_mail(struct policy *p, const char *helo,
	    const char *sender, int esmtp, struct reply *r);
/*
 * RCPT before the helper is asked: the recipient lists.  The postmaster
 * (route_postmaster()) must be reachable (RFC 5321 §4.5.1): no
 * recipient list and no greylisting refuses it.
 */
enum policy_verdict policy_rcpt(struct policy *p, const char *rcpt,
	    int postmaster, int esmtp, struct reply *r);
/*
 * A recipient the helper accepted: greylisting, so that only real
 * recipients can add to the store.
 */
enum policy_verdict policy_rcpt_accepted(struct policy *p,
	    const char *sender, const char *rcpt, int esmtp, struct reply *r);
/* The transaction ended: a sender's or recipient's allow with it. */
void	policy_tx_end(struct policy *p);
/*
 * Authentication-Results: and Received-SPF:, CRLF-ended; length.  With
 * leave-no-trace, results only (received.h) and no Received-SPF:.
 */
size_t	policy_headers(const struct policy *p, const char *sender,
	    const char *helo, const char *more, char *buf, size_t size);

#endif
