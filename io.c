/*
 * io.c: client-side buffered I/O with timeouts.
 */
#include <errno.h>
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
}

static enum io_status
wait_fd(int fd, short events, unsigned timeout)
{
	int n = fd_wait(fd, events, timeout > 0 ? (int)timeout * 1000 : -1);

	if (n == -1)
		return IO_ERROR;
	return n == 0 ? IO_TIMEOUT : IO_OK;
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
		if ((*st = wait_fd(io->wfd, POLLOUT, timeout)) != IO_OK)
			return -1;
		n = write(io->wfd, buf, len);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			return 0;
	} else {
		n = io->tls_lib->write(io->tls, buf, len);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
			*st = wait_fd(n == TLS_WANT_POLLIN ? io->rfd : io->wfd,
			    n == TLS_WANT_POLLIN ? POLLIN : POLLOUT, timeout);
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
		if ((*st = wait_fd(io->rfd, POLLIN, timeout)) != IO_OK)
			return -1;
		n = read(io->rfd, buf, len);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			return 0;
	} else {
		n = io->tls_lib->read(io->tls, buf, len);
		if (n == TLS_WANT_POLLIN || n == TLS_WANT_POLLOUT) {
			*st = wait_fd(n == TLS_WANT_POLLIN ? io->rfd : io->wfd,
			    n == TLS_WANT_POLLIN ? POLLIN : POLLOUT, timeout);
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

	if ((st = io_flush(io, timeout)) != IO_OK)
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

/* Look for a line end in what is buffered; 1 when a line is complete. */
static int
take_line(struct io *io, size_t max, struct io_line *line)
{
	const char *p = io->in + io->in_start;
	size_t avail = io->in_end - io->in_start, len;
	const char *lf = memchr(p, '\n', avail);

	if (lf == NULL) {
		if (avail >= max) {	/* no LF within the limit */
			io->skipping = 1;
			io_consume(io, avail);
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
	line->bare_lf = len == 0 || p[len - 1] != '\r';
	line->text = p;
	line->len = line->bare_lf ? len : len - 1;
	return 1;
}

enum io_status
io_line(struct io *io, size_t max, unsigned timeout, struct io_line *line)
{
	enum io_status st;

	memset(line, 0, sizeof(*line));
	if (max > sizeof(io->in))
		max = sizeof(io->in);
	while (!take_line(io, max, line))
		if ((st = io_fill(io, timeout)) != IO_OK)
			return st;
	return IO_OK;
}
