/*
 * deliver.h: the one delivery mechanism.  A route's helper (an argv) is
 * executed with a socketpair on its stdin and stdout, and spoken to in
 * LMTP (RFC 2033).  It is started at the first accepted RCPT and kept
 * for later transactions that use the same command.
 *
 * Every operation below that takes a timeout (seconds) has that long in
 * all, counted from its start to an absolute deadline: a helper that
 * answers a byte at a time or never stops writing cannot stretch it.
 * A helper being ended gets HELPER_GRACE_MS more to exit, then SIGKILL.
 */
#ifndef SAMOTOP_DELIVER_H
#define SAMOTOP_DELIVER_H

#include <sys/types.h>

#include <time.h>

#include "address.h"
#include "lmtpreply.h"
#include "parser.h"
#include "xforward.h"

#define HELPER_IN_SIZE	4096
#define HELPER_OUT_SIZE	(32 * 1024)
#define CAP_SMTPUTF8	0x01
#define CAP_PIPELINING	0x02
#define HELPER_GRACE_MS	2000	/* to exit once told to, then SIGKILL */

/*
 * Why the helper failed, for the code of a reply; h->why is the same in
 * words, for logs only (its wording never changes a reply).
 */
enum helper_error {
	HELPER_OK,
	HELPER_ESPAWN,		/* could not be started or reached */
	HELPER_ETIMEOUT,	/* no whole answer by the deadline */
	HELPER_ECLOSED,		/* closed the connection, or not running */
	HELPER_EIO,		/* a read or write failed otherwise */
	HELPER_EPROTO,		/* a malformed reply, a line too long, or
				 * a reply out of step (3xx to RCPT) */
	HELPER_EREFUSED,	/* refused the greeting, LHLO or RSET */
	HELPER_EUTF8,		/* does not take SMTPUTF8 */
	HELPER_EABORT,		/* dropped by us inside DATA */
};

struct helper {
	pid_t			 pid;		/* 0: none running */
	int			 fd;		/* -1: none */
	const char *const	*argv;		/* the command; NULL: attached */
	int			 caps;		/* CAP_* from LHLO */
	unsigned		 xforward;	/* XFORWARD attributes it takes */
	unsigned		 xclient;	/* XCLIENT's, as xforward_offered()
						 * maps them; 0: not offered */
	int			 in_mail;	/* MAIL sent, transaction open */
	int			 in_data;	/* inside DATA: only the end or
						 * an abort may follow */
	int			 at_bol;	/* dot-stuffing state in DATA */
	size_t			 in_start, in_end;
	size_t			 out_len;
	enum helper_error	 err;		/* the last failure */
	const char		*why;		/* the same, for logs only */
	long long		 deadline;	/* of the operation under way */
	const char		*hostname;	/* for LHLO */
	/* Last, and not cleared by helper_init(): only their counts are. */
	char			 in[HELPER_IN_SIZE];
	char			 out[HELPER_OUT_SIZE];
};

struct delivery_envelope {
	const struct mailbox	*sender;
	enum body_type		 body;
	int			 smtputf8;
	const struct xforward	*xforward;	/* NULL: nothing to tell */
};

void	helper_init(struct helper *h, const char *hostname);
/*
 * Speak LMTP on fd (a socket or the helper's pipe): read the greeting,
 * send LHLO.  helper_spawn() executes argv (argv[0] an absolute path,
 * NULL-terminated; it must outlive the helper) first.  0, or -1 with
 * the helper dropped.
 */
int	helper_attach(struct helper *h, int fd, unsigned timeout);
int	helper_spawn(struct helper *h, const char *const argv[],
	    unsigned timeout);
/*
 * Ask argv's helper about rcpt (argv NULL: the attached one), starting
 * it and opening the transaction as needed; a helper running another
 * command (other words, not another array) is quit first.  Returns 0
 * with the helper's reply in *rep, or -1 when the helper failed (h->err
 * and h->why say how; the helper is gone).
 */
int	helper_rcpt(struct helper *h, const char *const argv[],
	    const struct delivery_envelope *env, const struct mailbox *rcpt,
	    unsigned timeout, struct lmtpreply *rep);
/*
 * XCLIENT (xforward_xclient()) when the server offered it, outside a
 * transaction: the server then takes x's client as its own (Dovecot's
 * LMTP logs it and writes it into its Received:) and greets again,
 * and LHLO is sent again.  1 when it was taken, 0 when there was
 * nothing to send or the server refused it (*rep: its reply; the
 * session goes on as it was), -1 when the server failed.
 */
int	helper_xclient(struct helper *h, const struct xforward *x,
	    unsigned timeout, struct lmtpreply *rep);
/* DATA: 0 when the helper answered 354, else -1 (or its refusal in rep). */
int	helper_data(struct helper *h, unsigned timeout, struct lmtpreply *rep);
/* Canonical content; dot-stuffed on the way.  -1: the helper failed. */
int	helper_write(struct helper *h, const char *buf, size_t len,
	    unsigned timeout);
/* Content already dot-stuffed (data_keep_stuffing()), as it is. */
int	helper_write_stuffed(struct helper *h, const char *buf, size_t len,
	    unsigned timeout);
/* The final dot, then one reply per accepted recipient: see reply(). */
int	helper_end_data(struct helper *h, unsigned timeout);
int	helper_reply(struct helper *h, unsigned timeout,
	    struct lmtpreply *rep);
/*
 * The content and the final dot of the open DATA were written on h->fd
 * by another process with a copy of h (samotop-encrypt's worker, forked
 * after helper_data()): the replies come next, as after
 * helper_end_data().
 */
void	helper_data_sent(struct helper *h);
/* RSET of an open transaction; -1 ends the helper. */
int	helper_rset(struct helper *h, unsigned timeout);
/*
 * Drop the helper in the middle of DATA: it sees end of input before the
 * final dot and so delivers nothing.
 */
void	helper_abort(struct helper *h);
/* QUIT and reap, at the end of the session or before a command change. */
void	helper_quit(struct helper *h, unsigned timeout);

#endif
