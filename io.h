/*
 * io.h: buffered I/O for the client side of a session, over a pair of
 * file descriptors (a socket, or two pipes).  Fixed buffers, no
 * allocation.  Replies are buffered and flushed whenever the session is
 * about to wait for input, which is what RFC 2920 pipelining needs.
 *
 * Two kinds of time limit apply to every wait: the timeout the caller
 * passes (how long one read or write may wait), and the deadlines the
 * session arms (CLOCK_MONOTONIC instants by which a whole command line,
 * message or session must be done), so that a client that sends one
 * octet just within each timeout is still cut off.  A wait cut by either
 * returns IO_TIMEOUT; io_expired() says whether a deadline was the cause.
 */
#ifndef SAMOTOP_IO_H
#define SAMOTOP_IO_H

#include <stddef.h>

#define IO_IN_SIZE	(64 * 1024 + 8)
#define IO_OUT_SIZE	(8 * 1024)

enum io_status {
	IO_OK,
	IO_EOF,		/* the client closed its side */
	IO_TIMEOUT,	/* nothing arrived in time */
	IO_ERROR,	/* read or write failed; errno says why */
};

/* The deadlines, innermost first. */
enum io_deadline {
	IO_DL_LINE,	/* one command line, armed by io_line() itself */
	IO_DL_MESSAGE,	/* DATA to its final dot, BDAT to LAST */
	IO_DL_SESSION,	/* the whole connection */
	IO_DL__COUNT
};

struct tls;
struct tlslib;

struct io {
	int	rfd;
	int	wfd;
	struct tls *tls;	/* after STARTTLS: all I/O goes through it */
	const struct tlslib *tls_lib;	/* with these functions */
	char	in[IO_IN_SIZE];
	size_t	in_start;	/* first unconsumed octet */
	size_t	in_end;
	char	out[IO_OUT_SIZE];
	size_t	out_len;
	int	skipping;	/* dropping the rest of an overlong line */
	int	strict_crlf;	/* io_line(): only CR LF ends a line */
	unsigned line_time;	/* io_line(): seconds for a line, 0: none */
	long long deadline[IO_DL__COUNT];	/* fd_now_ms() instant, 0: none */
	int	expired;	/* the deadline that cut a wait, or -1 */
};

/*
 * What io_line() found.  With strict_crlf a line ends only at CR LF, and
 * a LF or CR inside it sets bare_lf or bare_cr: the line is one line to
 * refuse as a whole, never two commands (a proxy in front that splits
 * at CR LF must see the same commands as we do).  Without, a LF alone
 * also ends a line (bare_lf set) and a CR inside stays in the text.
 */
struct io_line {
	const char	*text;		/* without the line end */
	size_t		 len;
	int		 bare_lf;	/* a LF without CR in or ending it */
	int		 bare_cr;	/* strict: a CR without LF in it */
	int		 too_long;	/* over the limit: text is empty */
};

/* No deadlines, non-strict lines. */
void		io_init(struct io *io, int rfd, int wfd);
/*
 * How io_line() frames lines (strict: only CR LF ends one) and how long
 * each io_line() call may take in all, in seconds (0: no limit beyond
 * the timeout of each read): it arms IO_DL_LINE itself.
 */
void		io_line_rules(struct io *io, int strict, unsigned seconds);
/*
 * Arm deadline which to seconds from now, or disarm it with 0.  Once a
 * deadline has cut a wait, all are disarmed, so that the reply saying so
 * can still be written within the caller's timeout.
 */
void		io_set_deadline(struct io *io, enum io_deadline which,
		    unsigned seconds);
/*
 * After IO_TIMEOUT: the name of the deadline that ended a wait
 * ("command-line", "message", "session"), or NULL when none has (the
 * timeout of one read or write did).
 */
const char	*io_expired(const struct io *io);
/* Flush pending output, then wait up to timeout seconds for input. */
enum io_status	io_fill(struct io *io, unsigned timeout);
/*
 * The next complete line of at most max octets (line end included).
 * An overlong line is consumed up to its LF and reported too_long.
 */
enum io_status	io_line(struct io *io, size_t max, unsigned timeout,
		    struct io_line *line);
/* Octets waiting in the input buffer, and consuming them. */
size_t		io_pending(const struct io *io, const char **p);
void		io_consume(struct io *io, size_t n);
/*
 * Drop input that arrived before a point where the client must wait:
 * after STARTTLS, nothing sent in the clear may be taken as sent under
 * TLS (CVE-2011-0411).  Returns how many octets were dropped.
 */
size_t		io_discard(struct io *io);
enum io_status	io_write(struct io *io, const char *s, size_t n,
		    unsigned timeout);
enum io_status	io_flush(struct io *io, unsigned timeout);

#endif
