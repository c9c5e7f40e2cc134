/*
 * io.c: client-side buffered I/O with timeouts.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "io.h"

void
io_init(struct io *io, int rfd, int wfd)
{
	io->rfd = rfd;
	io->wfd = wfd;
	io->in_start = io->in_end = 0;
	io->out_len = 0;
	io->skipping = 0;
}

static enum io_status
wait_fd(int fd, short events, unsigned timeout)
{
	struct pollfd pfd = { fd, events, 0 };
	int n;

	do
		n = poll(&pfd, 1, timeout > 0 ? (int)timeout * 1000 : -1);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return IO_ERROR;
	return n == 0 ? IO_TIMEOUT : IO_OK;
}

enum io_status
io_flush(struct io *io, unsigned timeout)
{
	size_t done = 0;
	enum io_status st;
	ssize_t n;

	while (done < io->out_len) {
		if ((st = wait_fd(io->wfd, POLLOUT, timeout)) != IO_OK)
			return st;
		n = write(io->wfd, io->out + done, io->out_len - done);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1)
			return IO_ERROR;
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
	for (;;) {
		if ((st = wait_fd(io->rfd, POLLIN, timeout)) != IO_OK)
			return st;
		n = read(io->rfd, io->in + io->in_end,
		    sizeof(io->in) - io->in_end);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n == -1)
			return errno == ECONNRESET ? IO_EOF : IO_ERROR;
		if (n == 0)
			return IO_EOF;
		io->in_end += n;
		return IO_OK;
	}
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

void
io_discard(struct io *io)
{
	io->in_start = io->in_end = 0;
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
