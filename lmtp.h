/*
 * lmtp.h: the LMTP (RFC 2033) server side shared by the delivery helpers.
 *
 * The protocol core (lmtp_init, lmtp_input, lmtp_eof) is sans-I/O: it
 * consumes bytes and leaves replies in s->out, so it can be fuzzed and
 * tested byte by byte.  lmtp_serve() drives it over a pair of fds.
 * Nothing is allocated: every buffer is a fixed array in the session.
 *
 * Every helper (samotop-maildir, samotop-lmtp, samotop-pipe) has the
 * same thin main over lmtp_start() and lmtp_run(), and one table of
 * exit statuses (sysexits(3)), documented in each one's man page:
 *	0 (EX_OK)	after QUIT or end of input, inside DATA too (that is
 *			how an LMTP client aborts a message)
 *	EX_USAGE	bad options or operands (lmtp_usage())
 *	EX_OSERR	its set-up failed: memory, a pipe, a signal handler
 *			(lmtp_startup_failed())
 *	EX_IOERR	reading stdin or writing stdout failed (lmtp_run());
 *			samotop-maildir: also an aborted copy that could not
 *			be removed from tmp/
 */
#ifndef SAMOTOP_LMTP_H
#define SAMOTOP_LMTP_H

#include <stddef.h>

#include "address.h"
#include "data.h"
#include "log.h"
#include "xforward.h"

#define LMTP_LINE_MAX	4096	/* command line octets, line end excluded */
#define LMTP_RCPT_MAX	1000	/* accepted recipients per transaction */
#define LMTP_REPLY_MAX	512	/* a callback's reply buffer, NUL included */
#define LMTP_IN_SIZE	65536	/* lmtp_serve() read buffer */
#define LMTP_OUT_SIZE	8192	/* reply buffer */
#define LMTP_CHUNK_SIZE	8192	/* decoded content per data_write() */
#define LMTP_HOST_MAX	255	/* the greeting's host name */

/*
 * The helper's side.  A reply is one complete line without CRLF, such as
 * "250 2.1.5 OK", written into reply[0..size).  An empty reply gets a
 * default; a malformed one (not "DDD" or "DDD text") becomes a 451.
 * Callbacks marked optional may be NULL.
 */
struct lmtp_ops {
	/* optional; MAIL FROM.  0 accepts (empty reply: 250), -1 refuses. */
	int	(*mail)(void *ctx, const struct mailbox *from, char *reply,
		    size_t size);
	/*
	 * RCPT TO.  index is the position the recipient gets among the
	 * accepted ones (0, 1, ...), the index data_end() later reports.
	 * 0 accepts (the reply must be 2xx; empty: 250), -1 refuses.
	 */
	int	(*rcpt)(void *ctx, const struct mailbox *rcpt, size_t index,
		    char *reply, size_t size);
	/* optional; DATA, before 354.  -1 refuses DATA with reply. */
	int	(*data_begin)(void *ctx, char *reply, size_t size);
	/*
	 * Canonical content (CRLF line ends, dots unstuffed), in chunks of
	 * at most LMTP_CHUNK_SIZE octets.  -1: stop sending content; the
	 * helper then reports its failure in data_end().
	 */
	int	(*data_write)(void *ctx, const char *buf, size_t len);
	/* After the final dot, once per accepted recipient, in order. */
	void	(*data_end)(void *ctx, size_t index, char *reply,
		    size_t size);
	/*
	 * optional; input ended (or the session failed) before the final
	 * dot or before every data_end() reply was sent: discard whatever
	 * data_end() has not yet delivered.
	 */
	void	(*data_abort)(void *ctx);
	/*
	 * optional; forget the transaction.  Called on RSET, LHLO, after
	 * the last data_end() reply, and at QUIT or end of input when a
	 * transaction is open (but not after data_abort()).
	 */
	void	(*reset)(void *ctx);
	/*
	 * optional; the client's attributes from XFORWARD (samotop-smtpd
	 * sends them before MAIL), all of those given so far.  Called after
	 * each XFORWARD command, and with every field empty when they are
	 * forgotten: after the transaction, at RSET and at LHLO.
	 */
	void	(*xforward)(void *ctx, const struct xforward *x);
	/*
	 * Set by a helper whose data_end() may take long (samotop-pipe):
	 * each answer is then sent before the next is worked out, so the
	 * client's timeout runs per recipient, not per message.
	 */
	int	slow_delivery;
};

enum lmtp_status {
	LMTP_MORE,	/* all input used; nothing pending: read more */
	LMTP_FLUSH,	/* s->out is full: write it, then call again */
	LMTP_QUIT,	/* QUIT answered: write s->out, then stop */
};

struct lmtp_session {
	const struct lmtp_ops	*ops;
	void			*ctx;
	char			 hostname[ADDR_DOMAIN_MAX + 1];
	int			 greeted;	/* LHLO seen */
	int			 txn;		/* transaction state */
	int			 overlong;	/* skipping to the next LF */
	int			 write_failed;	/* data_write() said stop */
	int			 xforwarded;	/* XFORWARD since the last reset */
	struct xforward		 xforward;
	size_t			 nrcpt;		/* accepted recipients */
	size_t			 nreplied;	/* data_end() replies sent */
	size_t			 linelen;
	struct data_decoder	 dec;
	size_t			 outlen;	/* octets waiting in out */
	/* the buffers last: lmtp_init() clears what comes before them */
	char			 line[LMTP_LINE_MAX + 2];
	char			 out[LMTP_OUT_SIZE];
	char			 chunk[LMTP_CHUNK_SIZE];
};

/* Start a session; the 220 greeting is left in s->out. */
void		lmtp_init(struct lmtp_session *s, const char *hostname,
		    const struct lmtp_ops *ops, void *ctx);
/*
 * Consume input.  *used says how much of in was consumed; call again
 * with the rest after writing s->out (set s->outlen to 0 then).  Call
 * with len 0 after LMTP_FLUSH: replies may still be pending.
 */
enum lmtp_status lmtp_input(struct lmtp_session *s, const char *in,
		    size_t len, size_t *used);
/* End of input: 0 between commands, 1 when DATA was aborted. */
int		lmtp_eof(struct lmtp_session *s);
/*
 * Serve one LMTP session: read commands from in, answer on out.  Returns
 * 0 after QUIT or end of input between commands, 1 when input ended
 * inside DATA (data_abort() was called), -1 on a read or write error
 * (errno set).
 */
int		lmtp_serve(int in, int out, const char *hostname,
		    const struct lmtp_ops *ops, void *ctx);

/*
 * A helper's start, once its options are read: SIGPIPE ignored (a
 * vanished peer is an error to report, not a signal to die of) and this
 * host's name (or "localhost") into host[LMTP_HOST_MAX + 1].
 */
void		lmtp_start(char *host);
/*
 * lmtp_serve() on stdin and stdout, its failure logged: the exit status,
 * 0 or EX_IOERR.
 */
int		lmtp_run(const struct logger *lg, const char *host,
		    const struct lmtp_ops *ops, void *ctx);
/* The set-up failed: logged with errno; returns EX_OSERR. */
int		lmtp_startup_failed(const struct logger *lg);
/* "usage: SYNOPSIS" on stderr, then exit with EX_USAGE. */
_Noreturn void	lmtp_usage(const char *synopsis);

#endif
