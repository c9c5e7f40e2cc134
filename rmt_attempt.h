/*
 * rmt_attempt.h: samotop-remote's attempt: the MX hosts' addresses tried
 * in turn until one takes the transaction (a connection that fails, or a
 * greeting or EHLO/HELO that is not 2xx, moves on to the next address),
 * STARTTLS when offered (rmt_conn.h; mandatory and verified for a host
 * with DANE TLSA records, rmt_dane.h), MAIL and the RCPTs (in one write
 * with PIPELINING), DATA, QUIT; each recipient's result recorded.
 */
#ifndef SAMOTOP_RMT_ATTEMPT_H
#define SAMOTOP_RMT_ATTEMPT_H

#include <stddef.h>

#include "lmtpreply.h"
#include "log.h"
#include "rmt_dane.h"
#include "rmt_mx.h"
#include "sts_policy.h"
#include "ssllib.h"
#include "tlslib.h"
#include "tlsrpt.h"

struct rmt_result {
	int	code;			/* 0: nothing yet */
	char	text[LMTPREPLY_TEXT_MAX + 80];
};

struct rmt_attempt {
	/* given */
	struct logger	 lg;
	const char	*helo;		/* our name */
	const char	*from;		/* "" for <> */
	char		**rcpt;
	size_t		 nrcpt;
	const char	*msg;		/* canonical content (CRLF) */
	size_t		 msglen;
	int		 utf8;		/* the envelope needs SMTPUTF8 */
	int		 body8;		/* the content has 8-bit octets */
	unsigned	 port;
	struct tlslib	 tls;		/* loaded at the first STARTTLS */
	struct ssllib	 ssl;		/* loaded at the first DANE one */
	/* per MX host (rmt_dane_lookup()), NULL: no DANE at all */
	const struct rmt_dane_host *dane;
	struct rmt_result *res;		/* nrcpt of them, zeroed */
	const struct sts_policy *sts;	/* MTA-STS, or NULL: none */
	const char	*cafile;	/* its CAs; NULL: the system's */
	/*
	 * TLS-RPT (RFC 8460): each TLS session attempt's result appended
	 * to tlsrpt_dir's day file of domain (tlsrpt_day.h); NULL: none
	 */
	const char	*tlsrpt_dir;
	const char	*domain;
	int		 sts_mismatch;	/* the host tried is not in the
					   MTA-STS policy (mode testing) */
	/* found */
	struct rmt_result m;		/* the message's outcome */
	const char	*host;		/* the last host tried, or NULL */
	char		 ip[64];	/* its address */
	char		 tlsver[32];	/* "" without TLS */
	char		 cipher[96];
	int		 verified;	/* the certificate was verified */
	char		 danest[16];	/* "pass", "fail", "unusable", "none";
					   "" without DANE */
	char		 tlsa[16];	/* the matched record: "3 1 1" */
	unsigned	 usage;		/* its usage, with "pass" */
};

/*
 * Try mx's hosts (status RMT_MX_OK) until one takes the transaction
 * (a->dane[h] says whether host h needs TLS, and which certificate;
 * RMT_DANE_FAIL skips it):
 * then every a->res[i] and a->m are set, else all of them say why
 * nobody took it (451 4.4.1 ...).  With a->sts in mode enforce only
 * the hosts its mx patterns match are tried, and only over TLS whose
 * certificate verifies (else 4xx, never plaintext); in mode testing
 * every host is tried as without a policy, and what enforce would have
 * refused is logged.
 */
void	rmt_attempt_run(struct rmt_attempt *a, const struct rmt_mx *mx);
/*
 * A failure of policy p found before any session (RFC 8460 §4.3.2,
 * such as sts-policy-fetch-error) into TLS-RPT's day file, when
 * a->tlsrpt_dir is set.
 */
void	rmt_attempt_tlsrpt(struct rmt_attempt *a, enum tlsrpt_policy p,
	    enum tlsrpt_result r);
/* Every recipient without a result of its own, and a->m, get this one. */
void	rmt_attempt_fail(struct rmt_attempt *a, int code, const char *text);

#endif
