/*
 * inspect.h: the checks of a message whose verdict is known only after
 * its end (DKIM, DMARC, the milters' decisions), and the message kept
 * meanwhile.  The session uses it only when the configuration asks for
 * one of them: otherwise a message streams to its helper as it comes.
 *
 * Why the message waits: the helper must not deliver what the verdict
 * refuses, and the header that reports the checks must come first.  So
 * the content goes into a spool (spool.h: memory, then an unnamed file
 * encrypted under a key of this message's own) while DKIM and the
 * header scanner read it; at its end the verdict is decided; then, when
 * it is to be delivered, the session writes its trace header and
 * inspect_replay() reads the message back.  A refused message never
 * reached the helper's DATA.
 *
 * The same wait lets a submission's message be signed (dkim-sign,
 * dkims.h): its DKIM-Signature: fields must come first, so the message
 * is read back once for the signer (inspect_sign()) before it is
 * replayed to the helper.
 *
 * Use: inspect_open() once, when the session's first message needs it;
 * per message inspect_begin(), inspect_data() with canonical content
 * (CRLF, dots unstuffed) in chunks, then inspect_end() (or
 * inspect_abort()); when delivered, inspect_authres(), inspect_prepare(),
 * inspect_sign() when the session signs, and inspect_replay();
 * inspect_close() at the end of the session.
 *
 * The struct is large (the spool's buffer, the header field being
 * read, DKIM's): the session allocates it once.
 */
#ifndef SAMOTOP_INSPECT_H
#define SAMOTOP_INSPECT_H

#include <stddef.h>

#include "conf.h"
#include "cryptolib.h"
#include "dkim.h"
#include "dkims.h"
#include "dmarc.h"
#include "address.h"
#include "arc.h"
#include "hdredit.h"
#include "hdrfrom.h"
#include "hdrscan.h"
#include "milterconn.h"
#include "spf.h"
#include "spool.h"

#define INSPECT_RCPT_CHANGES	16	/* recipients a filter adds, or
					 * deletes, in one message */

/* What becomes of the message; the session turns it into a reply. */
enum inspect_verdict {
	INSPECT_ACCEPT,		/* deliver */
	INSPECT_QUARANTINE,	/* deliver, marked for the Junk folder */
	INSPECT_REJECT,		/* 5xx: DMARC's policy */
	INSPECT_TEMPFAIL,	/* 4xx: a lookup failed */
	INSPECT_LOCAL,		/* 4xx/5xx: the spool failed (spool_err) */
};

/* Which check decided. */
enum inspect_check {
	INSPECT_NONE,
	INSPECT_DMARC,
	INSPECT_SPOOL,
	INSPECT_MILTER,		/* its changes could not be kept */
};

/* What ARC found, for inspect_decide(). */
struct inspect_arc {
	int		 done;		/* arc yes: verified */
	enum arc_res	 res;
	int		 temp;		/* a fail for a key lookup that failed */
	const char	*sealer;	/* the newest ARC-Seal's d=, or "" */
};

/* What the session knows that the checks need. */
struct inspect_input {
	int		 spf_done;	/* SPF was checked ... */
	enum spf_outcome spf;		/* ... with this result ... */
	const char	*spf_domain;	/* ... for this domain */
	unsigned int	 random;	/* uniform 0..99, for DMARC's pct= */
	int		 submission;	/* an authenticated user's own: no
					 * DMARC verdict (not a stranger's) */
};

struct inspect_outcome {
	enum inspect_verdict	verdict;
	enum inspect_check	check;
	enum spool_error	spool_err;	/* INSPECT_SPOOL */
	int			spool_errno;
	char			reason[320];	/* for the log and the
						 * quarantine field */
	char			domain[DMARC_DOMAIN_MAX + 1];	/* DMARC's */
	/*
	 * The milters' decision on the message (its header, body and
	 * end), when milter_decided: the session makes it the reply
	 * (miltercheck_reply()) before anything DMARC says.
	 */
	int			milter_decided;
	struct milter_decision	milter;
};

struct inspect {
	const struct conf	*conf;
	int			 open;
	struct cryptolib	 crypto;
	struct dkim_verifier	 dkimv;
	struct dmarc_evaluator	 dmarcv;
	int			 dkim_on;	/* this message's DKIM ran */
	struct milter_set	*milters;	/* NULL: none */
	int			 mfeed;		/* still telling them */
	struct milter_decision	 mdec;		/* their decision so far */
	size_t			 nfrom;		/* From: mailboxes */
	char			 from_addr[HDRFROM_ADDR_MAX + 1];	/* the
						 * From: address when it is one */
	char			 from[DMARC_FROM_MAX][HDRFROM_DOMAIN_MAX + 1];
	int			 dmarc_done;
	struct dmarc_result	 dmarc;
	int			 overridden;	/* DMARC's fail forgiven: a
						 * trusted ARC sealer */
	struct arc_verifier	 arcv;
	int			 arc_on;	/* this message's ARC ran */
	enum spool_error	 serr;		/* the first spool failure */
	int			 serrno;
	struct dkim_msg		 dkim;
	int			 had_marker;	/* came with our quarantine
						 * field: it must go */
	/*
	 * The milters' changes at the end of the message (mods calls
	 * them), applied when it is delivered.  A change that cannot be
	 * kept (a limit) sets changes_failed: the message is deferred,
	 * never delivered unfiltered.
	 */
	struct milter_mods	 mods;
	int			 changes_failed;
	const char		*own;		/* inspect_prepare()'s */
	size_t			 ownlen;
	char			 quarantine[HDREDIT_REASON_MAX + 1];
	int			 from_changed;
	char			 new_from[ADDR_MAX + 1];
	size_t			 nadd, ndel;
	char			 add[INSPECT_RCPT_CHANGES][ADDR_MAX + 1];
	char			 del[INSPECT_RCPT_CHANGES][ADDR_MAX + 1];
	struct hdrscan		 scan;
	char			 mvalue[HDRSCAN_FIELD_MAX + 1];	/* a field
						 * as SMFIC_HEADER has it */
	struct spool		 spool;
	struct spool		 body;		/* a filter's new body */
	struct hdredit		 edit;		/* the header's changes */
	struct dkims_signer	 signer;	/* dkim-sign: opened at the
						 * first message signed */
	struct dkims_msg	 sign;
	struct arc_msg		 arc;		/* last: large, mostly unused */
};

