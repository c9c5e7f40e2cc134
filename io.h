/*
 * io.h: buffered I/O for the client side of a session, over a pair of
 * file descriptors (a socket, or two pipes).  Fixed buffers, no
 * allocation.  Replies are buffered and flushed whenever the session is
 * about to wait for input, which is what RFC 2920 pipelining needs.
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
};

/* What io_line() found. */
struct io_line {
	const char	*text;		/* without the line end */
	size_t		 len;
	int		 bare_lf;	/* ended by LF without CR */
	int		 too_long;	/* over the limit: text is empty */
};

void		io_init(struct io *io, int rfd, int wfd);
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
