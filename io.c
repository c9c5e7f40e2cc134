/*
 * io.c: client-side buffered I/O with timeouts and deadlines.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <tls.h>
#include <unistd.h>

#include "fdio.h"
#include "io.h"
#include "tlslib.h"

void
io_init(struct io *io, int rfd, int wfd)
{
	io->rfd = rfd;
	io->wfd = wfd;
	io->tls = NULL;
	io->tls_lib = NULL;
	io->in_start = io->in_end = 0;
	io->out_len = 0;
	io->skipping = 0;
	io->strict_crlf = 0;
	io->line_time = 0;
	memset(io->deadline, 0, sizeof(io->deadline));
	io->expired = -1;
}

void
io_line_rules(struct io *io, int strict, unsigned seconds)
{
	io->strict_crlf = strict;
	io->line_time = seconds;
}

void
io_set_deadline(struct io *io, enum io_deadline which, unsigned seconds)
{
	io->deadline[which] = seconds > 0 ?
	    fd_deadline((long)seconds * 1000) : 0;
}

const char *
io_expired(const struct io *io)
{
	static const char *const names[IO_DL__COUNT] = {
		[IO_DL_LINE] = "command-line",
		[IO_DL_MESSAGE] = "message",
		[IO_DL_SESSION] = "session",
	};

	return io->expired >= 0 ? names[io->expired] : NULL;
}

/*
 * How long the next wait may last in milliseconds (-1: for ever): the
 * timeout, or less when a deadline comes first, which *which names.
 * 0 with *which set when a deadline has passed.
 */
static int
wait_ms(const struct io *io, unsigned timeout, int *which)
{
	long long now = 0, left, ms = timeout > 0 ?
	    (long long)timeout * 1000 : -1;
	int i;

	*which = -1;
	for (i = 0; i < IO_DL__COUNT; i++) {
		if (io->deadline[i] == 0)
			continue;
		if (now == 0)
			now = fd_now_ms();
		left = io->deadline[i] - now;
		if (left < 0)
			left = 0;
		if (ms == -1 || left < ms) {
			ms = left;
			*which = i;
		}
	}
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* A deadline cut the wait: say which, and let the goodbye be written. */
static enum io_status
expire(struct io *io, int which)
{
	io->expired = which;
	memset(io->deadline, 0, sizeof(io->deadline));
	return IO_TIMEOUT;
}

static enum io_status
wait_fd(struct io *io, int fd, short events, unsigned timeout)
{
	int which, ms = wait_ms(io, timeout, &which), n;

	if (ms == 0 && which >= 0)
		return expire(io, which);
	if ((n = fd_wait(fd, events, ms)) == -1)
		return IO_ERROR;
	if (n > 0)
		return IO_OK;
	return which >= 0 ? expire(io, which) : IO_TIMEOUT;
}

/*
 * Whether a deadline has passed, for reads that do not wait: a client
 * that keeps the socket busy is cut off as surely as one that drips.
 */
static enum io_status
check_deadlines(struct io *io)
{
	int which;

	if (wait_ms(io, 0, &which) == 0 && which >= 0)
		return expire(io, which);
	return IO_OK;
}

/*
 * One write: plain, or through TLS, which may need to read first.
 * Returns octets written, 0 to retry after waiting, -1 on error.
 */
static ssize_t
put(struct io *io, const char *buf, size_t len, unsigned timeout,
    enum io_status *st)
{
	ssize_t n;

	if (io->tls == NULL) {
		if ((*st = wait_fd(io, io->wfd, POLLOUT, timeout)) != IO_OK)
			return -1;
		n = write(io->wfd, buf, len);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			return 0;
	} else {
		n = io->tls_lib->write(io->tls, buf, len);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
			*st = n == TLS_WANT_POLLIN ?
			    wait_fd(io, io->rfd, POLLIN, timeout) :
			    wait_fd(io, io->wfd, POLLOUT, timeout);
			return *st == IO_OK ? 0 : -1;
		}
	}
	if (n < 0)
		*st = IO_ERROR;
	return n;
}

enum io_status
io_flush(struct io *io, unsigned timeout)
{
	enum io_status st = IO_ERROR;
	size_t done = 0;
	ssize_t n;

	while (done < io->out_len) {
		if ((n = put(io, io->out + done, io->out_len - done, timeout,
		    &st)) == -1)
			return st;
		done += n;
	}
	io->out_len = 0;
	return IO_OK;
}

enum io_status
io_write(struct io *io, const char *s, size_t n, unsigned timeout)
{
	enum io_status st;
	size_t k;

	while (n > 0) {
		if (io->out_len == sizeof(io->out) &&
		    (st = io_flush(io, timeout)) != IO_OK)
			return st;
		k = sizeof(io->out) - io->out_len;
		if (k > n)
			k = n;
		memcpy(io->out + io->out_len, s, k);
		io->out_len += k;
		s += k;
		n -= k;
	}
	return IO_OK;
}