/*
 * Load what the configuration turns on (libcrypto for the spool,
 * libopendkim, libopendmarc and the Public Suffix List); c must outlive
 * the struct.  0, or -1 with why (then messages get 451 4.3.0: nothing
 * is accepted unchecked).  Calling it again on an open one does nothing.
 */
int	inspect_open(struct inspect *in, const struct conf *c, char *why,
	    size_t size);
/*
 * The milters' changes go into in (for miltercheck_open(); valid as
 * long as in).
 */
const struct milter_mods *inspect_mods(struct inspect *in);
/*
 * Start a message; id names it in libopendkim's messages.  milters (NULL
 * for none) get the message's header fields, its end of header, its
 * body and its end (the session told them MAIL, RCPT and DATA).
 */
void	inspect_begin(struct inspect *in, const char *id,
	    struct milter_set *milters);
/* The next len octets of canonical content. */
void	inspect_data(struct inspect *in, const char *buf, size_t len);
/* The content ended: decide (see inspect_decide()). */
void	inspect_end(struct inspect *in, const struct inspect_input *inp,
	    struct inspect_outcome *out);
/* The message is dropped (the client went away, a limit). */
void	inspect_abort(struct inspect *in);
/* The message is done with: what the spools held is wiped. */
void	inspect_done(struct inspect *in);
/*
 * After inspect_end(): the From: address when the message has exactly
 * one ("" otherwise), and whether a DKIM signature aligned with its
 * domain passed (DMARC's alignment; 0 without dmarc).
 */
const char *inspect_from(const struct inspect *in);
int	inspect_dkim_aligned(const struct inspect *in);
/*
 * The clauses this message adds to Authentication-Results: (";\r\n\t"
 * then "dkim=pass header.d=... header.s=... header.b=...", one per
 * signature, then "dmarc=..."), for authres_header(); with notrace the
 * results alone.  Returns the length (0: nothing, or no room).
 */
size_t	inspect_authres(const struct inspect *in, int notrace, char *buf,
	    size_t size);
/*
 * Before delivery: own[0..ownlen) is what samotop puts above the message
 * (the quarantine field, Authentication-Results:, Received:), whole
 * fields; when the milters changed the header, the message is read once
 * to place their changes (hdredit.h).  0, or -1 (the changes cannot be
 * applied, or the spool failed: *serr, else *herr): defer the message.
 */
int	inspect_prepare(struct inspect *in, const char *own, size_t ownlen,
	    enum spool_error *serr, enum hdredit_error *herr);
/*
 * Write the message to be delivered, own fields first: write(arg, buf,
 * len) for each piece, in order, canonical, with the milters' changes.
 * 0, or -1 when write failed (its errno kept), or the spool or an edit
 * failed (*serr or *herr set).
 */
int	inspect_replay(struct inspect *in, int (*write)(void *, const char *,
	    size_t), void *arg, enum spool_error *serr,
	    enum hdredit_error *herr);
/*
 * dkim-sign: sign the message as inspect_replay() will write it (after
 * inspect_prepare(): samotop's fields on top, the milters' changes) with
 * the keys of its From: domain (exactly one From: mailbox, as the header
 * came; dkims.h); id names it in libopendkim's messages.  1: the
 * DKIM-Signature: fields are in out[0..*len), to be written before the
 * replay; 0: no key for that domain, or no single From: mailbox (*len
 * 0); -1: the signing failed (*f), or reading the spool back did (*serr
 * or *herr set): the message must be deferred, never sent unsigned.
 */
int	inspect_sign(struct inspect *in, const char *id, char *out,
	    size_t size, size_t *len, struct dkims_failure *f,
	    enum spool_error *serr, enum hdredit_error *herr);
/* Release the libraries' handles and the spool. */
void	inspect_close(struct inspect *in);

/*
 * The verdict from DMARC's result, ARC's and the configuration (pure;
 * the session's tests use it through inspect_end()): a fail under
 * p=reject gets dmarc-reject's action, under p=quarantine
 * dmarc-quarantine's; a temperror defers (never an accept that skipped
 * the check); the rest is accepted.  A fail whose ARC chain passes and
 * whose newest sealer is an arc-trusted-sealer is accepted (a mailing
 * list the site trusts changed the message); when that chain failed
 * only for a key lookup, the message is deferred rather than refused.
 * Fills out's verdict, check and reason; returns 1 when ARC overrode.
 */
int	inspect_decide(const struct conf *c, const struct dmarc_result *r,
	    const struct inspect_arc *arc, struct inspect_outcome *out);

#endif