/* Make room at the end of the input buffer by moving what is left. */
static void
compact(struct io *io)
{
	if (io->in_start == 0)
		return;
	memmove(io->in, io->in + io->in_start, io->in_end - io->in_start);
	io->in_end -= io->in_start;
	io->in_start = 0;
}

/*
 * One read.  With TLS, read first and wait only when libtls asks:
 * decrypted octets may be waiting inside it while the socket is quiet.
 * Returns octets read, 0 to retry after waiting, -1 with *st.
 */
static ssize_t
get(struct io *io, char *buf, size_t len, unsigned timeout,
    enum io_status *st)
{
	ssize_t n;

	if (io->tls == NULL) {
		if ((*st = wait_fd(io, io->rfd, POLLIN, timeout)) != IO_OK)
			return -1;
		n = read(io->rfd, buf, len);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			return 0;
	} else {
		n = io->tls_lib->read(io->tls, buf, len);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
			*st = n == TLS_WANT_POLLIN ?
			    wait_fd(io, io->rfd, POLLIN, timeout) :
			    wait_fd(io, io->wfd, POLLOUT, timeout);
			return *st == IO_OK ? 0 : -1;
		}
	}
	if (n == 0)
		*st = IO_EOF;
	else if (n < 0)
		*st = errno == ECONNRESET || errno == EPIPE ? IO_EOF :
		    IO_ERROR;
	return n > 0 ? n : -1;
}

enum io_status
io_fill(struct io *io, unsigned timeout)
{
	enum io_status st;
	ssize_t n;

	if ((st = io_flush(io, timeout)) != IO_OK ||
	    (st = check_deadlines(io)) != IO_OK)
		return st;
	compact(io);
	if (io->in_end == sizeof(io->in))
		return IO_OK;
	do
		n = get(io, io->in + io->in_end, sizeof(io->in) - io->in_end,
		    timeout, &st);
	while (n == 0);
	if (n < 0)
		return st;
	io->in_end += n;
	return IO_OK;
}

size_t
io_pending(const struct io *io, const char **p)
{
	*p = io->in + io->in_start;
	return io->in_end - io->in_start;
}

void
io_consume(struct io *io, size_t n)
{
	io->in_start += n;
	if (io->in_start == io->in_end)
		io->in_start = io->in_end = 0;
}

size_t
io_discard(struct io *io)
{
	size_t n = io->in_end - io->in_start;

	io->in_start = io->in_end = 0;
	return n;
}

/* The LF that ends the line in p[0..avail), or NULL. */
static const char *
line_end(const struct io *io, const char *p, size_t avail)
{
	const char *lf = memchr(p, '\n', avail);

	/* Strict: only a LF after a CR; the CR of a line being skipped
	 * is kept for this (see take_line). */
	while (lf != NULL && io->strict_crlf && (lf == p || lf[-1] != '\r'))
		lf = memchr(lf + 1, '\n', p + avail - lf - 1);
	return lf;
}

/* Look for a line end in what is buffered; 1 when a line is complete. */
static int
take_line(struct io *io, size_t max, struct io_line *line)
{
	const char *p = io->in + io->in_start;
	size_t avail = io->in_end - io->in_start, len;
	const char *lf = line_end(io, p, avail);

	if (lf == NULL) {
		if (avail >= max) {	/* no line end within the limit */
			io->skipping = 1;
			/* A CR at the end may be the first half of CR LF. */
			io_consume(io, io->strict_crlf &&
			    p[avail - 1] == '\r' ? avail - 1 : avail);
		}
		return 0;
	}
	len = lf - p;
	io_consume(io, len + 1);
	if (io->skipping || len + 1 > max) {
		io->skipping = 0;
		line->too_long = 1;
		return 1;
	}
	line->text = p;
	if (io->strict_crlf) {
		line->len = len - 1;
		line->bare_lf = memchr(p, '\n', line->len) != NULL;
		line->bare_cr = memchr(p, '\r', line->len) != NULL;
		return 1;
	}
	line->bare_lf = len == 0 || p[len - 1] != '\r';
	line->len = line->bare_lf ? len : len - 1;
	return 1;
}

enum io_status
io_line(struct io *io, size_t max, unsigned timeout, struct io_line *line)
{
	enum io_status st = IO_OK;

	memset(line, 0, sizeof(*line));
	if (max > sizeof(io->in))
		max = sizeof(io->in);
	if (io->line_time > 0)
		io_set_deadline(io, IO_DL_LINE, io->line_time);
	while (!take_line(io, max, line))
		if ((st = io_fill(io, timeout)) != IO_OK)
			break;
	io->deadline[IO_DL_LINE] = 0;
	return st;
}
